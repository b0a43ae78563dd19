//! `oomnitza-sim`: a local stand-in for Oomnitza's credentials API (see
//! `docs/oomnitza-api.md`), for tests, benchmarks and the quickstart.
//!
//! ```text
//! oomnitza-sim --listen 127.0.0.1:0 --token T [--read-only-token T2]
//!              [--username U --password P] [--data FILE]
//!              [--atlassian-app CLIENT_ID=SECRET]... [--tls-cert-out FILE]
//! ```
//! The first stdout line is `listening on http://127.0.0.1:<port>`.

mod args;
mod atlassian;
mod clock;
mod control;
mod faults;
mod jira_site;
mod store;
mod swagger;
mod tls;

use std::net::SocketAddr;
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

use args::{parse_args, Args, HELP};
use store::{ApiError, Store};

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

/// Oomnitza's cheap request that proves a token: any JSON answer will do.
async fn token_check() -> Json<Value> {
    Json(json!([]))
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

fn router(app: Shared) -> Router {
    use oomnitza_api::routes as r;
    // The client's route table, route by route; signing in needs no token.
    let mut api = Router::new().route("/api/v3/swagger.json", get(swagger::serve));
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
    let sim = control::router().layer(middleware::from_fn_with_state(app.clone(), auth));
    // Atlassian's pages and endpoints, and Oomnitza's OAuth callback: no
    // Oomnitza token (a browser and an OAuth client call them).
    let oauth = Router::new()
        .route("/_atlassian/authorize", get(atlassian::consent_page).post(atlassian::decide))
        .route("/_atlassian/oauth/token", post(atlassian::token_endpoint))
        .route("/_atlassian/oauth/token/accessible-resources", get(atlassian::accessible_resources))
        .route("/oauth2/redirect_url", get(atlassian::callback))
        // Jira itself, on the simulator's own address as the site.
        .route("/rest/api/3/myself", get(jira_site::myself))
        .route("/ex/jira/{cloud}/rest/api/3/myself", get(jira_site::myself_oauth));
    open.merge(oauth)
        .merge(api)
        .merge(sim)
        .layer(middleware::from_fn_with_state(app.clone(), access_log))
        .with_state(app)
}

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
