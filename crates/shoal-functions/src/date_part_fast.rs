//! Integer arithmetic for the common `date_part` fields of dates and time-zone-less timestamps:
//! year, month, day (from days since the epoch by Howard Hinnant's `civil_from_days`), hour
//! and minute. Arrow's kernel builds a chrono value per row; this computes the same numbers
//! directly. Timestamps with a time zone and other fields go to Arrow.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Int64Array};
use arrow::buffer::NullBuffer;
use arrow::datatypes::{DataType, Date32Type, TimeUnit};

use crate::datetime::Field;

const SECONDS_PER_DAY: i64 = 86_400;

/// The `(year, month, day)` of `days` since 1970-01-01 (proleptic Gregorian).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days since 1970-01-01 of January 1st of `year` (proleptic Gregorian).
pub(crate) fn days_from_year(year: i64) -> i64 {
    // Hinnant's days_from_civil for (year, 1, 1): March-based years make it day 306 of year - 1
    let y = year - 1;
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + 306;
    era * 146_097 + doe - 719_468
}

/// At most this many new years between a batch's first and last value for
/// [`years_by_bounds`].
const MAX_YEAR_BOUNDS: usize = 16;

/// The year of each value (`per_day` units a day) as the first value's year plus the number
/// of New Year instants at or before it — a comparison or two per row instead of a calendar
/// conversion; `None` when the valid values span more than [`MAX_YEAR_BOUNDS`] new years.
/// The slots of NULLs get some year.
fn years_by_bounds(values: &[i64], nulls: Option<&NullBuffer>, per_day: i64) -> Option<Vec<i64>> {
    let (lo, hi) = match nulls.filter(|n| n.null_count() > 0) {
        None => values.iter().fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v))),
        Some(n) => n
            .valid_indices()
            .filter_map(|i| values.get(i))
            .fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    };
    if lo > hi {
        return Some(vec![0; values.len()]);
    }
    let first = civil_from_days(lo.div_euclid(per_day)).0;
    let last = civil_from_days(hi.div_euclid(per_day)).0;
    let count = usize::try_from(last - first).ok().filter(|&c| c <= MAX_YEAR_BOUNDS)?;
    let mut bounds = [0i64; MAX_YEAR_BOUNDS];
    for (j, b) in bounds.iter_mut().take(count).enumerate() {
        *b = days_from_year(first + 1 + j as i64).checked_mul(per_day)?;
    }
    let bounds = bounds.get(..count)?;
    Some(values.iter().map(|&v| first + bounds.iter().map(|&b| i64::from(v >= b)).sum::<i64>()).collect())
}

/// `field` of every value of `a` as BIGINT, or `None` when this fast path does not apply.
pub(crate) fn date_part_fast(a: &ArrayRef, field: Field) -> Option<ArrayRef> {
    let nulls = a.nulls().cloned();
    let out: Vec<i64> = match a.data_type() {
        DataType::Date32 => {
            let days = a.as_primitive_opt::<Date32Type>()?.values();
            match field {
                Field::Year => years(days.iter().map(|&d| i64::from(d)), 1),
                Field::Month => days.iter().map(|&d| civil_from_days(i64::from(d)).1).collect(),
                Field::Day => days.iter().map(|&d| civil_from_days(i64::from(d)).2).collect(),
                _ => return None,
            }
        }
        DataType::Timestamp(unit, None) => {
            let values = timestamp_values(a, unit)?;
            let per_day = SECONDS_PER_DAY * unit_per_second(unit);
            let by_bounds =
                if field == Field::Year { years_by_bounds(values, nulls.as_ref(), per_day) } else { None };
            match by_bounds {
                Some(years) => years,
                None => match unit {
                    TimeUnit::Second => timestamp_part::<1>(values, field)?,
                    TimeUnit::Millisecond => timestamp_part::<1_000>(values, field)?,
                    TimeUnit::Microsecond => timestamp_part::<1_000_000>(values, field)?,
                    TimeUnit::Nanosecond => timestamp_part::<1_000_000_000>(values, field)?,
                },
            }
        }
        _ => return None,
    };
    Some(Arc::new(Int64Array::new(out.into(), nulls)))
}

/// The year of each value, `per_day` units a day.
fn years(values: impl Iterator<Item = i64>, per_day: i64) -> Vec<i64> {
    values.map(|v| civil_from_days(v.div_euclid(per_day)).0).collect()
}

/// `field` of timestamps with `PER_SECOND` units a second (a constant, so the divisions
/// become multiplications).
fn timestamp_part<const PER_SECOND: i64>(values: &[i64], field: Field) -> Option<Vec<i64>> {
    let per_day = PER_SECOND * SECONDS_PER_DAY;
    let out = match field {
        Field::Year => years(values.iter().copied(), per_day),
        Field::Month => values.iter().map(|&v| civil_from_days(v.div_euclid(per_day)).1).collect(),
        Field::Day => values.iter().map(|&v| civil_from_days(v.div_euclid(per_day)).2).collect(),
        Field::Hour => values.iter().map(|&v| v.rem_euclid(per_day) / (PER_SECOND * 3_600)).collect(),
        Field::Minute => {
            values.iter().map(|&v| v.rem_euclid(PER_SECOND * 3_600) / (PER_SECOND * 60)).collect()
        }
        _ => return None,
    };
    Some(out)
}

/// Units of `unit` in a second.
fn unit_per_second(unit: &TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1,
        TimeUnit::Millisecond => 1_000,
        TimeUnit::Microsecond => 1_000_000,
        TimeUnit::Nanosecond => 1_000_000_000,
    }
}

/// The raw i64 values of a timestamp array of `unit`.
fn timestamp_values<'a>(a: &'a ArrayRef, unit: &TimeUnit) -> Option<&'a [i64]> {
    use arrow::datatypes::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
    };
    let values: &[i64] = match unit {
        TimeUnit::Second => a.as_primitive_opt::<TimestampSecondType>()?.values(),
        TimeUnit::Millisecond => a.as_primitive_opt::<TimestampMillisecondType>()?.values(),
        TimeUnit::Microsecond => a.as_primitive_opt::<TimestampMicrosecondType>()?.values(),
        TimeUnit::Nanosecond => a.as_primitive_opt::<TimestampNanosecondType>()?.values(),
    };
    Some(values)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, ArrayRef, Date32Array, Int64Array, TimestampMicrosecondArray};
    use arrow::compute::cast;
    use arrow::compute::kernels::temporal::{date_part, DatePart};
    use arrow::datatypes::DataType;

    use super::{civil_from_days, date_part_fast, days_from_year};
    use crate::datetime::Field;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        for year in [-400, -1, 0, 1, 1900, 1969, 1970, 2000, 2023, 2024, 2100, 9999] {
            let d = days_from_year(year);
            assert_eq!(civil_from_days(d), (year, 1, 1), "{year}");
            assert_eq!(civil_from_days(d - 1), (year - 1, 12, 31), "{year}");
        }
    }

    /// Arrow's kernel, as BIGINT, is the oracle.
    fn assert_like_arrow(a: &ArrayRef) {
        for (field, part) in [
            (Field::Year, DatePart::Year),
            (Field::Month, DatePart::Month),
            (Field::Day, DatePart::Day),
            (Field::Hour, DatePart::Hour),
            (Field::Minute, DatePart::Minute),
        ] {
            let Some(fast) = date_part_fast(a, field) else {
                assert!(
                    matches!(a.data_type(), DataType::Date32) && matches!(field, Field::Hour | Field::Minute)
                );
                continue;
            };
            let want = cast(&date_part(a, part).unwrap(), &DataType::Int64).unwrap();
            assert_eq!(fast.as_ref(), want.as_ref(), "{field:?} of {}", a.data_type());
        }
    }

    #[test]
    fn matches_arrow_on_dates_and_timestamps() {
        let micros_per_day = 86_400_000_000i64;
        let mut stamps: Vec<Option<i64>> =
            (-800..800).map(|i| Some(i * 37 * micros_per_day + i * 3_599_999_999 + 17)).collect();
        stamps.extend([
            None,
            Some(0),
            Some(-1),
            Some(253_402_300_799_999_999),
            Some(-62_135_596_800_000_000),
        ]);
        let ts: ArrayRef = Arc::new(TimestampMicrosecondArray::from(stamps));
        assert_like_arrow(&ts);
        assert_like_arrow(&ts.slice(3, 100));
        let days: ArrayRef = Arc::new(Date32Array::from(
            (-3_000..3_000).map(|d| Some(d * 13)).chain([None]).collect::<Vec<_>>(),
        ));
        assert_like_arrow(&days);
        let with_zone: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![0]).with_timezone("UTC"));
        assert!(date_part_fast(&with_zone, Field::Year).is_none());
        // narrow spans (a few years, one year, New Year's instants) take the bounds path
        let new_year_2023 = days_from_year(2023) * micros_per_day;
        let narrow: Vec<Option<i64>> = (-40..40)
            .map(|i| Some(new_year_2023 + i * 9_876_543_210_987 % (400 * micros_per_day)))
            .chain([
                Some(new_year_2023),
                Some(new_year_2023 - 1),
                Some(days_from_year(2025) * micros_per_day - 1),
            ])
            .collect();
        let narrow: ArrayRef = Arc::new(TimestampMicrosecondArray::from(narrow));
        assert_like_arrow(&narrow);
        assert_like_arrow(&narrow.slice(40, 3));
        assert_like_arrow(&narrow.slice(80, 1));
        for unit_cast in [
            DataType::Timestamp(arrow::datatypes::TimeUnit::Second, None),
            DataType::Timestamp(arrow::datatypes::TimeUnit::Millisecond, None),
            DataType::Timestamp(arrow::datatypes::TimeUnit::Nanosecond, None),
        ] {
            assert_like_arrow(&cast(&narrow, &unit_cast).unwrap());
        }
        // a NULL whose slot holds a far-away value does not widen the span or change a year
        let values = arrow::buffer::ScalarBuffer::from(vec![new_year_2023, 0, new_year_2023 - 1, i64::MIN]);
        let nulls = arrow::buffer::NullBuffer::from(vec![true, false, true, false]);
        let with_nulls: ArrayRef = Arc::new(TimestampMicrosecondArray::new(values, Some(nulls)));
        let years = date_part_fast(&with_nulls, Field::Year).unwrap();
        assert_eq!(years.as_ref(), &Int64Array::from(vec![Some(2023), None, Some(2022), None]) as &dyn Array);
        let all_null: ArrayRef = Arc::new(TimestampMicrosecondArray::from(vec![None, None]));
        assert_eq!(date_part_fast(&all_null, Field::Year).unwrap().null_count(), 2);
        let year = date_part_fast(&ts, Field::Year).unwrap();
        assert_eq!(year.as_any().downcast_ref::<Int64Array>().unwrap().value(800), 1970);
    }
}
