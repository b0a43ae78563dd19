//! The default plan: what the framework plans from the schema's declared
//! rules ([`PlanModifier`]), so that a resource writes only what it alone
//! knows (its `modify_plan`).
//!
//! The rules, for each attribute the configuration leaves out (null):
//! - a declared default is planned, on create and update alike;
//! - a computed value is unknown on create; on update it keeps the state's
//!   value when nothing in the resource changes, or when it is declared
//!   [`PlanModifier::UseStateForUnknown`], and is unknown otherwise (an
//!   apply may change what the provider computes);
//! - write-only values are never planned (null).
//!
//! On update, a declared [`PlanModifier::RequiresReplace`] attribute whose
//! planned value differs from the state's, or is unknown, replaces the
//! resource. Nested blocks (single, or lists matched by position) follow
//! the same rules; a block whose presence is not known yet is left as
//! Terraform proposed it.

use super::diag::AttrPath;
use super::schema::{Block, Nesting, PlanModifier, Schema};
use super::value::Value;

/// A planned change, as Terraform proposes it. `prior` is null on create.
#[derive(Clone, Copy)]
pub struct PlanRequest<'a> {
    pub prior: &'a Value,
    pub proposed: &'a Value,
    pub config: &'a Value,
    pub prior_private: &'a [u8],
    /// The resource's schema, as the provider registered it.
    pub schema: &'a Schema,
}

/// The provider's answer to a proposed change.
#[derive(Default)]
pub struct Planned {
    pub state: Value,
    /// Attribute paths whose change forces a replacement.
    pub requires_replace: Vec<AttrPath>,
    pub private: Vec<u8>,
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
    if !create {
        replacements(block, req.prior, &state, &AttrPath::default(), &mut requires_replace);
    }
    Planned { state, requires_replace, private: req.prior_private.to_vec() }
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
        let cfg = config.get(&nb.name).clone();
        let Value::Object(m) = state else { return };
        if let Some(child) = m.get_mut(&nb.name) {
            for (c, cc) in children(nb.nesting, child, &cfg) {
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
        } else if !changed || a.has(&PlanModifier::UseStateForUnknown) {
            kept.clone()
        } else {
            Value::Unknown
        };
        state.set(&a.name, planned);
    }
    for nb in &block.blocks {
        let (cfg, pr) = (config.get(&nb.name).clone(), prior.get(&nb.name).clone());
        let Value::Object(m) = state else { return };
        if let Some(child) = m.get_mut(&nb.name) {
            let configs: Vec<Value> = match &cfg {
                Value::List(items) => items.clone(),
                other => vec![other.clone()],
            };
            for (i, (c, p)) in children(nb.nesting, child, &pr).into_iter().enumerate() {
                let cc = configs.get(i).unwrap_or(&Value::Null);
                fill_computed(&nb.block, p, cc, c, create, changed);
            }
        }
    }
}

fn replacements(block: &Block, prior: &Value, planned: &Value, at: &AttrPath, out: &mut Vec<AttrPath>) {
    for a in &block.attributes {
        if a.has(&PlanModifier::RequiresReplace) {
            let (p, n) = (prior.get(&a.name), planned.get(&a.name));
            if n.is_unknown() || (p != n && !prior.is_null()) {
                out.push(at.clone().attr(&a.name));
            }
        }
    }
    for nb in &block.blocks {
        let here = at.clone().attr(&nb.name);
        match (nb.nesting, prior.get(&nb.name), planned.get(&nb.name)) {
            (Nesting::Single | Nesting::Group, p, n) => replacements(&nb.block, p, n, &here, out),
            (Nesting::List, Value::List(ps), Value::List(ns)) => {
                for (i, (p, n)) in ps.iter().zip(ns).enumerate() {
                    let mut step = here.clone();
                    step.0.push(super::diag::Step::Index(i as i64));
                    replacements(&nb.block, p, n, &step, out);
                }
            }
            _ => {}
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
        let req = PlanRequest { prior, proposed, config, prior_private: b"kept", schema: s };
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
        assert_eq!(planned.private, b"kept");
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
}
