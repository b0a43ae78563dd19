//! The compatibility matrix: every Terraform of `scripts/engines.tsv` (1.6
//! to 1.15) runs the core flow (create, no-change plan, drift, import,
//! destroy), and each feature either works there or, on a Terraform too old
//! for it, is refused cleanly (by the provider at the attribute, or by
//! Terraform itself), never skipped. The README's version table must say
//! what these tests prove.

mod support;

use serde_json::json;
use support::{engine, engine_specs, Engine, Sim, Work};

/// The oldest Terraform each feature needs.
const FEATURES: &[(&str, &str)] =
    &[("basic", "1.0"), ("write-only", "1.11"), ("identity", "1.12"), ("query", "1.14"), ("actions", "1.14")];

fn credential(name: &str, token: &str) -> String {
    format!(
        "resource \"oomnitza_jira_credential\" \"c\" {{\n  name = \"{name}\"\n  basic {{\n    email     = \"svc-jira@example.com\"\n    api_token = \"{token}\"\n  }}\n}}\n"
    )
}

fn matrix(version: &str) {
    let e: &Engine = engine(version);
    let sim = Sim::start();

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

    // Write-only (1.11): works, or refused at the attribute.
    let wo = "resource \"oomnitza_jira_credential\" \"wo\" {\n  name = \"wo\"\n  basic {\n    email                = \"svc-jira@example.com\"\n    api_token_wo         = \"matrix-wo-secret\"\n    api_token_wo_version = 1\n  }\n}\n";
    let w = Work::new(e, &sim, wo);
    if e.at_least("1.11") {
        w.apply();
        let state = std::fs::read_to_string(w.path("terraform.tfstate")).unwrap();
        assert!(!state.contains("matrix-wo-secret"), "{version}: write-only kept out of state");
        w.ok(&["destroy", "-auto-approve", "-input=false", "-no-color"]);
    } else {
        let o = w.run(&["validate", "-no-color"]);
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("Write-only attribute needs Terraform 1.11 or newer"), "{version}: {}", o.all());
        assert!(o.all().contains("api_token_wo"), "{version}: the diagnostic points at the attribute: {}", o.all());
        assert!(sim.all().is_empty());
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
    if e.at_least("1.12") {
        assert_eq!(o.code, 0, "{version}: {}", o.all());
        assert_eq!(w.instances()[0]["id"], made["id"]);
    } else {
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("identity"), "{version}: Terraform's own refusal: {}", o.all());
        assert!(!o.all().contains("plugin") && !o.all().contains("panic"), "{version}: {}", o.all());
    }

    // Query and actions (1.14): they work, or this Terraform does not know them.
    let w = Work::new(e, &sim, "");
    std::fs::write(
        w.path("find.tfquery.hcl"),
        "list \"oomnitza_jira_credential\" \"all\" {\n  provider = oomnitza\n  config {}\n}\n",
    )
    .unwrap();
    let o = w.run(&["query", "-no-color"]);
    if e.at_least("1.14") {
        assert_eq!(o.code, 0, "{version}: {}", o.all());
        assert!(o.stdout.contains("by identity"), "{version}: {}", o.stdout);
    } else {
        assert_ne!(o.code, 0, "{version}: no query command: {}", o.all());
    }
    w.write(&format!(
        "action \"oomnitza_jira_credential_authorize\" \"a\" {{\n  config {{\n    credential_id = \"{}\"\n  }}\n}}\n",
        made["id"].as_str().unwrap()
    ));
    let o = w.run(&["validate", "-no-color"]);
    if e.at_least("1.14") {
        assert_eq!(o.code, 0, "{version}: {}", o.all());
    } else {
        assert_eq!(o.code, 1, "{version}: {}", o.all());
        assert!(o.all().contains("Unsupported block type"), "{version}: Terraform's own refusal: {}", o.all());
    }
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

/// The README's table: one row per engine, "yes" where the feature works
/// and "refused" or "—" where it does not, as the tests above prove.
#[test]
fn readme_table_says_what_the_matrix_proves() {
    let readme = std::fs::read_to_string(support::repo().join("README.md")).unwrap();
    for spec in engine_specs() {
        let cells: Vec<&str> = FEATURES
            .iter()
            .map(|(feature, oldest)| {
                if support::at_least(spec.version, oldest) {
                    "yes"
                } else if *feature == "write-only" {
                    "refused at the attribute"
                } else {
                    "—"
                }
            })
            .collect();
        let row = format!("| {} | {} |", spec.version, cells.join(" | "));
        assert!(readme.contains(&row), "README.md lacks the row\n{row}");
    }
}
