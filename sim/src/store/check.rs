//! The API's validation: each field problem named, as Oomnitza answers 400.

use serde_json::Value;

use super::*;

/// Loopback hosts may use plain http, as in the provider.
pub fn is_loopback_url(u: &str) -> bool {
    url::Url::parse(u).ok().is_some_and(|u| {
        u.scheme() == "http"
            && matches!(u.host(), Some(url::Host::Ipv4(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                | matches!(u.host(), Some(url::Host::Domain("localhost")))
    })
}

/// An Atlassian scope: `offline_access`, or `verb:thing[:product]` words.
pub(super) fn is_scope(s: &str) -> bool {
    s == "offline_access"
        || (s.contains(':')
            && s.split(':').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c == '-' || c == '.')))
}

pub(super) fn is_email(s: &str) -> bool {
    let mut p = s.split('@');
    matches!((p.next(), p.next(), p.next()), (Some(l), Some(d), None)
        if !l.is_empty() && d.contains('.') && d.split('.').all(|x| !x.is_empty()) && !s.contains(char::is_whitespace))
}

pub(super) fn is_date(s: &str) -> bool {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).is_ok()
}

/// Collects field errors for one request.
#[derive(Default)]
pub(super) struct Check(Vec<(String, String)>);

impl Check {
    pub(super) fn fail(&mut self, field: &str, msg: &str) {
        self.0.push((field.to_string(), msg.to_string()));
    }
    pub(super) fn done(self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self.0))
        }
    }
    /// A string field; `required` fails when absent.
    pub(super) fn string<'a>(&mut self, obj: &'a Value, key: &str, field: &str, required: bool) -> Option<&'a str> {
        match obj.get(key) {
            None | Some(Value::Null) => {
                if required {
                    self.fail(field, "is required");
                }
                None
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.fail(field, "must not be empty");
                None
            }
            Some(Value::String(s)) => Some(s),
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }
}

/// A Basic section; Jira's (`jira`) signs in with an Atlassian email.
pub(super) fn check_basic(c: &mut Check, b: &Value, partial: bool, jira: bool) {
    if let Some(u) = c.string(b, "username", "basic.username", !partial) {
        if jira && !is_email(u) {
            c.fail("basic.username", "must be the Atlassian account's email address");
        } else if u.is_empty() || u.contains(':') {
            c.fail("basic.username", "must be a user name without a colon");
        }
    }
    c.string(b, "password", "basic.password", !partial);
}

pub(super) fn check_oauth(c: &mut Check, o: &Value, partial: bool) {
    c.string(o, "client_id", "oauth2.client_id", !partial);
    c.string(o, "client_secret", "oauth2.client_secret", !partial);
    match o.get("scopes") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) if !a.is_empty() => {
            for s in a {
                if !s.as_str().is_some_and(is_scope) {
                    c.fail("oauth2.scopes", &format!("unknown scope {s}"));
                }
            }
        }
        Some(_) => c.fail("oauth2.scopes", "must be a non-empty array of scopes"),
    }
    if let Some(u) = c.string(o, "callback_url", "oauth2.callback_url", false) {
        if !u.starts_with("https://") && !is_loopback_url(u) {
            c.fail("oauth2.callback_url", "must be an https URL (http only on loopback)");
        }
    }
}

pub(super) fn check_api_key(c: &mut Check, k: &Value, partial: bool) {
    c.string(k, "token_name", "api_key.token_name", !partial);
    c.string(k, "token", "api_key.token", !partial);
    if let Some(to) = c.string(k, "add_to", "api_key.add_to", !partial) {
        if !matches!(to, "header" | "query") {
            c.fail("api_key.add_to", "must be header or query");
        }
    }
}

/// A SaaS name as Oomnitza's connectors use them: `jira`, `okta`, ...
pub(super) fn is_saas(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

pub(super) const TOP_FIELDS: &[&str] =
    &["name", "owner", "description", "saas", "auth_type", "basic", "oauth2", "api_key", "expiration_date"];
