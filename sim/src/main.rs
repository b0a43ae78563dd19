//! `oomnitza-sim`: a local stand-in for Oomnitza's credentials API (see
//! `docs/oomnitza-api.md`), for tests, benchmarks and the quickstart.
//!
//! ```text
//! oomnitza-sim --listen 127.0.0.1:0 --token T [--read-only-token T2]
//!              [--username U --password P] [--data FILE]
//!              [--atlassian-app CLIENT_ID=SECRET]... [--tls-cert-out FILE]
//! ```
//! The first stdout line is `listening on http://127.0.0.1:<port>`.

mod atlassian;
mod clock;
mod faults;
mod store;
mod tls;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Json, Router};
use oomnitza_api::Filter;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use store::{ApiError, Store};

/// Command-line settings.
#[derive(Clone, Debug, Default)]
struct Args {
    listen: Option<SocketAddr>,
    token: String,
    read_only_token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    data: Option<PathBuf>,
    /// Atlassian apps (client id, secret) whose secret is checked.
    atlassian_apps: Vec<(String, String)>,
    /// Serve HTTPS, writing the CA's PEM here.
    tls_cert_out: Option<PathBuf>,
    quiet: bool,
}

const USAGE: &str = "usage: oomnitza-sim --listen 127.0.0.1:0 --token TOKEN [--read-only-token TOKEN] [--username U --password P] [--data FILE] [--atlassian-app CLIENT_ID=SECRET]... [--tls-cert-out FILE] [--quiet]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--listen" => a.listen = Some(val()?.parse().map_err(|e| format!("--listen: {e}"))?),
            "--token" => a.token = val()?,
            "--read-only-token" => a.read_only_token = Some(val()?),
            "--username" => a.username = Some(val()?),
            "--password" => a.password = Some(val()?),
            "--data" => a.data = Some(PathBuf::from(val()?)),
            "--atlassian-app" => {
                let v = val()?;
                let (id, secret) = v.split_once('=').ok_or("--atlassian-app takes CLIENT_ID=SECRET")?;
                a.atlassian_apps.push((id.to_string(), secret.to_string()));
            }
            "--tls-cert-out" => a.tls_cert_out = Some(PathBuf::from(val()?)),
            "--quiet" => a.quiet = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if a.token.is_empty() {
        return Err(format!("--token is required\n{USAGE}"));
    }
    Ok(a)
}

pub struct App {
    args: Args,
    store: Mutex<Store>,
    faults: faults::Faults,
    atlassian: std::sync::Mutex<atlassian::Atlassian>,
    /// The proxy's HTTP client (no redirects, as OAuth clients should).
    http: reqwest::Client,
    /// `http://127.0.0.1:PORT`, known once the listener is bound.
    base_url: std::sync::OnceLock<String>,
    /// The latest API requests, oldest first, for tests that check what a
    /// client asked and in which order.
    requests: std::sync::Mutex<std::collections::VecDeque<String>>,
}

/// How many requests the request log keeps.
const REQUEST_LOG: usize = 10_000;

impl App {
    fn base_url(&self) -> &str {
        self.base_url.get().map(String::as_str).unwrap_or_default()
    }
}

/// Compares secrets without leaking, through timing, how much of a guess matched.
fn constant_time_eq(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq as _;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

type Shared = Arc<App>;

/// Which token a request carried.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    ReadWrite,
    ReadOnly,
}

fn role(app: &App, headers: &HeaderMap) -> Option<Role> {
    let got = headers.get("Authorization2")?.to_str().ok()?;
    if constant_time_eq(got, &app.args.token) {
        Some(Role::ReadWrite)
    } else if app.args.read_only_token.as_deref().is_some_and(|t| constant_time_eq(got, t)) {
        Some(Role::ReadOnly)
    } else {
        None
    }
}

fn error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// Checks the token for every API and `/_sim` route.
async fn auth(State(app): State<Shared>, req: Request, next: Next) -> Response {
    match role(&app, req.headers()) {
        None => error(StatusCode::UNAUTHORIZED, "missing or invalid Authorization2 token"),
        Some(Role::ReadOnly) if req.method() != Method::GET => {
            error(StatusCode::FORBIDDEN, "this token's role may read but not write credentials")
        }
        Some(_) => next.run(req).await,
    }
}

/// Logs method, path and status; never headers or bodies. API requests
/// (with their query) also go to the request log of `GET /_sim/requests`.
async fn access_log(State(app): State<Shared>, req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    if path.starts_with("/api/") {
        if let Ok(mut log) = app.requests.lock() {
            if log.len() == REQUEST_LOG {
                log.pop_front();
            }
            let query = req.uri().query().map(|q| format!("?{q}")).unwrap_or_default();
            log.push_back(format!("{method} {path}{query}"));
        }
    }
    let resp = next.run(req).await;
    if !app.args.quiet {
        eprintln!("{method} {path} -> {}", resp.status().as_u16());
    }
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Invalid(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({ "errors": errors.iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>() })),
            )
                .into_response(),
            ApiError::NotFound => error(StatusCode::NOT_FOUND, "no such credential"),
            ApiError::Conflict(m) => error(StatusCode::CONFLICT, &m),
            ApiError::BadRequest(m) => (
                StatusCode::BAD_REQUEST,
                Json(json!({ "errors": [{"field": "", "message": m}] })),
            )
                .into_response(),
            ApiError::Storage(m) => error(StatusCode::INTERNAL_SERVER_ERROR, &m),
        }
    }
}

/// JSON bodies: a malformed one is a 400 in the contract's error shape.
fn body(raw: &bytes::Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(raw).map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

async fn create(State(app): State<Shared>, headers: HeaderMap, raw: bytes::Bytes) -> Result<Response, ApiError> {
    let b = body(&raw)?;
    let key = headers.get("Idempotency-Key").and_then(|v| v.to_str().ok()).map(String::from);
    let cred = app.store.lock().await.create(&b, key.as_deref())?;
    Ok((StatusCode::CREATED, Json(cred)).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    filter: Option<String>,
    sortby: Option<String>,
    limit: Option<usize>,
    skip: Option<usize>,
}

/// A listing in Oomnitza's style. A filter or sort it does not understand,
/// or a parameter it does not know, is a 400 that says why: a client bug
/// must not pass as "nothing found".
async fn list(
    State(app): State<Shared>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let filter = match q.filter.as_deref() {
        Some(f) => Filter::parse(f).map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => Filter::new(),
    };
    let sort = q.sortby.as_deref().map(store::SortBy::parse).transpose()?;
    let limit = q.limit.unwrap_or(100).min(1000);
    Ok(Json(app.store.lock().await.list(&filter, sort.as_ref(), q.skip.unwrap_or(0), limit)))
}

async fn request_auth(
    State(app): State<Shared>,
    Path(id): Path<String>,
    raw: bytes::Bytes,
) -> Result<Json<Value>, ApiError> {
    let b = body(&raw)?;
    app.store.lock().await.request_auth(&id, &b).map(Json)
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

fn jira_unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, Json(json!({"message": "Client must be authenticated to access this resource."})))
        .into_response()
}

/// Jira's `GET /rest/api/3/myself` on a site, with Basic authentication
/// (the email and API token).
async fn jira_myself(State(app): State<Shared>, headers: HeaderMap) -> Response {
    use base64::Engine as _;
    let basic = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let Some((email, token)) = basic.as_deref().and_then(|b| b.split_once(':')) else { return jira_unauthorized() };
    match app.store.lock().await.jira_basic(email, token) {
        Some(account) => Json(account).into_response(),
        None => jira_unauthorized(),
    }
}

/// Atlassian's `GET /ex/jira/{cloudid}/rest/api/3/myself` with a Bearer token.
async fn jira_myself_oauth(State(app): State<Shared>, Path(cloud): Path<String>, headers: HeaderMap) -> Response {
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
        None => jira_unauthorized(),
    }
}

/// Oomnitza's cheap request that proves a token: any JSON answer will do.
async fn token_check() -> Json<Value> {
    Json(json!([]))
}

/// A Swagger 2.0 document of the routes this simulator serves, as an
/// Oomnitza instance serves its own (Configuration > Integrations > REST APIs).
async fn swagger() -> Json<Value> {
    Json(swagger_document(oomnitza_api::routes::ALL))
}

fn swagger_document(routes: &[oomnitza_api::Route]) -> Value {
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

async fn read(State(app): State<Shared>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    app.store.lock().await.get(&id).map(Json)
}

async fn patch(State(app): State<Shared>, Path(id): Path<String>, raw: bytes::Bytes) -> Result<Json<Value>, ApiError> {
    let b = body(&raw)?;
    app.store.lock().await.patch(&id, &b).map(Json)
}

async fn delete(State(app): State<Shared>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    app.store.lock().await.delete(&id).map(|_| StatusCode::NO_CONTENT)
}

async fn authorize(State(app): State<Shared>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    app.store.lock().await.authorize(&id).map(Json)
}

#[derive(Deserialize)]
struct Login {
    login: String,
    password: String,
}

async fn request_token(State(app): State<Shared>, Form(l): Form<Login>) -> Response {
    let ok = app.args.username.as_deref() == Some(l.login.as_str())
        && app.args.password.as_deref() == Some(l.password.as_str());
    if ok {
        Json(json!({ "token": app.args.token })).into_response()
    } else {
        error(StatusCode::UNAUTHORIZED, "invalid login or password")
    }
}

// ---- test-only routes under /_sim ----

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

fn router(app: Shared) -> Router {
    use oomnitza_api::routes as r;
    // The client's route table, route by route; signing in needs no token.
    let mut api = Router::new().route("/api/v3/swagger.json", get(swagger));
    let mut open = Router::new();
    for route in r::ALL {
        let handler: MethodRouter<Shared> = match *route {
            r::CREATE => post(create),
            r::LIST => get(list),
            r::READ => get(read),
            r::UPDATE => axum::routing::patch(patch),
            r::DELETE => axum::routing::delete(delete),
            r::AUTHORIZE => post(authorize),
            r::TOKEN_CHECK => get(token_check),
            r::SECRET => post(request_auth),
            r::REQUEST_TOKEN => {
                open = open.route(route.path, post(request_token));
                continue;
            }
            _ => panic!("the simulator does not serve {} yet", route.label()),
        };
        api = api.route(route.path, handler);
    }
    let api = api
        .layer(middleware::from_fn_with_state(app.clone(), faults::inject))
        .layer(middleware::from_fn_with_state(app.clone(), auth));
    let sim = Router::new()
        .route("/_sim/credentials", get(sim_all))
        .route("/_sim/credentials/{id}", axum::routing::patch(sim_edit).delete(delete))
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
        .layer(middleware::from_fn_with_state(app.clone(), auth));
    // Atlassian's pages and endpoints, and Oomnitza's OAuth callback: no
    // Oomnitza token (a browser and an OAuth client call them).
    let oauth = Router::new()
        .route("/_atlassian/authorize", get(atlassian::consent_page).post(atlassian::decide))
        .route("/_atlassian/oauth/token", post(atlassian::token_endpoint))
        .route("/_atlassian/oauth/token/accessible-resources", get(atlassian::accessible_resources))
        .route("/oauth2/redirect_url", get(atlassian::callback))
        // Jira itself, on the simulator's own address as the site.
        .route("/rest/api/3/myself", get(jira_myself))
        .route("/ex/jira/{cloud}/rest/api/3/myself", get(jira_myself_oauth));
    open.merge(oauth)
        .merge(api)
        .merge(sim)
        .layer(middleware::from_fn_with_state(app.clone(), access_log))
        .with_state(app)
}

/// What `--help` prints: every flag, one line each (docs/simulator.md says
/// more, and a test keeps the two in step).
const HELP: &str = "oomnitza-sim: a local stand-in for Oomnitza's credentials API, its OAuth proxy and Atlassian

usage: oomnitza-sim --listen 127.0.0.1:0 --token TOKEN [flags]

  --listen ADDR                 where to listen (port 0: a free one); the first stdout line says where
  --token TOKEN                 the API token (Authorization2) for /api and /_sim; required
  --read-only-token TOKEN       a token whose role may read but not write credentials (403 on writes)
  --username U --password P     the login that POST /api/request_token exchanges for TOKEN
  --data FILE                   keep credentials (and idempotency keys) in FILE across restarts
  --atlassian-app ID=SECRET     an Atlassian OAuth app the consent page knows; repeatable
  --tls-cert-out FILE           serve https with a fresh self-signed CA, written to FILE (PEM)
  --quiet                       no access log on stderr
  --help                        this text";

fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let store = match Store::open(args.data.clone()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("oomnitza-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("oomnitza-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let addr = args.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let mut atlassian = atlassian::Atlassian::default();
    for (id, secret) in &args.atlassian_apps {
        atlassian.register(id, secret);
    }
    let http = match reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("oomnitza-sim: {e}");
            return ExitCode::from(1);
        }
    };
    let tls = match &args.tls_cert_out {
        Some(path) => match tls::server_config() {
            Ok((config, ca_pem)) => {
                if let Err(e) = std::fs::write(path, ca_pem) {
                    eprintln!("oomnitza-sim: cannot write {}: {e}", path.display());
                    return ExitCode::from(1);
                }
                Some(tokio_rustls::TlsAcceptor::from(config))
            }
            Err(e) => {
                eprintln!("oomnitza-sim: TLS: {e}");
                return ExitCode::from(1);
            }
        },
        None => None,
    };
    let result: std::io::Result<()> = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let base = format!("{scheme}://{}", listener.local_addr()?);
        let mut store = store;
        store.consent_base = base.clone();
        let app = Arc::new(App {
            args,
            store: Mutex::new(store),
            faults: faults::Faults::default(),
            atlassian: std::sync::Mutex::new(atlassian),
            http,
            base_url: std::sync::OnceLock::from(base.clone()),
            requests: std::sync::Mutex::new(std::collections::VecDeque::new()),
        });
        // Oomnitza refreshes OAuth tokens in the background.
        let refresher = app.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                tick.tick().await;
                atlassian::refresh_due(&refresher).await;
            }
        });
        println!("listening on {base}");
        use std::io::Write as _;
        let _ = std::io::stdout().flush();
        let stop = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        match tls {
            Some(acceptor) => {
                axum::serve(tls::TlsListener { tcp: listener, acceptor }, router(app))
                    .with_graceful_shutdown(stop)
                    .await
            }
            None => axum::serve(listener, router(app)).with_graceful_shutdown(stop).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oomnitza-sim: {e}");
            ExitCode::from(1)
        }
    }
}
