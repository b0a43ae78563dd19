//! The HTTP layer: signing in, one request to one route with its answer
//! decoded or turned into an [`ApiError`], and retries with backoff.

use std::time::Duration;

use oomnitza_api::routes::{self, Route};
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::OnceCell;
use tracing::{debug, warn};
use url::Url;

use super::{journal, ApiError, Auth, Cause, Client, ClientConfig, FieldError};
use crate::secret::Secret;

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
    pub(super) async fn once<T: DeserializeOwned>(
        &self,
        route: &Route,
        id: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let token = self.token().await?;
        let method = Method::from_bytes(route.method.as_bytes()).unwrap_or(Method::GET);
        let path = route.for_id(&path_segment(id));
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
    pub(super) fn backoff(&self, attempt: u32, err: &ApiError) -> Duration {
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
    pub(super) async fn idempotent<T: DeserializeOwned>(
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
}

/// Percent-encodes an id for use as one path segment: everything but
/// RFC 3986's unreserved characters.
pub(super) fn path_segment(id: &str) -> String {
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
