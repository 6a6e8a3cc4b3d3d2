//! [`ScalarValue`]: one value of any Arrow type, stored as a one-row Arrow array.
//!
//! Keeping scalars as arrays means every Arrow type is supported without a parallel enum,
//! constant folding is just evaluating an expression on one row, and a scalar can be passed
//! straight to Arrow kernels as a `Datum` (see [`ScalarValue::as_datum`]).

use std::fmt;
use std::sync::Arc;

use arrow::array::{
    new_null_array, Array, ArrayRef, AsArray, BooleanArray, Date32Array, Decimal128Array, Float64Array,
    Int64Array, IntervalMonthDayNanoArray, Scalar, StringArray, TimestampMicrosecondArray, UInt32Array,
};
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, IntervalMonthDayNano};
use arrow::util::display::{ArrayFormatter, FormatOptions};

use crate::error::{Result, ShoalError};

/// A single value (possibly NULL) of an Arrow data type.
#[derive(Clone)]
pub struct ScalarValue(ArrayRef);

impl ScalarValue {
    /// Wrap a one-row array.
    pub fn try_from_array(array: ArrayRef) -> Result<Self> {
        if array.len() != 1 {
            return Err(ShoalError::Internal(format!(
                "a scalar needs a 1-row array, got {} rows",
                array.len()
            )));
        }
        Ok(Self(array))
    }

    /// The value at `index` of `array`.
    pub fn from_array_row(array: &dyn Array, index: usize) -> Self {
        Self(array.slice(index, 1))
    }

    /// A NULL of type `data_type`.
    pub fn null(data_type: &DataType) -> Self {
        Self(new_null_array(data_type, 1))
    }
    /// A `Boolean` value; `None` is NULL.
    pub fn boolean(v: Option<bool>) -> Self {
        Self(Arc::new(BooleanArray::from(vec![v])))
    }
    /// An `Int64` value; `None` is NULL.
    pub fn int64(v: Option<i64>) -> Self {
        Self(Arc::new(Int64Array::from(vec![v])))
    }
    /// A `Float64` value; `None` is NULL.
    pub fn float64(v: Option<f64>) -> Self {
        Self(Arc::new(Float64Array::from(vec![v])))
    }
    /// A `Utf8` string; `None` is NULL.
    pub fn utf8(v: Option<&str>) -> Self {
        Self(Arc::new(StringArray::from(vec![v])))
    }
    /// A `Date32`: days since 1970-01-01; `None` is NULL.
    pub fn date32(days: Option<i32>) -> Self {
        Self(Arc::new(Date32Array::from(vec![days])))
    }
    /// A `Timestamp(Microsecond, None)`: microseconds since 1970-01-01 00:00:00 (no time zone);
    /// `None` is NULL.
    pub fn timestamp_micros(v: Option<i64>) -> Self {
        Self(Arc::new(TimestampMicrosecondArray::from(vec![v])))
    }
    /// A `Decimal128(precision, scale)` of unscaled value `v` (`12345` at scale 2 is 123.45);
    /// `None` is NULL. Errors on a precision or scale Arrow does not allow.
    pub fn decimal128(v: Option<i128>, precision: u8, scale: i8) -> Result<Self> {
        let array = Decimal128Array::from(vec![v]).with_precision_and_scale(precision, scale)?;
        Ok(Self(Arc::new(array)))
    }
    /// An `Interval(MonthDayNano)`: the three parts are kept apart (a month is not a fixed
    /// number of days).
    pub fn interval(months: i32, days: i32, nanoseconds: i64) -> Self {
        Self(Arc::new(IntervalMonthDayNanoArray::from(vec![IntervalMonthDayNano::new(
            months,
            days,
            nanoseconds,
        )])))
    }

    /// The Arrow type of the value (also when it is NULL).
    pub fn data_type(&self) -> &DataType {
        self.0.data_type()
    }
    /// True when the value is NULL (including any value of the `Null` type).
    pub fn is_null(&self) -> bool {
        // `logical_nulls` also covers the Null type, whose array has no validity buffer.
        self.0.logical_nulls().is_some_and(|n| n.is_null(0))
    }
    /// The underlying one-row array.
    pub fn array(&self) -> &ArrayRef {
        &self.0
    }
    /// This scalar as an Arrow `Datum`, for kernels that broadcast scalars.
    pub fn as_datum(&self) -> Scalar<ArrayRef> {
        Scalar::new(Arc::clone(&self.0))
    }

    /// The value repeated `n` times.
    pub fn to_array(&self, n: usize) -> Result<ArrayRef> {
        if n == 1 {
            return Ok(Arc::clone(&self.0));
        }
        if self.is_null() {
            return Ok(new_null_array(self.data_type(), n));
        }
        let indices = UInt32Array::from(vec![0u32; n]);
        Ok(take(&self.0, &indices, None)?)
    }

    /// Cast to another type (errors on values that do not fit).
    pub fn cast_to(&self, data_type: &DataType) -> Result<Self> {
        if self.data_type() == data_type {
            return Ok(self.clone());
        }
        Ok(Self(crate::cast::sql_cast(&self.0, data_type, false)?))
    }

    /// The value as an i64, if it is a non-null integer (of any width) that fits.
    pub fn as_i64(&self) -> Option<i64> {
        if self.is_null() || !self.data_type().is_integer() {
            return None;
        }
        let c = cast(&self.0, &DataType::Int64).ok()?;
        let a = c.as_primitive_opt::<arrow::datatypes::Int64Type>()?;
        (!a.is_null(0)).then(|| a.value(0))
    }

    /// The value as an f64, if it is a non-null number.
    pub fn as_f64(&self) -> Option<f64> {
        if self.is_null() || !self.data_type().is_numeric() {
            return None;
        }
        let c = cast(&self.0, &DataType::Float64).ok()?;
        let a = c.as_primitive_opt::<arrow::datatypes::Float64Type>()?;
        (!a.is_null(0)).then(|| a.value(0))
    }

    /// The value as a string slice, if it is a non-null Utf8 / LargeUtf8 / Utf8View.
    pub fn as_str(&self) -> Option<&str> {
        if self.is_null() {
            return None;
        }
        match self.data_type() {
            DataType::Utf8 => Some(self.0.as_string::<i32>().value(0)),
            DataType::LargeUtf8 => Some(self.0.as_string::<i64>().value(0)),
            DataType::Utf8View => Some(self.0.as_string_view().value(0)),
            _ => None,
        }
    }

    /// The value as a bool, if it is a non-null boolean.
    pub fn as_bool(&self) -> Option<bool> {
        if self.is_null() {
            return None;
        }
        self.0.as_boolean_opt().map(|a| a.value(0))
    }

    /// Total order within one type, for statistics-based pruning; `None` when the types differ
    /// or either side is NULL.
    pub fn partial_cmp_value(&self, other: &ScalarValue) -> Option<std::cmp::Ordering> {
        if self.is_null() || other.is_null() || self.data_type() != other.data_type() {
            return None;
        }
        let l = arrow::compute::kernels::cmp::lt(&self.as_datum(), &other.as_datum()).ok()?;
        if l.value(0) {
            return Some(std::cmp::Ordering::Less);
        }
        let e = arrow::compute::kernels::cmp::eq(&self.as_datum(), &other.as_datum()).ok()?;
        Some(if e.value(0) { std::cmp::Ordering::Equal } else { std::cmp::Ordering::Greater })
    }

    /// The value as SQL would print it (strings quoted, NULL as `NULL`).
    pub fn to_sql_string(&self) -> String {
        if self.is_null() {
            return "NULL".to_string();
        }
        let text = self.display_value();
        match self.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                format!("'{}'", text.replace('\'', "''"))
            }
            DataType::Date32 | DataType::Date64 => format!("DATE '{text}'"),
            DataType::Timestamp(_, _) => format!("TIMESTAMP '{text}'"),
            DataType::Interval(_) => format!("INTERVAL '{text}'"),
            _ => text,
        }
    }

    /// The value formatted by Arrow's display rules, without quoting.
    pub fn display_value(&self) -> String {
        let options = FormatOptions::default().with_null("NULL");
        match ArrayFormatter::try_new(self.0.as_ref(), &options) {
            Ok(f) => f.value(0).to_string(),
            Err(_) => format!("{:?}", self.0),
        }
    }
}

impl PartialEq for ScalarValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_data() == other.0.to_data()
    }
}

impl fmt::Debug for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}::{}", self.to_sql_string(), self.data_type())
    }
}

impl fmt::Display for ScalarValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_sql_string())
    }
}

impl From<i64> for ScalarValue {
    fn from(v: i64) -> Self {
        ScalarValue::int64(Some(v))
    }
}
impl From<i32> for ScalarValue {
    fn from(v: i32) -> Self {
        ScalarValue::int64(Some(v as i64))
    }
}
impl From<f64> for ScalarValue {
    fn from(v: f64) -> Self {
        ScalarValue::float64(Some(v))
    }
}
impl From<bool> for ScalarValue {
    fn from(v: bool) -> Self {
        ScalarValue::boolean(Some(v))
    }
}
impl From<&str> for ScalarValue {
    fn from(v: &str) -> Self {
        ScalarValue::utf8(Some(v))
    }
}
impl From<String> for ScalarValue {
    fn from(v: String) -> Self {
        ScalarValue::utf8(Some(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_roundtrips_and_broadcasts() {
        let s = ScalarValue::int64(Some(7));
        assert_eq!(s.as_i64(), Some(7));
        let a = s.to_array(3).unwrap();
        assert_eq!(a.len(), 3);
        assert_eq!(ScalarValue::from_array_row(a.as_ref(), 2), s);
        assert_eq!(ScalarValue::utf8(Some("it's")).to_sql_string(), "'it''s'");
        assert!(ScalarValue::null(&DataType::Int32).is_null());
        assert!(ScalarValue::null(&DataType::Null).is_null());
        assert!(!ScalarValue::int64(Some(0)).is_null());
    }
}
