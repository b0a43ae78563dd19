//! Expiry ahead, for every kind: the date a credential's secret stops
//! working (`expiration_date`), said in every plan from
//! `expiry_warning_days` before, louder once past, in the kind's words.
//! Time passing is never an error: a plan must not stop because of it.

use time::{Date, OffsetDateTime};

use crate::framework::{AttrPath, Diagnostics, Value};

/// How `expiration_date` is written: `YYYY-MM-DD`.
pub use crate::framework::validate::DATE;

/// How a kind speaks of its secret running out.
pub struct ExpiryWords {
    /// Whose secret, before the credential's name: "The API token of Jira
    /// credential".
    pub secret_of: &'static str,
    /// What a past date means now.
    pub stopped: &'static str,
    /// What the date will mean.
    pub stops: &'static str,
    /// How to rotate it, in the resource's attributes.
    pub rotate: &'static str,
}

/// "today", "in 3 days", "1 day ago".
pub fn days_phrase(days: i64) -> String {
    match days {
        0 => "today".to_string(),
        1 => "tomorrow".to_string(),
        d if d > 1 => format!("in {d} days"),
        -1 => "1 day ago".to_string(),
        d => format!("{} days ago", -d),
    }
}

/// The warning of a refreshed state whose `expiration_date` is within
/// `warn_days` (0: none) of `now`, or past.
pub fn warn(state: &Value, warn_days: u32, now: OffsetDateTime, words: &ExpiryWords, diags: &mut Diagnostics) {
    if warn_days == 0 {
        return;
    }
    let Some(date) = state.get("expiration_date").as_str().and_then(|d| Date::parse(d, DATE).ok()) else {
        return;
    };
    let name = state.get("name").as_str().unwrap_or_default();
    let days = (date - now.date()).whole_days();
    let ExpiryWords { secret_of, stopped, stops, rotate } = words;
    if days < 0 {
        diags.warning_at(
            Some(AttrPath::root("expiration_date")),
            format!("{secret_of} {name:?} expired {}", days_phrase(days)),
            format!("Its expiration_date is {date}: {stopped}. {rotate}"),
        );
    } else if days <= i64::from(warn_days) {
        diags.warning_at(
            Some(AttrPath::root("expiration_date")),
            format!("{secret_of} {name:?} expires {}", days_phrase(days)),
            format!("Its expiration_date is {date} ({days} days left): {stops}. {rotate} This warning starts expiry_warning_days ({warn_days}) days ahead; 0 turns it off."),
        );
    }
}

/// At the plan of a create: an `expiration_date` already past is said now,
/// not only by the plan after the apply (the date is in the configuration).
/// Dates ahead are left to the plans after it, which know
/// `expiry_warning_days`.
pub fn warn_past_at_create(config: &Value, now: OffsetDateTime, words: &ExpiryWords, diags: &mut Diagnostics) {
    let past =
        config.get("expiration_date").as_str().and_then(|d| Date::parse(d, DATE).ok()).is_some_and(|d| d < now.date());
    if past {
        let mut d = Diagnostics::new();
        warn(config, 1, now, words, &mut d);
        for w in d {
            diags.warning_at(w.path, format!("{} (creating it all the same)", w.summary), w.detail);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORDS: ExpiryWords = ExpiryWords {
        secret_of: "The key of K",
        stopped: "it fails now",
        stops: "then it fails",
        rotate: "Rotate it.",
    };

    fn warnings(expiration: &str, days: u32, now: OffsetDateTime) -> String {
        let mut s = Value::Object(Default::default());
        s.set("name", Value::string("c"));
        s.set("expiration_date", Value::string(expiration));
        let mut d = Diagnostics::new();
        warn(&s, days, now, &WORDS, &mut d);
        format!("{d:?}")
    }

    #[test]
    fn warns_from_the_set_number_of_days_and_louder_once_past() {
        let now = OffsetDateTime::now_utc();
        let at = |days: i64| (now.date() + time::Duration::days(days)).format(DATE).unwrap();
        assert_eq!(warnings(&at(31), 30, now), format!("{:?}", Diagnostics::new()));
        assert!(warnings(&at(30), 30, now).contains("expires in 30 days"));
        assert!(warnings(&at(1), 30, now).contains("expires tomorrow"));
        assert!(warnings(&at(0), 30, now).contains("The key of K \\\"c\\\" expires today"));
        assert!(warnings(&at(-1), 30, now).contains("expired 1 day ago"));
        assert!(warnings(&at(-1), 30, now).contains("it fails now. Rotate it."));
        assert_eq!(warnings(&at(-1), 0, now), format!("{:?}", Diagnostics::new()), "0 turns it off");
    }

    #[test]
    fn a_create_with_a_past_date_is_warned_at_plan() {
        let now = OffsetDateTime::now_utc();
        let at = |days: i64| (now.date() + time::Duration::days(days)).format(DATE).unwrap();
        let mut c = Value::Object(Default::default());
        c.set("name", Value::string("c"));
        c.set("expiration_date", Value::string(at(-3)));
        let mut d = Diagnostics::new();
        warn_past_at_create(&c, now, &WORDS, &mut d);
        assert!(format!("{d:?}").contains("expired 3 days ago (creating it all the same)"), "{d:?}");
        c.set("expiration_date", Value::string(at(3)));
        let mut d = Diagnostics::new();
        warn_past_at_create(&c, now, &WORDS, &mut d);
        assert!(d.is_empty());
    }
}
