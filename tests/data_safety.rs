//! Data safety in the workflows real users run: no create takes over a
//! credential that another state holds (`terraform test` beside an applied
//! configuration, create_before_destroy with -replace, identical blocks,
//! one configuration in two directories and two workspaces), and blocks
//! chosen by values known only at apply. The first two for both credential
//! kinds. The real Terraform CLI of both engines against the simulator.

#[macro_use]
mod support;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use support::{engines, newest, Engine, Sim, Work};

/// A credential kind: its resource type and a body of the same content
/// each time (so that two blocks of it are identical but for the name).
type Kind = (&'static str, &'static str);

const JIRA: Kind = (
    "oomnitza_jira_credential",
    "basic {\n    email     = \"svc-jira@example.com\"\n    api_token = \"data-safety-token\"\n  }",
);
const API_KEY: Kind = (
    "oomnitza_api_key_credential",
    "saas       = \"okta\"\n  token_name = \"Authorization\"\n  token      = \"data-safety-token\"",
);

fn credential_of((type_name, body): Kind, label: &str, name: &str, lifecycle: &str) -> String {
    format!("resource \"{type_name}\" \"{label}\" {{\n  name = \"{name}\"\n  {body}\n  {lifecycle}\n}}\n")
}

fn credential(label: &str, name: &str, lifecycle: &str) -> String {
    credential_of(JIRA, label, name, lifecycle)
}

fn ids_in_state(w: &Work) -> BTreeSet<String> {
    w.instances().iter().filter_map(|i| i["id"].as_str().map(String::from)).collect()
}

/// The ids in the state of workspace `ws` of `w` (not the default one).
fn ids_in_workspace(w: &Work, ws: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(w.path(&format!("terraform.tfstate.d/{ws}/terraform.tfstate"))).unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    let mut out = BTreeSet::new();
    for r in state["resources"].as_array().cloned().unwrap_or_default() {
        for i in r["instances"].as_array().cloned().unwrap_or_default() {
            out.extend(i["attributes"]["id"].as_str().map(String::from));
        }
    }
    out
}

fn ids_on_server(sim: &Sim) -> BTreeSet<String> {
    sim.all().iter().filter_map(|c| c["id"].as_str().map(String::from)).collect()
}

fn secret_version(sim: &Sim, id: &str) -> Value {
    let (status, c) = sim.get(id);
    assert_eq!(status, 200, "credential {id} is gone: {c}");
    c["secret_version"].clone()
}

/// `terraform test` in a directory whose configuration is applied: the
/// test's run creates a credential of the very same content.
fn test_beside_applied(e: &Engine, kind: Kind) {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &credential_of(kind, "users", "Jira user load", ""));
    w.apply();
    let real = ids_in_state(&w).into_iter().next().expect("the real credential");
    let version = secret_version(&sim, &real);
    // The usual layout: main.tf plus tests/*.tftest.hcl, whose run block
    // creates a credential of the very same content in the same directory.
    std::fs::create_dir_all(w.path("tests")).unwrap();
    std::fs::write(
        w.path("tests/credential.tftest.hcl"),
        format!(
            r#"run "creates_the_credential" {{
  assert {{
    condition     = {}.users.name == "Jira user load"
    error_message = "the credential has its name"
  }}
}}
"#,
            kind.0
        ),
    )
    .unwrap();
    let o = w.ok(&["test", "-no-color"]);
    assert!(o.stdout.contains("1 passed, 0 failed"), "{}", o.all());
    assert!(!o.all().contains("Adopted"), "the test took a credential over:\n{}", o.all());
    // The real credential is untouched; the test made and removed its own.
    assert_eq!(secret_version(&sim, &real), version);
    assert_eq!(ids_on_server(&sim), BTreeSet::from([real.clone()]), "the test cleaned up only what it made");
    assert_eq!(ids_in_state(&w), BTreeSet::from([real]));
    assert_eq!(w.plan_code().0, 0);
}

both_engines!(terraform_test_beside_an_applied_configuration, |e| test_beside_applied(e, JIRA));
both_engines!(api_key_terraform_test_beside_an_applied_configuration, |e| test_beside_applied(e, API_KEY));

/// `-replace` of a create_before_destroy credential: the new one is made
/// first (same content), and only the old one is deleted.
fn replace_create_before_destroy(e: &Engine, kind: Kind) {
    let sim = Sim::start();
    let cbd = "lifecycle {\n    create_before_destroy = true\n  }";
    let w = Work::new(e, &sim, &credential_of(kind, "users", "Jira user load", cbd));
    w.apply();
    let old = ids_in_state(&w);
    let target = format!("-replace={}.users", kind.0);
    let o = w.ok(&["apply", "-auto-approve", "-input=false", "-no-color", &target]);
    let new = ids_in_state(&w);
    assert_eq!(new.len(), 1);
    assert!(new.is_disjoint(&old), "a new id in state:\n{}", o.all());
    assert_eq!(ids_on_server(&sim), new, "the new credential on the server, the old one deleted, nothing else");
    assert_eq!(w.plan_code().0, 0);
}

both_engines!(create_before_destroy_with_replace, |e| replace_create_before_destroy(e, JIRA));
both_engines!(api_key_create_before_destroy_with_replace, |e| replace_create_before_destroy(e, API_KEY));

/// The API calls the simulator saw from request `from` on, by what they
/// do: the sign-in check, a listing, and reads, creates, updates and
/// deletes of one credential.
fn calls_since(sim: &Sim, from: usize) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for r in &sim.requests()[from..] {
        let what = match r.split_once(' ') {
            Some(("GET", p)) if p.starts_with("/api/v2/mappings") => "check",
            Some(("GET", p)) if p.starts_with("/api/v3/auth?") => "list",
            Some(("GET", p)) if p.starts_with("/api/v3/auth/") => "read",
            Some(("POST", "/api/v3/auth")) => "create",
            Some(("PATCH", _)) => "update",
            Some(("DELETE", _)) => "delete",
            _ => "other",
        };
        *out.entry(what).or_default() += 1;
    }
    out
}

/// Runs `terraform <args>` and answers the API calls it made.
fn counted(w: &Work, sim: &Sim, args: &[&str]) -> (support::Out, BTreeMap<&'static str, usize>) {
    let before = sim.requests().len();
    let o = w.run(args);
    assert!(o.code == 0 || o.code == 2, "{}", o.all());
    (o, calls_since(sim, before))
}

/// The "already named" warnings of a `-json` run: (resource address, detail).
fn taken_warnings(o: &support::Out) -> Vec<(String, String)> {
    o.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "diagnostic" && v["diagnostic"]["severity"] == "warning")
        .filter(|v| {
            v["diagnostic"]["summary"].as_str().is_some_and(|s| s.starts_with("Another Jira credential is named"))
        })
        .map(|v| {
            let d = &v["diagnostic"];
            (d["address"].as_str().unwrap_or("").to_string(), d["detail"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn counts(pairs: &[(&'static str, usize)]) -> BTreeMap<&'static str, usize> {
    pairs.iter().copied().collect()
}

both_engines!(a_taken_name_is_warned_at_plan_and_each_credential_costs_one_call, |e| {
    let sim = Sim::start();
    let theirs = sim.create(json!({
        "name": "Taken", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "someone@example.com", "password": "not-ours"}
    }));
    let theirs = theirs["id"].as_str().unwrap().to_string();
    let config = |description: &str| {
        let rest = format!("description = \"{description}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}");
        [("a", "Free one"), ("b", "Taken"), ("c", "Free two")].map(|(l, n)| credential(l, n, &rest)).concat()
    };
    let w = Work::new(e, &sim, &config("first"));
    // The plan names the taken one at its resource, and only there, after
    // one listing; nothing is written.
    let (o, calls) = counted(&w, &sim, &["plan", "-json", "-no-color", "-input=false"]);
    let warned = taken_warnings(&o);
    assert_eq!(warned.len(), 1, "{}", o.all());
    let (address, detail) = &warned[0];
    assert_eq!(address, "oomnitza_jira_credential.b");
    for part in [theirs.as_str(), "second credential", "to = oomnitza_jira_credential.NAME", "made "] {
        assert!(detail.contains(part), "{part:?} missing from: {detail}");
    }
    assert_eq!(calls, counts(&[("check", 1), ("list", 1)]), "plan of 3 creates");
    // The apply makes one call per credential, and checks once: the apply
    // walk's own plan of the creates leaves the checks to the plan walk of
    // the same command. The warning is said once.
    let (o, calls) = counted(&w, &sim, &["apply", "-json", "-auto-approve", "-input=false"]);
    assert_eq!(taken_warnings(&o).len(), 1, "{}", o.all());
    assert_eq!(calls, counts(&[("check", 1), ("create", 3), ("list", 1)]), "apply of 3 creates");
    // Applied: nothing to warn of, nothing listed; a refresh is a read each.
    let (o, calls) = counted(&w, &sim, &["plan", "-json", "-no-color", "-input=false"]);
    assert!(taken_warnings(&o).is_empty(), "{}", o.all());
    assert_eq!(calls, counts(&[("read", 3)]), "no-change plan");
    // An update is one write each, after the refresh's read.
    w.write(&config("second"));
    let (_, calls) = counted(&w, &sim, &["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(calls, counts(&[("read", 3), ("update", 3)]), "apply of 3 updates");
    // A replacement's create meets its predecessor's name, which this
    // state holds: no warning.
    let (o, _) =
        counted(&w, &sim, &["plan", "-json", "-no-color", "-input=false", "-replace=oomnitza_jira_credential.a"]);
    assert!(taken_warnings(&o).is_empty(), "{}", o.all());
    // Destroy: a read each (Terraform's refresh) and a delete each; the
    // other credential of that name is left alone.
    let (_, calls) = counted(&w, &sim, &["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(calls, counts(&[("delete", 3), ("read", 3)]), "destroy of 3");
    assert_eq!(ids_on_server(&sim), BTreeSet::from([theirs]));
});

both_engines!(identical_blocks_then_replace_one, |e| {
    let sim = Sim::start();
    let config = format!("{}{}", credential("a", "Twin", ""), credential("b", "Twin", ""));
    let w = Work::new(e, &sim, &config);
    let o = w.apply();
    assert!(!o.all().contains("Another Jira credential"), "siblings of one apply are not strangers:\n{}", o.all());
    let both = ids_in_state(&w);
    assert_eq!(both.len(), 2);
    assert_eq!(ids_on_server(&sim), both);
    let b_before = w.instances()[1]["id"].as_str().unwrap().to_string();
    w.ok(&["apply", "-auto-approve", "-input=false", "-no-color", "-replace=oomnitza_jira_credential.a"]);
    let after = ids_in_state(&w);
    assert_eq!(after.len(), 2, "two credentials throughout");
    assert!(after.contains(&b_before), "the other one is untouched");
    assert_eq!(ids_on_server(&sim), after);
});

#[test]
fn one_configuration_in_two_directories_and_two_workspaces_at_once() {
    let e = newest();
    let sim = Sim::start();
    let config = (0..10).map(|i| credential(&format!("c{i}"), &format!("shared-{i}"), "")).collect::<String>();
    let (a, b) = (Work::new(e, &sim, &config), Work::new(e, &sim, &config));
    a.ok(&["workspace", "new", "-no-color", "second"]);
    a.ok(&["workspace", "select", "-no-color", "default"]);
    // One after the other: the second workspace of `a`, then `b`.
    a.ok(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let first = ids_in_state(&a);
    let o = a.run_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[("TF_WORKSPACE", "second")], &[]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(!o.all().contains("Adopted"), "{}", o.all());
    assert_eq!(sim.all().len(), 20, "the second workspace made its own:\n{}", o.all());
    let second = ids_in_workspace(&a, "second");
    assert_eq!(second.len(), 10);
    assert!(second.is_disjoint(&first));
    // At once: a third workspace of `a` beside `b`'s default.
    a.ok(&["workspace", "new", "-no-color", "third"]);
    let spawn = |w: &Work| w.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    let (ca, cb) = (spawn(&a), spawn(&b));
    for c in [ca, cb] {
        let o: support::Out = c.wait_with_output().unwrap().into();
        assert_eq!(o.code, 0, "{}", o.all());
        assert!(!o.all().contains("Adopted"), "{}", o.all());
    }
    assert_eq!(sim.all().len(), 40, "four independent sets");
    let third = ids_in_workspace(&a, "third");
    let other = ids_in_state(&b);
    assert_eq!(third.len(), 10);
    assert_eq!(other.len(), 10);
    let sets = [&first, &second, &third, &other];
    for (i, x) in sets.iter().enumerate() {
        for y in &sets[i + 1..] {
            assert!(x.is_disjoint(y), "two workspaces or directories share a credential");
        }
    }
    a.ok(&["workspace", "select", "-no-color", "default"]);
    assert_eq!(ids_in_state(&a), first, "the default workspace still holds its own");
    assert_eq!(a.plan_code().0, 0);
}

/// A credential whose `dynamic` blocks follow `terraform_data.kind`, whose
/// output is known only at apply.
fn chosen_at_apply(kind: &str, basic_when: &str, oauth_when: &str) -> String {
    format!(
        r#"resource "terraform_data" "kind" {{
  input = "{kind}"
}}
resource "oomnitza_jira_credential" "chosen" {{
  name = "chosen at apply"
  dynamic "basic" {{
    for_each = {basic_when} ? [1] : []
    content {{
      email     = "svc-jira@example.com"
      api_token = "dyn-basic-token"
    }}
  }}
  dynamic "oauth" {{
    for_each = {oauth_when} ? [1] : []
    content {{
      client_id     = "dyn-app"
      client_secret = "dyn-app-secret"
    }}
  }}
}}
"#
    )
}

both_engines!(dynamic_blocks_known_only_at_apply, |e| {
    let sim = Sim::start_with(&["--atlassian-app", "dyn-app=dyn-app-secret"]);
    // One of two blocks, chosen by a value known only at apply: validate and
    // plan leave the choice open, with the type known after apply.
    let choose =
        chosen_at_apply("oauth", "terraform_data.kind.output == \"basic\"", "terraform_data.kind.output == \"oauth\"");
    let w = Work::new(e, &sim, &choose);
    let v = w.run(&["validate", "-no-color"]);
    assert_eq!(v.code, 0, "validate leaves unknown blocks to plan:\n{}", v.all());
    let (code, plan) = w.plan_code();
    assert_eq!(code, 2);
    assert!(plan.stdout.contains("+ auth_type      = (known after apply)"), "{}", plan.all());
    // A block known only at apply is created as the value chose. (A single
    // block that turns out absent is refused by Terraform itself, "was
    // present, but now absent", whatever the provider plans: see the guide.)
    let oauth_only = chosen_at_apply("oauth", "false", "terraform_data.kind.output == \"oauth\"");
    w.write(&oauth_only);
    assert_eq!(w.run(&["validate", "-no-color"]).code, 0);
    w.apply();
    let made = sim.all();
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["auth_type"], "oauth2", "the block the value chose");
    assert_eq!(w.plan_code().0, 0);
    // Both, known only at apply: the same rule as a static configuration,
    // enforced once known, at the same attribute.
    w.write(&chosen_at_apply("both", "terraform_data.kind.output != \"\"", "terraform_data.kind.output != \"\""));
    assert_eq!(w.run(&["validate", "-no-color"]).code, 0);
    let o = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Conflicting blocks"), "{}", o.all());
});
