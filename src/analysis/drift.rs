//! Drift, as `chant drift` decides it (chant 0.23.2,
//! `cmd/lifecycle/drift.rs`): a completed spec whose `tracks`, `origin` or
//! `informed_by` files (paths or glob patterns, relative to the project
//! root) were modified after its `completed_at`. chant 0.23.2 then fails to
//! mark the spec `needs_attention` ("Invalid transition from Completed to
//! NeedsAttention") instead of reporting it, so the editor is where a user
//! sees it; the rule here is chant's, not its crash.
//!
//! chant's rule, exactly: only `status: completed` specs chant parses; a
//! `completed_at` that is missing or not RFC 3339 means no check; a file
//! drifts when its modification time is strictly later than `completed_at`;
//! patterns are globs only when they contain `*`, `?` or `[`; only regular
//! files count. A pattern chant's glob crate refuses makes the whole
//! command fail (`chant/drift-invalid-pattern`).

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Code, Cx, Diagnostic, Sink};
use crate::spec::frontmatter::SpecStatus;

/// At most this many files are named in one diagnostic.
const MAX_NAMED: usize = 10;

/// Most folder entries one pattern expansion reads, all its components
/// together (`workspace::files::expand_like_chant` stops there): a pattern
/// such as `*/*/*` or `**/*` over a huge tree is then not checked.
pub const MAX_EXPANSION_ENTRIES: usize = 200_000;

/// The instant chant compares modification times with, when `chant drift`
/// looks at this spec at all: a spec chant parses, completed, with an RFC
/// 3339 `completed_at`.
fn completed_instant(model: &crate::spec::SpecModel) -> Option<i128> {
    if !model.chant_accepts() {
        return None;
    }
    let v = model.values();
    if v.status != SpecStatus::Completed {
        return None;
    }
    parse_rfc3339(v.completed_at.as_deref()?)
}

/// Whether `chant drift` looks at this spec's files.
pub(super) fn looks_at(model: &crate::spec::SpecModel) -> bool {
    completed_instant(model).is_some()
}

pub(super) fn check(cx: &Cx, out: &mut Sink) {
    let Some(completed) = completed_instant(cx.model) else {
        return;
    };
    let v = cx.model.values();
    let Some(completed_at) = &v.completed_at else {
        return;
    };
    // chant's order: tracks, then origin, then informed_by.
    for (key, items) in [
        ("tracks", &v.tracks),
        ("origin", &v.origin),
        ("informed_by", &v.informed_by),
    ] {
        for (i, pattern) in items.iter().flatten().enumerate() {
            if pattern.is_empty() {
                continue;
            }
            if let Some(refused) = refused_pattern(pattern) {
                out.push(Diagnostic::new(
                    Code::DriftInvalidPattern,
                    cx.item_range(key, i, pattern),
                    format!(
                        "`chant drift` cannot expand this pattern ({refused}): it stops with \"Invalid glob pattern: {pattern}\" and reports no spec at all. Write the pattern so that chant's glob crate accepts it (`**` alone between slashes, `[` closed by `]`)."
                    ),
                ));
                continue;
            }
            let expansion = cx.ws.expand(pattern);
            let mut changed: Vec<(String, i128)> = expansion
                .files
                .iter()
                .filter_map(|f| Some((f.path.clone(), nanos(f.modified?)?)))
                .filter(|(_, modified)| *modified > completed)
                .collect();
            if changed.is_empty() {
                if !expansion.complete {
                    out.push(Diagnostic::new(
                        Code::DriftNotChecked,
                        cx.item_range(key, i, pattern),
                        format!(
                            "Drift not checked: `{pattern}` names more of the project's files than chant-lsp expands (it stops after reading {} folder entries). `chant drift` expands it whole; write a narrower pattern to have it checked here.",
                            super::thousands(MAX_EXPANSION_ENTRIES)
                        ),
                    ));
                }
                continue;
            }
            changed.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            out.push(Diagnostic::new(
                Code::Drift,
                cx.item_range(key, i, pattern),
                message(key, pattern, completed_at, &changed),
            ));
        }
    }
}

/// Why chant's glob crate refuses a pattern, when it does: chant expands a
/// pattern with it when the pattern holds `*`, `?` or `[`, and fails the
/// whole `chant drift` on the crate's error.
pub(super) fn refused_pattern(pattern: &str) -> Option<String> {
    if !pattern.contains(['*', '?', '[']) {
        return None;
    }
    glob::Pattern::new(pattern)
        .err()
        .map(|e| format!("{} at character {}", e.msg, e.pos + 1))
}

fn message(key: &str, pattern: &str, completed_at: &str, changed: &[(String, i128)]) -> String {
    let named: Vec<String> = changed
        .iter()
        .take(MAX_NAMED)
        .map(|(path, at)| format!("`{path}` ({})", format_utc(*at)))
        .collect();
    let more = match changed.len().saturating_sub(MAX_NAMED) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    let what = if changed.len() == 1 && changed[0].0 == pattern {
        "This file was".to_string()
    } else if changed.len() == 1 {
        "1 file it matches was".to_string()
    } else {
        format!("{} files it matches were", changed.len())
    };
    format!(
        "Drift: {what} modified after this spec was completed ({completed_at}): {}{more}. `chant drift` reports the spec as drifted (inputs in `{key}` changed after completion; chant 0.23.2 then stops with \"Invalid transition from Completed to NeedsAttention\"). Re-run the spec to bring its work up to date.",
        named.join(", ")
    )
}

/// Nanoseconds since the Unix epoch (negative before it).
fn nanos(time: SystemTime) -> Option<i128> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => Some(after.as_nanos() as i128),
        Err(before) => Some(-(before.duration().as_nanos() as i128)),
    }
}

/// chrono's `DateTime::parse_from_rfc3339`, as chant calls it: nanoseconds
/// since the Unix epoch (UTC), or None where chrono fails.
pub fn parse_rfc3339(s: &str) -> Option<i128> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let mut n = 0i64;
        for &c in &b[range] {
            if !c.is_ascii_digit() {
                return None;
            }
            n = n * 10 + i64::from(c - b'0');
        }
        Some(n)
    };
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let hour = digits(11..13)?;
    let minute = digits(14..16)?;
    let mut second = digits(17..19)?;
    if b[13] != b':' || b[16] != b':' || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut extra = 0i128;
    if second == 60 {
        // A leap second: chrono reads it as 59 plus one second of nanos.
        second = 59;
        extra = 1_000_000_000;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        let mut value = 0i128;
        for (i, c) in fraction.bytes().take(n).enumerate() {
            if i < 9 {
                value = value * 10 + i128::from(c - b'0');
            }
        }
        for _ in n..9 {
            value *= 10;
        }
        extra += value;
        rest = &fraction[n..];
    }
    let offset_seconds: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let (sign, tail) = if let Some(t) = rest.strip_prefix('+') {
                (1, t)
            } else if let Some(t) = rest.strip_prefix('-') {
                (-1, t)
            } else if let Some(t) = rest.strip_prefix('\u{2212}') {
                (-1, t)
            } else {
                return None;
            };
            let t = tail.as_bytes();
            if t.len() != 5
                || t[2] != b':'
                || !t
                    .iter()
                    .enumerate()
                    .all(|(i, c)| i == 2 || c.is_ascii_digit())
            {
                return None;
            }
            let h = i64::from(t[0] - b'0') * 10 + i64::from(t[1] - b'0');
            let m = i64::from(t[3] - b'0') * 10 + i64::from(t[4] - b'0');
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    let local = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(i128::from(local - offset_seconds) * 1_000_000_000 + extra)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2026-02-01 10:04:05 UTC`.
pub fn format_utc(nanos: i128) -> String {
    let seconds = nanos.div_euclid(1_000_000_000) as i64;
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_as_chrono_reads_it() {
        let at = |s| parse_rfc3339(s).map(|n| n / 1_000_000_000);
        assert_eq!(at("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(at("2026-01-24T15:30:00Z"), Some(1_769_268_600));
        assert_eq!(at("2026-01-24t15:30:00z"), Some(1_769_268_600));
        assert_eq!(at("2026-01-24 15:30:00Z"), Some(1_769_268_600));
        assert_eq!(at("2026-01-24T17:30:00+02:00"), Some(1_769_268_600));
        assert_eq!(at("2026-01-24T15:30:00.123456789123Z"), Some(1_769_268_600));
        assert_eq!(
            parse_rfc3339("2026-01-24T15:30:00.5Z"),
            Some(1_769_268_600_500_000_000)
        );
        for bad in [
            "2026-01-24",
            "2026-01-24T15:30:00",
            "2026-02-30T00:00:00Z",
            "2026-01-24T24:00:00Z",
            "2026-01-24T15:30:00+0200",
            "2026-01-24T15:30:00Z ",
            "2026-01-24T15:30:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(
            format_utc(parse_rfc3339("2024-02-29T23:59:59Z").unwrap()),
            "2024-02-29 23:59:59 UTC"
        );
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
    }
}
