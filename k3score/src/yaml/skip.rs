//! Where an entry or a value of the YAML text starts and ends, for the edits that let
//! [`from_yaml`](super::from_yaml) parse on past a problem of shape: an unknown key is
//! blanked out with its value (as if it were absent), a value of the wrong shape likewise
//! (the field then takes its default), or, for a list item or a required field, replaced by
//! an empty value of the right shape.
//!
//! Every edit keeps the lines where they are: what is removed becomes spaces, line breaks
//! stay, so the positions of the problems found by later parses are those of the user's
//! text. The spans are found on the text itself (indentation, flow brackets, quotes), the
//! way a block or flow entry is laid out in the YAML 1.2 spec (sections 7.4 and 8.2); any
//! layout not understood here gives no edit, and the problem ends the read as before.

use std::ops::Range;

/// The bytes of an entry or a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Span {
    pub(super) range: Range<usize>,
    /// For the only entry of a block mapping: where its mapping's key ends (after the `:`),
    /// for ` {}` to keep it a mapping once the entry is blanked out.
    pub(super) only_entry_of: Option<usize>,
}

impl Span {
    /// The bytes `range`.
    pub(super) fn of(range: Range<usize>) -> Self {
        Self {
            range,
            only_entry_of: None,
        }
    }
}

/// The mapping entry whose key starts at byte `key`, with the text of the key checked to be
/// `name`: the key, its value and, in a flow mapping, one comma beside it.
pub(super) fn entry(text: &str, key: usize, name: &str) -> Option<Span> {
    let (after_key, value) = key_end(text, key, name)?;
    let line_start = text[..key].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..key].trim_end_matches(' ');
    if before.ends_with(['{', ',']) {
        // A flow entry: up to the next `,` or `}` at its own depth.
        let end = flow_end(text, value)?;
        let rest = &text[end..];
        if let Some(comma) = rest.strip_prefix(',') {
            let spaces = comma.len() - comma.trim_start_matches(' ').len();
            return Some(Span::of(key..end + 1 + spaces));
        }
        let start = if before.ends_with(',') {
            line_start + before.len() - 1
        } else {
            key
        };
        return Some(Span::of(start..end));
    }
    if !before.bytes().all(|b| b == b' ' || b == b'-') {
        return None;
    }
    let column = key - line_start;
    let empty = text[after_key..value].contains('\n') || value >= text.len() || text[value..].starts_with(['\n', '#']);
    let end = block_end(text, value, column, empty)?;
    // A list item's key (`- bad: 1`) is not the only entry of a mapping under a key.
    let under_key = before.is_empty();
    Some(Span {
        range: key..end,
        only_entry_of: under_key
            .then(|| only_entry_of(text, line_start, column, end))
            .flatten(),
    })
}

/// The value that starts at byte `value` in a block mapping entry (its key at `column`) or a
/// list item, to the end of its last line.
pub(super) fn value(text: &str, value: usize) -> Option<Span> {
    let line_start = text[..value].rfind('\n').map_or(0, |i| i + 1);
    let before = text[line_start..value].trim_end_matches(' ');
    if before.ends_with(['[', '{', ',']) || (before.ends_with(':') && in_flow(text, value)) {
        return Some(Span::of(value..flow_end(text, value)?));
    }
    // A block value: its own lines, and the deeper lines after them.
    let column = value - line_start;
    let end = block_end(text, value, column.saturating_sub(1), false)?;
    Some(Span::of(value..end))
}

/// For a block entry at `column` (its line starting at `line_start`, its lines ending at
/// `end`) that is the only one of its mapping, the key of that mapping on the line above
/// (`placement:`): where that key's `:` ends.
fn only_entry_of(text: &str, line_start: usize, column: usize, end: usize) -> Option<usize> {
    let content = |line: &str| {
        let trimmed = line.trim_start_matches(' ');
        (!trimmed.is_empty() && !trimmed.starts_with('#')).then_some(line.len() - trimmed.len())
    };
    // The line above: a key with nothing after its `:`, less indented than the entry.
    let mut line_end = line_start.checked_sub(1)?;
    let (parent_start, parent_line) = loop {
        let start = text[..line_end].rfind('\n').map_or(0, |i| i + 1);
        if content(&text[start..line_end]).is_some() {
            break (start, &text[start..line_end]);
        }
        line_end = start.checked_sub(1)?;
    };
    let indent = content(parent_line)?;
    let parent = parent_line.trim_end_matches(' ');
    let key_column = if parent[indent..].starts_with("- ") {
        indent + 2
    } else {
        indent
    };
    if key_column >= column || !parent.ends_with(':') {
        return None;
    }
    // The line below: no deeper entry of the same mapping.
    let below = text[end..].split('\n').skip(1).find_map(content);
    below
        .is_none_or(|next| next < column)
        .then_some(parent_start + parent.len())
}

/// The start of the key whose value starts at byte `value`, with its text checked to be
/// `name`; `None` when the value is no mapping entry's (a list item).
pub(super) fn key_of(text: &str, value: usize, name: &str) -> Option<usize> {
    let before = text[..value].trim_end_matches([' ', '\n']);
    let colon = before.len().checked_sub(1)?;
    if !before.ends_with(':') {
        return None;
    }
    let line_start = before[..colon].rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..colon];
    let key_text = line
        .rfind(['{', ','])
        .map_or(line.trim_start_matches([' ', '-']), |i| &line[i + 1..])
        .trim_matches(' ');
    let unquoted = key_text.trim_matches(['"', '\'']);
    (unquoted == name).then(|| key_text.as_ptr() as usize - text.as_ptr() as usize)
}

/// For a value left empty (`placement:` and nothing after it on its line), which the parser
/// places at the key's `:`: where the value would start (after the `:`).
pub(super) fn after_empty_key(text: &str, at: usize) -> Option<usize> {
    let rest = text.get(at..)?.strip_prefix(':')?;
    let line = rest.split('\n').next().unwrap_or_default().trim_start_matches(' ');
    (line.is_empty() || line.starts_with('#')).then_some(at + 1)
}

/// The start of the flow or block collection whose first item starts at byte `at` (its `[`,
/// `{` or `-`), or `at` itself when it is no collection's first item.
pub(super) fn collection_start(text: &str, at: usize) -> usize {
    let before = text[..at].trim_end_matches(' ');
    if before.ends_with(['[', '{']) {
        return before.len() - 1;
    }
    let Some(dash) = before.strip_suffix('-') else {
        return at;
    };
    // A block list item: the dash first on its line.
    if dash.trim_end_matches(' ').ends_with('\n') || dash.trim_end_matches(' ').is_empty() {
        dash.len()
    } else {
        at
    }
}

/// Where the key at `key` ends (after its `:`) and where its value starts (after spaces;
/// the end of the line when the value is on the next lines).
fn key_end(text: &str, key: usize, name: &str) -> Option<(usize, usize)> {
    let rest = &text[key..];
    let quoted = rest.starts_with(['"', '\'']);
    let len = if quoted {
        rest[1..].find(&rest[..1])? + 2
    } else {
        rest.find(':')?
    };
    if rest[..len].trim_matches(['"', '\'']).trim_end_matches(' ') != name {
        return None;
    }
    let after = key + len;
    let colon = after + text[after..].find(':')?;
    let value = colon + 1 + text[colon + 1..].len() - text[colon + 1..].trim_start_matches(' ').len();
    Some((colon + 1, value))
}

/// Whether byte `at` is inside a flow collection that is still open on its line or before.
fn in_flow(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut depth = 0i32;
    for b in text[line_start..at].bytes() {
        match b {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

/// The end of the flow value that starts at `start`: the first `,`, `}` or `]` outside
/// brackets and quotes (the whole collection when it starts with a bracket).
fn flow_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' if i == start || depth > 0 || !bytes[i - 1].is_ascii_alphanumeric() => {
                let quote = bytes[i];
                i += 1 + text[i + 1..].find(char::from(quote))?;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' if depth == 0 => return Some(trim_end(text, start, i)),
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b',' if depth == 0 => return Some(trim_end(text, start, i)),
            b'#' if bytes[i - 1] == b' ' && depth == 0 => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end_matches([' ', '\n']).len()
}

/// The end of a block entry or item whose first line holds `from`: after a flow collection
/// starting there, the end of its line; then every following line that is deeper than
/// `column` (or blank, or a comment), and, when the value is empty on the key's line
/// (`empty`), the `- ` items at `column` itself (a list under a key at the same indentation).
fn block_end(text: &str, from: usize, column: usize, empty: bool) -> Option<usize> {
    let first = if text[from..].starts_with(['{', '[']) {
        flow_end(text, from)?
    } else {
        from
    };
    let mut end = text[first..].find('\n').map_or(text.len(), |i| first + i);
    let mut kept = end;
    while end < text.len() {
        let next = end + 1;
        let line_end = text[next..].find('\n').map_or(text.len(), |i| next + i);
        let line = &text[next..line_end];
        let content = line.trim_start_matches(' ');
        let indent = line.len() - content.len();
        let blank = content.is_empty() || content.starts_with('#');
        let deeper = indent > column || (empty && indent == column && (content == "-" || content.starts_with("- ")));
        if !blank && !deeper {
            break;
        }
        end = line_end;
        if !blank {
            kept = end;
        }
    }
    Some(kept)
}

/// `text` with `span` blanked out (spaces, line breaks kept) and `with` written at its start.
pub(super) fn replace(text: &str, span: &Span, with: &str) -> String {
    let old = &text[span.range.clone()];
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..span.range.start]);
    if span.range.is_empty() && text[..span.range.start].ends_with(':') && !with.is_empty() {
        out.push(' ');
    }
    out.push_str(with);
    let first_line = old.find('\n').unwrap_or(old.len());
    let pad = old[..first_line].chars().count().saturating_sub(with.chars().count());
    out.extend(std::iter::repeat_n(' ', pad));
    for c in old[first_line..].chars() {
        out.push(if c == '\n' { '\n' } else { ' ' });
    }
    out.push_str(&text[span.range.end..]);
    if let Some(at) = span.only_entry_of {
        out.insert_str(at, " {}");
    }
    out
}

/// An empty value of the shape serde expected (its `expected` text), if there is one.
pub(super) fn stand_in(expected: &str) -> Option<&'static str> {
    Some(match expected {
        "a sequence" | "sequence" | "sequence start" => "[]",
        "a map" | "map" | "mapping start" | "empty mapping start" => "{}",
        e if e.starts_with("struct ") || e.starts_with("a map") => "{}",
        e if e.starts_with("tuple of ") || e.starts_with("an array of") => "[]",
        "a boolean" | "bool" | "boolean" => "false",
        "a string" | "string" | "a borrowed string" | "string scalar" | "scalar" => "''",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "0",
        "f32" | "f64" => "0",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blank_entry(text: &str, key: &str) -> String {
        let at = text.find(key).unwrap();
        replace(text, &entry(text, at, key).unwrap(), "")
    }

    #[test]
    fn block_entries_are_blanked_with_their_deeper_lines() {
        let text = "a: 1\nbad:\n  x: 1\n  y: [1,\n     2]\nb: 2\n";
        assert_eq!(
            blank_entry(text, "bad"),
            "a: 1\n    \n      \n        \n       \nb: 2\n"
        );
        let text = "a: 1\nbad:\n- 1\n- 2\nb: 2\n";
        assert_eq!(blank_entry(text, "bad"), "a: 1\n    \n   \n   \nb: 2\n");
        let text = "items:\n  - bad: 1\n    name: x\n";
        assert_eq!(blank_entry(text, "bad"), "items:\n  -       \n    name: x\n");
        let text = "bad: {a: [1, 2], b: 3}   # note\nb: 2\n";
        assert_eq!(blank_entry(text, "bad"), format!("{}\nb: 2\n", " ".repeat(31)));
    }

    #[test]
    fn a_mapping_left_empty_stays_a_mapping() {
        let text = "a:\n  placement:\n    spred: zone\n  b: 1\n";
        assert_eq!(
            blank_entry(text, "spred"),
            "a:\n  placement: {}\n               \n  b: 1\n"
        );
        let text = "placement:\n  # note\n  spred: zone\n";
        assert_eq!(blank_entry(text, "spred"), "placement: {}\n  # note\n             \n");
        // Not when the mapping has more, nor for a list item's key.
        let text = "placement:\n  spred: zone\n  spread: zone\n";
        assert_eq!(
            blank_entry(text, "spred"),
            "placement:\n             \n  spread: zone\n"
        );
        let text = "items:\n  - bad: 1\n";
        assert_eq!(blank_entry(text, "bad"), "items:\n  -       \n");
        // A value left empty is placed at its key's `:`; its stand-in gets a space.
        let text = "placement:\nb: 1\n";
        let at = after_empty_key(text, text.find(':').unwrap()).unwrap();
        assert_eq!(key_of(text, at, "placement"), Some(0));
        assert_eq!(replace(text, &value(text, at).unwrap(), "{}"), "placement: {}\nb: 1\n");
        assert_eq!(after_empty_key("a: 1\n", 1), None);
    }

    #[test]
    fn flow_entries_are_blanked_with_one_comma() {
        assert_eq!(blank_entry("{bad: 1, b: 2}", "bad"), "{        b: 2}");
        assert_eq!(blank_entry("{a: 1, bad: [1, 2]}", "bad"), "{a: 1             }");
        assert_eq!(blank_entry("{bad: 'x, y'}", "bad"), "{           }");
        assert_eq!(
            blank_entry("- {name: a, bad: {x: 1}, c: 3}", "bad"),
            "- {name: a,              c: 3}"
        );
    }

    #[test]
    fn values_are_replaced_in_place() {
        let text = "ports: 80\nname: x\n";
        let at = text.find("80").unwrap();
        assert_eq!(key_of(text, at, "ports"), Some(0));
        assert_eq!(replace(text, &value(text, at).unwrap(), "[]"), "ports: []\nname: x\n");
        let text = "a:\n  ports:\n    x: 1\n    y: 2\n  b: 1\n";
        let at = text.find("x:").unwrap();
        assert_eq!(key_of(text, at, "ports"), Some(5));
        assert_eq!(
            replace(text, &value(text, at).unwrap(), "[]"),
            "a:\n  ports:\n    []  \n        \n  b: 1\n"
        );
        let text = "- {a: [1, x], b: 2}";
        let at = text.find('x').unwrap();
        assert_eq!(key_of(text, at, "a"), None);
        assert_eq!(replace(text, &value(text, at).unwrap(), "0"), "- {a: [1, 0], b: 2}");
        let text = "a:\n  kind:\n  - one\n  b: 1\n";
        let at = collection_start(text, text.find("one").unwrap());
        assert_eq!(key_of(text, at, "kind"), Some(5));
        assert_eq!(blank_entry(text, "kind"), "a:\n       \n       \n  b: 1\n");
        let text = "kind: [one]\n";
        assert_eq!(collection_start(text, text.find("one").unwrap()), 6);
        assert_eq!(collection_start(text, 0), 0);
        let text = "{a: many, b: 2}";
        let at = text.find("many").unwrap();
        assert_eq!(key_of(text, at, "a"), Some(1));
        assert_eq!(key_of(text, at, "b"), None);
        assert_eq!(replace(text, &value(text, at).unwrap(), "0"), "{a: 0   , b: 2}");
    }
}
