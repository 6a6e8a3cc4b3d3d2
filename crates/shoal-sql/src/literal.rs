//! Literals: numbers, strings, booleans, NULL, `DATE '..'` / `TIMESTAMP '..'` and intervals.

use arrow::datatypes::DataType;
use shoal_common::{not_supported, plan_err, Result, ScalarValue, ShoalError};
use sqlparser::ast::{
    DateTimeField, Expr as SqlExpr, Interval, TypedString, UnaryOperator, Value, ValueWithSpan,
};

use crate::types::sql_type_to_arrow;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;

/// A numeric literal, typed as PostgreSQL and DuckDB do: integers are Int64 (wider ones
/// Decimal128(38, 0), then Float64); a number with a decimal point is an exact decimal
/// (`0.06` is DECIMAL(2,2), so `0.06 + 0.01 = 0.07` exactly, as TPC-H Q6 needs); a number with
/// an exponent, or more than 38 digits, is Float64.
pub(crate) fn number(text: &str) -> Result<ScalarValue> {
    if let Some(d) = exact_decimal(text) {
        return Ok(d);
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(v) = text.parse::<i64>() {
            return Ok(ScalarValue::int64(Some(v)));
        }
        if digits.trim_start_matches('0').len() <= 38 {
            if let Ok(v) = text.parse::<i128>() {
                return ScalarValue::decimal128(Some(v), 38, 0);
            }
        }
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(ScalarValue::float64(Some(v))),
        _ => plan_err!("invalid number {text}"),
    }
}

/// `[-]digits.digits` as an exact Decimal128, if it fits in 38 digits.
fn exact_decimal(text: &str) -> Option<ScalarValue> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, text),
    };
    let (int_part, frac_part) = body.split_once('.')?;
    if !(int_part.bytes().all(|b| b.is_ascii_digit()) && frac_part.bytes().all(|b| b.is_ascii_digit()))
        || (int_part.is_empty() && frac_part.is_empty())
    {
        return None;
    }
    let int_digits = int_part.trim_start_matches('0');
    let scale = frac_part.len();
    let precision = (int_digits.len() + scale).max(1);
    if precision > 38 {
        return None;
    }
    let unscaled: i128 = format!("{int_digits}{frac_part}").trim_start_matches('0').parse().unwrap_or(0);
    let unscaled = if negative { -unscaled } else { unscaled };
    ScalarValue::decimal128(Some(unscaled), precision as u8, scale as i8).ok()
}

/// A plain SQL value.
pub(crate) fn value_to_scalar(v: &Value) -> Result<ScalarValue> {
    Ok(match v {
        Value::Number(n, _) => number(n)?,
        Value::SingleQuotedString(s)
        | Value::EscapedStringLiteral(s)
        | Value::NationalStringLiteral(s)
        | Value::UnicodeStringLiteral(s)
        | Value::TripleSingleQuotedString(s)
        | Value::TripleDoubleQuotedString(s) => ScalarValue::utf8(Some(s)),
        Value::DollarQuotedString(d) => ScalarValue::utf8(Some(&d.value)),
        Value::Boolean(b) => ScalarValue::boolean(Some(*b)),
        Value::Null => ScalarValue::null(&DataType::Null),
        Value::Placeholder(p) => return not_supported!("query parameters ({p})"),
        other => return not_supported!("the literal {other}"),
    })
}

/// `DATE '1998-12-01'`, `TIMESTAMP '2020-01-01 10:00:00'`, `DECIMAL '1.5'`, ...
pub(crate) fn typed_string(ts: &TypedString) -> Result<ScalarValue> {
    let data_type = sql_type_to_arrow(&ts.data_type)?;
    let text = string_value(&ts.value)?;
    ScalarValue::utf8(Some(&text)).cast_to(&data_type).map_err(|_| ShoalError::Plan {
        message: format!("invalid {} literal '{text}'", ts.data_type),
        span: Some(crate::span::to_span(ts.value.span)).filter(|s| !s.is_empty()),
    })
}

fn string_value(v: &ValueWithSpan) -> Result<String> {
    match &v.value {
        Value::SingleQuotedString(s) | Value::EscapedStringLiteral(s) => Ok(s.clone()),
        Value::DollarQuotedString(d) => Ok(d.value.clone()),
        other => plan_err!("expected a string literal, got {other}"),
    }
}

/// `INTERVAL '3' DAY`, `INTERVAL '90' DAY (3)`, `INTERVAL 2 HOUR`,
/// `INTERVAL '1 year 2 months 3 days'`, `INTERVAL '1 day 02:30:00'`.
pub(crate) fn interval(i: &Interval) -> Result<ScalarValue> {
    if i.last_field.is_some() {
        return not_supported!("interval ranges such as YEAR TO MONTH");
    }
    let text = match i.value.as_ref() {
        SqlExpr::Value(v) => match &v.value {
            Value::Number(n, _) => n.clone(),
            _ => string_value(v)?,
        },
        SqlExpr::UnaryOp { op: UnaryOperator::Minus, expr } => match expr.as_ref() {
            SqlExpr::Value(ValueWithSpan { value: Value::Number(n, _), .. }) => format!("-{n}"),
            _ => return not_supported!("INTERVAL of a non-constant value"),
        },
        _ => return not_supported!("INTERVAL of a non-constant value"),
    };
    let mut acc = IntervalParts::default();
    match &i.leading_field {
        Some(field) if parse_decimal(text.trim()).is_some() => {
            let unit = unit_of_field(field)?;
            acc.add(parse_decimal(text.trim()).unwrap_or((0, 0)), unit)?;
        }
        _ => parse_interval_text(&text, &mut acc)?,
    }
    acc.to_scalar(&text)
}

/// One interval unit: how many months, days or nanoseconds one of it is.
#[derive(Clone, Copy)]
enum Unit {
    Months(i128),
    Days(i128),
    Nanos(i128),
}

fn unit_of_field(field: &DateTimeField) -> Result<Unit> {
    use DateTimeField as F;
    Ok(match field {
        F::Year | F::Years => Unit::Months(12),
        F::Month | F::Months => Unit::Months(1),
        F::Week(None) | F::Weeks => Unit::Days(7),
        F::Day | F::Days => Unit::Days(1),
        F::Hour | F::Hours => Unit::Nanos(3600 * NANOS_PER_SECOND),
        F::Minute | F::Minutes => Unit::Nanos(60 * NANOS_PER_SECOND),
        F::Second | F::Seconds => Unit::Nanos(NANOS_PER_SECOND),
        F::Millisecond | F::Milliseconds => Unit::Nanos(1_000_000),
        F::Microsecond | F::Microseconds => Unit::Nanos(1_000),
        F::Nanosecond | F::Nanoseconds => Unit::Nanos(1),
        other => return not_supported!("INTERVAL unit {other}"),
    })
}

fn unit_of_word(word: &str) -> Option<Unit> {
    Some(match word.to_ascii_lowercase().as_str() {
        "year" | "years" | "y" | "yr" | "yrs" => Unit::Months(12),
        "month" | "months" | "mon" | "mons" => Unit::Months(1),
        "week" | "weeks" | "w" => Unit::Days(7),
        "day" | "days" | "d" => Unit::Days(1),
        "hour" | "hours" | "h" | "hr" | "hrs" => Unit::Nanos(3600 * NANOS_PER_SECOND),
        "minute" | "minutes" | "m" | "min" | "mins" => Unit::Nanos(60 * NANOS_PER_SECOND),
        "second" | "seconds" | "s" | "sec" | "secs" => Unit::Nanos(NANOS_PER_SECOND),
        "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => Unit::Nanos(1_000_000),
        "microsecond" | "microseconds" | "us" | "usec" | "usecs" => Unit::Nanos(1_000),
        "nanosecond" | "nanoseconds" | "ns" => Unit::Nanos(1),
        _ => return None,
    })
}

/// `"-12.5"` → `(-125, 1)` (unscaled value, number of fraction digits).
fn parse_decimal(s: &str) -> Option<(i128, u32)> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || int.len() + frac.len() > 30
    {
        return None;
    }
    let unscaled: i128 = format!("{int}{frac}").parse().ok()?;
    Some((if neg { -unscaled } else { unscaled }, frac.len() as u32))
}

/// An interval being summed up from its parts.
#[derive(Default)]
struct IntervalParts {
    months: i128,
    days: i128,
    nanos: i128,
}

impl IntervalParts {
    /// Add `value` (unscaled, scale) of `unit`; fractions of months become days (30 per
    /// month), fractions of days become nanoseconds, as in DuckDB.
    fn add(&mut self, (unscaled, scale): (i128, u32), unit: Unit) -> Result<()> {
        let overflow = || ShoalError::Plan { message: "interval value is out of range".into(), span: None };
        let pow = 10i128.checked_pow(scale).ok_or_else(overflow)?;
        let mut days_scaled = 0i128;
        match unit {
            Unit::Months(m) => {
                let total = unscaled.checked_mul(m).ok_or_else(overflow)?;
                self.months += total / pow;
                days_scaled = (total % pow) * 30;
            }
            Unit::Days(d) => days_scaled = unscaled.checked_mul(d).ok_or_else(overflow)?,
            Unit::Nanos(n) => {
                self.nanos += unscaled.checked_mul(n).ok_or_else(overflow)? / pow;
            }
        }
        self.days += days_scaled / pow;
        self.nanos += (days_scaled % pow).checked_mul(NANOS_PER_DAY).ok_or_else(overflow)? / pow;
        Ok(())
    }

    fn to_scalar(&self, text: &str) -> Result<ScalarValue> {
        match (i32::try_from(self.months), i32::try_from(self.days), i64::try_from(self.nanos)) {
            (Ok(m), Ok(d), Ok(n)) => Ok(ScalarValue::interval(m, d, n)),
            _ => plan_err!("interval '{text}' is out of range"),
        }
    }
}

/// `"1 year 2 months -3 days 04:05:06.5"`.
fn parse_interval_text(text: &str, acc: &mut IntervalParts) -> Result<()> {
    let bad = || ShoalError::Plan { message: format!("invalid interval '{text}'"), span: None };
    let mut words = text.split_whitespace().peekable();
    if words.peek().is_none() {
        return Err(bad());
    }
    while let Some(word) = words.next() {
        if word.contains(':') {
            acc.nanos += parse_time_of_day(word).ok_or_else(bad)?;
            continue;
        }
        // "3days" as well as "3 days"
        let split = word.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(word.len());
        let (num, attached_unit) = word.split_at(split);
        let value = parse_decimal(num).ok_or_else(bad)?;
        let unit_word = if attached_unit.is_empty() { words.next().ok_or_else(bad)? } else { attached_unit };
        let unit = unit_of_word(unit_word).ok_or_else(bad)?;
        acc.add(value, unit)?;
    }
    Ok(())
}

/// `"[-]HH:MM[:SS[.fff]]"` → nanoseconds.
fn parse_time_of_day(s: &str) -> Option<i128> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let hours: i128 = parts[0].parse().ok()?;
    let minutes: i128 = parts[1].parse().ok()?;
    let (sec_unscaled, scale) = match parts.get(2) {
        Some(sec) => parse_decimal(sec)?,
        None => (0, 0),
    };
    if sec_unscaled < 0 || hours < 0 || minutes < 0 {
        return None;
    }
    let pow = 10i128.checked_pow(scale)?;
    let nanos = (hours * 3600 + minutes * 60) * NANOS_PER_SECOND + sec_unscaled * NANOS_PER_SECOND / pow;
    Some(if neg { -nanos } else { nanos })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (i128, i128, i128) {
        let mut acc = IntervalParts::default();
        parse_interval_text(text, &mut acc).unwrap();
        (acc.months, acc.days, acc.nanos)
    }

    #[test]
    fn numbers() {
        assert_eq!(number("42").unwrap(), ScalarValue::int64(Some(42)));
        assert_eq!(number("-9223372036854775808").unwrap(), ScalarValue::int64(Some(i64::MIN)));
        assert_eq!(number("9223372036854775808").unwrap().data_type(), &DataType::Decimal128(38, 0));
        assert!(number("1e400").is_err());
        assert_eq!(number("1.5").unwrap(), ScalarValue::decimal128(Some(15), 2, 1).unwrap());
        assert_eq!(number("0.06").unwrap(), ScalarValue::decimal128(Some(6), 2, 2).unwrap());
        assert_eq!(number("-12.500").unwrap(), ScalarValue::decimal128(Some(-12500), 5, 3).unwrap());
        assert_eq!(number(".5").unwrap(), ScalarValue::decimal128(Some(5), 1, 1).unwrap());
        assert_eq!(number("1e3").unwrap(), ScalarValue::float64(Some(1000.0)));
        assert_eq!(
            number("123456789012345678901234567890123456789012").unwrap().data_type(),
            &DataType::Float64
        );
    }

    #[test]
    fn interval_texts() {
        assert_eq!(parts("1 year 2 months 3 days"), (14, 3, 0));
        assert_eq!(parts("1.5 days"), (0, 1, NANOS_PER_DAY / 2));
        assert_eq!(parts("1 day 02:30:00"), (0, 1, 9000 * NANOS_PER_SECOND));
        assert_eq!(parts("-3 days"), (0, -3, 0));
        assert_eq!(parts("1.5 months"), (1, 15, 0));
        assert_eq!(parts("10ms"), (0, 0, 10_000_000));
        let mut acc = IntervalParts::default();
        assert!(parse_interval_text("3 fortnights", &mut acc).is_err());
        assert!(parse_interval_text("", &mut acc).is_err());
    }
}
