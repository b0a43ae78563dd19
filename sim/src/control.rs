//! The simulator's test-only routes under `/_sim`: edits made "by hand"
//! in Oomnitza, rotations, what Jira accepts, the clock, faults, seeding,
//! the request log and the counters. They need the API token like `/api`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{atlassian, body, clock, faults, ApiError, Shared};

/// The `/_sim` routes (the caller adds the token check).
pub fn router() -> Router<Shared> {
    Router::new()
        .route("/_sim/credentials", get(sim_all))
        .route("/_sim/credentials/{id}", axum::routing::patch(sim_edit).delete(super::delete))
        .route("/_sim/credentials/{id}/rotate", post(sim_rotate))
        .route("/_sim/credentials/{id}/secret_check", post(sim_secret_check))
        .route("/_sim/credentials/{id}/oauth_status", post(sim_oauth_status))
        .route("/_sim/credentials/{id}/jira", post(sim_jira))
        .route("/_sim/atlassian/apps", post(atlassian::register_app))
        .route("/_sim/clock", post(sim_clock))
        .route("/_sim/requests", get(sim_requests))
        .route("/_sim/seed", post(sim_seed))
        .route("/_sim/faults", post(sim_faults))
        .route("/_sim/stats", get(sim_stats))
}

#[derive(Deserialize)]
struct JiraAccepts {
    accepts: bool,
}

async fn sim_jira(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Json(j): Json<JiraAccepts>,
) -> Result<Json<Value>, ApiError> {
    app.store.lock().await.set_jira_accepts(&id, j.accepts).map(Json)
}

async fn sim_edit(
    State(app): State<Shared>,
    Path(id): Path<String>,
    raw: bytes::Bytes,
) -> Result<Json<Value>, ApiError> {
    let b = body(&raw)?;
    app.store.lock().await.edit_out_of_band(&id, &b).map(Json)
}

async fn sim_rotate(State(app): State<Shared>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    app.store.lock().await.rotate(&id).map(Json)
}

async fn sim_all(State(app): State<Shared>) -> Json<Vec<Value>> {
    Json(app.store.lock().await.all())
}

#[derive(Deserialize)]
struct SecretCheck {
    value: String,
}

/// Whether the stored secret equals `value` (the secret itself is never answered).
async fn sim_secret_check(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Json(q): Json<SecretCheck>,
) -> Result<Json<Value>, ApiError> {
    let m = app.store.lock().await.secret_matches(&id, &q.value)?;
    Ok(Json(json!({ "matches": m })))
}

async fn sim_faults(State(app): State<Shared>, Json(f): Json<faults::FaultSpec>) -> Json<Value> {
    app.faults.set(f);
    Json(app.faults.describe())
}

/// The request log: `["GET /api/v3/auth?filter=...&sortby=created_at+asc&limit=100&skip=0", ...]`.
async fn sim_requests(State(app): State<Shared>) -> Json<Value> {
    let log: Vec<String> = app.requests.lock().map(|l| l.iter().cloned().collect()).unwrap_or_default();
    Json(json!(log))
}

#[derive(Deserialize)]
struct Seed {
    count: usize,
    name_prefix: String,
}

/// Makes `count` Basic Auth credentials at once, named `<prefix><n>`.
async fn sim_seed(State(app): State<Shared>, Json(s): Json<Seed>) -> Result<Json<Value>, ApiError> {
    let mut store = app.store.lock().await;
    for n in 0..s.count.min(100_000) {
        let body = json!({
            "name": format!("{}{n}", s.name_prefix), "saas": "jira", "auth_type": "basic",
            "basic": {"username": "seeded@example.com", "password": format!("seeded-{n}")}
        });
        store.create(&body, None)?;
    }
    Ok(Json(json!({ "credentials": store.len() })))
}

#[derive(Deserialize)]
struct OAuthStatus {
    status: String,
}

async fn sim_oauth_status(
    State(app): State<Shared>,
    Path(id): Path<String>,
    Json(s): Json<OAuthStatus>,
) -> Result<Json<Value>, ApiError> {
    app.store.lock().await.set_oauth_status(&id, &s.status).map(Json)
}

#[derive(Deserialize)]
struct Clock {
    advance_seconds: i64,
}

/// Lets time pass: expiry and refresh happen as if that much time had passed.
async fn sim_clock(State(app): State<Shared>, Json(c): Json<Clock>) -> Json<Value> {
    clock::advance(c.advance_seconds);
    atlassian::refresh_due(&app).await;
    Json(json!({ "now": clock::format(clock::now()) }))
}

async fn sim_stats(State(app): State<Shared>) -> Json<Value> {
    let mut s = app.faults.describe();
    s["credentials"] = json!(app.store.lock().await.len());
    Json(s)
}
