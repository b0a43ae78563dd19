//! The OAuth consent step: Terraform cannot click "Accept", so the provider
//! makes the step plain (warnings with the consent URL), can wait for it,
//! and shows its outcome in every plan.

use super::consent::{WaitEnd, WaitPaths};
use crate::framework::{AttrPath, Diagnostics, Value};
use crate::oomnitza::{oauth_status, Credential};

/// The `oauth` attributes that Oomnitza sets and a restart of consent changes.
pub const HEALTH: &[&str] = &["status", "authorization_url", "expires_at", "granted_sites", "last_error"];

/// The `oauth` attributes whose change restarts consent.
pub const APP: &[&str] = &["client_id", "scopes", "site", "callback_url"];

/// The status an apply that (re)starts consent ends with: pending, unless
/// it waits for consent (which may or may not come).
pub fn planned_status(oauth_config: &Value) -> Value {
    match oauth_config.get("wait_for_authorization") {
        Value::Null | Value::Bool(false) => Value::string(oauth_status::PENDING),
        _ => Value::Unknown,
    }
}

/// An authorization that needs a new consent to work again.
pub fn is_broken(status: &Value) -> bool {
    matches!(status.as_str(), Some(oauth_status::EXPIRED | oauth_status::REVOKED))
}

fn name_of(v: &Value) -> String {
    v.get("name").as_str().unwrap_or("this credential").to_string()
}

use super::consent::last_error_sentence;

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
            "Oomnitza holds the OAuth app, but Jira access starts only after a person consents. An Oomnitza admin (best a dedicated service user) opens this URL, signs in to Atlassian, picks the Jira site{site} and clicks Accept:\n\n  {}\n\nThe next terraform plan shows the outcome in oauth.status. If an oomnitza_jira_credential_authorization resource in this configuration waits for this credential, this apply waits there, and its \"Creation complete\" means consent was given. Otherwise, to make an apply wait (and fail if nobody consents in time), add resource \"oomnitza_jira_credential_authorization\" with credential_id = this credential's id.{}",
            o.authorization_url.as_deref().unwrap_or("(Oomnitza gave no URL; open the credential in Oomnitza and click Authenticate)"),
            last_error_sentence(o.last_error.as_deref())
        ),
    );
}

/// Where the resource's wait for consent points its diagnostics.
pub const WAIT_PATHS: WaitPaths = WaitPaths {
    deadline: Some(("oauth", "wait_for_authorization")),
    secret: Some(("oauth", "client_secret")),
    longer: "Raise timeouts.create / timeouts.update to wait longer.",
};

/// Reports how a wait ended; see [`super::consent::wait_diags`].
/// A create that ran out of time or was stopped ends with a warning, not an
/// error: Terraform taints a created resource that reports an error, and the
/// next plan would replace a credential that only awaits consent.
pub fn wait_diags(end: &WaitEnd, c: &Credential, creating: bool, diags: &mut Diagnostics) {
    if creating && matches!(end, WaitEnd::Deadline | WaitEnd::Stopped) {
        let why = if matches!(end, WaitEnd::Deadline) {
            "Nobody completed consent within timeouts.create"
        } else {
            "Terraform asked the provider to stop (Ctrl-C) while it waited for consent"
        };
        let url = super::consent::url_of(c);
        diags.warning_at(
            Some(AttrPath::root("oauth").attr("wait_for_authorization")),
            format!("Jira credential {:?} still needs consent", c.name),
            format!(
                "{why}. The credential is created and kept as it is (not replaced later); open this URL, pick the Jira site and click Accept, and the next terraform plan shows it authorized:\n\n  {url}{}\n\nFor an apply that fails until consent is given, use resource \"oomnitza_jira_credential_authorization\" instead of oauth.wait_for_authorization.",
                last_error_sentence(c.oauth2.as_ref().and_then(|o| o.last_error.as_deref()))
            ),
        );
        return;
    }
    super::consent::wait_diags(end, c, &WAIT_PATHS, diags);
}
