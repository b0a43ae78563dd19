//! The compatibility matrix: every Terraform of `scripts/engines.tsv` (1.6
//! to 1.15) runs the core flow (create, no-change plan, drift, import,
//! destroy), and each feature either works there or, on a Terraform too old
//! for it, is refused cleanly (by the provider at the attribute, or by
//! Terraform itself), never skipped. The README's version table must say
//! what these tests prove.

mod support;

use serde_json::json;
use support::{engine, engine_specs, Engine, Sim, Work};

/// The oldest Terraform each feature needs: what the matrix expects, and
/// checks against what it finds.
const FEATURES: &[(&str, &str)] = &[
    ("basic", "1.0"),
    ("write-only", "1.11"),
    ("identity", "1.12"),
    ("query", "1.14"),
    ("actions", "1.14"),
    ("ephemeral", "1.10"),
    ("deprecation message", "1.15"),
];

/// What one engine showed of each feature, in the README's words.
struct Found(Vec<&'static str>);

impl Found {
    fn record(&mut self, version: &str, feature: &str, cell: &'static str) {
        let expected =
            FEATURES.iter().find(|(f, _)| *f == feature).map(|(_, oldest)| support::at_least(version, oldest));
        assert_eq!(Some(cell == "yes"), expected, "{version}: {feature} is {cell:?}, not what FEATURES says");
        self.0.push(cell);
    }
}

fn credential(name: &str, token: &str) -> String {
    format!(
        "resource \"oomnitza_jira_credential\" \"c\" {{\n  name = \"{name}\"\n  basic {{\n    email     = \"svc-jira@example.com\"\n    api_token = \"{token}\"\n  }}\n}}\n"
    )
}

fn matrix(version: &str) {
    let e: &Engine = engine(version);
    let sim = Sim::start_with(&["--atlassian-app", "matrix-app=matrix-app-secret"]);
    let mut found = Found(Vec::new());

    // Core flow: create, no-change plan, drift, converge, import, destroy.
    let w = Work::new(e, &sim, &credential("matrix", "matrix-token-1"));
    w.apply();
    let id = w.instances()[0]["id"].as_str().unwrap().to_string();
    assert_eq!(w.plan_code().0, 0, "{version}: plan after create");
    sim.edit(&id, json!({"name": "edited by hand"}));
    let (code, o) = w.plan_code();
    assert_eq!(code, 2, "{version}: drift shows");
    assert!(o.stdout.contains("edited by hand"), "{version}: {}", o.stdout);
    w.apply();
    assert_eq!(w.plan_code().0, 0, "{version}: converged");
    w.ok(&["state", "rm", "oomnitza_jira_credential.c"]);
    w.ok(&["import", "-input=false", "-no-color", "oomnitza_jira_credential.c", &id]);
    w.apply(); // sends the configured token once
    assert_eq!(w.plan_code().0, 0, "{version}: plan after import");
    assert_eq!(sim.all().len(), 1, "{version}: import made nothing");
    w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    assert!(sim.all().is_empty(), "{version}: destroyed");
    found.record(version, "basic", "yes");

    // Write-only (1.11): works, or refused at the attribute.
    let wo = "resource \"oomnitza_jira_credential\" \"wo\" {\n  name = \"wo\"\n  basic {\n    email                = \"svc-jira@example.com\"\n    api_token_wo         = \"matrix-wo-secret\"\n    api_token_wo_version = 1\n  }\n}\n";
    let w = Work::new(e, &sim, wo);
    if e.at_least("1.11") {
        w.apply();
        let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
        assert!(!state.contains("matrix-wo-secret"), "{version}: write-only kept out of state");
        // A new secret with the same version is seen by its fingerprint.
        w.write(&wo.replace("matrix-wo-secret", "matrix-wo-secret-2"));
        let (code, o) = w.plan_code();
        assert_eq!(code, 2, "{version}: {}", o.all());
        assert!(o.all().contains("api_token_wo changed although"), "{version}: {}", o.all());
        w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
        found.record(version, "write-only", "yes");
    } else {
        let o = w.run(&["validate", "-no-color"]);
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("Write-only attribute needs Terraform 1.11 or newer"), "{version}: {}", o.all());
        assert!(o.all().contains("api_token_wo"), "{version}: the diagnostic points at the attribute: {}", o.all());
        assert!(sim.all().is_empty());
        found.record(version, "write-only", "refused at the attribute");
    }

    // Identity (1.12): import by identity works, or Terraform refuses the block.
    let made = sim.create(json!({
        "name": "by identity", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "p"}
    }));
    // init first: an older Terraform refuses the block even there.
    let w = Work::new(e, &sim, "");
    w.write(&format!(
        "import {{\n  to       = oomnitza_jira_credential.i\n  identity = {{ id = \"{}\" }}\n}}\nresource \"oomnitza_jira_credential\" \"i\" {{\n  name = \"by identity\"\n  basic {{\n    email = \"svc-jira@example.com\"\n  }}\n}}\n",
        made["id"].as_str().unwrap()
    ));
    let o = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    if o.code == 0 {
        assert_eq!(w.instances()[0]["id"], made["id"]);
        found.record(version, "identity", "yes");
    } else {
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        // Terraform's own refusal of an argument it does not know.
        assert!(o.all().contains("Unsupported argument") && o.all().contains("identity"), "{version}: {}", o.all());
        assert!(!o.all().contains("plugin") && !o.all().contains("panic"), "{version}: {}", o.all());
        found.record(version, "identity", "—");
    }

    // Query and actions (1.14): they work, or this Terraform does not know them.
    let w = Work::new(e, &sim, "");
    std::fs::write(
        w.path("find.tfquery.hcl"),
        "list \"oomnitza_jira_credential\" \"all\" {\n  provider = oomnitza\n  config {}\n}\n",
    )
    .unwrap();
    let o = w.run(&["query", "-no-color"]);
    if o.code == 0 {
        assert!(o.stdout.contains("by identity"), "{version}: {}", o.stdout);
        found.record(version, "query", "yes");
    } else {
        assert!(o.all().contains("Terraform has no command named \"query\""), "{version}: {}", o.all());
        found.record(version, "query", "—");
    }
    // The action, invoked on an OAuth credential: consent opens again.
    let oauth = sim.create(json!({
        "name": "matrix oauth", "saas": "jira", "auth_type": "oauth2",
        "oauth2": {"client_id": "matrix-app", "client_secret": "matrix-app-secret", "scopes": ["read:jira-user"]}
    }));
    let oauth_id = oauth["id"].as_str().unwrap();
    let first_url = oauth["oauth2"]["authorization_url"].clone();
    w.write(&format!(
        "action \"oomnitza_jira_credential_authorize\" \"a\" {{\n  config {{\n    credential_id = \"{oauth_id}\"\n  }}\n}}\n"
    ));
    let o = w.run(&["validate", "-no-color"]);
    if o.code == 0 {
        let o = w.run(&[
            "apply",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-invoke=action.oomnitza_jira_credential_authorize.a",
        ]);
        assert_eq!(o.code, 0, "{version}: {}", o.all());
        assert!(o.stdout.contains("Consent for \"matrix oauth\" is open"), "{version}: {}", o.all());
        let (_, now) = sim.get(oauth_id);
        assert_ne!(now["oauth2"]["authorization_url"], first_url, "{version}: the action opened a new consent");
        found.record(version, "actions", "yes");
    } else {
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("Unsupported block type"), "{version}: Terraform's own refusal: {}", o.all());
        found.record(version, "actions", "—");
    }

    // The ephemeral resource (1.10): opened at plan (Oomnitza is asked for
    // the authentication), or Terraform refuses the block itself.
    let w = Work::new(e, &sim, "");
    w.write(&format!(
        "ephemeral \"oomnitza_credential_secret\" \"e\" {{\n  credential_id = \"{}\"\n}}\n",
        made["id"].as_str().unwrap()
    ));
    let before = sim.requests().len();
    let o = w.run(&["plan", "-input=false", "-no-color"]);
    let opened = sim.requests()[before..].iter().any(|r| r.starts_with("POST /api/v3/auth/") && r.ends_with("/secret"));
    if o.code == 0 {
        assert!(opened, "{version}: the plan opened it: {}", o.all());
        found.record(version, "ephemeral", "yes");
    } else {
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("Unsupported block type"), "{version}: Terraform's own refusal: {}", o.all());
        assert!(!opened, "{version}: nothing opened");
        found.record(version, "ephemeral", "—");
    }

    // The deprecation message (protocol 6.10 as of 1.15.5): a reference to
    // oauth.wait_for_authorization is told what to use instead, or only
    // that it is deprecated. The provider's own warning where it is set
    // comes on every engine.
    let w = Work::new(e, &sim, "");
    w.write("resource \"oomnitza_jira_credential\" \"d\" {\n  name = \"deprecated\"\n  oauth {\n    client_id              = \"matrix-app\"\n    client_secret          = \"matrix-app-secret\"\n    wait_for_authorization = false\n  }\n}\noutput \"waits\" {\n  value = oomnitza_jira_credential.d.oauth.wait_for_authorization\n}\n");
    let o = w.run(&["plan", "-input=false", "-no-color"]);
    assert_eq!(o.code, 0, "{version}: {}", o.all());
    let text = support::squeeze(&o.all());
    assert!(text.contains("Attribute Deprecated"), "{version}: the provider's warning: {text}");
    let instead = r#"Use resource "oomnitza_jira_credential_authorization" instead"#;
    let told = text
        .split("Deprecated value used")
        .skip(1)
        .any(|part| part.split("Warning:").next().is_some_and(|w| w.contains(instead)));
    if told {
        found.record(version, "deprecation message", "yes");
    } else {
        assert!(text.contains("deprecated"), "{version}: {text}");
        found.record(version, "deprecation message", "flag only");
    }

    // The README's row for this engine is what this run found.
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let row = format!("| {} | {} |", version, found.0.join(" | "));
    assert!(readme.contains(&row), "README.md must have the row this run found:\n{row}");
}

macro_rules! matrix {
    ($($name:ident => $version:literal),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                matrix($version);
            }
        )*

        /// Every engine of the list has its test above.
        #[test]
        fn every_listed_engine_is_tested() {
            let tested = [$($version),*];
            let listed: Vec<&str> = engine_specs().iter().map(|s| s.version).collect();
            assert_eq!(listed, tested, "scripts/engines.tsv and tests/compat.rs list different engines");
        }
    };
}

matrix! {
    terraform_1_6_6 => "1.6.6",
    terraform_1_8_4 => "1.8.4",
    terraform_1_10_5 => "1.10.5",
    terraform_1_11_4 => "1.11.4",
    terraform_1_12_2 => "1.12.2",
    terraform_1_14_9 => "1.14.9",
    terraform_1_15_5 => "1.15.5",
}

/// The README's table has one row per engine of the list, and no other
/// (each row's cells are checked by that engine's matrix run).
#[test]
fn readme_table_has_a_row_per_engine() {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    let rows: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| 1."))
        .map(|l| l.trim_start_matches("| ").split(' ').next().unwrap_or_default())
        .collect();
    let listed: Vec<&str> = engine_specs().iter().map(|s| s.version).collect();
    assert_eq!(rows, listed);
}
