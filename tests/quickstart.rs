//! The README's first command, run as a newcomer would (debug build, to reuse
//! the test build): it must pass every step and stop the simulator.

mod support;

use std::process::Command;

#[test]
fn quickstart_runs_every_step() {
    let out = Command::new("bash")
        .arg(support::repo().join("scripts/quickstart.sh"))
        .env("PROFILE", "debug")
        .env("TERRAFORM", std::env::var("TF_ACC_TERRAFORM_1_11").unwrap_or_else(|_| "/usr/local/bin/terraform".into()))
        .output()
        .expect("run scripts/quickstart.sh");
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "quickstart failed:\n{text}");
    for step in [
        "Apply complete! Resources: 2 added",
        "needs consent in Atlassian",
        "Consent complete.",
        "oauth.status = authorized",
        "No changes.",
        "~ name",
        "secret_version",
        "Plan after converging: empty.",
        "Destroy complete! Resources: 2 destroyed.",
        "Quickstart complete",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    assert!(!text.contains("jira-token-quickstart"), "the Jira token was printed");
    assert!(!text.contains("quickstart-app-secret-"), "the OAuth client secret was printed");
}
