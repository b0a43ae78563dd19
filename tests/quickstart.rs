//! The README's first command, run as a newcomer would (debug build, to reuse
//! the test build): it must pass every step and stop the simulator.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn quickstart_runs_every_step() {
    let out = Command::new("bash")
        .arg(support::repo().join("scripts/quickstart.sh"))
        .env("PROFILE", "debug")
        .env("TERRAFORM", std::env::var("TF_ACC_TERRAFORM_1_11").unwrap_or_else(|_| "/usr/local/bin/terraform".into()))
        .output()
        .expect("run scripts/quickstart.sh");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "quickstart failed:\n{text}");
    for step in [
        "Apply complete! Resources: 2 added",
        "needs consent in Atlassian",
        "Consent complete.",
        "oauth.status = authorized",
        "No changes.",
        "~ name",
        "secret_version",
        "Plan after converging: empty.",
        "Destroy complete! Resources: 2 destroyed.",
        "Quickstart complete",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    // The README's abridged output heads each step as the script does.
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let plain = text.replace("\u{1b}[1m", "").replace("\u{1b}[0m", "");
    let headings: Vec<&str> = readme.lines().filter(|l| l.starts_with("==> ")).collect();
    assert!(headings.len() >= 8, "the README shows the quickstart's steps: {headings:?}");
    for h in headings {
        assert!(plain.contains(h), "README heading {h:?} is not what the quickstart prints:\n{plain}");
    }
    assert!(!text.contains("jira-token-quickstart"), "the Jira token was printed");
    assert!(!text.contains("quickstart-app-secret-"), "the OAuth client secret was printed");
}

/// A stand-in for `terraform` that runs `body`.
fn fake_terraform(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    let path = dir.join("terraform");
    std::fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
    Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    path
}

/// What the quickstart said about itself: (simulator port, working directory).
fn started(line: &str, port: &mut Option<u16>, work: &mut Option<String>) {
    if let Some(url) = line.strip_prefix("Simulator: ") {
        *port = url.trim().rsplit(':').next().and_then(|p| p.parse().ok());
    }
    if let Some(rest) = line.strip_prefix("Working directory: ") {
        *work = rest.split(' ').next().map(String::from);
    }
}

fn cleaned_up(port: Option<u16>, work: Option<String>) {
    let port = port.expect("the quickstart named its simulator");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the simulator still listens on {port}");
    let work = work.expect("the quickstart named its working directory");
    assert!(!std::path::Path::new(&work).exists(), "{work} was left behind");
}

#[test]
fn a_failed_step_stops_the_simulator_and_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let tf = fake_terraform(dir.path(), "echo 'terraform: broken on purpose' >&2; exit 1");
    let out = Command::new("bash")
        .arg(support::repo().join("scripts/quickstart.sh"))
        .env("PROFILE", "debug")
        .env("TERRAFORM", &tf)
        .output()
        .expect("run scripts/quickstart.sh");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("quickstart failed: terraform init"));
    let (mut port, mut work) = (None, None);
    for line in text.lines() {
        started(line, &mut port, &mut work);
    }
    cleaned_up(port, work);
}

#[test]
fn ctrl_c_stops_the_simulator_and_cleans_up() {
    use std::os::unix::process::CommandExt as _;
    let dir = tempfile::tempdir().unwrap();
    // terraform init hangs until the person presses Ctrl-C.
    let tf = fake_terraform(dir.path(), "sleep 120");
    let mut child = Command::new("bash")
        .arg(support::repo().join("scripts/quickstart.sh"))
        .env("PROFILE", "debug")
        .env("TERRAFORM", &tf)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("run scripts/quickstart.sh");
    let (mut port, mut work) = (None, None);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        started(&line, &mut port, &mut work);
        if line.contains("terraform init") {
            break;
        }
    }
    // Ctrl-C in a terminal: SIGINT to the whole foreground process group.
    let group = format!("-{}", child.id());
    assert!(Command::new("kill").args(["-INT", "--", &group]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "Ctrl-C ends the quickstart with 130");
    cleaned_up(port, work);
}
