//! [`LikeExpr`]: `expr [NOT] LIKE|ILIKE pattern [ESCAPE c]` with Arrow's `like` kernels.
//!
//! `%` matches any run of characters, `_` any one character. The escape character is `\` by
//! default (as in PostgreSQL); another `ESCAPE` character is translated to `\` once, when the
//! pattern is a literal, or per batch otherwise. A pattern ending with the escape character is
//! an error. NULL on either side gives NULL.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use arrow::array::{Array, AsArray, StringArray};
use arrow::compute::cast;
use arrow::compute::kernels::comparison::{ilike, like, nilike, nlike};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::{exec_err, Result, ScalarValue};
use shoal_expr::ColumnarValue;

use crate::binary::utf8_as_view_of;
use crate::util::{bool_scalar, datum, inner_array, is_scalar, wrap};
use crate::{LiteralExpr, PhysicalExpr, PhysicalExprRef};

/// `expr [NOT] LIKE|ILIKE pattern [ESCAPE c]`.
#[derive(Debug)]
pub struct LikeExpr {
    negated: bool,
    case_insensitive: bool,
    expr: PhysicalExprRef,
    pattern: PhysicalExprRef,
    escape_char: Option<char>,
    /// The pattern translated to `\` escapes, when it is a literal.
    literal_pattern: Option<ScalarValue>,
}

impl LikeExpr {
    /// Bind a LIKE; both sides must be strings (or NULL). A literal pattern is translated now,
    /// so a bad one is reported before any row is read.
    pub fn try_new(
        negated: bool,
        case_insensitive: bool,
        expr: PhysicalExprRef,
        pattern: PhysicalExprRef,
        escape_char: Option<char>,
    ) -> Result<Self> {
        let literal_pattern = match pattern.as_any().downcast_ref::<LiteralExpr>() {
            Some(lit) => Some(translate_scalar(lit.value(), escape_char)?),
            None => None,
        };
        Ok(Self { negated, case_insensitive, expr, pattern, escape_char, literal_pattern })
    }
}

/// The pattern with the escape character `escape` rewritten to `\` (and literal `\` doubled).
pub(crate) fn translate_pattern(pattern: &str, escape: char, out: &mut String) -> Result<()> {
    out.clear();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            match chars.next() {
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => {
                    return exec_err!(
                        "LIKE pattern '{pattern}' must not end with the escape character '{escape}'"
                    )
                }
            }
        } else if c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
    Ok(())
}

/// Check (and, for a non-`\` escape, translate) a pattern so Arrow's `\`-escaping applies.
fn check_default_escape(pattern: &str) -> Result<()> {
    // a trailing unescaped backslash is an error in PostgreSQL
    let trailing = pattern.chars().rev().take_while(|&c| c == '\\').count();
    if trailing % 2 == 1 {
        return exec_err!("LIKE pattern '{pattern}' must not end with the escape character '\\'");
    }
    Ok(())
}

fn translate_scalar(pattern: &ScalarValue, escape: Option<char>) -> Result<ScalarValue> {
    let utf8 = pattern.cast_to(&DataType::Utf8)?;
    let Some(text) = utf8.as_str() else {
        return Ok(utf8);
    };
    match escape {
        Some(e) if e != '\\' => {
            let mut out = String::with_capacity(text.len() + 4);
            translate_pattern(text, e, &mut out)?;
            Ok(ScalarValue::utf8(Some(&out)))
        }
        _ => {
            check_default_escape(text)?;
            Ok(utf8)
        }
    }
}

/// Translate every pattern of an array (only needed for a non-`\` escape character).
fn translate_array(patterns: &StringArray, escape: Option<char>) -> Result<Option<StringArray>> {
    match escape {
        Some(e) if e != '\\' => {
            let mut buf = String::new();
            let mut out = Vec::with_capacity(patterns.len());
            for p in patterns.iter() {
                match p {
                    Some(p) => {
                        translate_pattern(p, e, &mut buf)?;
                        out.push(Some(buf.clone()));
                    }
                    None => out.push(None),
                }
            }
            Ok(Some(StringArray::from(out)))
        }
        _ => {
            for p in patterns.iter().flatten() {
                check_default_escape(p)?;
            }
            Ok(None)
        }
    }
}

impl fmt::Display for LikeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kw = if self.case_insensitive { "ILIKE" } else { "LIKE" };
        let not = if self.negated { "NOT " } else { "" };
        write!(f, "{} {not}{kw} {}", self.expr, self.pattern)?;
        if let Some(c) = self.escape_char {
            write!(f, " ESCAPE '{c}'")?;
        }
        Ok(())
    }
}

impl PhysicalExpr for LikeExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &DataType::Boolean
    }
    fn nullable(&self) -> bool {
        self.expr.nullable() || self.pattern.nullable()
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.expr, &self.pattern]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let value = self.expr.evaluate(batch)?;
        let pattern = match &self.literal_pattern {
            Some(p) => ColumnarValue::Scalar(p.clone()),
            None => self.pattern.evaluate(batch)?,
        };
        // a Utf8View value stays a view (the pattern is then cast to one below)
        let value = match value.data_type() {
            DataType::Utf8View => value,
            _ => to_utf8(value)?,
        };
        let pattern = to_utf8(pattern)?;
        if value.data_type() == DataType::Null || pattern.data_type() == DataType::Null {
            return Ok(bool_scalar(None));
        }
        let pattern = match (&pattern, self.literal_pattern.is_some()) {
            (ColumnarValue::Scalar(_), true) => pattern,
            (ColumnarValue::Scalar(s), false) => {
                ColumnarValue::Scalar(translate_scalar(s, self.escape_char)?)
            }
            (ColumnarValue::Array(a), _) => match translate_array(a.as_string::<i32>(), self.escape_char)? {
                Some(t) => ColumnarValue::Array(Arc::new(t)),
                None => pattern,
            },
        };
        let pattern = utf8_as_view_of(&pattern, &value)?;
        let (l, r) = (datum(&value), datum(&pattern));
        let out = match (self.negated, self.case_insensitive) {
            (false, false) => like(&l, &r)?,
            (false, true) => ilike(&l, &r)?,
            (true, false) => nlike(&l, &r)?,
            (true, true) => nilike(&l, &r)?,
        };
        wrap(Arc::new(out), is_scalar(&value) && is_scalar(&pattern))
    }
}

/// Strings of any flavour as Utf8 (coercion already casts to Utf8; this is a safety net).
fn to_utf8(value: ColumnarValue) -> Result<ColumnarValue> {
    let array = inner_array(&value);
    match array.data_type() {
        DataType::Utf8 | DataType::Null => Ok(value),
        _ => {
            let out = cast(array, &DataType::Utf8)?;
            wrap(out, is_scalar(&value))
        }
    }
}
