//! The Oomnitza client against the real simulator binary over HTTP.

mod support;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use oomnitza_provider::oomnitza::{
    ApiError, Auth, BasicInput, BasicPatch, Client, ClientConfig, CredentialPatch, NewCredential, Section, SectionPatch,
};
use oomnitza_provider::secret::Secret;
use serde_json::json;
use support::Sim;

const SECRET: &str = "client-test-secret-4e1d";

fn client(sim: &Sim, token: &str) -> Client {
    let mut cfg = ClientConfig::new(sim.url.parse().unwrap(), Auth::Token(Secret::new(token)));
    cfg.base_backoff = Duration::from_millis(5);
    cfg.max_backoff = Duration::from_millis(50);
    cfg.request_timeout = Duration::from_secs(5);
    Client::new(cfg).unwrap()
}

fn new_basic(name: &str, email: &str) -> NewCredential {
    NewCredential {
        name: name.to_string(),
        owner: None,
        description: Some("made by a test".into()),
        saas: "jira".into(),
        expiration_date: Some("2027-06-30".into()),
        section: Section::Basic(BasicInput { username: email.into(), password: Secret::new(SECRET) }),
    }
}

#[tokio::test]
async fn full_crud_cycle() {
    let sim = Sim::start();
    let c = client(&sim, &sim.token);
    let made = c.create(&new_basic("crud", "svc-jira@example.com")).await.unwrap().credential;
    assert_eq!(made.secret_version, 1);
    assert_eq!(made.basic.as_ref().unwrap().username, "svc-jira@example.com");
    assert_eq!(c.get(&made.id).await.unwrap().unwrap(), made);
    assert_eq!(c.list_by_name(&jira(), "crud").await.unwrap(), vec![made.clone()]);
    assert!(c.list_by_name(&jira(), "other").await.unwrap().is_empty());

    let patch = CredentialPatch {
        name: Some("crud 2".into()),
        expiration_date: Some(None),
        section: Some(SectionPatch::Basic(BasicPatch { username: None, password: Some(Secret::new("new-secret")) })),
        ..Default::default()
    };
    let changed = c.update(&made.id, &patch).await.unwrap();
    assert_eq!(changed.name, "crud 2");
    assert_eq!(changed.expiration_date, None);
    assert_eq!(changed.secret_version, 2);
    assert!(sim.secret_matches(&made.id, "new-secret"));

    c.delete(&made.id).await.unwrap();
    assert_eq!(c.get(&made.id).await.unwrap(), None);
    c.delete(&made.id).await.expect("deleting a deleted credential counts as done");
}

#[tokio::test]
async fn many_pages_by_name() {
    let sim = Sim::start();
    let c = client(&sim, &sim.token);
    for _ in 0..105 {
        c.create(&new_basic("same name", "a@example.com")).await.unwrap();
    }
    c.create(&new_basic("other", "a@example.com")).await.unwrap();
    assert_eq!(c.list_by_name(&jira(), "same name").await.unwrap().len(), 105);
}

#[tokio::test]
async fn every_error_status_maps_to_its_variant() {
    let sim = Sim::start_with(&["--read-only-token", "ro-token"]);
    let c = client(&sim, &sim.token);
    let made = c.create(&new_basic("errors", "svc-jira@example.com")).await.unwrap().credential;

    let wrong = client(&sim, "wrong-token");
    assert!(matches!(wrong.get(&made.id).await, Err(ApiError::Unauthorized { .. })));

    let ro = client(&sim, "ro-token");
    assert!(ro.get(&made.id).await.unwrap().is_some(), "a read-only token may read");
    assert!(matches!(ro.create(&new_basic("x", "a@example.com")).await, Err(ApiError::Forbidden { .. })));

    assert_eq!(c.get("no-such-id").await.unwrap(), None);
    assert!(matches!(c.update("no-such-id", &CredentialPatch::default()).await, Err(ApiError::NotFound { .. })));

    let e = c.update(&made.id, &json!({"auth_type": "oauth2"})).await.unwrap_err();
    assert!(matches!(e, ApiError::Conflict { .. }), "{e:?}");

    match c.create(&new_basic("bad", "not-an-email")).await {
        Err(ApiError::Validation { status: 422, errors }) => {
            assert_eq!(errors[0].field, "basic.username");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }

    let mut cfg = c.config().clone();
    cfg.max_retries = 0;
    let no_retry = Client::new(cfg).unwrap();
    sim.faults(json!({"error_rate": 1.0, "seed": 1}));
    assert!(matches!(no_retry.get(&made.id).await, Err(ApiError::Server { .. })));
    sim.faults(json!({"burst_429": 1, "retry_after": 0}));
    assert!(matches!(no_retry.get(&made.id).await, Err(ApiError::RateLimited { .. })));
    sim.faults(json!({}));

    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let cfg = ClientConfig::new(format!("http://{closed}").parse().unwrap(), Auth::Token(Secret::new("t")));
    let unreachable = Client::new(ClientConfig { max_retries: 0, ..cfg }).unwrap();
    assert!(matches!(unreachable.get("x").await, Err(ApiError::Unreachable { .. })));
}

#[tokio::test]
async fn rate_limits_wait_for_retry_after() {
    let sim = Sim::start();
    let c = client(&sim, &sim.token);
    sim.faults(json!({"burst_429": 2, "retry_after": 1}));
    let start = Instant::now();
    c.create(&new_basic("patient", "a@example.com")).await.expect("succeeds after the burst");
    let waited = start.elapsed();
    assert!(waited >= Duration::from_secs(2), "two Retry-After: 1 answers must wait 2s, waited {waited:?}");
    assert_eq!(sim.faults(json!({}))["injected_429"], 2);
}

#[tokio::test]
async fn thirty_percent_faults_200_creates_no_duplicates() {
    let sim = Sim::start();
    let mut cfg = client(&sim, &sim.token).config().clone();
    cfg.max_retries = 12;
    let c = Arc::new(Client::new(cfg).unwrap());
    // 20% 5xx (half of them after the work was done) + 10% dropped after the work.
    sim.faults(json!({"error_rate": 0.2, "drop_rate": 0.1, "seed": 42}));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let c = c.clone();
        tasks.spawn(async move { c.create(&new_basic(&format!("flaky-{i}"), "a@example.com")).await });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(r) = tasks.join_next().await {
        ids.insert(r.unwrap().expect("every create succeeds in the end").credential.id);
    }
    let stats = sim.faults(json!({}));
    assert!(stats["injected_5xx"].as_u64().unwrap() > 10 && stats["dropped"].as_u64().unwrap() > 5, "{stats}");
    let all = sim.all();
    assert_eq!(all.len(), 200, "exactly 200 on the server");
    assert_eq!(ids.len(), 200);
    let names: std::collections::HashSet<_> = all.iter().map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(names.len(), 200, "no duplicate");
}

#[tokio::test]
async fn login_is_exchanged_for_a_token() {
    let sim = Sim::start_with(&["--username", "admin", "--password", "pw-1"]);
    let mut cfg = client(&sim, "unused").config().clone();
    cfg.auth = Auth::Login { username: "admin".into(), password: Secret::new("pw-1") };
    let c = Client::new(cfg.clone()).unwrap();
    c.create(&new_basic("via login", "a@example.com")).await.unwrap();
    cfg.auth = Auth::Login { username: "admin".into(), password: Secret::new("wrong") };
    assert!(matches!(Client::new(cfg).unwrap().list_by_name(&jira(), "x").await, Err(ApiError::Unauthorized { .. })));
}

#[tokio::test]
async fn restart_with_data_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("sim.json");
    let data_arg = data.to_str().unwrap();
    let ids: Vec<String> = {
        let sim = Sim::start_with(&["--data", data_arg]);
        let c = client(&sim, &sim.token);
        let mut ids = vec![];
        for i in 0..3 {
            ids.push(c.create(&new_basic(&format!("kept-{i}"), "a@example.com")).await.unwrap().credential.id);
        }
        c.delete(&ids[1]).await.unwrap();
        ids
    };
    let sim = Sim::start_with(&["--data", data_arg]);
    let c = client(&sim, &sim.token);
    assert!(c.get(&ids[0]).await.unwrap().is_some());
    assert!(c.get(&ids[1]).await.unwrap().is_none());
    assert!(c.get(&ids[2]).await.unwrap().is_some());
    assert_eq!(sim.all().len(), 2);
    drop(sim);

    std::fs::write(&data, "{ not json").unwrap();
    let out = Command::new(support::sim_bin())
        .args(["--listen", "127.0.0.1:0", "--token", "t", "--data", data_arg])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a corrupt data file is an error, not an empty store");
    assert!(String::from_utf8_lossy(&out.stderr).contains("corrupt"));
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output_and_simulator_logs() {
    let token = "sim-admin-token-8c2f";
    let mut child = Command::new(support::sim_bin())
        .args(["--listen", "127.0.0.1:0", "--token", token])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap().to_string();
    let cfg = ClientConfig::new(url.parse().unwrap(), Auth::Token(Secret::new(token)));
    let debug_cfg = format!("{cfg:?}");
    let c = Client::new(cfg).unwrap();
    let new = new_basic("logged", "a@example.com");
    let made = c.create(&new).await.unwrap();
    c.update(
        &made.credential.id,
        &CredentialPatch {
            section: Some(SectionPatch::Basic(BasicPatch { username: None, password: Some(Secret::new(SECRET)) })),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("POST /api/v3/auth -> 201"), "{logs}");
    for text in [logs.as_ref(), &debug_cfg, &format!("{new:?}")] {
        assert!(!text.contains(SECRET) && !text.contains(token), "secret leaked: {text}");
    }
}

/// The Jira credentials, as the resource lists them.
fn jira() -> oomnitza_api::Filter {
    oomnitza_api::Filter::new().eq("saas", "jira")
}
