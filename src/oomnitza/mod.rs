//! The Oomnitza client: the one place that knows Oomnitza's HTTP routes,
//! headers and error bodies (see `docs/oomnitza-api.md`).
//!
//! One `Client` per configured provider shares one connection pool. Idempotent
//! calls retry on 429 (honouring `Retry-After`), 5xx and connection errors with
//! exponential backoff and full jitter. Each create carries an
//! `Idempotency-Key` of its own, reused only by its own retries, and is
//! written to the working directory's create journal first (`journal`), so
//! that a flaky network leaves no duplicate and a crash leaves nothing that
//! a later create of the same configuration cannot prove is its own.

pub mod error;
pub mod journal;
pub mod model;
pub mod swagger;

use std::time::Duration;

use oomnitza_api::routes::{self, Route};
use oomnitza_api::Filter;
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};
use url::Url;

pub use error::{ApiError, Cause};
pub use model::*;

use crate::secret::Secret;

/// How the client proves who it is.
#[derive(Clone, Debug)]
pub enum Auth {
    /// An API token, sent as `Authorization2: <token>`.
    Token(Secret),
    /// Exchanged once for a token at `POST /api/request_token`.
    Login { username: String, password: Secret },
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The instance, e.g. `https://example.oomnitza.com`.
    pub base_url: Url,
    pub auth: Auth,
    /// Limit for one HTTP exchange.
    pub request_timeout: Duration,
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// First backoff step; doubles each retry, capped at `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Fires when Terraform asks the provider to stop.
    pub cancel: CancellationToken,
    /// Extra CA certificates (PEM) to trust, for Oomnitza behind TLS inspection.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// The create journal's directory (this working directory's and
    /// workspace's); `None` keeps no journal.
    pub journal_dir: Option<std::path::PathBuf>,
    /// Not for HTTP: the provider's `expiry_warning_days`, which the
    /// resources read through the client they are given.
    pub expiry_warning_days: u32,
}

impl ClientConfig {
    pub fn new(base_url: Url, auth: Auth) -> Self {
        ClientConfig {
            base_url,
            auth,
            request_timeout: Duration::from_secs(30),
            max_retries: 5,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(20),
            cancel: CancellationToken::new(),
            extra_ca_pem: None,
            journal_dir: None,
            expiry_warning_days: 30,
        }
    }
}

pub struct Client {
    http: reqwest::Client,
    cfg: ClientConfig,
    token: OnceCell<Secret>,
    /// Set once Oomnitza has answered this client's token with a success.
    signed_in: std::sync::atomic::AtomicBool,
    /// The answer of [`Client::check_sign_in`]'s one request.
    sign_in_check: OnceCell<Result<(), ApiError>>,
    journal: journal::Journal,
    /// Credentials this client created or adopted in this process.
    made: std::sync::Mutex<std::collections::HashSet<String>>,
    /// Creates of each name whose answer has not arrived yet, and a signal
    /// for when one arrives: a credential of that name that appears
    /// meanwhile may be a sibling's of this very run.
    creating: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    answered: tokio::sync::Notify,
}

/// What [`Client::create`] made, or took over from an earlier create of this
/// working directory and workspace that died before Terraform heard of it.
#[derive(Debug)]
pub struct Created {
    pub credential: Credential,
    /// Made by an interrupted earlier create (proven by its journal entry):
    /// adopted, not made twice.
    pub adopted: bool,
    /// The create's journal entry: [`journal::Entry::finish`] it once the
    /// answer is handed to Terraform.
    pub entry: journal::Entry,
}

/// A digest of what a create makes, everything but its secret: how the
/// journal recognises an earlier create of the same resource.
fn content_digest(new: &NewCredential) -> String {
    use sha2::Digest as _;
    let mut v = serde_json::to_value(new).unwrap_or_default();
    for (section, secret) in [("basic", "password"), ("oauth2", "client_secret")] {
        if let Some(o) = v.get_mut(section).and_then(|s| s.as_object_mut()) {
            o.remove(secret);
        }
    }
    let mut hasher = sha2::Sha256::new();
    let _ = serde_json::to_writer(&mut hasher, &v); // writing into a digest cannot fail
    let digest = hasher.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    format!("{:032x}", u128::from_be_bytes(first))
}

/// An error after which the create surely made nothing: its journal entry
/// can go. After any other (a timeout, a broken connection, a 5xx) the
/// credential may exist, and the entry stays for the next create to resolve.
fn surely_not_made(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Unauthorized { .. }
            | ApiError::Forbidden { .. }
            | ApiError::NotFound { .. }
            | ApiError::Conflict { .. }
            | ApiError::Validation { .. }
            | ApiError::RateLimited { .. }
    ) || matches!(e, ApiError::Unreachable { cause, .. } if !matches!(cause, Cause::TimedOut | Cause::Connection))
}

/// A create in flight, counted by name until dropped.
struct InFlight<'a> {
    client: &'a Client,
    name: String,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Ok(mut m) = self.client.creating.lock() {
            if let Some(n) = m.get_mut(&self.name) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    m.remove(&self.name);
                }
            }
        }
        self.client.answered.notify_waiters();
    }
}

/// Page size for listing credentials.
pub const PAGE: usize = 100;

/// Error bodies are shown to people; keep them short.
fn short(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn message_of(body: &str) -> String {
    #[derive(serde::Deserialize)]
    struct E {
        error: String,
    }
    match serde_json::from_str::<E>(body) {
        Ok(e) => short(&e.error),
        Err(_) => short(body),
    }
}

/// Most of an answer's body that is read; a longer one is an error, never
/// held in memory whole.
const MAX_BODY: usize = 8 * 1024 * 1024;

/// Why a request got no answer, from reqwest's error and its causes.
fn cause_of(e: &reqwest::Error) -> Cause {
    if e.is_timeout() {
        return Cause::TimedOut;
    }
    let tls_cause = |tls: &rustls::Error| match tls {
        rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer | rustls::CertificateError::BadSignature,
        ) => Cause::CertificateNotTrusted,
        _ => Cause::Tls,
    };
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return tls_cause(tls);
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return Cause::ConnectionRefused,
                std::io::ErrorKind::TimedOut => return Cause::TimedOut,
                _ => {}
            }
            // An io::Error carries its cause (a TLS error, another io::Error)
            // as its payload, not as its source.
            if let Some(inner) = io.get_ref() {
                source = Some(inner);
                continue;
            }
        }
        let text = s.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            return Cause::NameNotResolved;
        }
        source = s.source();
    }
    Cause::Connection
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Self, ApiError> {
        let mut builder = reqwest::Client::builder();
        if let Some(pem) = &cfg.extra_ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ApiError::Decode(format!("the CA certificate file holds no usable PEM certificate: {e}"))
            })?;
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        let http = builder
            .use_rustls_tls()
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.request_timeout.min(Duration::from_secs(10)))
            .pool_idle_timeout(Duration::from_secs(30))
            .user_agent(format!("terraform-provider-oomnitza/{}", crate::VERSION))
            .build()
            .map_err(|e| ApiError::Decode(format!("could not set up HTTP: {e}")))?;
        let journal = journal::Journal::at(cfg.journal_dir.clone());
        Ok(Client {
            http,
            cfg,
            token: OnceCell::new(),
            signed_in: Default::default(),
            sign_in_check: OnceCell::new(),
            journal,
            made: Default::default(),
            creating: Default::default(),
            answered: tokio::sync::Notify::new(),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.cfg
    }

    fn url(&self, path: &str) -> Result<Url, ApiError> {
        self.cfg.base_url.join(path).map_err(|e| ApiError::Decode(format!("bad URL {path}: {e}")))
    }

    async fn token(&self) -> Result<&Secret, ApiError> {
        self.token
            .get_or_try_init(|| async {
                match &self.cfg.auth {
                    Auth::Token(t) => Ok(t.clone()),
                    Auth::Login { username, password } => self.request_token(username, password).await,
                }
            })
            .await
    }

    async fn request_token(&self, username: &str, password: &Secret) -> Result<Secret, ApiError> {
        #[derive(serde::Deserialize)]
        struct T {
            token: Secret,
        }
        let url = self.url(routes::REQUEST_TOKEN.path)?;
        let form = [("login", username), ("password", password.expose())];
        let resp = self.cancellable(self.http.post(url).form(&form).send()).await?;
        debug!(
            method = "POST",
            route = routes::REQUEST_TOKEN.path,
            status = resp.status().as_u16(),
            "oomnitza answered"
        );
        let t: T = self.decode(resp).await?;
        Ok(t.token)
    }

    async fn cancellable<F>(&self, fut: F) -> Result<reqwest::Response, ApiError>
    where
        F: std::future::Future<Output = Result<reqwest::Response, reqwest::Error>>,
    {
        tokio::select! {
            _ = self.cfg.cancel.cancelled() => Err(ApiError::Cancelled),
            r = fut => r.map_err(|e| self.unreachable(&e, "")),
        }
    }

    /// The error for a request that got no (whole) answer; `context`
    /// starts its detail.
    fn unreachable(&self, e: &reqwest::Error, context: &str) -> ApiError {
        let u = &self.cfg.base_url;
        let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
        // The innermost cause says most; reqwest's own text is generic.
        let mut detail = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        ApiError::Unreachable {
            cause: cause_of(e),
            url: format!("{}://{}{port}", u.scheme(), u.host_str().unwrap_or_default()),
            attempts: 1,
            detail: format!("{context}{detail}"),
        }
    }

    /// Maps a non-success answer to its error, reading the body.
    async fn decode<T: DeserializeOwned>(&self, resp: reqwest::Response) -> Result<T, ApiError> {
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body = self.body(resp).await?;
        if status.is_success() {
            if body.is_empty() {
                return serde_json::from_str("null").map_err(|e| ApiError::Decode(e.to_string()));
            }
            if !content_type.is_empty() && !content_type.contains("json") {
                return Err(ApiError::Decode(format!(
                    "expected JSON but got {content_type:?} ({}); is url the Oomnitza instance itself, not a login page or proxy?",
                    short(&body)
                )));
            }
            return serde_json::from_str(&body).map_err(|e| ApiError::Decode(format!("malformed JSON ({e})")));
        }
        Err(match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized { message: message_of(&body) },
            StatusCode::FORBIDDEN => ApiError::Forbidden { message: message_of(&body) },
            StatusCode::NOT_FOUND => ApiError::NotFound { message: message_of(&body) },
            StatusCode::CONFLICT => ApiError::Conflict { message: message_of(&body) },
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                #[derive(serde::Deserialize)]
                struct V {
                    errors: Vec<FieldError>,
                }
                let errors = serde_json::from_str::<V>(&body)
                    .map(|v| v.errors)
                    .unwrap_or_else(|_| vec![FieldError { field: String::new(), message: message_of(&body) }]);
                ApiError::Validation { status: status.as_u16(), errors }
            }
            StatusCode::TOO_MANY_REQUESTS => ApiError::RateLimited { retry_after },
            s => ApiError::Server { status: s.as_u16(), message: message_of(&body) },
        })
    }

    /// Reads an answer's body, at most [`MAX_BODY`] bytes of it.
    async fn body(&self, mut resp: reqwest::Response) -> Result<String, ApiError> {
        let mut buf = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > MAX_BODY {
                        return Err(ApiError::Decode(format!("the answer is larger than {} MiB", MAX_BODY >> 20)));
                    }
                    buf.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(self.unreachable(&e, "the answer broke off: ")),
            }
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// One attempt of a request to `route`, for the credential `id` when
    /// the route has one (`""` when not).
    async fn once<T: DeserializeOwned>(
        &self,
        route: &Route,
        id: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let token = self.token().await?;
        let method = Method::from_bytes(route.method.as_bytes()).unwrap_or(Method::GET);
        let path = route.for_id(&enc(id));
        let mut rb = self
            .http
            .request(method.clone(), self.url(&path)?)
            .header("Authorization2", token.expose())
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            rb = rb.query(query);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        if let Some(k) = idempotency_key {
            rb = rb.header("Idempotency-Key", k);
        }
        debug!(%method, route = route.path, "oomnitza request");
        let resp = self.cancellable(rb.send()).await?;
        // The route, never the id or the query: `scripts/smoke-real.sh`
        // reports these lines.
        debug!(%method, route = route.path, status = resp.status().as_u16(), "oomnitza answered");
        let answer = self.decode(resp).await;
        if answer.is_ok() {
            self.signed_in.store(true, std::sync::atomic::Ordering::Relaxed);
        }
        answer
    }

    /// Proves that `url` is an Oomnitza that accepts this client's token
    /// (or login), with one cheap request, made only when no request of
    /// this process has been answered yet; its answer is kept, so a plan of
    /// many creates asks once. A 403 passes: the token was accepted, and
    /// what its role may do is for the real requests to say.
    pub async fn check_sign_in(&self) -> Result<(), ApiError> {
        if self.signed_in.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
        self.sign_in_check
            .get_or_init(|| async {
                let (k, v) = routes::TOKEN_CHECK_QUERY;
                match self.idempotent::<serde_json::Value>(&routes::TOKEN_CHECK, "", &[(k, v.to_string())], None).await
                {
                    Ok(_) | Err(ApiError::Forbidden { .. }) => Ok(()),
                    Err(e) => Err(e),
                }
            })
            .await
            .clone()
    }

    /// The wait before retry number `attempt` (0-based): full jitter over an
    /// exponential window, or the server's `Retry-After` when it gave one.
    fn backoff(&self, attempt: u32, err: &ApiError) -> Duration {
        if let ApiError::RateLimited { retry_after: Some(d) } = err {
            return (*d).min(Duration::from_secs(120));
        }
        // A refused connection is a server restarting, or nothing there at
        // all: retry it briefly, not for the whole backoff.
        let cap = match err {
            ApiError::Unreachable { cause: Cause::ConnectionRefused, .. } => {
                self.cfg.max_backoff.min(Duration::from_secs(1))
            }
            _ => self.cfg.max_backoff,
        };
        let window = self.cfg.base_backoff.saturating_mul(1u32 << attempt.min(16)).min(cap);
        let ms = window.as_millis().max(1) as u64;
        Duration::from_millis(rand::rng().random_range(ms / 2..=ms))
    }

    /// Waits `d`, or less when Terraform asks the provider to stop.
    pub async fn sleep(&self, d: Duration) -> Result<(), ApiError> {
        tokio::select! {
            _ = self.cfg.cancel.cancelled() => Err(ApiError::Cancelled),
            _ = tokio::time::sleep(d) => Ok(()),
        }
    }

    /// An idempotent request, retried on retryable errors.
    async fn idempotent<T: DeserializeOwned>(
        &self,
        route: &Route,
        id: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<T, ApiError> {
        let mut attempt = 0;
        loop {
            match self.once(route, id, query, body, None).await {
                Err(e) if e.is_retryable() && attempt < self.cfg.max_retries => {
                    let wait = self.backoff(attempt, &e);
                    warn!(method = route.method, route = route.path, error = %e, wait_ms = wait.as_millis() as u64, "retrying");
                    self.sleep(wait).await?;
                    attempt += 1;
                }
                other => return other.map_err(|e| e.after_attempts(attempt + 1)),
            }
        }
    }

    /// Creates a credential. It never makes two however the network
    /// behaves (its own `Idempotency-Key`, reused by its retries only), and
    /// takes over an existing credential only when this working directory's
    /// journal proves that an earlier create of the same content made it and
    /// died before Terraform heard of it ([`Created::adopted`]).
    pub async fn create(&self, new: &NewCredential) -> Result<Created, ApiError> {
        let content = content_digest(new);
        while let Some(mut entry) = self.journal.resume(&content) {
            // Dropped on error: the entry stays for the next create.
            let resumed = self.resume(new, &entry).await?;
            match resumed {
                Some((credential, adopted)) => {
                    entry.record_id(&credential.id);
                    // Found by id (no POST): marked here, not by create_with_key.
                    self.mark_made(&credential.id);
                    return Ok(Created { credential, adopted, entry });
                }
                None => entry.finish(),
            }
        }
        let mut entry = self.journal.begin(&content);
        match self.create_with_key(new, &entry.record.key).await {
            Ok(credential) => {
                entry.record_id(&credential.id);
                Ok(Created { credential, adopted: false, entry })
            }
            Err(e) => {
                if surely_not_made(&e) {
                    entry.finish();
                }
                Err(e)
            }
        }
    }

    /// The credential an interrupted create left (and whether it predates
    /// this run), or `None` when it is gone or can no longer be found.
    async fn resume(
        &self,
        new: &NewCredential,
        entry: &journal::Entry,
    ) -> Result<Option<(Credential, bool)>, ApiError> {
        if let Some(id) = &entry.record.id {
            return Ok(self.get(id).await?.map(|c| (c, true)));
        }
        if entry.key_expired() {
            warn!(key = %entry.record.key, "an interrupted create is older than Oomnitza keeps its key; creating anew");
            return Ok(None);
        }
        // Oomnitza answers the credential this key made, or makes it now.
        let asked = time::OffsetDateTime::now_utc() - time::Duration::seconds(2);
        let c = self.create_with_key(new, &entry.record.key).await?;
        let created = time::OffsetDateTime::parse(&c.created_at, &time::format_description::well_known::Rfc3339);
        let earlier = created.is_ok_and(|t| t < asked);
        Ok(Some((c, earlier)))
    }

    /// The credentials of `kind` named `name`, other than `id`, that this client did
    /// not make: once every create of that name in this process has its
    /// answer, so that a sibling of this run is never taken for a stranger.
    pub async fn others_named(&self, kind: &Filter, name: &str, id: &str) -> Result<Vec<Credential>, ApiError> {
        loop {
            let answered = self.answered.notified();
            let found = self.list_by_name(kind, name).await?;
            let others: Vec<Credential> = found.into_iter().filter(|c| c.id != id && !self.made_here(&c.id)).collect();
            let pending = self.creating.lock().map(|m| m.get(name).copied().unwrap_or(0)).unwrap_or(0);
            if others.is_empty() || pending == 0 {
                return Ok(others);
            }
            answered.await;
        }
    }

    /// Counts a create of `name` in flight for as long as the guard lives.
    fn creating(&self, name: &str) -> InFlight<'_> {
        if let Ok(mut m) = self.creating.lock() {
            *m.entry(name.to_string()).or_default() += 1;
        }
        InFlight { client: self, name: name.to_string() }
    }

    fn mark_made(&self, id: &str) {
        if let Ok(mut m) = self.made.lock() {
            m.insert(id.to_string());
        }
    }

    /// Whether this client (this provider process) made or adopted `id`.
    fn made_here(&self, id: &str) -> bool {
        self.made.lock().map(|m| m.contains(id)).unwrap_or(false)
    }

    async fn create_with_key(&self, new: &NewCredential, key: &str) -> Result<Credential, ApiError> {
        let _in_flight = self.creating(&new.name);
        let result = self.post_with_key(new, key).await;
        if let Ok(c) = &result {
            self.mark_made(&c.id);
        }
        result
    }

    async fn post_with_key(&self, new: &NewCredential, key: &str) -> Result<Credential, ApiError> {
        let body = serde_json::to_value(new).map_err(|e| ApiError::Decode(e.to_string()))?;
        let mut attempt = 0;
        loop {
            let result = self.once::<Credential>(&routes::CREATE, "", &[], Some(&body), Some(key)).await;
            match result {
                Err(e) if e.is_retryable() && attempt < self.cfg.max_retries => {
                    let wait = self.backoff(attempt, &e);
                    warn!(error = %e, wait_ms = wait.as_millis() as u64, "retrying create with the same idempotency key");
                    self.sleep(wait).await?;
                    attempt += 1;
                }
                other => return other.map_err(|e| e.after_attempts(attempt + 1)),
            }
        }
    }

    /// The credential with this id; `None` when it is gone.
    pub async fn get(&self, id: &str) -> Result<Option<Credential>, ApiError> {
        match self.idempotent::<Credential>(&routes::READ, id, &[], None).await {
            Ok(c) => about(id, c, "asked for").map(Some),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every credential of `kind` (a filter, such as the SaaS) with exactly
    /// this name.
    pub async fn list_by_name(&self, kind: &Filter, name: &str) -> Result<Vec<Credential>, ApiError> {
        let (mut out, mut skip) = (Vec::new(), 0);
        loop {
            let page = self.list_page(kind.clone().and(Filter::new().eq("name", name)), skip, PAGE).await?;
            let n = page.len();
            skip += n;
            out.extend(page.into_iter().filter(|c| c.name == name));
            if n < PAGE {
                return Ok(out);
            }
        }
    }

    /// One page of the credentials that pass `filter` (which names the
    /// kind: a SaaS, an auth type), oldest first (so that credentials made
    /// meanwhile come after the pages read): `limit` from `skip` on.
    pub async fn list_page(&self, filter: Filter, skip: usize, limit: usize) -> Result<Vec<Credential>, ApiError> {
        let query = [
            ("filter", filter.to_string()),
            ("sortby", routes::SORT_BY.to_string()),
            ("limit", limit.to_string()),
            ("skip", skip.to_string()),
        ];
        debug!(skip, limit, "listing credentials page");
        self.idempotent(&routes::LIST, "", &query, None).await
    }

    /// Changes the fields set in `patch`. Sending the same patch twice has
    /// the same effect as once, so it is retried.
    pub async fn update(&self, id: &str, patch: &impl serde::Serialize) -> Result<Credential, ApiError> {
        let body = serde_json::to_value(patch).map_err(|e| ApiError::Decode(e.to_string()))?;
        let c = self.idempotent(&routes::UPDATE, id, &[], Some(&body)).await?;
        about(id, c, "changed")
    }

    /// Starts (or restarts) OAuth consent; answers the new consent URL.
    /// Repeating it only opens a newer consent, so it is retried.
    pub async fn authorize(&self, id: &str) -> Result<Authorization, ApiError> {
        self.idempotent(&routes::AUTHORIZE, id, &[], None).await
    }

    /// The authentication Oomnitza adds to one request to the connected
    /// system (`POST /api/v3/auth/{id}/secret`). It changes nothing, so it
    /// is retried; its answer is secret material, for that request only.
    pub async fn request_auth(&self, id: &str, request: &OutgoingRequest) -> Result<RequestAuth, ApiError> {
        let body = serde_json::to_value(request).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.idempotent(&routes::SECRET, id, &[], Some(&body)).await
    }

    /// Deletes the credential; one already gone counts as deleted.
    pub async fn delete(&self, id: &str) -> Result<(), ApiError> {
        match self.idempotent::<serde_json::Value>(&routes::DELETE, id, &[], None).await {
            Ok(_) | Err(ApiError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// An answer about credential `id` (after we `did` something to it) must
/// be about that credential and no other.
fn about(id: &str, c: Credential, did: &str) -> Result<Credential, ApiError> {
    if c.id == id {
        Ok(c)
    } else {
        Err(ApiError::Decode(format!("{did} credential {id}, Oomnitza answered {}", c.id)))
    }
}

/// Percent-encodes an id for use as one path segment: everything but
/// RFC 3986's unreserved characters.
fn enc(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oomnitza::model::{AuthType, BasicInput, NewCredential};

    /// An opaque id is one path segment, whatever it holds.
    #[test]
    fn ids_are_encoded_as_one_segment() {
        assert_eq!(enc("qwertyuio1234567890"), "qwertyuio1234567890");
        assert_eq!(enc("a/b?c d+é"), "a%2Fb%3Fc%20d%2B%C3%A9");
        assert_eq!(enc("-._~"), "-._~");
    }

    /// The journal recognises a create by its content without the secret.
    #[test]
    fn content_digest_ignores_the_secret() {
        let new = |name: &str, secret: &str| NewCredential {
            name: name.into(),
            owner: None,
            description: Some("d".into()),
            saas: "jira".into(),
            auth_type: AuthType::Basic,
            basic: Some(BasicInput { username: "svc@example.com".into(), password: Secret::new(secret) }),
            oauth2: None,
            api_key: None,
            expiration_date: None,
        };
        let d = content_digest(&new("Jira user load", "one"));
        assert_eq!(d, content_digest(&new("Jira user load", "two")), "the secret is not part of it");
        assert_ne!(d, content_digest(&new("Jira user load 2", "one")), "the content is");
        assert_eq!(d.len(), 32);
    }
}
