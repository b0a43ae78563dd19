//! The default plan: what the framework plans from the schema's declared
//! rules, so that a resource writes only what it alone knows (its
//! `modify_plan`).
//!
//! The framework's own rules, for each attribute the configuration leaves
//! out (null):
//! - a declared default ([`super::Attribute::default_value`]) is planned, on
//!   create and update alike;
//! - a computed value is unknown on create; on update it keeps the state's
//!   value when nothing in the resource changes, and is unknown otherwise
//!   (an apply may change what the provider computes);
//! - write-only values are never planned (null).
//!
//! Then each attribute's [`PlanModifier`]s run, in the order declared, as
//! plugin-framework's do: they may change the planned value or ask for a
//! replacement. The ones here are [`UseStateForUnknown`],
//! [`RequiresReplace`], [`RequiresReplaceIf`] and [`DefaultOnCreate`]; a
//! resource declares its own by implementing the trait. Nested blocks
//! (single, or lists matched by position) follow the same rules; a block
//! whose presence is not known yet is left as Terraform proposed it.

use std::fmt;

use super::diag::AttrPath;
use super::schema::{Block, Nesting, Schema};
use super::value::Value;

/// What a [`PlanModifier`] sees of its attribute.
pub struct AttrPlan<'a> {
    /// The state's value (null on create).
    pub prior: &'a Value,
    /// The configuration's value.
    pub config: &'a Value,
    /// The resource is being created.
    pub create: bool,
    /// Something the configuration sets differs from the state.
    pub changed: bool,
    /// The block the attribute is in: its prior object, and its planned
    /// one as planned so far (siblings included), for rules that follow
    /// other attributes ([`PlanModifier::after_resource`]); both null for
    /// the others.
    pub block: (&'a Value, &'a Value),
}

/// One attribute's rule of the plan, declared on the schema
/// ([`super::Attribute::plan_with`]).
pub trait PlanModifier: Send + Sync + fmt::Debug {
    /// Changes the `planned` value of the attribute, or sets `replace` to
    /// replace the resource.
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, replace: &mut bool);

    /// Whether the rule runs after the resource's own `modify_plan`, with
    /// the block's planned siblings as the resource left them
    /// ([`AttrPlan::block`]): for a value that follows others, such as a
    /// modification time.
    fn after_resource(&self) -> bool {
        false
    }
}

/// A computed value that changes whenever one of the named attributes of
/// its block does (dotted paths for nested single blocks, such as
/// `basic.email`): on update it is unknown when one of them is planned to
/// change or is not known yet; otherwise it stays as planned (with
/// [`UseStateForUnknown`], the state's value). Runs after the resource's
/// own plan, so that what the resource plans (a secret sent again) counts.
#[derive(Debug)]
pub struct UnknownWhenChanged(pub &'static [&'static str]);

impl PlanModifier for UnknownWhenChanged {
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, _: &mut bool) {
        if at.create || !at.config.is_null() {
            return;
        }
        let (prior, now) = at.block;
        let moved = self.0.iter().any(|path| {
            let (before, after) = (prior.at(path), now.at(path));
            !after.is_wholly_known() || before != after
        });
        if moved {
            *planned = Value::Unknown;
        }
    }

    fn after_resource(&self) -> bool {
        true
    }
}

/// A computed value the configuration leaves out keeps its state value on
/// update, instead of becoming unknown when anything changes (an id, a
/// creation time).
#[derive(Debug)]
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, _: &mut bool) {
        if !at.create && planned.is_unknown() && at.config.is_null() {
            *planned = at.prior.clone();
        }
    }
}

/// A change of this value (on update), or one not known yet, replaces the
/// resource.
#[derive(Debug)]
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, replace: &mut bool) {
        if !at.create && (planned.is_unknown() || at.prior != planned) {
            *replace = true;
        }
    }
}

/// Replaces the resource when its test says so of a change (prior,
/// planned); `why` documents when.
pub struct RequiresReplaceIf {
    pub test: fn(&Value, &Value) -> bool,
    pub why: &'static str,
}

impl fmt::Debug for RequiresReplaceIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiresReplaceIf").field("why", &self.why).finish_non_exhaustive()
    }
}

impl PlanModifier for RequiresReplaceIf {
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, replace: &mut bool) {
        if !at.create && (at.prior != planned) && (self.test)(at.prior, planned) {
            *replace = true;
        }
    }
}

/// The value planned when a create leaves it out; an update keeps what the
/// remote system holds (as [`UseStateForUnknown`]).
#[derive(Debug)]
pub struct DefaultOnCreate(pub Value);

impl PlanModifier for DefaultOnCreate {
    fn modify(&self, at: &AttrPlan<'_>, planned: &mut Value, _: &mut bool) {
        if !at.config.is_null() {
            return;
        }
        if at.create {
            *planned = self.0.clone();
        } else if planned.is_unknown() {
            *planned = at.prior.clone();
        }
    }
}

/// A planned change, as Terraform proposes it. `prior` is null on create.
#[derive(Clone, Copy)]
pub struct PlanRequest<'a> {
    pub prior: &'a Value,
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub prior_private: &'a super::PrivateState,
    /// The resource's schema, as the provider registered it.
    pub schema: &'a Schema,
}

/// The provider's answer to a proposed change.
#[derive(Default)]
pub struct Planned {
    pub state: Value,
    /// Attribute paths whose change forces a replacement.
    pub requires_replace: Vec<AttrPath>,
    pub private: super::PrivateState,
}

/// The plan the schema's rules give for a create or an update.
pub fn default_plan(block: &Block, req: &PlanRequest<'_>) -> Planned {
    let mut state = req.proposed.clone();
    // Pass 1: defaults, so that "did anything change" sees them.
    apply_defaults(block, req.config, &mut state);
    let create = req.prior.is_null();
    let changed = create || differs_in_config(block, req.prior, &state);
    fill_computed(block, req.prior, req.config, &mut state, create, changed);
    let mut requires_replace = Vec::new();
    let at = AttrPath::default();
    run_modifiers(block, (req.prior, req.config), &mut state, (create, changed), &at, &mut requires_replace);
    Planned { state, requires_replace, private: req.prior_private.clone() }
}

/// Each nested object of `b` in `v` with the matching one of `other`
/// (by position in lists), for walking two values of one block together.
fn children<'a>(b: Nesting, v: &'a mut Value, other: &'a Value) -> Vec<(&'a mut Value, &'a Value)> {
    static NULL: Value = Value::Null;
    match (b, v) {
        (Nesting::Single | Nesting::Group, v @ Value::Object(_)) if v.presence() == Some(true) => vec![(v, other)],
        (Nesting::List, Value::List(items)) => items
            .iter_mut()
            .enumerate()
            .map(|(i, item)| {
                let o = match other {
                    Value::List(os) => os.get(i).unwrap_or(&NULL),
                    _ => &NULL,
                };
                (item, o)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn apply_defaults(block: &Block, config: &Value, state: &mut Value) {
    for a in &block.attributes {
        if let Some(d) = a.default_of() {
            if config.get(&a.name).is_null() {
                state.set(&a.name, d.clone());
            }
        }
    }
    for nb in &block.blocks {
        let cfg = config.get(&nb.name);
        let Value::Object(m) = state else { return };
        if let Some(child) = m.get_mut(&nb.name) {
            for (c, cc) in children(nb.nesting, child, cfg) {
                apply_defaults(&nb.block, cc, c);
            }
        }
    }
}

/// Whether any value the configuration sets (or a default planned) differs
/// from the state: the framework's "this resource changes".
fn differs_in_config(block: &Block, prior: &Value, planned: &Value) -> bool {
    block.attributes.iter().filter(|a| !a.write_only && (!a.computed || a.optional)).any(|a| {
        let p = planned.get(&a.name);
        p.is_unknown() || (prior.get(&a.name) != p && !(a.computed && p.is_null()))
    }) || block.blocks.iter().any(|nb| {
        let (pv, nv) = (prior.get(&nb.name), planned.get(&nb.name));
        match (nb.nesting, pv, nv) {
            (_, _, Value::Unknown) => true,
            (Nesting::Single | Nesting::Group, p, n) if p.is_null() != n.is_null() => true,
            (Nesting::Single | Nesting::Group, p, n) => differs_in_config(&nb.block, p, n),
            (Nesting::List, Value::List(ps), Value::List(ns)) => {
                ps.len() != ns.len() || ps.iter().zip(ns).any(|(p, n)| differs_in_config(&nb.block, p, n))
            }
            (_, p, n) => p != n,
        }
    })
}

fn fill_computed(block: &Block, prior: &Value, config: &Value, state: &mut Value, create: bool, changed: bool) {
    for a in &block.attributes {
        if a.write_only {
            state.set(&a.name, Value::Null);
            continue;
        }
        if !a.computed || !config.get(&a.name).is_null() || a.default_of().is_some() {
            continue;
        }
        let kept = prior.get(&a.name);
        let planned = if create || prior.is_null() {
            Value::Unknown
        } else if !changed {
            kept.clone()
        } else {
            Value::Unknown
        };
        state.set(&a.name, planned);
    }
    for nb in &block.blocks {
        let (cfg, pr) = (config.get(&nb.name), prior.get(&nb.name));
        let Value::Object(m) = state else { return };
        if let Some(child) = m.get_mut(&nb.name) {
            let configs = match cfg {
                Value::List(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            for (i, (c, p)) in children(nb.nesting, child, pr).into_iter().enumerate() {
                let cc = configs.get(i).unwrap_or(&Value::Null);
                fill_computed(&nb.block, p, cc, c, create, changed);
            }
        }
    }
}

/// Runs each attribute's [`PlanModifier`]s over `state`, nested blocks
/// included; the paths of those that replace the resource go to `out`. A
/// nested block that is new on update is planned as a create.
fn run_modifiers(
    block: &Block,
    (prior, config): (&Value, &Value),
    state: &mut Value,
    (create, changed): (bool, bool),
    at: &AttrPath,
    out: &mut Vec<AttrPath>,
) {
    let create = create || prior.is_null();
    for a in block.attributes.iter().filter(|a| !a.plan.is_empty()) {
        let Value::Object(m) = state else { return };
        let planned = m.entry(a.name.clone()).or_insert(Value::Null);
        let none = (&Value::Null, &Value::Null);
        let here = AttrPlan { prior: prior.get(&a.name), config: config.get(&a.name), create, changed, block: none };
        let mut replace = false;
        for rule in a.plan.iter().filter(|r| !r.after_resource()) {
            rule.modify(&here, planned, &mut replace);
        }
        if replace {
            out.push(at.clone().attr(&a.name));
        }
    }
    for nb in &block.blocks {
        let (cfg, pr) = (config.get(&nb.name), prior.get(&nb.name));
        let Value::Object(m) = state else { return };
        let Some(child) = m.get_mut(&nb.name) else { continue };
        let list = matches!(nb.nesting, Nesting::List);
        for (i, (c, p)) in children(nb.nesting, child, pr).into_iter().enumerate() {
            let mut here = at.clone().attr(&nb.name);
            let cc = if list {
                here = here.index(i);
                match cfg {
                    Value::List(items) => items.get(i).unwrap_or(&Value::Null),
                    _ => &Value::Null,
                }
            } else {
                cfg
            };
            run_modifiers(&nb.block, (p, cc), c, (create, changed), &here, out);
        }
    }
}

/// The rules that follow other attributes ([`PlanModifier::after_resource`]),
/// run once the resource's own plan is made, over the top-level
/// attributes: each sees its block's planned siblings as they now are.
pub fn settle(block: &Block, req: &PlanRequest<'_>, planned: &mut Planned) {
    let follows = |a: &&super::Attribute| a.plan.iter().any(|r| r.after_resource());
    if !block.attributes.iter().any(|a| follows(&a)) {
        return; // most schemas: no walk, no copy
    }
    let (prior, config) = (req.prior, req.config);
    let create = prior.is_null();
    let changed = create || differs_in_config(block, prior, &planned.state);
    for a in block.attributes.iter().filter(follows) {
        let siblings = planned.state.clone();
        let here = AttrPlan {
            prior: prior.get(&a.name),
            config: config.get(&a.name),
            create,
            changed,
            block: (prior, &siblings),
        };
        let Value::Object(m) = &mut planned.state else { return };
        let value = m.entry(a.name.clone()).or_insert(Value::Null);
        let mut replace = false;
        for rule in a.plan.iter().filter(|r| r.after_resource()) {
            rule.modify(&here, value, &mut replace);
        }
        if replace {
            planned.requires_replace.push(AttrPath::root(&a.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Attribute, Type};

    fn schema() -> Schema {
        Schema::new(
            0,
            Block::new("")
                .attr(Attribute::string("id").computed().use_state_for_unknown())
                .attr(Attribute::string("name").required())
                .attr(Attribute::string("kind").required().requires_replace())
                .attr(Attribute::string("mode").optional_computed().default_value(Value::string("header")))
                .attr(Attribute::string("updated_at").computed())
                .attr(Attribute::string("owner").optional_computed())
                .attr(Attribute::string("token_wo").optional().write_only())
                .block(
                    "app",
                    Nesting::Single,
                    Block::new("")
                        .attr(Attribute::string("client").required().requires_replace())
                        .attr(Attribute::string("status").computed())
                        .attr(
                            Attribute::list("scopes", Type::String)
                                .optional_computed()
                                .default_value(Value::List(vec![Value::string("read")])),
                        ),
                ),
        )
    }

    /// A configuration, and what Terraform proposes from it and `prior`:
    /// the configuration with each computed null taken from the prior.
    fn request(s: &Schema, config: &[(&str, Value)], app: Option<&[(&str, Value)]>, prior: &Value) -> (Value, Value) {
        let ty = s.value_type();
        let mut c = Value::null_object(&ty);
        for (k, v) in config {
            c.set(k, v.clone());
        }
        if let Some(app) = app {
            let Type::Object(attrs) = &ty else { unreachable!() };
            let mut a = Value::null_object(&attrs["app"]);
            for (k, v) in app {
                a.set(k, v.clone());
            }
            c.set("app", a);
        }
        let mut proposed = c.clone();
        propose(&s.block, prior, &mut proposed);
        (c, proposed)
    }

    fn propose(b: &Block, prior: &Value, v: &mut Value) {
        for a in &b.attributes {
            if a.computed && v.get(&a.name).is_null() {
                v.set(&a.name, prior.get(&a.name).clone());
            }
        }
        for nb in &b.blocks {
            let p = prior.get(&nb.name).clone();
            if let Value::Object(m) = v {
                if let Some(child @ Value::Object(_)) = m.get_mut(&nb.name) {
                    propose(&nb.block, &p, child);
                }
            }
        }
    }

    fn plan(s: &Schema, prior: &Value, config: &Value, proposed: &Value) -> Planned {
        let kept = crate::framework::PrivateState::from_bytes(br#"{"kept":true}"#);
        let req = PlanRequest { prior, proposed, config, prior_private: &kept, schema: s };
        default_plan(&s.block, &req)
    }

    fn applied(s: &Schema) -> Value {
        let (config, _) = request(
            s,
            &[("name", Value::string("a")), ("kind", Value::string("k"))],
            Some(&[("client", Value::string("c"))]),
            &Value::Null,
        );
        let mut st = config;
        for (k, v) in [("id", "x1"), ("mode", "header"), ("updated_at", "t1"), ("owner", "jane")] {
            st.set(k, Value::string(v));
        }
        let mut app = st.get("app").clone();
        app.set("status", Value::string("ok"));
        app.set("scopes", Value::List(vec![Value::string("read")]));
        st.set("app", app);
        st
    }

    #[test]
    fn create_plans_defaults_and_leaves_computed_unknown() {
        let s = schema();
        let (c, p) = request(
            &s,
            &[("name", Value::string("a")), ("kind", Value::string("k")), ("token_wo", Value::string("secret"))],
            Some(&[("client", Value::string("c"))]),
            &Value::Null,
        );
        let planned = plan(&s, &Value::Null, &c, &p);
        let st = &planned.state;
        assert_eq!(st.get("mode"), &Value::string("header"), "default");
        assert!(st.get("id").is_unknown(), "use-state-for-unknown has no state on create");
        assert!(st.get("updated_at").is_unknown() && st.get("owner").is_unknown());
        assert!(st.get("token_wo").is_null(), "write-only is never planned");
        assert_eq!(st.get("app").get("scopes"), &Value::List(vec![Value::string("read")]), "nested default");
        assert!(st.get("app").get("status").is_unknown(), "nested computed");
        assert!(planned.requires_replace.is_empty(), "a create replaces nothing");
        assert_eq!(planned.private.to_bytes(), br#"{"kept":true}"#);
    }

    #[test]
    fn no_change_keeps_every_computed_value() {
        let s = schema();
        let prior = applied(&s);
        let (c, p) = request(
            &s,
            &[("name", Value::string("a")), ("kind", Value::string("k"))],
            Some(&[("client", Value::string("c"))]),
            &prior,
        );
        let planned = plan(&s, &prior, &c, &p);
        assert_eq!(planned.state, prior, "an unchanged resource plans its state");
        assert!(planned.requires_replace.is_empty());
    }

    #[test]
    fn a_change_makes_computed_unknown_except_use_state() {
        let s = schema();
        let prior = applied(&s);
        let (c, p) = request(
            &s,
            &[("name", Value::string("renamed")), ("kind", Value::string("k"))],
            Some(&[("client", Value::string("c"))]),
            &prior,
        );
        let planned = plan(&s, &prior, &c, &p);
        let st = &planned.state;
        assert_eq!(st.get("name"), &Value::string("renamed"));
        assert_eq!(st.get("id"), &Value::string("x1"), "use state for unknown");
        assert!(st.get("updated_at").is_unknown(), "computed unknown on change");
        assert!(st.get("owner").is_unknown(), "optional+computed left out is unknown on change");
        assert!(st.get("app").get("status").is_unknown(), "nested computed too");
        assert_eq!(st.get("mode"), &Value::string("header"), "default stays planned");
        assert!(planned.requires_replace.is_empty(), "name does not replace");
    }

    #[test]
    fn requires_replace_names_each_changed_path_including_nested_and_unknown() {
        let s = schema();
        let prior = applied(&s);
        let (c, p) = request(
            &s,
            &[("name", Value::string("a")), ("kind", Value::string("other"))],
            Some(&[("client", Value::Unknown)]),
            &prior,
        );
        let planned = plan(&s, &prior, &c, &p);
        let paths: Vec<String> = planned.requires_replace.iter().map(ToString::to_string).collect();
        assert_eq!(paths, ["kind", "app.client"]);
    }

    #[test]
    fn a_set_value_wins_over_default_and_a_default_change_is_a_change() {
        let s = schema();
        let prior = applied(&s);
        let (c, p) = request(
            &s,
            &[("name", Value::string("a")), ("kind", Value::string("k")), ("mode", Value::string("query"))],
            Some(&[("client", Value::string("c"))]),
            &prior,
        );
        let planned = plan(&s, &prior, &c, &p);
        assert_eq!(planned.state.get("mode"), &Value::string("query"));
        assert!(planned.state.get("updated_at").is_unknown());
        // Leaving it out again plans the default back.
        let (c2, mut p2) = request(
            &s,
            &[("name", Value::string("a")), ("kind", Value::string("k"))],
            Some(&[("client", Value::string("c"))]),
            &prior,
        );
        p2.set("mode", Value::string("query")); // Terraform proposes the prior for a computed null
        let mut prior2 = prior.clone();
        prior2.set("mode", Value::string("query"));
        let planned = plan(&s, &prior2, &c2, &p2);
        assert_eq!(planned.state.get("mode"), &Value::string("header"));
        assert!(planned.state.get("updated_at").is_unknown(), "going back to the default is a change");
    }

    #[test]
    fn a_block_whose_presence_is_unknown_is_left_as_proposed() {
        let s = schema();
        let (mut c, _) = request(&s, &[("name", Value::string("a")), ("kind", Value::string("k"))], None, &Value::Null);
        c.set("app", Value::Unknown);
        let planned = plan(&s, &Value::Null, &c, &c.clone());
        assert!(planned.state.get("app").is_unknown());
        assert_eq!(planned.state.get("mode"), &Value::string("header"));
    }

    /// A resource's own modifier, and the built-ins a credential's OAuth
    /// block needs: a default planned on create only, a replacement only
    /// for some changes.
    #[test]
    fn declared_modifiers_run_in_order_on_the_framework_plan() {
        #[derive(Debug)]
        struct Shout;
        impl PlanModifier for Shout {
            fn modify(&self, _: &AttrPlan<'_>, planned: &mut Value, _: &mut bool) {
                if let Some(s) = planned.as_str() {
                    *planned = Value::string(s.to_uppercase());
                }
            }
        }
        let s = Schema::new(
            0,
            Block::new("")
                .attr(Attribute::string("name").required().plan_with(Shout))
                .attr(Attribute::string("scope").optional_computed().default_on_create(Value::string("read")))
                .attr(Attribute::string("kind").required().plan_with(RequiresReplaceIf {
                    test: |p, n| p.as_str().map(|p| p.len()) != n.as_str().map(|n| n.len()),
                    why: "a kind of another length",
                })),
        );
        let ty = s.value_type();
        let mut config = Value::null_object(&ty);
        config.set("name", Value::string("a"));
        config.set("kind", Value::string("abc"));
        let created = plan(&s, &Value::Null, &config, &config);
        assert_eq!(created.state.get("name"), &Value::string("A"), "a resource's own rule");
        assert_eq!(created.state.get("scope"), &Value::string("read"), "the default on create");
        let mut prior = created.state.clone();
        prior.set("scope", Value::string("write"));
        let mut proposed = config.clone();
        proposed.set("scope", Value::string("write"));
        proposed.set("kind", Value::string("xyz"));
        let mut c2 = config.clone();
        c2.set("kind", Value::string("xyz"));
        let same_len = plan(&s, &prior, &c2, &proposed);
        assert_eq!(same_len.state.get("scope"), &Value::string("write"), "an update keeps what is held");
        assert!(same_len.requires_replace.is_empty(), "{:?}", same_len.requires_replace);
        proposed.set("kind", Value::string("longer"));
        c2.set("kind", Value::string("longer"));
        let replaced = plan(&s, &prior, &c2, &proposed);
        assert_eq!(replaced.requires_replace.iter().map(ToString::to_string).collect::<Vec<_>>(), ["kind"]);
    }

    #[test]
    fn a_value_that_follows_its_siblings_moves_with_them_after_the_resource_plan() {
        let s = Schema::new(
            0,
            Block::new("")
                .attr(Attribute::string("name").required())
                .attr(Attribute::number("version").computed().use_state_for_unknown())
                .attr(Attribute::string("updated_at").computed().use_state_for_unknown().unknown_when_changed(&[
                    "name",
                    "version",
                    "inner.email",
                ]))
                .block("inner", Nesting::Single, Block::new("").attr(Attribute::string("email").optional())),
        );
        let ty = s.value_type();
        let Type::Object(attrs) = &ty else { unreachable!() };
        let mut prior = Value::null_object(&ty);
        prior.set("name", Value::string("a"));
        prior.set("version", Value::Number(1.0));
        prior.set("updated_at", Value::string("t1"));
        let mut inner = Value::null_object(&attrs["inner"]);
        inner.set("email", Value::string("a@example.com"));
        prior.set("inner", inner.clone());
        let config = |name: &str, email: &str| {
            let mut c = prior.clone();
            c.set("name", Value::string(name));
            let mut i = inner.clone();
            i.set("email", Value::string(email));
            c.set("inner", i);
            c.set("version", Value::Null);
            c.set("updated_at", Value::Null);
            c
        };
        let planned = |config: &Value, resend: bool| {
            let kept = crate::framework::PrivateState::default();
            let req = PlanRequest { prior: &prior, proposed: config, config, prior_private: &kept, schema: &s };
            let mut p = default_plan(&s.block, &req);
            if resend {
                // What a resource's own plan does when it sends a secret again.
                p.state.set("version", Value::Unknown);
            }
            settle(&s.block, &req, &mut p);
            p.state.get("updated_at").clone()
        };
        assert_eq!(planned(&config("a", "a@example.com"), false), Value::string("t1"), "nothing moves: kept");
        assert!(planned(&config("b", "a@example.com"), false).is_unknown(), "a sibling changed");
        assert!(planned(&config("a", "b@example.com"), false).is_unknown(), "a nested sibling changed");
        assert!(planned(&config("a", "a@example.com"), true).is_unknown(), "the resource's own plan counts");
    }
}
