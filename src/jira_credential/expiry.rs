//! Expiry ahead, the Jira credential's part: its words for the date a
//! Basic credential's Atlassian API token stops working (said by
//! [`crate::credential::expiry`]), the end of an OAuth authorization that
//! Oomnitza cannot refresh (`oauth.expires_at` without `offline_access`),
//! and a date further ahead than Atlassian lets a token live. Time passing
//! is never an error: a plan must not stop because of it.

use time::{Date, OffsetDateTime};

use crate::credential::expiry::ExpiryWords;
use crate::framework::{AttrPath, Diagnostics, Value};

/// Atlassian API tokens made since 2024-12-15 live at most this long.
pub const TOKEN_MAX_DAYS: i64 = 365;

/// How the Jira credential speaks of its API token running out.
pub const WORDS: ExpiryWords = ExpiryWords {
    secret_of: "The API token of Jira credential",
    stopped: "Atlassian no longer accepts the token, and every Jira sync of Oomnitza with this credential fails now",
    stops: "then Atlassian stops accepting the token and Oomnitza's Jira syncs with this credential fail",
    rotate: concat!(
        "Rotate it: make a new API token at ",
        "https://id.atlassian.com/manage-profile/security/api-tokens",
        ", then set it in basic.api_token_wo with a higher basic.api_token_wo_version (or in basic.api_token), and set expiration_date to the new token's date."
    ),
};

/// The end of an OAuth authorization that Oomnitza cannot refresh, ahead,
/// from the provider's `expiry_warning_days` (0: none). The API token's
/// `expiration_date` is said by the credential layer, in [`WORDS`].
pub fn warn_oauth(state: &Value, warn_days: u32, now: OffsetDateTime, diags: &mut Diagnostics) {
    if warn_days == 0 {
        return;
    }
    let name = state.get("name").as_str().unwrap_or_default();
    let oauth = state.get("oauth");
    let refreshes = match oauth.get("scopes") {
        Value::List(s) => s.iter().any(|s| s.as_str() == Some("offline_access")),
        _ => false,
    };
    let at = oauth.get("expires_at").as_str();
    let ends = at.and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok());
    if let (false, Some(t), Some(ends)) = (refreshes, at, ends) {
        let left = ends - now;
        // Once past, the status says "expired", and that plan says so.
        if left.is_positive() && left.whole_days() < i64::from(warn_days) {
            let when = if left.whole_days() == 0 {
                format!("within a day, at {t}")
            } else {
                format!("in {} days, at {t}", left.whole_days())
            };
            diags.warning_at(
                Some(AttrPath::root("oauth").attr("expires_at")),
                format!("The OAuth authorization of Jira credential {name:?} ends {when}"),
                "Without the offline_access scope Oomnitza cannot refresh it: when it ends, a person must consent again. Add \"offline_access\" to oauth.scopes (a change that asks for consent once) so that Oomnitza keeps it alive itself.".to_string(),
            );
        }
    }
}

/// A date further ahead than an Atlassian token lives: a warning at the
/// attribute (the token will stop working before it).
pub fn validate(date: Date, today: Date, diags: &mut Diagnostics) {
    let days = (date - today).whole_days();
    if days > TOKEN_MAX_DAYS {
        diags.warning_at(
            Some(AttrPath::root("expiration_date")),
            "expiration_date is more than a year ahead",
            format!("{date} is {days} days from today, but Atlassian API tokens made since 2024-12-15 expire at most {TOKEN_MAX_DAYS} days after they are made, so this token stops working earlier. Set the expiry date Atlassian showed when the token was made."),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth_state(scopes: &[&str], expires_at: &str) -> Value {
        let mut o = Value::Object(Default::default());
        o.set("scopes", Value::List(scopes.iter().map(|s| Value::string(*s)).collect()));
        o.set("expires_at", Value::string(expires_at));
        let mut s = Value::Object(Default::default());
        s.set("name", Value::string("c"));
        s.set("oauth", o);
        s
    }

    #[test]
    fn an_authorization_that_cannot_refresh_is_warned_ahead() {
        let now = OffsetDateTime::now_utc();
        let in_hours =
            |h: i64| (now + time::Duration::hours(h)).format(&time::format_description::well_known::Rfc3339).unwrap();
        let said = |s: &Value, days: u32| {
            let mut d = Diagnostics::new();
            warn_oauth(s, days, now, &mut d);
            format!("{d:?}")
        };
        assert!(said(&oauth_state(&["read:jira-user"], &in_hours(2)), 30).contains("ends within a day"));
        assert!(!said(&oauth_state(&["read:jira-user", "offline_access"], &in_hours(2)), 30).contains("ends"));
        assert!(!said(&oauth_state(&["read:jira-user"], &in_hours(2)), 0).contains("ends"), "0 turns it off");
        assert!(
            !said(&oauth_state(&["read:jira-user"], &in_hours(-2)), 30).contains("ends"),
            "past: the status says it"
        );
    }

    #[test]
    fn a_year_and_a_day_is_too_far() {
        let today = OffsetDateTime::now_utc().date();
        let mut d = Diagnostics::new();
        validate(today + time::Duration::days(365), today, &mut d);
        assert!(!format!("{d:?}").contains("more than a year"));
        validate(today + time::Duration::days(366), today, &mut d);
        assert!(format!("{d:?}").contains("more than a year ahead"));
    }
}
