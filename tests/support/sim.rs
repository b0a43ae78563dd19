//! The simulator: its binary, built once per test process, and one
//! running instance per test on a free loopback port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use oomnitza_api::routes;
use serde_json::Value;

use super::*;

/// The simulator binary of this build. The workspace build that made the
/// tests (scripts/test.sh, or `cargo build --workspace --all-targets`)
/// made it too; it is built again (as that build does, so that no second
/// variant of it is compiled) only when its sources are newer. nextest runs
/// each test in a process of its own: a cargo call per process cost a
/// stall at the start of every run and a third of a second per test.
pub fn sim_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let bin = target_dir().join("debug/oomnitza-sim");
        let built = std::fs::metadata(&bin).and_then(|m| m.modified()).ok();
        let sources = ["sim/src", "sim/Cargo.toml", "crates/oomnitza-api/src", "Cargo.lock"];
        if built.is_none_or(|b| sources.iter().any(|s| newer_than(&repo().join(s), b))) {
            let status = Command::new(env!("CARGO"))
                .args(["build", "--quiet", "--workspace", "--all-targets"])
                .current_dir(repo())
                .status()
                .expect("run cargo build");
            assert!(status.success(), "building oomnitza-sim failed");
        }
        bin
    })
}

/// Whether `path`, or any file under it, was written after `than`.
fn newer_than(path: &Path, than: std::time::SystemTime) -> bool {
    let Ok(meta) = std::fs::metadata(path) else { return false };
    if meta.is_dir() {
        std::fs::read_dir(path).into_iter().flatten().flatten().any(|e| newer_than(&e.path(), than))
    } else {
        meta.modified().is_ok_and(|m| m > than)
    }
}

/// A running simulator on a free loopback port; killed on drop.
pub struct Sim {
    child: Child,
    pub url: String,
    pub token: String,
    extra: Vec<String>,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Sim {
        let token = format!("sim-token-{}", uuid::Uuid::new_v4());
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, url) = Sim::spawn("127.0.0.1:0", &token, &extra);
        assert!(!url.is_empty(), "the simulator did not start");
        Sim { child, url, token, extra }
    }

    fn spawn(listen: &str, token: &str, extra: &[String]) -> (Child, String) {
        let mut child = Command::new(sim_bin())
            .args(["--listen", listen, "--token", token, "--quiet"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start oomnitza-sim");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("sim stdout")).read_line(&mut line).expect("read sim line");
        if line.is_empty() {
            return (child, String::new()); // it could not start (e.g. the port is still taken)
        }
        let url =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("odd first line {line:?}")).to_string();
        (child, url)
    }

    /// Kills the simulator.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same address, token and flags (with `--data`,
    /// the same credentials).
    pub fn restart(&mut self) {
        self.kill();
        self.start_again();
    }

    /// Starts a killed simulator again on the same address, token and flags.
    pub fn start_again(&mut self) {
        let addr = self.url.rsplit('/').next().unwrap_or_default().to_string();
        for _ in 0..50 {
            let (child, url) = Sim::spawn(&addr, &self.token, &self.extra);
            if !url.is_empty() {
                self.child = child;
                assert_eq!(url, self.url);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the simulator did not come back on {addr}");
    }

    /// One request to the simulator. Runs on its own thread so that it works
    /// the same from plain tests and from inside a tokio runtime.
    pub fn req(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (url, token) = (format!("{}{path}", self.url), self.token.clone());
        std::thread::spawn(move || {
            block_on(async move {
                // The tests' own look-ups trust a TLS simulator's
                // certificate: what is tested is whether the provider does.
                let http = reqwest::Client::builder().danger_accept_invalid_certs(true).build().expect("http client");
                let mut r = http.request(method, url).header("Authorization2", token);
                if let Some(b) = body {
                    r = r.json(&b);
                }
                let resp = r.send().await.expect("sim request");
                let status = resp.status().as_u16();
                let text = resp.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::Null))
            })
        })
        .join()
        .expect("sim request thread")
    }

    /// Every credential on the simulator.
    /// An error answer fails the test: "nothing left" must never pass
    /// because the simulator could not answer.
    pub fn all(&self) -> Vec<Value> {
        let (status, v) = self.req(reqwest::Method::GET, "/_sim/credentials", None);
        assert_eq!(status, 200, "listing the simulator's credentials failed: {v}");
        v.as_array().cloned().unwrap_or_else(|| panic!("the simulator's listing is not a list: {v}"))
    }

    pub fn get(&self, id: &str) -> (u16, Value) {
        self.req(reqwest::Method::GET, &routes::READ.for_id(id), None)
    }

    pub fn create(&self, body: Value) -> Value {
        let (s, v) = self.req(reqwest::Method::POST, routes::CREATE.path, Some(body));
        assert_eq!(s, 201, "{v}");
        v
    }

    /// An edit made by a person in the Oomnitza UI.
    pub fn edit(&self, id: &str, body: Value) {
        let (s, v) = self.req(reqwest::Method::PATCH, &format!("/_sim/credentials/{id}"), Some(body));
        assert_eq!(s, 200, "{v}");
    }

    pub fn delete(&self, id: &str) {
        let (s, _) = self.req(reqwest::Method::DELETE, &format!("/_sim/credentials/{id}"), None);
        assert_eq!(s, 204);
    }

    pub fn rotate(&self, id: &str) {
        let (s, v) = self.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/rotate"), None);
        assert_eq!(s, 200, "{v}");
    }

    pub fn secret_matches(&self, id: &str, value: &str) -> bool {
        let (_, v) = self.req(
            reqwest::Method::POST,
            &format!("/_sim/credentials/{id}/secret_check"),
            Some(serde_json::json!({ "value": value })),
        );
        v["matches"] == Value::Bool(true)
    }

    pub fn faults(&self, spec: Value) -> Value {
        let (status, v) = self.req(reqwest::Method::POST, "/_sim/faults", Some(spec));
        assert_eq!(status, 200, "setting faults failed: {v}");
        v
    }

    /// An OAuth credential's status changed outside Terraform (`revoked`, `expired`).
    pub fn set_oauth_status(&self, id: &str, status: &str) {
        let body = serde_json::json!({ "status": status });
        let (s, v) = self.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/oauth_status"), Some(body));
        assert_eq!(s, 200, "{v}");
    }

    /// The API requests the simulator has seen, oldest first, as
    /// `"GET /api/v3/auth?..."`.
    /// An error answer fails the test: "nothing was sent" must never pass
    /// because the simulator could not answer.
    pub fn requests(&self) -> Vec<String> {
        let (status, v) = self.req(reqwest::Method::GET, "/_sim/requests", None);
        assert_eq!(status, 200, "the simulator's request log failed: {v}");
        let list = v.as_array().unwrap_or_else(|| panic!("the request log is not a list: {v}"));
        list.iter().map(|r| r.as_str().expect("a request line").to_string()).collect()
    }

    /// Makes `count` Basic Auth credentials at once, named `<prefix><n>`.
    pub fn seed(&self, count: usize, name_prefix: &str) {
        let body = serde_json::json!({ "count": count, "name_prefix": name_prefix });
        let (s, v) = self.req(reqwest::Method::POST, "/_sim/seed", Some(body));
        assert_eq!(s, 200, "{v}");
    }

    /// Lets time pass on the simulator: expiry and refresh happen.
    pub fn advance_clock(&self, seconds: i64) {
        let body = serde_json::json!({ "advance_seconds": seconds });
        let (s, v) = self.req(reqwest::Method::POST, "/_sim/clock", Some(body));
        assert_eq!(s, 200, "{v}");
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
