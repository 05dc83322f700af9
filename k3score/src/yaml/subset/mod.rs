//! A fast reader for the plain subset of YAML that spec files are written in, used before
//! serde-saphyr on the happy path (issue 18: serde-saphyr spends about 400 000 instructions on
//! a nine-line spec, two thirds of the whole `spec text → YAML` process).
//!
//! The subset: block mappings and sequences (with compact `- key: value` items), one-line flow
//! mappings and sequences, plain scalars and quoted scalars without escapes, comments. The
//! reader gives up (returns `None`) at anything else: anchors, aliases, tags, block scalars,
//! multi-line scalars or flow collections, escapes, empty values, duplicate keys, non-ASCII
//! or control bytes, documents markers, and any scalar whose meaning depends on the target
//! type in a way it does not mirror (see `de.rs`). It also gives up when a `Deserialize` impl
//! raises any error, even one it swallows afterwards. [`from_subset`] then returns `None` and
//! the caller parses with serde-saphyr, which gives the errors, their positions and the
//! behaviour for everything outside the subset. So for any text, the result is either
//! serde-saphyr's, or the same value serde-saphyr would have produced: the tests in
//! `k3score/tests/it/yaml_subset.rs` compare both on every spec file of the repository and
//! on generated documents.

mod de;

use serde::de::DeserializeOwned;

/// A node of the document; scalars borrow from the text.
#[derive(Debug)]
enum Node<'a> {
    Scalar(Scalar<'a>),
    Map(Vec<(Scalar<'a>, Node<'a>)>),
    Seq(Vec<Node<'a>>),
}

/// A scalar's text (without quotes) and whether it was plain (unquoted).
#[derive(Clone, Copy, Debug)]
struct Scalar<'a> {
    text: &'a str,
    plain: bool,
}

/// Outside the subset: the caller parses with serde-saphyr instead.
#[derive(Debug)]
struct Bail;

type Parse<T> = Result<T, Bail>;

/// Texts above this size go to serde-saphyr, so its budget (250 000 nodes) is never the
/// difference between the two readers.
const MAX_TEXT: usize = 128 * 1024;
/// Nesting deeper than this goes to serde-saphyr (its budget allows 64).
const MAX_DEPTH: usize = 32;

/// Parses `text` into `T` if it is in the subset and `T` deserializes from it without any
/// error; `None` otherwise.
pub(super) fn from_subset<T: DeserializeOwned>(text: &str) -> Option<T> {
    let node = parse(text).ok()?;
    de::deserialize(&node)
}

/// One line without its indentation and trailing spaces; blank and comment lines are skipped.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    indent: usize,
    text: &'a str,
}

fn parse(text: &str) -> Parse<Node<'_>> {
    if text.len() > MAX_TEXT || !text.bytes().all(|b| b == b'\n' || (b' '..0x7f).contains(&b)) {
        return Err(Bail);
    }
    let mut lines = Vec::new();
    for raw in text.split('\n') {
        let content = raw.trim_start_matches(' ');
        let content = content.trim_end_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%') {
            return Err(Bail);
        }
        lines.push(Line {
            indent: raw.len() - raw.trim_start_matches(' ').len(),
            text: content,
        });
    }
    let mut block = Block {
        lines,
        pos: 0,
        depth: 0,
    };
    let first = *block.lines.first().ok_or(Bail)?;
    if first.indent != 0 {
        return Err(Bail);
    }
    let node = if first.text.starts_with(['{', '[']) {
        block.pos = 1;
        inline_value(first.text, 0)?
    } else {
        block.node(0)?
    };
    if block.pos == block.lines.len() {
        Ok(node)
    } else {
        Err(Bail)
    }
}

struct Block<'a> {
    lines: Vec<Line<'a>>,
    pos: usize,
    depth: usize,
}

impl<'a> Block<'a> {
    fn line(&self) -> Option<Line<'a>> {
        self.lines.get(self.pos).copied()
    }

    /// The block node whose first line is the current one, at `indent`.
    fn node(&mut self, indent: usize) -> Parse<Node<'a>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Bail);
        }
        let line = self.line().ok_or(Bail)?;
        let node = if is_seq_item(line.text) {
            self.seq(indent)?
        } else {
            self.map(indent)?
        };
        self.depth -= 1;
        Ok(node)
    }

    fn map(&mut self, indent: usize) -> Parse<Node<'a>> {
        let mut entries: Vec<(Scalar<'a>, Node<'a>)> = Vec::new();
        while let Some(line) = self.line() {
            if line.indent < indent || (line.indent == indent && is_seq_item(line.text)) {
                break;
            }
            if line.indent > indent {
                return Err(Bail);
            }
            let (key, rest) = split_key(line.text).ok_or(Bail)?;
            if entries.iter().any(|(k, _)| k.text == key.text) {
                return Err(Bail);
            }
            self.pos += 1;
            let value = if rest.is_empty() {
                match self.line() {
                    Some(next) if next.indent > indent => self.node(next.indent)?,
                    Some(next) if next.indent == indent && is_seq_item(next.text) => self.seq(indent)?,
                    _ => return Err(Bail),
                }
            } else {
                self.after_inline(inline_value(rest, self.depth)?, indent)?
            };
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }

    fn seq(&mut self, indent: usize) -> Parse<Node<'a>> {
        let mut items = Vec::new();
        while let Some(line) = self.line() {
            if line.indent != indent || !is_seq_item(line.text) {
                if line.indent > indent {
                    return Err(Bail);
                }
                break;
            }
            let rest = line.text[1..].trim_start_matches(' ');
            let item = if rest.is_empty() {
                self.pos += 1;
                match self.line() {
                    Some(next) if next.indent > indent => self.node(next.indent)?,
                    _ => return Err(Bail),
                }
            } else if is_seq_item(rest) {
                return Err(Bail);
            } else if split_key(rest).is_some() {
                // A compact mapping: its first entry sits on the dash's line.
                let column = indent + (line.text.len() - rest.len());
                self.lines[self.pos] = Line {
                    indent: column,
                    text: rest,
                };
                self.node(column)?
            } else {
                self.pos += 1;
                self.after_inline(inline_value(rest, self.depth)?, indent)?
            };
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    /// A value that ended its line: a deeper line after it would continue it (or be an error).
    fn after_inline(&self, node: Node<'a>, indent: usize) -> Parse<Node<'a>> {
        match self.line() {
            Some(next) if next.indent > indent => Err(Bail),
            _ => Ok(node),
        }
    }
}

fn is_seq_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

/// `key: rest` (or `key:` with an empty rest, comments removed); `None` if the line is no
/// mapping entry of the subset.
fn split_key(text: &str) -> Option<(Scalar<'_>, &str)> {
    let (key, after) = if text.starts_with(['"', '\'']) {
        let (scalar, after) = quoted(text).ok()?;
        (scalar, after.strip_prefix(':')?)
    } else {
        let colon = text.find(':')?;
        let key = &text[..colon];
        if !is_plain_key(key) {
            return None;
        }
        (Scalar { text: key, plain: true }, &text[colon + 1..])
    };
    if after.is_empty() {
        return Some((key, ""));
    }
    if !after.starts_with(' ') {
        return None;
    }
    let rest = after.trim_start_matches(' ');
    Some((key, if rest.starts_with('#') { "" } else { rest }))
}

/// Plain keys of the subset: `[A-Za-z_][A-Za-z0-9_./-]*`, and no word YAML reads as a
/// boolean or null (so serde-saphyr's duplicate-key check and the key's type agree).
fn is_plain_key(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_./-".contains(&b))
        && !de::is_special_word(key)
}

/// A value that starts on a line after a key or dash: a flow collection, a quoted scalar or
/// a plain scalar; only a comment may follow it on the line.
fn inline_value(text: &str, depth: usize) -> Parse<Node<'_>> {
    let (node, rest) = match text.as_bytes()[0] {
        b'{' | b'[' => flow(text, depth)?,
        b'"' | b'\'' => {
            let (scalar, rest) = quoted(text)?;
            (Node::Scalar(scalar), rest)
        }
        _ => {
            let end = text.find(" #").unwrap_or(text.len());
            let value = text[..end].trim_end_matches(' ');
            if !plain_start(value) || value.contains(": ") || value.ends_with(':') {
                return Err(Bail);
            }
            (
                Node::Scalar(Scalar {
                    text: value,
                    plain: true,
                }),
                &text[end..],
            )
        }
    };
    let comment = rest.starts_with(' ') && rest.trim_start_matches(' ').starts_with('#');
    if rest.is_empty() || comment {
        Ok(node)
    } else {
        Err(Bail)
    }
}

/// Whether a plain scalar may start this way (no indicator that would make it something else).
fn plain_start(value: &str) -> bool {
    match value.as_bytes() {
        [] => false,
        [b'-' | b'?' | b':', next, ..] => *next != b' ',
        [b'-' | b'?' | b':'] => false,
        [first, ..] => !b",[]{}#&*!|>'\"%@`".contains(first),
    }
}

/// A quoted scalar at the start of `text` and what follows it; escapes (`\` in double
/// quotes, `''` in single quotes) are outside the subset.
fn quoted(text: &str) -> Parse<(Scalar<'_>, &str)> {
    let quote = text.as_bytes()[0];
    let end = text[1..].find(char::from(quote)).ok_or(Bail)? + 1;
    let inner = &text[1..end];
    let rest = &text[end + 1..];
    if (quote == b'"' && inner.contains('\\')) || (quote == b'\'' && rest.starts_with('\'')) {
        return Err(Bail);
    }
    Ok((
        Scalar {
            text: inner,
            plain: false,
        },
        rest,
    ))
}

/// A one-line flow collection at the start of `text` and what follows it.
fn flow(text: &str, depth: usize) -> Parse<(Node<'_>, &str)> {
    if depth > MAX_DEPTH {
        return Err(Bail);
    }
    let is_map = text.starts_with('{');
    let close = if is_map { '}' } else { ']' };
    let mut rest = text[1..].trim_start_matches(' ');
    let mut entries: Vec<(Scalar<'_>, Node<'_>)> = Vec::new();
    let mut items = Vec::new();
    if let Some(after) = rest.strip_prefix(close) {
        rest = after;
    } else {
        loop {
            if is_map {
                let (key, after) = flow_scalar(rest)?;
                let after = after.strip_prefix(": ").ok_or(Bail)?;
                if (key.plain && !is_plain_key(key.text)) || entries.iter().any(|(k, _)| k.text == key.text) {
                    return Err(Bail);
                }
                let (value, after) = flow_item(after.trim_start_matches(' '), depth)?;
                entries.push((key, value));
                rest = after;
            } else {
                let (item, after) = flow_item(rest, depth)?;
                if after.starts_with(':') {
                    return Err(Bail);
                }
                items.push(item);
                rest = after;
            }
            rest = rest.trim_start_matches(' ');
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start_matches(' ');
                if rest.starts_with(close) {
                    return Err(Bail);
                }
            } else if let Some(after) = rest.strip_prefix(close) {
                rest = after;
                break;
            } else {
                return Err(Bail);
            }
        }
    }
    let node = if is_map { Node::Map(entries) } else { Node::Seq(items) };
    Ok((node, rest))
}

fn flow_item(text: &str, depth: usize) -> Parse<(Node<'_>, &str)> {
    if text.starts_with(['{', '[']) {
        return flow(text, depth + 1);
    }
    let (scalar, rest) = flow_scalar(text)?;
    Ok((Node::Scalar(scalar), rest))
}

/// A quoted scalar, or a plain one up to `,`, a bracket or `: `, inside a flow collection.
fn flow_scalar(text: &str) -> Parse<(Scalar<'_>, &str)> {
    if text.starts_with(['"', '\'']) {
        return quoted(text);
    }
    let end = text
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, ',' | '[' | ']' | '{' | '}') || (c == ':' && text[i + 1..].starts_with([' ', ',', ']', '}']))
        })
        .map_or(text.len(), |(i, _)| i);
    let value = text[..end].trim_end_matches(' ');
    if !plain_start(value) || value.contains(" #") || end == text.len() {
        return Err(Bail);
    }
    Ok((
        Scalar {
            text: value,
            plain: true,
        },
        &text[end..],
    ))
}
