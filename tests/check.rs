//! `data "oomnitza_jira_credential_check"` through the real Terraform CLI:
//! Jira accepting a Basic credential, rejecting it (401), unreachable, an
//! OAuth credential through its granted site, a `check {}` block that warns
//! while the plan succeeds, and no authentication material anywhere
//! (output, trace log, plan file, state).

#[macro_use]
mod support;

use base64::Engine as _;
use serde_json::{json, Value};
use support::{consent, engines, Engine, Sim, Work};

const EMAIL: &str = "svc-jira@example.com";
const TOKEN: &str = "check-jira-token-Hq52-secret";

/// The simulator's `host:port`: a loopback Jira site.
fn own_site(sim: &Sim) -> String {
    sim.url.trim_start_matches("http://").to_string()
}

fn outputs(w: &Work) -> Value {
    serde_json::from_str(&w.ok(&["output", "-json"]).stdout).expect("output -json")
}

/// Fails if any of what a run leaves holds the authentication Oomnitza
/// handed out: the Basic header (or its encoded pair) or any Bearer token.
fn nothing_holds_the_authentication(w: &Work, texts: &[(&str, String)]) {
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{TOKEN}"));
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap_or_default();
    for (what, text) in texts.iter().chain([&("state", state)]) {
        for needle in [TOKEN, pair.as_str(), "Basic ", "Bearer "] {
            assert!(!text.contains(needle), "{what} holds {needle:?}");
        }
    }
}

fn basic_config(site: &str, down: &str) -> String {
    format!(
        r#"variable "jira_token" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
resource "oomnitza_jira_credential" "users" {{
  name = "checked"
  basic {{
    email                = "{EMAIL}"
    api_token_wo         = var.jira_token
    api_token_wo_version = 1
  }}
}}
data "oomnitza_jira_credential_check" "users" {{
  credential_id = oomnitza_jira_credential.users.id
  site          = "{site}"
}}
data "oomnitza_jira_credential_check" "down" {{
  credential_id = oomnitza_jira_credential.users.id
  site          = "{down}"
}}
check "jira_accepts" {{
  data "oomnitza_jira_credential_check" "scoped" {{
    credential_id = oomnitza_jira_credential.users.id
    site          = "{site}"
  }}
  assert {{
    condition     = data.oomnitza_jira_credential_check.scoped.accepted
    error_message = "Jira no longer accepts it: ${{data.oomnitza_jira_credential_check.scoped.reason}}"
  }}
}}
output "users" {{
  value = data.oomnitza_jira_credential_check.users
}}
output "down" {{
  value = data.oomnitza_jira_credential_check.down
}}
"#
    )
}

both_engines!(basic_accepted_rejected_and_unreachable, |e| {
    let sim = Sim::start();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let w = Work::new(e, &sim, &basic_config(&own_site(&sim), &format!("127.0.0.1:{closed}")));
    w.set_env("TF_VAR_jira_token", TOKEN);
    let applied = w.apply();
    assert!(!applied.all().contains("Check block assertion failed"), "{}", applied.all());
    let id = w.instances()[0]["id"].as_str().unwrap().to_string();
    let out = outputs(&w);
    let ok = &out["users"]["value"];
    assert_eq!(ok["accepted"], true, "{ok}");
    assert_eq!(ok["http_status"], 200);
    assert_eq!(ok["account_id"], format!("acc-{id}").as_str());
    assert!(ok["reason"].as_str().unwrap().contains("Jira accepted it"), "{ok}");
    assert!(ok["checked_at"].as_str().unwrap().ends_with('Z'), "{ok}");
    let down = &out["down"]["value"];
    assert_eq!(down["accepted"], false, "{down}");
    assert_eq!(down["http_status"], Value::Null);
    assert!(down["reason"].as_str().unwrap().contains("could not be reached"), "{down}");

    // Atlassian stops accepting the token: the plan warns and still succeeds.
    let (s, v) =
        sim.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/jira"), Some(json!({"accepts": false})));
    assert_eq!(s, 200, "{v}");
    let trace = w.path("trace.log");
    let plan = w.run_env(
        &["plan", "-no-color", "-input=false", "-out=plan.bin"],
        &[("TF_LOG", "trace"), ("TF_LOG_PATH", trace.to_str().unwrap())],
        &[],
    );
    assert_ne!(plan.code, 1, "{}", plan.all());
    let flat = support::squeeze(&plan.all());
    assert!(flat.contains("Check block assertion failed"), "{flat}");
    assert!(flat.contains("Jira answered 401: the API token was revoked or has expired at Atlassian"), "{flat}");
    let shown = w.ok(&["show", "-json", "plan.bin"]).stdout;
    w.apply();
    let rejected = &outputs(&w)["users"]["value"];
    assert_eq!(
        (rejected["accepted"].clone(), rejected["http_status"].clone()),
        (json!(false), json!(401)),
        "{rejected}"
    );
    nothing_holds_the_authentication(
        &w,
        &[("plan output", plan.all()), ("trace log", std::fs::read_to_string(&trace).unwrap()), ("plan file", shown)],
    );

    // Accepted again.
    sim.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/jira"), Some(json!({"accepts": true})));
    w.apply();
    assert_eq!(outputs(&w)["users"]["value"]["accepted"], true);

    // A Basic credential needs a site; a site is a host only.
    let credential = |data: &str| {
        let full = basic_config("unused", "unused");
        let upto = full.find("data \"oomnitza_jira_credential_check\"").unwrap();
        format!("{}data \"oomnitza_jira_credential_check\" \"c\" {{\n  credential_id = oomnitza_jira_credential.users.id\n  {data}\n}}\n", &full[..upto])
    };
    w.write(&credential("site = \"https://example.atlassian.net/\""));
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Invalid site") && o.all().contains("no https://"), "{}", o.all());
    w.write(&credential(""));
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Missing site"), "{}", o.all());
});

both_engines!(oauth_through_the_granted_site, |e| {
    let sim = Sim::start_with(&["--atlassian-app", "check-app=check-app-secret"]);
    let config = r#"resource "oomnitza_jira_credential" "o" {
  name = "checked oauth"
  oauth {
    client_id     = "check-app"
    client_secret = "check-app-secret"
    scopes        = ["read:jira-user", "offline_access"]
  }
}
output "consent_url" {
  value = oomnitza_jira_credential.o.oauth.authorization_url
}
"#;
    let w = Work::new(e, &sim, config);
    w.apply();
    let url = outputs(&w)["consent_url"]["value"].as_str().unwrap().to_string();
    let (status, _) = consent(&url, &own_site(&sim), true);
    assert_eq!(status, 200);
    w.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    let checked = format!(
        "{config}data \"oomnitza_jira_credential_check\" \"o\" {{\n  credential_id = oomnitza_jira_credential.o.id\n}}\noutput \"check\" {{\n  value = data.oomnitza_jira_credential_check.o\n}}\n"
    );
    w.write(&checked);
    let trace = w.path("trace.log");
    let o = w.run_env(
        &["apply", "-auto-approve", "-no-color", "-input=false"],
        &[("TF_LOG", "trace"), ("TF_LOG_PATH", trace.to_str().unwrap())],
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    let c = &outputs(&w)["check"]["value"];
    assert_eq!(c["accepted"], true, "{c}");
    assert_eq!(c["http_status"], 200, "{c}");
    assert!(sim.requests().iter().any(|r| r.starts_with("POST /api/v3/auth/") && r.ends_with("/secret")));

    // Revoked at Atlassian: Oomnitza authenticates nothing with it.
    let id = w.instances()[0]["id"].as_str().unwrap().to_string();
    sim.set_oauth_status(&id, "revoked");
    w.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false"]);
    let c = &outputs(&w)["check"]["value"];
    assert_eq!(c["accepted"], false, "{c}");
    assert!(c["reason"].as_str().unwrap().contains("revoked"), "{c}");
    nothing_holds_the_authentication(
        &w,
        &[("apply output", o.all()), ("trace log", std::fs::read_to_string(&trace).unwrap())],
    );
});

// The drift-detection guide's CI job, run as the guide writes it, with the
// guide's write-only credential and its check block: each exit code means
// what the guide's table says, on both engines.
both_engines!(the_ci_guide_job_means_what_its_table_says, |e| {
    let sim = Sim::start();
    let guide = std::fs::read_to_string(support::repo().join("docs/guides/drift-detection-in-ci.md")).unwrap();
    let block = |fence: &str, n: usize| {
        guide.split(fence).nth(n).and_then(|b| b.split("```").next()).expect("a block of the guide").to_string()
    };
    let config =
        format!("{}{}", block("```hcl\n", 1), block("```hcl\n", 2).replace("example.atlassian.net", &own_site(&sim)));
    let w = Work::new(e, &sim, &config);
    let with_token = [("TF_VAR_jira_token", TOKEN)];
    let apply = ["apply", "-auto-approve", "-input=false", "-no-color"];
    assert_eq!(w.run_env(&apply, &with_token, &[]).code, 0);
    let id = w.instances()[0]["id"].as_str().unwrap().to_string();
    std::fs::write(w.path("drift.sh"), block("```sh\n", 1)).unwrap();
    let path = w.terraform_on_path();
    // The job runs without the secret, as the guide says.
    let job = |extra: &[(&str, &str)]| {
        let mut env = vec![("PATH", path.as_str())];
        env.extend_from_slice(extra);
        w.run_script(&w.path("drift.sh"), &env)
    };
    let o = job(&[]);
    assert_eq!(o.code, 0, "nothing drifted, with a check block in the configuration:\n{}", o.all());
    sim.edit(&id, json!({"name": "edited by hand"}));
    let o = job(&[]);
    assert_eq!(o.code, 2, "a hand edit is a drift:\n{}", o.all());
    assert_eq!(w.run_env(&apply, &with_token, &[]).code, 0);
    assert_eq!(job(&[]).code, 0, "converged");
    let (s, v) =
        sim.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/jira"), Some(json!({"accepts": false})));
    assert_eq!(s, 200, "{v}");
    let o = job(&[]);
    assert_eq!(o.code, 3, "Jira refuses it:\n{}", o.all());
    let o = job(&[("OOMNITZA_API_TOKEN", "not-the-token")]);
    assert_eq!(o.code, 1, "the plan fails:\n{}", o.all());
});

// `ephemeral "oomnitza_credential_secret"` (Terraform 1.10+) opens the
// authentication Oomnitza holds for a credential and feeds it to a
// write-only attribute: the value reaches Oomnitza and nothing else (plan,
// plan JSON, plan file, state, trace log). A credential that is gone, or
// an OAuth one not yet authorized, is an error at credential_id.
both_engines!(ephemeral_secret_feeds_a_write_only_attribute_and_is_kept_nowhere, |e| {
    let sim = Sim::start();
    let made = sim.create(json!({
        "name": "Jira for the relay", "saas": "jira", "auth_type": "basic",
        "basic": {"username": EMAIL, "password": TOKEN}
    }));
    let id = made["id"].as_str().unwrap().to_string();
    let config = |id: &str| {
        format!(
            r#"ephemeral "oomnitza_credential_secret" "jira" {{
  credential_id = "{id}"
}}
resource "oomnitza_api_key_credential" "relay" {{
  name             = "Jira relay"
  saas             = "jira_relay"
  token_name       = "Authorization"
  token_wo         = ephemeral.oomnitza_credential_secret.jira.headers["Authorization"]
  token_wo_version = 1
}}
"#
        )
    };
    let w = Work::new(e, &sim, &config(&id));
    let log = w.path("trace.log");
    let trace = [("TF_LOG", "trace"), ("TF_LOG_PATH", log.to_str().unwrap())];
    let plan = w.run_env(&["plan", "-out=tfplan", "-no-color", "-input=false"], &trace, &[]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let plan_json = w.ok(&["show", "-json", "tfplan"]).stdout;
    let plan_file = String::from_utf8_lossy(&std::fs::read(w.path("tfplan")).unwrap()).into_owned();
    let apply = w.run_env(&["apply", "-no-color", "-input=false", "tfplan"], &trace, &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let relay = w.instances()[0]["id"].as_str().expect("the relay in state").to_string();
    let pair = base64::engine::general_purpose::STANDARD.encode(format!("{EMAIL}:{TOKEN}"));
    assert!(sim.secret_matches(&relay, &format!("Basic {pair}")), "the relay holds the header Oomnitza gave");
    let logs = std::fs::read_to_string(&log).expect("trace log");
    assert!(logs.contains("oomnitza answered"), "the provider's own trace lines are in the log");
    let texts = [
        ("plan", plan.all()),
        ("plan JSON", plan_json),
        ("plan file", plan_file),
        ("apply", apply.all()),
        ("trace log", logs),
    ];
    nothing_holds_the_authentication(&w, &texts);
    assert_eq!(w.plan_code().0, 0, "opened again, nothing to change");

    // Gone, and not yet authorized: errors at credential_id, with the fix.
    w.write(&config("no-such-credential"));
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    let text = support::squeeze(&o.all());
    assert!(text.contains("No such credential") && text.contains("credential_id"), "{text}");
    let pending = sim.create(json!({
        "name": "Jira OAuth", "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": "app", "client_secret": "app-secret", "scopes": ["read:jira-user"],
                   "callback_url": "https://generic-oauth2-proxy.oomnitza.com/oauth2/redirect_url"}
    }));
    w.write(&config(pending["id"].as_str().unwrap()));
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    let text = support::squeeze(&o.all());
    assert!(text.contains("Credential not authorized") && text.contains("pending_authorization"), "{text}");
});
