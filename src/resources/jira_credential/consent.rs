//! The OAuth consent step: Terraform cannot click "Accept", so the provider
//! makes the step plain (warnings with the consent URL), can wait for it,
//! and shows its outcome in every plan.

use std::time::Duration;

use tokio::time::Instant;
use tracing::info;

use crate::framework::{AttrPath, Diagnostics, Value};
use crate::oomnitza::{oauth_status, ApiError, Client, Credential};

/// The `oauth` attributes that Oomnitza sets and a restart of consent changes.
pub const HEALTH: &[&str] = &["status", "authorization_url", "expires_at", "granted_sites", "last_error"];

/// The `oauth` attributes whose change restarts consent.
pub const APP: &[&str] = &["client_id", "scopes", "site", "callback_url"];

/// The status an apply that (re)starts consent ends with.
pub fn planned_status(oauth_config: &Value) -> Value {
    match oauth_config.get("wait_for_authorization") {
        Value::Unknown => Value::Unknown,
        Value::Bool(true) => Value::string(oauth_status::AUTHORIZED),
        _ => Value::string(oauth_status::PENDING),
    }
}

/// An authorization that needs a new consent to work again.
pub fn is_broken(status: &Value) -> bool {
    matches!(status.as_str(), Some(oauth_status::EXPIRED | oauth_status::REVOKED))
}

fn name_of(v: &Value) -> String {
    v.get("name").as_str().unwrap_or("this credential").to_string()
}

fn last_error_sentence(e: Option<&str>) -> String {
    e.map(|e| format!("\n\nThe last attempt failed: {e}.")).unwrap_or_default()
}

/// What a plan says about an authorization that stays as it is: a warning
/// while consent is pending, and an error when the consented site is not
/// the one configured.
pub fn plan_health(prior: &Value, config_oauth: &Value, diags: &mut Diagnostics) {
    let po = prior.get("oauth");
    let status = po.get("status").as_str();
    if status == Some(oauth_status::PENDING) {
        let url = po.get("authorization_url").as_str().unwrap_or("(none yet)");
        diags.warning_at(
            Some(AttrPath::root("oauth").attr("status")),
            format!("Jira credential {:?} is waiting for consent", name_of(prior)),
            format!(
                "Jira access starts once an Oomnitza admin opens this URL, picks the Jira site and clicks Accept:\n\n  {url}{}",
                last_error_sentence(po.get("last_error").as_str())
            ),
        );
    }
    if let (Some(oauth_status::AUTHORIZED), Some(site)) = (status, config_oauth.get("site").as_str()) {
        let Value::List(granted) = po.get("granted_sites") else { return };
        if !granted.iter().any(|g| g.as_str() == Some(site)) {
            let granted: Vec<&str> = granted.iter().filter_map(Value::as_str).collect();
            diags.error_at(
                AttrPath::root("oauth").attr("site"),
                "Consent was given for another Jira site",
                format!(
                    "oauth.site is {site:?}, but the consent granted access to {}. Restart consent and pick {site:?} on the consent page (in Oomnitza: Configuration > Security > Credentials > Authenticate), or remove site to accept the granted one.",
                    if granted.is_empty() { "no site".to_string() } else { format!("{:?}", granted.join(", ")) }
                ),
            );
        }
    }
}

/// Explains a plan that restarts consent because the authorization broke.
pub fn plan_broken(prior: &Value, diags: &mut Diagnostics) {
    let po = prior.get("oauth");
    let status = po.get("status").as_str().unwrap_or_default();
    diags.warning_at(
        Some(AttrPath::root("oauth").attr("status")),
        format!("Jira credential {:?} is {status}", name_of(prior)),
        format!(
            "Oomnitza can no longer reach Jira with it. Applying this plan restarts consent and gives a new consent URL.{}",
            last_error_sentence(po.get("last_error").as_str())
        ),
    );
}

/// The warning an apply ends with while consent is pending.
pub fn pending_warning(c: &Credential, diags: &mut Diagnostics) {
    let Some(o) = &c.oauth2 else { return };
    if o.status.as_deref() != Some(oauth_status::PENDING) {
        return;
    }
    let site = o.site.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
    diags.warning_at(
        Some(AttrPath::root("oauth").attr("authorization_url")),
        format!("Jira credential {:?} needs consent in Atlassian", c.name),
        format!(
            "Oomnitza holds the OAuth app, but Jira access starts only after a person consents. An Oomnitza admin (best a dedicated service user) opens this URL, signs in to Atlassian, picks the Jira site{site} and clicks Accept:\n\n  {}\n\nThe next terraform plan shows the outcome in oauth.status. To make apply wait for it, set oauth.wait_for_authorization = true.{}",
            o.authorization_url.as_deref().unwrap_or("(Oomnitza gave no URL; open the credential in Oomnitza and click Authenticate)"),
            last_error_sentence(o.last_error.as_deref())
        ),
    );
}

/// Polls the credential until a person has consented, the deadline passes,
/// or Terraform asks the provider to stop. Answers the last credential read;
/// every way it ends short of `authorized` is an error in `diags`.
pub async fn wait_for_consent(
    client: &Client,
    first: Credential,
    deadline: Instant,
    diags: &mut Diagnostics,
) -> Credential {
    let initial_error = first.oauth2.as_ref().and_then(|o| o.last_error.clone());
    let mut c = first;
    let mut pause = Duration::from_millis(250);
    loop {
        let Some(o) = c.oauth2.clone() else { return c };
        match o.status.as_deref() {
            Some(oauth_status::AUTHORIZED) => return c,
            Some(oauth_status::PENDING) => {}
            other => {
                diags.error(
                    "Consent did not complete",
                    format!(
                        "While waiting, the authorization of {:?} became {other:?}.{}",
                        c.name,
                        last_error_sentence(o.last_error.as_deref())
                    ),
                );
                return c;
            }
        }
        // A rejected client secret will not be fixed by waiting longer.
        if o.last_error != initial_error && o.last_error.as_deref().is_some_and(|e| e.starts_with("invalid_client")) {
            diags.error_at(
                AttrPath::root("oauth").attr("client_secret"),
                "Atlassian rejected the client secret",
                format!("A person accepted, but the code exchange failed.{} Fix the secret (client_secret, or client_secret_wo with a new client_secret_wo_version) and apply again.", last_error_sentence(o.last_error.as_deref())),
            );
            return c;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            diags.error_at(
                AttrPath::root("oauth").attr("wait_for_authorization"),
                "Timed out waiting for consent",
                format!(
                    "Nobody completed consent for {:?} in time. The credential exists and is kept in state; open this URL, pick the Jira site and click Accept, then run terraform plan:\n\n  {}{}\n\nRaise timeouts.create / timeouts.update to wait longer.",
                    c.name,
                    o.authorization_url.as_deref().unwrap_or("(none)"),
                    last_error_sentence(o.last_error.as_deref())
                ),
            );
            return c;
        }
        info!(id = %c.id, wait_ms = pause.min(left).as_millis() as u64, "waiting for OAuth consent");
        if client.sleep(pause.min(left)).await.is_err() {
            diags.error(
                "Stopped waiting for consent",
                format!("Terraform asked the provider to stop. The credential {:?} exists and is kept in state; its consent URL is\n\n  {}", c.name, o.authorization_url.as_deref().unwrap_or("(none)")),
            );
            return c;
        }
        pause = (pause * 2).min(Duration::from_secs(5));
        match client.get(&c.id).await {
            Ok(Some(next)) => c = next,
            Ok(None) => {
                diags.error(
                    "Jira credential is gone",
                    format!("Credential {} was deleted outside Terraform while waiting for consent.", c.id),
                );
                return c;
            }
            Err(ApiError::Cancelled) => continue, // reported at the next sleep
            Err(e) => {
                crate::common::api_diags(&e, "read the Jira credential while waiting for consent", diags);
                return c;
            }
        }
    }
}
