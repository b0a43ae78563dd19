//! Jira itself, on the simulator's own address as the site: who a Basic or
//! OAuth request authenticates as, or 401 as Jira answers it.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::Shared;

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"message": "Client must be authenticated to access this resource."})))
        .into_response()
}

/// Jira's `GET /rest/api/3/myself` on a site, with Basic authentication
/// (the email and API token).
pub async fn myself(State(app): State<Shared>, headers: HeaderMap) -> Response {
    use base64::Engine as _;
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((email, token)) = basic.as_deref().and_then(|b| b.split_once(':')) else { return unauthorized() };
    match app.store.lock().await.jira_basic(email, token) {
        Some(account) => Json(account).into_response(),
        None => unauthorized(),
    }
}

/// Atlassian's `GET /ex/jira/{cloudid}/rest/api/3/myself` with a Bearer token.
pub async fn myself_oauth(State(app): State<Shared>, Path(cloud): Path<String>, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let account = match bearer {
        Some(t) => app.store.lock().await.jira_bearer(t, &cloud),
        None => None,
    };
    match account {
        Some(account) => Json(account).into_response(),
        None => unauthorized(),
    }
}
