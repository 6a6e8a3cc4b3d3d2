//! Result values as sqllogictest text, under shoal's convention (`.slt`) or SQLite's (`.test`).
//!
//! shoal's convention (`.slt` files):
//! * NULL → `NULL`; the empty string → `(empty)`; other strings as they are;
//! * booleans → `true` / `false` (column type `B`);
//! * integers → plain digits (`I`);
//! * floats → Rust's shortest text that reads back to the same value, so an integral float prints
//!   without a fraction (`1`, `2.5`, `0.30000000000000004`); values below `1e-7` or from `1e16` up
//!   in magnitude use exponent notation (`1e16`, `1.5e-8`); `NaN`, `Infinity`, `-Infinity` (`R`).
//!   Unlike DataFusion's runner, floats are not rounded to 12 decimals: wrap sums whose value
//!   depends on the order of addition in `round()`;
//! * decimals → exact text at the column's scale, as PostgreSQL prints them (`3.50` for a
//!   `DECIMAL(10,2)`) (`R`);
//! * dates → `YYYY-MM-DD`; timestamps without a time zone → `YYYY-MM-DDTHH:MM:SS`, followed by
//!   `.ffffff` when there are fractional seconds (`.fffffffff` when they need nanoseconds);
//!   timestamps with a time zone → RFC 3339 text in that zone (`2024-02-29T14:34:56+02:00`, `Z` for
//!   UTC) (`T`);
//! * everything else (times, intervals, binary, lists, structs) → Arrow's display text (`T`).
//!
//! SQLite's convention (`.test` files, as in SQLite's own sqllogictest corpus):
//! floats and decimals print with three decimals (`%.3f`), booleans as `1`/`0` (type `I`), and
//! bytes of strings outside printable ASCII as `@`; the rest as above.

use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimeUnit, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal::{Result, ShoalError};

use crate::column_type::ShoalColumnType;

/// The text written for a NULL value.
pub const NULL_TEXT: &str = "NULL";
/// The text written for the empty string.
pub const EMPTY_TEXT: &str = "(empty)";

/// Which convention result values are printed in; chosen by the test file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueStyle {
    /// shoal's (and DataFusion's) convention, for `.slt` files.
    #[default]
    Shoal,
    /// SQLite's sqllogictest convention, for `.test` files.
    Sqlite,
}

impl ValueStyle {
    /// [`ValueStyle::Sqlite`] for `*.test` files, [`ValueStyle::Shoal`] for everything else.
    pub fn for_path(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("test") => ValueStyle::Sqlite,
            _ => ValueStyle::Shoal,
        }
    }
}

/// The type letter of a result column of type `data_type`.
pub fn column_type(data_type: &DataType, style: ValueStyle) -> ShoalColumnType {
    match data_type {
        DataType::Dictionary(_, value) => column_type(value, style),
        DataType::Boolean => match style {
            ValueStyle::Shoal => ShoalColumnType::Boolean,
            ValueStyle::Sqlite => ShoalColumnType::Integer,
        },
        t if t.is_integer() => ShoalColumnType::Integer,
        t if t.is_floating() => ShoalColumnType::Float,
        DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => ShoalColumnType::Float,
        _ => ShoalColumnType::Text,
    }
}

/// Every row of `batches` as one text value per column.
pub fn render_batches(batches: &[RecordBatch], style: ValueStyle) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
    for batch in batches {
        let columns =
            batch.columns().iter().map(|c| render_column(c.as_ref(), style)).collect::<Result<Vec<_>>>()?;
        for row in 0..batch.num_rows() {
            let mut values = Vec::with_capacity(columns.len());
            for column in &columns {
                match column.get(row) {
                    Some(v) => values.push(v.clone()),
                    None => {
                        return Err(ShoalError::Internal(format!(
                            "a result column has fewer values than its batch's {} rows",
                            batch.num_rows()
                        )))
                    }
                }
            }
            rows.push(values);
        }
    }
    Ok(rows)
}

/// Every value of one column as text.
pub fn render_column(array: &dyn Array, style: ValueStyle) -> Result<Vec<String>> {
    macro_rules! each {
        ($array:expr, $f:expr) => {
            (0..$array.len())
                .map(|i| if $array.is_null(i) { NULL_TEXT.to_string() } else { $f($array.value(i)) })
                .collect()
        };
    }
    macro_rules! integers {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            each!(a, |v| format!("{v}"))
        }};
    }
    Ok(match array.data_type() {
        DataType::Dictionary(_, value_type) => {
            let plain: ArrayRef = arrow::compute::cast(array, value_type)?;
            return render_column(plain.as_ref(), style);
        }
        DataType::Null => vec![NULL_TEXT.to_string(); array.len()],
        DataType::Boolean => {
            let a = array.as_boolean();
            each!(a, |v: bool| render_bool(v, style))
        }
        DataType::Int8 => integers!(Int8Type),
        DataType::Int16 => integers!(Int16Type),
        DataType::Int32 => integers!(Int32Type),
        DataType::Int64 => integers!(Int64Type),
        DataType::UInt8 => integers!(UInt8Type),
        DataType::UInt16 => integers!(UInt16Type),
        DataType::UInt32 => integers!(UInt32Type),
        DataType::UInt64 => integers!(UInt64Type),
        DataType::Float16 => {
            let wide: ArrayRef = arrow::compute::cast(array, &DataType::Float32)?;
            return render_column(wide.as_ref(), style);
        }
        DataType::Float32 => {
            let a = array.as_primitive::<Float32Type>();
            each!(a, |v: f32| render_f32(v, style))
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            each!(a, |v: f64| render_f64(v, style))
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            each!(a, |v: &str| render_str(v, style))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            each!(a, |v: &str| render_str(v, style))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            each!(a, |v: &str| render_str(v, style))
        }
        DataType::Timestamp(unit, None) => render_naive_timestamps(array, *unit)?,
        DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => {
            let exact = render_with_arrow(array)?;
            match style {
                ValueStyle::Shoal => exact,
                ValueStyle::Sqlite => exact
                    .into_iter()
                    .map(|text| match text.parse::<f64>() {
                        Ok(v) if text != NULL_TEXT => render_f64(v, style),
                        _ => text,
                    })
                    .collect(),
            }
        }
        _ => render_with_arrow(array)?,
    })
}

/// A boolean: `true`/`false`, or `1`/`0` under SQLite's convention.
pub fn render_bool(v: bool, style: ValueStyle) -> String {
    match (style, v) {
        (ValueStyle::Shoal, true) => "true".to_string(),
        (ValueStyle::Shoal, false) => "false".to_string(),
        (ValueStyle::Sqlite, true) => "1".to_string(),
        (ValueStyle::Sqlite, false) => "0".to_string(),
    }
}

/// A string: `(empty)` when empty; under SQLite's convention, non-printable bytes become `@`.
pub fn render_str(v: &str, style: ValueStyle) -> String {
    if v.is_empty() {
        return EMPTY_TEXT.to_string();
    }
    match style {
        ValueStyle::Shoal => v.to_string(),
        ValueStyle::Sqlite => {
            v.bytes().map(|b| if (b' '..=b'~').contains(&b) { b as char } else { '@' }).collect()
        }
    }
}

/// A 64-bit float (see the module docs for the rules).
pub fn render_f64(v: f64, style: ValueStyle) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    match style {
        ValueStyle::Sqlite => format!("{v:.3}"),
        ValueStyle::Shoal => {
            let magnitude = v.abs();
            if magnitude == 0.0 || (1e-7..1e16).contains(&magnitude) {
                format!("{v}")
            } else {
                format!("{v:e}")
            }
        }
    }
}

/// A 32-bit float: its own shortest text (so `1.1f32` prints `1.1`, not `1.100000023841858`).
pub fn render_f32(v: f32, style: ValueStyle) -> String {
    match style {
        ValueStyle::Shoal if v.is_finite() => {
            let magnitude = v.abs();
            if magnitude == 0.0 || (1e-7..1e16).contains(&magnitude) {
                format!("{v}")
            } else {
                format!("{v:e}")
            }
        }
        _ => render_f64(f64::from(v), style),
    }
}

/// Timestamps without a time zone: `YYYY-MM-DDTHH:MM:SS[.ffffff]`.
fn render_naive_timestamps(array: &dyn Array, unit: TimeUnit) -> Result<Vec<String>> {
    use arrow::array::temporal_conversions::{
        timestamp_ms_to_datetime, timestamp_ns_to_datetime, timestamp_s_to_datetime, timestamp_us_to_datetime,
    };
    let raw: ArrayRef = arrow::compute::cast(array, &DataType::Int64)?;
    let raw = raw.as_primitive::<Int64Type>();
    raw.iter()
        .map(|v| {
            let Some(v) = v else {
                return Ok(NULL_TEXT.to_string());
            };
            let datetime = match unit {
                TimeUnit::Second => timestamp_s_to_datetime(v),
                TimeUnit::Millisecond => timestamp_ms_to_datetime(v),
                TimeUnit::Microsecond => timestamp_us_to_datetime(v),
                TimeUnit::Nanosecond => timestamp_ns_to_datetime(v),
            };
            match datetime {
                Some(dt) => Ok(render_naive_datetime(dt)),
                None => Err(ShoalError::Execution(format!("timestamp value {v} ({unit:?}) is out of range"))),
            }
        })
        .collect()
}

/// `YYYY-MM-DDTHH:MM:SS`, then `.ffffff` (or `.fffffffff`) when there are fractional seconds.
pub fn render_naive_datetime(dt: chrono::NaiveDateTime) -> String {
    let base = dt.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = dt.and_utc().timestamp_subsec_nanos();
    if nanos == 0 {
        base
    } else if nanos % 1000 == 0 {
        format!("{base}.{:06}", nanos / 1000)
    } else {
        format!("{base}.{nanos:09}")
    }
}

/// Arrow's display text, with `NULL` for nulls and `YYYY-MM-DD` for dates.
fn render_with_arrow(array: &dyn Array) -> Result<Vec<String>> {
    let options = FormatOptions::default()
        .with_null(NULL_TEXT)
        .with_date_format(Some("%Y-%m-%d"))
        .with_datetime_format(Some("%Y-%m-%d"));
    let formatter = ArrayFormatter::try_new(array, &options)?;
    (0..array.len())
        .map(|i| {
            let text = formatter.value(i).try_to_string()?;
            Ok(if text.is_empty() { EMPTY_TEXT.to_string() } else { text })
        })
        .collect()
}
