//! Result values as sqllogictest text, in one of three conventions ([`ValueStyle`]): shoal's own
//! (`.slt`), SQLite's (`.test`) and DataFusion's (`.slt` files under a `datafusion/` directory,
//! or `--style datafusion`).
//!
//! shoal's convention ([`ValueStyle::Shoal`]):
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
//! SQLite's convention ([`ValueStyle::Sqlite`], as SQLite's reference runner prints): each value
//! is formatted by the TYPE LETTER its column has in the `query` record, not by its own type
//! (see [`render_sqlite_column`]): `I` → a 64-bit integer (floats and decimals truncated toward
//! zero, booleans `1`/`0`, text by its leading digits), `R` → `printf("%.3f")`, `T` (and any other
//! letter) → text, non-printable bytes as `@`. NULL is `NULL` and the empty string `(empty)` under
//! every letter. Without letters (a statement that returns rows) a column is formatted by the
//! letter of its type: `I` for integers and booleans, `R` for floats and decimals, `T` otherwise.
//!
//! DataFusion's convention ([`ValueStyle::DataFusion`], as DataFusion 55's `datafusion-sqllogictest`
//! prints): floats and decimals rounded to 12 decimal places (half to even) with trailing zeros
//! and a trailing point removed (`0.3`, `1`, `3.5`, `100000000000000000000`, never an exponent);
//! `NaN`, `Infinity`, `-Infinity`; booleans `true`/`false`; `NULL`; the empty string `(empty)`,
//! other strings without trailing newlines and with NUL as `\0`; everything else (dates,
//! timestamps, intervals, lists) as Arrow's display text with DataFusion's default options
//! (`2024-02-29T12:34:56.500`, durations spelled out, NULL list elements empty). A multi-line
//! last cell (an EXPLAIN plan) becomes one row per line, numbered `01)`, leading spaces as `-`.

use std::path::Path;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{
    DataType, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimeUnit, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, DurationFormat, FormatOptions};
use shoal::{Result, ShoalError};

use crate::column_type::ShoalColumnType;

/// The text written for a NULL value.
pub const NULL_TEXT: &str = "NULL";
/// The text written for the empty string.
pub const EMPTY_TEXT: &str = "(empty)";

/// Decimal places DataFusion's runner rounds floats and decimals to.
const DATAFUSION_DIGITS: usize = 12;

/// Which convention result values are printed in (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueStyle {
    /// shoal's convention, for its own `.slt` files.
    #[default]
    Shoal,
    /// SQLite's sqllogictest convention, for `.test` files.
    Sqlite,
    /// DataFusion's sqllogictest convention, for DataFusion's `.slt` files.
    DataFusion,
}

impl ValueStyle {
    /// The style a file gets unless one is chosen: [`ValueStyle::Sqlite`] for `*.test` files,
    /// [`ValueStyle::DataFusion`] for files in a directory named `datafusion` (any case; as in
    /// DataFusion's own `datafusion/sqllogictest/test_files/`), [`ValueStyle::Shoal`] otherwise.
    /// Only the path as given is looked at, so a relative path is what decides.
    pub fn for_path(path: &Path) -> Self {
        if path.extension().and_then(|e| e.to_str()) == Some("test") {
            return ValueStyle::Sqlite;
        }
        let in_datafusion_dir = path
            .parent()
            .into_iter()
            .flat_map(|dir| dir.components())
            .any(|c| c.as_os_str().to_str().is_some_and(|name| name.eq_ignore_ascii_case("datafusion")));
        if in_datafusion_dir {
            ValueStyle::DataFusion
        } else {
            ValueStyle::Shoal
        }
    }

    /// The style named `name`: `shoal`, `sqlite` or `datafusion`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "shoal" => Some(ValueStyle::Shoal),
            "sqlite" => Some(ValueStyle::Sqlite),
            "datafusion" => Some(ValueStyle::DataFusion),
            _ => None,
        }
    }

    /// `shoal`, `sqlite` or `datafusion`.
    pub fn name(self) -> &'static str {
        match self {
            ValueStyle::Shoal => "shoal",
            ValueStyle::Sqlite => "sqlite",
            ValueStyle::DataFusion => "datafusion",
        }
    }
}

/// The type letter of a result column of type `data_type`.
///
/// Under DataFusion's convention these are DataFusion's letters: `B`, `I`, `R` (floats and
/// decimals), `T` (strings and string dictionaries), `D` (dates and times), `P` (timestamps) and
/// `?` for everything else.
pub fn column_type(data_type: &DataType, style: ValueStyle) -> ShoalColumnType {
    if style == ValueStyle::DataFusion {
        return datafusion_column_type(data_type);
    }
    match data_type {
        DataType::Dictionary(_, value) => column_type(value, style),
        DataType::Boolean => match style {
            ValueStyle::Sqlite => ShoalColumnType::Integer,
            _ => ShoalColumnType::Boolean,
        },
        t if t.is_integer() => ShoalColumnType::Integer,
        t if t.is_floating() => ShoalColumnType::Float,
        t if is_decimal(t) => ShoalColumnType::Float,
        _ => ShoalColumnType::Text,
    }
}

fn datafusion_column_type(data_type: &DataType) -> ShoalColumnType {
    match data_type {
        DataType::Boolean => ShoalColumnType::Boolean,
        t if t.is_integer() => ShoalColumnType::Integer,
        t if t.is_floating() || is_decimal(t) => ShoalColumnType::Float,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ShoalColumnType::Text,
        DataType::Date32 | DataType::Date64 | DataType::Time32(_) | DataType::Time64(_) => {
            ShoalColumnType::Other('D')
        }
        DataType::Timestamp(_, _) => ShoalColumnType::Other('P'),
        DataType::Dictionary(key, value)
            if key.is_integer()
                && matches!(value.as_ref(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) =>
        {
            ShoalColumnType::Text
        }
        _ => ShoalColumnType::Other('?'),
    }
}

fn is_decimal(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Decimal32(_, _)
            | DataType::Decimal64(_, _)
            | DataType::Decimal128(_, _)
            | DataType::Decimal256(_, _)
    )
}

/// Every row of `batches` as one text value per column, each column formatted by its own type.
pub fn render_batches(batches: &[RecordBatch], style: ValueStyle) -> Result<Vec<Vec<String>>> {
    let rows = rows_of(batches, |column, _| render_column(column, style))?;
    Ok(match style {
        ValueStyle::DataFusion => rows.into_iter().flat_map(expand_multi_line_row).collect(),
        _ => rows,
    })
}

/// Every row of `batches` under SQLite's convention, column `i` formatted by `letters[i]` (the
/// letters of the `query` record; a column without a letter gets the letter of its type).
pub fn render_sqlite_batches(
    batches: &[RecordBatch],
    letters: &[ShoalColumnType],
) -> Result<Vec<Vec<String>>> {
    rows_of(batches, |column, i| {
        let letter =
            letters.get(i).copied().unwrap_or_else(|| column_type(column.data_type(), ValueStyle::Sqlite));
        render_sqlite_column(column, letter)
    })
}

fn rows_of(
    batches: &[RecordBatch],
    render: impl Fn(&dyn Array, usize) -> Result<Vec<String>>,
) -> Result<Vec<Vec<String>>> {
    let mut rows = Vec::with_capacity(batches.iter().map(|b| b.num_rows()).sum());
    for batch in batches {
        let columns = batch
            .columns()
            .iter()
            .enumerate()
            .map(|(i, c)| render(c.as_ref(), i))
            .collect::<Result<Vec<_>>>()?;
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

/// DataFusion's runner turns a last cell with newlines (an EXPLAIN plan) into one row per line:
/// `01)first line`, `02)--indented line` (leading spaces become `-`).
fn expand_multi_line_row(mut row: Vec<String>) -> Vec<Vec<String>> {
    let Some(last) = row.last() else {
        return vec![row];
    };
    if !last.contains('\n') {
        return vec![row];
    }
    let last = row.pop().unwrap_or_default();
    let mut rows = vec![row];
    for (i, line) in last.split('\n').enumerate() {
        let content = line.trim_start();
        let prefix = "-".repeat(line.len() - content.len());
        rows.push(vec![format!("{:02}){prefix}{content}", i + 1)]);
    }
    rows
}

/// Every value of one column as text, formatted by the column's own type.
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
    if style == ValueStyle::Sqlite {
        return render_sqlite_column(array, column_type(array.data_type(), style));
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
        t if is_decimal(t) => {
            let exact = render_with_arrow(array)?;
            match style {
                ValueStyle::DataFusion => {
                    exact
                        .into_iter()
                        .enumerate()
                        .map(|(i, text)| {
                            if array.is_null(i) {
                                text
                            } else {
                                round_decimal_text(&text, DATAFUSION_DIGITS)
                            }
                        })
                        .collect()
                }
                _ => exact,
            }
        }
        DataType::Timestamp(unit, None) if style == ValueStyle::Shoal => {
            render_naive_timestamps(array, *unit)?
        }
        _ if style == ValueStyle::DataFusion => render_with_datafusion_options(array)?,
        _ => render_with_arrow(array)?,
    })
}

/// A boolean: `true`/`false`, or `1`/`0` under SQLite's convention.
pub fn render_bool(v: bool, style: ValueStyle) -> String {
    match (style, v) {
        (ValueStyle::Sqlite, true) => "1".to_string(),
        (ValueStyle::Sqlite, false) => "0".to_string(),
        (_, true) => "true".to_string(),
        (_, false) => "false".to_string(),
    }
}

/// A string: `(empty)` when empty; under SQLite's convention, non-printable bytes become `@`;
/// under DataFusion's, trailing newlines are dropped and NUL is written `\0`.
pub fn render_str(v: &str, style: ValueStyle) -> String {
    if v.is_empty() {
        return EMPTY_TEXT.to_string();
    }
    match style {
        ValueStyle::Shoal => v.to_string(),
        ValueStyle::Sqlite => {
            v.bytes().map(|b| if (b' '..=b'~').contains(&b) { b as char } else { '@' }).collect()
        }
        ValueStyle::DataFusion => v.trim_end_matches('\n').replace('\u{0000}', "\\0"),
    }
}

/// A 64-bit float (see the module docs for the rules).
pub fn render_f64(v: f64, style: ValueStyle) -> String {
    match style {
        ValueStyle::Sqlite => sqlite_fixed3(v),
        _ if v.is_nan() => "NaN".to_string(),
        _ if v.is_infinite() => if v > 0.0 { "Infinity" } else { "-Infinity" }.to_string(),
        // Rust's `Display` of a float never uses an exponent, like the text DataFusion rounds.
        ValueStyle::DataFusion => round_decimal_text(&format!("{v}"), DATAFUSION_DIGITS),
        ValueStyle::Shoal => shortest_text(v, v.abs()),
    }
}

/// A 32-bit float: its own shortest text (so `1.1f32` prints `1.1`, not `1.100000023841858`).
pub fn render_f32(v: f32, style: ValueStyle) -> String {
    match style {
        ValueStyle::Shoal if v.is_finite() => shortest_text(v, v.abs()),
        ValueStyle::DataFusion if v.is_finite() => round_decimal_text(&format!("{v}"), DATAFUSION_DIGITS),
        _ => render_f64(f64::from(v), style),
    }
}

fn shortest_text<F: std::fmt::Display + std::fmt::LowerExp + Into<f64> + Copy>(v: F, magnitude: F) -> String {
    let magnitude: f64 = magnitude.into();
    if magnitude == 0.0 || (1e-7..1e16).contains(&magnitude) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Plain decimal text (`-12.3450`, `100`) rounded to `digits` decimal places, half to even (as
/// `BigDecimal::round` does), without trailing fractional zeros or a trailing point; zero is
/// `0`, never `-0`. Text that is not a plain decimal is returned as it is.
pub fn round_decimal_text(text: &str, digits: usize) -> String {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int_part.is_empty() && frac_part.is_empty()
        || !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit())
    {
        return text.to_string();
    }
    let frac_kept = frac_part.len().min(digits);
    let mut kept: Vec<u8> = int_part.bytes().chain(frac_part.bytes().take(digits)).collect();
    if frac_part.len() > digits {
        let rest = &frac_part.as_bytes()[digits..];
        let beyond_half = rest[1..].iter().any(|&b| b != b'0');
        let last_odd = kept.last().is_some_and(|d| (d - b'0') % 2 == 1);
        if rest[0] > b'5' || (rest[0] == b'5' && (beyond_half || last_odd)) {
            increment_digits(&mut kept);
        }
    }
    let (int_digits, frac_digits) = kept.split_at(kept.len() - frac_kept);
    let int_text = std::str::from_utf8(int_digits).unwrap_or("0").trim_start_matches('0');
    let frac_text = std::str::from_utf8(frac_digits).unwrap_or("").trim_end_matches('0');
    let int_text = if int_text.is_empty() { "0" } else { int_text };
    let is_zero = int_text == "0" && frac_text.is_empty();
    let mut out = String::with_capacity(int_text.len() + frac_text.len() + 2);
    if negative && !is_zero {
        out.push('-');
    }
    out.push_str(int_text);
    if !frac_text.is_empty() {
        out.push('.');
        out.push_str(frac_text);
    }
    out
}

/// Add one to a string of decimal digits, growing it on a carry out of the first digit.
fn increment_digits(digits: &mut Vec<u8>) {
    for d in digits.iter_mut().rev() {
        if *d == b'9' {
            *d = b'0';
        } else {
            *d += 1;
            return;
        }
    }
    digits.insert(0, b'1');
}

// ---------------------------------------------------------------------------------------------
// SQLite's convention: values formatted by the record's type letter.

/// One value as SQLite's runner sees it before formatting it by a type letter.
enum SqliteValue {
    Null,
    Integer(i128),
    Real(f64),
    /// A decimal's exact text at its scale (`3.50`), and the scale.
    Decimal(String, i8),
    Text(String),
}

/// Every value of one column formatted by `letter`, as SQLite's reference runner formats a value
/// of column type `I`, `R` or `T` (`sqlite3_column_int64`, `sqlite3_column_double` with
/// `%.3f`, `sqlite3_column_text`):
///
/// | value | `I` | `R` | `T` (and other letters) |
/// |---|---|---|---|
/// | NULL | `NULL` | `NULL` | `NULL` |
/// | integer `7` | `7` | `7.000` | `7` |
/// | boolean | `1` / `0` | `1.000` / `0.000` | `1` / `0` |
/// | float `-2.5` | `-2` (toward zero, saturating) | `-2.500` | `-2.5` (`%!.15g`: `2.0`, `1.0e+20`) |
/// | decimal `3.50` | `3` | `3.500` | `3.5` (as a double; scale 0 prints its digits) |
/// | text `12ab` | `12` (leading digits) | `12.000` (leading number) | `12ab` |
/// | empty text | `0` | `0.000` | `(empty)` |
/// | date, timestamp, other | by their text, as for text | | their text |
///
/// `%.3f` rounds half away from zero on the float's exact value (`0.0625` → `0.063`), as SQLite's
/// printf does; `NaN` prints `NaN` under every letter (SQLite itself has no NaN), infinities
/// `Inf` / `-Inf` (saturated under `I`). Text under `T` has bytes outside printable ASCII as `@`.
pub fn render_sqlite_column(array: &dyn Array, letter: ShoalColumnType) -> Result<Vec<String>> {
    let values = sqlite_values(array)?;
    Ok(values.into_iter().map(|v| format_sqlite_value(v, letter)).collect())
}

fn sqlite_values(array: &dyn Array) -> Result<Vec<SqliteValue>> {
    macro_rules! each {
        ($array:expr, $f:expr) => {
            (0..$array.len())
                .map(|i| if $array.is_null(i) { SqliteValue::Null } else { $f($array.value(i)) })
                .collect()
        };
    }
    macro_rules! integers {
        ($t:ty) => {{
            let a = array.as_primitive::<$t>();
            each!(a, |v| SqliteValue::Integer(i128::from(v)))
        }};
    }
    Ok(match array.data_type() {
        DataType::Dictionary(_, value_type) => {
            let plain: ArrayRef = arrow::compute::cast(array, value_type)?;
            return sqlite_values(plain.as_ref());
        }
        DataType::Null => (0..array.len()).map(|_| SqliteValue::Null).collect(),
        DataType::Boolean => {
            let a = array.as_boolean();
            each!(a, |v: bool| SqliteValue::Integer(i128::from(v)))
        }
        DataType::Int8 => integers!(Int8Type),
        DataType::Int16 => integers!(Int16Type),
        DataType::Int32 => integers!(Int32Type),
        DataType::Int64 => integers!(Int64Type),
        DataType::UInt8 => integers!(UInt8Type),
        DataType::UInt16 => integers!(UInt16Type),
        DataType::UInt32 => integers!(UInt32Type),
        DataType::UInt64 => integers!(UInt64Type),
        DataType::Float16 | DataType::Float32 => {
            let wide: ArrayRef = arrow::compute::cast(array, &DataType::Float64)?;
            return sqlite_values(wide.as_ref());
        }
        DataType::Float64 => {
            let a = array.as_primitive::<Float64Type>();
            each!(a, SqliteValue::Real)
        }
        DataType::Utf8 => {
            let a = array.as_string::<i32>();
            each!(a, |v: &str| SqliteValue::Text(v.to_string()))
        }
        DataType::LargeUtf8 => {
            let a = array.as_string::<i64>();
            each!(a, |v: &str| SqliteValue::Text(v.to_string()))
        }
        DataType::Utf8View => {
            let a = array.as_string_view();
            each!(a, |v: &str| SqliteValue::Text(v.to_string()))
        }
        DataType::Decimal32(_, scale)
        | DataType::Decimal64(_, scale)
        | DataType::Decimal128(_, scale)
        | DataType::Decimal256(_, scale) => {
            let scale = *scale;
            render_with_arrow(array)?
                .into_iter()
                .enumerate()
                .map(
                    |(i, text)| {
                        if array.is_null(i) {
                            SqliteValue::Null
                        } else {
                            SqliteValue::Decimal(text, scale)
                        }
                    },
                )
                .collect()
        }
        // Dates, timestamps and the rest: SQLite stores them as text.
        _ => render_column(array, ValueStyle::Shoal)?
            .into_iter()
            .enumerate()
            .map(|(i, text)| {
                if array.is_null(i) {
                    SqliteValue::Null
                } else if text == EMPTY_TEXT {
                    SqliteValue::Text(String::new())
                } else {
                    SqliteValue::Text(text)
                }
            })
            .collect(),
    })
}

fn format_sqlite_value(value: SqliteValue, letter: ShoalColumnType) -> String {
    match (letter, value) {
        (_, SqliteValue::Null) => NULL_TEXT.to_string(),
        (_, SqliteValue::Real(v)) if v.is_nan() => "NaN".to_string(),
        (ShoalColumnType::Integer, value) => match value {
            SqliteValue::Integer(i) => i.to_string(),
            // `as` truncates toward zero and saturates, like SQLite's doubleToInt64.
            SqliteValue::Real(v) => (v as i64).to_string(),
            SqliteValue::Decimal(text, _) => {
                let int_part = text.split('.').next().unwrap_or("0");
                match int_part.parse::<i128>() {
                    Ok(i) => i.clamp(i128::from(i64::MIN), i128::from(i64::MAX)).to_string(),
                    Err(_) => sqlite_text_to_int(&text).to_string(),
                }
            }
            SqliteValue::Text(text) => sqlite_text_to_int(&text).to_string(),
            SqliteValue::Null => NULL_TEXT.to_string(),
        },
        (ShoalColumnType::Float, value) => match value {
            SqliteValue::Integer(i) => sqlite_fixed3(i as f64),
            SqliteValue::Real(v) => sqlite_fixed3(v),
            SqliteValue::Decimal(text, _) => sqlite_fixed3(text.parse::<f64>().unwrap_or(0.0)),
            SqliteValue::Text(text) => sqlite_fixed3(sqlite_text_to_real(&text)),
            SqliteValue::Null => NULL_TEXT.to_string(),
        },
        (_, value) => match value {
            SqliteValue::Integer(i) => i.to_string(),
            SqliteValue::Real(v) => sqlite_g15(v),
            SqliteValue::Decimal(text, scale) if scale <= 0 => text,
            SqliteValue::Decimal(text, _) => sqlite_g15(text.parse::<f64>().unwrap_or(0.0)),
            SqliteValue::Text(text) => render_str(&text, ValueStyle::Sqlite),
            SqliteValue::Null => NULL_TEXT.to_string(),
        },
    }
}

/// `printf("%.3f", v)` as SQLite prints it: rounded half away from zero on the exact value; a
/// minus sign only for values below zero (`-0.0` prints `0.000`, `-0.0001` prints `-0.000`).
pub fn sqlite_fixed3(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf" } else { "-Inf" }.to_string();
    }
    // Every finite double has an exact decimal expansion of at most 1074 fractional digits.
    let exact = format!("{:.1074}", v.abs());
    let (int_part, frac_part) = exact.split_once('.').unwrap_or((&exact, ""));
    let frac = frac_part.as_bytes();
    let mut digits: Vec<u8> = int_part.bytes().chain(frac.iter().take(3).copied()).collect();
    if frac.get(3).is_some_and(|&d| d >= b'5') {
        increment_digits(&mut digits);
    }
    let (int_digits, frac_digits) = digits.split_at(digits.len() - 3);
    let mut out = String::with_capacity(digits.len() + 2);
    if v < 0.0 {
        out.push('-');
    }
    out.push_str(std::str::from_utf8(int_digits).unwrap_or("0"));
    out.push('.');
    out.push_str(std::str::from_utf8(frac_digits).unwrap_or("000"));
    out
}

/// `printf("%!.15g", v)`, SQLite's text of a double: 15 significant digits, trailing zeros
/// removed but one kept after the point (`2.0`), an exponent of at least two digits below `1e-4`
/// and from `1e15` up (`1.0e+20`, `1.5e-05`).
pub fn sqlite_g15(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Inf" } else { "-Inf" }.to_string();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    if v == 0.0 {
        return "0.0".to_string();
    }
    let scientific = format!("{:.14e}", v.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..15).contains(&exponent) {
        let (first, rest) = digits.split_at(1);
        let rest = rest.trim_end_matches('0');
        let rest = if rest.is_empty() { "0" } else { rest };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}.{rest}e{exponent_sign}{:02}", exponent.abs());
    }
    let (int_part, frac_part) = if exponent >= 0 {
        let split = (exponent + 1) as usize;
        (digits[..split].to_string(), digits[split..].to_string())
    } else {
        ("0".to_string(), format!("{}{digits}", "0".repeat((-exponent - 1) as usize)))
    };
    let frac_part = frac_part.trim_end_matches('0');
    let frac_part = if frac_part.is_empty() { "0" } else { frac_part };
    format!("{sign}{int_part}.{frac_part}")
}

/// `sqlite3_column_int64` of text: optional spaces and sign, then the leading digits (0 when
/// there are none), saturating at the 64-bit range.
fn sqlite_text_to_int(text: &str) -> i64 {
    let text = text.trim_start();
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i128 = 0;
    for b in rest.bytes().take_while(u8::is_ascii_digit) {
        value = (value * 10 + i128::from(b - b'0')).min(i128::from(i64::MAX) + 1);
    }
    let value = if negative { -value } else { value };
    value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// `sqlite3_column_double` of text: the longest leading number (`1.5e3x` → 1500), else 0.
fn sqlite_text_to_real(text: &str) -> f64 {
    let text = text.trim_start();
    let bytes = text.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'-' | b'+')) {
        end = 1;
    }
    let digits_from = |mut i: usize| {
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits_from(end);
    let mut number_end = int_end;
    if bytes.get(int_end) == Some(&b'.') {
        number_end = digits_from(int_end + 1);
    }
    if number_end == end || (number_end == end + 1 && bytes.get(end) == Some(&b'.')) {
        return 0.0;
    }
    if matches!(bytes.get(number_end), Some(b'e' | b'E')) {
        let mut exp_start = number_end + 1;
        if matches!(bytes.get(exp_start), Some(b'-' | b'+')) {
            exp_start += 1;
        }
        let exp_end = digits_from(exp_start);
        if exp_end > exp_start {
            number_end = exp_end;
        }
    }
    text[..number_end].parse().unwrap_or(0.0)
}

// ---------------------------------------------------------------------------------------------

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

/// Arrow's display text with DataFusion's default format options (durations spelled out, NULLs
/// inside nested values empty); `NULL` for a NULL value.
fn render_with_datafusion_options(array: &dyn Array) -> Result<Vec<String>> {
    let options = FormatOptions::new().with_duration_format(DurationFormat::Pretty);
    let formatter = ArrayFormatter::try_new(array, &options)?;
    (0..array.len())
        .map(|i| {
            if array.is_null(i) {
                Ok(NULL_TEXT.to_string())
            } else {
                Ok(formatter.value(i).try_to_string()?)
            }
        })
        .collect()
}
