//! `scripts/smoke-real.sh`, the smoke test for a real Oomnitza, run here
//! against the simulator over TLS (its CA through OOMNITZA_CA_CERT_FILE):
//! the whole walk and its report, its refusals, and a failure and a Ctrl-C
//! half-way, after which nothing it made is left and nothing else is gone.

mod support;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use support::{Out, Sim};

struct Setup {
    sim: Sim,
    dir: tempfile::TempDir,
    ca: PathBuf,
    /// A credential someone else made, with the same name prefix.
    stranger: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let sim = Sim::start_with(&["--tls-cert-out", ca.to_str().unwrap()]);
    assert!(sim.url.starts_with("https://"), "{}", sim.url);
    let stranger = sim.create(serde_json::json!({
        "name": "tf-smoke-someone-else", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "other@example.com", "password": "not-ours"}
    }))["id"]
        .as_str()
        .unwrap()
        .to_string();
    Setup { sim, dir, ca, stranger }
}

/// A `terraform` that runs the newest engine, except for an `apply` or
/// `plan` whose main.tf holds `when`: that one does `how` instead
/// (`fail`: exits 1 at once; `hang`: touches `marker`, then waits).
fn wrapper(dir: &Path, when: &str, how: &str) -> PathBuf {
    let program: Vec<String> = support::newest().program.iter().map(|p| format!("'{}'", p.display())).collect();
    let marker = dir.join("hanging");
    let text = format!(
        "#!/usr/bin/env bash\nif [ \"${{1:-}}\" = apply ] && grep -qF -- '{when}' main.tf 2>/dev/null; then\n  case {how} in\n    fail) echo 'wrapper: this step fails on purpose' >&2; exit 1 ;;\n    hang) touch '{}'; sleep 60; exit 1 ;;\n  esac\nfi\nexec {} \"$@\"\n",
        marker.display(),
        program.join(" ")
    );
    let path = dir.join(format!("terraform-{how}"));
    std::fs::write(&path, text).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path
}

fn script(s: &Setup, terraform: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut c = Command::new("bash");
    c.arg(support::repo().join("scripts/smoke-real.sh"))
        .args(args)
        .env("OOMNITZA_URL", &s.sim.url)
        .env("OOMNITZA_API_TOKEN", &s.sim.token)
        .env("OOMNITZA_CA_CERT_FILE", &s.ca)
        .env("TERRAFORM", terraform)
        // The binary this test run built: a build here could differ in
        // features from the test build and replace it under other tests.
        .env("OOMNITZA_PROVIDER_DIR", support::provider_bin().parent().unwrap())
        .env_remove("TF_LOG")
        .env_remove("TF_CLI_CONFIG_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn run(mut c: Command) -> Out {
    c.output().expect("run smoke-real.sh").into()
}

/// Only the stranger is left, unchanged.
fn only_the_stranger_is_left(s: &Setup, out: &Out) {
    let left = s.sim.all();
    assert_eq!(left.len(), 1, "{left:?}\n{}", out.all());
    assert_eq!(left[0]["id"], s.stranger.as_str());
    assert_eq!(left[0]["name"], "tf-smoke-someone-else");
}

/// The random API token never shows: no long `smoke-<hex>` word.
fn no_token_shown(out: &Out) {
    let text = out.all();
    let shown = text.split(|c: char| c.is_whitespace() || c == '"').find(|w| w.starts_with("smoke-") && w.len() > 40);
    assert!(shown.is_none(), "the credential's API token was printed: {shown:?}");
}

#[test]
fn walks_a_credential_through_its_life_and_reports_the_routes() {
    let s = setup();
    let out = run(script(&s, &wrapper(s.dir.path(), "never", "fail"), &["--i-understand-this-writes"], &[]));
    assert_eq!(out.code, 0, "{}", out.all());
    let text = &out.stdout[out.stdout.find("Report for").unwrap_or_else(|| panic!("no report:\n{}", out.all()))..];
    for (step, route) in [
        ("create tf-smoke-", "POST /api/v3/auth -> 201"),
        ("create tf-smoke-", "GET /api/v2/mappings -> 200"),
        ("a second plan is empty (terraform plan): exit 0", "GET /api/v3/auth/{id} -> 200"),
        ("rename it to tf-smoke-", "PATCH /api/v3/auth/{id} -> 200"),
        ("import it into a second state", "GET /api/v3/auth/{id} -> 200"),
        ("read it with the data source (terraform apply): exit 0", "GET /api/v3/auth/{id} -> 200"),
        ("destroy it (terraform destroy): exit 0", "DELETE /api/v3/auth/{id} -> 204"),
        ("the data source no longer finds it", "GET /api/v3/auth/{id} -> 404"),
    ] {
        let at = text.find(step).unwrap_or_else(|| panic!("no step {step:?}:\n{text}"));
        let section: String = text[at..].lines().skip(1).take_while(|l| l.starts_with("     ")).collect();
        assert!(section.contains(route), "step {step:?} lacks {route}:\n{text}");
    }
    assert!(text.contains("smoke-real: all steps passed."), "{text}");
    only_the_stranger_is_left(&s, &out);
    no_token_shown(&out);
}

#[test]
fn does_nothing_without_its_settings_and_the_flag() {
    let s = setup();
    let before = s.sim.requests().len();
    // The log records requests (setup's own): "none since" below can fail.
    assert!(before > 0, "the simulator's request log is empty");
    let tf = wrapper(s.dir.path(), "never", "fail");
    let out = run(script(&s, &tf, &[], &[]));
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("--i-understand-this-writes") && out.stderr.contains("nothing was done"),
        "{}",
        out.all()
    );
    let mut c = script(&s, &tf, &["--i-understand-this-writes"], &[]);
    c.env_remove("OOMNITZA_API_TOKEN");
    let out = run(c);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("set OOMNITZA_URL and OOMNITZA_API_TOKEN"), "{}", out.all());
    assert!(s.sim.requests()[before..].is_empty(), "{:?}", s.sim.requests());
    only_the_stranger_is_left(&s, &out);
}

#[test]
fn a_failure_half_way_leaves_nothing_behind() {
    let s = setup();
    let out = run(script(&s, &wrapper(s.dir.path(), "import {", "fail"), &["--i-understand-this-writes"], &[]));
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("FAILED at step \"import it into a second state\""), "{}", out.all());
    assert!(out.stderr.contains("this step fails on purpose"), "the failed step's output is shown:\n{}", out.all());
    assert!(out.stdout.contains("Cleaning up: destroying what this run created"), "{}", out.all());
    assert!(out.stdout.contains("rename it to tf-smoke-"), "the report of the steps before it:\n{}", out.all());
    only_the_stranger_is_left(&s, &out);
    no_token_shown(&out);
}

#[test]
fn ctrl_c_half_way_leaves_nothing_behind() {
    let s = setup();
    let mut c = script(&s, &wrapper(s.dir.path(), "-renamed", "hang"), &["--i-understand-this-writes"], &[]);
    c.process_group(0);
    let child = c.spawn().unwrap();
    let marker = s.dir.path().join("hanging");
    assert!(support::eventually_within(Duration::from_secs(120), || marker.exists()), "the rename step never started");
    support::interrupt(&child);
    let out: Out = child.wait_with_output().unwrap().into();
    assert_eq!(out.code, 130, "{}", out.all());
    assert!(out.stdout.contains("Cleaning up"), "{}", out.all());
    only_the_stranger_is_left(&s, &out);
}
