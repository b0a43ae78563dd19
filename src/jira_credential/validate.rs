//! Every rule on the configuration that needs no remote call. Each problem
//! names its attribute and says how to fix it; unknown values pass.

use std::collections::HashSet;

use super::model::DEFAULT_SCOPE;
use super::{BASIC_SECRET, OAUTH_SECRET};
use crate::framework::{AttrPath, Diagnostics, Value};

/// Atlassian's classic Jira scopes, the user identity scopes, and
/// `offline_access` (refresh tokens). Others draw a warning, not an error:
/// Atlassian adds granular scopes over time.
const KNOWN_SCOPES: &[&str] = &[
    "read:jira-user",
    "read:jira-work",
    "write:jira-work",
    "manage:jira-project",
    "manage:jira-configuration",
    "manage:jira-webhook",
    "manage:jira-data-provider",
    "read:me",
    "read:account",
    "offline_access",
];

pub(super) fn is_email(s: &str) -> bool {
    let mut parts = s.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    !local.is_empty()
        && !s.chars().any(char::is_whitespace)
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
}

/// A DNS host name with at least two labels, such as `example.atlassian.net`.
fn is_host_name(s: &str) -> bool {
    s.len() <= 253
        && s.contains('.')
        && s.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// An https URL, or plain http on a loopback host (a local proxy).
fn callback_problem(u: &str) -> Option<String> {
    let parsed = match url::Url::parse(u) {
        Ok(p) => p,
        Err(e) => return Some(format!("{u:?} is not a URL ({e})")),
    };
    match parsed.scheme() {
        "https" => None,
        "http" if crate::settings::is_loopback(&parsed) => None,
        _ => Some(format!("{u:?} must use https (plain http only on a loopback host)")),
    }
}

pub fn validate_config(config: &Value, diags: &mut Diagnostics) {
    if let Some(date) = crate::credential::expiration_date(config) {
        super::expiry::validate(date, time::OffsetDateTime::now_utc().date(), diags);
    }
    // Exactly one of the two blocks is the schema's rule. A block whose
    // presence is not known yet (a dynamic block over a value known only at
    // apply) is checked once it is known, at plan or apply; a block that is
    // there is checked now.
    let (basic, oauth) = (config.get("basic"), config.get("oauth"));
    if basic.presence() == Some(true) {
        validate_basic(basic, diags);
    }
    if oauth.presence() == Some(true) {
        validate_oauth(config, oauth, diags);
    }
}

fn validate_basic(basic: &Value, diags: &mut Diagnostics) {
    if basic.is_unknown() {
        return;
    }
    if let Some(email) = basic.get("email").as_str() {
        if !is_email(email) {
            diags.error_at(
                AttrPath::root("basic").attr("email"),
                "Invalid email",
                format!("{email:?} is not an email address. Use the Atlassian account's email, e.g. \"svc-jira@example.com\"."),
            );
        }
    }
    BASIC_SECRET.validate(basic, "create a token at id.atlassian.com > Security > API tokens", diags);
}

fn validate_oauth(config: &Value, oauth: &Value, diags: &mut Diagnostics) {
    if !config.get("expiration_date").is_null() {
        diags.error_at(
            AttrPath::root("expiration_date"),
            "expiration_date with OAuth",
            "An OAuth 2.0 credential's expiry comes from Atlassian (see oauth.expires_at); remove expiration_date.",
        );
    }
    if oauth.is_unknown() {
        return;
    }
    let at = |n: &str| AttrPath::root("oauth").attr(n);
    OAUTH_SECRET.validate(oauth, "copy the secret from the app's Settings in the Atlassian developer console", diags);
    if let Value::List(scopes) = oauth.get("scopes") {
        validate_scopes(scopes, diags);
    }
    if let Some(problem) = oauth.get("callback_url").as_str().and_then(callback_problem) {
        diags.error_at(
            at("callback_url"),
            "Invalid callback_url",
            format!("{problem}. Leave it out to use Oomnitza's proxy, {}.", super::model::DEFAULT_CALLBACK_URL),
        );
    }
    if let Some(site) = oauth.get("site").as_str() {
        if !is_host_name(site) {
            diags.error_at(
                at("site"),
                "Invalid site",
                format!("{site:?} is not a host name. Give the Jira site's host alone, without https:// or a path, e.g. \"example.atlassian.net\"."),
            );
        }
    }
}

fn validate_scopes(scopes: &[Value], diags: &mut Diagnostics) {
    let at = || AttrPath::root("oauth").attr("scopes");
    if scopes.is_empty() {
        diags.error_at(
            at(),
            "No OAuth scopes",
            format!("scopes must name at least one scope; the Jira user load needs [\"{DEFAULT_SCOPE}\"]."),
        );
        return;
    }
    let mut seen = HashSet::new();
    let mut all_known = true;
    for s in scopes {
        let Some(s) = s.as_str() else {
            all_known &= !s.is_unknown();
            continue;
        };
        if !seen.insert(s) {
            diags.error_at(at(), "Duplicate OAuth scope", format!("{s:?} is listed twice in scopes; list each once."));
        }
        if !KNOWN_SCOPES.contains(&s) {
            diags.warning_at(
                Some(at()),
                "Unknown OAuth scope",
                format!("{s:?} is not one of the Jira scopes this provider knows ({}). Check its spelling in the Atlassian developer console.", KNOWN_SCOPES.join(", ")),
            );
        }
    }
    if all_known && !seen.contains(DEFAULT_SCOPE) {
        diags.warning_at(
            Some(at()),
            format!("Missing {DEFAULT_SCOPE}"),
            format!("Oomnitza's Jira user load reads users with the {DEFAULT_SCOPE:?} scope; without it the load fails. Add it unless this credential serves another integration."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_email("svc-jira@example.com"));
        for bad in ["", "a", "a@b", "@x.com", "a@@x.com", "a b@x.com", "a@x..com"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn host_names() {
        assert!(is_host_name("example.atlassian.net"));
        for bad in ["", "example", "https://example.atlassian.net", "example.atlassian.net/x", "a..b", "-a.b", "a b.c"]
        {
            assert!(!is_host_name(bad), "{bad}");
        }
    }

    #[test]
    fn callback_urls() {
        assert!(callback_problem(crate::jira_credential::DEFAULT_CALLBACK_URL).is_none());
        assert!(callback_problem("http://127.0.0.1:8080/cb").is_none());
        assert!(callback_problem("http://localhost/cb").is_none());
        assert!(callback_problem("http://proxy.example.com/cb").is_some());
        assert!(callback_problem("not a url").is_some());
    }
}
