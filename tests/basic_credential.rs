//! Acceptance tests of `oomnitza_basic_credential`, the third kind and the
//! first built only from `crate::credential::flat`: the real Terraform CLI
//! (1.11.4 and 1.15.5) against the simulator: CRUD, drift in words, the
//! data source, a write-only password with its slow fingerprint, import by
//! id into the right kind only, `saas = "jira"` refused, and query.

#[macro_use]
mod support;

use serde_json::{json, Value};
use support::{engines, newest, Engine, Sim, Work};

const TYPE: &str = "oomnitza_basic_credential";
const PASSWORD: &str = "snow-Password-7Kq2";

fn config(name: &str, saas: &str, username: &str, password: &str) -> String {
    format!(
        r#"variable "password" {{
  type      = string
  sensitive = true
  default   = "{password}"
}}
resource "{TYPE}" "snow" {{
  name     = "{name}"
  saas     = "{saas}"
  username = "{username}"
  password = var.password
}}
"#
    )
}

fn id_of(w: &Work) -> String {
    w.instances()[0]["id"].as_str().expect("id in state").to_string()
}

/// The diagnostics of a `-json` run: (severity, summary, detail).
fn diagnostics(stdout: &str) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["type"] == "diagnostic")
        .map(|m| {
            (text(&m["diagnostic"]["severity"]), text(&m["diagnostic"]["summary"]), text(&m["diagnostic"]["detail"]))
        })
        .collect()
}

both_engines!(lifecycle_drift_and_data_source, |e| {
    let sim = Sim::start();
    let w = Work::new(e, &sim, &config("ServiceNow CMDB", "servicenow", "svc-oomnitza", PASSWORD));
    w.apply();
    let id = id_of(&w);
    let (_, c) = sim.get(&id);
    assert_eq!((c["saas"].as_str(), c["auth_type"].as_str()), (Some("servicenow"), Some("basic")));
    assert_eq!(c["basic"]["username"], "svc-oomnitza");
    assert!(sim.secret_matches(&id, PASSWORD));
    assert_eq!(w.instances()[0]["secret_version"], 1);
    assert_eq!(w.plan_code().0, 0, "the plan after create is empty");

    // Changed by hand: one warning in this kind's words; the apply puts the
    // configuration back, password included, in place.
    sim.edit(&id, json!({"basic": {"username": "someone-else"}, "updated_by": "jane.admin@example.com"}));
    sim.rotate(&id);
    let o = w.run(&["plan", "-json", "-no-color", "-input=false"]);
    let drift: Vec<_> = diagnostics(&o.stdout).into_iter().filter(|d| d.1.contains("outside Terraform")).collect();
    assert_eq!(drift.len(), 1, "{drift:?}");
    assert_eq!(drift[0].1, "Basic Auth credential \"ServiceNow CMDB\" was changed outside Terraform");
    for part in [r#"username: "svc-oomnitza" -> "someone-else""#, "version 1 -> 2", "sends the password"] {
        assert!(drift[0].2.contains(part), "{part}: {}", drift[0].2);
    }
    w.apply();
    let (_, c) = sim.get(&id);
    assert_eq!(c["basic"]["username"], "svc-oomnitza");
    assert!(sim.secret_matches(&id, PASSWORD), "the configured password was sent again");
    assert_eq!(w.plan_code().0, 0);

    // The data source never shows the password.
    let mut with_data = config("ServiceNow CMDB", "servicenow", "svc-oomnitza", PASSWORD);
    with_data.push_str(&format!(
        "data \"{TYPE}\" \"found\" {{\n  name = \"ServiceNow CMDB\"\n}}\noutput \"found\" {{\n  value = [data.{TYPE}.found.id, data.{TYPE}.found.username]\n}}\n"
    ));
    w.write(&with_data);
    w.apply();
    let out: Value = serde_json::from_str(&w.ok(&["output", "-json", "found"]).stdout).unwrap();
    assert_eq!(out, json!([id, "svc-oomnitza"]));
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert_eq!(state.matches(PASSWORD).count(), 1, "the password is in the resource's state only");

    // Another system cannot be set in place: replaced.
    w.write(&config("ServiceNow CMDB", "jamf", "svc-oomnitza", PASSWORD));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2);
    assert!(o.stdout.contains("forces replacement"), "{}", o.stdout);
    w.apply();
    assert_ne!(id_of(&w), id);
    assert_eq!(sim.all().len(), 1);
    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty(), "destroy leaves nothing");
});

// A person's password, write-only: never in plan or state; a new one with
// the same version is seen by a PBKDF2 fingerprint in the private state.
both_engines!(a_write_only_password_is_fingerprinted_slowly, |e| {
    let sim = Sim::start();
    let body = format!(
        "variable \"p\" {{\n  type = string\n  sensitive = true\n  ephemeral = true\n}}\nresource \"{TYPE}\" \"jamf\" {{\n  name = \"Jamf\"\n  saas = \"jamf\"\n  username = \"api-user\"\n  password_wo = var.p\n  password_wo_version = 1\n}}\n"
    );
    let w = Work::new(e, &sim, &body);
    w.set_env("TF_VAR_p", "Winter2026!");
    w.ok(&["plan", "-no-color", "-input=false", "-out=tf.plan"]);
    assert!(!w.ok(&["show", "-json", "tf.plan"]).stdout.contains("Winter2026"), "password in plan JSON");
    w.ok(&["apply", "-no-color", "-input=false", "tf.plan"]);
    let id = id_of(&w);
    assert!(sim.secret_matches(&id, "Winter2026!"));
    let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
    assert!(!state.contains("Winter2026"), "password in state");
    let private = {
        use base64::Engine as _;
        let raw = w.state()["resources"][0]["instances"][0]["private"].as_str().unwrap_or_default().to_string();
        let bytes = base64::engine::general_purpose::STANDARD.decode(raw).expect("private is base64");
        serde_json::from_slice::<Value>(&bytes).expect("private is JSON")
    };
    assert_eq!(private["fingerprint"]["rounds"], 100_000, "slow, for a password a person chose: {private}");
    assert_eq!(w.plan_code().0, 0);

    w.set_env("TF_VAR_p", "Spring2027!");
    let o = w.run(&["plan", "-detailed-exitcode", "-no-color", "-input=false"]);
    assert_eq!(o.code, 2, "{}", o.all());
    assert!(support::squeeze(&o.all()).contains("password_wo changed although password_wo_version did not"));
    w.apply();
    assert!(sim.secret_matches(&id, "Spring2027!"));
    assert_eq!(w.plan_code().0, 0);
});

#[test]
fn jira_is_refused_and_imports_go_to_the_right_kind() {
    let e = newest();
    let sim = Sim::start();
    // saas = "jira" belongs to oomnitza_jira_credential: said at validate.
    let w = Work::new(e, &sim, &config("x", "jira", "svc", PASSWORD));
    let o = w.run(&["validate", "-no-color"]);
    assert_eq!(o.code, 1, "{}", o.all());
    let said = support::squeeze(&o.all());
    assert!(said.contains("Jira has its own resource") && said.contains("oomnitza_jira_credential"), "{said}");

    let snow = sim.create(json!({
        "name": "snow-prod", "saas": "servicenow", "auth_type": "basic",
        "basic": {"username": "svc-oomnitza", "password": "by-hand"}
    }));
    let jira = sim.create(json!({
        "name": "jira-prod", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "jira-secret"}
    }));
    let (snow, jira) = (snow["id"].as_str().unwrap().to_string(), jira["id"].as_str().unwrap().to_string());

    // Each id into the other kind is refused with the kind that manages it.
    w.write(&config("snow-prod", "servicenow", "svc-oomnitza", PASSWORD));
    let o = w.run(&["import", "-no-color", "-input=false", &format!("{TYPE}.snow"), &jira]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(support::squeeze(&o.all()).contains("Import it into oomnitza_jira_credential instead"), "{}", o.all());
    let j = Work::new(
        e,
        &sim,
        "resource \"oomnitza_jira_credential\" \"j\" {\n  name = \"snow-prod\"\n  basic {\n    email = \"a@example.com\"\n    api_token = \"t\"\n  }\n}\n",
    );
    let o = j.run(&["import", "-no-color", "-input=false", "oomnitza_jira_credential.j", &snow]);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(support::squeeze(&o.all()).contains("Import it into oomnitza_basic_credential instead"), "{}", o.all());

    // Its own, by id: the first plan sends the configured password once.
    w.ok(&["import", "-no-color", "-input=false", &format!("{TYPE}.snow"), &snow]);
    assert_eq!(w.plan_code().0, 2);
    w.apply();
    assert!(sim.secret_matches(&snow, PASSWORD));
    assert_eq!(w.plan_code().0, 0);

    // terraform query lists Basic Auth credentials of other systems only.
    std::fs::write(
        w.path("find.tfquery.hcl"),
        format!("list \"{TYPE}\" \"found\" {{\n  provider = oomnitza\n  config {{\n  }}\n}}\n"),
    )
    .unwrap();
    let out = w.ok(&["query", "-no-color"]).stdout;
    let found: Vec<_> = out.lines().filter(|l| l.starts_with("list.")).collect();
    assert!(found.len() == 1 && found[0].contains("snow-prod"), "{out}");
}
