//! Acceptance tests of OAuth 2.0 (3LO) credentials: the real Terraform CLI
//! (1.11.4 and 1.15.5), the provider, and the simulator playing Oomnitza,
//! its OAuth proxy and Atlassian. Consent is given as a person would: the
//! test opens the consent URL, picks a site and submits the form.

#[macro_use]
mod support;

use serde_json::{json, Value};
use support::{consent, engines, query_param, Engine, Sim, Work};

const CLIENT_ID: &str = "atlassian-app-1";
const CLIENT_SECRET: &str = "app-secret-Qx71-never-printed";
const WRONG_SECRET: &str = "app-secret-wrong-Vb22-never-printed";
const SITE: &str = "example.atlassian.net";

/// A simulator that knows the Atlassian app and its real secret.
fn sim() -> Sim {
    Sim::start_with(&["--atlassian-app", &format!("{CLIENT_ID}={CLIENT_SECRET}")])
}

/// One OAuth credential; `oauth_extra` goes inside the oauth block and
/// `extra` beside it. The secret comes from `TF_VAR_client_secret`.
fn config(scopes: &str, oauth_extra: &str, extra: &str) -> String {
    format!(
        r#"variable "client_secret" {{
  type      = string
  sensitive = true
}}
resource "oomnitza_jira_credential" "users_oauth" {{
  name = "Jira user load (OAuth)"
  oauth {{
    client_id     = "{CLIENT_ID}"
    client_secret = var.client_secret
    scopes        = {scopes}
    {oauth_extra}
  }}
  {extra}
}}
output "consent_url" {{
  value = oomnitza_jira_credential.users_oauth.oauth.authorization_url
}}
"#
    )
}

fn work(e: &Engine, sim: &Sim, config: &str, secret: &str) -> Work {
    let w = Work::new(e, sim, config);
    w.set_env("TF_VAR_client_secret", secret);
    w
}

/// The `oauth` block of the one instance in state.
fn oauth_of(w: &Work) -> Value {
    let i = &w.instances()[0];
    match &i["oauth"] {
        Value::Array(a) => a[0].clone(),
        o => o.clone(),
    }
}

fn id_of(w: &Work) -> String {
    w.instances()[0]["id"].as_str().expect("id in state").to_string()
}

fn url_of(w: &Work) -> String {
    oauth_of(w)["authorization_url"].as_str().expect("authorization_url in state").to_string()
}

fn refresh(w: &Work) {
    w.ok(&["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"]);
}

/// (severity, summary, source snippet) of `terraform validate -json`.
fn validate_json(w: &Work) -> Vec<(String, String, String)> {
    let o = w.run(&["validate", "-json", "-no-color"]);
    let v: Value = serde_json::from_str(&o.stdout).unwrap_or_else(|_| panic!("validate -json: {}", o.all()));
    let text = |d: &Value, k: &str| d[k].as_str().unwrap_or("").to_string();
    v["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| (text(d, "severity"), text(d, "summary"), d["snippet"]["code"].as_str().unwrap_or("").to_string()))
        .collect()
}

both_engines!(validation_rules_point_at_the_attribute, |e| {
    let sim = sim();
    let w = work(e, &sim, &config(r#"["read:jira-user"]"#, "", ""), CLIENT_SECRET);
    let cases: &[(&str, &str, &str, &str)] = &[
        (r#"["read:jira-user"]"#, "site = \"https://example.atlassian.net\"", "error", "Invalid site"),
        (r#"["read:jira-user"]"#, "callback_url = \"http://proxy.example.com/cb\"", "error", "Invalid callback_url"),
        (r#"["read:jira-user", "read:jira-user"]"#, "", "error", "Duplicate OAuth scope"),
        (r#"[]"#, "", "error", "No OAuth scopes"),
        (r#"["read:jira-user", "read:jira-stuff"]"#, "", "warning", "Unknown OAuth scope"),
        (r#"["read:jira-work"]"#, "", "warning", "Missing read:jira-user"),
        (r#"["read:jira-user"]"#, "client_secret_wo = \"x\"", "error", "Conflicting client secrets"),
        (r#"["read:jira-user"]"#, "client_id = \"\"", "error", "Attribute redefined"),
    ];
    for (scopes, extra, severity, summary) in cases {
        w.write(&config(scopes, extra, ""));
        let d = validate_json(&w);
        assert!(
            d.iter().any(|(s, m, _)| s == severity && m == summary),
            "{}: expected {severity} {summary:?}, got {d:?}",
            e.version
        );
    }
    w.write(&config(r#"["read:jira-user"]"#, "", "expiration_date = \"2027-06-30\""));
    let d = validate_json(&w);
    assert!(d.iter().any(|(_, m, c)| m == "expiration_date with OAuth" && c.contains("expiration_date")), "{d:?}");
    w.write(&config(r#"["read:jira-user"]"#, "site = \"https://x\"", ""));
    let d = validate_json(&w);
    assert!(d.iter().any(|(_, _, c)| c.contains("site")), "the error points at the attribute: {d:?}");
});

both_engines!(a_warning_is_given_once_per_run, |e| {
    let sim = sim();
    let w = work(e, &sim, &config(r#"["read:jira-user", "read:jira-stuff"]"#, "", ""), CLIENT_SECRET);
    let count = |o: &support::Out| o.all().matches("Unknown OAuth scope").count();
    let plan = w.run(&["plan", "-input=false", "-no-color"]);
    let apply = w.apply();
    assert_eq!(count(&plan), 1, "{}", plan.all());
    assert_eq!(count(&apply), 1, "{}", apply.all());
});

both_engines!(consent_then_revocation_then_fresh_consent, |e| {
    let sim = sim();
    let w = work(
        e,
        &sim,
        &config(r#"["read:jira-user", "offline_access"]"#, &format!("site = \"{SITE}\""), ""),
        CLIENT_SECRET,
    );
    let o = w.apply();
    assert!(o.all().contains("needs consent in Atlassian"), "apply ends with the consent warning:\n{}", o.all());
    let url = url_of(&w);
    assert!(url.starts_with(&format!("{}/_atlassian/authorize?", sim.url)), "{url}");
    assert!(o.all().contains(&url), "the warning gives the URL:\n{}", o.all());
    for (k, v) in
        [("client_id", CLIENT_ID), ("audience", "api.atlassian.com"), ("response_type", "code"), ("prompt", "consent")]
    {
        assert_eq!(query_param(&url, k).as_deref(), Some(v), "{k} in {url}");
    }
    assert_eq!(query_param(&url, "scope").as_deref(), Some("read:jira-user offline_access"));
    assert_eq!(oauth_of(&w)["status"], "pending_authorization");
    assert_eq!(w.ok(&["output", "-raw", "consent_url"]).stdout, url);

    // While pending, every plan is empty but says so.
    let (code, o) = w.plan_code();
    assert_eq!(code, 0);
    assert!(o.all().contains("waiting for consent") && o.all().contains(&url), "{}", o.all());

    // A person accepts, choosing the site.
    let (status, page) = consent(&url, SITE, true);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Consent complete"), "{page}");
    // As the consent guide says: before `apply -refresh-only`, a plain plan
    // reports the consent URL output going (exit 2); after it, nothing.
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    assert!(o.stdout.contains("Changes to Outputs") && o.stdout.contains("consent_url"), "{}", o.all());
    refresh(&w);
    let oauth = oauth_of(&w);
    assert_eq!(oauth["status"], "authorized");
    assert!(oauth["expires_at"].as_str().is_some_and(|s| s.contains('T')), "{oauth}");
    assert_eq!(oauth["granted_sites"], json!([SITE]));
    assert!(oauth["authorization_url"].is_null());
    let (code, o) = w.plan_code();
    assert_eq!(code, 0);
    assert!(!o.all().contains("Warning"), "{}", o.all());

    // An hour passes: offline_access lets Oomnitza refresh; still authorized.
    sim.advance_clock(4000);
    refresh(&w);
    assert_eq!(oauth_of(&w)["status"], "authorized");
    assert_eq!(w.plan_code().0, 0);

    // Revoked in Atlassian: the plan shows the re-authorization, the apply a fresh URL.
    let id = id_of(&w);
    sim.set_oauth_status(&id, "revoked");
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    assert!(
        o.stdout.contains(r#"~ status"#) && o.stdout.contains(r#""revoked" -> "pending_authorization""#),
        "{}",
        o.stdout
    );
    // One warning says it in words.
    let flat = support::squeeze(&o.all());
    assert_eq!(flat.matches("was changed outside Terraform").count(), 1, "{flat}");
    assert!(flat.contains(r#"its OAuth authorization is revoked (status "authorized" -> "revoked")"#), "{flat}");
    assert!(flat.contains("restarts consent and gives a new consent URL: a person must consent again"), "{flat}");
    assert!(!flat.contains("is revoked Oomnitza can no longer"), "the break is said once: {flat}");
    let o = w.apply();
    let fresh = url_of(&w);
    assert!(o.all().contains(&fresh), "{}", o.all());
    assert_ne!(query_param(&fresh, "state"), query_param(&url, "state"), "a new consent has a new state");
    assert_eq!(id_of(&w), id, "re-authorizing keeps the credential");
    // The old consent link is refused.
    let (status, _) = consent(&url, SITE, true);
    assert_eq!(status, 400);
    let (status, _) = consent(&fresh, SITE, true);
    assert_eq!(status, 200);
    refresh(&w);
    assert_eq!(oauth_of(&w)["status"], "authorized");

    // Renaming does not touch the authorization.
    w.write(&config(
        r#"["read:jira-user", "offline_access"]"#,
        &format!("site = \"{SITE}\""),
        "description = \"nightly\"",
    ));
    w.apply();
    assert_eq!(oauth_of(&w)["status"], "authorized");
    assert_eq!(w.plan_code().0, 0);

    // The client secret replaced by hand: the plan says that sending ours
    // again ends the authorization.
    sim.rotate(&id_of(&w));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    let flat = support::squeeze(&o.all());
    assert_eq!(flat.matches("was changed outside Terraform").count(), 1, "{flat}");
    assert!(flat.contains("its secret was replaced in Oomnitza (version 1 -> 2)"), "{flat}");
    assert!(
        flat.contains("sends the client secret from your configuration again, which ends the current authorization: a person must consent again"),
        "{flat}"
    );
    support::assert_no_secret("plan", &o.all(), &[CLIENT_SECRET]);

    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty());
});

both_engines!(expiry_without_offline_access_shows_in_plan, |e| {
    let sim = sim();
    let w = work(e, &sim, &config(r#"["read:jira-user"]"#, "", ""), CLIENT_SECRET);
    w.apply();
    consent(&url_of(&w), "other.atlassian.net", true);
    refresh(&w);
    assert_eq!(oauth_of(&w)["status"], "authorized");
    // Without offline_access the end is ahead, and every plan says so.
    let (code, o) = w.plan_code();
    assert_eq!(code, 0, "{}", o.all());
    let flat = support::squeeze(&o.all());
    assert!(
        flat.contains("ends within a day, at ") && flat.contains("Add \"offline_access\" to oauth.scopes"),
        "{flat}"
    );
    sim.advance_clock(3700);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    assert!(o.stdout.contains(r#""expired" -> "pending_authorization""#), "{}", o.stdout);
    assert!(o.all().contains("is expired"), "{}", o.all());
});

both_engines!(deny_and_wrong_secret_are_reported_then_fixed, |e| {
    let sim = sim();
    let cfg = config(r#"["read:jira-user"]"#, "", "");
    let w = work(e, &sim, &cfg, WRONG_SECRET);
    w.apply();
    let url = url_of(&w);
    // Deny: still pending, and the plan warning says why.
    let (_, page) = consent(&url, SITE, false);
    assert!(page.contains("declined"), "{page}");
    let (code, o) = w.plan_code();
    assert_eq!(code, 0);
    assert!(o.all().contains("access_denied"), "{}", o.all());
    // Accept, but the secret is wrong: the exchange fails with invalid_client.
    consent(&url, SITE, true);
    let (code, o) = w.plan_code();
    assert_eq!(code, 0);
    assert!(o.all().contains("invalid_client"), "{}", o.all());
    assert_eq!(oauth_of(&w)["status"], "pending_authorization");
    // Fix the secret: sent again, consent restarted, accepted, authorized.
    w.set_env("TF_VAR_client_secret", CLIENT_SECRET);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    w.apply();
    let fresh = url_of(&w);
    assert_ne!(fresh, url);
    consent(&fresh, SITE, true);
    refresh(&w);
    let oauth = oauth_of(&w);
    assert_eq!(oauth["status"], "authorized");
    assert!(oauth["last_error"].is_null(), "{oauth}");
    assert_eq!(w.plan_code().0, 0);
});

both_engines!(consent_for_another_site_is_an_error_at_plan, |e| {
    let sim = sim();
    let w = work(e, &sim, &config(r#"["read:jira-user"]"#, &format!("site = \"{SITE}\""), ""), CLIENT_SECRET);
    w.apply();
    consent(&url_of(&w), "other.atlassian.net", true);
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("other.atlassian.net") && o.all().contains(SITE), "{}", o.all());
    // Removing site accepts the granted one (a change of site restarts consent).
    w.write(&config(r#"["read:jira-user"]"#, "", ""));
    let (code, _) = w.plan_code();
    assert_eq!(code, 2);
});

/// The state file's instance of `addr`: its status ("tainted" or none).
/// The status of the one instance of `oomnitza_jira_credential.<name>` in
/// the state (`None` when it is not tainted); a missing resource or
/// instance fails the test, so that "not tainted" cannot pass for "gone".
fn taint_of(w: &Work, name: &str) -> Option<String> {
    let s = w.state();
    let resources = s["resources"].as_array().expect("a state with resources");
    let r = resources
        .iter()
        .find(|r| r["mode"] == "managed" && r["type"] == "oomnitza_jira_credential" && r["name"] == name)
        .unwrap_or_else(|| panic!("oomnitza_jira_credential.{name} is not in the state: {s}"));
    let instances = r["instances"].as_array().expect("instances");
    assert_eq!(instances.len(), 1, "one instance of {name}: {r}");
    instances[0]["status"].as_str().map(String::from)
}

/// After a wait that ended without consent, and a consent given since: the
/// next plan replaces nothing (only the consent URL output goes), and the
/// one after its apply is empty.
fn after_consent_nothing_is_replaced(w: &Work) {
    let id = id_of(w);
    let (_, plan) = w.plan_code();
    for never in ["must be replaced", "will be destroyed", "will be created", "is tainted"] {
        assert!(!plan.stdout.contains(never), "{never}:\n{}", plan.all());
    }
    w.apply();
    assert_eq!(id_of(w), id, "the same credential");
    assert_eq!(oauth_of(w)["status"], "authorized");
    let (code, plan) = w.plan_code();
    assert_eq!(code, 0, "{}", plan.all());
}

both_engines!(wait_for_authorization, |e| {
    let sim = sim();
    let waiting = "wait_for_authorization = true";
    let w = work(e, &sim, &config(r#"["read:jira-user"]"#, waiting, "timeouts {\n create = \"60s\"\n}"), CLIENT_SECRET);
    // A person accepts while apply waits.
    let person = support::accept_when_open(&sim, None, SITE);
    let o = w.apply();
    assert_eq!(person.join().unwrap(), 200);
    assert_eq!(oauth_of(&w)["status"], "authorized", "{}", o.all());
    assert!(!o.all().contains("needs consent"), "{}", o.all());
    assert_eq!(w.plan_code().0, 0);

    // Nobody accepts in time: the create ends with a warning that gives the
    // URL once, the credential is kept and not tainted, and once a person
    // consents at that URL the next plan is empty: never a replacement.
    let w2 = work(
        e,
        &sim,
        &config(r#"["read:jira-user"]"#, waiting, "timeouts {\n create = \"2s\"\n update = \"2s\"\n}"),
        CLIENT_SECRET,
    );
    let o = w2.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(o.all().contains("still needs consent"), "{}", o.all());
    let url = url_of(&w2);
    let diagnostics = o.all().split("\nOutputs:").next().unwrap_or_default().to_string();
    assert_eq!(diagnostics.matches(&url).count(), 1, "the URL once:\n{}", o.all());
    assert!(!o.all().contains("set oauth.wait_for_authorization"), "no hint to set what is set:\n{}", o.all());
    assert_eq!(taint_of(&w2, "users_oauth"), None, "not tainted");
    assert_eq!(consent(&url, SITE, true).0, 200);
    after_consent_nothing_is_replaced(&w2);
    assert_eq!(sim.all().len(), 2, "nothing orphaned, nothing duplicated");

    // An update whose wait runs out fails, keeps the credential, and after
    // consent the next plan is empty too.
    let id = id_of(&w2);
    w2.write(&config(
        r#"["read:jira-user", "offline_access"]"#,
        waiting,
        "timeouts {\n create = \"2s\"\n update = \"2s\"\n}",
    ));
    let o = w2.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Timed out waiting for consent"), "{}", o.all());
    let url = url_of(&w2);
    assert_eq!(o.all().matches(&url).count(), 1, "the URL once:\n{}", o.all());
    assert_eq!(id_of(&w2), id);
    assert_eq!(taint_of(&w2, "users_oauth"), None);
    assert_eq!(consent(&url, SITE, true).0, 200);
    after_consent_nothing_is_replaced(&w2);
});

both_engines!(ctrl_c_stops_the_wait_at_once, |e| {
    let sim = sim();
    let cfg = config(r#"["read:jira-user"]"#, "wait_for_authorization = true", "timeouts {\n create = \"10m\"\n}");
    let w = work(e, &sim, &cfg, CLIENT_SECRET);
    let log = w.path("provider.log");
    w.set_env("TF_LOG_PROVIDER", "info");
    w.set_env("TF_LOG_PATH", log.to_str().unwrap());
    let child = w.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    // Interrupted once the provider says it waits (its log), not after a
    // guessed pause: what is tested is a stop during the wait.
    assert!(
        support::eventually_within(std::time::Duration::from_secs(60), || std::fs::read_to_string(&log)
            .is_ok_and(|l| l.contains("waiting for OAuth consent"))),
        "the provider never began to wait"
    );
    assert_eq!(sim.all().len(), 1, "the credential was created");
    let interrupted = std::time::Instant::now();
    support::interrupt(&child);
    let out: support::Out = child.wait_with_output().expect("terraform ends").into();
    // Well before the 10-minute wait would have ended.
    assert!(interrupted.elapsed() < std::time::Duration::from_secs(300), "the wait did not stop at Ctrl-C");
    assert!(
        out.all().contains("still needs consent") && out.all().contains("asked the provider to stop"),
        "{}",
        out.all()
    );
    assert_eq!(w.instances().len(), 1, "the credential is kept in state");
    assert_eq!(taint_of(&w, "users_oauth"), None, "and not tainted");
    assert_eq!(sim.all().len(), 1);
    assert_eq!(consent(&url_of(&w), SITE, true).0, 200);
    after_consent_nothing_is_replaced(&w);
});

/// A plan that only waits for consent again: the waiter is to be created,
/// the credential is never replaced.
fn plans_only_the_waiter(w: &Work) {
    let (code, plan) = w.plan_code();
    assert_eq!(code, 2);
    assert!(
        plan.stdout.contains("oomnitza_jira_credential_authorization.users_oauth will be created"),
        "{}",
        plan.all()
    );
    assert!(!plan.stdout.contains("must be replaced"), "{}", plan.all());
}

both_engines!(authorization_waiter_fails_without_tainting, |e| {
    let sim = sim();
    let waiter = r#"resource "oomnitza_jira_credential_authorization" "users_oauth" {
  credential_id = oomnitza_jira_credential.users_oauth.id
  timeouts {
    create = "2s"
  }
}
"#;
    let cfg = format!("{}{waiter}", config(r#"["read:jira-user"]"#, "", ""));
    let w = work(e, &sim, &cfg, CLIENT_SECRET);
    let o = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(o.code, 1, "nobody consented: the apply fails\n{}", o.all());
    assert!(o.all().contains("Timed out waiting for consent"), "{}", o.all());
    assert_eq!(w.instances().len(), 1, "the credential is in state, the waiter is not");
    assert_eq!(taint_of(&w, "users_oauth"), None, "the credential is not tainted");
    let id = id_of(&w);
    // The next plan only waits again; it never replaces the credential.
    plans_only_the_waiter(&w);
    assert_eq!(consent(&url_of(&w), SITE, true).0, 200);
    let o = w.apply();
    assert!(o.all().contains("1 added"), "{}", o.all());
    assert_eq!(id_of(&w), id);
    assert_eq!(w.plan_code().0, 0);
    // Destroying the waiter changes nothing in Oomnitza.
    w.ok(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=oomnitza_jira_credential_authorization.users_oauth",
    ]);
    assert_eq!(sim.get(&id).0, 200);
    assert_eq!(id_of(&w), id);
    // A revoked authorization: the credential plans a new consent, and the
    // waiter waits for it again.
    sim.set_oauth_status(&id, "revoked");
    plans_only_the_waiter(&w);
});

both_engines!(import_generate_config_and_data_source, |e| {
    let sim = sim();
    let made = sim.create(json!({
        "name": "OAuth made by hand", "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": ["read:jira-user", "offline_access"]}
    }));
    let id = made["id"].as_str().unwrap();
    let url = made["oauth2"]["authorization_url"].as_str().unwrap();
    consent(url, SITE, true);
    let w = Work::new(e, &sim, &format!("import {{\n  to = oomnitza_jira_credential.gen\n  id = \"{id}\"\n}}\n"));
    let o = w.run(&["plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let generated = std::fs::read_to_string(w.path("generated.tf")).expect("generated.tf");
    assert!(generated.contains(CLIENT_ID) && !generated.contains(CLIENT_SECRET), "{generated}");
    w.ok(&["validate", "-no-color"]);
    w.apply();
    assert_eq!(oauth_of(&w)["status"], "authorized", "import keeps the authorization");
    assert_eq!(w.plan_code().0, 0);

    // Managing the secret of an imported credential adopts it: the working
    // authorization is not ended.
    let managed: String = generated
        .lines()
        .map(|l| if l.trim_start().starts_with("client_secret ") { "    client_secret = var.client_secret" } else { l })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(managed.contains("var.client_secret"), "{generated}");
    w.write(&format!("variable \"client_secret\" {{\n  type = string\n  sensitive = true\n}}\n{managed}"));
    std::fs::remove_file(w.path("generated.tf")).unwrap();
    w.set_env("TF_VAR_client_secret", CLIENT_SECRET);
    w.apply();
    assert_eq!(oauth_of(&w)["status"], "authorized");
    assert_eq!(sim.get(id).1["secret_version"], 1, "the secret was not re-sent");
    assert_eq!(w.plan_code().0, 0);
    // ...and a rotation in the UI afterwards is seen and re-sent.
    sim.rotate(id);
    assert_eq!(w.plan_code().0, 2);

    let d = Work::new(
        e,
        &sim,
        &format!("data \"oomnitza_jira_credential\" \"o\" {{\n  id = \"{id}\"\n}}\noutput \"o\" {{\n  value = data.oomnitza_jira_credential.o.oauth\n}}\n"),
    );
    d.apply();
    let out: Value = serde_json::from_str(&d.ok(&["output", "-json", "o"]).stdout).unwrap();
    assert_eq!(out["client_id"], CLIENT_ID);
    assert_eq!(out["status"], "pending_authorization", "the rotation restarted consent");
    assert!(out.get("client_secret").is_none());
    assert!(out.get("granted_sites").is_some() && out.get("last_error").is_some(), "{out}");
});

both_engines!(switching_between_basic_and_oauth_replaces, |e| {
    let sim = sim();
    let basic = r#"resource "oomnitza_jira_credential" "users_oauth" {
  name = "switch"
  basic {
    email     = "svc-jira@example.com"
    api_token = "basic-token-never-printed"
  }
}
variable "client_secret" {
  type      = string
  sensitive = true
}
"#;
    let w = work(e, &sim, basic, CLIENT_SECRET);
    w.apply();
    let basic_id = id_of(&w);
    w.write(&config(r#"["read:jira-user"]"#, "", ""));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("must be replaced"), "{}", o.stdout);
    w.apply();
    let all = sim.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["auth_type"], "oauth2");
    assert_ne!(id_of(&w), basic_id);
    w.write(basic);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("must be replaced"), "{}", o.stdout);
    w.apply();
    assert_eq!(sim.all()[0]["auth_type"], "basic");
});

both_engines!(write_only_secret_never_printed_or_stored, |e| {
    let sim = sim();
    let cfg = |version: u32| {
        format!(
            r#"variable "s" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
resource "oomnitza_jira_credential" "users_oauth" {{
  name = "write-only oauth"
  oauth {{
    client_id                = "{CLIENT_ID}"
    client_secret_wo         = var.s
    client_secret_wo_version = {version}
    scopes                   = ["read:jira-user", "offline_access"]
  }}
}}
"#
        )
    };
    let w = Work::new(e, &sim, &cfg(1));
    w.set_env("TF_VAR_s", WRONG_SECRET);
    let log = w.path("trace.log");
    let trace = [("TF_LOG", "trace"), ("TF_LOG_PATH", log.to_str().unwrap())];
    let run = |args: &[&str]| {
        let o = w.run_env(args, &trace, &[]);
        assert_eq!(o.code, 0, "{args:?}: {}", o.all());
        o.all()
    };
    let mut outputs = vec![run(&["apply", "-auto-approve", "-input=false", "-no-color"])];
    let id = id_of(&w);
    consent(&url_of(&w), SITE, true);
    outputs.push(run(&["plan", "-input=false", "-no-color"]));
    assert!(outputs[1].contains("invalid_client"), "{}", outputs[1]);
    w.set_env("TF_VAR_s", CLIENT_SECRET);
    w.write(&cfg(2));
    outputs.push(run(&["plan", "-input=false", "-no-color", "-out=tf.plan"]));
    outputs.push(run(&["show", "-json", "tf.plan"]));
    outputs.push(run(&["apply", "-input=false", "-no-color", "tf.plan"]));
    assert!(sim.secret_matches(&id, CLIENT_SECRET));
    consent(&url_of(&w), SITE, true);
    outputs.push(run(&["apply", "-refresh-only", "-auto-approve", "-input=false", "-no-color"]));
    assert_eq!(oauth_of(&w)["status"], "authorized");
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    let plan = String::from_utf8_lossy(&std::fs::read(w.path("tf.plan")).unwrap()).into_owned();
    outputs.push(run(&["destroy", "-auto-approve", "-input=false", "-no-color"]));
    let logs = std::fs::read_to_string(&log).expect("trace log");
    assert!(logs.contains("oomnitza request"), "provider logs missing from TF_LOG=trace");
    for (what, text) in
        outputs.iter().map(|o| ("output", o)).chain([("state", &state), ("plan", &plan), ("log", &logs)])
    {
        let what = format!("the {what} of terraform {}", e.version);
        support::assert_no_secret(&what, text, &[CLIENT_SECRET, WRONG_SECRET, &sim.token]);
    }
});

both_engines!(wait_for_authorization_is_deprecated_with_what_to_use, |e| {
    let sim = sim();
    let refer = "output \"waits\" {\n  value = oomnitza_jira_credential.users_oauth.oauth.wait_for_authorization\n}\n";
    let cfg = format!("{}{refer}", config(r#"["read:jira-user"]"#, "wait_for_authorization = true", ""));
    let w = work(e, &sim, &cfg, CLIENT_SECRET);
    // Set: the provider warns, with what to use instead, at the attribute.
    let o = w.run(&["validate", "-no-color"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let text = support::squeeze(&o.all());
    assert!(text.contains("Warning: Attribute Deprecated"), "{text}");
    assert!(text.contains("17: wait_for_authorization = true"), "at the attribute:\n{text}");
    let instead = r#"Use resource "oomnitza_jira_credential_authorization" instead"#;
    assert!(text.contains(instead), "{text}");
    // Referred to: Terraform 1.15 (protocol 6.10's deprecation message)
    // says why where the value is used; older ones have the flag only.
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    let text = support::squeeze(&o.all());
    assert_eq!(text.matches("Warning: Attribute Deprecated").count(), 1, "once per command:\n{text}");
    if e.at_least("1.15") {
        let used = text.split("Warning: Deprecated value used").nth(1).unwrap_or_else(|| panic!("{text}"));
        assert!(
            used.contains("25: value = oomnitza_jira_credential.users_oauth.oauth.wait_for_authorization"),
            "{text}"
        );
        assert!(used.contains(instead), "the reference is told what to use:\n{text}");
    } else {
        assert!(text.contains(r#"The attribute "wait_for_authorization" is deprecated"#), "{text}");
    }
});
