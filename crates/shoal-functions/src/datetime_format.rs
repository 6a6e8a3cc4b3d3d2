//! Building, parsing and formatting dates and timestamps: make_date, to_timestamp, strftime,
//! current_date, now. Formats use chrono's strftime syntax (`%Y-%m-%d %H:%M:%S`).

use std::fmt::Write as _;
use std::sync::Arc;

use arrow::array::{new_null_array, Array};
use arrow::datatypes::{DataType, Date32Type, Int64Type, TimeUnit};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use shoal_common::{exec_err, Result, ScalarValue};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, collect_primitive, collect_strings, map_columnar, PrimArg, Shape, StrArg};
use crate::builtin::{signature_error, Arg, Builtin, Returns, Signature};
use crate::datetime::{coerce_temporal, from_naive, Instants};

const TO_TIMESTAMP: &str = "to_timestamp(string[, format]) -> timestamp: parses ISO-8601 text (or text in a strftime format); to_timestamp(seconds) converts Unix seconds";
const STRFTIME: &str =
    "strftime(date_or_timestamp, format) -> string: formats the value with a strftime format";

/// The constructors and formatters of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    let micros = || Returns::Fixed(DataType::Timestamp(TimeUnit::Microsecond, None));
    vec![
        Builtin::fixed(
            "make_date",
            "make_date(year, month, day) -> date: the date with those fields (error if invalid)",
            &[Arg::Int, Arg::Int, Arg::Int],
            Returns::Fixed(DataType::Date32),
            make_date,
        ),
        Builtin::new(
            "to_timestamp",
            TO_TIMESTAMP,
            Signature::Custom(coerce_to_timestamp),
            micros(),
            to_timestamp,
        ),
        Builtin::new(
            "strftime",
            STRFTIME,
            Signature::Custom(|t| match t {
                [source, format] => match Arg::Str.coerce(format) {
                    Some(f) => Ok(vec![coerce_temporal(STRFTIME, source)?, f]),
                    None => signature_error(STRFTIME, t),
                },
                _ => signature_error(STRFTIME, t),
            }),
            Returns::Fixed(DataType::Utf8),
            strftime,
        ),
        Builtin::fixed(
            "current_date",
            "current_date() -> date: today's date (UTC)",
            &[],
            Returns::Fixed(DataType::Date32),
            |_, _| {
                let days = Utc::now().date_naive().signed_duration_since(epoch_date());
                Ok(ColumnarValue::Scalar(ScalarValue::date32(Some(days.num_days() as i32))))
            },
        )
        .volatile(),
        Builtin::fixed(
            "now",
            "now() -> timestamp: the current date and time (UTC, microseconds)",
            &[],
            micros(),
            |_, _| {
                Ok(ColumnarValue::Scalar(ScalarValue::timestamp_micros(Some(Utc::now().timestamp_micros()))))
            },
        )
        .with_aliases(&["current_timestamp"])
        .volatile(),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

fn epoch_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// `make_date(y, m, d)`: an invalid date is an execution error.
fn make_date(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let y = PrimArg::<Int64Type>::new(arg(args, 0)?)?;
    let m = PrimArg::<Int64Type>::new(arg(args, 1)?)?;
    let d = PrimArg::<Int64Type>::new(arg(args, 2)?)?;
    let out = collect_primitive::<Date32Type>(shape.rows, |i| {
        let (Some(y), Some(m), Some(d)) = (y.get(i), m.get(i), d.get(i)) else {
            return Ok(None);
        };
        let date = match (i32::try_from(y), u32::try_from(m), u32::try_from(d)) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        match date {
            Some(date) => Ok(Some(date.signed_duration_since(epoch_date()).num_days() as i32)),
            None => exec_err!("make_date(): date field value out of range: {y}-{m}-{d}"),
        }
    })?;
    shape.finish(Arc::new(out))
}

/// `to_timestamp(text[, format])` or `to_timestamp(seconds)`.
fn coerce_to_timestamp(types: &[DataType]) -> Result<Vec<DataType>> {
    match types {
        [t] if t.is_numeric() => Ok(vec![DataType::Float64]),
        [t] => match Arg::Str.coerce(t) {
            Some(t) => Ok(vec![t]),
            None => signature_error(TO_TIMESTAMP, types),
        },
        [t, f] => match (Arg::Str.coerce(t), Arg::Str.coerce(f)) {
            (Some(t), Some(f)) => Ok(vec![t, f]),
            _ => signature_error(TO_TIMESTAMP, types),
        },
        _ => signature_error(TO_TIMESTAMP, types),
    }
}

/// ISO-8601 text: `YYYY-MM-DD`, `YYYY-MM-DD[ T]HH:MM[:SS[.f]]`, optionally with `Z` or an
/// offset (converted to UTC).
pub fn parse_iso_timestamp(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    const NAIVE: [&str; 4] =
        ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"];
    for format in NAIVE {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
            return Some(dt);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, format) {
            return Some(dt.naive_utc());
        }
    }
    None
}

/// Text in a strftime `format`: a date-time, a date (at midnight), or one with an offset.
fn parse_with_format(s: &str, format: &str) -> Option<NaiveDateTime> {
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, format) {
        return Some(dt);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, format) {
        return Some(d.and_time(NaiveTime::MIN));
    }
    DateTime::parse_from_str(s, format).ok().map(|dt| dt.naive_utc())
}

pub(crate) fn to_timestamp(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let out_type = DataType::Timestamp(TimeUnit::Microsecond, None);
    let source = arg(args, 0)?;
    if source.data_type() == DataType::Float64 {
        return map_columnar(source, |a| {
            let Some(p) = a.as_any().downcast_ref::<arrow::array::Float64Array>() else {
                return Ok(new_null_array(&out_type, a.len()));
            };
            let out = p.try_unary::<_, arrow::datatypes::TimestampMicrosecondType, _>(|x| {
                let micros = (x * 1e6).round();
                if micros.is_finite() && micros.abs() < 9.2e18 {
                    Ok(micros as i64)
                } else {
                    exec_err!("to_timestamp(): {x} seconds is out of range")
                }
            })?;
            Ok(Arc::new(out))
        });
    }
    let shape = Shape::of(args, num_rows);
    let text = StrArg::new(source)?;
    let format = args.get(1).map(StrArg::new).transpose()?;
    let out = collect_primitive::<arrow::datatypes::TimestampMicrosecondType>(shape.rows, |i| {
        let Some(s) = text.get(i) else {
            return Ok(None);
        };
        let parsed = match &format {
            None => parse_iso_timestamp(s),
            Some(f) => match f.get(i) {
                Some(f) => parse_with_format(s, f),
                None => return Ok(None),
            },
        };
        match (parsed, &format) {
            (Some(dt), _) => from_naive(dt, 1_000_000).map(Some),
            (None, None) => exec_err!(
                "to_timestamp(): cannot parse '{s}' as a timestamp (expected YYYY-MM-DD[ HH:MM:SS[.f]])"
            ),
            (None, Some(f)) => {
                exec_err!("to_timestamp(): cannot parse '{s}' with format '{}'", f.get(i).unwrap_or_default())
            }
        }
    })?;
    shape.finish(Arc::new(out))
}

/// Parsed strftime items, or an error naming the bad format.
fn format_items(format: &str) -> Result<Vec<Item<'_>>> {
    match StrftimeItems::new(format).parse() {
        Ok(items) => Ok(items),
        Err(_) => exec_err!("strftime(): invalid format '{format}'"),
    }
}

/// `strftime(value, format)`: a zoned timestamp is formatted in its zone's local time.
fn strftime(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let source = crate::args::to_rows(arg(args, 0)?, shape.rows)?;
    let instants = Instants::new(&source)?;
    let format = StrArg::new(arg(args, 1)?)?;
    let mut last: Option<(&str, Vec<Item<'_>>)> = None;
    let out = collect_strings(shape.rows, |i, buf| {
        let (true, Some(f)) = (instants.values.is_valid(i), format.get(i)) else {
            return Ok(false);
        };
        if !matches!(&last, Some((prev, _)) if *prev == f) {
            last = Some((f, format_items(f)?));
        }
        let items = last.as_ref().map_or(&[][..], |(_, items)| items.as_slice());
        let v = instants.values.value(i);
        let written = match &instants.tz {
            Some(tz) => {
                let utc = crate::datetime::to_naive(v, instants.per_second)?;
                write!(buf, "{}", tz.from_utc_datetime(&utc).format_with_items(items.iter()))
            }
            None => write!(buf, "{}", instants.local(v)?.format_with_items(items.iter())),
        };
        if written.is_err() {
            return exec_err!(
                "strftime(): format '{f}' cannot be applied to this value (a time zone field needs a timestamp with a time zone)"
            );
        }
        Ok(true)
    })?;
    shape.finish(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_forms() {
        let p = |s| parse_iso_timestamp(s).map(|d| d.to_string());
        assert_eq!(p("2024-03-01").as_deref(), Some("2024-03-01 00:00:00"));
        assert_eq!(p("2024-03-01 10:11:12").as_deref(), Some("2024-03-01 10:11:12"));
        assert_eq!(p("2024-03-01T10:11:12.5").as_deref(), Some("2024-03-01 10:11:12.500"));
        assert_eq!(p("2024-03-01 10:11").as_deref(), Some("2024-03-01 10:11:00"));
        assert_eq!(p("2024-03-01T10:11:12Z").as_deref(), Some("2024-03-01 10:11:12"));
        assert_eq!(p("2024-03-01 10:11:12+02:00").as_deref(), Some("2024-03-01 08:11:12"));
        assert_eq!(p("2024-13-01"), None);
        assert_eq!(p("yesterday"), None);
    }
}
