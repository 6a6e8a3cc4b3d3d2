//! Conditional functions: coalesce, nullif, greatest, least. Arguments are coerced to one
//! common type (as for comparison) and evaluated with arrow's zip / nullif kernels.

use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BooleanArray};
use arrow::compute::kernels::boolean::{is_not_null, is_null, or};
use arrow::compute::kernels::cmp;
use arrow::compute::kernels::zip::zip;
use arrow::compute::nullif as nullif_kernel;
use arrow::datatypes::DataType;
use shoal_common::{internal_err, plan_err, Result};
use shoal_expr::type_coercion::comparison_coercion;
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, as_array, datum, to_rows, Shape};
use crate::builtin::{signature_error, type_list, usage, Builtin, Returns, Signature};

const COALESCE: &str = "coalesce(value, ...) -> common type: the first non-NULL value";
const NULLIF: &str = "nullif(a, b) -> common type: NULL if a = b, else a";
const GREATEST: &str = "greatest(value, ...) -> common type: the largest non-NULL value";
const LEAST: &str = "least(value, ...) -> common type: the smallest non-NULL value";

/// The conditional functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    vec![
        Builtin::new(
            "coalesce",
            COALESCE,
            Signature::Custom(|t| common_type(COALESCE, t, 1, None)),
            Returns::FirstArg,
            coalesce,
        ),
        Builtin::new(
            "nullif",
            NULLIF,
            Signature::Custom(|t| common_type(NULLIF, t, 2, Some(2))),
            Returns::FirstArg,
            nullif,
        ),
        Builtin::new(
            "greatest",
            GREATEST,
            Signature::Custom(|t| common_type(GREATEST, t, 1, None)),
            Returns::FirstArg,
            greatest,
        ),
        Builtin::new(
            "least",
            LEAST,
            Signature::Custom(|t| common_type(LEAST, t, 1, None)),
            Returns::FirstArg,
            least,
        ),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

/// Every argument cast to the common comparison type of all of them.
fn common_type(
    description: &str,
    types: &[DataType],
    min: usize,
    max: Option<usize>,
) -> Result<Vec<DataType>> {
    if types.len() < min || max.is_some_and(|m| types.len() > m) {
        return signature_error(description, types);
    }
    let mut common = DataType::Null;
    for t in types {
        common = match comparison_coercion(&common, t) {
            Some(c) => c,
            None => {
                return plan_err!(
                    "arguments {} have no common type ({common} and {t}); usage: {}",
                    type_list(types),
                    usage(description)
                )
            }
        };
    }
    Ok(vec![common; types.len()])
}

/// `coalesce(a, ...)`: the first non-NULL argument, row by row.
fn coalesce(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let data_type = arg(args, 0)?.data_type();
    if shape.scalar {
        let first = args.iter().find(|a| matches!(a, ColumnarValue::Scalar(s) if !s.is_null()));
        return Ok(first.unwrap_or(arg(args, 0)?).clone());
    }
    let mut acc: Option<ArrayRef> = None;
    for a in args {
        acc = match (acc.take(), a) {
            (None, ColumnarValue::Scalar(s)) if s.is_null() => None,
            (None, ColumnarValue::Scalar(s)) => Some(s.to_array(num_rows)?),
            (None, ColumnarValue::Array(a)) => Some(Arc::clone(a)),
            (Some(cur), _) if cur.null_count() == 0 => {
                acc = Some(cur);
                break;
            }
            (Some(cur), next) => Some(zip(&is_not_null(&cur)?, &cur, datum(next).as_ref())?),
        };
    }
    Ok(ColumnarValue::Array(match acc {
        Some(a) => a,
        None => new_null_array(&data_type, num_rows),
    }))
}

/// `nullif(a, b)`: NULL where `a = b`, else `a` (a NULL comparison keeps `a`).
fn nullif(args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let (a, b) = (arg(args, 0)?, arg(args, 1)?);
    if a.data_type() == DataType::Null {
        return Ok(shape.null(&DataType::Null));
    }
    let equal = cmp::eq(datum(a).as_ref(), datum(b).as_ref())?;
    let left = if shape.scalar { Arc::clone(as_array(a)) } else { to_rows(a, shape.rows)? };
    shape.finish(nullif_kernel(&left, &equal)?)
}

/// `b` with its NULLs turned into false.
fn nulls_as_false(b: BooleanArray) -> BooleanArray {
    match b.nulls() {
        Some(nulls) if nulls.null_count() > 0 => BooleanArray::new(b.values() & nulls.inner(), None),
        _ => b,
    }
}

/// The largest (or smallest) non-NULL argument, row by row; NULL only if all are NULL.
fn extreme(args: &[ColumnarValue], num_rows: usize, greatest: bool) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let Some((first, rest)) = args.split_first() else {
        return internal_err!("greatest/least called without arguments");
    };
    if first.data_type() == DataType::Null {
        return Ok(shape.null(&DataType::Null));
    }
    let mut acc = if shape.scalar { Arc::clone(as_array(first)) } else { to_rows(first, shape.rows)? };
    for next in rest {
        let next = datum(next);
        let better = if greatest { cmp::gt(next.as_ref(), &acc)? } else { cmp::lt(next.as_ref(), &acc)? };
        let take = or(&nulls_as_false(better), &is_null(&acc)?)?;
        acc = zip(&take, next.as_ref(), &acc)?;
    }
    shape.finish(acc)
}

fn greatest(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    extreme(args, n, true)
}

fn least(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    extreme(args, n, false)
}
