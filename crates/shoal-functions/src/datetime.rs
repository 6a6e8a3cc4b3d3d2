//! `date_part` and `date_trunc` over dates and timestamps (any unit, with or without a time
//! zone), plus the helpers that turn temporal arrays into instants.
//!
//! Fields: year, quarter, month, week (ISO), day, dow (0 = Sunday), isodow (1 = Monday), doy,
//! hour, minute, second, millisecond and microsecond (both including the seconds, as in
//! PostgreSQL), isoyear and epoch; common plurals and abbreviations are accepted. A timestamp
//! with a time zone is split (and truncated) in that zone's local time.

use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{new_null_array, Array, ArrayRef, AsArray, Int32Array, Int64Array};
use arrow::compute::kernels::temporal::{date_part as arrow_date_part, DatePart};
use arrow::compute::{binary, cast};
use arrow::datatypes::{DataType, Float64Type, Int64Type, TimeUnit};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike};
use shoal_common::{exec_err, plan_err, Result, ScalarValue, ShoalError};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, map_columnar};
use crate::builtin::{is_string, signature_error, usage, Arg};

/// The datetime functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    vec![Arc::new(DatePartFunction), Arc::new(DateTruncFunction)]
}

/// A part of a date or time that `date_part` extracts or `date_trunc` truncates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Year,
    IsoYear,
    Quarter,
    Month,
    Week,
    Day,
    DayOfWeek,
    IsoDayOfWeek,
    DayOfYear,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Epoch,
}

const FIELDS: &str = "year, quarter, month, week, day, dow, isodow, doy, hour, minute, second, millisecond, microsecond, isoyear, epoch";

impl Field {
    /// Parse a field name (case-insensitive; plurals and common abbreviations accepted).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "year" | "years" | "y" | "yr" | "yrs" => Field::Year,
            "isoyear" => Field::IsoYear,
            "quarter" | "quarters" | "qtr" => Field::Quarter,
            "month" | "months" | "mon" | "mons" => Field::Month,
            "week" | "weeks" | "w" => Field::Week,
            "day" | "days" | "d" => Field::Day,
            "dow" | "dayofweek" => Field::DayOfWeek,
            "isodow" => Field::IsoDayOfWeek,
            "doy" | "dayofyear" => Field::DayOfYear,
            "hour" | "hours" | "h" | "hr" | "hrs" => Field::Hour,
            "minute" | "minutes" | "m" | "min" | "mins" => Field::Minute,
            "second" | "seconds" | "s" | "sec" | "secs" => Field::Second,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" => Field::Millisecond,
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" => Field::Microsecond,
            "epoch" => Field::Epoch,
            _ => return None,
        })
    }
}

/// The field named by a literal/scalar argument, or an error naming the valid ones.
fn field_of(func: &str, value: &ScalarValue) -> Result<Option<Field>> {
    if value.is_null() {
        return Ok(None);
    }
    let Some(name) = value.as_str() else {
        return exec_err!("{func}(): the field must be a string, got {value}");
    };
    match Field::parse(name) {
        Some(f) => Ok(Some(f)),
        None => plan_err!("{func}(): unknown field '{name}'; expected one of {FIELDS}"),
    }
}

/// The constant field argument of a call (a per-row field is not supported).
fn constant_field(func: &str, args: &[ColumnarValue]) -> Result<Option<Field>> {
    match arg(args, 0)? {
        ColumnarValue::Scalar(s) => field_of(func, s),
        ColumnarValue::Array(_) => exec_err!("{func}(): the field must be a constant string"),
    }
}

/// Coerce `(field, source)`: the field is a string; the source a date or timestamp (NULL is
/// taken as a timestamp). Strings are refused with a hint to cast them.
fn coerce_field_source(description: &str, types: &[DataType]) -> Result<Vec<DataType>> {
    let [field, source] = types else {
        return signature_error(description, types);
    };
    let Some(field) = Arg::Str.coerce(field) else {
        return signature_error(description, types);
    };
    Ok(vec![field, coerce_temporal(description, source)?])
}

/// A date or timestamp argument keeps its type; NULL becomes Timestamp(Microsecond, None).
pub(crate) fn coerce_temporal(description: &str, t: &DataType) -> Result<DataType> {
    let t = match t {
        DataType::Dictionary(_, v) => v.as_ref(),
        t => t,
    };
    match t {
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => Ok(t.clone()),
        DataType::Null => Ok(DataType::Timestamp(TimeUnit::Microsecond, None)),
        t if is_string(t) => plan_err!(
            "expected {}: a {t} source is not a date or timestamp; cast it, e.g. CAST(x AS TIMESTAMP)",
            usage(description)
        ),
        t => plan_err!("expected {}, got a {t} source", usage(description)),
    }
}

/// Timestamps of a date/timestamp array as raw integers, with units per second and time zone.
pub(crate) struct Instants {
    pub values: Int64Array,
    pub per_second: i64,
    pub tz: Option<Tz>,
}

impl Instants {
    pub fn new(a: &ArrayRef) -> Result<Self> {
        let (unit, tz) = match a.data_type() {
            DataType::Date32 => return Self::new(&cast(a, &DataType::Timestamp(TimeUnit::Second, None))?),
            DataType::Date64 => {
                return Self::new(&cast(a, &DataType::Timestamp(TimeUnit::Millisecond, None))?)
            }
            DataType::Null => {
                return Self::new(&new_null_array(&DataType::Timestamp(TimeUnit::Microsecond, None), a.len()))
            }
            DataType::Timestamp(unit, tz) => (*unit, tz),
            t => return exec_err!("expected a date or timestamp, got {t}"),
        };
        let tz = match tz {
            Some(tz) => Some(tz.parse::<Tz>()?),
            None => None,
        };
        let data = a.to_data().into_builder().data_type(DataType::Int64).build()?;
        Ok(Self { values: Int64Array::from(data), per_second: units_per_second(unit), tz })
    }

    /// The local (zone-adjusted) date-time of raw value `v`.
    pub fn local(&self, v: i64) -> Result<NaiveDateTime> {
        let utc = to_naive(v, self.per_second)?;
        Ok(match &self.tz {
            Some(tz) => tz.from_utc_datetime(&utc).naive_local(),
            None => utc,
        })
    }
}

pub(crate) fn units_per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// The UTC date-time of `v` units (`per_second` of them make a second) since the epoch.
pub(crate) fn to_naive(v: i64, per_second: i64) -> Result<NaiveDateTime> {
    let nanos = v.rem_euclid(per_second) * (1_000_000_000 / per_second);
    match DateTime::from_timestamp(v.div_euclid(per_second), nanos as u32) {
        Some(dt) => Ok(dt.naive_utc()),
        None => exec_err!("timestamp {v} is out of range"),
    }
}

/// `dt` as units (`per_second` of them make a second) since the epoch.
pub(crate) fn from_naive(dt: NaiveDateTime, per_second: i64) -> Result<i64> {
    let utc = dt.and_utc();
    let sub = i64::from(utc.timestamp_subsec_nanos()) / (1_000_000_000 / per_second);
    match utc.timestamp().checked_mul(per_second).and_then(|v| v.checked_add(sub)) {
        Some(v) => Ok(v),
        None => exec_err!("timestamp {dt} is out of range"),
    }
}

/// `date_part(field, source)`.
#[derive(Debug)]
pub struct DatePartFunction;

const DATE_PART: &str = "date_part(field, date_or_timestamp) -> bigint: the field (year, month, day, hour, dow, ...) of the value; 'epoch' gives double seconds";

impl ScalarFunction for DatePartFunction {
    fn name(&self) -> &str {
        "date_part"
    }
    fn description(&self) -> &str {
        DATE_PART
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_field_source(DATE_PART, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }
    fn return_type_with_literals(
        &self,
        _: &[DataType],
        literals: &[Option<&ScalarValue>],
    ) -> Result<DataType> {
        match literals.first().copied().flatten() {
            Some(field) if field_of("date_part", field)? == Some(Field::Epoch) => Ok(DataType::Float64),
            _ => Ok(DataType::Int64),
        }
    }
    fn invoke(&self, args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
        let source = arg(args, 1)?;
        let Some(field) = constant_field("date_part", args)? else {
            return map_columnar(source, |a| Ok(new_null_array(&DataType::Int64, a.len())));
        };
        map_columnar(source, |a| date_part_array(a, field))
    }
}

fn date_part_array(a: &ArrayRef, field: Field) -> Result<ArrayRef> {
    if a.data_type() == &DataType::Null {
        let t = if field == Field::Epoch { DataType::Float64 } else { DataType::Int64 };
        return Ok(new_null_array(&t, a.len()));
    }
    if let Some(fast) = crate::date_part_fast::date_part_fast(a, field) {
        return Ok(fast);
    }
    let part = |p: DatePart| -> Result<ArrayRef> { Ok(arrow_date_part(a, p)?) };
    let int32 = |a: &ArrayRef| -> Result<Int32Array> {
        match a.as_primitive_opt::<arrow::datatypes::Int32Type>() {
            Some(p) => Ok(p.clone()),
            None => exec_err!("date_part returned {}", a.data_type()),
        }
    };
    let simple = match field {
        Field::Year => Some(DatePart::Year),
        Field::IsoYear => Some(DatePart::YearISO),
        Field::Quarter => Some(DatePart::Quarter),
        Field::Month => Some(DatePart::Month),
        Field::Week => Some(DatePart::Week),
        Field::Day => Some(DatePart::Day),
        Field::DayOfWeek => Some(DatePart::DayOfWeekSunday0),
        Field::IsoDayOfWeek => Some(DatePart::DayOfWeekMonday1),
        Field::DayOfYear => Some(DatePart::DayOfYear),
        Field::Hour => Some(DatePart::Hour),
        Field::Minute => Some(DatePart::Minute),
        Field::Second => Some(DatePart::Second),
        Field::Millisecond | Field::Microsecond | Field::Epoch => None,
    };
    if let Some(p) = simple {
        return Ok(cast(&part(p)?, &DataType::Int64)?);
    }
    match field {
        Field::Millisecond | Field::Microsecond => {
            let (sub, scale) = if field == Field::Millisecond {
                (DatePart::Millisecond, 1_000)
            } else {
                (DatePart::Microsecond, 1_000_000)
            };
            let seconds = int32(&part(DatePart::Second)?)?;
            let fraction = int32(&part(sub)?)?;
            let out = binary::<_, _, _, Int64Type>(&seconds, &fraction, |s, f| {
                i64::from(s) * scale + i64::from(f)
            })?;
            Ok(Arc::new(out))
        }
        _ => {
            let instants = Instants::new(a)?;
            let per_second = instants.per_second;
            let out = instants.values.unary::<_, Float64Type>(|v| {
                v.div_euclid(per_second) as f64 + v.rem_euclid(per_second) as f64 / per_second as f64
            });
            Ok(Arc::new(out))
        }
    }
}

/// `date_trunc(field, source)`.
#[derive(Debug)]
pub struct DateTruncFunction;

const DATE_TRUNC: &str = "date_trunc(field, date_or_timestamp) -> timestamp: the value truncated to year, quarter, month, week, day, hour, minute or second";

impl ScalarFunction for DateTruncFunction {
    fn name(&self) -> &str {
        "date_trunc"
    }
    fn description(&self) -> &str {
        DATE_TRUNC
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_field_source(DATE_TRUNC, arg_types)
    }
    fn return_type(&self, arg_types: &[DataType]) -> Result<DataType> {
        Ok(match arg_types.get(1) {
            Some(t @ DataType::Timestamp(_, _)) => t.clone(),
            _ => DataType::Timestamp(TimeUnit::Microsecond, None),
        })
    }
    fn return_type_with_literals(
        &self,
        arg_types: &[DataType],
        literals: &[Option<&ScalarValue>],
    ) -> Result<DataType> {
        if let Some(field) = literals.first().copied().flatten() {
            if let Some(f) = field_of("date_trunc", field)? {
                truncation_unit(f)?;
            }
        }
        self.return_type(arg_types)
    }
    fn invoke(&self, args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
        let source = arg(args, 1)?;
        let out_type = self.return_type(&[DataType::Utf8, source.data_type()])?;
        let Some(field) = constant_field("date_trunc", args)? else {
            return map_columnar(source, |a| Ok(new_null_array(&out_type, a.len())));
        };
        let unit = truncation_unit(field)?;
        map_columnar(source, |a| {
            let a = match a.data_type() {
                DataType::Timestamp(_, _) => Arc::clone(a),
                _ => cast(a, &out_type)?,
            };
            let instants = Instants::new(&a)?;
            let out =
                instants.values.try_unary::<_, Int64Type, ShoalError>(|v| truncate(&instants, v, unit))?;
            let data = out.into_data().into_builder().data_type(out_type.clone()).build()?;
            Ok(arrow::array::make_array(data))
        })
    }
}

/// The fields `date_trunc` accepts.
fn truncation_unit(field: Field) -> Result<Field> {
    match field {
        Field::Year
        | Field::Quarter
        | Field::Month
        | Field::Week
        | Field::Day
        | Field::Hour
        | Field::Minute
        | Field::Second
        | Field::Millisecond
        | Field::Microsecond => Ok(field),
        other => plan_err!(
            "date_trunc(): cannot truncate to {other:?}; expected year, quarter, month, week, day, hour, minute, second, millisecond or microsecond"
        ),
    }
}

/// Raw timestamp `v` truncated to `unit`, in the local time of the instants' zone.
fn truncate(instants: &Instants, v: i64, unit: Field) -> Result<i64> {
    let per_second = instants.per_second;
    let fixed_length = match unit {
        Field::Microsecond => (per_second / 1_000_000).max(1),
        Field::Millisecond => (per_second / 1_000).max(1),
        Field::Second => per_second,
        Field::Minute if instants.tz.is_none() => 60 * per_second,
        Field::Hour if instants.tz.is_none() => 3_600 * per_second,
        Field::Day if instants.tz.is_none() => 86_400 * per_second,
        _ => 0,
    };
    if fixed_length > 0 {
        return Ok(v - v.rem_euclid(fixed_length));
    }
    let utc = to_naive(v, per_second)?;
    let Some(tz) = &instants.tz else {
        return from_naive(truncate_naive(utc, unit)?, per_second);
    };
    let zoned = tz.from_utc_datetime(&utc);
    let local = truncate_naive(zoned.naive_local(), unit)?;
    // in a DST gap the truncated local time does not exist: keep the original offset
    let back = match tz.from_local_datetime(&local).earliest() {
        Some(dt) => dt.naive_utc(),
        None => local - Duration::seconds(i64::from(zoned.offset().fix().local_minus_utc())),
    };
    from_naive(back, per_second)
}

/// `dt` truncated to `unit` (a calendar field).
fn truncate_naive(dt: NaiveDateTime, unit: Field) -> Result<NaiveDateTime> {
    let date = dt.date();
    let day = |d: Option<NaiveDate>| match d {
        Some(d) => Ok(d.and_time(NaiveTime::MIN)),
        None => exec_err!("date_trunc(): {dt} is out of range"),
    };
    match unit {
        Field::Year => day(NaiveDate::from_ymd_opt(date.year(), 1, 1)),
        Field::Quarter => day(NaiveDate::from_ymd_opt(date.year(), (date.month0() / 3) * 3 + 1, 1)),
        Field::Month => day(NaiveDate::from_ymd_opt(date.year(), date.month(), 1)),
        Field::Week => {
            day(date.checked_sub_signed(Duration::days(i64::from(date.weekday().num_days_from_monday()))))
        }
        Field::Day => day(Some(date)),
        Field::Hour => Ok(dt
            - Duration::seconds(i64::from(dt.minute() * 60 + dt.second()))
            - Duration::nanoseconds(i64::from(dt.nanosecond()))),
        Field::Minute => Ok(dt
            - Duration::seconds(i64::from(dt.second()))
            - Duration::nanoseconds(i64::from(dt.nanosecond()))),
        _ => Ok(dt.with_nanosecond(0).unwrap_or(dt)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_round_trip() {
        let dt = to_naive(-1_500_000, 1_000_000).unwrap();
        assert_eq!(dt.to_string(), "1969-12-31 23:59:58.500");
        assert_eq!(from_naive(dt, 1_000_000).unwrap(), -1_500_000);
    }

    #[test]
    fn truncates_calendar_fields() {
        let dt = NaiveDate::from_ymd_opt(2024, 8, 17).and_then(|d| d.and_hms_opt(13, 45, 12)).unwrap();
        let t = |u| truncate_naive(dt, u).unwrap().to_string();
        assert_eq!(t(Field::Year), "2024-01-01 00:00:00");
        assert_eq!(t(Field::Quarter), "2024-07-01 00:00:00");
        assert_eq!(t(Field::Week), "2024-08-12 00:00:00");
        assert_eq!(t(Field::Hour), "2024-08-17 13:00:00");
        assert_eq!(t(Field::Minute), "2024-08-17 13:45:00");
    }
}
