//! String functions: case mapping, lengths, concatenation, searching and replacing.
//! (Slicing and padding live in `string_slice.rs`, regular expressions in `regexp.rs`.)

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Datum, StringArray};
use arrow::buffer::Buffer;
use arrow::compute::kernels::comparison;
use arrow::compute::{cast, kernels::length::length as byte_length};
use arrow::datatypes::{DataType, Int64Type};
use arrow::error::ArrowError;
use shoal_common::{exec_err, internal_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{
    any_null_scalar, arg, collect_primitive, collect_strings, map_columnar, PrimArg, Shape, StrArg,
};
use crate::builtin::{Arg, Builtin, Returns, Signature};

/// Results longer than this many bytes are refused (`repeat`, `lpad`, `rpad`).
pub(crate) const MAX_STRING_BYTES: usize = 1 << 30;

/// The string functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    use Arg::*;
    let utf8 = || Returns::Fixed(DataType::Utf8);
    let int64 = || Returns::Fixed(DataType::Int64);
    let boolean = || Returns::Fixed(DataType::Boolean);
    vec![
        Builtin::fixed("lower", "lower(string) -> string: lower-cases", &[Str], utf8(), lower),
        Builtin::fixed("upper", "upper(string) -> string: upper-cases", &[Str], utf8(), upper),
        Builtin::fixed(
            "length",
            "length(string) -> bigint: number of characters",
            &[Str],
            int64(),
            char_length,
        )
        .with_aliases(&["char_length", "character_length"]),
        Builtin::fixed(
            "octet_length",
            "octet_length(string) -> bigint: number of bytes",
            &[Str],
            int64(),
            octet_length,
        ),
        Builtin::new(
            "concat",
            "concat(value, ...) -> string: concatenates the values as text, skipping NULLs",
            Signature::Variadic { arg: AnyAsStr, min: 1 },
            utf8(),
            concat,
        ),
        Builtin::new(
            "concat_ws",
            "concat_ws(separator, value, ...) -> string: joins the non-NULL values with separator",
            Signature::Variadic { arg: AnyAsStr, min: 2 },
            utf8(),
            concat_ws,
        ),
        Builtin::fixed(
            "starts_with",
            "starts_with(string, prefix) -> boolean: true if string begins with prefix",
            &[Str, Str],
            boolean(),
            starts_with,
        ),
        Builtin::fixed(
            "ends_with",
            "ends_with(string, suffix) -> boolean: true if string ends with suffix",
            &[Str, Str],
            boolean(),
            ends_with,
        ),
        Builtin::fixed(
            "contains",
            "contains(string, search) -> boolean: true if search occurs in string",
            &[Str, Str],
            boolean(),
            contains,
        ),
        Builtin::fixed(
            "replace",
            "replace(string, from, to) -> string: replaces every occurrence of from with to",
            &[Str, Str, Str],
            utf8(),
            replace,
        ),
        Builtin::fixed(
            "reverse",
            "reverse(string) -> string: the characters in reverse order",
            &[Str],
            utf8(),
            reverse,
        ),
        Builtin::fixed(
            "repeat",
            "repeat(string, n) -> string: string repeated n times (empty if n <= 0)",
            &[Str, Int],
            utf8(),
            repeat,
        ),
        Builtin::fixed(
            "strpos",
            "strpos(string, search) -> bigint: 1-based character position of search, 0 if absent",
            &[Str, Str],
            int64(),
            strpos,
        )
        .with_aliases(&["instr"]),
        Builtin::fixed(
            "split_part",
            "split_part(string, delimiter, n) -> string: the n-th field (negative n counts from the end)",
            &[Str, Str, Int],
            utf8(),
            split_part,
        ),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

fn utf8_array(a: &ArrayRef) -> Result<&StringArray> {
    match a.as_string_opt::<i32>() {
        Some(s) => Ok(s),
        None => internal_err!("expected a Utf8 array, got {}", a.data_type()),
    }
}

/// Map every string with `full`, or byte-wise with `ascii` when the whole buffer is ASCII.
fn map_case(v: &ColumnarValue, ascii: fn(&u8) -> u8, full: fn(&str) -> String) -> Result<ColumnarValue> {
    map_columnar(v, |a| {
        if a.data_type() == &DataType::Null {
            return Ok(arrow::array::new_null_array(&DataType::Utf8, a.len()));
        }
        let s = utf8_array(a)?;
        if s.values().is_ascii() {
            let values: Vec<u8> = s.values().iter().map(ascii).collect();
            let out =
                StringArray::try_new(s.offsets().clone(), Buffer::from_vec(values), s.nulls().cloned())?;
            return Ok(Arc::new(out));
        }
        collect_strings(s.len(), |i, buf| {
            if s.is_null(i) {
                return Ok(false);
            }
            buf.push_str(&full(s.value(i)));
            Ok(true)
        })
    })
}

/// `lower(s)`: Unicode lower case.
fn lower(args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
    map_case(arg(args, 0)?, u8::to_ascii_lowercase, str::to_lowercase)
}

/// `upper(s)`: Unicode upper case.
fn upper(args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
    map_case(arg(args, 0)?, u8::to_ascii_uppercase, str::to_uppercase)
}

/// Byte lengths as Int64 (arrow's kernel gives Int32 for Utf8).
fn byte_lengths(a: &ArrayRef) -> Result<ArrayRef> {
    if a.data_type() == &DataType::Null {
        return Ok(arrow::array::new_null_array(&DataType::Int64, a.len()));
    }
    Ok(cast(&byte_length(a)?, &DataType::Int64)?)
}

/// `length(s)`: characters, not bytes.
fn char_length(args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
    map_columnar(arg(args, 0)?, |a| {
        if a.data_type() == &DataType::Null || utf8_array(a)?.values().is_ascii() {
            return byte_lengths(a);
        }
        let s = utf8_array(a)?;
        let out = collect_primitive::<Int64Type>(s.len(), |i| {
            Ok((!s.is_null(i)).then(|| s.value(i).chars().count() as i64))
        })?;
        Ok(Arc::new(out))
    })
}

/// `octet_length(s)`: bytes of the UTF-8 encoding.
fn octet_length(args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
    map_columnar(arg(args, 0)?, byte_lengths)
}

/// `concat(a, ...)`: NULL arguments are skipped; the result is never NULL.
fn concat(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let parts = args.iter().map(StrArg::new).collect::<Result<Vec<_>>>()?;
    let out = collect_strings(shape.rows, |i, buf| {
        for p in &parts {
            if let Some(s) = p.get(i) {
                buf.push_str(s);
            }
        }
        Ok(true)
    })?;
    shape.finish(out)
}

/// `concat_ws(sep, a, ...)`: NULL if sep is NULL; NULL values are skipped.
fn concat_ws(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let sep = StrArg::new(arg(args, 0)?)?;
    let parts = args.get(1..).unwrap_or_default().iter().map(StrArg::new).collect::<Result<Vec<_>>>()?;
    let out = collect_strings(shape.rows, |i, buf| {
        let Some(sep) = sep.get(i) else {
            return Ok(false);
        };
        let mut first = true;
        for s in parts.iter().filter_map(|p| p.get(i)) {
            if !first {
                buf.push_str(sep);
            }
            buf.push_str(s);
            first = false;
        }
        Ok(true)
    })?;
    shape.finish(out)
}

type BoolKernel = fn(&dyn Datum, &dyn Datum) -> std::result::Result<BooleanArray, ArrowError>;

/// Run a two-argument arrow string predicate, broadcasting scalars.
fn string_predicate(args: &[ColumnarValue], num_rows: usize, kernel: BoolKernel) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let (l, r) = (arg(args, 0)?, arg(args, 1)?);
    let out = match (l, r) {
        (ColumnarValue::Scalar(l), ColumnarValue::Scalar(r)) => kernel(l.array(), r.array())?,
        (ColumnarValue::Array(l), ColumnarValue::Scalar(r)) => kernel(l, &r.as_datum())?,
        (ColumnarValue::Scalar(l), ColumnarValue::Array(r)) => kernel(&l.as_datum(), r)?,
        (ColumnarValue::Array(l), ColumnarValue::Array(r)) => kernel(l, r)?,
    };
    shape.finish(Arc::new(out))
}

fn starts_with(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    string_predicate(args, n, comparison::starts_with)
}

fn ends_with(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    string_predicate(args, n, comparison::ends_with)
}

fn contains(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    string_predicate(args, n, comparison::contains)
}

/// `replace(s, from, to)`: an empty `from` leaves `s` unchanged (as in PostgreSQL).
fn replace(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    if any_null_scalar(args) {
        return Ok(shape.null(&DataType::Utf8));
    }
    let (s, from, to) =
        (StrArg::new(arg(args, 0)?)?, StrArg::new(arg(args, 1)?)?, StrArg::new(arg(args, 2)?)?);
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(from), Some(to)) = (s.get(i), from.get(i), to.get(i)) else {
            return Ok(false);
        };
        if from.is_empty() {
            buf.push_str(s);
            return Ok(true);
        }
        let mut last = 0;
        for (at, _) in s.match_indices(from) {
            buf.push_str(&s[last..at]);
            buf.push_str(to);
            last = at + from.len();
        }
        buf.push_str(&s[last..]);
        Ok(true)
    })?;
    shape.finish(out)
}

/// `reverse(s)`: characters in reverse order.
fn reverse(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let s = StrArg::new(arg(args, 0)?)?;
    let out = collect_strings(shape.rows, |i, buf| {
        let Some(s) = s.get(i) else {
            return Ok(false);
        };
        buf.extend(s.chars().rev());
        Ok(true)
    })?;
    shape.finish(out)
}

/// `repeat(s, n)`: empty when n <= 0; an error when the result would exceed 1 GiB.
fn repeat(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let s = StrArg::new(arg(args, 0)?)?;
    let n = PrimArg::<Int64Type>::new(arg(args, 1)?)?;
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(n)) = (s.get(i), n.get(i)) else {
            return Ok(false);
        };
        let n = usize::try_from(n).unwrap_or(0);
        if s.len().saturating_mul(n) > MAX_STRING_BYTES {
            return exec_err!("repeat(): requested length too large ({n} copies)");
        }
        for _ in 0..n {
            buf.push_str(s);
        }
        Ok(true)
    })?;
    shape.finish(out)
}

/// `strpos(s, sub)`: 1-based character position of the first match, 0 if none, 1 if sub is empty.
fn strpos(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let (s, sub) = (StrArg::new(arg(args, 0)?)?, StrArg::new(arg(args, 1)?)?);
    let out = collect_primitive::<Int64Type>(shape.rows, |i| {
        let (Some(s), Some(sub)) = (s.get(i), sub.get(i)) else {
            return Ok(None);
        };
        Ok(Some(match s.find(sub) {
            Some(at) => s[..at].chars().count() as i64 + 1,
            None => 0,
        }))
    })?;
    shape.finish(Arc::new(out))
}

/// `split_part(s, delimiter, n)`: the n-th field, 1-based; negative n counts from the end;
/// out of range gives ''; n = 0 is an error; an empty delimiter makes `s` the only field.
fn split_part(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let (s, delim) = (StrArg::new(arg(args, 0)?)?, StrArg::new(arg(args, 1)?)?);
    let n = PrimArg::<Int64Type>::new(arg(args, 2)?)?;
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(delim), Some(n)) = (s.get(i), delim.get(i), n.get(i)) else {
            return Ok(false);
        };
        if n == 0 {
            return exec_err!("split_part(): field position must not be zero");
        }
        let field = if delim.is_empty() {
            (n == 1 || n == -1).then_some(s)
        } else if n > 0 {
            s.split(delim).nth(usize::try_from(n - 1).unwrap_or(usize::MAX))
        } else {
            s.rsplit(delim).nth(usize::try_from(-(n + 1)).unwrap_or(usize::MAX))
        };
        buf.push_str(field.unwrap_or(""));
        Ok(true)
    })?;
    shape.finish(out)
}
