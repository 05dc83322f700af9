//! TypeScript and JavaScript sources: one grammar, a trigger wrapping an exported handler,
//!
//! ```ts
//! export const listOrders = http("/orders", { methods: ["GET"], visibility: "public" })(handler);
//! ```
//!
//! at the top level of the module (`const` or `let`, the trigger bare or as `k3sfn.http`).
//! Decorators (`@http(...)`) are rejected with a pointer to this form: TypeScript allows them
//! on classes and class members only, and a handler is a module export.

use super::Found;
use super::literal::{Arg, Keywords, Parser, Problem, Tok, TokKind, is_trigger, snake_case};

const KEYWORDS: Keywords = Keywords {
    true_: "true",
    false_: "false",
    null: "null",
};

/// Whether a `/` after `prev` starts a regular expression (not a division).
fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev.map(|t| &t.kind) {
        None => true,
        Some(TokKind::Punct(c)) => !matches!(c, ')' | ']' | '}'),
        Some(TokKind::Ident(word)) => matches!(
            word.as_str(),
            "return" | "typeof" | "case" | "do" | "else" | "in" | "of" | "new" | "delete" | "void" | "throw"
        ),
        Some(TokKind::Str(_) | TokKind::Interpolated | TokKind::Num(_) | TokKind::Newline) => false,
    }
}

/// Tokens of a TypeScript/JavaScript file: comments, regular expressions dropped, strings and
/// templates decoded (a template with `${}` is `Interpolated`).
pub(super) fn lex(text: &str) -> Result<Vec<Tok>, Problem> {
    let chars: Vec<char> = text.chars().collect();
    let mut toks: Vec<Tok> = Vec::new();
    let (mut i, mut line) = (0, 1);
    let unterminated = |line: usize, what: &str| (line, format!("unterminated {what}"));
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let start = line;
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            c if c.is_whitespace() => i += 1,
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                i += 2;
                loop {
                    match chars.get(i) {
                        None => return Err(unterminated(start, "comment")),
                        Some('*') if chars.get(i + 1) == Some(&'/') => break,
                        Some('\n') => line += 1,
                        Some(_) => {}
                    }
                    i += 1;
                }
                i += 2;
            }
            '/' if regex_allowed(toks.last()) => {
                let mut class = false;
                i += 1;
                loop {
                    match chars.get(i) {
                        None | Some('\n') => return Err(unterminated(start, "regular expression")),
                        Some('\\') => i += 1,
                        Some('[') => class = true,
                        Some(']') => class = false,
                        Some('/') if !class => break,
                        Some(_) => {}
                    }
                    i += 1;
                }
                i += 1;
                while chars.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
                    i += 1;
                }
            }
            '\'' | '"' | '`' => {
                let (kind, end, lines) = string(&chars, i).ok_or_else(|| unterminated(start, "string"))?;
                toks.push(Tok { kind, line, col: 0 });
                i = end;
                line += lines;
            }
            c if c.is_alphabetic() || c == '_' || c == '$' => {
                let begin = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                    i += 1;
                }
                toks.push(Tok {
                    kind: TokKind::Ident(chars[begin..i].iter().collect()),
                    line,
                    col: 0,
                });
            }
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) => {
                let begin = i;
                while i < chars.len() && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '.')) {
                    i += 1;
                }
                toks.push(Tok {
                    kind: TokKind::Num(chars[begin..i].iter().collect()),
                    line,
                    col: 0,
                });
            }
            _ => {
                toks.push(Tok {
                    kind: TokKind::Punct(c),
                    line,
                    col: 0,
                });
                i += 1;
            }
        }
    }
    Ok(toks)
}

/// Decodes a `'`, `"` or `` ` `` string at `at`: its token, the index after it and the
/// newlines it spans.
fn string(chars: &[char], at: usize) -> Option<(TokKind, usize, usize)> {
    let quote = chars[at];
    let mut i = at + 1;
    let (mut value, mut lines, mut interpolated, mut depth) = (String::new(), 0, false, 0usize);
    loop {
        let c = *chars.get(i)?;
        match c {
            '\n' if quote != '`' => return None,
            '\n' => lines += 1,
            '\\' => {
                let next = *chars.get(i + 1)?;
                if next == '\n' {
                    lines += 1;
                }
                value.push(match next {
                    'n' => '\n',
                    't' => '\t',
                    other => other,
                });
                i += 2;
                continue;
            }
            '$' if quote == '`' && chars.get(i + 1) == Some(&'{') => {
                interpolated = true;
                depth += 1;
                i += 2;
                continue;
            }
            '}' if depth > 0 => depth -= 1,
            '{' if depth > 0 => depth += 1,
            c if c == quote && depth == 0 => {
                let kind = if interpolated {
                    TokKind::Interpolated
                } else {
                    TokKind::Str(value)
                };
                return Some((kind, i + 1, lines));
            }
            _ => {}
        }
        value.push(c);
        i += 1;
    }
}

/// The trigger name at `toks[at..]` (`http` or `k3sfn.http`) and the index after it.
fn trigger_at(toks: &[Tok], at: usize) -> Option<(String, usize)> {
    let first = toks.get(at)?.ident()?;
    if is_trigger(first) {
        return Some((first.to_owned(), at + 1));
    }
    let qualified = first == "k3sfn" && toks.get(at + 1)?.is_punct('.');
    let name = toks.get(at + 2)?.ident()?;
    (qualified && is_trigger(name)).then(|| (name.to_owned(), at + 3))
}

/// The exported trigger-wrapped handlers of one file, and every problem found.
pub(super) fn scan(toks: &[Tok]) -> (Vec<Found>, Vec<Problem>) {
    let (mut found, mut problems) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let tok = &toks[i];
        if tok.is_punct('{') {
            depth += 1;
        } else if tok.is_punct('}') {
            depth = depth.saturating_sub(1);
        } else if tok.is_punct('@')
            && let Some((trigger, _)) = trigger_at(toks, i + 1)
        {
            problems.push((tok.line, decorator_problem(toks, i, &trigger)));
        } else if depth == 0 && tok.ident() == Some("export") {
            let binding = toks
                .get(i + 1)
                .and_then(Tok::ident)
                .filter(|w| matches!(*w, "const" | "let"));
            let name = toks.get(i + 2).and_then(Tok::ident);
            let assigned = toks.get(i + 3).is_some_and(|t| t.is_punct('='));
            if let (Some(_), Some(name), true) = (binding, name, assigned)
                && let Some((trigger, after)) = trigger_at(toks, i + 4)
            {
                match arguments(toks, after, &trigger) {
                    Ok((args, end)) => {
                        if toks.get(end).is_some_and(|t| t.is_punct('(')) {
                            found.push(Found {
                                ident: name.to_owned(),
                                line: tok.line,
                                trigger,
                                args,
                            });
                        } else {
                            problems.push((
                                tok.line,
                                format!("missing handler: write `export const {name} = {trigger}(...)(handler)`"),
                            ));
                        }
                        i = end;
                        continue;
                    }
                    Err(problem) => problems.push(problem),
                }
            }
        }
        i += 1;
    }
    (found, problems)
}

/// The message for `@trigger` at `toks[at]`: a class decorator, or decorators in general.
fn decorator_problem(toks: &[Tok], at: usize, trigger: &str) -> String {
    // Skip the decorator's arguments and any further decorators or modifiers.
    let mut depth = 0usize;
    let mut j = at + 1;
    while let Some(tok) = toks.get(j) {
        match &tok.kind {
            TokKind::Punct('(') => depth += 1,
            TokKind::Punct(')') => depth = depth.saturating_sub(1),
            TokKind::Ident(word) if depth == 0 && word == "class" => {
                return format!("@{trigger} decorates a class; write `export const name = {trigger}(...)(handler)`");
            }
            TokKind::Ident(word)
                if depth == 0
                    && !matches!(word.as_str(), "export" | "default" | "abstract" | "k3sfn")
                    && !is_trigger(word) =>
            {
                break;
            }
            TokKind::Punct(c) if depth == 0 && !matches!(c, '@' | '.') => break,
            _ => {}
        }
        j += 1;
    }
    format!(
        "decorators are not supported in TypeScript/JavaScript; write `export const name = {trigger}(...)(handler)`"
    )
}

/// `(literal, { key: literal, ... })` from `toks[at]`; returns the args and the index after `)`.
fn arguments(toks: &[Tok], at: usize, trigger: &str) -> Result<(Vec<Arg>, usize), Problem> {
    let line = toks.get(at.saturating_sub(1)).map_or(1, |t| t.line);
    let mut parser = Parser {
        toks,
        pos: at,
        keywords: &KEYWORDS,
        last_line: line,
    };
    if !parser.eat('(') {
        return Err((line, format!("{trigger} needs arguments, like {trigger}(\"...\")")));
    }
    let mut args = Vec::new();
    while !parser.eat(')') {
        if parser.eat('{') {
            while !parser.eat('}') {
                let key_line = parser.line();
                let key = match parser.peek().map(|t| &t.kind) {
                    Some(TokKind::Ident(k) | TokKind::Str(k)) => snake_case(k),
                    _ => return Err((key_line, "option names must be identifiers or strings".to_owned())),
                };
                parser.pos += 1;
                if !parser.eat(':') {
                    return Err((parser.line(), format!("expected `:` after option `{key}`")));
                }
                let value = parser.value()?;
                args.push(Arg {
                    name: Some(key),
                    value,
                    line: key_line,
                });
                if !parser.eat(',') && !parser.peek().is_some_and(|t| t.is_punct('}')) {
                    return Err((parser.line(), "expected `,` or `}` in the options".to_owned()));
                }
            }
        } else {
            let arg_line = parser.line();
            let value = parser.value()?;
            args.push(Arg {
                name: None,
                value,
                line: arg_line,
            });
        }
        if !parser.eat(',') && !parser.peek().is_some_and(|t| t.is_punct(')')) {
            return Err((
                parser.line(),
                format!("expected `,` or `)` in the arguments of {trigger}"),
            ));
        }
    }
    Ok((args, parser.pos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexer_skips_comments_strings_and_regexes() {
        let toks = lex("// @http\nconst a = /@http\\//g; const b = x / 2 / y; /* @http */ `t ${a}` @q").unwrap();
        let at: Vec<usize> = toks.iter().filter(|t| t.is_punct('@')).map(|t| t.line).collect();
        assert_eq!(at, [2]);
        assert!(toks.iter().any(|t| t.kind == TokKind::Interpolated));
        assert_eq!(toks.iter().filter(|t| t.is_punct('/')).count(), 2, "divisions stay");
    }
}
