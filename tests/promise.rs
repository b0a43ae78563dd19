//! A plan is a promise, and data safety has no side doors: a reviewed plan
//! applied after a hand edit makes every planned value true and says what
//! it overwrote; a create that lost its answer is named by every later run
//! until a person decides; a copied working directory never adopts another
//! directory's credential; a read or import retires the record naming its
//! credential. The real Terraform CLI against the simulator, checking the
//! server, not only the exit code.

#[macro_use]
mod support;

use std::collections::BTreeSet;

use serde_json::{json, Value};
use support::{engines, newest, Engine, Sim, Work};

/// A credential of either kind with a description that plans change.
fn config(type_name: &str, name: &str, description: &str) -> String {
    let body = if type_name == "oomnitza_jira_credential" {
        "basic {\n    email     = \"svc-jira@example.com\"\n    api_token = \"promise-token\"\n  }"
    } else {
        "saas       = \"okta\"\n  token_name = \"Authorization\"\n  token      = \"promise-token\""
    };
    format!(
        "resource \"{type_name}\" \"b\" {{\n  name        = \"{name}\"\n  description = \"{description}\"\n  {body}\n}}\n"
    )
}

fn only_id(w: &Work) -> String {
    let i = w.instances();
    assert_eq!(i.len(), 1, "{i:?}");
    i[0]["id"].as_str().unwrap().to_string()
}

fn ids_in_state(w: &Work) -> BTreeSet<String> {
    w.instances().iter().filter_map(|i| i["id"].as_str().map(String::from)).collect()
}

fn ids_on_server(sim: &Sim) -> BTreeSet<String> {
    sim.all().iter().filter_map(|c| c["id"].as_str().map(String::from)).collect()
}

fn on_server(sim: &Sim, id: &str) -> Value {
    let (status, c) = sim.get(id);
    assert_eq!(status, 200, "{id} is gone: {c}");
    c
}

/// `plan -out`, a rename by hand in Oomnitza, then `apply tfplan`; then the
/// same with `apply -refresh=false`. Each apply makes the server hold every
/// planned value, returns the plan's values (no "inconsistent result"), and
/// warns of what it overwrote.
fn applies_as_reviewed(e: &Engine, type_name: &str) {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config(type_name, "stale b", "one"));
    w.apply();
    let id = only_id(&w);
    // A saved plan that changes only the description.
    w.write(&config(type_name, "stale b", "two"));
    w.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    sim.edit(&id, json!({"name": "b renamed by hand"}));
    let o = w.ok(&["apply", "-input=false", "-no-color", "tfplan"]);
    let text = support::squeeze(&o.all());
    assert!(!text.contains("inconsistent result"), "{text}");
    assert!(text.contains("was changed outside Terraform after this plan was made"), "{text}");
    assert!(text.contains(r#"name: "stale b" -> "b renamed by hand" (now "stale b")"#), "{text}");
    let c = on_server(&sim, &id);
    assert_eq!((c["name"].as_str(), c["description"].as_str()), (Some("stale b"), Some("two")), "{c}");
    assert_eq!(w.instances()[0]["name"], "stale b");
    assert_eq!(w.plan_code().0, 0, "the state and the server agree");

    // -refresh=false: the plan is made from the state alone.
    sim.edit(&id, json!({"name": "renamed again"}));
    w.write(&config(type_name, "stale b", "three"));
    let o = w.ok(&["apply", "-refresh=false", "-auto-approve", "-input=false", "-no-color"]);
    assert!(o.all().contains("after this plan was made"), "{}", o.all());
    let c = on_server(&sim, &id);
    assert_eq!((c["name"].as_str(), c["description"].as_str()), (Some("stale b"), Some("three")), "{c}");
    assert_eq!(w.plan_code().0, 0);

    // A secret rotated by hand after the plan: the apply keeps the plan's
    // word (no inconsistent result), and the next plan shows the rotation.
    w.write(&config(type_name, "stale b", "four"));
    w.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    sim.rotate(&id);
    let o = w.ok(&["apply", "-input=false", "-no-color", "tfplan"]);
    assert!(o.all().contains("its secret was replaced in Oomnitza"), "{}", o.all());
    assert_eq!(on_server(&sim, &id)["description"], "four");
    let (code, plan) = w.plan_code();
    assert_eq!(code, 2, "the rotation is drift:\n{}", plan.all());
    assert!(plan.all().contains("its secret was replaced"), "{}", plan.all());
}

both_engines!(saved_plan_after_a_hand_edit, |e| applies_as_reviewed(e, "oomnitza_jira_credential"));

#[test]
fn api_key_saved_plan_after_a_hand_edit() {
    applies_as_reviewed(newest(), "oomnitza_api_key_credential");
}

/// The provider block of a directory whose creates lose their answer at
/// once: no retries, so one dropped answer ends the create in doubt.
const NO_RETRIES: &str = "provider \"oomnitza\" {\n  max_retries = 0\n}\n";

/// Applies `w`'s saved plan while Oomnitza makes each credential and the
/// answer is lost (the connection drops after the work).
fn apply_losing_answers(w: &Work, sim: &Sim, args: &[&str]) -> support::Out {
    sim.faults(json!({"drop_rate": 1.0, "only": "POST /api/v3/auth"}));
    let o = w.run(args);
    sim.faults(json!({}));
    assert_ne!(o.code, 0, "the answer was meant to be lost:\n{}", o.all());
    o
}

/// A copied working directory (`cp -r`, a restored cache of `.terraform`)
/// holding an interrupted create's record never adopts: the copy names it
/// and makes its own; the original adopts it; the copy's destroy deletes
/// only the copy's.
#[test]
fn a_copied_directory_never_adopts() {
    let e = newest();
    let sim = Sim::start();
    let body = format!("{NO_RETRIES}{}", config("oomnitza_jira_credential", "copied", "d"));
    let w = Work::new(e, &sim, &body);
    let lost = apply_losing_answers(&w, &sim, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let made = ids_on_server(&sim);
    assert_eq!(made.len(), 1, "Oomnitza made it:\n{}", lost.all());
    assert!(ids_in_state(&w).is_empty());

    let copy = w.copy();
    let o = copy.apply();
    let text = support::squeeze(&o.all());
    assert!(!text.contains("Adopted"), "the copy took the original's credential:\n{text}");
    assert!(text.contains(r#"An interrupted create of "copied" may have made a credential"#), "{text}");
    assert!(text.contains("written in another directory"), "{text}");
    let theirs = ids_in_state(&copy);
    assert_eq!(theirs.len(), 1);
    assert!(theirs.is_disjoint(&made), "the copy made its own");

    // The token changed in the configuration since the lost create: the
    // adoption sends the configured one.
    w.write(
        &format!("{NO_RETRIES}{}", config("oomnitza_jira_credential", "copied", "d"))
            .replace("promise-token", "token-after-the-kill"),
    );
    let o = w.apply();
    assert!(o.all().contains("Adopted a credential from an interrupted apply"), "{}", o.all());
    assert_eq!(ids_in_state(&w), made, "the original adopted what its own create made");
    let adopted = made.iter().next().unwrap();
    assert!(sim.secret_matches(adopted, "token-after-the-kill"), "the adoption sent the configured secret");

    copy.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(ids_on_server(&sim), made, "the copy's destroy deleted only the copy's credential");
    assert_eq!(w.plan_code().0, 0);
}

/// A create_before_destroy replacement whose create lost its answer: the
/// next plan is empty (Terraform keeps the old one), and it names the
/// credential left behind, every run, until it is imported; the import
/// retires the record, and the names stop.
fn replacement_that_lost_its_answer(e: &Engine) {
    let sim = Sim::start();
    let cbd = config("oomnitza_jira_credential", "cbd", "d")
        .replace("\n}\n", "\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n");
    let w = Work::new(e, &sim, &format!("{NO_RETRIES}{cbd}"));
    w.apply();
    let old = ids_in_state(&w);
    let args = ["apply", "-auto-approve", "-input=false", "-no-color", "-replace=oomnitza_jira_credential.b"];
    apply_losing_answers(&w, &sim, &args);
    assert_eq!(ids_in_state(&w), old, "Terraform kept the old one");
    let left: Vec<String> = ids_on_server(&sim).difference(&old).cloned().collect();
    assert_eq!(left.len(), 1, "Oomnitza made the new one");
    for _ in 0..2 {
        let (code, plan) = w.plan_code();
        assert_eq!(code, 0, "{}", plan.all());
        let text = support::squeeze(&plan.all());
        assert!(text.contains(r#"An interrupted create of "cbd" may have made a credential"#), "{text}");
        assert!(text.contains(&left[0]), "the leftover is named by id:\n{text}");
    }
    // The user imports it (as the warning says) beside the old one.
    w.write(&format!(
        "{NO_RETRIES}{cbd}import {{\n  to = oomnitza_jira_credential.left\n  id = \"{}\"\n}}\n{}",
        left[0],
        cbd.replace("\"b\"", "\"left\"")
    ));
    w.apply();
    let (code, plan) = w.plan_code();
    assert_eq!(code, 0, "{}", plan.all());
    assert!(!plan.all().contains("interrupted create"), "named after its import:\n{}", plan.all());
    assert_eq!(ids_on_server(&sim).len(), 2, "nothing deleted");
    // Its record is retired: a later create_before_destroy replacement of
    // the imported one makes a new credential, never "adopts" the old one
    // (which the replacement then deletes).
    let o = w.ok(&["apply", "-auto-approve", "-input=false", "-no-color", "-replace=oomnitza_jira_credential.left"]);
    assert!(!o.all().contains("Adopted"), "{}", o.all());
    let held = ids_in_state(&w);
    assert!(!held.contains(&left[0]), "the imported one was replaced");
    assert_eq!(ids_on_server(&sim), held, "every id in state is on the server, and only those");
}

both_engines!(a_replacement_that_lost_its_answer_is_named, replacement_that_lost_its_answer);

/// Workspaces whose names differ only in punctuation keep apart: an
/// interrupted create in one is never adopted by another.
#[test]
fn look_alike_workspaces_keep_apart() {
    let e = newest();
    let sim = Sim::start();
    let body = format!("{NO_RETRIES}{}", config("oomnitza_jira_credential", "ws", "d"));
    let w = Work::new(e, &sim, &body);
    for ws in ["team@a", "team+a", "team_a"] {
        w.ok(&["workspace", "new", "-no-color", ws]);
    }
    w.ok(&["workspace", "select", "-no-color", "team@a"]);
    apply_losing_answers(&w, &sim, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let first = ids_on_server(&sim);
    assert_eq!(first.len(), 1);
    for ws in ["team+a", "team_a"] {
        w.ok(&["workspace", "select", "-no-color", ws]);
        let o = w.apply();
        assert!(!o.all().contains("Adopted"), "{ws} took team@a's credential:\n{}", o.all());
        assert!(!o.all().contains("interrupted create"), "{ws} named team@a's record:\n{}", o.all());
    }
    assert_eq!(ids_on_server(&sim).len(), 3, "each workspace made its own");
    w.ok(&["workspace", "select", "-no-color", "team@a"]);
    let o = w.apply();
    assert!(o.all().contains("Adopted a credential from an interrupted apply"), "{}", o.all());
    assert!(ids_in_state(&w).is_subset(&first));
}

/// The record lives in Terraform's data directory: a run in the same folder
/// with another `TF_DATA_DIR` never adopts the first one's interrupted
/// create; it makes its own.
#[test]
fn another_data_dir_never_adopts() {
    let e = newest();
    let sim = Sim::start();
    let body = format!("{NO_RETRIES}{}", config("oomnitza_jira_credential", "datadir", "d"));
    let w = Work::new(e, &sim, &body);
    apply_losing_answers(&w, &sim, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    let first = ids_on_server(&sim);
    assert_eq!(first.len(), 1);
    let other = w.path("other-data");
    w.set_env("TF_DATA_DIR", other.to_str().unwrap());
    w.ok(&["init", "-input=false"]);
    let o = w.apply();
    assert!(!o.all().contains("Adopted"), "took the other data directory's create:\n{}", o.all());
    assert_eq!(ids_on_server(&sim).len(), 2, "this data directory made its own");
    assert!(ids_in_state(&w).is_disjoint(&first), "and holds only its own");
}

/// A destroy never needs a secret: a credential deleted in Oomnitza, a
/// configuration that carries no token (as the import guide and generated
/// configuration leave it), and `terraform destroy` succeeds.
fn destroy_without_a_token(e: &Engine, type_name: &str) {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config(type_name, "gone", "d"));
    w.apply();
    let id = only_id(&w);
    let tokenless = config(type_name, "gone", "d")
        .replace("    api_token = \"promise-token\"\n", "")
        .replace("  token      = \"promise-token\"", "");
    assert!(!tokenless.contains("promise-token"), "{tokenless}");
    w.write(&tokenless);
    sim.delete(&id);
    let o = w.run(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(w.instances().is_empty(), "nothing left in state");
    assert!(sim.all().is_empty());
}

both_engines!(destroy_after_an_out_of_band_delete_needs_no_token, |e| destroy_without_a_token(
    e,
    "oomnitza_jira_credential"
));

#[test]
fn api_key_destroy_after_an_out_of_band_delete_needs_no_token() {
    destroy_without_a_token(newest(), "oomnitza_api_key_credential");
}

// Nothing after Oomnitza made a credential taints it: an OAuth create whose
// authorize call runs out of time (a slow Oomnitza, a short
// `timeouts.create`) ends with the credential in state, untainted, and a
// warning saying what to do; the next plan replaces nothing.
both_engines!(a_slow_authorize_after_a_create_does_not_taint, |e| {
    let sim = Sim::start_with(&["--atlassian-app", "slow-app=slow-app-secret"]);
    let config = "resource \"oomnitza_jira_credential\" \"o\" {\n  name = \"slow consent\"\n  oauth {\n    client_id     = \"slow-app\"\n    client_secret = \"slow-app-secret\"\n  }\n  timeouts {\n    create = \"2s\"\n  }\n}\n";
    let w = Work::new(e, &sim, config);
    // Only the calls after the create (authorize) are slow.
    sim.faults(json!({"latency_ms": 4000, "only": "POST /api/v3/auth/"}));
    let o = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    sim.faults(json!({}));
    assert_eq!(o.code, 0, "a warning, not an error:\n{}", o.all());
    let text = support::squeeze(&o.all());
    assert!(text.contains("Could not start OAuth consent"), "{text}");
    assert!(text.contains("is in the state, not tainted"), "{text}");
    let state = w.state();
    let instance = &state["resources"][0]["instances"][0];
    assert_eq!(instance["status"], Value::Null, "tainted: {instance}");
    let id = only_id(&w);
    assert_eq!(ids_on_server(&sim), BTreeSet::from([id.clone()]));
    let (_, plan) = w.plan_code();
    assert!(!plan.all().contains("must be replaced"), "{}", plan.all());
    w.apply();
    assert_eq!(only_id(&w), id, "the same credential, consent started on the next apply");
});

/// The providers that process `parent` started, by pid.
fn providers_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        // "pid (comm) state ppid ...": the fields after the last ')'.
        let after = stat.rsplit_once(')').map(|(_, a)| a).unwrap_or_default();
        let fields: Vec<&str> = after.split_whitespace().collect();
        let alive = fields.first().is_some_and(|s| *s != "Z");
        let cmd = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if alive && fields.get(1) == Some(&parent.to_string().as_str()) && cmd.contains("terraform-provider-oomnitza") {
            out.push(pid);
        }
    }
    out
}

/// Terraform SIGKILLed mid-apply (the OOM killer, a CI timeout) cannot stop
/// its provider: the provider sees its parent gone and exits within a
/// second or so, instead of running on re-parented; the create it had in
/// flight is named by the next run.
#[test]
fn the_provider_exits_when_terraform_is_killed() {
    let e = &engines()[0]; // the terraform binary itself starts the provider
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config("oomnitza_jira_credential", "killed", "d"));
    sim.faults(json!({"latency_ms": 3000, "only": "POST /api/v3/auth"}));
    let mut child = w.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let tf = child.id();
    let mut providers = Vec::new();
    assert!(
        support::eventually_within(std::time::Duration::from_secs(60), || {
            providers = providers_of(tf);
            !providers.is_empty() && !sim.requests().iter().all(|r| !r.starts_with("POST /api/v3/auth"))
        }),
        "no provider of terraform {tf} with a create in flight"
    );
    let status = std::process::Command::new("kill").args(["-KILL", &tf.to_string()]).status().unwrap();
    assert!(status.success());
    let _ = child.wait();
    let gone = support::eventually_within(std::time::Duration::from_secs(3), || {
        providers.iter().all(|p| {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            stat.is_empty() || stat.rsplit_once(')').is_some_and(|(_, a)| a.trim_start().starts_with('Z'))
        })
    });
    sim.faults(json!({}));
    for p in &providers {
        let _ = std::process::Command::new("kill").args(["-KILL", &p.to_string()]).status();
    }
    assert!(gone, "the provider outlived terraform's death: {providers:?}");
    // The next run names what the killed create may have made, or adopts it.
    let o = w.apply();
    let text = o.all();
    assert!(text.contains("interrupted") || text.contains("Adopted"), "{text}");
    assert_eq!(ids_on_server(&sim), ids_in_state(&w), "nothing orphaned: the create was resumed");
}

/// A new credential whose `expiration_date` is already past is said at its
/// plan, for either kind, not only by the plan after the apply.
#[test]
fn a_past_expiration_date_is_said_at_the_plan_of_the_create() {
    let sim = Sim::start();
    for type_name in ["oomnitza_jira_credential", "oomnitza_api_key_credential"] {
        let body = config(type_name, "expired", "d").replace("\n}\n", "\n  expiration_date = \"2024-01-31\"\n}\n");
        let w = Work::new(newest(), &sim, &body);
        let (code, plan) = w.plan_code();
        assert_eq!(code, 2);
        let text = support::squeeze(&plan.all());
        assert!(text.contains("expired") && text.contains("(creating it all the same)"), "{type_name}:\n{text}");
        assert!(text.contains("Its expiration_date is 2024-01-31"), "{text}");
    }
}
