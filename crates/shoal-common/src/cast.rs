//! [`sql_cast`]: Arrow's cast with SQL (PostgreSQL) semantics where they differ.
//!
//! Arrow truncates when casting floats and decimals to integers; PostgreSQL rounds: floats
//! to the nearest integer with ties to even (`rint`), decimals half away from zero. Every cast
//! in shoal — literal folding at plan time and `CAST` at run time — goes through here.
//!
//! `TIMESTAMP` (without time zone) → `DATE` takes a fast path: a floor division of each value
//! by the number of units in a day, instead of Arrow's per-value conversion through chrono.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::compute::{cast_with_options, max, min, CastOptions};
use arrow::datatypes::{
    ArrowTimestampType, DataType, Date32Type, Float64Type, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};

use crate::error::Result;

/// Cast `array` to `to`. With `safe`, values that do not convert become NULL (TRY_CAST);
/// without it they are an error (CAST).
pub fn sql_cast(array: &ArrayRef, to: &DataType, safe: bool) -> Result<ArrayRef> {
    let options = CastOptions { safe, ..Default::default() };
    let from = array.data_type();
    if let (DataType::Timestamp(unit, None), DataType::Date32) = (from, to) {
        let fast = match unit {
            TimeUnit::Second => timestamp_to_date32::<TimestampSecondType>(array, 86_400),
            TimeUnit::Millisecond => timestamp_to_date32::<TimestampMillisecondType>(array, 86_400_000),
            TimeUnit::Microsecond => timestamp_to_date32::<TimestampMicrosecondType>(array, 86_400_000_000),
            TimeUnit::Nanosecond => timestamp_to_date32::<TimestampNanosecondType>(array, 86_400_000_000_000),
        };
        if let Some(dates) = fast {
            return Ok(dates);
        }
    }
    if to.is_integer() {
        match from {
            DataType::Float16 | DataType::Float32 | DataType::Float64 => {
                let f = cast_with_options(array, &DataType::Float64, &options)?;
                let rounded = f.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::round_ties_even);
                return Ok(cast_with_options(&(Arc::new(rounded) as ArrayRef), to, &options)?);
            }
            DataType::Decimal128(p, s) if *s > 0 => {
                let whole = cast_with_options(array, &DataType::Decimal128(*p, 0), &options)?;
                return Ok(cast_with_options(&whole, to, &options)?);
            }
            DataType::Decimal256(p, s) if *s > 0 => {
                let whole = cast_with_options(array, &DataType::Decimal256(*p, 0), &options)?;
                return Ok(cast_with_options(&whole, to, &options)?);
            }
            _ => {}
        }
    }
    Ok(cast_with_options(array, to, &options)?)
}

/// Dates further than this from 1970 (about 246,000 years) are left to Arrow's cast, which
/// rejects those outside chrono's range (about ±262,000 years).
const FAST_DATE_LIMIT_DAYS: i64 = 90_000_000;

/// `TIMESTAMP` without time zone → `DATE`: the day of each value is its floor division by
/// `units_per_day` (so 1969-12-31 23:59 is day −1), and the NULL buffer is kept as is. `None`
/// when a value is too far from 1970 for this path, so Arrow's cast reports it.
fn timestamp_to_date32<T: ArrowTimestampType>(array: &ArrayRef, units_per_day: i64) -> Option<ArrayRef> {
    let timestamps = array.as_primitive_opt::<T>()?;
    let limit = FAST_DATE_LIMIT_DAYS.saturating_mul(units_per_day);
    let in_range = |v: Option<i64>| v.is_none_or(|v| v.unsigned_abs() <= limit.unsigned_abs());
    if !in_range(min(timestamps)) || !in_range(max(timestamps)) {
        return None;
    }
    // Within the limit every day fits an i32; slots under NULLs may hold anything, and
    // `as` never panics on them.
    let dates: PrimitiveArray<Date32Type> = timestamps.unary(|v| v.div_euclid(units_per_day) as i32);
    Some(Arc::new(dates))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Decimal128Array, Float64Array, Int32Array};

    #[test]
    fn floats_round_to_even_decimals_half_away() {
        let f: ArrayRef =
            Arc::new(Float64Array::from(vec![Some(3.7), Some(-3.7), Some(2.5), Some(3.5), None]));
        let out = sql_cast(&f, &DataType::Int32, false).unwrap();
        assert_eq!(
            out.as_ref(),
            &Int32Array::from(vec![Some(4), Some(-4), Some(2), Some(4), None]) as &dyn Array
        );
        let d: ArrayRef =
            Arc::new(Decimal128Array::from(vec![250, -250, 249]).with_precision_and_scale(5, 2).unwrap());
        let out = sql_cast(&d, &DataType::Int64, false).unwrap();
        assert_eq!(out.as_ref(), &arrow::array::Int64Array::from(vec![3, -3, 2]) as &dyn Array);
    }

    #[test]
    fn out_of_range_is_an_error_or_null() {
        let f: ArrayRef = Arc::new(Float64Array::from(vec![1e20]));
        assert!(sql_cast(&f, &DataType::Int32, false).is_err());
        assert!(sql_cast(&f, &DataType::Int32, true).unwrap().is_null(0));
    }

    /// Each unit: values before and after 1970, exactly midnight, one unit either side of it,
    /// and NULLs give the same dates as Arrow's own cast.
    #[test]
    fn timestamp_to_date_matches_arrow() {
        use arrow::array::{Date32Array, TimestampMicrosecondArray, TimestampMillisecondArray};
        use arrow::array::{TimestampNanosecondArray, TimestampSecondArray};
        let day_secs = 86_400i64;
        let secs = [
            Some(0),
            Some(-1),
            Some(1),
            Some(day_secs),
            Some(day_secs - 1),
            Some(-day_secs),
            Some(-day_secs - 1),
            None,
            Some(1_700_000_000),
            Some(-2_208_988_800), // 1900-01-01 00:00:00
            Some(-2_208_988_799),
            Some(19_000 * day_secs + 3_600),
        ];
        let scaled = |k: i64| secs.iter().map(|v| v.map(|s| s * k)).collect::<Vec<_>>();
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(TimestampSecondArray::from(scaled(1))),
            Arc::new(TimestampMillisecondArray::from(scaled(1_000))),
            Arc::new(TimestampMicrosecondArray::from(scaled(1_000_000))),
            Arc::new(TimestampNanosecondArray::from(scaled(1_000_000_000))),
            // One unit before and after midnight in the finer units.
            Arc::new(TimestampNanosecondArray::from(vec![Some(-1), Some(1), None, Some(86_399_999_999_999)])),
            Arc::new(TimestampMicrosecondArray::from(vec![Some(-1), Some(1), Some(86_400_000_000)])),
        ];
        for array in &arrays {
            let ours = sql_cast(array, &DataType::Date32, false).unwrap();
            let arrows = cast_with_options(array, &DataType::Date32, &CastOptions::default()).unwrap();
            assert_eq!(ours.as_ref(), arrows.as_ref(), "{}", array.data_type());
        }
        let seconds: ArrayRef = arrays[0].clone();
        let out = sql_cast(&seconds, &DataType::Date32, false).unwrap();
        let expected = Date32Array::from(vec![
            Some(0),
            Some(-1),
            Some(0),
            Some(1),
            Some(0),
            Some(-1),
            Some(-2),
            None,
            Some(19_675),
            Some(-25_567),
            Some(-25_567),
            Some(19_000),
        ]);
        assert_eq!(out.as_ref(), &expected as &dyn Array);
    }

    /// A time zone keeps Arrow's path (the date is local), and values outside chrono's range
    /// are still Arrow's error.
    #[test]
    fn timestamp_to_date_with_zone_or_out_of_range_uses_arrow() {
        use arrow::array::{Date32Array, TimestampSecondArray};
        let zoned: ArrayRef =
            Arc::new(TimestampSecondArray::from(vec![Some(-3_600), Some(3_600)]).with_timezone("+02:00"));
        let out = sql_cast(&zoned, &DataType::Date32, false).unwrap();
        assert_eq!(out.as_ref(), &Date32Array::from(vec![0, 0]) as &dyn Array);
        let huge: ArrayRef = Arc::new(TimestampSecondArray::from(vec![Some(0), Some(i64::MAX)]));
        assert!(sql_cast(&huge, &DataType::Date32, false).is_err());
    }
}
