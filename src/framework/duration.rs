//! Durations written the way Terraform users write them: `30s`, `2m`,
//! `1h30m`, `500ms` (Go's duration syntax, without fractions).

use std::time::Duration;

/// Parses `1h30m`, `45s`, `250ms`. Returns a sentence saying what is wrong.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("is empty; write a duration such as \"30s\", \"2m\" or \"1h30m\"".into());
    }
    let mut total = Duration::ZERO;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(format!("{s:?} is not a duration; write one such as \"30s\", \"2m\" or \"1h30m\""));
        }
        let n: u64 = rest[..digits].parse().map_err(|_| format!("{s:?} is too large"))?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let step = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.saturating_mul(60)),
            "h" => Duration::from_secs(n.saturating_mul(3600)),
            _ => return Err(format!("{s:?} has no valid unit after {n}; use ms, s, m or h, as in \"30s\" or \"2m\"")),
        };
        total = total.saturating_add(step);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_style() {
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
    }

    #[test]
    fn refuses_garbage() {
        for bad in ["", "5", "m", "5 minutes", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
