//! Validation declared on the schema: an attribute carries its
//! [`Validator`]s, and the framework runs them for every configuration a
//! provider, resource, data source, list resource, action or ephemeral
//! resource is given ([`declared`]), before the type's own `validate`. A
//! validator sees a known, non-null value only: unknown and null pass.
//!
//! The ones this provider needs are here ([`NotBlank`], [`OneOf`],
//! [`Matches`], [`Date`], [`Duration`]); a type declares its own by
//! implementing the trait. Each error is at the attribute, with its name
//! and how to fix it.
//!
//! Rules over several members of a block together ([`BlockValidator`]:
//! [`ExactlyOneOf`], [`ConflictsWith`]) are declared on the block
//! ([`Block::rule`]). A member whose presence is not known yet (an unknown
//! value, a dynamic block over a value known only at apply) is judged
//! once it is known.

use std::fmt;

use super::{AttrPath, Block, Diagnostics, Value};

/// A rule one attribute's value must follow.
pub trait Validator: Send + Sync + fmt::Debug {
    /// Checks `v` (known, not null) of the attribute at `at`, whose last
    /// step is the attribute's name.
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics);
}

/// Not blank: "Empty NAME", and the detail `NAME <rest>`, such as
/// `NotBlank("must not be empty: it is how the credential shows in Oomnitza.")`.
#[derive(Debug)]
pub struct NotBlank(pub &'static str);

impl Validator for NotBlank {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        if v.as_str().is_some_and(|s| s.trim().is_empty()) {
            let name = at.name();
            diags.error_at(at.clone(), format!("Empty {name}"), format!("{name} {}", self.0));
        }
    }
}

/// One of a few words: "Invalid NAME", naming them.
#[derive(Debug)]
pub struct OneOf(pub &'static [&'static str]);

impl Validator for OneOf {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = v.as_str().filter(|s| !self.0.contains(s)) else { return };
        let name = at.name();
        let words: Vec<String> = self.0.iter().map(|w| format!("{w:?}")).collect();
        let (last, rest) = words.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
        let choice = if rest.is_empty() { last.to_string() } else { format!("{} or {last}", rest.join(", ")) };
        diags.error_at(at.clone(), format!("Invalid {name}"), format!("{name} is {s:?}; use {choice}."));
    }
}

/// A text that passes `test`: "Invalid NAME", with `fix`, such as
/// `"use the integration's name in lower case, such as \"okta\""`.
pub struct Matches {
    pub test: fn(&str) -> bool,
    pub fix: &'static str,
}

impl fmt::Debug for Matches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matches").field("fix", &self.fix).finish_non_exhaustive()
    }
}

impl Validator for Matches {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let Some(s) = v.as_str().filter(|s| !(self.test)(s)) else { return };
        let name = at.name();
        diags.error_at(at.clone(), format!("Invalid {name}"), format!("{name} is {s:?}; {}.", self.fix));
    }
}

/// A date written `YYYY-MM-DD`.
#[derive(Debug)]
pub struct Date;

/// The format of [`Date`].
pub const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

impl Validator for Date {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let Some(d) = v.as_str().filter(|d| time::Date::parse(d, DATE).is_err()) else { return };
        let name = at.name();
        diags.error_at(
            at.clone(),
            format!("Invalid {name}"),
            format!("{d:?} is not a date; write it as YYYY-MM-DD, e.g. \"2027-06-30\"."),
        );
    }
}

/// A duration such as `30s` or `1h30m`.
#[derive(Debug)]
pub struct Duration;

impl Validator for Duration {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let Some(Err(e)) = v.as_str().map(super::duration::parse_duration) else { return };
        diags.error_at(at.clone(), format!("Invalid {at}"), format!("{at} {e}."));
    }
}

/// A rule over several members (attributes or nested blocks) of one
/// block, declared with [`Block::rule`].
pub trait BlockValidator: Send + Sync + fmt::Debug {
    /// Checks `v`, a present object of the block at `at`.
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics);
}

/// Whether each named member is set: `Some(true)`, `Some(false)`, or `None`
/// while that is not known.
fn presences(v: &Value, names: &[&'static str]) -> Vec<(&'static str, Option<bool>)> {
    names.iter().map(|n| (*n, v.get(n).presence())).collect()
}

/// Exactly one of the named members must be set. `missing` and
/// `conflicting` are the summary and detail of each error: the first is
/// said at the first member, the second at the second member set.
#[derive(Debug)]
pub struct ExactlyOneOf {
    pub names: &'static [&'static str],
    pub missing: (&'static str, &'static str),
    pub conflicting: (&'static str, &'static str),
}

impl BlockValidator for ExactlyOneOf {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let all = presences(v, self.names);
        let set: Vec<&str> = all.iter().filter(|(_, p)| *p == Some(true)).map(|(n, _)| *n).collect();
        if let Some(second) = set.get(1) {
            let (summary, detail) = self.conflicting;
            diags.error_at(at.clone().attr(second), summary, detail);
        } else if set.is_empty() && all.iter().all(|(_, p)| p.is_some()) {
            let (summary, detail) = self.missing;
            diags.error_at(at.clone().attr(self.names.first().copied().unwrap_or_default()), summary, detail);
        }
    }
}

/// At most one of two attributes may be written in the configuration (a
/// value not known yet counts: it is written); the error is at the second.
#[derive(Debug)]
pub struct ConflictsWith {
    pub names: (&'static str, &'static str),
    pub summary: String,
    pub detail: String,
}

impl BlockValidator for ConflictsWith {
    fn check(&self, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
        let (first, second) = self.names;
        if !v.get(first).is_null() && !v.get(second).is_null() {
            diags.error_at(at.clone().attr(second), self.summary.clone(), self.detail.clone());
        }
    }
}

/// Runs the validators `block` declares over `v` (a configuration of it at
/// `at`), nested blocks included.
pub fn declared(block: &Block, v: &Value, at: &AttrPath, diags: &mut Diagnostics) {
    let Value::Object(m) = v else { return };
    for rule in &block.rules {
        rule.check(v, at, diags);
    }
    for a in block.attributes.iter().filter(|a| !a.validators.is_empty()) {
        let value = m.get(&a.name).unwrap_or(&Value::Null);
        if value.is_null() || value.is_unknown() {
            continue;
        }
        let path = at.clone().attr(&a.name);
        for check in &a.validators {
            check.check(value, &path, diags);
        }
    }
    for b in &block.blocks {
        match m.get(&b.name) {
            Some(Value::List(items)) => {
                for (i, item) in items.iter().enumerate() {
                    declared(&b.block, item, &at.clone().attr(&b.name).index(i), diags);
                }
            }
            Some(Value::Map(items)) => {
                for (k, item) in items {
                    declared(&b.block, item, &at.clone().attr(&b.name).key(k), diags);
                }
            }
            Some(single) => declared(&b.block, single, &at.clone().attr(&b.name), diags),
            None => {}
        }
    }
}

/// A configuration's diagnostics: the schema's declared rules, then the
/// type's own (`own`).
pub fn checked(block: &Block, config: &Value, own: impl FnOnce(&mut Diagnostics)) -> Diagnostics {
    let mut diags = Diagnostics::new();
    declared(block, config, &AttrPath::default(), &mut diags);
    own(&mut diags);
    diags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Attribute, Nesting};

    #[test]
    fn declared_rules_are_said_at_the_attribute_and_unknowns_pass() {
        let block = Block::new("")
            .attr(Attribute::string("name").validate(NotBlank("must not be empty.")))
            .attr(Attribute::string("add_to").validate(OneOf(&["header", "query"])))
            .attr(Attribute::string("expires").validate(Date))
            .block("timeouts", Nesting::Single, Block::new("").attr(Attribute::string("create").validate(Duration)));
        let ty = block.value_type();
        let mut v = Value::null_object(&ty);
        assert!(checked(&block, &v, |_| {}).is_empty(), "null passes");
        v.set("name", Value::string(" "));
        v.set("add_to", Value::string("body"));
        v.set("expires", Value::string("30/06/2027"));
        let crate::framework::Type::Object(attrs) = &ty else { unreachable!() };
        let mut t = Value::null_object(&attrs["timeouts"]);
        t.set("create", Value::string("soon"));
        v.set("timeouts", t);
        let d = checked(&block, &v, |d| d.warning_at(None, "own", "the type's own come after"));
        let said = format!("{d:?}");
        for part in [
            "Empty name",
            "name must not be empty.",
            "add_to is \\\"body\\\"; use \\\"header\\\" or \\\"query\\\".",
            "Invalid expires",
            "Invalid timeouts.create",
            "own",
        ] {
            assert!(said.contains(part), "{part}: {said}");
        }
        let mut unknown = Value::null_object(&ty);
        unknown.set("name", Value::Unknown);
        assert!(checked(&block, &unknown, |_| {}).is_empty(), "unknown passes");
    }

    #[test]
    fn rules_over_several_members_wait_for_what_is_not_known() {
        let block = Block::new("")
            .rule(ExactlyOneOf {
                names: &["a", "b"],
                missing: ("Missing", "give a or b"),
                conflicting: ("Both", "one only"),
            })
            .rule(ConflictsWith {
                names: ("x", "x_wo"),
                summary: "Conflicting x".into(),
                detail: "one of x, x_wo".into(),
            })
            .attr(Attribute::string("x").optional())
            .attr(Attribute::string("x_wo").optional())
            .block("a", Nesting::Single, Block::new("").attr(Attribute::string("v").optional()))
            .block("b", Nesting::Single, Block::new("").attr(Attribute::string("v").optional()));
        let ty = block.value_type();
        let crate::framework::Type::Object(attrs) = &ty else { unreachable!() };
        let present = |name: &str| {
            let mut o = Value::null_object(&attrs[name]);
            o.set("v", Value::string("set"));
            o
        };
        let at = |d: &Diagnostics| {
            d.iter().map(|d| (d.summary.clone(), d.path.as_ref().map(ToString::to_string))).collect::<Vec<_>>()
        };
        let mut v = Value::null_object(&ty);
        assert_eq!(at(&checked(&block, &v, |_| {})), [("Missing".to_string(), Some("a".to_string()))]);
        v.set("a", present("a"));
        assert!(checked(&block, &v, |_| {}).is_empty(), "exactly one");
        v.set("b", Value::Unknown);
        assert!(checked(&block, &v, |_| {}).is_empty(), "b not known yet: judged later");
        v.set("b", present("b"));
        assert_eq!(at(&checked(&block, &v, |_| {})), [("Both".to_string(), Some("b".to_string()))]);
        let mut w = Value::null_object(&ty);
        w.set("a", Value::Unknown);
        assert!(checked(&block, &w, |_| {}).is_empty(), "none set but one not known: judged later");
        w.set("x", Value::string("s"));
        w.set("x_wo", Value::Unknown);
        assert_eq!(
            at(&checked(&block, &w, |_| {})),
            [("Conflicting x".to_string(), Some("x_wo".to_string()))],
            "an unknown value is written"
        );
    }
}
