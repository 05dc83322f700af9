//! How a string is written: plain, as a literal block, or double-quoted.
//!
//! The rules are conservative so that both YAML 1.2 readers (kubectl, serde-saphyr) and
//! YAML 1.1 readers (PyYAML, older Go yaml.v2) read back the same string: anything that one of
//! them could resolve to a bool, null, number or timestamp is quoted. YAML 1.1 resolvers:
//! <https://yaml.org/type/bool.html>, <https://yaml.org/type/int.html> (incl. base 60),
//! <https://yaml.org/type/float.html>, <https://yaml.org/type/timestamp.html>.

/// Words a YAML 1.1 or 1.2 reader resolves to a bool, null, infinity, NaN or merge key
/// (compared case-insensitively: quoting an odd-cased spelling costs nothing).
fn is_reserved(bytes: &[u8]) -> bool {
    if bytes.len() > 5 {
        return false;
    }
    let mut lower = [0u8; 5];
    for (l, b) in lower.iter_mut().zip(bytes) {
        *l = b.to_ascii_lowercase();
    }
    matches!(
        &lower[..bytes.len()],
        b"y" | b"n"
            | b"yes"
            | b"no"
            | b"on"
            | b"off"
            | b"true"
            | b"false"
            | b"null"
            | b"~"
            | b"<<"
            | b"="
            | b".inf"
            | b".nan"
    )
}

/// True if `s` can be written as a plain scalar in block context and reads back as this string.
pub(crate) fn is_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if last == b' ' || last == b'\t' {
        return false;
    }
    match first {
        b' ' | b'\t' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"'
        | b'%' | b'@' | b'`' => return false,
        b'-' | b'?' | b':' if bytes.len() == 1 || bytes[1] == b' ' || bytes[1] == b'\t' => return false,
        b':' => return false,
        _ => {}
    }
    if is_reserved(bytes) {
        return false;
    }
    if matches!(first, b'0'..=b'9' | b'+' | b'-' | b'.' | b'_') && looks_numeric(bytes) {
        return false;
    }
    let document_marker = bytes.starts_with(b"---") || bytes.starts_with(b"...");
    if document_marker && (bytes.len() == 3 || matches!(bytes[3], b' ' | b'\t')) {
        return false;
    }
    // Fast path: most keys and values are made of bytes that need no look-around.
    if bytes.iter().all(|&b| PLAIN_ANYWHERE[usize::from(b)]) {
        return true;
    }
    let mut previous = 0u8;
    let mut ascii = true;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b':' if i + 1 == bytes.len() || bytes[i + 1] == b' ' => return false,
            b'#' if previous == b' ' => return false,
            0..=0x1f | 0x7f => return false,
            0x80.. => ascii = false,
            _ => {}
        }
        previous = b;
    }
    ascii || non_ascii_is_printable(s)
}

/// Printable ASCII bytes other than `:` and `#`, which are safe inside a plain scalar wherever
/// they are (the first byte and the last were checked before).
static PLAIN_ANYWHERE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0x20;
    while b < 0x7f {
        table[b] = b != b':' as usize && b != b'#' as usize;
        b += 1;
    }
    table
};

/// Could a YAML 1.1 or 1.2 reader take `bytes` (starting with a digit, sign, `.` or `_`) for
/// an int, float, sexagesimal number, timestamp, infinity or NaN? Over-approximated: after an
/// optional sign, `0x`/`0o`/`0b` followed by digits, or any text made only of bytes that occur in
/// decimal numbers and timestamps (digits, `.`, `_`, `:`, signs, `e`, `T`, `Z`, space) with at
/// least one digit.
fn looks_numeric(bytes: &[u8]) -> bool {
    let unsigned = match bytes {
        [b'+' | b'-', rest @ ..] => rest,
        _ => bytes,
    };
    if unsigned.eq_ignore_ascii_case(b".inf") || unsigned.eq_ignore_ascii_case(b".nan") {
        return true;
    }
    if let [b'0', b'x' | b'X' | b'o' | b'O' | b'b' | b'B', digits @ ..] = unsigned {
        return digits.iter().all(|b| b.is_ascii_hexdigit() || *b == b'_');
    }
    unsigned.iter().any(u8::is_ascii_digit)
        && unsigned.iter().all(|b| {
            matches!(
                b,
                b'0'..=b'9' | b'.' | b'_' | b':' | b'+' | b'-' | b'e' | b'E' | b't' | b'T' | b'z' | b'Z' | b' '
            )
        })
}

/// Non-ASCII text stays plain unless it holds a character YAML treats as a line break, a byte
/// order mark or a C1 control.
fn non_ascii_is_printable(s: &str) -> bool {
    s.chars().all(|c| !needs_escape(c))
}

/// Characters that must be escaped inside double quotes (and so rule out plain and block
/// forms): everything outside YAML's printable set (§5.1: tab, line feed, `\x20-\x7E`,
/// `\xA0-\uD7FF`, `\uE000-\uFFFD`, `\U00010000-`) other than tab and line feed, plus the
/// characters YAML 1.1 treats as line breaks (`\x85`, `\u2028`, `\u2029`) and the byte order mark.
fn needs_escape(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\x20'..='\x7e' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// The chomping indicator for writing `s` as a literal block (`|` or `|-`), or `None` when a
/// literal block cannot hold `s` exactly: no line break, a leading space or line break (block
/// indentation would be misread), trailing spaces on a line, several trailing line breaks,
/// carriage returns or other characters that need escapes.
pub(crate) fn literal_block_header(s: &str) -> Option<&'static str> {
    let body = s.strip_suffix('\n');
    let header = if body.is_some() { "|" } else { "|-" };
    let body = body.unwrap_or(s);
    if !s.contains('\n') || body.is_empty() || body.ends_with('\n') || body.starts_with([' ', '\t', '\n']) {
        return None;
    }
    let mut previous = '\n';
    for c in body.chars() {
        if c == '\n' && (previous == ' ' || previous == '\t') || c == '\r' || c == '\u{85}' || needs_escape(c) {
            return None;
        }
        previous = c;
    }
    (previous != ' ' && previous != '\t').then_some(header)
}

/// Appends `s` double-quoted, with YAML escapes (a superset of JSON's).
pub(crate) fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            '\0' => "\\0",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            c if needs_escape(c) => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            use std::fmt::Write as _;
            let _ = write!(out, "\\u{:04X}", u32::from(c));
        } else {
            out.push_str(escape);
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_words_are_plain() {
        for s in [
            "app.kubernetes.io/name",
            "ghcr.io/acme/app:1.0.3",
            "128Mi",
            "500m",
            "RuntimeDefault",
            "-c",
            "--flag=1",
            "-e",
            "3.12-slim",
            "1a",
            "deadbeef",
            "http://svc.ns:8080/path",
            "a b",
            "x#y",
            "ünïcödé",
        ] {
            assert!(is_plain(s), "{s}");
        }
    }

    #[test]
    fn ambiguous_or_structural_text_is_quoted() {
        for s in [
            "",
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "true",
            "null",
            "~",
            "<<",
            "=",
            "1",
            "-1",
            "+1",
            "1.0",
            "1.4.2",
            ".5",
            "1e3",
            "0x1F",
            "0xcafe",
            "0o17",
            "0b1",
            "+1_0",
            "1e-3",
            "1_000",
            "1:20",
            ".inf",
            "-.INF",
            ".NaN",
            "2001-12-14",
            "2001-12-14t21:59:43.10-05:00",
            "2001-12-14 21:59:43.10 -5",
            "- x",
            "-",
            "? x",
            ":8080",
            "a: b",
            "a:",
            "a #b",
            " a",
            "a ",
            "\ta",
            "---",
            "--- x",
            "...",
            "*x",
            "&x",
            "!x",
            "|",
            ">",
            "'x",
            "\"x",
            "%x",
            "@x",
            "`x",
            "{x",
            "[x",
            "]",
            "}",
            ",",
            "#x",
            "a\nb",
            "a\tb",
            "bell\u{7}",
            "del\u{7f}",
            "nel\u{85}",
            "ls\u{2028}",
            "\u{feff}bom",
            "x\u{fffe}",
            "\u{ffff}",
        ] {
            assert!(!is_plain(s), "{s:?}");
        }
    }

    #[test]
    fn literal_blocks_only_when_exact() {
        assert_eq!(literal_block_header("a\nb\n"), Some("|"));
        assert_eq!(literal_block_header("a\nb"), Some("|-"));
        assert_eq!(literal_block_header("one line\n"), Some("|"));
        for s in [
            "plain",
            "a\n\n",
            " a\nb",
            "\na",
            "a \nb",
            "a\r\nb",
            "a\nb ",
            "\n",
            "a\u{7}\nb",
        ] {
            assert_eq!(literal_block_header(s), None, "{s:?}");
        }
    }

    #[test]
    fn quoting_escapes() {
        let mut out = String::new();
        push_quoted(&mut out, "a\"b\\c\nd\te\u{1}f\u{85}g\u{2028}ü");
        assert_eq!(out, r#""a\"b\\c\nd\te\u0001f\Ng\Lü""#);
    }
}
