//! Arithmetic for [`crate::BinaryExpr`] and [`crate::NegativeExpr`]: Arrow's checked numeric
//! kernels, plus the PostgreSQL rules Arrow does not have (float division by zero is an error),
//! and error messages that name the expression.

use std::fmt::Display;

use arrow::array::{Array, ArrowPrimitiveType, AsArray, PrimitiveArray};
use arrow::compute::kernels::numeric;
use arrow::datatypes::{ArrowNativeTypeOp, DataType, Float16Type, Float32Type, Float64Type};
use arrow::error::ArrowError;
use shoal_common::{exec_err, internal_err, Result, ShoalError};
use shoal_expr::{ColumnarValue, Operator};

use crate::decimal_arithmetic::decimal_fast_path;
use crate::util::{datum, inner_array, is_scalar, wrap};

/// Evaluate `left op right` for an arithmetic operator; `text` names the expression in errors.
pub(crate) fn arithmetic(
    op: Operator,
    left: &ColumnarValue,
    right: &ColumnarValue,
    text: &dyn Display,
) -> Result<ColumnarValue> {
    if let Some(result) = decimal_fast_path(op, left, right) {
        return wrap(result, false);
    }
    let (l, r) = (datum(left), datum(right));
    if matches!(op, Operator::Divide | Operator::Modulo) {
        check_float_divisor(left, right, text)?;
    }
    let result = match op {
        Operator::Plus => numeric::add(&l, &r),
        Operator::Minus => numeric::sub(&l, &r),
        Operator::Multiply => numeric::mul(&l, &r),
        Operator::Divide => numeric::div(&l, &r),
        Operator::Modulo => numeric::rem(&l, &r),
        other => return internal_err!("{other} is not an arithmetic operator"),
    }
    .map_err(|e| arithmetic_error(e, &inner_array(left).data_type().clone(), text))?;
    wrap(result, is_scalar(left) && is_scalar(right))
}

/// `-value`, checked for overflow.
pub(crate) fn negate(value: &ColumnarValue, text: &dyn Display) -> Result<ColumnarValue> {
    let array = inner_array(value);
    if array.data_type() == &DataType::Null {
        return Ok(value.clone());
    }
    let result = numeric::neg(array.as_ref()).map_err(|e| arithmetic_error(e, array.data_type(), text))?;
    wrap(result, is_scalar(value))
}

/// Turn an Arrow arithmetic error into an execution error naming the expression.
pub(crate) fn arithmetic_error(e: ArrowError, operand_type: &DataType, text: &dyn Display) -> ShoalError {
    match e {
        ArrowError::DivideByZero => ShoalError::Execution(format!("division by zero in {text}")),
        ArrowError::ArithmeticOverflow(_) => {
            let kind = match operand_type {
                t if t.is_integer() => "integer overflow",
                DataType::Decimal32(..)
                | DataType::Decimal64(..)
                | DataType::Decimal128(..)
                | DataType::Decimal256(..) => "numeric overflow",
                _ => "overflow",
            };
            ShoalError::Execution(format!("{kind} in {text}"))
        }
        ArrowError::ComputeError(msg) if msg.contains("Overflow") || msg.contains("overflow") => {
            ShoalError::Execution(format!("overflow in {text}: {msg}"))
        }
        other => ShoalError::Execution(format!("cannot evaluate {text}: {other}")),
    }
}

/// PostgreSQL raises an error for float division (and modulo) by zero, where Arrow returns
/// infinity or NaN. Only rows where both operands are non-NULL count.
fn check_float_divisor(left: &ColumnarValue, right: &ColumnarValue, text: &dyn Display) -> Result<()> {
    let (l, r) = (inner_array(left), inner_array(right));
    let l_scalar = is_scalar(left);
    let r_scalar = is_scalar(right);
    let found = match r.data_type() {
        DataType::Float64 => {
            has_zero_divisor(l.as_ref(), l_scalar, r.as_primitive::<Float64Type>(), r_scalar)
        }
        DataType::Float32 => {
            has_zero_divisor(l.as_ref(), l_scalar, r.as_primitive::<Float32Type>(), r_scalar)
        }
        DataType::Float16 => {
            has_zero_divisor(l.as_ref(), l_scalar, r.as_primitive::<Float16Type>(), r_scalar)
        }
        _ => false,
    };
    if found {
        return exec_err!("division by zero in {text}");
    }
    Ok(())
}

fn has_zero_divisor<T: ArrowPrimitiveType>(
    left: &dyn Array,
    left_scalar: bool,
    right: &PrimitiveArray<T>,
    right_scalar: bool,
) -> bool {
    let left_valid = |i: usize| {
        if left_scalar {
            left.is_valid(0)
        } else {
            left.is_valid(i)
        }
    };
    if right_scalar {
        if right.is_null(0) || !right.value(0).is_zero() {
            return false;
        }
        return if left_scalar { left.is_valid(0) } else { left.null_count() < left.len() };
    }
    // vectorisable scan first; the exact NULL-aware check only when a zero is present
    if !right.values().iter().any(|v| v.is_zero()) {
        return false;
    }
    right.values().iter().enumerate().any(|(i, v)| v.is_zero() && right.is_valid(i) && left_valid(i))
}
