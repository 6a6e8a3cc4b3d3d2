//! String slicing and padding: substr, left, right, trim/ltrim/rtrim, lpad, rpad.
//! Positions and lengths count characters, not bytes.

use std::sync::Arc;

use arrow::datatypes::{DataType, Int64Type};
use shoal_common::{exec_err, Result};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{any_null_scalar, arg, collect_strings, PrimArg, Shape, StrArg};
use crate::builtin::{Arg, Builtin, Returns, Signature};
use crate::string::MAX_STRING_BYTES;

/// The slicing and padding functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    use Arg::*;
    let utf8 = || Returns::Fixed(DataType::Utf8);
    let optional_last = |args| Signature::Fixed { args, optional: 1 };
    vec![
        Builtin::new(
            "substr",
            "substr(string, start[, count]) -> string: count characters from 1-based start (to the end without count)",
            optional_last(&[Str, Int, Int]),
            utf8(),
            substr,
        )
        .with_aliases(&["substring"]),
        Builtin::fixed(
            "left",
            "left(string, n) -> string: the first n characters (all but the last -n when n < 0)",
            &[Str, Int],
            utf8(),
            left,
        ),
        Builtin::fixed(
            "right",
            "right(string, n) -> string: the last n characters (all but the first -n when n < 0)",
            &[Str, Int],
            utf8(),
            right,
        ),
        Builtin::new(
            "trim",
            "trim(string[, characters]) -> string: strips characters (default: spaces) from both ends",
            optional_last(&[Str, Str]),
            utf8(),
            trim,
        )
        .with_aliases(&["btrim"]),
        Builtin::new(
            "ltrim",
            "ltrim(string[, characters]) -> string: strips characters (default: spaces) from the start",
            optional_last(&[Str, Str]),
            utf8(),
            ltrim,
        ),
        Builtin::new(
            "rtrim",
            "rtrim(string[, characters]) -> string: strips characters (default: spaces) from the end",
            optional_last(&[Str, Str]),
            utf8(),
            rtrim,
        ),
        Builtin::new(
            "lpad",
            "lpad(string, length[, fill]) -> string: pads on the left with fill (default: space) to length characters, or truncates",
            optional_last(&[Str, Int, Str]),
            utf8(),
            lpad,
        ),
        Builtin::new(
            "rpad",
            "rpad(string, length[, fill]) -> string: pads on the right with fill (default: space) to length characters, or truncates",
            optional_last(&[Str, Int, Str]),
            utf8(),
            rpad,
        ),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

/// Byte offset of character `k` of `s` (`s.len()` when `s` has at most `k` characters).
fn char_offset(s: &str, k: usize) -> usize {
    s.char_indices().nth(k).map_or(s.len(), |(b, _)| b)
}

/// `n` as a count of characters, saturating (negative counts are handled by the callers).
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(if n < 0 { 0 } else { usize::MAX })
}

/// PostgreSQL's substring: characters `start .. start + count` (1-based, end exclusive)
/// intersected with the string, so `substr('hello', 0, 2)` is `'h'`.
pub(crate) fn substr_of(s: &str, start: i64, len: Option<i64>) -> Result<&str> {
    if let Some(l) = len {
        if l < 0 {
            return exec_err!("substr(): negative substring length not allowed");
        }
    }
    let begin = start.max(1);
    let end = len.map(|l| start.saturating_add(l));
    if matches!(end, Some(e) if e <= begin) {
        return Ok("");
    }
    let rest = &s[char_offset(s, count(begin - 1))..];
    Ok(match end {
        None => rest,
        Some(e) => &rest[..char_offset(rest, count(e - begin))],
    })
}

/// `substr(s, start[, count])`: a negative count is an error.
fn substr(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    if any_null_scalar(args) {
        return Ok(shape.null(&DataType::Utf8));
    }
    let s = StrArg::new(arg(args, 0)?)?;
    let start = PrimArg::<Int64Type>::new(arg(args, 1)?)?;
    let len = args.get(2).map(PrimArg::<Int64Type>::new).transpose()?;
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(start)) = (s.get(i), start.get(i)) else {
            return Ok(false);
        };
        let len = match &len {
            Some(l) => match l.get(i) {
                Some(l) => Some(l),
                None => return Ok(false),
            },
            None => None,
        };
        buf.push_str(substr_of(s, start, len)?);
        Ok(true)
    })?;
    shape.finish(out)
}

/// Evaluate `f(s, n)` for a (string, integer) function that returns a slice of `s`.
fn slice_with_count(
    args: &[ColumnarValue],
    num_rows: usize,
    f: fn(&str, i64) -> &str,
) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let s = StrArg::new(arg(args, 0)?)?;
    let n = PrimArg::<Int64Type>::new(arg(args, 1)?)?;
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(n)) = (s.get(i), n.get(i)) else {
            return Ok(false);
        };
        buf.push_str(f(s, n));
        Ok(true)
    })?;
    shape.finish(out)
}

fn left_of(s: &str, n: i64) -> &str {
    if n >= 0 {
        &s[..char_offset(s, count(n))]
    } else {
        let keep = s.chars().count().saturating_sub(count(n.saturating_neg()));
        &s[..char_offset(s, keep)]
    }
}

fn right_of(s: &str, n: i64) -> &str {
    if n >= 0 {
        let skip = s.chars().count().saturating_sub(count(n));
        &s[char_offset(s, skip)..]
    } else {
        &s[char_offset(s, count(n.saturating_neg()))..]
    }
}

fn left(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    slice_with_count(args, n, left_of)
}

fn right(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    slice_with_count(args, n, right_of)
}

#[derive(Clone, Copy)]
enum TrimSide {
    Both,
    Start,
    End,
}

/// Strip the characters of the optional second argument (default: spaces) from `side`.
fn trim_side(args: &[ColumnarValue], num_rows: usize, side: TrimSide) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let s = StrArg::new(arg(args, 0)?)?;
    let set = args.get(1).map(StrArg::new).transpose()?;
    let out = collect_strings(shape.rows, |i, buf| {
        let Some(s) = s.get(i) else {
            return Ok(false);
        };
        let set = match &set {
            Some(set) => match set.get(i) {
                Some(set) => set,
                None => return Ok(false),
            },
            None => " ",
        };
        let strip = |c: char| set.contains(c);
        buf.push_str(match side {
            TrimSide::Both => s.trim_matches(strip),
            TrimSide::Start => s.trim_start_matches(strip),
            TrimSide::End => s.trim_end_matches(strip),
        });
        Ok(true)
    })?;
    shape.finish(out)
}

fn trim(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    trim_side(args, n, TrimSide::Both)
}

fn ltrim(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    trim_side(args, n, TrimSide::Start)
}

fn rtrim(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    trim_side(args, n, TrimSide::End)
}

/// Pad `s` to `len` characters with `fill` (on the left if `at_start`), or truncate it to its
/// first `len` characters; an empty fill leaves a short string unpadded.
fn pad_into(buf: &mut String, s: &str, len: i64, fill: &str, at_start: bool) -> Result<()> {
    let len = count(len);
    if len.saturating_mul(4) > MAX_STRING_BYTES {
        return exec_err!("requested length too large: {len}");
    }
    let chars = s.chars().count();
    if chars >= len || fill.is_empty() {
        buf.push_str(&s[..char_offset(s, len)]);
        return Ok(());
    }
    let padding = fill.chars().cycle().take(len - chars);
    if at_start {
        buf.extend(padding);
        buf.push_str(s);
    } else {
        buf.push_str(s);
        buf.extend(padding);
    }
    Ok(())
}

fn pad(args: &[ColumnarValue], num_rows: usize, at_start: bool) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let s = StrArg::new(arg(args, 0)?)?;
    let len = PrimArg::<Int64Type>::new(arg(args, 1)?)?;
    let fill = args.get(2).map(StrArg::new).transpose()?;
    let out = collect_strings(shape.rows, |i, buf| {
        let (Some(s), Some(len)) = (s.get(i), len.get(i)) else {
            return Ok(false);
        };
        let fill = match &fill {
            Some(f) => match f.get(i) {
                Some(f) => f,
                None => return Ok(false),
            },
            None => " ",
        };
        pad_into(buf, s, len, fill, at_start)?;
        Ok(true)
    })?;
    shape.finish(out)
}

fn lpad(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    pad(args, n, true)
}

fn rpad(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    pad(args, n, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substr_follows_postgres() {
        assert_eq!(substr_of("hello", 0, Some(2)).unwrap(), "h");
        assert_eq!(substr_of("hello", 2, Some(3)).unwrap(), "ell");
        assert_eq!(substr_of("hello", -5, Some(3)).unwrap(), "");
        assert_eq!(substr_of("hello", 4, None).unwrap(), "lo");
        assert_eq!(substr_of("hello", 9, None).unwrap(), "");
        assert_eq!(substr_of("héllo", 2, Some(2)).unwrap(), "él");
        assert!(substr_of("hello", 1, Some(-1)).is_err());
        assert_eq!(substr_of("hello", i64::MIN, Some(i64::MAX)).unwrap(), "");
        assert_eq!(substr_of("hello", 2, Some(i64::MAX)).unwrap(), "ello");
    }
}
