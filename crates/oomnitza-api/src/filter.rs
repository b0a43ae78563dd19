//! Oomnitza's listing filter language, the subset this project speaks:
//! `(name eq 'Jira user load') and (saas eq 'jira')`.
//!
//! A filter is comparisons joined by `and`, each in parentheses when
//! written by [`Filter`]'s `Display`; a comparison is a field, an operator
//! (`eq`, `ne`, `gt`, `lt`) and a value: a string in single quotes (a quote
//! inside written twice, `'it''s'`) or a bare number or `true`/`false`.
//! [`Filter::parse`] reads that subset back and refuses anything else with
//! a message, so a client that writes something else cannot pass silently.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
}

impl Op {
    fn word(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Gt => "gt",
            Op::Lt => "lt",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// Written in single quotes.
    Text(String),
    /// A bare number.
    Number(f64),
    Bool(bool),
}

/// `field op value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub field: String,
    pub op: Op,
    pub value: Literal,
}

/// Comparisons that must all hold.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub all: Vec<Comparison>,
}

impl Filter {
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Adds `(field eq 'value')`.
    pub fn eq(mut self, field: &str, value: &str) -> Filter {
        self.all.push(Comparison { field: field.into(), op: Op::Eq, value: Literal::Text(value.into()) });
        self
    }

    /// Adds `(field ne 'value')`.
    pub fn ne(mut self, field: &str, value: &str) -> Filter {
        self.all.push(Comparison { field: field.into(), op: Op::Ne, value: Literal::Text(value.into()) });
        self
    }

    /// Adds every comparison of `other`.
    pub fn and(mut self, other: Filter) -> Filter {
        self.all.extend(other.all);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Whether a record passes, given a way to read its fields: text fields
    /// compare as text, numbers as numbers; a missing field passes only `ne`.
    pub fn matches<'a>(&self, field: impl Fn(&str) -> Option<Field<'a>>) -> bool {
        self.all.iter().all(|c| {
            let ord = match (field(&c.field), &c.value) {
                (Some(Field::Text(a)), Literal::Text(b)) => Some(a.cmp(b.as_str())),
                (Some(Field::Number(a)), Literal::Number(b)) => a.partial_cmp(b),
                (Some(Field::Bool(a)), Literal::Bool(b)) => Some(a.cmp(b)),
                _ => None,
            };
            match c.op {
                Op::Eq => ord == Some(std::cmp::Ordering::Equal),
                Op::Ne => ord != Some(std::cmp::Ordering::Equal),
                Op::Gt => ord == Some(std::cmp::Ordering::Greater),
                Op::Lt => ord == Some(std::cmp::Ordering::Less),
            }
        })
    }

    /// Reads a filter; anything outside the subset is an error that says
    /// where and what was expected.
    pub fn parse(text: &str) -> Result<Filter, FilterError> {
        let mut p = Parser { s: text, at: 0 };
        let mut f = Filter::new();
        p.conjunction(&mut f, 0)?;
        p.space();
        if p.at < p.s.len() {
            return Err(p.fail("expected `and` or the end of the filter"));
        }
        Ok(f)
    }
}

/// A record's field, as [`Filter::matches`] compares it.
pub enum Field<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.all.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            write!(f, "({} {} ", c.field, c.op.word())?;
            match &c.value {
                Literal::Text(t) => write!(f, "'{}'", t.replace('\'', "''"))?,
                Literal::Number(n) => write!(f, "{n}")?,
                Literal::Bool(b) => write!(f, "{b}")?,
            }
            f.write_str(")")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterError {
    /// Byte offset into the filter.
    pub at: usize,
    pub message: String,
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "filter: {} (at character {})", self.message, self.at + 1)
    }
}

impl std::error::Error for FilterError {}

/// Deeper nesting than this is refused rather than followed.
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    s: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.at..]
    }

    fn space(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.s.len() - trimmed.len();
    }

    fn fail(&self, what: &str) -> FilterError {
        let found: String = self.rest().chars().take(12).collect();
        let found = if found.is_empty() { "the end".to_string() } else { format!("`{found}`") };
        FilterError { at: self.at, message: format!("{what}, found {found}") }
    }

    /// A word of letters, digits, `_` and `.`.
    fn word(&mut self) -> &str {
        self.space();
        let start = self.at;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(self.rest().len());
        self.at += len;
        &self.s[start..self.at]
    }

    fn peek_keyword(&mut self, kw: &str) -> bool {
        self.space();
        let r = self.rest();
        r.get(..kw.len()).is_some_and(|w| w.eq_ignore_ascii_case(kw))
            && !r[kw.len()..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    }

    /// term (`and` term)*
    fn conjunction(&mut self, f: &mut Filter, depth: usize) -> Result<(), FilterError> {
        self.term(f, depth)?;
        while self.peek_keyword("and") {
            self.at += 3;
            self.term(f, depth)?;
        }
        Ok(())
    }

    /// `(` conjunction `)` or a comparison.
    fn term(&mut self, f: &mut Filter, depth: usize) -> Result<(), FilterError> {
        self.space();
        if self.rest().starts_with('(') {
            if depth >= MAX_DEPTH {
                return Err(self.fail("parentheses nested too deep"));
            }
            self.at += 1;
            self.conjunction(f, depth + 1)?;
            self.space();
            if !self.rest().starts_with(')') {
                return Err(self.fail("expected `)` or `and`"));
            }
            self.at += 1;
            return Ok(());
        }
        let start = self.at;
        let field = self.word().to_string();
        if field.is_empty() || !field.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            self.at = start;
            return Err(self.fail("expected a field name or `(`"));
        }
        let before_op = self.at;
        let op = match self.word() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "lt" => Op::Lt,
            _ => {
                self.at = before_op;
                self.space();
                return Err(self.fail("expected an operator: eq, ne, gt or lt"));
            }
        };
        let value = self.literal()?;
        f.all.push(Comparison { field, op, value });
        Ok(())
    }

    fn literal(&mut self) -> Result<Literal, FilterError> {
        self.space();
        if self.rest().starts_with('\'') {
            let mut out = String::new();
            let mut i = self.at + 1;
            loop {
                match self.s[i..].find('\'') {
                    None => return Err(FilterError { at: self.at, message: "a quoted value is not closed".into() }),
                    Some(q) => {
                        out.push_str(&self.s[i..i + q]);
                        i += q + 1;
                        if self.s[i..].starts_with('\'') {
                            out.push('\'');
                            i += 1;
                        } else {
                            self.at = i;
                            return Ok(Literal::Text(out));
                        }
                    }
                }
            }
        }
        let start = self.at;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+')))
            .unwrap_or(self.rest().len());
        let bare = &self.s[start..start + len];
        let value = match bare {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            _ => bare.parse::<f64>().ok().filter(|n| n.is_finite()).map(Literal::Number),
        };
        match value {
            Some(v) => {
                self.at += len;
                Ok(v)
            }
            None => Err(self.fail("expected a value: 'quoted text', a number, true or false")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<Field<'a>> + 'a {
        move |k| pairs.iter().find(|(f, _)| *f == k).map(|(_, v)| Field::Text(v))
    }

    #[test]
    fn writes_oomnitzas_form() {
        let f = Filter::new().eq("name", "Jira user load").eq("saas", "jira");
        assert_eq!(f.to_string(), "(name eq 'Jira user load') and (saas eq 'jira')");
    }

    #[test]
    fn quotes_and_parentheses_round_trip() {
        for name in ["it's", "''", "a (b) and (c eq 'd')", "", "x' or '1'='1", "ünïcode ✓", "back\\slash"] {
            let f = Filter::new().eq("name", name).eq("saas", "jira");
            let back = Filter::parse(&f.to_string()).unwrap_or_else(|e| panic!("{name:?}: {e}"));
            assert_eq!(back, f, "{name:?} as {}", f);
            assert!(back.matches(text(&[("name", name), ("saas", "jira")])));
            assert!(!back.matches(text(&[("name", "other"), ("saas", "jira")])));
        }
    }

    #[test]
    fn reads_the_connector_style() {
        let f = Filter::parse("(name eq 'x') and (version gt 3)").unwrap();
        assert_eq!(f.all[1], Comparison { field: "version".into(), op: Op::Gt, value: Literal::Number(3.0) });
        let f = Filter::parse("((a ne 'b')) AND (c lt 'd')").unwrap();
        assert_eq!(f.all.len(), 2);
        assert!(Filter::parse("name eq 'x'").is_ok(), "one comparison needs no parentheses");
    }

    #[test]
    fn refuses_what_it_does_not_know() {
        for (bad, says) in [
            ("(name eq 'x') or (name eq 'y')", "expected `and`"),
            ("(name like 'x')", "operator"),
            ("(name contains 'x')", "operator"),
            ("(name eq 'x'", "expected `)`"),
            ("(name eq 'x)", "not closed"),
            ("(name eq x)", "expected a value"),
            ("not (name eq 'x')", "operator"),
            ("", "field name"),
            ("(name eq 'x') and", "field name"),
            ("(name eq 'x'))", "end of the filter"),
            ("(name eq 'x') an✓", "end of the filter"),
        ] {
            let e = Filter::parse(bad).expect_err(bad);
            assert!(e.message.contains(says), "{bad}: {e}");
        }
        let deep = format!("{}a eq 1{}", "(".repeat(100), ")".repeat(100));
        assert!(Filter::parse(&deep).unwrap_err().message.contains("too deep"));
    }

    #[test]
    fn compares() {
        let f = Filter::parse("(n gt 2) and (n lt 5) and (s ne 'x')").unwrap();
        let rec = |n: f64, s: &'static str| {
            move |k: &str| match k {
                "n" => Some(Field::Number(n)),
                "s" => Some(Field::Text(s)),
                _ => None,
            }
        };
        assert!(f.matches(rec(3.0, "y")));
        assert!(!f.matches(rec(5.0, "y")));
        assert!(!f.matches(rec(3.0, "x")));
        assert!(Filter::parse("(missing ne 'x')").unwrap().matches(|_| None));
        assert!(!Filter::parse("(missing eq 'x')").unwrap().matches(|_| None));
    }
}
