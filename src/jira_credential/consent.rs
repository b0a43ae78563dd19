//! Waiting for a person to give OAuth consent: what the resource (with
//! `wait_for_authorization`) and the authorize action share.

use std::time::Duration;

use tokio::time::Instant;
use tracing::info;

use crate::framework::{AttrPath, Diagnostics, Progress};
use crate::oomnitza::{oauth_status, ApiError, Client, Credential};

pub fn last_error_sentence(e: Option<&str>) -> String {
    match e {
        // Consenting again cannot help: Atlassian refused the app's secret.
        Some(e) if e.starts_with("invalid_client") => format!(
            "\n\nThe last attempt failed: {e}. Fix oauth.client_secret first (the app's secret in the Atlassian developer console) and apply; consent after that."
        ),
        Some(e) => format!("\n\nThe last attempt failed: {e}."),
        None => String::new(),
    }
}

/// How a wait for consent ended.
#[derive(Debug)]
pub enum WaitEnd {
    Authorized,
    /// The status became something other than pending or authorized.
    Broken(String),
    /// A person accepted but Atlassian rejected the client secret: waiting
    /// longer cannot help.
    SecretRejected,
    Deadline,
    /// Terraform asked the provider to stop.
    Stopped,
    Gone,
    Failed(ApiError),
}

/// Where a caller's diagnostics point: (block, attribute) pairs, and how to
/// wait longer.
pub struct WaitPaths {
    pub deadline: Option<(&'static str, &'static str)>,
    pub secret: Option<(&'static str, &'static str)>,
    pub longer: &'static str,
}

/// The credential's consent URL, or "(none)".
pub fn url_of(c: &Credential) -> &str {
    c.oauth2.as_ref().and_then(|o| o.authorization_url.as_deref()).unwrap_or("(none)")
}

/// Polls the credential, with backoff, until a person has consented, the
/// deadline passes, or Terraform asks the provider to stop. Answers the last
/// credential read and how the wait ended. `progress`, when given, hears
/// about the wait every few polls.
pub async fn wait_for_consent(
    client: &Client,
    first: Credential,
    deadline: Instant,
    progress: Option<&Progress>,
) -> (Credential, WaitEnd) {
    let initial_error = first.oauth2.as_ref().and_then(|o| o.last_error.clone());
    // Terraform shows nothing of a resource until it is done, so the URL goes
    // to the log (TF_LOG_PROVIDER=info) for whoever watches the apply.
    info!(id = %first.id, url = url_of(&first), "waiting for OAuth consent: open this URL, pick the Jira site and accept");
    let started = Instant::now();
    let mut last_said = started;
    let mut c = first;
    let mut pause = Duration::from_millis(250);
    loop {
        let Some(o) = c.oauth2.clone() else {
            return (c, WaitEnd::Failed(ApiError::Decode("not an OAuth credential".into())));
        };
        match o.status.as_deref() {
            Some(oauth_status::AUTHORIZED) => return (c, WaitEnd::Authorized),
            Some(oauth_status::PENDING) => {}
            other => {
                let s = other.unwrap_or("unknown").to_string();
                return (c, WaitEnd::Broken(s));
            }
        }
        // A rejected client secret will not be fixed by waiting longer.
        if o.last_error != initial_error && o.last_error.as_deref().is_some_and(|e| e.starts_with("invalid_client")) {
            return (c, WaitEnd::SecretRejected);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (c, WaitEnd::Deadline);
        }
        if let Some(p) = progress {
            if last_said.elapsed() >= Duration::from_secs(10) {
                last_said = Instant::now();
                p.say(format!("Still waiting for consent ({}s so far)", started.elapsed().as_secs())).await;
            }
        }
        info!(id = %c.id, wait_ms = pause.min(left).as_millis() as u64, "waiting for OAuth consent");
        if client.sleep(pause.min(left)).await.is_err() {
            return (c, WaitEnd::Stopped);
        }
        pause = (pause * 2).min(Duration::from_secs(5));
        match client.get(&c.id).await {
            Ok(Some(next)) => c = next,
            Ok(None) => return (c, WaitEnd::Gone),
            Err(ApiError::Cancelled) => return (c, WaitEnd::Stopped),
            Err(e) => return (c, WaitEnd::Failed(e)),
        }
    }
}

/// Turns a wait that did not end in consent into diagnostics.
pub fn wait_diags(end: &WaitEnd, c: &Credential, at: &WaitPaths, diags: &mut Diagnostics) {
    let path = |p: Option<(&str, &str)>| p.map(|(b, a)| AttrPath::root(b).attr(a));
    let last_error = last_error_sentence(c.oauth2.as_ref().and_then(|o| o.last_error.as_deref()));
    match end {
        WaitEnd::Authorized => {}
        WaitEnd::Broken(status) => diags.error(
            "Consent did not complete",
            format!("While waiting, the authorization of {:?} became {status:?}.{last_error}", c.name),
        ),
        WaitEnd::SecretRejected => {
            let detail = format!("A person accepted, but the code exchange failed.{last_error} Fix the client secret (client_secret, or client_secret_wo with a new client_secret_wo_version) and consent again.");
            diags.error_where(path(at.secret), "Atlassian rejected the client secret", detail);
        }
        WaitEnd::Deadline => {
            let detail = format!(
                "Nobody completed consent for {:?} in time. The credential exists; open this URL, pick the Jira site and click Accept, then run terraform apply (this wait is planned again):\n\n  {}{last_error}\n\n{}",
                c.name,
                url_of(c),
                at.longer
            );
            diags.error_where(path(at.deadline), "Timed out waiting for consent", detail);
        }
        WaitEnd::Stopped => diags.error(
            "Stopped waiting for consent",
            format!("Terraform asked the provider to stop. The credential {:?} exists and is kept; its consent URL is\n\n  {}", c.name, url_of(c)),
        ),
        WaitEnd::Gone => diags.error(
            "Jira credential is gone",
            format!("Credential {} was deleted outside Terraform while waiting for consent.", c.id),
        ),
        WaitEnd::Failed(e) => crate::credential::errors::api_diags(e, "read the Jira credential while waiting for consent", diags),
    }
}
