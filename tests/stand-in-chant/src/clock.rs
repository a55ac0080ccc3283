//! Wall-clock helpers (UTC and local time) built on libc, so the stand-in
//! needs no date crate.

/// Broken-down time.
pub struct Tm {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

fn now(utc: bool) -> Tm {
    // SAFETY: `time` with a null pointer only returns the current time;
    // `gmtime_r`/`localtime_r` write into the zeroed `tm` we own.
    unsafe {
        let t = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        let ok = if utc {
            !libc::gmtime_r(&t, &mut tm).is_null()
        } else {
            !libc::localtime_r(&t, &mut tm).is_null()
        };
        if !ok {
            // Fall back to UTC if local time cannot be computed.
            libc::gmtime_r(&t, &mut tm);
        }
        Tm {
            year: tm.tm_year + 1900,
            month: (tm.tm_mon + 1) as u32,
            day: tm.tm_mday as u32,
            hour: tm.tm_hour as u32,
            minute: tm.tm_min as u32,
            second: tm.tm_sec as u32,
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` in UTC (chant's `utc_now_iso`).
pub fn utc_now_iso() -> String {
    let t = now(true);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` in UTC (what chrono's `to_rfc3339` gives,
/// without the fractional seconds).
pub fn utc_now_rfc3339() -> String {
    let t = now(true);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// Local date `YYYY-MM-DD` (used for ID resolution and ID generation).
pub fn local_date() -> String {
    let t = now(false);
    format!("{:04}-{:02}-{:02}", t.year, t.month, t.day)
}

/// Local `YYYY-MM-DD HH:MM` (the approval discussion line).
pub fn local_minute() -> String {
    let t = now(false);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year, t.month, t.day, t.hour, t.minute
    )
}
