//! The registry documentation and the examples it shows: the committed
//! pages are what `oomnitza-docs` writes from the schema, and every example
//! is formatted and valid on both engines.

#[macro_use]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{engines, repo, Engine, Out, Sim, Work};

fn docs_tool(root: &Path, check: bool) -> Out {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oomnitza-docs"));
    if check {
        c.arg("--check");
    }
    c.arg(root).output().expect("run oomnitza-docs").into()
}

#[test]
fn committed_docs_are_what_the_schema_gives() {
    let o = docs_tool(&repo(), true);
    assert_eq!(o.code, 0, "docs/ is stale:\n{}", o.all());
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

#[test]
fn a_stale_page_fails_the_check_until_regenerated() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["docs", "templates", "examples"] {
        copy_tree(&repo().join(dir), &tmp.path().join(dir));
    }
    assert_eq!(docs_tool(tmp.path(), true).code, 0);
    // An attribute's description as an older schema had it.
    let page = tmp.path().join("docs/resources/jira_credential.md");
    let text = std::fs::read_to_string(&page).unwrap();
    let old = text.replace("The credential's name, as shown in Oomnitza.", "The name.");
    assert_ne!(old, text);
    std::fs::write(&page, old).unwrap();
    let o = docs_tool(tmp.path(), true);
    assert_eq!(o.code, 1, "{}", o.all());
    assert!(o.stderr.contains("docs/resources/jira_credential.md"), "{}", o.all());
    assert!(o.stderr.contains("cargo run --bin oomnitza-docs"), "the check says how to regenerate:\n{}", o.all());
    let o = docs_tool(tmp.path(), false);
    assert_eq!(o.code, 0, "{}", o.all());
    assert_eq!(docs_tool(tmp.path(), true).code, 0);
    assert_eq!(std::fs::read_to_string(&page).unwrap(), text);
}

/// Every example directory with Terraform files in it.
fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut has_tf = false;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "tf" || e == "hcl") {
                has_tf = true;
            }
        }
        if has_tf {
            out.push(dir.to_path_buf());
        }
    }
    let mut out = Vec::new();
    walk(&repo().join("examples"), &mut out);
    out.sort();
    out
}

both_engines!(examples_are_formatted_and_valid, |e| {
    let sim = Sim::start();
    let fmt = Work::new(e, &sim, "");
    let o = fmt.run(&["fmt", "-check", "-recursive", "-diff", repo().join("examples").to_str().unwrap()]);
    assert_eq!(o.code, 0, "terraform fmt -check on {}:\n{}", e.version, o.all());
    let dirs = example_dirs();
    assert!(dirs.len() >= 6, "{dirs:?}");
    for dir in dirs {
        let name = dir.strip_prefix(repo()).unwrap().display().to_string();
        let w = Work::new(e, &sim, "");
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            std::fs::copy(entry.path(), w.path(&entry.file_name().to_string_lossy())).unwrap();
        }
        if dir.join("main.tf").exists() {
            w.ok(&["init", "-input=false"]);
        }
        let o = w.run(&["validate", "-no-color"]);
        if name.contains("actions") && e.version == "1.11.4" {
            // Actions need Terraform 1.14: 1.11 refuses the block itself.
            assert_eq!(o.code, 1, "{name}: {}", o.all());
            assert!(o.all().contains("Unsupported block type"), "{name}: {}", o.all());
            continue;
        }
        assert_eq!(o.code, 0, "terraform validate of {name} on {}:\n{}", e.version, o.all());
        if name.contains("list-resources") && e.version != "1.11.4" {
            let o = w.run(&["validate", "-query", "-no-color"]);
            assert_eq!(o.code, 0, "terraform validate -query of {name}:\n{}", o.all());
        }
    }
});

/// docs/simulator.md names every flag `oomnitza-sim --help` lists and every
/// test route the simulator serves.
#[test]
fn the_simulator_page_matches_the_simulator() {
    let out = Command::new(support::sim_bin()).arg("--help").output().expect("run oomnitza-sim --help");
    assert!(out.status.success(), "--help exits 0");
    let help = String::from_utf8_lossy(&out.stdout).into_owned();
    let page = std::fs::read_to_string(repo().join("docs/simulator.md")).unwrap();
    let flags: Vec<&str> = help
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .map(|w| w.trim_end_matches(|c: char| !c.is_ascii_alphanumeric()))
        .collect();
    assert!(flags.len() >= 9, "{help}");
    for flag in flags {
        assert!(page.contains(&format!("`{flag}")), "docs/simulator.md does not describe {flag}");
    }
    let control = std::fs::read_to_string(repo().join("sim/src/control.rs")).unwrap();
    let routes: Vec<&str> = control
        .split(".route(\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .filter(|r| r.starts_with("/_sim/"))
        .collect();
    assert!(routes.len() >= 10, "{routes:?}");
    for route in routes {
        assert!(page.contains(route), "docs/simulator.md does not describe {route}");
    }
}

// The example import script, run as a user would with a real id in place
// of the example's.
both_engines!(the_import_example_imports, |e| {
    let sim = Sim::start();
    let made = sim.create(serde_json::json!({
        "name": "Jira user load", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "made-by-hand"}
    }));
    let id = made["id"].as_str().unwrap();
    let w = Work::new(
        e,
        &sim,
        "resource \"oomnitza_jira_credential\" \"users\" {\n  name = \"Jira user load\"\n  basic {\n    email = \"svc-jira@example.com\"\n  }\n}\n",
    );
    let script = std::fs::read_to_string(repo().join("examples/resources/oomnitza_jira_credential/import.sh")).unwrap();
    let example_id = "66f2a8c41b7e4d0012ab34cd";
    assert!(script.contains(example_id));
    // `terraform` in the script is this engine: a shim on PATH.
    let bin = w.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let shim = bin.join("terraform");
    let program: Vec<String> = e.program.iter().map(|p| format!("'{}'", p.display())).collect();
    let call = format!("exec {} \"$@\"\n", program.join(" "));
    std::fs::write(&shim, format!("#!/usr/bin/env bash\n{call}")).unwrap();
    std::process::Command::new("chmod").arg("+x").arg(&shim).status().unwrap();
    std::fs::write(w.path("import.sh"), script.replace(example_id, id)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let o = w.run_script(&w.path("import.sh"), &[("PATH", &path)]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert_eq!(w.instances()[0]["id"], id);
    assert_eq!(w.plan_code().0, 0, "imported as configured");
});

// The write-only guide's change, made as the guide writes it: the token
// leaves the state, is sent once more, and later rotations go by version.
both_engines!(the_write_only_guide_works_as_written, |e| {
    let sim = Sim::start();
    let guide = std::fs::read_to_string(repo().join("docs/guides/write-only-secrets.md")).unwrap();
    let blocks: Vec<&str> = guide.split("```hcl\n").skip(1).filter_map(|b| b.split("```").next()).collect();
    let (before, after, rotate) = (blocks[0], blocks[1], blocks[2]);
    let w = Work::new(e, &sim, before);
    w.set_env("TF_VAR_jira_token", "guide-token-one-4e1");
    w.apply();
    let id = w.instances()[0]["id"].as_str().unwrap().to_string();
    assert!(std::fs::read_to_string(w.path("terraform.tfstate")).unwrap().contains("guide-token-one-4e1"));
    w.write(after);
    let (code, plan) = w.plan_code();
    assert_eq!(code, 2, "{}", plan.all());
    w.apply();
    assert!(
        !std::fs::read_to_string(w.path("terraform.tfstate")).unwrap().contains("guide-token-one-4e1"),
        "out of state"
    );
    assert!(sim.secret_matches(&id, "guide-token-one-4e1"));
    assert_eq!(w.plan_code().0, 0);
    // Rotating: the guide's version line, with a new token in the variable.
    let version_line = rotate.lines().find(|l| l.contains("api_token_wo_version")).unwrap().trim().to_string();
    w.write(&after.replace("api_token_wo_version = 1", &version_line));
    w.set_env("TF_VAR_jira_token", "guide-token-two-9c3");
    w.apply();
    assert!(sim.secret_matches(&id, "guide-token-two-9c3"));
    assert_eq!(w.plan_code().0, 0);
});

/// docs/oomnitza-api.md has one row for each route of the client's table,
/// saying where it comes from as the table does, and no old route.
#[test]
fn the_api_page_marks_every_route_as_the_table_does() {
    let page = std::fs::read_to_string(support::repo().join("docs/oomnitza-api.md")).unwrap();
    for r in oomnitza_api::routes::ALL {
        let row = page
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", r.label())))
            .unwrap_or_else(|| panic!("docs/oomnitza-api.md has no row for {}", r.label()));
        assert!(
            row.contains(&format!("| {} |", r.source.describe())),
            "{} is not marked {:?}: {row}",
            r.label(),
            r.source
        );
    }
    let route_row = |l: &&str| {
        let cell = l.strip_prefix("| `").and_then(|r| r.split_once("` |")).map(|(c, _)| c).unwrap_or_default();
        cell.split_once(' ').is_some_and(|(m, p)| m.chars().all(|c| c.is_ascii_uppercase()) && p.starts_with("/api/"))
    };
    let rows = page.lines().filter(route_row).count();
    assert_eq!(rows, oomnitza_api::routes::ALL.len(), "a row for a route the client does not use");
    assert!(!page.contains("/api/v3/credentials"), "the modelled routes of old are gone");
}

/// Replaces every RFC 3339 time (`2026-11-29T15:00:06Z`, with or without
/// fractions of a second) by `to`, which is as long as the whole-second form.
fn fixed_times(text: &str, to: &str) -> String {
    let b = text.as_bytes();
    let shape = |i: usize| {
        let pat = b"dddd-dd-ddTdd:dd:dd";
        i + pat.len() <= b.len()
            && pat.iter().zip(&b[i..]).all(|(p, c)| if *p == b'd' { c.is_ascii_digit() } else { p == c })
    };
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        if shape(i) {
            let mut j = i + 19;
            if b.get(j) == Some(&b'.') {
                j += 1;
                while b.get(j).is_some_and(u8::is_ascii_digit) {
                    j += 1;
                }
            }
            if b.get(j) == Some(&b'Z') {
                out.push_str(to);
                i = j + 1;
                continue;
            }
        }
        let ch = text[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// docs/guides/reviewing-a-plan.md shows the warnings of a real plan:
/// drift in words, expiry ahead and a failed check. `UPDATE_GUIDE=1`
/// writes them into the guide; otherwise they must be what is there.
#[test]
fn reviewing_guide_output_is_real() {
    let e = support::newest();
    let sim = Sim::start();
    let site = sim.url.trim_start_matches("http://").to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let expiry = (today + time::Duration::days(12)).to_string();
    let config = format!(
        r#"resource "oomnitza_jira_credential" "users" {{
  name            = "Jira user load"
  expiration_date = "{expiry}"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "guide-token-Zt90"
  }}
}}

resource "oomnitza_jira_credential" "assets" {{
  name = "Jira asset sync"
  basic {{
    email     = "svc-assets@example.com"
    api_token = "guide-token-Qw31"
  }}
}}

check "jira_accepts_asset_sync" {{
  data "oomnitza_jira_credential_check" "assets" {{
    credential_id = oomnitza_jira_credential.assets.id
    site          = "{site}"
  }}
  assert {{
    condition     = data.oomnitza_jira_credential_check.assets.accepted
    error_message = "Jira no longer accepts it: ${{data.oomnitza_jira_credential_check.assets.reason}}"
  }}
}}
"#
    );
    let w = Work::new(e, &sim, &config);
    w.apply();
    let id_of = |name: &str| {
        let i = w.instances().into_iter().find(|i| i["name"] == name).unwrap_or_else(|| panic!("{name} in state"));
        i["id"].as_str().unwrap().to_string()
    };
    let (id, assets) = (id_of("Jira user load"), id_of("Jira asset sync"));
    sim.edit(&id, serde_json::json!({"name": "Jira user load (edited)"}));
    sim.rotate(&id);
    let (s, v) = sim.req(
        reqwest::Method::POST,
        &format!("/_sim/credentials/{assets}/jira"),
        Some(serde_json::json!({"accepts": false})),
    );
    assert_eq!(s, 200, "{v}");
    let o = w.run(&["plan", "-no-color", "-input=false"]);
    assert_eq!(o.code, 0, "{}", o.all());
    let at = o.stdout.find("\nWarning:").unwrap_or_else(|| panic!("no warnings:\n{}", o.all()));
    let warnings = fixed_times(o.stdout[at..].trim(), "2026-11-29T10:00:00Z")
        .replace(&id, "66f2a8c41b7e4d0012ab34cd")
        .replace(&assets, "66f2a8c41b7e4d0012ab35ef")
        .replace(&expiry, "2026-12-11");
    for part in
        ["was changed outside Terraform", "expires in 12 days", "Check block assertion failed", "Jira answered 401"]
    {
        assert!(warnings.contains(part), "{part:?} is not in:\n{warnings}");
    }
    let path = repo().join("docs/guides/reviewing-a-plan.md");
    let guide = std::fs::read_to_string(&path).unwrap();
    let (start, end) = (
        "<!-- generated: tests/docs.rs reviewing_guide_output_is_real -->\n```text\n",
        "\n```\n<!-- end generated -->",
    );
    let from = guide.find(start).expect("the guide's generated block") + start.len();
    let to = from + guide[from..].find(end).expect("the end of the generated block");
    if std::env::var_os("UPDATE_GUIDE").is_some() {
        std::fs::write(&path, format!("{}{warnings}{}", &guide[..from], &guide[to..])).unwrap();
        return;
    }
    assert_eq!(
        guide[from..to],
        warnings,
        "docs/guides/reviewing-a-plan.md does not show what the provider prints; regenerate it with `UPDATE_GUIDE=1 cargo test --test docs reviewing_guide_output_is_real`"
    );
}
