//! Python sources: `@http(...)`, `@queue(...)`, `@schedule(...)` (or `@k3sfn.http(...)`)
//! on the line before a module-level `def` / `async def`.

use super::Found;
use super::literal::{Arg, Keywords, Parser, Problem, Tok, TokKind, is_trigger};

const KEYWORDS: Keywords = Keywords {
    true_: "True",
    false_: "False",
    null: "None",
};

/// Tokens of a Python file: comments dropped, strings decoded, `Newline` at the end of each
/// logical line (not inside brackets, not after a `\` continuation).
pub(super) fn lex(text: &str) -> Result<Vec<Tok>, Problem> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks = Vec::new();
    let (mut i, mut line, mut line_start, mut depth) = (0, 1, 0, 0usize);
    while i < chars.len() {
        let c = chars[i];
        let col = i - line_start;
        let start_line = line;
        match c {
            '\n' => {
                if depth == 0 && toks.last().is_some_and(|t: &Tok| t.kind != TokKind::Newline) {
                    toks.push(Tok {
                        kind: TokKind::Newline,
                        line,
                        col,
                    });
                }
                line += 1;
                i += 1;
                line_start = i;
            }
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '\\' if chars.get(i + 1) == Some(&'\n') => {
                i += 2;
                line += 1;
            }
            c if c.is_whitespace() => i += 1,
            c if c.is_alphabetic() || c == '_' => {
                let begin = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[begin..i].iter().collect();
                let is_prefix = word.len() <= 2 && word.chars().all(|c| "rRbBuUfF".contains(c));
                if is_prefix && matches!(chars.get(i), Some('\'' | '"')) {
                    let raw = word.contains(['r', 'R']);
                    let (value, end, lines) = string(&chars, i, raw).ok_or((line, "unterminated string".to_owned()))?;
                    let kind = if word.contains(['f', 'F']) {
                        TokKind::Interpolated
                    } else {
                        TokKind::Str(value)
                    };
                    toks.push(Tok { kind, line, col });
                    i = end;
                    line += lines;
                } else {
                    toks.push(Tok {
                        kind: TokKind::Ident(word),
                        line,
                        col,
                    });
                }
            }
            '\'' | '"' => {
                let (value, end, lines) = string(&chars, i, false).ok_or((line, "unterminated string".to_owned()))?;
                toks.push(Tok {
                    kind: TokKind::Str(value),
                    line,
                    col,
                });
                i = end;
                line += lines;
            }
            c if c.is_ascii_digit() || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit)) => {
                let begin = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.')) {
                    i += 1;
                }
                toks.push(Tok {
                    kind: TokKind::Num(chars[begin..i].iter().collect()),
                    line,
                    col,
                });
            }
            _ => {
                match c {
                    '(' | '[' | '{' => depth += 1,
                    ')' | ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                toks.push(Tok {
                    kind: TokKind::Punct(c),
                    line: start_line,
                    col,
                });
                i += 1;
            }
        }
        // Strings and continuations may span lines: keep the column origin in step.
        if line != start_line
            && let Some(pos) = chars[..i].iter().rposition(|&ch| ch == '\n')
        {
            line_start = pos + 1;
        }
    }
    Ok(toks)
}

/// Decodes the string starting at the quote `chars[at]` (single, double or triple quoted);
/// returns its value, the index after it and the newlines it spans.
fn string(chars: &[char], at: usize, raw: bool) -> Option<(String, usize, usize)> {
    let quote = chars[at];
    let triple = chars.get(at + 1) == Some(&quote) && chars.get(at + 2) == Some(&quote);
    let mut i = at + if triple { 3 } else { 1 };
    let mut value = String::new();
    let mut lines = 0;
    loop {
        let c = *chars.get(i)?;
        if c == '\n' {
            if !triple {
                return None;
            }
            lines += 1;
        }
        if c == '\\' {
            let next = *chars.get(i + 1)?;
            if next == '\n' {
                lines += 1;
            }
            if raw {
                value.push(c);
                value.push(next);
            } else {
                value.push(match next {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
            }
            i += 2;
            continue;
        }
        if c == quote && (!triple || (chars.get(i + 1) == Some(&quote) && chars.get(i + 2) == Some(&quote))) {
            return Some((value, i + if triple { 3 } else { 1 }, lines));
        }
        value.push(c);
        i += 1;
    }
}

/// The decorated functions of one file, and every problem found.
pub(super) fn scan(toks: &[Tok]) -> (Vec<Found>, Vec<Problem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let lines: Vec<&[Tok]> = toks
        .split(|t| t.kind == TokKind::Newline)
        .filter(|l| !l.is_empty())
        .collect();
    // Our decorators waiting for their `def`: (line, col, trigger, args).
    let mut pending: Vec<(usize, usize, String, Vec<Arg>)> = Vec::new();
    for tokens in lines {
        let first = &tokens[0];
        if first.is_punct('@') {
            match decorator(tokens) {
                Ok(Some((trigger, args))) => pending.push((first.line, first.col, trigger, args)),
                Ok(None) => {}
                Err(problem) => problems.push(problem),
            }
            continue;
        }
        if pending.is_empty() {
            continue;
        }
        let words: Vec<&str> = tokens.iter().take(2).filter_map(Tok::ident).collect();
        let def_name = match words.as_slice() {
            ["def", ..] => tokens.get(1).and_then(Tok::ident),
            ["async", "def"] => tokens.get(2).and_then(Tok::ident),
            _ => None,
        };
        let (line, col, trigger, args) = pending.remove(0);
        if words.first() == Some(&"class") {
            problems.push((
                line,
                format!("@{trigger} decorates a class; decorate a module-level def"),
            ));
        } else if let Some(name) = def_name {
            if col > 0 {
                problems.push((
                    line,
                    format!("@{trigger} must decorate a module-level def, not a method or nested def"),
                ));
            } else if let Some((other, _, second, _)) = pending.first() {
                problems.push((
                    *other,
                    format!("@{second} after @{trigger}: a function has one trigger"),
                ));
            } else {
                found.push(Found {
                    ident: name.to_owned(),
                    line,
                    trigger,
                    args,
                });
            }
        } else {
            problems.push((line, format!("@{trigger} must be followed by a def")));
        }
        pending.clear();
    }
    if let Some((line, _, trigger, _)) = pending.first() {
        problems.push((*line, format!("@{trigger} must be followed by a def")));
    }
    (found, problems)
}

/// `@name(...)`: `Some` for our triggers (bare or `k3sfn.`-qualified), `None` for others.
fn decorator(tokens: &[Tok]) -> Result<Option<(String, Vec<Arg>)>, Problem> {
    let names: Vec<&str> = tokens[1..]
        .iter()
        .take_while(|t| t.ident().is_some() || t.is_punct('.'))
        .filter_map(Tok::ident)
        .collect();
    let trigger = match names.as_slice() {
        [name] | ["k3sfn", name] if is_trigger(name) => (*name).to_owned(),
        _ => return Ok(None),
    };
    let at = 1 + 2 * names.len() - 1;
    let line = tokens[0].line;
    let mut parser = Parser {
        toks: tokens,
        pos: at,
        keywords: &KEYWORDS,
        last_line: line,
    };
    if !parser.eat('(') {
        return Err((line, format!("@{trigger} needs arguments, like @{trigger}(\"...\")")));
    }
    let mut args = Vec::new();
    while !parser.eat(')') {
        let arg_line = parser.line();
        let keyword = match (parser.peek().and_then(Tok::ident), parser.toks.get(parser.pos + 1)) {
            (Some(name), Some(next)) if next.is_punct('=') => Some(name.to_owned()),
            _ => None,
        };
        if keyword.is_some() {
            parser.pos += 2;
        } else if args.iter().any(|a: &Arg| a.name.is_some()) {
            return Err((arg_line, "a positional argument follows keyword arguments".to_owned()));
        }
        let value = parser.value()?;
        args.push(Arg {
            name: keyword,
            value,
            line: arg_line,
        });
        if !parser.eat(',') && !parser.peek().is_some_and(|t| t.is_punct(')')) {
            return Err((
                parser.line(),
                format!("expected `,` or `)` in the arguments of @{trigger}"),
            ));
        }
    }
    if let Some(extra) = parser.peek() {
        return Err((
            extra.line,
            format!("unexpected {} after @{trigger}(...)", extra.describe()),
        ));
    }
    Ok(Some((trigger, args)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexer_skips_comments_and_strings() {
        let toks = lex("x = '''\n@http('/a')\n'''  # @http\n    @http('/b')\n").unwrap();
        let at: Vec<(usize, usize)> = toks
            .iter()
            .filter(|t| t.is_punct('@'))
            .map(|t| (t.line, t.col))
            .collect();
        assert_eq!(at, [(4, 4)]);
        let strings: Vec<&TokKind> = toks
            .iter()
            .filter(|t| matches!(t.kind, TokKind::Str(_)))
            .map(|t| &t.kind)
            .collect();
        assert_eq!(
            strings,
            [&TokKind::Str("\n@http('/a')\n".into()), &TokKind::Str("/b".into())]
        );
        assert_eq!(lex("f'{x}'").unwrap()[0].kind, TokKind::Interpolated);
        assert_eq!(lex("r'\\d'").unwrap()[0].kind, TokKind::Str("\\d".into()));
    }
}
