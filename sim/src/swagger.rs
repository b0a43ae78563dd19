//! The simulator's Swagger document, generated from the shared route table
//! as an Oomnitza instance serves its own: what `oomnitza-docs
//! --check-swagger` is tested against.

use axum::Json;
use serde_json::{json, Value};

/// A Swagger 2.0 document of the routes this simulator serves, as an
/// Oomnitza instance serves its own (Configuration > Integrations > REST APIs).
pub async fn serve() -> Json<Value> {
    Json(document(oomnitza_api::routes::ALL))
}

pub fn document(routes: &[oomnitza_api::Route]) -> Value {
    let mut paths = serde_json::Map::new();
    for r in routes {
        let params: Vec<Value> = match r.method {
            "GET" | "DELETE" => r.sends.iter().map(|p| json!({"name": p, "in": "query", "type": "string"})).collect(),
            _ if r.path == oomnitza_api::routes::REQUEST_TOKEN.path => {
                r.sends.iter().map(|p| json!({"name": p, "in": "formData", "type": "string"})).collect()
            }
            _ if r.sends.is_empty() => vec![],
            _ if r.sends == oomnitza_api::routes::CREATE.sends => {
                vec![json!({"name": "body", "in": "body", "schema": {"$ref": "#/definitions/Credential"}})]
            }
            _ => {
                let props: serde_json::Map<String, Value> =
                    r.sends.iter().map(|f| (f.to_string(), json!({}))).collect();
                vec![json!({"name": "body", "in": "body", "schema": {"type": "object", "properties": props}})]
            }
        };
        let mut params = params;
        if r.path.contains("{id}") {
            params.push(json!({"name": "id", "in": "path", "required": true, "type": "string"}));
        }
        let op = json!({ "summary": r.purpose, "parameters": params, "responses": {"200": {"description": "OK"}} });
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method.to_ascii_lowercase()] = op;
    }
    let fields = oomnitza_api::routes::CREATE.sends;
    let props: serde_json::Map<String, Value> = fields
        .iter()
        .map(|f| (f.to_string(), json!({"type": if matches!(*f, "basic" | "oauth2") { "object" } else { "string" }})))
        .collect();
    json!({
        "swagger": "2.0",
        "info": {"title": "oomnitza-sim", "version": env!("CARGO_PKG_VERSION")},
        "paths": paths,
        "definitions": {"Credential": {"type": "object", "properties": props}},
    })
}
