//! `oomnitza-docs --check-swagger`: the route-by-route report against the
//! Swagger document the simulator serves at `/api/v3/swagger.json`, whole
//! and with a route or a field taken out.

mod support;

use std::process::Command;

use oomnitza_api::routes;
use serde_json::Value;
use support::Sim;

fn check(doc: &Value) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("swagger.json");
    std::fs::write(&file, serde_json::to_vec(doc).unwrap()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_oomnitza-docs")).arg("--check-swagger").arg(&file).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    (o.status.code().unwrap_or(-1), text)
}

fn served(sim: &Sim) -> Value {
    let (status, doc) = sim.req(reqwest::Method::GET, "/api/v3/swagger.json", None);
    assert_eq!(status, 200, "{doc}");
    doc
}

#[test]
fn the_simulators_own_document_has_every_route() {
    let sim = Sim::start();
    let (code, text) = check(&served(&sim));
    assert_eq!(code, 0, "{text}");
    for r in routes::ALL {
        let line = text.lines().find(|l| l.contains(&format!(" {} ", r.label()))).unwrap_or_else(|| panic!("{text}"));
        assert!(line.starts_with("ok "), "{line}");
        assert!(line.contains(r.source.describe()), "{line}");
    }
    assert!(text.contains(&format!("{n} of {n} routes found; 0 missing", n = routes::ALL.len())), "{text}");
}

#[test]
fn a_missing_route_or_field_is_named() {
    let sim = Sim::start();
    let mut doc = served(&sim);
    doc["paths"]["/api/v3/auth/{id}/authorize"].as_object_mut().unwrap().remove("post");
    doc["definitions"]["Credential"]["properties"].as_object_mut().unwrap().remove("expiration_date");
    let (code, text) = check(&doc);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("MISSING  POST /api/v3/auth/{id}/authorize"), "{text}");
    assert!(text.contains("FIELDS   POST /api/v3/auth ") && text.contains("not described: expiration_date"), "{text}");
    assert!(text.contains("see docs/oomnitza-api.md"), "{text}");

    let (code, text) = check(&serde_json::json!({"openapi": "3.0.0"}));
    assert_eq!(code, 2, "{text}");
    assert!(text.contains("no \"paths\""), "{text}");
}
