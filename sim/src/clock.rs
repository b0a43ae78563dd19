//! The simulator's clock: real time plus an offset that `POST /_sim/clock`
//! moves forward, so a test can let an hour pass in a millisecond.

use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

static OFFSET_SECONDS: AtomicI64 = AtomicI64::new(0);

/// Moves the clock forward by `seconds` (never back).
pub fn advance(seconds: i64) {
    OFFSET_SECONDS.fetch_add(seconds.max(0), Ordering::SeqCst);
}

pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc() + time::Duration::seconds(OFFSET_SECONDS.load(Ordering::SeqCst));
    t.replace_nanosecond(0).unwrap_or(t)
}

/// RFC 3339, as every time the API answers.
pub fn format(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

pub fn parse(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}
