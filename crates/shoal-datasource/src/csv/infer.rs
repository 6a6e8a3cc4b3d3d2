//! CSV schema inference and the strict value checks shared by inference, reading and error
//! reporting.
//!
//! A column's type is the narrowest of BOOLEAN → BIGINT → DOUBLE → DATE → TIMESTAMP → VARCHAR
//! that every sampled non-empty value parses as (empty values are NULL and do not vote; a
//! column with no values is VARCHAR). Integers too large for BIGINT make the column VARCHAR
//! rather than a lossy DOUBLE; timestamps with more than 6 fractional digits make it VARCHAR
//! rather than losing digits.

use super::temporal::{parse_date32, parse_timestamp};
use arrow::array::timezone::Tz;
use arrow::compute::kernels::cast_utils::{parse_decimal, Parser};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, Float16Type, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, TimeUnit, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};

/// The candidate types a column can still have while sampling.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TypeVotes {
    seen: bool,
    boolean: bool,
    int: bool,
    float: bool,
    date: bool,
    timestamp: bool,
}

impl Default for TypeVotes {
    fn default() -> Self {
        Self { seen: false, boolean: true, int: true, float: true, date: true, timestamp: true }
    }
}

impl TypeVotes {
    /// Account for one non-empty value.
    pub(crate) fn add(&mut self, s: &str) {
        self.seen = true;
        if self.boolean && parse_bool(s).is_none() {
            self.boolean = false;
        }
        if self.int && Int64Type::parse(s).is_none() {
            self.int = false;
            // An integer too large for BIGINT would lose digits as a DOUBLE.
            if is_integer_text(s) {
                self.float = false;
            }
        }
        if self.float && Float64Type::parse(s).is_none() {
            self.float = false;
        }
        if self.date && !looks_like_date(s) {
            self.date = false;
        }
        if self.timestamp && !looks_like_timestamp(s) {
            self.timestamp = false;
        }
    }

    /// The narrowest type every value seen fits.
    pub(crate) fn data_type(&self) -> DataType {
        if !self.seen {
            DataType::Utf8
        } else if self.boolean {
            DataType::Boolean
        } else if self.int {
            DataType::Int64
        } else if self.float {
            DataType::Float64
        } else if self.date {
            DataType::Date32
        } else if self.timestamp {
            DataType::Timestamp(TimeUnit::Microsecond, None)
        } else {
            DataType::Utf8
        }
    }
}

/// `true` / `false`, any case (exactly what Arrow's CSV reader accepts).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// An optional sign followed by digits (surrounding blanks allowed).
fn is_integer_text(s: &str) -> bool {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `YYYY-MM-DD` and a valid date.
fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && Date32Type::parse(s).is_some()
}

/// `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS[.ffffff]` (also with `T`), and valid.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.get(..10).is_some_and(looks_like_date) {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time_ok = b.len() >= 19
        && matches!(b[10], b' ' | b'T')
        && b[13] == b':'
        && b[16] == b':'
        && [11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit());
    if !time_ok {
        return false;
    }
    let frac = &b[19..];
    let frac_ok = frac.is_empty()
        || (frac[0] == b'.' && (2..=7).contains(&frac.len()) && frac[1..].iter().all(u8::is_ascii_digit));
    frac_ok && parse_timestamp(s, TimeUnit::Microsecond, None).is_some()
}

/// Does the non-empty text `s` fit a column of type `t` when read?
pub(crate) fn value_fits(s: &str, t: &DataType) -> bool {
    match t {
        DataType::Boolean => parse_bool(s).is_some(),
        DataType::Int8 => Int8Type::parse(s).is_some(),
        DataType::Int16 => Int16Type::parse(s).is_some(),
        DataType::Int32 => Int32Type::parse(s).is_some(),
        DataType::Int64 => Int64Type::parse(s).is_some(),
        DataType::UInt8 => UInt8Type::parse(s).is_some(),
        DataType::UInt16 => UInt16Type::parse(s).is_some(),
        DataType::UInt32 => UInt32Type::parse(s).is_some(),
        DataType::UInt64 => UInt64Type::parse(s).is_some(),
        DataType::Float16 => Float16Type::parse(s).is_some(),
        DataType::Float32 => Float32Type::parse(s).is_some(),
        DataType::Float64 => Float64Type::parse(s).is_some(),
        DataType::Date32 => parse_date32(s).is_some(),
        DataType::Date64 => Date64Type::parse(s).is_some(),
        DataType::Timestamp(unit, tz) => {
            let tz = match tz.as_deref().map(str::parse::<Tz>) {
                Some(Ok(tz)) => Some(tz),
                Some(Err(_)) => return false,
                None => None,
            };
            parse_timestamp(s, *unit, tz.as_ref()).is_some()
        }
        DataType::Decimal128(p, sc) => parse_decimal::<Decimal128Type>(s, *p, *sc).is_ok(),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        other => {
            let array = arrow::array::StringArray::from(vec![s]);
            let options = arrow::compute::CastOptions { safe: false, ..Default::default() };
            arrow::compute::cast_with_options(&array, other, &options).is_ok()
        }
    }
}

/// The SQL name of a type, for messages.
pub(crate) fn sql_type_name(t: &DataType) -> String {
    match t {
        DataType::Boolean => "BOOLEAN".into(),
        DataType::Int8 => "TINYINT".into(),
        DataType::Int16 => "SMALLINT".into(),
        DataType::Int32 => "INTEGER".into(),
        DataType::Int64 => "BIGINT".into(),
        DataType::UInt8 => "UTINYINT".into(),
        DataType::UInt16 => "USMALLINT".into(),
        DataType::UInt32 => "UINTEGER".into(),
        DataType::UInt64 => "UBIGINT".into(),
        DataType::Float32 => "REAL".into(),
        DataType::Float64 => "DOUBLE".into(),
        DataType::Date32 | DataType::Date64 => "DATE".into(),
        DataType::Timestamp(_, None) => "TIMESTAMP".into(),
        DataType::Timestamp(_, Some(_)) => "TIMESTAMPTZ".into(),
        DataType::Decimal128(p, s) => format!("DECIMAL({p},{s})"),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => "VARCHAR".into(),
        other => other.to_string(),
    }
}
