//! Hostile input from Terraform's side: random, truncated and deeply nested
//! bytes and values through the decoders, typed by the resource's real
//! schema, and whatever decodes through the resource's validate and plan.
//! Nothing may panic; what is well formed must round-trip.

use oomnitza_provider::framework::{Diagnostics, PlanRequest, PrivateState, Resource, Type, Value};
use oomnitza_provider::jira_credential::JiraCredential;
use proptest::prelude::*;

fn resource_type() -> Type {
    JiraCredential.schema().value_type()
}

/// Any value of type `ty`: null, unknown, or one of its shape with random
/// leaves (strings with odd characters, big and negative numbers).
fn value_of(ty: Type, depth: u32) -> BoxedStrategy<Value> {
    let leaf = match &ty {
        Type::String => prop_oneof![".*".prop_map(Value::String), Just(Value::string(""))].boxed(),
        Type::Number => prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::Number),
            Just(Value::Number(1.0))
        ]
        .boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(e) | Type::Set(e) if depth > 0 => {
            proptest::collection::vec(value_of((**e).clone(), depth - 1), 0..4).prop_map(Value::List).boxed()
        }
        Type::Map(e) if depth > 0 => {
            proptest::collection::btree_map("[a-z]{1,6}", value_of((**e).clone(), depth - 1), 0..3)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) if depth > 0 => {
            let fields: Vec<_> = attrs.iter().map(|(k, t)| (Just(k.clone()), value_of(t.clone(), depth - 1))).collect();
            fields.prop_map(|kv| Value::Object(kv.into_iter().collect())).boxed()
        }
        _ => Just(Value::Null).boxed(),
    };
    prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => leaf].boxed()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_values_round_trip(v in value_of(resource_type(), 4)) {
        let ty = resource_type();
        let bytes = v.to_msgpack(&ty);
        prop_assert_eq!(Value::from_msgpack(&bytes, &ty).unwrap(), v);
    }

    #[test]
    fn every_truncation_is_an_error(v in value_of(resource_type(), 4), cut in any::<prop::sample::Index>()) {
        let ty = resource_type();
        let bytes = v.to_msgpack(&ty);
        if bytes.len() > 1 {
            let at = cut.index(bytes.len() - 1);
            prop_assert!(Value::from_msgpack(&bytes[..at], &ty).is_err());
        }
    }

    #[test]
    fn random_bytes_and_json_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), text in ".{0,200}") {
        let ty = resource_type();
        let _ = Value::from_msgpack(&bytes, &ty);
        let _ = Value::from_json_bytes(&bytes, &ty);
        let _ = Value::from_json_bytes(text.as_bytes(), &ty);
    }

    /// Configurations and states of any shape: validate and plan answer
    /// diagnostics, never a panic, and a plan keeps the configured values.
    #[test]
    fn validate_and_plan_never_panic(config in value_of(resource_type(), 4), prior in value_of(resource_type(), 4), private in proptest::collection::vec(any::<u8>(), 0..32)) {
        let r = JiraCredential;
        let schema = r.schema();
        let mut d = Diagnostics::new();
        r.validate(&config, &mut d);
        if config.is_null() || config.is_unknown() {
            return Ok(());
        }
        let prior = if prior.is_unknown() { Value::Null } else { prior };
        let planned = r.plan(PlanRequest { prior: &prior, proposed: &config, config: &config, prior_private: &PrivateState::from_bytes(&private), schema: &schema }, &mut d);
        prop_assert_eq!(planned.state.get("name"), config.get("name"));
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // Well-formed values of a well-formed type, only too deep: the decoders
    // must refuse them for their depth, not for a syntax error.
    let depth = 10_000;
    let mut ty = Type::String;
    for _ in 0..depth {
        ty = Type::List(Box::new(ty));
    }
    let mut msgpack = vec![0x91u8; depth];
    msgpack.extend_from_slice(&[0xa1, b'x']);
    let json = format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth));
    for result in [Value::from_msgpack(&msgpack, &ty), Value::from_json_bytes(json.as_bytes(), &ty)] {
        let e = result.expect_err("too deep");
        assert!(e.to_string().contains("deeper than"), "refused for its depth, not its syntax: {e}");
    }
    // Shallow enough, the same shapes decode.
    let mut shallow = Type::String;
    for _ in 0..8 {
        shallow = Type::List(Box::new(shallow));
    }
    let mut ok = vec![0x91u8; 8];
    ok.extend_from_slice(&[0xa1, b'x']);
    assert!(Value::from_msgpack(&ok, &shallow).is_ok());
    let json = format!("{}\"x\"{}", "[".repeat(8), "]".repeat(8));
    assert!(Value::from_json_bytes(json.as_bytes(), &shallow).is_ok());
    // And where the schema says Dynamic (a pair: the type as JSON, then
    // the value), well-formed and terminated, refused for its depth: a
    // value whose own type nests 100 lists, and 10,000 dynamic values each
    // inside the last. The same shapes 8 deep decode.
    let dynamic_list = |levels: usize| {
        let mut ty = "\"string\"".to_string();
        for _ in 0..levels {
            ty = format!("[\"list\",{ty}]");
        }
        let mut m = vec![0x92u8, 0xda];
        m.extend_from_slice(&u16::try_from(ty.len()).unwrap().to_be_bytes());
        m.extend_from_slice(ty.as_bytes());
        m.extend(std::iter::repeat_n(0x91u8, levels));
        m.extend_from_slice(&[0xa1, b'x']);
        m
    };
    let dynamic_in_dynamic = |levels: usize| {
        let mut m = Vec::new();
        for _ in 0..levels {
            m.extend_from_slice(&[0x92, 0xa9]);
            m.extend_from_slice(b"\"dynamic\"");
        }
        m.extend_from_slice(&[0x92, 0xa8]);
        m.extend_from_slice(b"\"string\"");
        m.extend_from_slice(&[0xa1, b'x']);
        m
    };
    for deep in [dynamic_list(100), dynamic_in_dynamic(10_000)] {
        let e = Value::from_msgpack(&deep, &Type::Dynamic).expect_err("too deep");
        assert!(e.to_string().contains("deeper than"), "refused for its depth, not its syntax: {e}");
    }
    for shallow in [dynamic_list(8), dynamic_in_dynamic(8)] {
        assert!(Value::from_msgpack(&shallow, &Type::Dynamic).is_ok());
    }
}
