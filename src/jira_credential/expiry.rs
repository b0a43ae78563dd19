//! Expiry ahead: the date a Basic credential's Atlassian API token stops
//! working (`expiration_date`) and the end of an OAuth authorization that
//! Oomnitza cannot refresh (`oauth.expires_at` without `offline_access`),
//! said in every plan from `expiry_warning_days` before, louder once past.
//! Time passing is never an error: a plan must not stop because of it.

use time::{Date, OffsetDateTime};

use crate::framework::{AttrPath, Diagnostics, Value};

const DATE: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// Where a new Atlassian API token is made.
const TOKENS_PAGE: &str = "https://id.atlassian.com/manage-profile/security/api-tokens";

/// Atlassian API tokens made since 2024-12-15 live at most this long.
pub const TOKEN_MAX_DAYS: i64 = 365;

fn days_phrase(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        d if d > 1 => format!("in {d} days"),
        -1 => "1 day ago".to_string(),
        d => format!("{} days ago", -d),
    }
}

/// The warnings of a refreshed credential's state, with `today` and `now`
/// from the system clock and the provider's `expiry_warning_days` (0: none).
pub fn warn(state: &Value, warn_days: u32, now: OffsetDateTime, diags: &mut Diagnostics) {
    if warn_days == 0 {
        return;
    }
    let name = state.get("name").as_str().unwrap_or_default();
    if let Some(date) = state.get("expiration_date").as_str().and_then(|d| Date::parse(d, DATE).ok()) {
        let days = (date - now.date()).whole_days();
        let rotate = format!(
            "Rotate it: make a new API token at {TOKENS_PAGE}, then set it in basic.api_token_wo with a higher basic.api_token_wo_version (or in basic.api_token), and set expiration_date to the new token's date."
        );
        if days < 0 {
            diags.warning_at(
                Some(AttrPath::root("expiration_date")),
                format!("The API token of Jira credential {name:?} expired {}", days_phrase(days)),
                format!("Its expiration_date is {date}: Atlassian no longer accepts the token, and every Jira sync of Oomnitza with this credential fails now. {rotate}"),
            );
        } else if days <= i64::from(warn_days) {
            diags.warning_at(
                Some(AttrPath::root("expiration_date")),
                format!("The API token of Jira credential {name:?} expires {}", days_phrase(days)),
                format!("Its expiration_date is {date} ({days} days left): then Atlassian stops accepting the token and Oomnitza's Jira syncs with this credential fail. {rotate} This warning starts expiry_warning_days ({warn_days}) days ahead; 0 turns it off."),
            );
        }
    }
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

    fn basic(expiration: &str) -> Value {
        let mut s = Value::Object(Default::default());
        s.set("name", Value::string("c"));
        s.set("expiration_date", Value::string(expiration));
        s
    }

    fn warnings(state: &Value, days: u32, now: OffsetDateTime) -> String {
        let mut d = Diagnostics::new();
        warn(state, days, now, &mut d);
        format!("{d:?}")
    }

    #[test]
    fn warns_from_the_set_number_of_days_and_louder_once_past() {
        let now = OffsetDateTime::now_utc();
        let at = |days: i64| basic(&(now.date() + time::Duration::days(days)).format(DATE).unwrap());
        assert_eq!(warnings(&at(31), 30, now), format!("{:?}", Diagnostics::new()));
        assert!(warnings(&at(30), 30, now).contains("expires in 30 days"));
        assert!(warnings(&at(1), 30, now).contains("expires tomorrow"));
        assert!(warnings(&at(0), 30, now).contains("expires today"));
        assert!(warnings(&at(-1), 30, now).contains("expired 1 day ago"));
        assert!(warnings(&at(-1), 30, now).contains("every Jira sync"));
        assert_eq!(warnings(&at(-1), 0, now), format!("{:?}", Diagnostics::new()), "0 turns it off");
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
