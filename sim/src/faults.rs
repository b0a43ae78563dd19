//! Seeded fault injection for the API routes: added latency, a share of
//! 500/503 answers, bursts of 429 with `Retry-After`, and dropped
//! connections. Half of the injected errors and every dropped connection
//! happen *after* the request did its work, as real ambiguous failures do.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::App;

/// What `POST /_sim/faults` sets. Every field defaults to "no fault".
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct FaultSpec {
    pub latency_ms: u64,
    /// A request that passes is done at once and answered this much later:
    /// a client stopped meanwhile leaves work done whose answer it never
    /// had (a create made but not recorded).
    pub answer_delay_ms: u64,
    /// Up to this much more latency, at random (seeded).
    pub jitter_ms: u64,
    /// Share (0..1) of requests answered 500/503.
    pub error_rate: f64,
    /// The next this many requests answer 429.
    pub burst_429: u32,
    /// `Retry-After` seconds sent with each 429.
    pub retry_after: u64,
    /// Share (0..1) of requests whose connection drops after the work is done.
    pub drop_rate: f64,
    pub seed: u64,
    /// The next this many answers are hostile, as `bad_kind` says.
    pub bad_answers: u32,
    /// `malformed_json`, `html`, `huge`, `deep`, `wrong_types` or `other_id`.
    pub bad_kind: String,
    /// Only requests whose `METHOD /path` starts with this get faults, such
    /// as `POST /api/v3/auth` for creates alone; empty: every request.
    pub only: String,
}

enum Decision {
    Pass,
    /// Done at once, answered after the delay.
    AnswerLater(Duration),
    Hostile(String),
    TooMany(u64),
    FailBefore,
    FailAfter,
    DropAfter,
}

struct Inner {
    spec: FaultSpec,
    rng: StdRng,
    burst_left: u32,
    bad_left: u32,
}

pub struct Faults {
    inner: Mutex<Inner>,
    requests: AtomicU64,
    injected_5xx: AtomicU64,
    injected_429: AtomicU64,
    dropped: AtomicU64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            inner: Mutex::new(Inner {
                spec: FaultSpec::default(),
                rng: StdRng::seed_from_u64(0),
                burst_left: 0,
                bad_left: 0,
            }),
            requests: AtomicU64::new(0),
            injected_5xx: AtomicU64::new(0),
            injected_429: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
        }
    }
}

impl Faults {
    pub fn set(&self, spec: FaultSpec) {
        if let Ok(mut i) = self.inner.lock() {
            i.rng = StdRng::seed_from_u64(spec.seed);
            i.burst_left = spec.burst_429;
            i.bad_left = spec.bad_answers;
            i.spec = spec;
        }
    }

    pub fn describe(&self) -> Value {
        let spec = self.inner.lock().map(|i| i.spec.clone()).unwrap_or_default();
        json!({
            "latency_ms": spec.latency_ms,
            "answer_delay_ms": spec.answer_delay_ms,
            "error_rate": spec.error_rate,
            "drop_rate": spec.drop_rate,
            "requests": self.requests.load(Ordering::Relaxed),
            "injected_5xx": self.injected_5xx.load(Ordering::Relaxed),
            "injected_429": self.injected_429.load(Ordering::Relaxed),
            "dropped": self.dropped.load(Ordering::Relaxed),
        })
    }

    fn decide(&self, request: &str) -> (Duration, Decision) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let Ok(mut i) = self.inner.lock() else { return (Duration::ZERO, Decision::Pass) };
        if !request.starts_with(i.spec.only.as_str()) {
            return (Duration::ZERO, Decision::Pass);
        }
        let answer_delay = Duration::from_millis(i.spec.answer_delay_ms);
        let max_jitter = i.spec.jitter_ms;
        let jitter = if max_jitter > 0 { i.rng.random_range(0..=max_jitter) } else { 0 };
        let latency = Duration::from_millis(i.spec.latency_ms + jitter);
        if i.burst_left > 0 {
            i.burst_left -= 1;
            return (latency, Decision::TooMany(i.spec.retry_after));
        }
        if i.bad_left > 0 {
            i.bad_left -= 1;
            return (latency, Decision::Hostile(i.spec.bad_kind.clone()));
        }
        let (e, d) = (i.spec.error_rate, i.spec.drop_rate);
        let roll: f64 = i.rng.random();
        let decision = if roll < e / 2.0 {
            Decision::FailBefore
        } else if roll < e {
            Decision::FailAfter
        } else if roll < e + d {
            Decision::DropAfter
        } else if !answer_delay.is_zero() {
            Decision::AnswerLater(answer_delay)
        } else {
            Decision::Pass
        };
        (latency, decision)
    }
}

/// Middleware for the API routes.
pub async fn inject(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let f = &app.faults;
    let (latency, decision) = f.decide(&format!("{} {}", req.method(), req.uri().path()));
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match decision {
        Decision::Pass => next.run(req).await,
        Decision::AnswerLater(delay) => {
            let answer = next.run(req).await;
            tokio::time::sleep(delay).await;
            answer
        }
        Decision::Hostile(kind) => hostile(&kind, next.run(req).await).await,
        Decision::TooMany(secs) => {
            f.injected_429.fetch_add(1, Ordering::Relaxed);
            (StatusCode::TOO_MANY_REQUESTS, [("Retry-After", secs.to_string())], "rate limited").into_response()
        }
        Decision::FailBefore => {
            f.injected_5xx.fetch_add(1, Ordering::Relaxed);
            (StatusCode::SERVICE_UNAVAILABLE, "injected fault: service unavailable").into_response()
        }
        Decision::FailAfter => {
            let _ = next.run(req).await;
            f.injected_5xx.fetch_add(1, Ordering::Relaxed);
            (StatusCode::INTERNAL_SERVER_ERROR, "injected fault: internal error").into_response()
        }
        Decision::DropAfter => {
            let _ = next.run(req).await;
            f.dropped.fetch_add(1, Ordering::Relaxed);
            // A body that fails at once: the server aborts the connection
            // mid-answer, as a dropped connection looks to the client.
            let broken = tokio_stream::iter([Err::<bytes::Bytes, std::io::Error>(std::io::Error::other("dropped"))]);
            Response::builder()
                .status(StatusCode::OK)
                .header("content-type", "application/json")
                .body(Body::from_stream(broken))
                .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

fn raw(content_type: &str, body: impl Into<Body>) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// An answer no well-behaved server gives, after the real work was done.
async fn hostile(kind: &str, real: Response) -> Response {
    const JSON: &str = "application/json";
    match kind {
        "malformed_json" => raw(JSON, "{\"id\": \"3f6c2a0e"),
        "html" => raw("text/html; charset=utf-8", "<html><body>Please sign in</body></html>"),
        "huge" => {
            // 64 MiB of one JSON string, streamed: the client must stop reading.
            let chunk = bytes::Bytes::from(vec![b' '; 1 << 20]);
            let body = std::iter::once(Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{\"pad\": \"")))
                .chain(std::iter::repeat_n(chunk, 64).map(Ok));
            raw(JSON, Body::from_stream(tokio_stream::iter(body)))
        }
        "deep" => raw(JSON, "[".repeat(100_000)),
        "wrong_types" => raw(JSON, r#"{"id": 5, "name": ["x"], "saas": "jira", "auth_type": "basic"}"#),
        "other_id" => {
            let bytes = axum::body::to_bytes(real.into_body(), usize::MAX).await.unwrap_or_default();
            let mut v: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            if let Some(o) = v.as_object_mut() {
                o.insert("id".into(), json!(uuid::Uuid::new_v4().to_string()));
            }
            raw(JSON, v.to_string())
        }
        _ => real,
    }
}
