//! Diagnostics: what a person sees when something is wrong, with the path of
//! the attribute it is about, so Terraform can point at the line in the config.

use std::fmt;

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Key(String),
    Index(i64),
}

/// The path of an attribute inside a resource's or provider's configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(Vec<Step>);

impl AttrPath {
    /// Its steps, outermost first.
    pub fn steps(&self) -> &[Step] {
        &self.0
    }
    /// The same path, one list element further in.
    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Step::Index(i as i64));
        self
    }
    /// The same path, one map element further in.
    pub fn key(mut self, k: &str) -> Self {
        self.0.push(Step::Key(k.to_string()));
        self
    }
    /// The same path inside attribute or block `outer`.
    pub fn within(mut self, outer: &str) -> Self {
        self.0.insert(0, Step::Attr(outer.to_string()));
        self
    }
    /// The name of the attribute it ends at (its last name, past any
    /// element steps).
    pub fn name(&self) -> &str {
        self.0
            .iter()
            .rev()
            .find_map(|s| match s {
                Step::Attr(a) => Some(a.as_str()),
                _ => None,
            })
            .unwrap_or_default()
    }
    pub fn root(name: &str) -> Self {
        AttrPath(vec![Step::Attr(name.to_string())])
    }
    pub fn attr(mut self, name: &str) -> Self {
        self.0.push(Step::Attr(name.to_string()));
        self
    }
    /// Parses a dotted path such as `basic.email` (attribute names only).
    pub fn dotted(path: &str) -> Self {
        AttrPath(path.split('.').filter(|s| !s.is_empty()).map(|s| Step::Attr(s.into())).collect())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

/// The diagnostics of one request, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl Diagnostics {
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Every path moved inside attribute or block `outer`: for a type whose
    /// attributes Terraform reads from a nested block (a list resource's
    /// `config`).
    pub fn within(mut self, outer: &str) -> Self {
        for d in &mut self.0 {
            d.path = d.path.take().map(|p| p.within(outer));
        }
        self
    }
    pub fn new() -> Self {
        Self::default()
    }
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary.into(), detail.into(), None);
    }
    pub fn error_at(&mut self, path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary.into(), detail.into(), Some(path));
    }
    /// An error at `path` when there is one, else about the whole request.
    pub fn error_where(&mut self, path: Option<AttrPath>, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Error, summary.into(), detail.into(), path);
    }
    pub fn warning_at(&mut self, path: Option<AttrPath>, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Severity::Warning, summary.into(), detail.into(), path);
    }
    fn push(&mut self, severity: Severity, summary: String, detail: String, path: Option<AttrPath>) {
        self.0.push(Diagnostic { severity, summary, detail, path });
    }
    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }
    /// Takes only the errors of `other`: for checks repeated at apply, whose
    /// warnings Terraform already showed at validate.
    pub fn extend_errors(&mut self, other: Diagnostics) {
        self.0.extend(other.0.into_iter().filter(|d| d.severity == Severity::Error));
    }
    /// Takes `other` with its errors said as warnings, `why` added to each:
    /// for failures after a remote object exists, which must not taint it
    /// (an error from a create makes Terraform replace what it made).
    pub fn extend_as_warnings(&mut self, other: Diagnostics, why: &str) {
        self.0.extend(other.0.into_iter().map(|mut d| {
            if d.severity == Severity::Error {
                d.severity = Severity::Warning;
                d.detail = format!("{}\n\n{why}", d.detail);
            }
            d
        }));
    }
    /// Keeps the diagnostics `keep` says yes to, in order.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.0.retain(keep);
    }
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// One error diagnostic, for `Err(...)` returns.
    pub fn single(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut d = Self::new();
        d.error(summary, detail);
        d
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}
