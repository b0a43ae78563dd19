//! The msgpack decoder on arbitrary bytes, typed by the resource's real
//! schema: it must answer a value or an error, never panic, never hang,
//! never allocate what the input only claims.
//!
//!     cargo +nightly fuzz run msgpack      (from the repository's root)
#![no_main]

use libfuzzer_sys::fuzz_target;
use oomnitza_provider::framework::{Resource, Type, Value};
use oomnitza_provider::jira_credential::JiraCredential;

fuzz_target!(|data: &[u8]| {
    let ty = JiraCredential.schema().value_type();
    if let Ok(v) = Value::from_msgpack(data, &ty) {
        // What decodes must encode and decode to itself.
        assert_eq!(Value::from_msgpack(&v.to_msgpack(&ty), &ty).ok(), Some(v));
    }
    let _ = Value::from_msgpack(data, &Type::Dynamic);
    let _ = Value::from_json_bytes(data, &ty);
});
