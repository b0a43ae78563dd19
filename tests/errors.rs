//! Errors that name their cause: every way the client can fail, against the
//! real simulator (or nothing at all), and the sentence a person reads.

mod support;

use std::time::Duration;

use oomnitza_provider::oomnitza::{ApiError, Auth, Cause, Client, ClientConfig};
use oomnitza_provider::secret::Secret;
use serde_json::json;
use support::Sim;

fn config(url: &str, token: &str) -> ClientConfig {
    let mut cfg = ClientConfig::new(url.parse().unwrap(), Auth::Token(Secret::new(token)));
    cfg.base_backoff = Duration::from_millis(5);
    cfg.max_backoff = Duration::from_millis(50);
    cfg.request_timeout = Duration::from_secs(5);
    cfg.max_retries = 2;
    cfg
}

fn client(sim: &Sim) -> Client {
    Client::new(config(&sim.url, &sim.token)).unwrap()
}

/// The error of one read, and its message.
async fn read_error(c: &Client) -> (ApiError, String) {
    let e = c.get("any-id").await.expect_err("the read must fail");
    let text = e.to_string();
    (e, text)
}

fn unreachable_cause(e: &ApiError) -> (Cause, u32) {
    match e {
        ApiError::Unreachable { cause, attempts, .. } => (*cause, *attempts),
        other => panic!("expected Unreachable, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_host_fails_at_once_naming_the_host() {
    let c = Client::new(config("https://no-such-host.invalid", "t")).unwrap();
    let (e, text) = read_error(&c).await;
    assert_eq!(unreachable_cause(&e), (Cause::NameNotResolved, 1), "{text}");
    assert!(
        text.contains("no-such-host.invalid") && text.contains("does not resolve") && text.contains("1 attempt"),
        "{text}"
    );
}

#[tokio::test]
async fn refused_connection_is_retried_briefly_then_named() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let c = Client::new(config(&format!("http://127.0.0.1:{port}"), "t")).unwrap();
    let (e, text) = read_error(&c).await;
    assert_eq!(unreachable_cause(&e), (Cause::ConnectionRefused, 3), "{text}");
    assert!(text.contains("connection was refused") && text.contains(&format!("127.0.0.1:{port}")), "{text}");
    assert!(text.contains("3 attempts"), "{text}");
}

#[tokio::test]
async fn untrusted_certificate_is_named_and_a_ca_file_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let sim = Sim::start_with(&["--tls-cert-out", ca.to_str().unwrap()]);
    assert!(sim.url.starts_with("https://127.0.0.1:"), "{}", sim.url);
    let (e, text) = read_error(&client(&sim)).await;
    assert_eq!(unreachable_cause(&e), (Cause::CertificateNotTrusted, 1), "{text}");
    assert!(text.contains("not trusted"), "{text}");
    let mut cfg = config(&sim.url, &sim.token);
    cfg.extra_ca_pem = Some(std::fs::read(&ca).unwrap());
    let trusted = Client::new(cfg).unwrap();
    assert!(trusted.get("no-such-id").await.unwrap().is_none(), "with the CA, the server answers (404)");
}

#[tokio::test]
async fn slow_answers_time_out_per_request_timeout() {
    let sim = Sim::start();
    sim.faults(json!({"latency_ms": 2000}));
    let mut cfg = config(&sim.url, &sim.token);
    cfg.request_timeout = Duration::from_millis(300);
    cfg.max_retries = 1;
    let (e, text) = read_error(&Client::new(cfg).unwrap()).await;
    assert_eq!(unreachable_cause(&e), (Cause::TimedOut, 2), "{text}");
    assert!(text.contains("no answer in time") && text.contains("2 attempts"), "{text}");
}

#[tokio::test]
async fn exhausted_retries_say_what_kept_failing() {
    let sim = Sim::start();
    sim.faults(json!({"burst_429": 50, "retry_after": 0}));
    let (e, text) = read_error(&client(&sim)).await;
    assert!(matches!(e, ApiError::RateLimited { .. }), "{text}");
    assert!(text.contains("429"), "{text}");
    sim.faults(json!({"error_rate": 1.0, "seed": 3}));
    let (e, text) = read_error(&client(&sim)).await;
    assert!(matches!(e, ApiError::Server { status: 500 | 503, .. }), "{text}");
    assert!(text.contains("Oomnitza answered 5"), "{text}");
}

#[tokio::test]
async fn hostile_answers_are_errors_not_crashes() {
    let sim = Sim::start();
    let made = sim.create(json!({
        "name": "target", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "a@example.com", "password": "p"}
    }));
    let id = made["id"].as_str().unwrap();
    let c = client(&sim);
    for (kind, expect) in [
        ("malformed_json", "malformed JSON"),
        ("html", "expected JSON but got an HTML page"),
        ("huge", "larger than 8 MiB"),
        ("deep", "malformed JSON"),
        ("wrong_types", "malformed JSON"),
        ("other_id", &format!("asked for credential {id}")),
    ] {
        sim.faults(json!({"bad_answers": 1, "bad_kind": kind}));
        let e = c.get(id).await.expect_err(kind);
        assert!(matches!(e, ApiError::Decode(_)), "{kind}: {e:?}");
        assert!(e.to_string().contains(expect), "{kind}: {e}");
        // The next answer is normal again.
        assert_eq!(c.get(id).await.unwrap().unwrap().id, id, "{kind}");
    }
}
