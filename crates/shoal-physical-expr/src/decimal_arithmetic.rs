//! Fast paths for `+`, `-` and `*` over DECIMAL(p, s) stored as i128, with the result types of
//! Arrow's kernels: the loops carry an overflow flag instead of returning on each value (so
//! they vectorise), and a product of values that fit in i64 cannot overflow i128 and is not
//! checked. Whatever these paths do not cover (a NULL scalar, an overflow — possibly in a NULL
//! slot's value — or values beyond i64 in a product) returns `None`, and the caller runs
//! Arrow's checked kernel, which gives the exact result or error.

use std::borrow::Cow;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Decimal128Array};
use arrow::buffer::{NullBuffer, ScalarBuffer};
use arrow::datatypes::{DataType, DECIMAL128_MAX_PRECISION, DECIMAL128_MAX_SCALE};
use shoal_expr::{ColumnarValue, Operator};

use crate::util::{inner_array, is_scalar};

/// One operand: a column's values and NULLs, or a scalar value (broadcast).
enum Operand<'a> {
    Column(Cow<'a, [i128]>, Option<&'a NullBuffer>),
    Scalar(i128),
}

fn operand(value: &ColumnarValue) -> Option<(Operand<'_>, u8, i8)> {
    let array = inner_array(value);
    let DataType::Decimal128(p, s) = array.data_type() else {
        return None;
    };
    let decimals = array.as_primitive_opt::<arrow::datatypes::Decimal128Type>()?;
    let op = if is_scalar(value) {
        if decimals.len() != 1 || decimals.is_null(0) {
            return None;
        }
        Operand::Scalar(*decimals.values().first()?)
    } else {
        Operand::Column(Cow::Borrowed(decimals.values()), decimals.nulls().filter(|n| n.null_count() > 0))
    };
    Some((op, *p, *s))
}

/// `left op right` for two DECIMAL128 operands (at least one a column), or `None` to use the
/// general kernel.
pub(crate) fn decimal_fast_path(
    op: Operator,
    left: &ColumnarValue,
    right: &ColumnarValue,
) -> Option<ArrayRef> {
    if is_scalar(left) && is_scalar(right) {
        return None;
    }
    let (l, p1, s1) = operand(left)?;
    let (r, p2, s2) = operand(right)?;
    let len = match (&l, &r) {
        (Operand::Column(v, _), _) | (_, Operand::Column(v, _)) => v.len(),
        _ => return None,
    };
    if let (Operand::Column(a, _), Operand::Column(b, _)) = (&l, &r) {
        if a.len() != b.len() {
            return None;
        }
    }
    let nulls = NullBuffer::union(nulls_of(&l), nulls_of(&r));
    let (values, precision, scale) = match op {
        Operator::Plus | Operator::Minus => {
            let scale = s1.max(s2);
            let precision = (scale.saturating_add((p1 as i8 - s1).max(p2 as i8 - s2)) as u8)
                .saturating_add(1)
                .min(DECIMAL128_MAX_PRECISION);
            let l_mul = 10i128.checked_pow(u32::try_from(scale - s1).ok()?)?;
            let r_mul = 10i128.checked_pow(u32::try_from(scale - s2).ok()?)?;
            let l = rescale(l, l_mul, len)?;
            let r = rescale(r, r_mul, len)?;
            let values = if op == Operator::Plus {
                combine(&l, &r, len, |a, b| a.overflowing_add(b))?
            } else {
                combine(&l, &r, len, |a, b| a.overflowing_sub(b))?
            };
            (values, precision, scale)
        }
        Operator::Multiply => {
            let scale = s1.checked_add(s2).filter(|s| *s <= DECIMAL128_MAX_SCALE)?;
            let precision = p1.saturating_add(p2 + 1).min(DECIMAL128_MAX_PRECISION);
            if !fits_i64(&l) || !fits_i64(&r) {
                return None;
            }
            // |a|, |b| <= 2^63 so |a * b| <= 2^126: no overflow
            let values = combine(&l, &r, len, |a, b| ((a as i64 as i128) * (b as i64 as i128), false))?;
            (values, precision, scale)
        }
        _ => return None,
    };
    let array = Decimal128Array::new(ScalarBuffer::from(values), nulls)
        .with_precision_and_scale(precision, scale)
        .ok()?;
    Some(Arc::new(array))
}

fn nulls_of<'a>(o: &Operand<'a>) -> Option<&'a NullBuffer> {
    match o {
        Operand::Column(_, nulls) => *nulls,
        Operand::Scalar(_) => None,
    }
}

/// Do all values fit in i64 (NULL slots included)?
fn fits_i64(o: &Operand<'_>) -> bool {
    match o {
        Operand::Column(v, _) => v.iter().fold(true, |ok, &x| ok & (x as i64 as i128 == x)),
        Operand::Scalar(x) => *x as i64 as i128 == *x,
    }
}

/// The operand multiplied by `mul` (unchanged when `mul` is 1); `None` on overflow.
fn rescale(o: Operand<'_>, mul: i128, len: usize) -> Option<Operand<'_>> {
    if mul == 1 {
        return Some(o);
    }
    match o {
        Operand::Scalar(x) => x.checked_mul(mul).map(Operand::Scalar),
        Operand::Column(_, nulls) => {
            let values = combine(&o, &Operand::Scalar(mul), len, |a, b| a.overflowing_mul(b))?;
            Some(Operand::Column(Cow::Owned(values), nulls))
        }
    }
}

/// `f` over the operands' values; `None` when any value overflowed.
#[inline(always)]
fn combine(
    l: &Operand<'_>,
    r: &Operand<'_>,
    len: usize,
    f: impl Fn(i128, i128) -> (i128, bool),
) -> Option<Vec<i128>> {
    let mut overflow = false;
    let mut apply = |a: i128, b: i128| {
        let (v, o) = f(a, b);
        overflow |= o;
        v
    };
    let out: Vec<i128> = match (l, r) {
        (Operand::Column(a, _), Operand::Column(b, _)) => {
            a.iter().zip(b.iter()).map(|(&a, &b)| apply(a, b)).collect()
        }
        (Operand::Column(a, _), Operand::Scalar(b)) => a.iter().map(|&a| apply(a, *b)).collect(),
        (Operand::Scalar(a), Operand::Column(b, _)) => b.iter().map(|&b| apply(*a, b)).collect(),
        (Operand::Scalar(_), Operand::Scalar(_)) => return None,
    };
    (!overflow && out.len() == len).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, ArrayRef, Decimal128Array};
    use arrow::compute::kernels::numeric;
    use shoal_common::ScalarValue;
    use shoal_expr::{ColumnarValue, Operator};

    use super::decimal_fast_path;
    use crate::util::datum;

    fn column(values: Vec<Option<i128>>, p: u8, s: i8) -> ColumnarValue {
        let array = Decimal128Array::from(values).with_precision_and_scale(p, s).unwrap();
        ColumnarValue::Array(Arc::new(array))
    }

    fn scalar(v: i128, p: u8, s: i8) -> ColumnarValue {
        ColumnarValue::Scalar(ScalarValue::decimal128(Some(v), p, s).unwrap())
    }

    fn arrow_result(op: Operator, l: &ColumnarValue, r: &ColumnarValue) -> ArrayRef {
        let (l, r) = (datum(l), datum(r));
        match op {
            Operator::Plus => numeric::add(&l, &r),
            Operator::Minus => numeric::sub(&l, &r),
            _ => numeric::mul(&l, &r),
        }
        .unwrap()
    }

    /// The fast path, which must apply, equals Arrow's kernel: values, NULLs and type.
    fn assert_same(op: Operator, l: &ColumnarValue, r: &ColumnarValue) -> ArrayRef {
        let fast = decimal_fast_path(op, l, r).expect("fast path applies");
        let want = arrow_result(op, l, r);
        assert_eq!(fast.data_type(), want.data_type(), "{op}");
        assert_eq!(fast.as_ref(), want.as_ref(), "{op}");
        fast
    }

    #[test]
    fn matches_arrow_for_columns_and_scalars_with_any_scales() {
        let a = column(vec![Some(12_345), None, Some(-7), Some(0), Some(999_999_999_999)], 15, 2);
        let b = column(vec![Some(4), Some(5), None, Some(-600), Some(7)], 15, 2);
        let c = column(vec![Some(1), Some(2), Some(3), Some(4), Some(5)], 10, 0);
        let one = scalar(1, 1, 0);
        let rate = scalar(-6, 3, 2);
        for op in [Operator::Plus, Operator::Minus, Operator::Multiply] {
            for (l, r) in [(&a, &b), (&a, &c), (&c, &a), (&one, &b), (&b, &one), (&a, &rate), (&rate, &c)] {
                assert_same(op, l, r);
            }
        }
        // TPC-H Q1's 1 - l_discount: 1 rescaled to two decimal places
        let result = assert_same(Operator::Minus, &one, &b);
        let want = Decimal128Array::from(vec![Some(96), Some(95), None, Some(700), Some(93)])
            .with_precision_and_scale(16, 2)
            .unwrap();
        assert_eq!(result.as_ref(), &want as &dyn Array);
    }

    #[test]
    fn leaves_overflow_and_wide_products_to_arrow() {
        let big = column(vec![Some(i128::MAX - 1), Some(1)], 38, 0);
        let two = scalar(2, 1, 0);
        assert!(decimal_fast_path(Operator::Plus, &big, &two).is_none());
        assert!(numeric::add(&datum(&big), &datum(&two)).is_err());
        // a product of values beyond i64 is checked by Arrow
        let wide = column(vec![Some(1 << 70), Some(3)], 38, 0);
        assert!(decimal_fast_path(Operator::Multiply, &wide, &two).is_none());
        // a NULL scalar and two scalars are not fast-pathed
        let null = ColumnarValue::Scalar(ScalarValue::decimal128(None, 5, 2).unwrap());
        assert!(decimal_fast_path(Operator::Plus, &big, &null).is_none());
        assert!(decimal_fast_path(Operator::Plus, &two, &two).is_none());
        // other operators are not fast-pathed
        assert!(decimal_fast_path(Operator::Divide, &big, &two).is_none());
    }

    #[test]
    fn products_of_i64_range_values_are_exact() {
        let l = column(vec![Some(i64::MAX as i128), Some(i64::MIN as i128), Some(-3)], 19, 2);
        let r = column(vec![Some(i64::MAX as i128), Some(i64::MIN as i128), Some(5)], 19, 2);
        let result = assert_same(Operator::Multiply, &l, &r);
        let want = [(i64::MAX as i128) * (i64::MAX as i128), (i64::MIN as i128) * (i64::MIN as i128), -15];
        let got: Vec<i128> = result.as_any().downcast_ref::<Decimal128Array>().unwrap().values().to_vec();
        assert_eq!(got, want);
    }
}
