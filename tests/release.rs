//! `scripts/release.sh`: the artefacts the registry and `terraform init`
//! expect, signed with a throw-away GPG key, installed from a filesystem
//! mirror (no dev_overrides) and used for a real apply and destroy.
//!
//! The script packages the binary this test run built (`--binary`), as a
//! CI job hands its build to the release step: the fat-LTO build of what
//! ships is the benchmark's (`bench/run.sh`), and building it again here
//! cost four minutes of every run.

#[macro_use]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use support::{engines, repo, Engine, Sim, Work};

/// The version the binary of this test run says it is.
const VERSION: &str = env!("CARGO_PKG_VERSION");
const NAME: &str = "terraform-provider-oomnitza";

fn run(c: &mut Command) -> String {
    let o = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{c:?} failed:\n{text}");
    text
}

/// The release, made once per test process: (dist directory, GNUPGHOME).
fn release() -> &'static (tempfile::TempDir, tempfile::TempDir) {
    static RELEASE: OnceLock<(tempfile::TempDir, tempfile::TempDir)> = OnceLock::new();
    RELEASE.get_or_init(|| {
        let gnupg = tempfile::tempdir().unwrap();
        let gpg = || {
            let mut c = Command::new("gpg");
            c.env("GNUPGHOME", gnupg.path()).args(["--batch", "--pinentry-mode", "loopback", "--passphrase", ""]);
            c
        };
        run(gpg().args(["--quick-gen-key", "Release Test <release-test@example.com>", "rsa2048", "sign", "1d"]));
        // Into a temporary directory: the repository's dist/ stays as it is.
        let work = tempfile::tempdir().unwrap();
        let repo_dist_before = listing(&repo().join("dist"));
        let out = Command::new("bash")
            .arg(repo().join("scripts/release.sh"))
            .args([VERSION, "--gpg-key", "release-test@example.com", "--out"])
            .arg(work.path())
            .arg("--binary")
            .arg(support::provider_bin())
            .env("GNUPGHOME", gnupg.path())
            .output()
            .expect("run release.sh");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "release.sh failed:\n{text}");
        assert_eq!(listing(&repo().join("dist")), repo_dist_before, "dist/ untouched");
        (work, gnupg)
    })
}

/// Each file of a directory (none if there is no such directory) with its
/// size and when it was last written: a release that writes anything there,
/// even in place of a file of the same name, changes it.
fn listing(dir: &Path) -> Option<Vec<(String, u64, std::time::SystemTime)>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| {
            let m = e.metadata().unwrap();
            (e.file_name().to_string_lossy().into_owned(), m.len(), m.modified().unwrap())
        })
        .collect();
    files.sort();
    Some(files)
}

fn file(dist: &Path, suffix: &str) -> std::path::PathBuf {
    dist.join(format!("{NAME}_{VERSION}_{suffix}"))
}

/// A build of another version is never packaged under this one's name.
#[test]
fn a_binary_of_another_version_is_refused() {
    let out = tempfile::tempdir().unwrap();
    let o = Command::new("bash")
        .arg(repo().join("scripts/release.sh"))
        .args(["9.8.7", "--out"])
        .arg(out.path())
        .arg("--binary")
        .arg(support::provider_bin())
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("not version 9.8.7 (build it with OOMNITZA_PROVIDER_VERSION=9.8.7)"), "{text}");
    assert_eq!(std::fs::read_dir(out.path()).unwrap().count(), 0, "nothing packaged:\n{text}");
}

#[test]
fn artefacts_are_signed_summed_and_named_as_the_registry_wants() {
    let (dist, gnupg) = release();
    let dist = dist.path();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file(dist, "manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest, serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}}));
    let sums = std::fs::read_to_string(file(dist, "SHA256SUMS")).unwrap();
    assert!(sums.contains(&format!("{NAME}_{VERSION}_linux_amd64.zip")), "{sums}");
    assert!(sums.contains(&format!("{NAME}_{VERSION}_manifest.json")), "{sums}");
    run(Command::new("sha256sum").arg("-c").arg(file(dist, "SHA256SUMS")).current_dir(dist));
    let verified = run(Command::new("gpg")
        .env("GNUPGHOME", gnupg.path())
        .args(["--batch", "--verify"])
        .arg(file(dist, "SHA256SUMS.sig"))
        .arg(file(dist, "SHA256SUMS")));
    assert!(verified.contains("Good signature"), "{verified}");
    // A changed sums file no longer verifies.
    let tampered = dist.join("tampered");
    std::fs::write(&tampered, sums.replace('0', "1")).unwrap();
    let bad = Command::new("gpg")
        .env("GNUPGHOME", gnupg.path())
        .args(["--batch", "--verify"])
        .arg(file(dist, "SHA256SUMS.sig"))
        .arg(&tampered)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let listing = run(Command::new("unzip").arg("-l").arg(file(dist, "linux_amd64.zip")));
    assert!(listing.contains(&format!("{NAME}_v{VERSION}")) && listing.contains("1 file"), "{listing}");
}

both_engines!(installs_from_a_filesystem_mirror_and_applies, |e| {
    let (dist, _) = release();
    let mirror = tempfile::tempdir().unwrap();
    let platform = mirror.path().join(format!("registry.terraform.io/oomnitza/oomnitza/{VERSION}/linux_amd64"));
    std::fs::create_dir_all(&platform).unwrap();
    run(Command::new("unzip").arg("-q").arg(file(dist.path(), "linux_amd64.zip")).arg("-d").arg(&platform));
    let bin = platform.join(format!("{NAME}_v{VERSION}"));
    let version = run(Command::new(&bin).arg("--version"));
    assert!(version.contains(VERSION), "{version}");

    let sim = Sim::start();
    let config = r#"terraform {
  required_providers {
    oomnitza = {
      source  = "oomnitza/oomnitza"
      version = "= VERSION"
    }
  }
}
resource "oomnitza_jira_credential" "released" {
  name = "from the release zip"
  basic {
    email     = "svc-jira@example.com"
    api_token = "release-test-token"
  }
}
"#
    .replace("VERSION", VERSION);
    let w = Work::with_mirror(e, &sim, &config, mirror.path());
    let lock = std::fs::read_to_string(w.path(".terraform.lock.hcl")).unwrap();
    assert!(lock.contains(&format!("version     = \"{VERSION}\"")), "{lock}");
    w.apply();
    assert_eq!(sim.all().len(), 1);
    assert_eq!(w.plan_code().0, 0);
    w.ok(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert!(sim.all().is_empty());
});
