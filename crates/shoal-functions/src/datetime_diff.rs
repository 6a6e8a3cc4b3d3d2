//! Differences between dates and timestamps, and parsing with a format: `date_diff` (DuckDB:
//! partition boundaries crossed), `age` (PostgreSQL: a years/months/days interval) and
//! `strptime` (DuckDB: text in a strftime format → timestamp, an error if it does not match).

use std::sync::Arc;

use arrow::array::{Array as _, ArrayRef, IntervalMonthDayNanoArray};
use arrow::datatypes::{DataType, Int64Type, IntervalMonthDayNano, TimeUnit};
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use shoal_common::{exec_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, collect_primitive, to_rows, Shape, StrArg};
use crate::builtin::{signature_error, Arg, Builtin, Returns, Signature};
use crate::datetime::{coerce_temporal, Instants};

const DATE_DIFF: &str = "date_diff(part, start, end) -> bigint: the number of part boundaries (year, quarter, month, week, day, hour, minute, second, millisecond, microsecond) crossed from start to end (alias datediff)";
const AGE: &str = "age(end[, start]) -> interval: end - start in years, months, days and time (start defaults to today at midnight)";
const STRPTIME: &str = "strptime(string, format) -> timestamp: parses text written in a strftime format (error if it does not match)";

/// The functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    vec![
        Builtin::new(
            "date_diff",
            DATE_DIFF,
            Signature::Custom(|t| match t {
                [part, start, end] => match Arg::Str.coerce(part) {
                    Some(p) => {
                        Ok(vec![p, coerce_temporal(DATE_DIFF, start)?, coerce_temporal(DATE_DIFF, end)?])
                    }
                    None => signature_error(DATE_DIFF, t),
                },
                _ => signature_error(DATE_DIFF, t),
            }),
            Returns::Fixed(DataType::Int64),
            date_diff,
        )
        .with_aliases(&["datediff"]),
        Builtin::new(
            "age",
            AGE,
            Signature::Custom(|t| match t {
                [end] => Ok(vec![coerce_temporal(AGE, end)?]),
                [end, start] => Ok(vec![coerce_temporal(AGE, end)?, coerce_temporal(AGE, start)?]),
                _ => signature_error(AGE, t),
            }),
            Returns::Fixed(DataType::Interval(arrow::datatypes::IntervalUnit::MonthDayNano)),
            age,
        )
        // age(x) reads the current date
        .volatile(),
        Builtin::fixed(
            "strptime",
            STRPTIME,
            &[Arg::Str, Arg::Str],
            Returns::Fixed(DataType::Timestamp(TimeUnit::Microsecond, None)),
            strptime,
        ),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

/// `to_timestamp(text, format)` under its DuckDB name.
fn strptime(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    crate::datetime_format::to_timestamp(args, num_rows).map_err(|e| match e {
        shoal_common::ShoalError::Execution(m) => {
            shoal_common::ShoalError::Execution(m.replacen("to_timestamp()", "strptime()", 1))
        }
        e => e,
    })
}

/// The units `date_diff` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
}

impl Part {
    fn parse(s: &str) -> Option<Part> {
        const NAMES: [(&str, Part); 20] = [
            ("year", Part::Year),
            ("years", Part::Year),
            ("quarter", Part::Quarter),
            ("quarters", Part::Quarter),
            ("month", Part::Month),
            ("months", Part::Month),
            ("week", Part::Week),
            ("weeks", Part::Week),
            ("day", Part::Day),
            ("days", Part::Day),
            ("hour", Part::Hour),
            ("hours", Part::Hour),
            ("minute", Part::Minute),
            ("minutes", Part::Minute),
            ("second", Part::Second),
            ("seconds", Part::Second),
            ("millisecond", Part::Millisecond),
            ("milliseconds", Part::Millisecond),
            ("microsecond", Part::Microsecond),
            ("microseconds", Part::Microsecond),
        ];
        NAMES.iter().find(|(n, _)| n.eq_ignore_ascii_case(s.trim())).map(|(_, p)| *p)
    }

    /// Boundaries of this part crossed from `a` to `b` (negative when `b` is earlier).
    fn diff(self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        let months = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
        let days = |d: NaiveDateTime| i64::from(d.date().num_days_from_ce());
        let micros = |d: NaiveDateTime| d.and_utc().timestamp_micros();
        let per = |d: NaiveDateTime, unit: i64| micros(d).div_euclid(unit);
        match self {
            Part::Year => i64::from(b.year()) - i64::from(a.year()),
            Part::Quarter => months(b).div_euclid(3) - months(a).div_euclid(3),
            Part::Month => months(b) - months(a),
            // weeks start on Monday
            Part::Week => {
                let monday = |d: NaiveDateTime| days(d) - i64::from(d.weekday().num_days_from_monday());
                (monday(b) - monday(a)).div_euclid(7)
            }
            Part::Day => days(b) - days(a),
            Part::Hour => per(b, 3_600_000_000) - per(a, 3_600_000_000),
            Part::Minute => per(b, 60_000_000) - per(a, 60_000_000),
            Part::Second => per(b, 1_000_000) - per(a, 1_000_000),
            Part::Millisecond => per(b, 1_000) - per(a, 1_000),
            Part::Microsecond => micros(b) - micros(a),
        }
    }
}

/// The local date-times of a date/timestamp argument, row by row.
struct DateTimes {
    instants: Instants,
    scalar: bool,
}

impl DateTimes {
    fn new(v: &ColumnarValue) -> Result<Self> {
        let array: ArrayRef = to_rows(v, 1)?;
        Ok(Self { instants: Instants::new(&array)?, scalar: matches!(v, ColumnarValue::Scalar(_)) })
    }

    fn get(&self, i: usize) -> Result<Option<NaiveDateTime>> {
        let i = if self.scalar { 0 } else { i };
        let values = &self.instants.values;
        if i >= values.len() || values.is_null(i) {
            return Ok(None);
        }
        self.instants.local(values.value(i)).map(Some)
    }
}

fn date_diff(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let part = StrArg::new(arg(args, 0)?)?;
    let start = DateTimes::new(arg(args, 1)?)?;
    let end = DateTimes::new(arg(args, 2)?)?;
    let mut last: Option<(&str, Part)> = None;
    let out = collect_primitive::<Int64Type>(shape.rows, |i| {
        let (Some(p), Some(a), Some(b)) = (part.get(i), start.get(i)?, end.get(i)?) else {
            return Ok(None);
        };
        let unit = match last {
            Some((name, unit)) if name == p => unit,
            _ => match Part::parse(p) {
                Some(unit) => {
                    last = Some((p, unit));
                    unit
                }
                None => return exec_err!("date_diff(): unknown date part '{p}'"),
            },
        };
        Ok(Some(unit.diff(a, b)))
    })?;
    shape.finish(Arc::new(out))
}

fn days_in_month(year: i32, month: u32) -> i64 {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    match (NaiveDate::from_ymd_opt(y, m, 1), NaiveDate::from_ymd_opt(year, month, 1)) {
        (Some(next), Some(first)) => next.signed_duration_since(first).num_days(),
        _ => 30,
    }
}

/// PostgreSQL's `age(a, b)`: field-wise difference with borrowing, so that
/// `age('2024-03-31', '2024-02-29')` is `1 mon 2 days`.
pub(crate) fn age_between(a: NaiveDateTime, b: NaiveDateTime) -> IntervalMonthDayNano {
    let negative = a < b;
    let sign = if negative { -1 } else { 1 };
    let nanos = |d: NaiveDateTime| i64::from(d.nanosecond() % 1_000_000_000);
    let mut ns = sign * (nanos(a) - nanos(b));
    let mut sec = sign * (i64::from(a.second()) - i64::from(b.second()));
    let mut min = sign * (i64::from(a.minute()) - i64::from(b.minute()));
    let mut hour = sign * (i64::from(a.hour()) - i64::from(b.hour()));
    let mut day = sign * (i64::from(a.day()) - i64::from(b.day()));
    let mut mon = sign * (i64::from(a.month()) - i64::from(b.month()));
    let mut year = sign * (i64::from(a.year()) - i64::from(b.year()));
    while ns < 0 {
        ns += 1_000_000_000;
        sec -= 1;
    }
    while sec < 0 {
        sec += 60;
        min -= 1;
    }
    while min < 0 {
        min += 60;
        hour -= 1;
    }
    while hour < 0 {
        hour += 24;
        day -= 1;
    }
    while day < 0 {
        // borrow the length of the month of the earlier value
        let from = if negative { a } else { b };
        day += days_in_month(from.year(), from.month());
        mon -= 1;
    }
    while mon < 0 {
        mon += 12;
        year -= 1;
    }
    let months = sign * (year * 12 + mon);
    let days = sign * day;
    let time = sign * (((hour * 60 + min) * 60 + sec) * 1_000_000_000 + ns);
    IntervalMonthDayNano::new(months as i32, days as i32, time)
}

fn age(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let end = DateTimes::new(arg(args, 0)?)?;
    let start = args.get(1).map(DateTimes::new).transpose()?;
    let midnight = Utc::now().date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut out = Vec::with_capacity(shape.rows);
    for i in 0..shape.rows {
        // age(x) is age(today at midnight, x)
        let (a, b) = match &start {
            Some(start) => (end.get(i)?, start.get(i)?),
            None => (Some(midnight), end.get(i)?),
        };
        out.push(match (a, b) {
            (Some(a), Some(b)) => Some(age_between(a, b)),
            _ => None,
        });
    }
    shape.finish(Arc::new(IntervalMonthDayNanoArray::from(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn age_borrows_like_postgres() {
        let i = age_between(ts("2024-03-31 00:00:00"), ts("2024-02-29 00:00:00"));
        assert_eq!((i.months, i.days, i.nanoseconds), (1, 2, 0));
        let i = age_between(ts("2001-04-10 00:00:00"), ts("1957-06-13 00:00:00"));
        assert_eq!((i.months, i.days), (43 * 12 + 9, 27));
        let i = age_between(ts("2020-01-01 00:00:00"), ts("2020-01-02 12:00:00"));
        assert_eq!((i.months, i.days, i.nanoseconds), (0, -1, -12 * 3_600_000_000_000));
    }

    #[test]
    fn date_diff_counts_boundaries() {
        let (a, b) = (ts("2020-01-31 23:59:59"), ts("2020-02-01 00:00:00"));
        assert_eq!(Part::Month.diff(a, b), 1);
        assert_eq!(Part::Day.diff(a, b), 1);
        assert_eq!(Part::Year.diff(a, b), 0);
        assert_eq!(Part::Second.diff(a, b), 1);
        // 2024-01-07 is a Sunday, 2024-01-08 a Monday
        assert_eq!(Part::Week.diff(ts("2024-01-07 00:00:00"), ts("2024-01-08 00:00:00")), 1);
        assert_eq!(Part::Week.diff(ts("2024-01-08 00:00:00"), ts("2024-01-14 00:00:00")), 0);
        assert_eq!(Part::Quarter.diff(ts("2024-03-31 00:00:00"), ts("2024-04-01 00:00:00")), 1);
    }
}
