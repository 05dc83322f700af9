//! Tokens shared by the Python and TypeScript lexers, and the literal argument parser.

/// A lexical token with its 1-based line and 0-based column.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Tok {
    pub(super) kind: TokKind,
    pub(super) line: usize,
    pub(super) col: usize,
}

/// Token kinds; comments are dropped by the lexers, strings are decoded.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum TokKind {
    /// An identifier or keyword.
    Ident(String),
    /// A string literal's value.
    Str(String),
    /// A string that is not a literal (Python f-string, template with `${}`).
    Interpolated,
    /// A number as written.
    Num(String),
    /// One punctuation character.
    Punct(char),
    /// End of a logical line (Python only).
    Newline,
}

impl Tok {
    pub(super) fn is_punct(&self, c: char) -> bool {
        self.kind == TokKind::Punct(c)
    }

    pub(super) fn ident(&self) -> Option<&str> {
        match &self.kind {
            TokKind::Ident(name) => Some(name),
            TokKind::Str(_) | TokKind::Interpolated | TokKind::Num(_) | TokKind::Punct(_) | TokKind::Newline => None,
        }
    }

    /// How the token reads in an error message.
    pub(super) fn describe(&self) -> String {
        match &self.kind {
            TokKind::Ident(name) => format!("`{name}`"),
            TokKind::Str(_) => "a string".to_owned(),
            TokKind::Interpolated => "an interpolated string (f-string or template with ${})".to_owned(),
            TokKind::Num(n) => format!("`{n}`"),
            TokKind::Punct(c) => format!("`{c}`"),
            TokKind::Newline => "the end of the line".to_owned(),
        }
    }
}

/// A literal argument value.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Value {
    Str(String),
    Int(i64),
    Float(String),
    Bool(bool),
    Null,
    List(Vec<Value>),
}

impl Value {
    pub(super) fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a decimal number",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::List(_) => "a list",
        }
    }
}

/// One argument: positional (`name` is `None`) or keyword / object property.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Arg {
    pub(super) name: Option<String>,
    pub(super) value: Value,
    pub(super) line: usize,
}

/// The words each language spells its literal constants with.
pub(super) struct Keywords {
    pub(super) true_: &'static str,
    pub(super) false_: &'static str,
    pub(super) null: &'static str,
}

/// A parse problem at a line.
pub(super) type Problem = (usize, String);

/// Reads tokens as literals from `pos`.
pub(super) struct Parser<'a> {
    pub(super) toks: &'a [Tok],
    pub(super) pos: usize,
    pub(super) keywords: &'a Keywords,
    /// Line reported when the tokens run out.
    pub(super) last_line: usize,
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    pub(super) fn line(&self) -> usize {
        self.peek().map_or(self.last_line, |t| t.line)
    }

    pub(super) fn eat(&mut self, c: char) -> bool {
        if self.peek().is_some_and(|t| t.is_punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn not_literal(&self) -> Problem {
        let found = self
            .peek()
            .map_or_else(|| "the end of the file".to_owned(), Tok::describe);
        (
            self.line(),
            format!("arguments must be literals (strings, numbers, booleans, lists), found {found}"),
        )
    }

    /// A literal: string (adjacent strings concatenate), number, boolean, null, or a list or
    /// tuple of literals.
    pub(super) fn value(&mut self) -> Result<Value, Problem> {
        let Some(tok) = self.peek().cloned() else {
            return Err(self.not_literal());
        };
        match &tok.kind {
            TokKind::Str(s) => {
                let mut text = s.clone();
                self.pos += 1;
                while let Some(TokKind::Str(more)) = self.peek().map(|t| &t.kind) {
                    text.push_str(more);
                    self.pos += 1;
                }
                if self.peek().is_some_and(|t| t.kind == TokKind::Interpolated) {
                    return Err(self.not_literal());
                }
                Ok(Value::Str(text))
            }
            TokKind::Num(_) => self.number(false),
            TokKind::Punct('-') => {
                self.pos += 1;
                if matches!(self.peek().map(|t| &t.kind), Some(TokKind::Num(_))) {
                    self.number(true)
                } else {
                    Err(self.not_literal())
                }
            }
            TokKind::Punct(open @ ('[' | '(')) => {
                let close = if *open == '[' { ']' } else { ')' };
                self.pos += 1;
                let mut items = Vec::new();
                while !self.eat(close) {
                    items.push(self.value()?);
                    if !self.eat(',') && !self.peek().is_some_and(|t| t.is_punct(close)) {
                        return Err((self.line(), format!("expected `,` or `{close}` in a list")));
                    }
                }
                Ok(Value::List(items))
            }
            TokKind::Ident(word) if word == self.keywords.true_ => {
                self.pos += 1;
                Ok(Value::Bool(true))
            }
            TokKind::Ident(word) if word == self.keywords.false_ => {
                self.pos += 1;
                Ok(Value::Bool(false))
            }
            TokKind::Ident(word) if word == self.keywords.null => {
                self.pos += 1;
                Ok(Value::Null)
            }
            TokKind::Ident(_) | TokKind::Interpolated | TokKind::Punct(_) | TokKind::Newline => Err(self.not_literal()),
        }
    }

    fn number(&mut self, negative: bool) -> Result<Value, Problem> {
        let line = self.line();
        let Some(TokKind::Num(text)) = self.peek().map(|t| t.kind.clone()) else {
            return Err(self.not_literal());
        };
        self.pos += 1;
        let sign = if negative { "-" } else { "" };
        let plain = text.replace('_', "");
        if let Ok(n) = format!("{sign}{plain}").parse::<i64>() {
            return Ok(Value::Int(n));
        }
        if format!("{sign}{plain}").parse::<f64>().is_ok() {
            return Ok(Value::Float(format!("{sign}{plain}")));
        }
        Err((line, format!("`{text}` is not a decimal number")))
    }
}

/// Whether `name` is one of the trigger functions.
pub(super) fn is_trigger(name: &str) -> bool {
    matches!(name, "http" | "queue" | "schedule")
}

/// `maxReplicas` -> `max_replicas` (snake_case stays as it is).
pub(super) fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(kind: TokKind) -> Tok {
        Tok { kind, line: 3, col: 0 }
    }

    const PY: Keywords = Keywords {
        true_: "True",
        false_: "False",
        null: "None",
    };

    #[test]
    fn literals() {
        let toks = [
            tok(TokKind::Punct('[')),
            tok(TokKind::Str("a".into())),
            tok(TokKind::Str("b".into())),
            tok(TokKind::Punct(',')),
            tok(TokKind::Punct('-')),
            tok(TokKind::Num("1_000".into())),
            tok(TokKind::Punct(',')),
            tok(TokKind::Ident("True".into())),
            tok(TokKind::Punct(',')),
            tok(TokKind::Num("0.5".into())),
            tok(TokKind::Punct(']')),
        ];
        let mut parser = Parser {
            toks: &toks,
            pos: 0,
            keywords: &PY,
            last_line: 3,
        };
        assert_eq!(
            parser.value().unwrap(),
            Value::List(vec![
                Value::Str("ab".into()),
                Value::Int(-1000),
                Value::Bool(true),
                Value::Float("0.5".into())
            ])
        );
        let call = [tok(TokKind::Ident("os".into())), tok(TokKind::Punct('.'))];
        let mut parser = Parser {
            toks: &call,
            pos: 0,
            keywords: &PY,
            last_line: 3,
        };
        assert_eq!(
            parser.value().unwrap_err(),
            (
                3,
                "arguments must be literals (strings, numbers, booleans, lists), found `os`".to_owned()
            )
        );
    }

    #[test]
    fn names() {
        assert_eq!(snake_case("maxReplicas"), "max_replicas");
        assert_eq!(snake_case("max_replicas"), "max_replicas");
        assert!(is_trigger("queue") && !is_trigger("route"));
    }
}
