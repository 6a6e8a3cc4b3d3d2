//! [`BinaryExpr`]: `left op right` for comparisons, arithmetic, `AND`/`OR` and `||`.
//!
//! * Comparisons use Arrow's `cmp` kernels; scalars are passed as `Datum`s, never expanded.
//!   `IS [NOT] DISTINCT FROM` treats NULLs as ordinary values.
//! * Arithmetic uses Arrow's checked kernels: overflow and division by zero are errors
//!   (for floats too, as in PostgreSQL). See [`crate::arithmetic`].
//! * `AND`/`OR` use three-valued (Kleene) logic: `NULL AND false` is false, `NULL OR true` is
//!   true. The right side is not evaluated when the left decides the result for every row.
//! * `||` is NULL when either side is NULL.

use std::any::Any;
use std::fmt;
use std::fmt::Write as _;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, StringArray, StringBuilder};
use arrow::compute::kernels::cmp;
use arrow::compute::{and_kleene, cast, or_kleene};
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result, ShoalError};
use shoal_expr::type_coercion::binary_result_type;
use shoal_expr::{ColumnarValue, Operator};

use crate::arithmetic::arithmetic;
use crate::util::{bool_scalar, datum, inner_array, into_boolean_array, is_scalar, wrap};
use crate::{PhysicalExpr, PhysicalExprRef};

/// `left op right`.
#[derive(Debug)]
pub struct BinaryExpr {
    left: PhysicalExprRef,
    op: Operator,
    right: PhysicalExprRef,
    data_type: DataType,
    /// The expression as the user wrote it (column names, no indices), for error messages.
    sql_text: Option<String>,
}

impl BinaryExpr {
    /// Bind `left op right`; the operand types must already be coerced.
    pub fn try_new(left: PhysicalExprRef, op: Operator, right: PhysicalExprRef) -> Result<Self> {
        let data_type = binary_result_type(left.data_type(), op, right.data_type())?;
        Ok(Self { left, op, right, data_type, sql_text: None })
    }

    /// Name the expression in error messages by its SQL text (e.g. `a + b`).
    pub fn with_sql_text(mut self, text: impl Into<String>) -> Self {
        self.sql_text = Some(text.into());
        self
    }

    pub fn left(&self) -> &PhysicalExprRef {
        &self.left
    }
    pub fn op(&self) -> Operator {
        self.op
    }
    pub fn right(&self) -> &PhysicalExprRef {
        &self.right
    }

    fn error_text(&self) -> SqlText<'_> {
        SqlText(self)
    }

    fn evaluate_logical(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        let is_and = self.op == Operator::And;
        let num_rows = batch.num_rows();
        let left = self.left.evaluate(batch)?;
        // Short-circuit: the left side decides every row (false for AND, true for OR).
        let decisive = !is_and;
        match &left {
            ColumnarValue::Scalar(s) if s.as_bool() == Some(decisive) => {
                return Ok(bool_scalar(Some(decisive)));
            }
            ColumnarValue::Array(a) => {
                if let Some(b) = a.as_boolean_opt() {
                    let all_decided = b.null_count() == 0
                        && if is_and { b.true_count() == 0 } else { b.true_count() == b.len() };
                    if all_decided {
                        return Ok(bool_scalar(Some(decisive)));
                    }
                }
            }
            _ => {}
        }
        let right = self.right.evaluate(batch)?;
        // `true AND x` is x, `false OR x` is x.
        if let ColumnarValue::Scalar(s) = &left {
            if s.as_bool() == Some(is_and) {
                return match right {
                    ColumnarValue::Scalar(r) if r.data_type() == &DataType::Null => Ok(bool_scalar(None)),
                    r => Ok(r),
                };
            }
        }
        kleene(is_and, left, right, num_rows, self)
    }

    fn evaluate_concat(&self, left: &ColumnarValue, right: &ColumnarValue) -> Result<ColumnarValue> {
        let scalar = is_scalar(left) && is_scalar(right);
        let l = utf8(inner_array(left))?;
        let r = utf8(inner_array(right))?;
        let (l, r) = (l.as_string::<i32>(), r.as_string::<i32>());
        let out: StringArray = match (is_scalar(left), is_scalar(right)) {
            (true, true) | (false, false) => {
                arrow::compute::kernels::concat_elements::concat_elements_utf8(l, r)?
            }
            (true, false) => concat_scalar(r, l, true),
            (false, true) => concat_scalar(l, r, false),
        };
        wrap(Arc::new(out), scalar)
    }
}

/// `left AND right` / `left OR right` in three-valued logic, over values of `num_rows` rows.
pub(crate) fn kleene(
    is_and: bool,
    left: ColumnarValue,
    right: ColumnarValue,
    num_rows: usize,
    what: &dyn fmt::Display,
) -> Result<ColumnarValue> {
    let scalar = is_scalar(&left) && is_scalar(&right);
    let rows = if scalar { 1 } else { num_rows };
    let l = into_boolean_array(left, rows, what)?;
    let r = into_boolean_array(right, rows, what)?;
    let out = if is_and { and_kleene(&l, &r)? } else { or_kleene(&l, &r)? };
    wrap(Arc::new(out), scalar)
}

/// `value` cast to Utf8View when it is Utf8 and `other` is Utf8View (Arrow compares only like
/// types; the scan decodes some string columns as views); else `value` itself.
pub(crate) fn utf8_as_view_of(value: &ColumnarValue, other: &ColumnarValue) -> Result<ColumnarValue> {
    let array = inner_array(value);
    if array.data_type() == &DataType::Utf8 && inner_array(other).data_type() == &DataType::Utf8View {
        return wrap(cast(array, &DataType::Utf8View)?, is_scalar(value));
    }
    Ok(value.clone())
}

/// `left op right` for a comparison operator, with Arrow's `cmp` kernels.
pub(crate) fn compare(
    op: Operator,
    left: &ColumnarValue,
    right: &ColumnarValue,
    what: &dyn fmt::Display,
) -> Result<ColumnarValue> {
    let scalar = is_scalar(left) && is_scalar(right);
    let (la, ra) = (inner_array(left), inner_array(right));
    if la.data_type() == &DataType::Null || ra.data_type() == &DataType::Null {
        return compare_with_null(op, left, right);
    }
    let (left, right) = (utf8_as_view_of(left, right)?, utf8_as_view_of(right, left)?);
    let (l, r) = (datum(&left), datum(&right));
    let out: BooleanArray = match op {
        Operator::Eq => cmp::eq(&l, &r),
        Operator::NotEq => cmp::neq(&l, &r),
        Operator::Lt => cmp::lt(&l, &r),
        Operator::LtEq => cmp::lt_eq(&l, &r),
        Operator::Gt => cmp::gt(&l, &r),
        Operator::GtEq => cmp::gt_eq(&l, &r),
        Operator::IsDistinctFrom => cmp::distinct(&l, &r),
        Operator::IsNotDistinctFrom => cmp::not_distinct(&l, &r),
        other => return internal_err!("{other} is not a comparison"),
    }
    .map_err(|e| ShoalError::Execution(format!("cannot evaluate {what}: {e}")))?;
    wrap(Arc::new(out), scalar)
}

/// Comparisons where a side is of the NULL type: NULL, or for `IS [NOT] DISTINCT FROM`
/// whether the other side is NULL.
fn compare_with_null(op: Operator, left: &ColumnarValue, right: &ColumnarValue) -> Result<ColumnarValue> {
    let distinct = match op {
        Operator::IsDistinctFrom => true,
        Operator::IsNotDistinctFrom => false,
        _ => return Ok(bool_scalar(None)),
    };
    let other = if inner_array(left).data_type() == &DataType::Null { right } else { left };
    // NULL is distinct from x exactly when x is not NULL
    let array = inner_array(other);
    let out = if distinct {
        arrow::compute::is_not_null(array.as_ref())?
    } else {
        arrow::compute::is_null(array.as_ref())?
    };
    wrap(Arc::new(out), is_scalar(other))
}

/// Displays a [`BinaryExpr`] by its SQL text when known, for error messages.
struct SqlText<'a>(&'a BinaryExpr);

impl fmt::Display for SqlText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0.sql_text {
            Some(t) => f.write_str(t),
            None => write!(f, "{}", self.0),
        }
    }
}

fn utf8(array: &ArrayRef) -> Result<ArrayRef> {
    if array.data_type() == &DataType::Utf8 {
        Ok(array.clone())
    } else {
        Ok(cast(array, &DataType::Utf8)?)
    }
}

/// `array || scalar` (or `scalar || array` when `scalar_first`), NULL where either is NULL.
fn concat_scalar(array: &StringArray, scalar: &StringArray, scalar_first: bool) -> StringArray {
    if scalar.is_null(0) {
        return StringArray::new_null(array.len());
    }
    let s = scalar.value(0);
    let data_len = array.values().len() + s.len() * array.len();
    let mut builder = StringBuilder::with_capacity(array.len(), data_len);
    for v in array.iter() {
        match v {
            None => builder.append_null(),
            Some(v) => {
                let (a, b) = if scalar_first { (s, v) } else { (v, s) };
                // writing to a string builder cannot fail
                let _ = builder.write_str(a);
                builder.append_value(b);
            }
        }
    }
    builder.finish()
}

fn fmt_operand(f: &mut fmt::Formatter<'_>, e: &PhysicalExprRef, parent: u8) -> fmt::Result {
    match e.as_any().downcast_ref::<BinaryExpr>() {
        Some(b) if b.op.precedence() < parent => write!(f, "({e})"),
        _ => write!(f, "{e}"),
    }
}

impl fmt::Display for BinaryExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.op.precedence();
        fmt_operand(f, &self.left, p)?;
        write!(f, " {} ", self.op)?;
        fmt_operand(f, &self.right, p + 1)
    }
}

impl PhysicalExpr for BinaryExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.data_type
    }
    fn nullable(&self) -> bool {
        match self.op {
            Operator::IsDistinctFrom | Operator::IsNotDistinctFrom => false,
            _ => self.left.nullable() || self.right.nullable(),
        }
    }
    fn children(&self) -> Vec<&PhysicalExprRef> {
        vec![&self.left, &self.right]
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        if self.op.is_logical() {
            return self.evaluate_logical(batch);
        }
        let left = self.left.evaluate(batch)?;
        let right = self.right.evaluate(batch)?;
        if self.op.is_comparison() {
            compare(self.op, &left, &right, &self.error_text())
        } else if self.op.is_arithmetic() {
            arithmetic(self.op, &left, &right, &self.error_text())
        } else {
            self.evaluate_concat(&left, &right)
        }
    }
}
