#!/usr/bin/env python3
"""Fails when files of one crate import each other in a loop (issue 26, "no import circles").

A file is a module (`src/a/b.rs` or `src/a/b/mod.rs` is `a::b`). It imports another module
when it names a path into it: `use crate::x::y`, `crate::x::f()`, `super::sibling::T`. Edges
between a module and its own ancestors or descendants are not counted (a parent re-exporting
its child and the child using the parent's items is how Rust modules are layered); what is
left are imports across the tree, and a loop among those is a circle. Prints each circle and
exits 1; prints "no import circles in N files" otherwise.

    python3 .ci/module-cycles.py [CRATE_DIR ...]   (default: every crate of the workspace)
"""

import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP = re.compile(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^}]*)\}")


def modules(src: Path) -> dict[tuple[str, ...], Path]:
    found = {}
    for f in src.rglob("*.rs"):
        parts = list(f.relative_to(src).with_suffix("").parts)
        if parts[-1] in ("mod", "lib", "main") and (len(parts) > 1 or parts[-1] != "main"):
            parts = parts[:-1]
        elif parts == ["main"]:
            continue  # a binary is its own crate
        found[tuple(parts)] = f
    return found


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def resolve(base: tuple[str, ...], root: str, rest: list[str], mods) -> tuple[str, ...] | None:
    if root == "crate":
        at = ()
    elif root == "self":
        at = base
    else:
        at = base[:-1]
        while rest and rest[0] == "super":
            rest = rest[1:]
            at = at[:-1]
    best = at if at in mods else None
    for name in rest:
        at = at + (name,)
        if at in mods:
            best = at
        else:
            break
    return best


def related(a, b) -> bool:
    return a[: len(b)] == b or b[: len(a)] == a


def edges_of(mods):
    graph = {m: set() for m in mods}
    for m, f in mods.items():
        text = strip_comments(f.read_text())
        # `mod tests` blocks use their parent freely: only the code above them counts.
        text = text.split("#[cfg(test)]\nmod tests")[0]
        refs = []
        for root, path, group in GROUP.findall(text):
            prefix = [p for p in path.split("::") if p]
            for item in group.split(","):
                item = item.strip().split(" as ")[0]
                if item:
                    refs.append((root, prefix + [p for p in item.split("::") if p and p != "self"]))
        for root, path in PATH.findall(text):
            refs.append((root, [p for p in path.split("::") if p]))
        for root, rest in refs:
            target = resolve(m, root, rest, mods)
            if target is not None and target != m and not related(m, target):
                graph[m].add(target)
    return graph


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                out.append(sorted(scc))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    root = Path(__file__).resolve().parent.parent
    crates = [Path(a) for a in sys.argv[1:]] or sorted(p.parent for p in root.glob("*/Cargo.toml"))
    bad, files = 0, 0
    for crate in crates:
        src = crate / "src"
        if not src.is_dir():
            continue
        mods = modules(src)
        files += len(mods)
        for scc in cycles(edges_of(mods)):
            bad += 1
            names = ", ".join(str(mods[m].relative_to(crate.parent)) for m in scc)
            print(f"import circle in {crate.name}: {names}")
    if bad:
        print(f"{bad} import circle(s): move the shared item to the module both sides build on")
        return 1
    print(f"no import circles in {files} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
