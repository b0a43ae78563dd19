//! Reliability of the whole chain: Terraform, the provider and the API under
//! faults, kills, concurrency, restarts and corporate networks, with nothing
//! lost, nothing duplicated and nothing leaked; and errors that name their
//! cause. Long scenarios run on Terraform 1.15.5 only; short ones on both.

#[macro_use]
mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use support::{assert_no_secret, engines, newest, Engine, Proxy, Sim, Work};

fn many(prefix: &str, n: usize) -> String {
    format!(
        r#"resource "oomnitza_jira_credential" "c" {{
  count = {n}
  name  = "{prefix}-${{count.index}}"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "reliability-token-{prefix}"
  }}
}}
"#
    )
}

/// The ids in state and on the simulator (only those named `prefix-*`).
fn ids(w: &Work, sim: &Sim, prefix: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let state = w.instances().iter().filter_map(|i| i["id"].as_str().map(String::from)).collect();
    let remote = sim
        .all()
        .iter()
        .filter(|c| c["name"].as_str().is_some_and(|n| n.starts_with(&format!("{prefix}-"))))
        .filter_map(|c| c["id"].as_str().map(String::from))
        .collect();
    (state, remote)
}

/// How many credentials named `prefix-*` the simulator holds (while an
/// apply runs, its state file may be half written: read only the server).
fn remote_count(sim: &Sim, prefix: &str) -> usize {
    sim.all().iter().filter(|c| c["name"].as_str().is_some_and(|n| n.starts_with(&format!("{prefix}-")))).count()
}

fn names_unique(sim: &Sim) -> bool {
    let all = sim.all();
    let names: BTreeSet<&str> = all.iter().filter_map(|c| c["name"].as_str()).collect();
    names.len() == all.len()
}

fn apply_converges(w: &Work, tries: usize) -> Vec<String> {
    let mut outputs = Vec::new();
    for _ in 0..tries {
        // -json: every warning whole (the human view shows the first of
        // those with the same summary, "and 9 more similar warnings").
        let o = w.run(&["apply", "-auto-approve", "-input=false", "-json"]);
        let text: Vec<String> = o
            .stdout
            .lines()
            .map(|l| match serde_json::from_str::<serde_json::Value>(l) {
                Ok(v) if v["type"] == "diagnostic" => {
                    let d = &v["diagnostic"];
                    format!(
                        "{}: {}\n{}",
                        d["severity"],
                        d["summary"].as_str().unwrap_or(""),
                        d["detail"].as_str().unwrap_or("")
                    )
                }
                Ok(v) => v["@message"].as_str().unwrap_or("").to_string(),
                Err(_) => l.to_string(),
            })
            .collect();
        outputs.push(format!("{}\n{}", text.join("\n"), o.stderr));
        if o.code == 0 {
            return outputs;
        }
    }
    panic!("apply did not converge in {tries} tries:\n{}", outputs.join("\n---\n"));
}

both_engines!(errors_name_their_cause, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &many("cause", 1));
    let o = w.run_env(
        &["apply", "-auto-approve", "-input=false", "-no-color"],
        &[("OOMNITZA_URL", "https://no-such-host.invalid")],
        &[],
    );
    assert_eq!(o.code, 1, "{}", o.all());
    let text = o.all().replace('\n', " ");
    assert!(text.contains("does not resolve") && text.contains("no-such-host.invalid"), "{}", o.all());
    // Not retried: one attempt, said so.
    assert!(text.contains("1 attempt") && text.contains("Check url"), "{}", o.all());
});

both_engines!(proxies_and_a_private_ca, |e| {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("corporate-ca.pem");
    let sim = Sim::start_with(&["--tls-cert-out", ca.to_str().unwrap()]);
    let w = Work::new(e, &sim, &many("corp", 1));
    // Without the CA: the certificate is not trusted, and the fix is named.
    let o = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    let text = o.all().replace('\n', " ");
    assert!(text.contains("not trusted") && text.contains("ca_cert_file"), "{}", o.all());
    // With the CA and through the proxy, to a host name only the proxy
    // reaches (a loopback url never goes through a proxy).
    let proxy = Proxy::start();
    w.set_env("OOMNITZA_CA_CERT_FILE", ca.to_str().unwrap());
    w.set_env("HTTPS_PROXY", &proxy.url);
    let port = sim.url.rsplit(':').next().unwrap().trim_end_matches('/').to_string();
    w.set_env("OOMNITZA_URL", &format!("https://oomnitza.test:{port}"));
    w.apply();
    assert!(proxy.carried() > 0, "HTTPS_PROXY was not used");
    assert_eq!(sim.all().len(), 1);
    // The loopback url goes around the proxy, whatever HTTPS_PROXY says.
    let before = proxy.carried();
    w.set_env("OOMNITZA_URL", &sim.url);
    assert_eq!(w.plan_code().0, 0);
    assert_eq!(proxy.carried(), before, "loopback traffic went through the proxy");
    // NO_PROXY is honoured for other hosts: oomnitza.test then does not
    // resolve, and the error says so.
    w.set_env("OOMNITZA_URL", &format!("https://oomnitza.test:{port}"));
    w.set_env("NO_PROXY", "oomnitza.test");
    let o = w.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(support::squeeze(&o.all()).contains("does not resolve"), "{}", o.all());
    assert_eq!(proxy.carried(), before, "NO_PROXY was not honoured");
});

#[test]
fn faults_converge_without_duplicates() {
    let e = newest();
    let sim = Sim::start();
    let w = Work::new(e, &sim, &many("faulty", 100));
    // 20% of requests fail: 500/503 before or after the work (15%) or a
    // dropped connection after it (5%); a burst of 429s with Retry-After
    // first; up to 200 ms of jitter on every request.
    let faults = |seed: u64| json!({"error_rate": 0.15, "drop_rate": 0.05, "jitter_ms": 200, "burst_429": 5, "retry_after": 1, "seed": seed});
    sim.faults(faults(11));
    let outputs = apply_converges(&w, 2);
    let (state, remote) = ids(&w, &sim, "faulty");
    assert_eq!(remote.len(), 100, "exactly N on the server:\n{}", outputs.join("\n"));
    assert_eq!(state, remote, "state matches the server one to one");
    assert!(names_unique(&sim), "no duplicate");
    // The faults really happened (the simulator's counts so far).
    let seen = sim.faults(faults(12));
    let count = |k: &str| seen[k].as_u64().unwrap_or(0);
    assert!(count("injected_5xx") > 0 && count("dropped") > 0 && count("injected_429") >= 5, "{seen}");
    assert_eq!(w.plan_code().0, 0);
    for _ in 0..2 {
        if w.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]).code == 0 {
            break;
        }
    }
    assert!(ids(&w, &sim, "faulty").1.is_empty(), "the destroy leaves none");
    assert!(w.instances().is_empty());
}

/// What is lost after a kill, besides the processes.
#[derive(Clone, Copy, PartialEq)]
enum Lost {
    Nothing,
    /// The state file is left empty (Terraform truncates, then writes).
    State,
    /// The state file is empty and `.terraform/` is gone (an ephemeral CI
    /// workspace): the create journal with it.
    StateAndJournal,
}

/// Starts an apply of 50 slow creates, and once about half are made on the
/// server, kills what `kill` picks; then a plain apply must end with exactly
/// the 50 configured credentials in state, each one on the server, nothing
/// deleted, nothing taken over without proof, and every credential that
/// nothing proves is this configuration's left alone and named in a warning.
fn killed_mid_apply(prefix: &str, kill: fn(&std::process::Child), lost: Lost) {
    let e = newest();
    let sim = Sim::start();
    let w = Work::new(e, &sim, &many(prefix, 50));
    // Each create is made at once and answered 300 ms later: at the kill,
    // the creates in flight are made on the server but unanswered, the
    // case the create journal exists for.
    sim.faults(json!({"answer_delay_ms": 300}));
    let child = w.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        support::eventually_within(Duration::from_secs(120), || remote_count(&sim, prefix) >= 25),
        "the apply made no progress"
    );
    kill(&child);
    let out: support::Out = child.wait_with_output().unwrap().into();
    assert_ne!(out.code, 0, "the apply was meant to be cut short:\n{}", out.all());
    // What the state held at the kill, and what was made: the difference is
    // what was in flight (and, when Terraform itself was killed, what it had
    // not written to its state yet). A state file cut short holds nothing.
    let recorded: BTreeSet<String> = std::fs::read_to_string(w.path("terraform.tfstate"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|state| support::instances_in(&state).iter().filter_map(|i| i["id"].as_str().map(String::from)).collect())
        .unwrap_or_default();
    let made = ids(&w, &sim, prefix).1;
    let in_flight: BTreeSet<String> = made.difference(&recorded).cloned().collect();
    assert!(!in_flight.is_empty(), "the kill left no create in flight, so nothing below tests the journal");
    // What the kill left on disk is the journal of those creates: it names
    // them, and holds neither the API token nor Oomnitza's.
    let journal = journal_text(&w);
    assert!(journal.contains(&format!("\"{prefix}-")), "no create in flight is in the journal:\n{journal}");
    assert_no_secret("the create journal", &journal, &[&format!("reliability-token-{prefix}"), &sim.token]);
    if lost != Lost::Nothing {
        std::fs::write(w.path("terraform.tfstate"), "").unwrap();
    }
    if lost == Lost::StateAndJournal {
        std::fs::remove_dir_all(w.path(".terraform")).unwrap();
        w.ok(&["init", "-input=false"]);
    }
    sim.faults(json!({}));
    let outputs = apply_converges(&w, 2);
    let text = outputs.join("\n");
    let (state, remote) = ids(&w, &sim, prefix);
    assert_eq!(state.len(), 50, "exactly the configured credentials in state:\n{text}");
    assert!(state.is_subset(&remote), "every one in state is on the server");
    assert!(made.is_subset(&remote), "nothing made before the kill was deleted");
    if lost == Lost::Nothing {
        assert!(recorded.is_subset(&state), "what the state held, it still holds");
    }
    // Left alone, and named: each credential no state holds is in a warning.
    let orphans: Vec<&String> = remote.difference(&state).collect();
    for id in &orphans {
        assert!(text.contains(id.as_str()), "orphan {id} is not named in a warning:\n{text}");
    }
    if lost != Lost::Nothing {
        // The state was lost after half were recorded: some are orphans,
        // so the checks above had something to check.
        assert!(!orphans.is_empty(), "the kill left no orphan to name:\n{text}");
        assert!(text.contains("Another Jira credential is named"), "{text}");
        // And `terraform query` finds them, as the warning says.
        std::fs::write(
            w.path("find.tfquery.hcl"),
            "list \"oomnitza_jira_credential\" \"all\" {\n  provider = oomnitza\n  config {\n    name_prefix = \"PREFIX-\"\n  }\n}\n"
                .replace("PREFIX", prefix),
        )
        .unwrap();
        let found = w.ok(&["query", "-no-color"]).stdout;
        for id in &orphans {
            assert!(found.contains(id.as_str()), "terraform query does not list orphan {id}:\n{found}");
        }
    }
    // Adopted through the journal: exactly the creates in flight at the
    // kill, while the journal is there; none once it is gone.
    let adopted: BTreeSet<String> = support::squeeze(&text)
        .split("Oomnitza answered with credential ")
        .skip(1)
        .filter_map(|t| t.split_whitespace().next().map(String::from))
        .collect();
    match lost {
        Lost::StateAndJournal => {
            assert!(adopted.is_empty(), "adopted without a journal: {adopted:?}");
            assert!(in_flight.iter().all(|id| orphans.contains(&id)), "each unanswered create is named as an orphan");
        }
        // Terraform alive: its state holds every answer it had, so the
        // creates in flight are known exactly.
        Lost::Nothing => assert_eq!(adopted, in_flight, "adopted exactly the creates in flight:\n{text}"),
        // Terraform killed: its state file may lag behind the answers it
        // had, so what was in flight is a subset of the difference; with
        // every create answered 300 ms late, some always are.
        Lost::State => {
            assert!(!adopted.is_empty(), "nothing in flight was adopted:\n{text}");
            assert!(adopted.is_subset(&in_flight), "adopted {adopted:?}, not all in flight {in_flight:?}");
        }
    }
    if lost == Lost::Nothing {
        // Terraform kept every answer it got; what it never got, the
        // journal proved: nothing is left over.
        assert!(orphans.is_empty(), "no orphan:\n{text}");
        assert_eq!(remote.len(), 50);
        assert!(names_unique(&sim));
    }
    assert_eq!(w.plan_code().0, 0);
}

/// Every file under `.terraform/oomnitza-creates`, one after another.
fn journal_text(w: &Work) -> String {
    fn walk(dir: &std::path::Path, text: &mut String) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, text);
            } else {
                text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()));
            }
        }
    }
    let mut text = String::new();
    walk(&w.path(".terraform/oomnitza-creates"), &mut text);
    text
}

fn kill_terraform(child: &std::process::Child) {
    // SIGKILL to terraform and everything it started (its process group).
    let status = std::process::Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
    assert!(status.is_ok_and(|s| s.success()));
}

#[test]
fn terraform_killed_mid_apply() {
    // Terraform writes its local state by truncating the file and then
    // writing it, so a kill can leave it empty: the worst case, made certain
    // here. Creates still in flight are adopted through their journal
    // entries; those whose answers Terraform had but lost are named.
    killed_mid_apply("killed-tf", kill_terraform, Lost::State);
}

#[test]
fn terraform_killed_and_dot_terraform_removed() {
    killed_mid_apply("killed-ci", kill_terraform, Lost::StateAndJournal);
}

#[test]
fn provider_killed_mid_apply() {
    killed_mid_apply(
        "killed-provider",
        |child| {
            // Only the provider processes below this terraform.
            let out = std::process::Command::new("pkill")
                .args(["-KILL", "-g", &child.id().to_string(), "-f", "terraform-provider-oomnitza"])
                .status()
                .unwrap();
            assert!(out.success(), "no provider process to kill");
        },
        Lost::Nothing,
    );
}

#[test]
fn simulator_restart_mid_apply_loses_nothing() {
    let e = newest();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("oomnitza.json");
    let mut sim = Sim::start_with(&["--data", data.to_str().unwrap()]);
    let w = Work::new(e, &sim, &many("restart", 40));
    let log = w.path("provider.log");
    w.set_env("TF_LOG_PROVIDER", "warn");
    w.set_env("TF_LOG_PATH", log.to_str().unwrap());
    sim.faults(json!({"latency_ms": 100}));
    let child = w.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert!(
        support::eventually_within(Duration::from_secs(120), || remote_count(&sim, "restart") >= 10),
        "the apply made no progress"
    );
    let remote = |sim: &Sim| -> BTreeSet<String> {
        sim.all().iter().filter_map(|c| c["id"].as_str().map(String::from)).collect()
    };
    let before = remote(&sim);
    // An outage long enough that requests meet a refused connection.
    sim.kill();
    assert!(
        support::eventually_within(Duration::from_secs(60), || std::fs::read_to_string(&log)
            .is_ok_and(|l| l.contains("the connection was refused"))),
        "the provider never met the outage"
    );
    sim.start_again();
    let after = remote(&sim);
    assert!(before.is_subset(&after), "credentials lost in the restart");
    let first: support::Out = child.wait_with_output().unwrap().into();
    if first.code != 0 {
        // Failing is fine if it says why.
        assert!(first.all().contains("Could not"), "{}", first.all());
    }
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("retrying"), "the provider retried through the outage:\n{text}");
    apply_converges(&w, 2);
    let (state, remote) = ids(&w, &sim, "restart");
    assert_eq!(remote.len(), 40);
    assert_eq!(state, remote);
    assert!(names_unique(&sim));
}

both_engines!(no_secret_anywhere_at_trace, |e| {
    let sim = Sim::start_with(&["--atlassian-app", "trace-app=trace-app-secret-5d1f"]);
    let secrets = [
        "trace-basic-token-0c4e",
        "trace-basic-wo-token-77aa",
        "trace-app-secret-5d1f",
        "hand-made-secret-31bb",
        sim.token.as_str(),
    ];
    let hand = sim.create(json!({
        "name": "made by hand", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "hand-made-secret-31bb"}
    }));
    let config = format!(
        r#"variable "wo" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
variable "app_secret" {{
  type      = string
  sensitive = true
}}
resource "oomnitza_jira_credential" "basic" {{
  name = "traced basic"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "trace-basic-token-0c4e"
  }}
}}
resource "oomnitza_jira_credential" "wo" {{
  name = "traced write-only"
  basic {{
    email                = "svc-jira@example.com"
    api_token_wo         = var.wo
    api_token_wo_version = 1
  }}
}}
resource "oomnitza_jira_credential" "oauth" {{
  name = "traced oauth"
  oauth {{
    client_id     = "trace-app"
    client_secret = var.app_secret
  }}
}}
import {{
  to = oomnitza_jira_credential.hand
  id = "{id}"
}}
resource "oomnitza_jira_credential" "hand" {{
  name = "made by hand"
  basic {{
    email = "svc-jira@example.com"
  }}
}}
data "oomnitza_jira_credential" "read" {{
  name = "made by hand"
}}
"#,
        id = hand["id"].as_str().unwrap()
    );
    let w = Work::new(e, &sim, &config);
    w.set_env("TF_VAR_wo", "trace-basic-wo-token-77aa");
    w.set_env("TF_VAR_app_secret", "trace-app-secret-5d1f");
    let log = w.path("trace.log");
    let trace = [("TF_LOG", "trace"), ("TF_LOG_PATH", log.to_str().unwrap())];
    let mut outputs = Vec::new();
    for args in [
        &["plan", "-input=false", "-no-color", "-out=tf.plan"][..],
        &["show", "-json", "tf.plan"],
        &["apply", "-input=false", "-no-color", "tf.plan"],
        &["plan", "-input=false", "-no-color"],
        &["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"],
        &["state", "pull"],
        &["destroy", "-auto-approve", "-input=false", "-no-color"],
    ] {
        let o = w.run_env(args, &trace, &[]);
        assert_eq!(o.code, 0, "{args:?}:\n{}", o.all());
        outputs.push((format!("{args:?}"), o.all()));
    }
    assert!(w.instances().is_empty(), "destroyed");
    // What people read (terminal output, logs) holds no secret at all. What
    // machines read (the plan file, `show -json`, the state) holds the
    // sensitive but stored forms by design, and never a write-only one.
    let machine = ["[\"show\", \"-json\", \"tf.plan\"]", "[\"state\", \"pull\"]"];
    let stored_never = ["trace-basic-wo-token-77aa", "hand-made-secret-31bb", sim.token.as_str()];
    for (what, text) in &outputs {
        let kept_from = if machine.contains(&what.as_str()) { &stored_never[..] } else { &secrets[..] };
        assert_no_secret(what, text, kept_from);
    }
    assert_no_secret("the trace log", &std::fs::read_to_string(&log).unwrap(), &secrets);
    let plan = String::from_utf8_lossy(&std::fs::read(w.path("tf.plan")).unwrap()).into_owned();
    assert_no_secret("the plan file", &plan, &stored_never);
    assert!(std::fs::read_to_string(&log).unwrap().contains("oomnitza request"), "provider logs reached the trace log");
});
