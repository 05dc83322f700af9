#!/usr/bin/env bash
# Whole-process figures of the `bench_apps` shape (spec text in, YAML out, streaming):
#   benches/whole-process.sh [--runs R] [--callgrind] [N ...]      (default: 5 runs, N = 100 1000 10000)
# For each N: R runs of `bench_apps N --stream >/dev/null` (the YAML goes to stdout, the JSON
# line of figures to stderr) under /usr/bin/time, printing the wall range
# (min–max) and median, the median of bench_apps' own parse/render/yaml split, and peak RSS.
# The load average is printed before and after: never compare wall times across loads.
# The wall runs use the default thread count (K3S_JOBS if set, else every core).
# With --callgrind, one extra run under valgrind per N gives instruction counts (repeatable),
# split into parse (`k3s_benches::apps`), YAML (`Bundle::write_yaml`) and render (the rest of
# bench_apps' `render_stream`, that is `AppSet::render_map`, dropping each app's objects included).
# That run has K3S_JOBS=1: on one thread everything happens inside those functions, so the split
# stays meaningful (and valgrind runs threads one at a time anyway).
set -euo pipefail
workspace=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=5 callgrind=false ns=()
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --callgrind) callgrind=true; shift ;;
    *) ns+=("$1"); shift ;;
  esac
done
((${#ns[@]})) || ns=(100 1000 10000)
cargo build -q --release -p k3s-benches --example bench_apps --manifest-path "$workspace/Cargo.toml"
bin=${CARGO_TARGET_DIR:-$workspace/target}/release/examples/bench_apps
tmp=$(mktemp -d "${TMPDIR:-/tmp}/k3s-whole-process.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
# median of the numbers on stdin; range as min–max
stats() { sort -g | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "%s–%s (median %s)", v[1], v[NR], m}'; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$tmp/json"; }
for n in "${ns[@]}"; do
  : >"$tmp/json"; : >"$tmp/time"
  for ((r = 0; r < runs; r++)); do
    start=$(date +%s%N)
    /usr/bin/time -f '%M' -o "$tmp/t" "$bin" "$n" --stream 2>>"$tmp/json" >/dev/null
    echo "$((($(date +%s%N) - start) / 1000000)) $(cat "$tmp/t")" >>"$tmp/time"
  done
  printf 'N=%-6s wall ms %s | peak RSS KiB %s\n' "$n" "$(cut -d' ' -f1 "$tmp/time" | stats)" "$(cut -d' ' -f2 "$tmp/time" | stats)"
  printf '         inside (median ms, %s job(s)): parse %s, render %s, yaml %s\n' "$(field jobs | head -1)" \
    "$(field parse_ms | stats | sed 's/.*median \(.*\))/\1/')" \
    "$(field render_ms | stats | sed 's/.*median \(.*\))/\1/')" \
    "$(field yaml_ms | stats | sed 's/.*median \(.*\))/\1/')"
  if $callgrind; then
    K3S_JOBS=1 valgrind -q --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" "$n" --stream >/dev/null 2>&1
    callgrind_annotate --inclusive=yes "$tmp/cg" >"$tmp/ann" 2>/dev/null
    ir() { grep -m1 -E "$1" "$tmp/ann" | awk '{gsub(",", "", $1); print $1}'; }
    total=$(ir 'PROGRAM TOTALS') parse=$(ir ':k3s_benches::apps ') each=$(ir ':bench_apps::render_stream ')
    yaml=$(ir ':k3score::bundle::Bundle::write_yaml ')
    awk -v t="$total" -v p="$parse" -v e="$each" -v y="$yaml" 'BEGIN {
      printf "         instructions (M): total %.1f, parse %.1f, render %.1f, yaml %.1f\n", t/1e6, p/1e6, (e-y)/1e6, y/1e6 }'
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
