//! The spec reference (`docs/spec-reference.md`): every kind and every type its fields use,
//! each field with its type, whether it is required, its default and its documentation,
//! generated from the JSON Schemas so it cannot drift from the code (a test compares).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::schema::{SchemaNode, schemas};

/// The whole reference page as Markdown.
///
/// ```
/// let page = k3sgen::reference::markdown();
/// assert!(page.contains("\n## App\n"));
/// ```
#[must_use]
pub fn markdown() -> String {
    let mut out = String::from(
        "# Spec reference\n\n\
         Every spec kind and every field, generated from the JSON Schemas the spec types produce\n\
         (`k3sgen schema DIR` writes the same schemas for editors). `k3sgen explain KIND.field`\n\
         prints one entry on the command line. Do not edit by hand: a test in `k3sgen` compares\n\
         this page with the schemas, and `K3SGEN_BLESS=1 cargo test -p k3sgen --test it` rewrites it.\n\n\
         Keys are snake_case; unknown keys are errors. A field marked *required* must be given.\n",
    );
    let mut types = BTreeMap::new();
    let all = schemas();
    out.push_str("\nKinds:");
    for (kind, _, _) in &all {
        let _ = write!(out, " [{kind}](#{}),", kind.to_lowercase());
    }
    out.pop();
    out.push('\n');
    let roots: Vec<(&str, SchemaNode)> = all
        .iter()
        .map(|(kind, _, schema)| (*kind, SchemaNode::of(schema)))
        .collect();
    for (_, root) in &roots {
        for (name, def) in &root.defs {
            types.entry(name.clone()).or_insert_with(|| def.clone());
        }
    }
    // Sections a doc comment's rustdoc link may point at: the kinds and the types.
    let anchors: Vec<&str> = roots
        .iter()
        .map(|(kind, _)| *kind)
        .chain(types.keys().map(String::as_str))
        .collect();
    let page = Page { anchors: &anchors };
    for (kind, root) in &roots {
        let _ = write!(out, "\n## {kind}\n\n");
        page.section(&mut out, root);
    }
    out.push_str("\n## Types\n\nThe types the kinds above refer to, in alphabetical order.\n");
    for (name, def) in &types {
        let _ = write!(out, "\n### {name}\n\n");
        page.section(&mut out, def);
    }
    out
}

/// What a section needs to know about the whole page.
struct Page<'a> {
    /// The names with a section of their own (kinds and types).
    anchors: &'a [&'a str],
}

/// A Rust path as a reader knows it: from the last type name on (`crate::Context::variables` ->
/// `Context::variables`), else the last segment (`crate::workload::check_env_name_for` ->
/// `check_env_name_for`).
fn short_path(path: &str) -> &str {
    let segments: Vec<&str> = path.split("::").collect();
    let from = segments
        .iter()
        .rposition(|s| s.starts_with(|c: char| c.is_ascii_uppercase()));
    let skip: usize = match from {
        Some(i) => segments[..i].iter().map(|s| s.len() + 2).sum(),
        None => path.len() - segments.last().map_or(0, |s| s.len()),
    };
    &path[skip..]
}

impl Page<'_> {
    /// Doc comment text for readers of the page: rustdoc's intra-doc links (``[`App::validate`]``,
    /// ``[`crate::workload::check_env_name_for`]``, ``[`text`](crate::crd)``) become code spans
    /// without the module path, or links to the page's own section when the name has one.
    fn prose(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("[`") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("`]") else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = &after[..end];
            rest = &after[end + 2..];
            // An explicit target: `[`text`](path)` with a Rust path, not a URL or an anchor.
            if let Some(target) = rest.strip_prefix('(').and_then(|r| r.find(')').map(|e| &r[..e])) {
                if !target.contains('/') && !target.starts_with('#') {
                    rest = &rest[target.len() + 2..];
                } else {
                    let _ = write!(out, "[`{name}`]");
                    continue;
                }
            }
            let short = short_path(name);
            let bare = short.trim_end_matches("()").trim_end_matches('!');
            if self.anchors.contains(&bare) {
                let _ = write!(out, "[`{short}`](#{})", bare.to_lowercase());
            } else {
                let _ = write!(out, "`{short}`");
            }
        }
        out.push_str(rest);
        out
    }

    /// One kind's or type's section: its doc, its fields' table, its variants.
    fn section(&self, out: &mut String, node: &SchemaNode) {
        let doc = self.prose(&node.doc());
        if !doc.is_empty() {
            out.push_str(&doc);
            out.push_str("\n\n");
        }
        if !node.properties.is_empty() {
            out.push_str("| field | type | required | default | description |\n|---|---|---|---|---|\n");
            for (name, field) in &node.properties {
                let required = if node.required.contains(name) { "yes" } else { "" };
                let default = field.default.as_ref().map(|d| format!("`{d}`")).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| `{name}` | {} | {required} | {} | {} |",
                    cell(&type_link(field)),
                    cell(&default),
                    cell(&self.prose(&field.summary()))
                );
            }
        }
        let variants: Vec<&SchemaNode> = node.one_of.iter().chain(&node.any_of).collect();
        if !variants.is_empty() {
            out.push_str("One of:\n\n");
            for variant in variants {
                let _ = writeln!(out, "- {}", self.prose(&variant_line(variant)));
            }
        } else if let Some(values) = &node.values {
            let values: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            let _ = writeln!(out, "One of: {}", values.join(", "));
        } else if node.properties.is_empty() {
            let _ = writeln!(out, "Type: {}", type_link(node));
        }
    }
}

/// One enum variant: its value, or its single key and that key's type, and its summary.
fn variant_line(variant: &SchemaNode) -> String {
    let head = if let Some(values) = &variant.values {
        values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
    } else if let Some(constant) = &variant.constant {
        format!("`{constant}`")
    } else if let [(key, field)] = variant.properties.iter().collect::<Vec<_>>().as_slice() {
        format!("`{key}`: {}", type_link(field))
    } else {
        type_link(variant)
    };
    let summary = variant.summary();
    if summary.is_empty() {
        head
    } else {
        format!("{head} — {summary}")
    }
}

/// The type, with definitions linked to their section.
fn type_link(node: &SchemaNode) -> String {
    node.type_text(&|name| format!("[{name}](#{})", name.to_lowercase()))
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
