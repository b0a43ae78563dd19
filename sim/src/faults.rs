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
    /// Share (0..1) of requests answered 500/503.
    pub error_rate: f64,
    /// The next this many requests answer 429.
    pub burst_429: u32,
    /// `Retry-After` seconds sent with each 429.
    pub retry_after: u64,
    /// Share (0..1) of requests whose connection drops after the work is done.
    pub drop_rate: f64,
    pub seed: u64,
}

enum Decision {
    Pass,
    TooMany(u64),
    FailBefore,
    FailAfter,
    DropAfter,
}

struct Inner {
    spec: FaultSpec,
    rng: StdRng,
    burst_left: u32,
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
            inner: Mutex::new(Inner { spec: FaultSpec::default(), rng: StdRng::seed_from_u64(0), burst_left: 0 }),
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
            i.spec = spec;
        }
    }

    pub fn describe(&self) -> Value {
        let spec = self.inner.lock().map(|i| i.spec.clone()).unwrap_or_default();
        json!({
            "latency_ms": spec.latency_ms,
            "error_rate": spec.error_rate,
            "drop_rate": spec.drop_rate,
            "requests": self.requests.load(Ordering::Relaxed),
            "injected_5xx": self.injected_5xx.load(Ordering::Relaxed),
            "injected_429": self.injected_429.load(Ordering::Relaxed),
            "dropped": self.dropped.load(Ordering::Relaxed),
        })
    }

    fn decide(&self) -> (Duration, Decision) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let Ok(mut i) = self.inner.lock() else { return (Duration::ZERO, Decision::Pass) };
        let latency = Duration::from_millis(i.spec.latency_ms);
        if i.burst_left > 0 {
            i.burst_left -= 1;
            return (latency, Decision::TooMany(i.spec.retry_after));
        }
        let (e, d) = (i.spec.error_rate, i.spec.drop_rate);
        let roll: f64 = i.rng.random();
        let decision = if roll < e / 2.0 {
            Decision::FailBefore
        } else if roll < e {
            Decision::FailAfter
        } else if roll < e + d {
            Decision::DropAfter
        } else {
            Decision::Pass
        };
        (latency, decision)
    }
}

/// Middleware for the API routes.
pub async fn inject(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let f = &app.faults;
    let (latency, decision) = f.decide();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match decision {
        Decision::Pass => next.run(req).await,
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
