//! A Terraform working directory per test, initialised against a
//! filesystem mirror of this build, and what its commands did.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

use super::*;

/// A filesystem mirror holding this build, so `terraform init` works
/// offline. One per build of the provider, beside it in the target
/// directory, shared by every test process (nextest runs each test in its
/// own) and made once: the binary is hard-linked where it can be, and the
/// mirror appears whole or not at all (made aside, then renamed).
fn mirror() -> &'static Path {
    static MIRROR: OnceLock<PathBuf> = OnceLock::new();
    MIRROR.get_or_init(|| {
        let bin = provider_bin();
        let meta = std::fs::metadata(&bin).expect("the provider binary");
        let built = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
        let root = bin.parent().unwrap().join(format!("acc-mirror-{}-{}", built.as_nanos(), meta.len()));
        if root.is_dir() {
            return root;
        }
        let aside = root.with_extension(format!("new-{}", std::process::id()));
        let dir = aside.join(format!("registry.terraform.io/oomnitza/oomnitza/{PROVIDER_VERSION}/linux_amd64"));
        std::fs::create_dir_all(&dir).expect("mirror dir");
        let to = dir.join(format!("terraform-provider-oomnitza_v{PROVIDER_VERSION}"));
        if std::fs::hard_link(&bin, &to).is_err() {
            std::fs::copy(&bin, &to).expect("copy provider into mirror");
        }
        if std::fs::rename(&aside, &root).is_err() {
            // Another test process made it first.
            let _ = std::fs::remove_dir_all(&aside);
        }
        // The mirrors of earlier builds hold their old binaries: gone.
        for e in std::fs::read_dir(bin.parent().unwrap()).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("acc-mirror-") && !name.contains(".new-") && e.path() != root {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
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

    /// A copy of this working directory, `.terraform` and state included,
    /// as `cp -r` (or a CI cache restored elsewhere) makes it: new files
    /// with the same contents, the same environment.
    pub fn copy(&self) -> Work {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("cp")
            .arg("-r")
            .arg(format!("{}/.", self.dir.path().display()))
            .arg(dir.path())
            .status()
            .expect("cp");
        assert!(status.success());
        Work { dir, engine: self.engine.clone(), env: self.env.clone() }
    }

    /// A `PATH` on which `terraform` is this work's engine (a shim in the
    /// work directory), for scripts that users run as written.
    pub fn terraform_on_path(&self) -> String {
        let bin = self.path("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        let shim = bin.join("terraform");
        let program: Vec<String> = self.engine.program.iter().map(|p| format!("'{}'", p.display())).collect();
        std::fs::write(&shim, format!("#!/usr/bin/env bash\nexec {} \"$@\"\n", program.join(" "))).expect("shim");
        let status = Command::new("chmod").arg("+x").arg(&shim).status().expect("chmod");
        assert!(status.success());
        format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
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
        instances_in(&self.state())
    }
}

/// Attributes of the managed resource instances in a state, in order.
pub fn instances_in(state: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for r in state["resources"].as_array().cloned().unwrap_or_default() {
        if r["mode"] == "managed" {
            for i in r["instances"].as_array().cloned().unwrap_or_default() {
                out.push(i["attributes"].clone());
            }
        }
    }
    out
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

/// Ctrl-C: SIGINT to the process group of a command started by [`Work::spawn`].
pub fn interrupt(child: &Child) {
    let status = Command::new("kill").args(["-INT", "--", &format!("-{}", child.id())]).status().expect("run kill");
    assert!(status.success(), "kill -INT failed");
}
