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

/// What an error message may quote of an answer: short, on one line.
fn short(s: &str) -> String {
    let s: String = s.trim().chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}

/// What one request sent that must never come back out in a message: its
/// secrets (the API token, a password, the secrets of a credential body),
/// and whether its answer's body may be quoted at all.
pub(super) struct Redact {
    secrets: Vec<String>,
    /// `false` for sign-in, whose answers hold the token it hands out and
    /// whose request holds the password: nothing of its body is ever shown.
    quote_body: bool,
}

/// Keys of a request body whose string values are secrets.
const SECRET_KEYS: &[&str] =
    &["password", "client_secret", "token", "secret", "access_token", "refresh_token", "api_token"];

impl Redact {
    pub(super) fn new(secrets: impl IntoIterator<Item = String>, quote_body: bool) -> Redact {
        let mut secrets: Vec<String> = secrets.into_iter().filter(|s| !s.is_empty()).collect();
        // Longest first, so that a secret containing another is hidden whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redact { secrets, quote_body }
    }

    /// Adds every secret string of a JSON request body.
    fn body(mut self, body: Option<&serde_json::Value>) -> Redact {
        fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(m) => {
                    for (k, v) in m {
                        match v {
                            serde_json::Value::String(s) if SECRET_KEYS.contains(&k.as_str()) => out.push(s.clone()),
                            other => walk(other, out),
                        }
                    }
                }
                serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
                _ => {}
            }
        }
        if let Some(b) = body {
            walk(b, &mut self.secrets);
        }
        Redact::new(self.secrets, self.quote_body)
    }

    /// `text` with every secret of the request replaced by `***`.
    fn hide(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    /// What a message says of an error answer: the error text Oomnitza gave
    /// (`error`, `message` or `detail`), its secrets hidden, else only what
    /// kind of body it was. A body is never quoted whole: a server or proxy
    /// that echoes the request would print its secrets.
    fn message(&self, content_type: &str, body: &str) -> String {
        if !self.quote_body {
            return format!(
                "{} (not shown: this route's answers may hold secrets)",
                self.hide(&describe(content_type, body))
            );
        }
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(body) {
            for key in ["error", "message", "detail"] {
                if let Some(serde_json::Value::String(s)) = m.get(key) {
                    return short(&self.hide(s));
                }
            }
        }
        self.hide(&describe(content_type, body))
    }
}

/// A body described, never quoted: an HTML page by its title, anything
/// else by its type and size.
fn describe(content_type: &str, body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    if content_type.contains("html") || lower.trim_start().starts_with("<!doctype html") || lower.contains("<html") {
        let title = lower
            .find("<title")
            .and_then(|i| body[i..].find('>').map(|j| i + j + 1))
            .and_then(|start| lower[start..].find("</title").map(|len| body[start..start + len].trim().to_string()))
            .filter(|t| !t.is_empty());
        return match title {
            Some(t) => format!("an HTML page titled {:?}", short(&t).chars().take(80).collect::<String>()),
            None => "an HTML page".to_string(),
        };
    }
    if body.trim().is_empty() {
        return "an empty answer".to_string();
    }
    match content_type.split(';').next().map(str::trim).filter(|c| !c.is_empty()) {
        Some(ct) => format!("an answer of {} bytes ({ct}) without an error message", body.len()),
        None => format!("an answer of {} bytes without an error message", body.len()),
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
        // A loopback url (the simulator, a local tunnel) is never sent
        // through HTTP_PROXY: the proxy would see the token in clear.
        if crate::settings::is_loopback(&cfg.base_url) {
            builder = builder.no_proxy();
        }
        let http = builder
            .use_rustls_tls()
            // A redirect would carry the API token (`Authorization2` is not
            // a header reqwest strips), a password or a credential's secret
            // to a host the user never named, or down to plain http.
            .redirect(reqwest::redirect::Policy::none())
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
            held: Default::default(),
            listed: Default::default(),
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
        let redact = Redact::new([password.expose().to_string()], false);
        debug!(
            method = "POST",
            route = routes::REQUEST_TOKEN.path,
            status = resp.status().as_u16(),
            "oomnitza answered"
        );
        let t: T = self.decode(resp, &redact).await.map_err(|e| e.at_route(routes::REQUEST_TOKEN.label()))?;
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
        // The innermost cause says most; reqwest's own text is generic and
        // names the whole request URL.
        let mut detail = "the request failed".to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            detail = s.to_string();
            source = s.source();
        }
        ApiError::Unreachable {
            cause: cause_of(e),
            url: origin(&self.cfg.base_url),
            attempts: 1,
            detail: format!("{context}{detail}"),
        }
    }

    /// Maps a non-success answer to its error, reading the body.
    async fn decode<T: DeserializeOwned>(&self, resp: reqwest::Response, redact: &Redact) -> Result<T, ApiError> {
        let status = resp.status();
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| resp.url().join(l).ok())
                .map(|u| origin(&u))
                .unwrap_or_else(|| "an unnamed location".to_string());
            return Err(ApiError::Redirected { status: status.as_u16(), to });
        }
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
                    "expected JSON but got {}; is url the Oomnitza instance itself, not a login page or proxy?",
                    redact.hide(&describe(&content_type, &body))
                )));
            }
            return serde_json::from_str(&body).map_err(|e| ApiError::Decode(format!("malformed JSON ({e})")));
        }
        let message_of = |body: &str| redact.message(&content_type, body);
        Err(match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized { message: message_of(&body), route: None },
            StatusCode::FORBIDDEN => ApiError::Forbidden { message: message_of(&body) },
            StatusCode::NOT_FOUND => ApiError::NotFound { message: message_of(&body) },
            StatusCode::CONFLICT => ApiError::Conflict { message: message_of(&body) },
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                #[derive(serde::Deserialize)]
                struct V {
                    errors: Vec<FieldError>,
                }
                let errors = serde_json::from_str::<V>(&body)
                    .ok()
                    .filter(|_| redact.quote_body)
                    .map(|v| {
                        let hide = |s: &str| short(&redact.hide(s));
                        v.errors
                            .iter()
                            .map(|e| FieldError { field: hide(&e.field), message: hide(&e.message) })
                            .collect()
                    })
                    .unwrap_or_else(|| vec![FieldError { field: String::new(), message: message_of(&body) }]);
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
        // Marked sensitive: never shown by reqwest's or hyper's debug output.
        let mut auth = reqwest::header::HeaderValue::from_str(token.expose())
            .map_err(|_| ApiError::Decode("the API token holds characters an HTTP header cannot carry".into()))?;
        auth.set_sensitive(true);
        // A `/secret` answer is secret material only when it succeeds, and a
        // success is never quoted; its error text (why Oomnitza would not
        // authenticate, such as a revoked authorization) is shown, with this
        // request's secrets hidden like every other route's.
        let redact = Redact::new([token.expose().to_string()], true).body(body);
        let mut rb = self
            .http
            .request(method.clone(), self.url(&path)?)
            .header("Authorization2", auth)
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
        let answer = self.decode(resp, &redact).await;
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
        self.retried(route, id, query, body, None).await
    }

    /// One request, retried while its error is worth retrying and tries
    /// are left; a create's retries carry its own `Idempotency-Key`.
    pub(super) async fn retried<T: DeserializeOwned>(
        &self,
        route: &Route,
        id: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        key: Option<&str>,
    ) -> Result<T, ApiError> {
        let mut attempt = 0;
        loop {
            match self.once(route, id, query, body, key).await {
                Err(e) if e.is_retryable() && attempt < self.cfg.max_retries => {
                    let wait = self.backoff(attempt, &e);
                    let same_key = key.is_some();
                    warn!(method = route.method, route = route.path, error = %e, wait_ms = wait.as_millis() as u64, same_key, "retrying");
                    self.sleep(wait).await?;
                    attempt += 1;
                }
                other => return other.map_err(|e| e.after_attempts(attempt + 1)),
            }
        }
    }
}

/// A URL as messages print it: scheme, host and port only, never a path,
/// a query or user information.
pub fn origin(u: &Url) -> String {
    let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
    let host = match u.host() {
        Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
        Some(h) => h.to_string(),
        None => String::new(),
    };
    format!("{}://{host}{port}", u.scheme())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn redact() -> Redact {
        Redact::new(["the-api-token".to_string()], true).body(Some(&serde_json::json!({
            "name": "n",
            "basic": {"username": "u@example.com", "password": "jira-token-123"},
            "oauth2": {"client_secret": "cs-456"}
        })))
    }

    /// An echoing server's error answer shows neither the token nor any
    /// secret of the body, and a body without an error text is described.
    #[test]
    fn error_answers_never_echo_secrets() {
        let r = redact();
        let echo = r#"{"error": "bad: {\"password\": \"jira-token-123\", \"Authorization2\": \"the-api-token\", \"client_secret\": \"cs-456\"}"}"#;
        let m = r.message("application/json", echo);
        for s in ["jira-token-123", "the-api-token", "cs-456"] {
            assert!(!m.contains(s), "{m}");
        }
        assert!(m.contains("***"), "{m}");
        let m = r.message("application/json", r#"{"basic": {"password": "jira-token-123"}}"#);
        assert_eq!(m, "an answer of 41 bytes (application/json) without an error message");
        let m = r.message("text/plain", "Authorization2: the-api-token");
        assert!(!m.contains("the-api-token") && m.contains("text/plain"), "{m}");
    }

    #[test]
    fn html_is_described_by_its_title() {
        let r = redact();
        let m = r
            .message("text/html", "<html><head><title> Sign in - SSO </title></head><body>the-api-token</body></html>");
        assert_eq!(m, r#"an HTML page titled "Sign in - SSO""#);
        assert_eq!(r.message("", "<!DOCTYPE html><p>x"), "an HTML page");
    }

    /// Routes whose answers are secret material quote nothing.
    #[test]
    fn secret_routes_quote_nothing() {
        let r = Redact::new(["pw".to_string()], false);
        let m = r.message("application/json", r#"{"error": "here is your header: Basic abc"}"#);
        assert!(!m.contains("Basic abc"), "{m}");
    }

    #[test]
    fn origin_drops_everything_but_scheme_host_port() {
        let u = Url::parse("https://user:pw@example.com:8443/a/b?k=v#f").unwrap();
        assert_eq!(origin(&u), "https://example.com:8443");
        assert_eq!(origin(&Url::parse("http://[::1]:1/").unwrap()), "http://[::1]:1");
    }
}
