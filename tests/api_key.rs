//! Acceptance tests of `oomnitza_api_key_credential`, the second credential
//! kind: the real Terraform CLI (1.11.4 and 1.15.5) against the simulator,
//! with the coverage the Basic Jira credential has: CRUD, drift in words,
//! import, identity, write-only key, data source and query.

#[macro_use]
mod support;

use serde_json::{json, Value};
use support::{engines, newest, Engine, Sim, Work};

const TYPE: &str = "oomnitza_api_key_credential";
const KEY: &str = "okta-api-key-Hq27-secret";

fn config(name: &str, saas: &str, token_name: &str, key: &str, extra: &str) -> String {
    format!(
        r#"variable "key" {{
  type      = string
  sensitive = true
  default   = "{key}"
}}
resource "{TYPE}" "okta" {{
  name       = "{name}"
  saas       = "{saas}"
  token_name = "{token_name}"
  token      = var.key
  {extra}
}}
"#
    )
}

fn id_of(w: &Work) -> String {
    w.instances()[0]["id"].as_str().expect("id in state").to_string()
}

fn made_by_hand(sim: &Sim, name: &str, saas: &str) -> String {
    let made = sim.create(json!({
        "name": name, "saas": saas, "auth_type": "api_key", "owner": "it-admin",
        "api_key": {"token_name": "Authorization", "token": "made-by-hand-key", "add_to": "header"}
    }));
    made["id"].as_str().unwrap().to_string()
}

/// `terraform plan -json`'s warnings about drift: (summary, detail).
fn drift_warnings(w: &Work) -> Vec<(String, String)> {
    let o = w.run(&["plan", "-json", "-no-color", "-input=false"]);
    o.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["type"] == "diagnostic" && m["diagnostic"]["severity"] == "warning")
        .map(|m| {
            let d = &m["diagnostic"];
            (
                d["summary"].as_str().unwrap_or_default().to_string(),
                d["detail"].as_str().unwrap_or_default().to_string(),
            )
        })
        .filter(|(s, _)| s.contains("outside Terraform"))
        .collect()
}

both_engines!(lifecycle_and_data_source, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config("Okta users", "okta", "Authorization", KEY, ""));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    let planned_line =
        |attr: &str| o.stdout.lines().find(|l| l.trim_start().starts_with(&format!("+ {attr} "))).map(support::squeeze);
    assert_eq!(
        planned_line("add_to").as_deref(),
        Some(r#"+ add_to = "header""#),
        "the default is planned: {}",
        o.stdout
    );
    w.apply();
    let id = id_of(&w);
    let st = &w.instances()[0];
    assert_eq!(st["secret_version"], 1);
    assert_eq!(st["owner"], "svc-oomnitza");
    let (_, c) = sim.get(&id);
    assert_eq!((c["saas"].as_str(), c["auth_type"].as_str()), (Some("okta"), Some("api_key")));
    assert_eq!(c["api_key"]["token_name"], "Authorization");
    assert!(sim.secret_matches(&id, KEY));
    assert_eq!(w.plan_code().0, 0, "the plan after create is empty");

    // In place: name, where the key goes, and its header; same id, no key sent.
    w.write(&config("Okta users (nightly)", "okta", "X-API-Key", KEY, "add_to = \"query\""));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("updated in-place") && !o.stdout.contains("secret_version"), "{}", o.stdout);
    w.apply();
    assert_eq!(id_of(&w), id);
    let (_, c) = sim.get(&id);
    assert_eq!((c["name"].as_str(), c["api_key"]["add_to"].as_str()), (Some("Okta users (nightly)"), Some("query")));
    assert_eq!(c["secret_version"], 1);
    assert_eq!(w.plan_code().0, 0);

    // A new key from the configuration.
    w.write(&config("Okta users (nightly)", "okta", "X-API-Key", "rotated-key-2", "add_to = \"query\""));
    w.apply();
    assert_eq!(w.instances()[0]["secret_version"], 2);
    assert!(sim.secret_matches(&id, "rotated-key-2"));
    assert_eq!(w.plan_code().0, 0);

    // The data source, by name and by id, never shows the key.
    let mut both = config("Okta users (nightly)", "okta", "X-API-Key", "rotated-key-2", "add_to = \"query\"");
    both.push_str(&format!(
        "data \"{TYPE}\" \"by_name\" {{\n  name = \"Okta users (nightly)\"\n}}\ndata \"{TYPE}\" \"by_id\" {{\n  id = \"{id}\"\n}}\noutput \"found\" {{\n  value = [data.{TYPE}.by_name.token_name, data.{TYPE}.by_id.saas, data.{TYPE}.by_id.add_to]\n}}\n"
    ));
    w.write(&both);
    w.apply();
    let out: Value = serde_json::from_str(&w.ok(&["output", "-json", "found"]).stdout).unwrap();
    assert_eq!(out, json!(["X-API-Key", "okta", "query"]));
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert_eq!(state.matches("rotated-key-2").count(), 1, "the key is in the resource's state only");

    // Another SaaS cannot be set in place: the plan replaces it.
    w.write(&config("Okta users (nightly)", "servicenow", "X-API-Key", "rotated-key-2", "add_to = \"query\""));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("must be replaced") && o.stdout.contains("forces replacement"), "{}", o.stdout);
    w.apply();
    assert_ne!(id_of(&w), id);
    assert_eq!(sim.all().len(), 1);

    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty(), "destroy leaves nothing");
});

both_engines!(validation_names_the_attribute, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config("x", "Okta", "X API Key", KEY, "add_to = \"body\"\ntoken_wo_version = 1"));
    let o = w.run(&["validate", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    let flat = support::squeeze(&o.all());
    for part in [
        "Invalid saas",
        "saas is \"Okta\"; use the integration's name in lower case",
        "Invalid token_name",
        "Invalid add_to",
        "token_wo_version without token_wo",
    ] {
        assert!(flat.contains(part), "{part}: {flat}");
    }
    // No key at all: the plan of a create says which attributes to set.
    w.write(&format!(
        "resource \"{TYPE}\" \"k\" {{\n  name = \"k\"\n  saas = \"okta\"\n  token_name = \"Authorization\"\n}}\n"
    ));
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 0, "a warning at plan (a destroy's plan must not fail on it):\n{}", o.all());
    assert!(o.all().contains("Warning: Missing token") && o.all().contains("token_wo"), "{}", o.all());
    let o = w.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Error: Missing token"), "{}", o.all());
    assert!(sim.all().is_empty());
});

both_engines!(drift_in_words_and_deletion, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config("Okta users", "okta", "Authorization", KEY, ""));
    w.apply();
    let id = id_of(&w);

    sim.edit(
        &id,
        json!({"name": "renamed by hand", "api_key": {"token_name": "X-Okta"}, "updated_by": "jane.admin@example.com"}),
    );
    sim.rotate(&id);
    let warnings = drift_warnings(&w);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let (summary, detail) = &warnings[0];
    assert_eq!(summary, "API key credential \"Okta users\" was changed outside Terraform");
    for part in [
        r#"name: "Okta users" -> "renamed by hand""#,
        r#"token_name: "Authorization" -> "X-Okta""#,
        "its secret was replaced in Oomnitza (version 1 -> 2)",
        r#"renames it back to "Okta users""#,
        r#"sets token_name back to "Authorization""#,
        "sends the token from your configuration again",
    ] {
        assert!(detail.contains(part), "{part}: {detail}");
    }
    w.apply();
    let (_, c) = sim.get(&id);
    assert_eq!((c["name"].as_str(), c["api_key"]["token_name"].as_str()), (Some("Okta users"), Some("Authorization")));
    assert!(sim.secret_matches(&id, KEY), "the configured key was sent again");
    assert!(drift_warnings(&w).is_empty(), "no warning once applied");
    assert_eq!(w.plan_code().0, 0);

    sim.delete(&id);
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert!(o.all().contains("API key credential \"Okta users\" was deleted outside Terraform"), "{}", o.all());
    assert!(o.stdout.contains("will be created"), "{}", o.stdout);
    w.apply();
    assert_ne!(id_of(&w), id);
    assert_eq!(w.plan_code().0, 0);
});

both_engines!(expiry_is_warned_ahead_in_its_own_words, |e| {
    let sim = Sim::start();
    let today = time::OffsetDateTime::now_utc().date();
    let soon = (today + time::Duration::days(3)).to_string();
    let past = (today - time::Duration::days(2)).to_string();
    let w = Work::new(
        e,
        &sim,
        &config("Okta users", "okta", "Authorization", KEY, &format!("expiration_date = \"{soon}\"")),
    );
    w.apply();
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    let said = support::squeeze(&o.all());
    assert!(said.contains(r#"The key of API key credential "Okta users" expires in 3 days"#), "{said}");
    assert!(said.contains("token_wo_version") && !said.contains("Atlassian"), "the kind's own words: {said}");
    w.write(&config("Okta users", "okta", "Authorization", KEY, &format!("expiration_date = \"{past}\"")));
    w.apply();
    let said = support::squeeze(&w.run(&["plan", "-no-color", "-input=false"]).all());
    assert!(said.contains(r#"The key of API key credential "Okta users" expired 2 days ago"#), "{said}");
    let quiet = w.run_env(&["plan", "-no-color", "-input=false"], &[("OOMNITZA_EXPIRY_WARNING_DAYS", "0")], &[]);
    assert!(!quiet.all().contains("expired"), "0 turns it off: {}", quiet.all());
});

both_engines!(write_only_key_stays_out_of_state_and_plan, |e| {
    let sim = Sim::start();
    let config = |version: u32| {
        format!(
            "variable \"k\" {{\n  type = string\n  sensitive = true\n  ephemeral = true\n}}\nresource \"{TYPE}\" \"okta\" {{\n  name = \"write-only\"\n  saas = \"okta\"\n  token_name = \"Authorization\"\n  token_wo = var.k\n  token_wo_version = {version}\n}}\n"
        )
    };
    let first = "wo-key-first-5d1e";
    let w = Work::new(e, &sim, &config(1));
    w.set_env("TF_VAR_k", first);
    w.ok(&["plan", "-no-color", "-input=false", "-out=tf.plan"]);
    assert!(!w.ok(&["show", "-json", "tf.plan"]).stdout.contains(first), "key in plan JSON");
    w.ok(&["apply", "-no-color", "-input=false", "tf.plan"]);
    let id = id_of(&w);
    assert!(sim.secret_matches(&id, first));
    assert!(!std::fs::read_to_string(w.path("terraform.tfstate")).unwrap().contains(first), "key in state");
    assert_eq!(w.plan_code().0, 0);

    let second = "wo-key-second-8c2f";
    w.set_env("TF_VAR_k", second);
    assert_eq!(w.plan_code().0, 2, "a new value alone is seen by its fingerprint");
    w.write(&config(2));
    w.apply();
    assert!(sim.secret_matches(&id, second));
    assert_eq!(w.instances()[0]["secret_version"], 2);

    // Rotated by hand: re-sent from the configuration, never stored.
    sim.rotate(&id);
    assert_eq!(w.plan_code().0, 2);
    w.apply();
    assert!(sim.secret_matches(&id, second));
    assert!(!std::fs::read_to_string(w.path("terraform.tfstate")).unwrap().contains(second));
    assert_eq!(w.plan_code().0, 0);
});

both_engines!(import_by_id_identity_and_wrong_kind, |e| {
    let sim = Sim::start();
    let id = made_by_hand(&sim, "Made by hand", "okta");
    let jira = sim.create(json!({
        "name": "A Jira one", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "jira-secret"}
    }));
    let resource = format!(
        "resource \"{TYPE}\" \"okta\" {{\n  name = \"Made by hand\"\n  saas = \"okta\"\n  owner = \"it-admin\"\n  token_name = \"Authorization\"\n  token = \"made-by-hand-key\"\n}}\n"
    );
    let w = Work::new(e, &sim, &resource);
    w.ok(&["import", "-no-color", "-input=false", &format!("{TYPE}.okta"), &id]);
    assert!(w.instances()[0]["token"].is_null(), "import cannot know the key");
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "the first plan sends the configured key once: {}", o.stdout);
    w.apply();
    assert_eq!(w.plan_code().0, 0);
    assert_eq!(sim.all().len(), 2, "import creates nothing");

    // A Jira credential is not this kind: refused, named.
    let other = Work::new(e, &sim, &resource.replace("\"okta\" {", "\"other\" {"));
    let o = other.run(&["import", "-no-color", "-input=false", &format!("{TYPE}.other"), jira["id"].as_str().unwrap()]);
    assert_eq!(o.code, 1, "{}", o.all());
    let flat = support::squeeze(&o.all());
    assert!(
        flat.contains("Wrong kind of credential")
            && flat.contains("a jira credential with auth_type basic")
            && flat.contains(&format!("Import it into oomnitza_jira_credential instead: import {{ to = oomnitza_jira_credential.NAME id = \"{}\" }}", jira["id"].as_str().unwrap())),
        "{flat}"
    );

    if !e.at_least("1.12") {
        return;
    }
    // By identity, into a second state.
    let w2 = Work::new(
        e,
        &sim,
        &format!(
            "import {{\n  to = {TYPE}.okta\n  identity = {{ id = \"{id}\" }}\n}}\n{}",
            resource.replace("token = ", "token_wo_version = 1\n  token_wo = ")
        ),
    );
    w2.apply();
    let state = w2.state();
    assert_eq!(state["resources"][0]["instances"][0]["identity"]["id"], id, "{state}");
    w2.ok(&["state", "rm", &format!("{TYPE}.okta")]);
});

#[test]
fn query_finds_api_key_credentials_by_saas_and_prefix() {
    let e = newest();
    let sim = Sim::start();
    made_by_hand(&sim, "okta-prod", "okta");
    made_by_hand(&sim, "okta-test", "okta");
    made_by_hand(&sim, "snow-prod", "servicenow");
    sim.create(json!({
        "name": "okta-jira", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "jira-secret"}
    }));
    let w = Work::new(e, &sim, "");
    let run = |config: &str| {
        let body =
            format!("list \"{TYPE}\" \"found\" {{\n  provider = oomnitza\n  config {{\n    {config}\n  }}\n}}\n");
        std::fs::write(w.path("find.tfquery.hcl"), body).unwrap();
        let out = w.ok(&["query", "-no-color"]).stdout;
        out.lines()
            .filter(|l| l.starts_with("list."))
            .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(""), ["okta-prod", "okta-test", "snow-prod"], "API key credentials only");
    assert_eq!(run("saas = \"okta\""), ["okta-prod", "okta-test"]);
    assert_eq!(run("name_prefix = \"okta-p\""), ["okta-prod"]);
    w.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(w.path("generated.tf")).unwrap();
    assert_eq!(generated.matches("identity = {").count(), 1, "{generated}");
    support::assert_no_secret("generated config", &generated, &["made-by-hand-key"]);
}

/// The private state of the only instance, decoded (it is base64 of JSON).
fn private_of(w: &Work) -> Value {
    use base64::Engine as _;
    let state = w.state();
    let raw = state["resources"][0]["instances"][0]["private"].as_str().map(String::from).unwrap_or_default();
    let bytes = base64::engine::general_purpose::STANDARD.decode(raw).expect("private is base64");
    serde_json::from_slice(&bytes).expect("private is JSON")
}

// A new write-only key with the same token_wo_version is seen by its
// fingerprint and sent, with a warning; a plan without the key (a CI drift
// check) changes nothing; with write_only_fingerprints = false no
// fingerprint is kept and only a new version sends a key.
both_engines!(a_new_write_only_key_is_sent_without_a_new_version, |e| {
    let sim = Sim::start();
    let config = |provider: &str| {
        format!(
            r#"{provider}variable "key" {{
  type      = string
  sensitive = true
  default   = null
}}
resource "{TYPE}" "okta" {{
  name             = "fingerprinted"
  saas             = "okta"
  token_name       = "Authorization"
  token_wo         = var.key
  token_wo_version = 1
}}
"#
        )
    };
    let w = Work::new(e, &sim, &config(""));
    let with = |key: &'static str| [("TF_VAR_key", key)];
    let plan = |env: &[(&str, &str)]| {
        let o = w.run_env(&["plan", "-detailed-exitcode", "-no-color", "-input=false"], env, &[]);
        assert!(o.code == 0 || o.code == 2, "{}", o.all());
        (o.code, support::squeeze(&o.all()))
    };
    let apply = |key: &'static str| {
        let o = w.run_env(&["apply", "-auto-approve", "-no-color", "-input=false"], &with(key), &[]);
        assert_eq!(o.code, 0, "{}", o.all());
        support::squeeze(&o.all())
    };
    apply("first-key-Hq27");
    let id = id_of(&w);
    assert!(sim.secret_matches(&id, "first-key-Hq27"));
    assert_eq!(plan(&with("first-key-Hq27")).0, 0, "the same key: nothing to send");
    let fingerprint = private_of(&w)["fingerprint"].clone();
    assert!(fingerprint["salt"].as_str().is_some_and(|s| s.len() == 32), "{fingerprint}");
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert!(!state.contains("first-key-Hq27"), "the key itself is nowhere in state");

    let (code, text) = plan(&with("second-key-Hq27"));
    assert_eq!(code, 2, "a new key, the same version: {text}");
    assert!(text.contains("token_wo changed although token_wo_version did not"), "{text}");
    let text = apply("second-key-Hq27");
    assert!(text.contains("token_wo changed although token_wo_version did not"), "{text}");
    assert!(sim.secret_matches(&id, "second-key-Hq27"), "the apply sent the new key");
    assert_ne!(private_of(&w)["fingerprint"], fingerprint, "a new fingerprint, under a new salt");
    assert_eq!(plan(&with("second-key-Hq27")).0, 0);
    assert_eq!(plan(&[]).0, 0, "a plan without the key changes nothing");

    // Off: the refresh drops the fingerprint, and a new key with the same
    // version is not seen (only a new version sends it).
    w.write(&config("provider \"oomnitza\" {\n  write_only_fingerprints = false\n}\n"));
    let o = w.run_env(
        &["apply", "-refresh-only", "-auto-approve", "-no-color", "-input=false"],
        &with("second-key-Hq27"),
        &[],
    );
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(private_of(&w).get("fingerprint").is_none(), "{}", private_of(&w));
    assert_eq!(plan(&with("third-key-Hq27")).0, 0, "not seen without a fingerprint");
    assert!(sim.secret_matches(&id, "second-key-Hq27"));
});
