//! Strict DATE and TIMESTAMP parsing for CSV: texts Arrow would accept only by dropping
//! information (a time of day in a DATE, more fractional digits than the unit holds) are
//! refused. The common `YYYY-MM-DD[ HH:MM:SS[.ffffff]]` forms take a fast path; everything
//! else goes through Arrow's parser.

use arrow::array::timezone::Tz;
use arrow::compute::kernels::cast_utils::{string_to_datetime, Parser};
use arrow::datatypes::{Date32Type, TimeUnit};

/// Digits after the decimal point of the seconds of a timestamp text.
fn fraction_digits(s: &str) -> usize {
    let b = s.as_bytes();
    let Some(dot) = b.iter().skip(10).position(|&c| c == b'.') else {
        return 0;
    };
    b[10 + dot + 1..].iter().take_while(|c| c.is_ascii_digit()).count()
}

/// A date text as days since the epoch, refusing texts with a time part (which Arrow would
/// silently drop).
pub(crate) fn parse_date32(s: &str) -> Option<i32> {
    if let Some((y, m, d)) = fast_ymd(s.as_bytes()) {
        if s.len() == 10 {
            return i32::try_from(days_from_civil(y, m, d)).ok();
        }
    }
    let plain = s.len() <= 10 || s.starts_with(['+', '-']);
    if !plain {
        return None;
    }
    Date32Type::parse(s)
}

/// A timestamp text in `unit` (interpreted in `tz`, or as UTC), refusing texts with more
/// fractional digits than the unit holds (which Arrow would silently drop).
pub(crate) fn parse_timestamp(s: &str, unit: TimeUnit, tz: Option<&Tz>) -> Option<i64> {
    let (secs, nanos, digits) = match (tz, fast_timestamp(s.as_bytes())) {
        (None, Some(parts)) => parts,
        _ => {
            let digits = fraction_digits(s);
            let (secs, nanos) = match tz {
                Some(tz) => seconds_and_nanos(string_to_datetime(tz, s).ok()?),
                None => seconds_and_nanos(string_to_datetime(&chrono::Utc, s).ok()?),
            };
            (secs, nanos, digits)
        }
    };
    let max_digits = match unit {
        TimeUnit::Second => 0,
        TimeUnit::Millisecond => 3,
        TimeUnit::Microsecond => 6,
        TimeUnit::Nanosecond => 9,
    };
    if digits > max_digits {
        return None;
    }
    match unit {
        TimeUnit::Second => Some(secs),
        TimeUnit::Millisecond => secs.checked_mul(1_000)?.checked_add(i64::from(nanos / 1_000_000)),
        TimeUnit::Microsecond => secs.checked_mul(1_000_000)?.checked_add(i64::from(nanos / 1_000)),
        TimeUnit::Nanosecond => secs.checked_mul(1_000_000_000)?.checked_add(i64::from(nanos)),
    }
}

/// Seconds since the epoch and sub-second nanoseconds of a parsed timestamp.
fn seconds_and_nanos<T: chrono::TimeZone>(t: chrono::DateTime<T>) -> (i64, u32) {
    (t.timestamp(), t.timestamp_subsec_nanos())
}

/// Two ASCII digits at `b[i..i + 2]`.
fn two_digits(b: &[u8], i: usize) -> Option<u32> {
    let (x, y) = (*b.get(i)?, *b.get(i + 1)?);
    (x.is_ascii_digit() && y.is_ascii_digit()).then(|| u32::from(x - b'0') * 10 + u32::from(y - b'0'))
}

/// A valid `YYYY-MM-DD` at the start of `b`.
fn fast_ymd(b: &[u8]) -> Option<(i64, u32, u32)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = two_digits(b, 0)? * 100 + two_digits(b, 2)?;
    let (month, day) = (two_digits(b, 5)?, two_digits(b, 8)?);
    let year = i64::from(year);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month).contains(&day).then_some((year, month, day))
}

/// `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS[.f{1,9}]` (also with `T`), as seconds since the
/// epoch, nanoseconds and the number of fractional digits; `None` sends other forms to the
/// general parser.
fn fast_timestamp(b: &[u8]) -> Option<(i64, u32, usize)> {
    let (y, m, d) = fast_ymd(b)?;
    let days = days_from_civil(y, m, d);
    if b.len() == 10 {
        return Some((days * 86_400, 0, 0));
    }
    if b.len() < 19 || !matches!(b[10], b' ' | b'T') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (hh, mm, ss) = (two_digits(b, 11)?, two_digits(b, 14)?, two_digits(b, 17)?);
    if hh > 23 || mm > 59 || ss > 59 {
        return None;
    }
    let mut nanos = 0u32;
    let mut digits = 0;
    if b.len() > 19 {
        let frac = &b[20..];
        if b[19] != b'.' || frac.is_empty() || frac.len() > 9 || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        for &c in frac {
            nanos = nanos * 10 + u32::from(c - b'0');
        }
        digits = frac.len();
        nanos *= 10u32.pow(9 - digits as u32);
    }
    let secs = days * 86_400 + i64::from(hh * 3600 + mm * 60 + ss);
    Some((secs, nanos, digits))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = i64::from((m + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_paths_agree_with_arrow() {
        for s in [
            "1970-01-01",
            "2024-02-29",
            "1900-03-01",
            "0001-01-01",
            "9999-12-31 23:59:59.999999",
            "2000-02-29T12:00:00",
            "1969-12-31 23:59:59.5",
            "2024-01-02 03:04:05.123456",
        ] {
            let expected = string_to_datetime(&chrono::Utc, s).ok().map(|t| t.timestamp_micros());
            assert_eq!(parse_timestamp(s, TimeUnit::Microsecond, None), expected, "{s}");
        }
        assert_eq!(parse_date32("2024-01-02"), Date32Type::parse("2024-01-02"));
        assert_eq!(parse_date32("2023-02-29"), None);
        assert_eq!(parse_date32("2024-01-02 10:00:00"), None);
        assert_eq!(parse_timestamp("2024-01-02 03:04:05.1234567", TimeUnit::Microsecond, None), None);
        assert_eq!(parse_timestamp("2024-01-02 03:04:05.5", TimeUnit::Second, None), None);
        assert_eq!(parse_timestamp("2024-01-02 24:00:00", TimeUnit::Second, None), None);
    }
}
