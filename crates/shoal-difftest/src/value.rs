//! Engine-neutral result rows: every Arrow value becomes a [`Value`] that compares by meaning.

use std::fmt;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{
    DataType, Date64Type, Decimal128Type, Float64Type, Int64Type, Schema, TimeUnit, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt64Type,
};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use arrow::temporal_conversions::{date32_to_datetime, timestamp_ns_to_datetime};
use arrow::util::display::{ArrayFormatter, FormatOptions};

const NANOS_PER_DAY: i128 = 86_400_000_000_000;

/// One value of a result, normalised so the same answer compares equal across engines.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// Any integer type.
    Int(i128),
    Float(f64),
    /// A decimal: its value (as a double, exact far beyond the tolerances used) and its scale.
    /// Decimals match numbers within one unit of their last digit, so an engine that
    /// truncates `avg(decimal)` to the result scale and one that rounds it agree.
    Decimal(f64, i8),
    Str(String),
    /// Days since 1970-01-01.
    Date(i32),
    /// Nanoseconds since 1970-01-01 00:00:00 UTC (any unit, any time zone).
    Timestamp(i128),
    /// Anything else (intervals, durations, times, lists, ...), as displayed by Arrow.
    Other(String),
}

/// One result row.
pub type Row = Vec<Value>;

impl Value {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) | Value::Decimal(f, _) => Some(*f),
            _ => None,
        }
    }

    /// Dates and timestamps as nanoseconds since the epoch, so a date equals its midnight.
    pub fn as_instant(&self) -> Option<i128> {
        match self {
            Value::Date(d) => Some(i128::from(*d) * NANOS_PER_DAY),
            Value::Timestamp(ns) => Some(*ns),
            _ => None,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Decimal(x, scale) => write!(f, "{x:.*}", usize::try_from(*scale).unwrap_or(0)),
            Value::Str(s) => write!(f, "'{s}'"),
            Value::Date(d) => match date32_to_datetime(*d) {
                Some(dt) => write!(f, "{}", dt.date()),
                None => write!(f, "date({d})"),
            },
            Value::Timestamp(ns) => match i64::try_from(*ns).ok().and_then(timestamp_ns_to_datetime) {
                Some(dt) => write!(f, "{dt}"),
                None => write!(f, "timestamp_ns({ns})"),
            },
            Value::Other(s) => f.write_str(s),
        }
    }
}

/// A normalised query result: column names and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl ResultSet {
    /// Normalise `batches` (all with `schema`).
    pub fn from_batches(schema: &Schema, batches: &[RecordBatch]) -> Result<Self, ArrowError> {
        let columns = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut rows = Vec::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
        for batch in batches {
            let cols = batch.columns().iter().map(column_values).collect::<Result<Vec<_>, _>>()?;
            for r in 0..batch.num_rows() {
                rows.push(cols.iter().map(|c| c.get(r).cloned().unwrap_or(Value::Null)).collect());
            }
        }
        Ok(Self { columns, rows })
    }
}

fn timestamp_factor(unit: &TimeUnit) -> i128 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// The values of one column.
fn column_values(array: &ArrayRef) -> Result<Vec<Value>, ArrowError> {
    let n = array.len();
    let valid = |i: usize| array.is_valid(i);
    let values: Vec<Value> = match array.data_type() {
        DataType::Null => vec![Value::Null; n],
        DataType::Boolean => {
            let a = array.as_boolean();
            (0..n).map(|i| if valid(i) { Value::Bool(a.value(i)) } else { Value::Null }).collect()
        }
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32 => {
            let c = cast(array, &DataType::Int64)?;
            let a = c.as_primitive::<Int64Type>();
            (0..n).map(|i| if valid(i) { Value::Int(i128::from(a.value(i))) } else { Value::Null }).collect()
        }
        DataType::UInt64 => {
            let a = array.as_primitive::<UInt64Type>();
            (0..n).map(|i| if valid(i) { Value::Int(i128::from(a.value(i))) } else { Value::Null }).collect()
        }
        DataType::Decimal128(_, scale) => {
            let a = array.as_primitive::<Decimal128Type>();
            let div = 10f64.powi(i32::from(*scale));
            (0..n)
                .map(|i| if valid(i) { Value::Decimal(a.value(i) as f64 / div, *scale) } else { Value::Null })
                .collect()
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 | DataType::Decimal256(_, _) => {
            let c = cast(array, &DataType::Float64)?;
            let a = c.as_primitive::<Float64Type>();
            (0..n).map(|i| if valid(i) { Value::Float(a.value(i)) } else { Value::Null }).collect()
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Dictionary(_, _) => {
            let c = cast(array, &DataType::Utf8)?;
            let a = c.as_string::<i32>();
            (0..n)
                .map(|i| if c.is_valid(i) { Value::Str(a.value(i).to_string()) } else { Value::Null })
                .collect()
        }
        DataType::Date32 => {
            let a = array.as_primitive::<arrow::datatypes::Date32Type>();
            (0..n).map(|i| if valid(i) { Value::Date(a.value(i)) } else { Value::Null }).collect()
        }
        DataType::Date64 => {
            let a = array.as_primitive::<Date64Type>();
            (0..n)
                .map(|i| {
                    if valid(i) {
                        Value::Timestamp(i128::from(a.value(i)) * 1_000_000)
                    } else {
                        Value::Null
                    }
                })
                .collect()
        }
        DataType::Timestamp(unit, _) => {
            let factor = timestamp_factor(unit);
            let raw: Vec<Option<i64>> = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().iter().collect(),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().iter().collect(),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().iter().collect(),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().iter().collect(),
            };
            raw.into_iter()
                .map(|v| v.map_or(Value::Null, |v| Value::Timestamp(i128::from(v) * factor)))
                .collect()
        }
        _ => {
            let formatter = ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())?;
            (0..n)
                .map(|i| if valid(i) { Value::Other(formatter.value(i).to_string()) } else { Value::Null })
                .collect()
        }
    };
    Ok(values)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Decimal128Array, StringViewArray, TimestampSecondArray};
    use arrow::datatypes::Field;

    use super::*;

    #[test]
    fn normalises_decimals_strings_and_timestamps() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("d", DataType::Decimal128(15, 2), true),
            Field::new("s", DataType::Utf8View, true),
            Field::new("t", DataType::Timestamp(TimeUnit::Second, None), true),
        ]));
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(
                    Decimal128Array::from(vec![Some(1234), None]).with_precision_and_scale(15, 2).unwrap(),
                ),
                Arc::new(StringViewArray::from(vec![Some("a"), None])),
                Arc::new(TimestampSecondArray::from(vec![Some(86_400), None])),
            ],
        )
        .unwrap();
        let rs = ResultSet::from_batches(&schema, &[batch]).unwrap();
        assert_eq!(rs.columns, ["d", "s", "t"]);
        assert_eq!(
            rs.rows[0],
            vec![Value::Decimal(12.34, 2), Value::Str("a".into()), Value::Timestamp(NANOS_PER_DAY)]
        );
        assert_eq!(rs.rows[1], vec![Value::Null, Value::Null, Value::Null]);
        assert_eq!(Value::Date(1).as_instant(), rs.rows[0][2].as_instant());
        assert_eq!(rs.rows[0][2].to_string(), "1970-01-02 00:00:00");
        assert_eq!(rs.rows[0][0].to_string(), "12.34");
        assert_eq!(Value::Date(1).to_string(), "1970-01-02");
    }
}
