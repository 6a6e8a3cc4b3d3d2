//! The fast path for CSV byte ranges with simple quoting: fields are split by scanning 64-byte
//! blocks for the delimiter, newline and quote bytes at once (a running parity of quotes
//! masks separators inside quoted values), and only the projected columns are converted,
//! straight into Arrow arrays, with the same value parsers the Arrow decoder uses.
//!
//! A range qualifies when it is valid UTF-8, holds no escape byte, every carriage return ends
//! a line (`\r\n`), and every quoted value is a whole field on one line with its inner quotes
//! doubled. Such a range is read exactly as the Arrow decoder reads it: blank lines are
//! skipped, a `\r` before `\n` is not part of the last field, an empty field is NULL. Other
//! ranges go to the Arrow decoder. A wrong field count or a value that does not parse is
//! reported as a short message; the caller then names the file, line and column.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::timezone::Tz;
use arrow::array::{ArrayRef, BooleanBufferBuilder, BooleanBuilder, PrimitiveArray, StringBuilder};
use arrow::buffer::NullBuffer;
use arrow::compute::kernels::cast_utils::Parser;
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Date32Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, TimeUnit, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};

use super::infer::parse_bool;
use super::temporal::{parse_date32, parse_timestamp};

/// Largest range the fast path reads at once (field positions are `u32`).
pub(crate) const MAX_PLAIN_BYTES: u64 = 1 << 31;

/// Can the fast path convert a column of type `t`?
pub(crate) fn supports_type(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Boolean
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64
            | DataType::Float32
            | DataType::Float64
            | DataType::Utf8
            | DataType::Date32
            | DataType::Timestamp(_, _)
    )
}

/// `bytes` as text when the fast path can read it (see the module docs), else `None`.
pub(crate) fn plain_text(bytes: &[u8], delimiter: u8, quote: u8, escape: Option<u8>) -> Option<&str> {
    if !delimiter.is_ascii() || !quote.is_ascii() || !simple_quotes(bytes, delimiter, quote) {
        return None;
    }
    if escape.is_some_and(|e| memchr::memchr(e, bytes).is_some()) {
        return None;
    }
    // A lone `\r` ends a record for the Arrow decoder; only `\r\n` is handled here.
    let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    if lone_cr {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Is every quoted value of `bytes` a whole field on one line, with its inner quotes doubled?
/// Then a delimiter or newline is a separator exactly when an even number of quotes precede
/// it on its line, and a field's value is its text without the outer quotes, `""` read as `"`.
fn simple_quotes(bytes: &[u8], delimiter: u8, quote: u8) -> bool {
    let mut from = 0;
    while let Some(found) = bytes.get(from..).and_then(|rest| memchr::memchr(quote, rest)) {
        let open = from + found;
        if open > 0 && !matches!(bytes.get(open - 1), Some(&b) if b == delimiter || b == b'\n') {
            return false;
        }
        let mut at = open + 1;
        loop {
            let Some(next) = bytes.get(at..).and_then(|rest| memchr::memchr2(quote, b'\n', rest)) else {
                return false;
            };
            let close = at + next;
            if bytes.get(close) != Some(&quote) {
                return false;
            }
            at = close + 1;
            match bytes.get(close + 1) {
                Some(&b) if b == quote => at = close + 2,
                None | Some(&b'\n') | Some(&b'\r') => break,
                Some(&b) if b == delimiter => break,
                Some(_) => return false,
            }
        }
        // `at` is now just past the closing quote.
        from = at;
    }
    true
}

/// Each bit `i` of the result is the parity of the bits `0..=i` of `x`: set inside quotes.
#[inline]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// Bit `i` of the first mask is set where `block[i] == delimiter`, of the second where it is
/// a newline. Bytes are compared into a byte array (which vectorizes), then the flags of each
/// 8 bytes are gathered into 8 bits with one multiplication.
#[inline]
fn block_masks(block: &[u8; 64], delimiter: u8, quote: u8) -> (u64, u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const GATHER: u64 = 0x0102_0408_1020_4080;
    let mut flags = [0u8; 64];
    for (f, &b) in flags.iter_mut().zip(block) {
        *f = u8::from(b == delimiter) | (u8::from(b == b'\n') << 1) | (u8::from(b == quote) << 2);
    }
    let (mut delimiters, mut newlines, mut quotes) = (0u64, 0u64, 0u64);
    for (k, word) in flags.chunks_exact(8).enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        delimiters |= ((w & ONES).wrapping_mul(GATHER) >> 56) << (8 * k);
        newlines |= (((w >> 1) & ONES).wrapping_mul(GATHER) >> 56) << (8 * k);
        quotes |= (((w >> 2) & ONES).wrapping_mul(GATHER) >> 56) << (8 * k);
    }
    (delimiters, newlines, quotes)
}

/// Splits plain text into records, remembering where each field starts.
pub(crate) struct FieldSplitter {
    delimiter: u8,
    quote: u8,
    ncols: usize,
    /// Next byte to read.
    pos: usize,
    /// Row-major field starts of the current batch: `ncols + 1` entries a row, the last one
    /// just past the end of the last field plus one, so field `k` is `[s[k], s[k + 1] - 1)`.
    starts: Vec<u32>,
}

impl FieldSplitter {
    pub(crate) fn new(delimiter: u8, quote: u8, ncols: usize) -> Self {
        Self { delimiter, quote, ncols: ncols.max(1), pos: 0, starts: vec![] }
    }

    /// Has all of `text` been split?
    pub(crate) fn at_end(&self, text: &str) -> bool {
        self.pos >= text.len()
    }

    /// Split up to `max_rows` records from the current position; returns the rows split, or
    /// a message when a record has the wrong number of fields.
    pub(crate) fn split(&mut self, text: &str, max_rows: usize) -> Result<usize, String> {
        let bytes = text.as_bytes();
        let stride = self.ncols + 1;
        self.starts.clear();
        let mut rows = 0;
        let mut line_start = self.pos;
        let mut field = 0usize;
        self.starts.push(line_start as u32);
        let mut base = self.pos;
        let (delimiter, quote) = (self.delimiter, self.quote);
        // All ones while inside a quoted value at the start of the block.
        let mut carry = 0u64;
        while base < bytes.len() && rows < max_rows {
            let len = (bytes.len() - base).min(64);
            let chunk = bytes.get(base..base + len).unwrap_or_default();
            let (delimiter_mask, newline_mask, quote_mask) = match <&[u8; 64]>::try_from(chunk) {
                Ok(block) => block_masks(block, delimiter, quote),
                Err(_) => {
                    let mut block = [0u8; 64];
                    block[..len].copy_from_slice(chunk);
                    block_masks(&block, delimiter, quote)
                }
            };
            let inside = prefix_xor(quote_mask) ^ carry;
            carry = if inside >> 63 == 1 { u64::MAX } else { 0 };
            let valid = (u64::MAX >> (64 - len)) & !inside;
            let newline_mask = newline_mask & valid;
            let mut marks = (delimiter_mask & valid) | newline_mask;
            let mut next_base = base + len;
            while marks != 0 {
                let bit = marks.trailing_zeros() as usize;
                marks &= marks - 1;
                let at = base + bit;
                if newline_mask & (1u64 << bit) == 0 {
                    field += 1;
                    if field >= self.ncols {
                        return Err(self.field_count_message(bytes, line_start));
                    }
                    self.starts.push(at as u32 + 1);
                    continue;
                }
                let end = if at > line_start && bytes.get(at - 1) == Some(&b'\r') { at - 1 } else { at };
                if field == 0 && end == line_start {
                    // A blank line: skipped.
                } else if field + 1 != self.ncols {
                    return Err(self.field_count_message(bytes, line_start));
                } else {
                    self.starts.push(end as u32 + 1);
                    rows += 1;
                }
                line_start = at + 1;
                field = 0;
                self.starts.truncate(rows * stride);
                self.starts.push(line_start as u32);
                if rows == max_rows {
                    next_base = line_start;
                    break;
                }
            }
            base = next_base;
        }
        // A last record without a newline.
        if rows < max_rows && base >= bytes.len() && line_start < bytes.len() {
            if field + 1 != self.ncols {
                return Err(self.field_count_message(bytes, line_start));
            }
            self.starts.push(bytes.len() as u32 + 1);
            rows += 1;
            line_start = bytes.len();
        }
        self.starts.truncate(rows * stride);
        self.pos = if rows == max_rows { line_start } else { bytes.len() };
        Ok(rows)
    }

    fn field_count_message(&self, bytes: &[u8], line_start: usize) -> String {
        let line_end = memchr::memchr(b'\n', bytes.get(line_start..).unwrap_or_default())
            .map_or(bytes.len(), |i| line_start + i);
        let found = bytes
            .get(line_start..line_end)
            .unwrap_or_default()
            .iter()
            .filter(|&&b| b == self.delimiter)
            .count()
            + 1;
        format!("expected {} fields but found {found}", self.ncols)
    }

    /// The value of field `column` of every row split last: its text, unquoted.
    fn fields<'t>(&'t self, text: &'t str, column: usize) -> impl Iterator<Item = Cow<'t, str>> + 't {
        let stride = self.ncols + 1;
        let quote = char::from(self.quote);
        self.starts.chunks_exact(stride).map(move |row| {
            let start = row.get(column).copied().unwrap_or(0) as usize;
            let end = (row.get(column + 1).copied().unwrap_or(0) as usize).saturating_sub(1);
            let field = text.get(start..end.max(start)).unwrap_or_default();
            match field.strip_prefix(quote).and_then(|f| f.strip_suffix(quote)) {
                Some(inner) if inner.contains(quote) => {
                    let doubled: String = [quote, quote].iter().collect();
                    Cow::Owned(inner.replace(&doubled, &quote.to_string()))
                }
                Some(inner) => Cow::Borrowed(inner),
                None => Cow::Borrowed(field),
            }
        })
    }

    /// Convert field `column` of the rows split last to an array of type `t`.
    pub(crate) fn column(&self, text: &str, column: usize, t: &DataType) -> Result<ArrayRef, String> {
        let rows = self.starts.len() / (self.ncols + 1);
        let fields = self.fields(text, column);
        let array: ArrayRef = match t {
            DataType::Boolean => {
                let mut builder = BooleanBuilder::with_capacity(rows);
                for s in fields {
                    let s = s.as_ref();
                    if s.is_empty() {
                        builder.append_null();
                    } else {
                        builder.append_value(parse_bool(s).ok_or_else(|| bad_value(s, t))?);
                    }
                }
                Arc::new(builder.finish())
            }
            DataType::Int8 => primitive::<Int8Type>(fields, rows, t, Int8Type::parse)?,
            DataType::Int16 => primitive::<Int16Type>(fields, rows, t, Int16Type::parse)?,
            DataType::Int32 => primitive::<Int32Type>(fields, rows, t, Int32Type::parse)?,
            DataType::Int64 => primitive::<Int64Type>(fields, rows, t, Int64Type::parse)?,
            DataType::UInt8 => primitive::<UInt8Type>(fields, rows, t, UInt8Type::parse)?,
            DataType::UInt16 => primitive::<UInt16Type>(fields, rows, t, UInt16Type::parse)?,
            DataType::UInt32 => primitive::<UInt32Type>(fields, rows, t, UInt32Type::parse)?,
            DataType::UInt64 => primitive::<UInt64Type>(fields, rows, t, UInt64Type::parse)?,
            DataType::Float32 => primitive::<Float32Type>(fields, rows, t, Float32Type::parse)?,
            DataType::Float64 => primitive::<Float64Type>(fields, rows, t, Float64Type::parse)?,
            DataType::Date32 => primitive::<Date32Type>(fields, rows, t, parse_date32)?,
            DataType::Timestamp(unit, tz) => {
                let zone = match tz.as_deref() {
                    Some(name) => {
                        Some(name.parse::<Tz>().map_err(|e| format!("bad time zone '{name}': {e}"))?)
                    }
                    None => None,
                };
                let parse = |s: &str| parse_timestamp(s, *unit, zone.as_ref());
                match unit {
                    TimeUnit::Second => timestamp::<TimestampSecondType>(fields, rows, t, parse, tz)?,
                    TimeUnit::Millisecond => {
                        timestamp::<TimestampMillisecondType>(fields, rows, t, parse, tz)?
                    }
                    TimeUnit::Microsecond => {
                        timestamp::<TimestampMicrosecondType>(fields, rows, t, parse, tz)?
                    }
                    TimeUnit::Nanosecond => timestamp::<TimestampNanosecondType>(fields, rows, t, parse, tz)?,
                }
            }
            DataType::Utf8 => {
                let mut builder = StringBuilder::with_capacity(rows, rows * 8);
                for s in fields {
                    let s = s.as_ref();
                    if s.is_empty() {
                        builder.append_null();
                    } else {
                        builder.append_value(s);
                    }
                }
                Arc::new(builder.finish())
            }
            other => return Err(format!("{other} is not read by the plain CSV path")),
        };
        Ok(array)
    }
}

fn bad_value(s: &str, t: &DataType) -> String {
    format!("value '{s}' does not fit type {t}")
}

/// Parse every non-empty field with `parse`; empty fields are NULL.
fn parse_values<'t, T: ArrowPrimitiveType>(
    fields: impl Iterator<Item = Cow<'t, str>>,
    rows: usize,
    t: &DataType,
    parse: impl Fn(&str) -> Option<T::Native>,
) -> Result<PrimitiveArray<T>, String> {
    let mut values = Vec::with_capacity(rows);
    let mut valid = BooleanBufferBuilder::new(rows);
    let mut nulls = 0usize;
    for s in fields {
        let s = s.as_ref();
        if s.is_empty() {
            values.push(T::Native::default());
            valid.append(false);
            nulls += 1;
        } else {
            values.push(parse(s).ok_or_else(|| bad_value(s, t))?);
            valid.append(true);
        }
    }
    let nulls = (nulls > 0).then(|| NullBuffer::new(valid.finish()));
    Ok(PrimitiveArray::<T>::new(values.into(), nulls))
}

fn primitive<'t, T: ArrowPrimitiveType>(
    fields: impl Iterator<Item = Cow<'t, str>>,
    rows: usize,
    t: &DataType,
    parse: impl Fn(&str) -> Option<T::Native>,
) -> Result<ArrayRef, String> {
    Ok(Arc::new(parse_values::<T>(fields, rows, t, parse)?))
}

fn timestamp<'t, T: ArrowPrimitiveType<Native = i64> + arrow::datatypes::ArrowTimestampType>(
    fields: impl Iterator<Item = Cow<'t, str>>,
    rows: usize,
    t: &DataType,
    parse: impl Fn(&str) -> Option<i64>,
    tz: &Option<Arc<str>>,
) -> Result<ArrayRef, String> {
    Ok(Arc::new(parse_values::<T>(fields, rows, t, parse)?.with_timezone_opt(tz.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_masks_mark_every_delimiter_and_newline() {
        let mut block = [b'x'; 64];
        for i in [0, 7, 8, 31, 63] {
            block[i] = b';';
        }
        for i in [1, 9, 40, 62] {
            block[i] = b'\n';
        }
        let (d, n, _) = block_masks(&block, b';', b'"');
        assert_eq!(d, (1 << 0) | (1 << 7) | (1 << 8) | (1 << 31) | (1 << 63));
        assert_eq!(n, (1 << 1) | (1 << 9) | (1 << 40) | (1 << 62));
    }

    #[test]
    fn only_whole_field_quotes_on_one_line_are_simple() {
        for (text, simple) in [
            ("a,\"b,c\",d\n", true),
            ("\"a\"\"b\",c\r\n", true),
            ("a,\"\"\n", true),
            ("a,b\"c\n", false),
            ("a,\"b\"c\n", false),
            ("a,\"b\nc\"\n", false),
            ("a,\"b", false),
        ] {
            assert_eq!(simple_quotes(text.as_bytes(), b',', b'"'), simple, "{text:?}");
        }
        // quotes at bits 1, 4 and 7: inside from 1 to 3 and from 7 on
        assert_eq!(prefix_xor(0b1001_0010), 0b1000_1110 | (u64::MAX << 8));
    }
}
