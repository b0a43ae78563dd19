//! Compares the routes the client uses ([`oomnitza_api::routes::ALL`]) with
//! an Oomnitza instance's Swagger document (Configuration > Integrations >
//! REST APIs), route by route: is the method and path there, and are the
//! body fields or query parameters the client sends described? It reads
//! Swagger 2.0 (`basePath`, `definitions`, `in: body|formData|query`) and
//! OpenAPI 3 (`servers`, `components/schemas`, `requestBody`).

use oomnitza_api::Route;
use serde_json::Value;

/// What the document says of one route.
#[derive(Debug, PartialEq)]
pub enum Found {
    /// The method and path are there, and every field sent is described.
    Ok,
    /// No such method and path.
    Missing,
    /// There, but these fields are not described.
    FieldsMissing(Vec<&'static str>),
    /// There, but its body has no schema to check the fields against.
    FieldsUnchecked,
}

#[derive(Debug)]
pub struct RouteReport {
    pub route: Route,
    pub found: Found,
}

/// Checks every route of `routes` against the document.
pub fn check(doc: &Value, routes: &[Route]) -> Result<Vec<RouteReport>, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("this is not a Swagger or OpenAPI document: it has no \"paths\" object")?;
    let prefix = base_path(doc);
    Ok(routes
        .iter()
        .map(|r| {
            let item = paths.iter().find(|(p, _)| same_path(&format!("{prefix}{p}"), r.path)).map(|(_, v)| v);
            let op = item.and_then(|i| i.get(r.method.to_ascii_lowercase()));
            let found = match (item, op) {
                (Some(item), Some(op)) => fields(doc, item, op, r),
                _ => Found::Missing,
            };
            RouteReport { route: *r, found }
        })
        .collect())
}

/// Whether the route table is wholly there.
pub fn all_found(reports: &[RouteReport]) -> bool {
    reports.iter().all(|r| matches!(r.found, Found::Ok | Found::FieldsUnchecked))
}

/// The report people read: one line a route, then a summary.
pub fn report(reports: &[RouteReport]) -> String {
    let width = reports.iter().map(|r| r.route.label().len()).max().unwrap_or(0);
    let mut out = String::new();
    for r in reports {
        let (mark, note) = match &r.found {
            Found::Ok => ("ok", String::new()),
            Found::Missing => ("MISSING", " - not in this document".to_string()),
            Found::FieldsMissing(f) => ("FIELDS", format!(" - not described: {}", f.join(", "))),
            Found::FieldsUnchecked => ("ok?", " - there, but its body has no schema to check fields against".into()),
        };
        out.push_str(&format!("{mark:<8} {:<width$}  ({}){note}\n", r.route.label(), r.route.source.describe()));
    }
    let missing = reports.iter().filter(|r| r.found == Found::Missing).count();
    let fields = reports.iter().filter(|r| matches!(r.found, Found::FieldsMissing(_))).count();
    out.push_str(&format!(
        "{} of {} routes found; {missing} missing; {fields} with fields not described.\n",
        reports.len() - missing,
        reports.len()
    ));
    out
}

/// The path prefix every path of the document sits under.
fn base_path(doc: &Value) -> String {
    let raw = doc
        .get("basePath")
        .and_then(Value::as_str)
        .or_else(|| doc.pointer("/servers/0/url").and_then(Value::as_str))
        .unwrap_or("");
    // An OpenAPI server URL may be absolute: keep its path.
    let path = match raw.find("://") {
        Some(i) => raw[i + 3..].find('/').map(|j| &raw[i + 3 + j..]).unwrap_or(""),
        None => raw,
    };
    path.trim_end_matches('/').to_string()
}

/// Paths are the same when they differ only in the names of their
/// parameters (`{id}`, `{credential_id}`) and a trailing slash.
fn same_path(a: &str, b: &str) -> bool {
    fn shape(p: &str) -> Vec<&str> {
        p.trim_end_matches('/')
            .split('/')
            .map(|s| if s.starts_with('{') && s.ends_with('}') { "{}" } else { s })
            .collect()
    }
    shape(a) == shape(b)
}

/// Checks the fields `route` sends against the operation's parameters
/// (and the path item's) or its body's schema.
fn fields(doc: &Value, item: &Value, op: &Value, route: &Route) -> Found {
    let params: Vec<&Value> = [item, op]
        .iter()
        .flat_map(|v| v.get("parameters").and_then(Value::as_array).into_iter().flatten())
        .map(|p| resolve(doc, p))
        .collect();
    let named = |place: &str| -> Vec<String> {
        params
            .iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some(place))
            .filter_map(|p| p.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    };
    let described: Option<Vec<String>> = if route.sends.is_empty() {
        return Found::Ok;
    } else if matches!(route.method, "GET" | "DELETE") {
        Some(named("query"))
    } else {
        let mut names = named("formData");
        let body_schema = params
            .iter()
            .find(|p| p.get("in").and_then(Value::as_str) == Some("body"))
            .and_then(|p| p.get("schema"))
            .or_else(|| {
                op.pointer("/requestBody/content")
                    .and_then(Value::as_object)
                    .and_then(|c| c.values().find_map(|m| m.get("schema")))
            });
        match body_schema {
            Some(s) => names.extend(properties(doc, s, 0)),
            None if names.is_empty() => return Found::FieldsUnchecked,
            None => {}
        }
        Some(names)
    };
    let described = described.unwrap_or_default();
    let missing: Vec<&'static str> =
        route.sends.iter().copied().filter(|f| !described.iter().any(|d| d == f)).collect();
    if missing.is_empty() {
        Found::Ok
    } else {
        Found::FieldsMissing(missing)
    }
}

/// Follows a local `$ref` (`#/definitions/X`, `#/components/schemas/X`).
fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(v),
        None => v,
    }
}

/// The property names of a schema, through `$ref` and `allOf`.
fn properties(doc: &Value, schema: &Value, depth: usize) -> Vec<String> {
    if depth > 16 {
        return Vec::new();
    }
    let s = resolve(doc, schema);
    let mut names: Vec<String> =
        s.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default();
    for part in s.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        names.extend(properties(doc, part, depth + 1));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use oomnitza_api::routes;
    use serde_json::json;

    #[test]
    fn reads_openapi_3_with_a_server_path_and_other_parameter_names() {
        let doc = json!({
            "openapi": "3.0.0",
            "servers": [{"url": "https://example.oomnitza.com/api/v3/"}],
            "paths": {
                "/auth/{credential_id}": {"get": {}, "patch": {"requestBody": {"content": {"application/json": {
                    "schema": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"basic": {}, "oauth2": {}, "api_key": {}}}]}
                }}}}},
                "/auth/": {"get": {"parameters": [
                    {"name": "filter", "in": "query"}, {"name": "limit", "in": "query"},
                    {"$ref": "#/components/parameters/skip"}
                ]}}
            },
            "components": {
                "schemas": {"Base": {"properties": {"name": {}, "owner": {}, "description": {}, "saas": {}, "auth_type": {}}}},
                "parameters": {"skip": {"name": "skip", "in": "query"}}
            }
        });
        let r = check(&doc, &[routes::READ, routes::UPDATE, routes::LIST, routes::DELETE]).unwrap();
        assert_eq!(r[0].found, Found::Ok);
        assert_eq!(r[1].found, Found::FieldsMissing(vec!["expiration_date"]));
        assert_eq!(r[2].found, Found::FieldsMissing(vec!["sortby"]));
        assert_eq!(r[3].found, Found::Missing);
        assert!(!all_found(&r));
        let text = report(&r);
        assert!(text.contains("MISSING  DELETE /api/v3/auth/{id}"), "{text}");
        assert!(text.contains("not described: sortby"), "{text}");
        assert!(text.contains("3 of 4 routes found; 1 missing; 2 with fields not described."), "{text}");
    }

    #[test]
    fn refuses_what_is_not_a_swagger_document() {
        assert!(check(&json!({"hello": 1}), routes::ALL).unwrap_err().contains("no \"paths\""));
    }
}
