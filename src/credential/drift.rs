//! Drift in words. A refresh that finds a credential changed outside
//! Terraform records what changed ([`Drift`], kept in the private state
//! beside it, never a secret); the plan then says it in one warning, with
//! who and when when Oomnitza says so, and what applying the plan will do.
//! A credential deleted outside Terraform is said at the refresh, since the
//! plan that follows knows nothing of it.

use serde::{Deserialize, Serialize};

use crate::framework::{Diagnostics, Value};
use crate::oomnitza::oauth_status;

/// What a refresh found changed, as Terraform had it and as Oomnitza has it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Plain fields: the attribute as users write it, old and new as shown.
    #[serde(default)]
    pub fields: Vec<FieldChange>,
    /// `secret_version` before and after: the secret was replaced.
    #[serde(default)]
    pub secret: Option<(i64, i64)>,
    /// The OAuth authorization broke: its status before and after.
    #[serde(default)]
    pub status: Option<(String, String)>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub updated_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub path: String,
    pub old: String,
    pub new: String,
}

/// How a plan's drift warning speaks of one credential.
pub struct Saying<'a> {
    /// The kind, such as "Jira credential".
    pub noun: &'a str,
    /// Its secret, such as "API token".
    pub secret: &'a str,
    /// Sending the secret again ends an OAuth authorization.
    pub ends_consent: bool,
    /// The plan replaces the credential, for this reason.
    pub replacing: Option<&'a str>,
}

/// A value as a reviewer reads it; never a secret (none is watched).
fn show(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::Unknown => "(known after apply)".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => format!("{n}"),
        Value::Bool(b) => format!("{b}"),
        Value::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Map(_) | Value::Object(_) => "{...}".into(),
    }
}

fn version(v: &Value) -> Option<i64> {
    v.get("secret_version").as_f64().map(|n| n as i64)
}

/// What changed between the state Terraform had and the one a refresh
/// read; `None` when nothing a person would call a change did. A consent
/// given is not drift; an authorization revoked or expired is.
/// `watched` are the attributes a person can change outside Terraform
/// (dotted paths; no secret).
pub fn between(
    watched: &[String],
    old: &Value,
    new: &Value,
    updated_at: &str,
    updated_by: Option<&str>,
) -> Option<Drift> {
    let fields: Vec<FieldChange> = watched
        .iter()
        .filter(|p| old.at(p) != new.at(p) && !(old.at(p).is_unknown()))
        .map(|p| FieldChange { path: p.to_string(), old: show(old.at(p)), new: show(new.at(p)) })
        .collect();
    let secret = match (version(old), version(new)) {
        (Some(a), Some(b)) if a != b => Some((a, b)),
        _ => None,
    };
    let status_of = |v: &Value| v.at("oauth.status").as_str().map(String::from);
    let status = match (status_of(old), status_of(new)) {
        (Some(a), Some(b)) if a != b && matches!(b.as_str(), oauth_status::REVOKED | oauth_status::EXPIRED) => {
            Some((a, b))
        }
        _ => None,
    };
    if fields.is_empty() && secret.is_none() && status.is_none() {
        return None;
    }
    Some(Drift {
        fields,
        secret,
        status,
        updated_at: Some(updated_at.to_string()).filter(|s| !s.is_empty()),
        updated_by: updated_by.map(String::from),
    })
}

/// Where applying the plan leaves one changed field.
fn field_outcome(f: &FieldChange, planned: &Value) -> String {
    let p = planned.at(&f.path);
    if p.is_unknown() {
        return format!("sets {} from your configuration", f.path);
    }
    let shown = show(p);
    let is_name = f.path == "name";
    if shown == f.old {
        if is_name {
            format!("renames it back to {shown}")
        } else {
            format!("sets {} back to {shown}", f.path)
        }
    } else if shown == f.new {
        format!("keeps the new {}", f.path)
    } else if is_name {
        format!("renames it to {shown}")
    } else {
        format!("sets {} to {shown}", f.path)
    }
}

/// The one warning of a plan for a credential that drifted: what changed,
/// when and by whom, and what applying this plan does about it.
pub fn warn(d: &Drift, prior: &Value, planned: &Value, say: &Saying<'_>, diags: &mut Diagnostics) {
    let name = planned.get("name").as_str().or(prior.get("name").as_str()).unwrap_or_default();
    let id = prior.get("id").as_str().unwrap_or_default();
    let mut changed = Vec::new();
    let mut outcomes = Vec::new();
    for f in &d.fields {
        changed.push(format!("  - {}: {} -> {}", f.path, f.old, f.new));
        outcomes.push(field_outcome(f, planned));
    }
    let resends = planned.get("secret_version").is_unknown();
    if let Some((a, b)) = d.secret {
        changed.push(format!("  - its secret was replaced in Oomnitza (version {a} -> {b})"));
    }
    if let Some((a, b)) = &d.status {
        changed.push(format!(
            "  - its OAuth authorization is {b} (status {a:?} -> {b:?}): Oomnitza can no longer reach Jira with it"
        ));
    }
    if resends && say.ends_consent {
        outcomes.push(format!(
            "sends the {} from your configuration again, which ends the current authorization: a person must consent again",
            say.secret
        ));
    } else if resends {
        outcomes.push(format!("sends the {} from your configuration again", say.secret));
    } else if d.secret.is_some() {
        outcomes.push("keeps the secret Oomnitza has now".into());
    }
    let broken_kept = d.status.as_ref().is_some_and(|(_, b)| planned.at("oauth.status").as_str() == Some(b.as_str()));
    if d.status.is_some() && !resends && !broken_kept {
        outcomes.push("restarts consent and gives a new consent URL: a person must consent again".into());
    }
    let when = match (&d.updated_at, &d.updated_by) {
        // Atlassian ended it (a revocation there, or time): no one edited the record.
        _ if d.fields.is_empty() && d.secret.is_none() => {
            "Atlassian ended its authorization (revoked there, or expired); no one edited it in Oomnitza.".to_string()
        }
        (Some(t), Some(u)) => format!("Oomnitza says it was last changed at {t} by {u}."),
        (Some(t), None) => format!("Oomnitza says it was last changed at {t}; it does not say by whom."),
        (None, Some(u)) => format!("Oomnitza says {u} changed it last."),
        (None, None) => "Oomnitza does not say when or by whom.".into(),
    };
    let apply = if let Some(why) = say.replacing {
        format!("Applying this plan replaces it ({why}), with the values of your configuration.")
    } else if outcomes.is_empty() {
        "Applying this plan changes nothing of it.".to_string()
    } else {
        format!("Applying this plan {}.", outcomes.join("; "))
    };
    diags.warning_at(
        None,
        format!("{} {name:?} was changed outside Terraform", say.noun),
        format!("{when} What changed in Oomnitza (credential {id}):\n{}\n\n{apply}", changed.join("\n")),
    );
}

/// The warning of an apply that found the credential changed since its
/// plan was made (a saved plan applied later, `-refresh=false`, an edit
/// between refresh and apply) and made it what the plan says all the same:
/// what it overwrote that the plan did not show, who made it and when.
pub fn overwritten(d: &Drift, prior: &Value, planned: &Value, noun: &str, diags: &mut Diagnostics) {
    let name = planned.get("name").as_str().or(prior.get("name").as_str()).unwrap_or_default();
    let id = prior.get("id").as_str().unwrap_or_default();
    // Only what the apply wrote over: a field the plan leaves to Oomnitza
    // (unknown, such as an expiry Atlassian moves) or already planned as
    // Oomnitza holds it was not overwritten.
    let mut changed: Vec<String> = d
        .fields
        .iter()
        .filter(|f| {
            let now = planned.at(&f.path);
            !now.is_unknown() && show(now) != f.new
        })
        .map(|f| format!("  - {}: {} -> {} (now {})", f.path, f.old, f.new, show(planned.at(&f.path))))
        .collect();
    if let Some((a, b)) = d.secret {
        let kept = if planned.get("secret_version").is_unknown() {
            "this apply sent the secret from your configuration again"
        } else {
            "kept: the next plan shows it"
        };
        changed.push(format!("  - its secret was replaced in Oomnitza (version {a} -> {b}; {kept})"));
    }
    // A status alone (an authorization revoked meanwhile) is nothing the
    // apply overwrote: the next refresh says it.
    if changed.is_empty() {
        return;
    }
    let who = match (&d.updated_at, &d.updated_by) {
        (Some(t), Some(u)) => format!(" at {t} by {u}"),
        (Some(t), None) => format!(" at {t}"),
        (None, Some(u)) => format!(" by {u}"),
        (None, None) => String::new(),
    };
    diags.warning_at(
        None,
        format!("{noun} {name:?} was changed outside Terraform after this plan was made"),
        format!(
            "Oomnitza says it was changed{who}, after the plan this apply carries out was made (a saved plan, -refresh=false, or an edit during the run), so the plan did not show it. The apply made credential {id} what the plan says, overwriting:\n{}\n\nIf the change in Oomnitza was wanted, put it in your configuration and apply again.",
            changed.join("\n")
        ),
    );
}

/// The warning of a refresh that finds the credential gone.
pub fn deleted(noun: &str, prior: &Value, diags: &mut Diagnostics) {
    let name = prior.get("name").as_str().unwrap_or_default();
    let id = prior.get("id").as_str().unwrap_or_default();
    diags.warning_at(
        None,
        format!("{noun} {name:?} was deleted outside Terraform"),
        format!(
            "Oomnitza no longer has credential {id}: it was deleted in Oomnitza, not by this configuration (Oomnitza does not say by whom). Unless this plan destroys it, applying it creates it anew with a new id: whatever refers to the old id (Oomnitza integrations, other configurations) must be pointed at the new one."
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(name: &str, email: &str, version: f64) -> Value {
        let mut basic = Value::Object(Default::default());
        basic.set("email", Value::string(email));
        let mut s = Value::Object(Default::default());
        s.set("id", Value::string("abc123"));
        s.set("name", Value::string(name));
        s.set("description", Value::string(""));
        s.set("secret_version", Value::Number(version));
        s.set("basic", basic);
        s
    }

    #[test]
    fn an_overwrite_after_the_plan_is_said() {
        let prior = state("stale b", "a@example.com", 1.0);
        let held = state("b renamed by hand", "a@example.com", 1.0);
        let d = between(&["name".to_string()], &prior, &held, "2026-11-29T10:00:00Z", Some("jane")).unwrap();
        let mut planned = prior.clone();
        planned.set("description", Value::string("new"));
        let mut diags = Diagnostics::new();
        overwritten(&d, &prior, &planned, "Jira credential", &mut diags);
        let text = format!("{diags:?}");
        assert!(text.contains("after this plan was made"), "{text}");
        assert!(text.contains(r#"name: \"stale b\" -> \"b renamed by hand\" (now \"stale b\")"#), "{text}");
        assert!(text.contains("at 2026-11-29T10:00:00Z by jane"), "{text}");
    }

    #[test]
    fn only_what_the_apply_wrote_over_is_said() {
        let prior = state("b", "a@example.com", 1.0);
        let mut held = state("b", "a@example.com", 1.0);
        held.set("expiration_date", Value::string("2027-01-01"));
        let d = between(&["expiration_date".to_string()], &prior, &held, "2026-11-29T10:00:00Z", None).unwrap();
        let said = |planned_expiry: Value| {
            let mut planned = prior.clone();
            planned.set("expiration_date", planned_expiry);
            let mut diags = Diagnostics::new();
            overwritten(&d, &prior, &planned, "Jira credential", &mut diags);
            format!("{diags:?}")
        };
        // Left to Oomnitza, or planned as it holds it: nothing overwritten.
        assert!(!said(Value::Unknown).contains("after this plan"));
        assert!(!said(Value::string("2027-01-01")).contains("after this plan"));
        // Planned otherwise: said.
        assert!(said(Value::string("2026-12-31")).contains("after this plan"));
    }

    #[test]
    fn nothing_changed_is_no_drift() {
        let s = state("a", "a@example.com", 1.0);
        assert_eq!(between(&["name".to_string()], &s, &s, "2026-11-29T10:00:00Z", Some("x")), None);
    }

    #[test]
    fn says_what_changed_who_and_what_apply_does() {
        let old = state("Jira user load", "a@example.com", 1.0);
        let new = state("renamed by hand", "b@example.com", 2.0);
        let d = between(
            &["name".to_string(), "basic.email".to_string()],
            &old,
            &new,
            "2026-11-29T10:00:00Z",
            Some("jane.admin@example.com"),
        )
        .unwrap();
        let mut planned = old.clone();
        planned.set("secret_version", Value::Unknown);
        let mut diags = Diagnostics::new();
        let say = Saying { noun: "Jira credential", secret: "API token", ends_consent: false, replacing: None };
        warn(&d, &new, &planned, &say, &mut diags);
        let text = format!("{diags:?}");
        for part in [
            "was changed outside Terraform",
            "at 2026-11-29T10:00:00Z by jane.admin@example.com",
            r#"name: \"Jira user load\" -> \"renamed by hand\""#,
            r#"basic.email: \"a@example.com\" -> \"b@example.com\""#,
            "its secret was replaced in Oomnitza (version 1 -> 2)",
            r#"renames it back to \"Jira user load\""#,
            r#"sets basic.email back to \"a@example.com\""#,
            "sends the API token from your configuration again",
        ] {
            assert!(text.contains(part), "{part}: {text}");
        }
    }

    #[test]
    fn each_kind_watches_what_a_person_can_change_and_no_secret() {
        let jira: Vec<&str> = crate::jira_credential::JIRA.drift.paths().iter().map(String::as_str).collect();
        let expected = ["name", "owner", "description", "expiration_date", "basic.email", "oauth.client_id"];
        assert_eq!(jira[..6], expected);
        assert_eq!(jira[6..], ["oauth.scopes", "oauth.site", "oauth.callback_url"]);
        for kind in crate::credential::KINDS {
            let paths = kind.drift.paths();
            assert!(paths.iter().any(|p| p == "name"), "{}: {paths:?}", kind.type_name);
            for p in paths {
                let secret_or_own = ["api_token", "secret", "password", "token_wo", "_version", "timeouts", "wait_for"];
                assert!(!secret_or_own.iter().any(|s| p.contains(s)), "{}: {p}", kind.type_name);
            }
        }
    }
}
