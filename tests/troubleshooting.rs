//! The README's "When something goes wrong" table, checked against what the
//! provider really prints: each row's quoted text (its literal parts around
//! "...") must appear in the output of the real Terraform in that situation.
//! On the way, the provider settings the table names (`request_timeout`,
//! `max_retries`, `ca_cert_file`, `username`/`password`) are used through
//! Terraform, not only through the client.

mod support;

use serde_json::json;
use support::{newest, repo, squeeze, Out, Sim, Work};

/// The quoted text of each row of the table, in order.
fn rows() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let section = readme.split("## When something goes wrong").nth(1).expect("the section");
    section
        .lines()
        .skip_while(|l| !l.starts_with("| ---"))
        .skip(1)
        .take_while(|l| l.starts_with('|'))
        .map(|l| l.split('`').nth(1).expect("a quoted text in the row's first cell").to_string())
        .collect()
}

/// Asserts that the row's literal parts appear, in order, in the output.
fn shows(row: &str, out: &str) {
    let text = squeeze(out);
    let mut from = 0;
    for part in row.split("...").map(squeeze).filter(|p| !p.is_empty()) {
        match text[from..].find(&part) {
            Some(at) => from += at + part.len(),
            None => panic!("README row {row:?}: {part:?} is not in what the provider printed:\n{out}"),
        }
    }
}

fn basic(name: &str, provider: &str) -> String {
    format!(
        r#"{provider}
resource "oomnitza_jira_credential" "c" {{
  name = "{name}"
  basic {{
    email     = "svc-jira@example.com"
    api_token = "troubleshooting-token"
  }}
}}
"#
    )
}

fn apply(w: &Work, env: &[(&str, &str)]) -> Out {
    w.run_env(&["apply", "-auto-approve", "-input=false", "-no-color"], env, &[])
}

fn failed(o: Out) -> String {
    assert_eq!(o.code, 1, "{}", o.all());
    o.all()
}

#[test]
fn every_row_is_what_the_provider_prints() {
    let e = newest();
    let rows = rows();
    assert_eq!(rows.len(), 19, "a row was added or removed: give it its situation here\n{rows:#?}");
    let sim = Sim::start_with(&[
        "--read-only-token",
        "read-only-token-2c",
        "--username",
        "svc-terraform",
        "--password",
        "login-password-8d",
        "--atlassian-app",
        "ts-app=ts-app-secret",
    ]);
    let w = Work::new(e, &sim, &basic("troubleshooting", ""));

    // Unreachable: a name that does not resolve, then a closed port.
    shows(&rows[0], &failed(apply(&w, &[("OOMNITZA_URL", "https://no-such-host.invalid")])));
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    shows(&rows[1], &failed(apply(&w, &[("OOMNITZA_URL", &format!("http://127.0.0.1:{closed}"))])));

    // A certificate not trusted, then trusted through ca_cert_file in the provider block.
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let tls = Sim::start_with(&["--tls-cert-out", ca.to_str().unwrap()]);
    let wt = Work::new(e, &tls, &basic("tls", ""));
    shows(&rows[2], &failed(apply(&wt, &[])));
    wt.write(&basic("tls", &format!("provider \"oomnitza\" {{\n  ca_cert_file = \"{}\"\n}}", ca.display())));
    wt.apply();
    assert_eq!(tls.all().len(), 1, "ca_cert_file made the TLS simulator trusted");

    // No answer in time: request_timeout and max_retries from the provider block.
    let wslow =
        Work::new(e, &sim, &basic("slow", "provider \"oomnitza\" {\n  request_timeout = \"1s\"\n  max_retries = 0\n}"));
    sim.faults(json!({"latency_ms": 3000}));
    let slow = failed(apply(&wslow, &[]));
    sim.faults(json!({}));
    shows(&rows[3], &slow);
    assert!(squeeze(&slow).contains("(1 attempt)"), "max_retries = 0 means one attempt:\n{slow}");

    // Credentials, found at the plan of a create: a wrong token, a wrong
    // password, then the right password.
    let plan = |w: &Work, env: &[(&str, &str)], remove: &[&str]| {
        w.run_env(&["plan", "-input=false", "-no-color"], env, remove)
    };
    shows(&rows[5], &failed(plan(&w, &[("OOMNITZA_API_TOKEN", "not-the-token")], &[])));
    let login = |password: &str| {
        w.run_env(
            &["apply", "-auto-approve", "-input=false", "-no-color"],
            &[("OOMNITZA_USERNAME", "svc-terraform"), ("OOMNITZA_PASSWORD", password)],
            &["OOMNITZA_API_TOKEN"],
        )
    };
    let wrong = failed(login("wrong-password"));
    shows(&rows[5], &wrong);
    assert!(squeeze(&wrong).contains("Check username and password (OOMNITZA_USERNAME/OOMNITZA_PASSWORD)"), "{wrong}");
    let o = login("login-password-8d");
    assert_eq!(o.code, 0, "username and password sign in:\n{}", o.all());
    // A credential already made: its refresh meets the wrong token.
    shows(&rows[4], &failed(plan(&w, &[("OOMNITZA_API_TOKEN", "not-the-token")], &[])));
    assert!(w.run_env(&["destroy", "-auto-approve", "-input=false"], &[], &[]).code == 0);
    // A url that is a login page, not Oomnitza.
    shows(&rows[6], &failed(plan(&w, &[("OOMNITZA_URL", &support::login_page())], &[])));

    // A role that may only read.
    shows(&rows[7], &failed(apply(&w, &[("OOMNITZA_API_TOKEN", "read-only-token-2c")])));

    // Rate limited past max_retries.
    let wlimited = Work::new(e, &sim, &basic("limited", "provider \"oomnitza\" {\n  max_retries = 1\n}"));
    sim.faults(json!({"burst_429": 50, "retry_after": 0}));
    let limited = failed(apply(&wlimited, &[]));
    sim.faults(json!({}));
    shows(&rows[8], &limited);

    // An HTML page where the API should be.
    sim.faults(json!({"bad_answers": 50, "bad_kind": "html"}));
    let html = failed(apply(&w, &[]));
    sim.faults(json!({}));
    shows(&rows[9], &html);

    // A url that redirects elsewhere.
    let redirect = support::Hostile::start(|_| {
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: https://elsewhere.example.com/api\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
    });
    shows(&rows[10], &failed(plan(&w, &[("OOMNITZA_URL", &redirect.url)], &[])));

    // OAuth consent: at apply, at plan, and a create whose wait ran out.
    let oauth = |name: &str, extra: &str| {
        format!(
            "resource \"oomnitza_jira_credential\" \"o\" {{\n  name = \"{name}\"\n  oauth {{\n    client_id = \"ts-app\"\n    client_secret = \"ts-app-secret\"\n    {extra}\n  }}\n  timeouts {{\n    create = \"1s\"\n  }}\n}}\n"
        )
    };
    let wo = Work::new(e, &sim, &oauth("consent", ""));
    shows(&rows[11], &wo.apply().all());
    shows(&rows[12], &wo.plan_code().1.all());
    let wwait = Work::new(e, &sim, &oauth("waited", "wait_for_authorization = true"));
    shows(&rows[13], &wwait.apply().all());

    // A name another credential already has.
    sim.create(json!({
        "name": "taken", "saas": "jira", "auth_type": "basic",
        "basic": {"username": "svc-jira@example.com", "password": "made-by-hand"}
    }));
    let wtaken = Work::new(e, &sim, &basic("taken", ""));
    shows(&rows[14], &wtaken.apply().all());

    // A create whose answer was lost: the next run names it, and a create
    // of the same configuration adopts it; a copy of the directory names it
    // as another directory's.
    let wlost = Work::new(e, &sim, &basic("lost", "provider \"oomnitza\" {\n  max_retries = 0\n}"));
    sim.faults(json!({"drop_rate": 1.0, "only": "POST /api/v3/auth"}));
    let _ = failed(apply(&wlost, &[]));
    sim.faults(json!({}));
    let copy = wlost.copy();
    let resumed = wlost.apply().all();
    shows(&rows[15], &resumed);
    shows(&rows[16], &resumed);
    let id = wlost.instances()[0]["id"].as_str().unwrap().to_string();
    // The copy's record names the id the original's resumed create recorded
    // only in the original: here it is still unanswered, so make the copy's
    // answered by the original's id first.
    shows(&rows[17], &copy_named(&copy, &id));

    // A saved plan applied after a hand edit.
    wlost.write(
        &basic("lost", "provider \"oomnitza\" {\n  max_retries = 0\n}")
            .replace("troubleshooting-token", "second-token"),
    );
    wlost.ok(&["plan", "-out=tfplan", "-input=false", "-no-color"]);
    sim.edit(&id, json!({"name": "edited by hand"}));
    shows(&rows[18], &wlost.ok(&["apply", "-input=false", "-no-color", "tfplan"]).all());
}

/// What a plan in `copy`, a copy of a directory whose interrupted create
/// made credential `id`, says of the record it holds.
fn copy_named(copy: &Work, id: &str) -> String {
    let o = copy.run(&["plan", "-input=false", "-no-color"]);
    assert!(o.code == 0 || o.code == 2, "{}", o.all());
    let text = o.all();
    assert!(text.contains("written in another directory"), "{text}");
    assert!(text.contains(id), "{text}");
    text
}
