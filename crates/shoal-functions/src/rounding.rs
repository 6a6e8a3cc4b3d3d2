//! Type-preserving numeric functions: abs, round, floor, ceil, trunc.
//!
//! Integers keep their type (a result that no longer fits is an execution error); decimals keep
//! their scale, and `round`, `floor` and `ceil` add one digit of precision for the carry
//! (`round(9.9)` is `10.0`); floats become Float64. `round` rounds half away from zero.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, PrimitiveArray};
use arrow::compute::{cast, cast_with_options, CastOptions};
use arrow::datatypes::{
    ArrowPrimitiveType, DataType, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, DECIMAL128_MAX_PRECISION,
};
use shoal_common::{exec_err, internal_err, Result, ShoalError};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, map_columnar, to_rows, PrimArg, Shape};
use crate::builtin::{signature_error, Arg, Builtin, Returns, Signature};

const ABS: &str = "abs(x) -> type of x: absolute value";
const ROUND: &str =
    "round(x[, digits]) -> type of x: rounds half away from zero to digits decimal places (default 0)";
const TRUNC: &str = "trunc(x[, digits]) -> type of x: rounds toward zero to digits decimal places";
const FLOOR: &str = "floor(x) -> type of x: largest integral value <= x";
const CEIL: &str = "ceil(x) -> type of x: smallest integral value >= x";

/// The rounding functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    vec![
        Builtin::new("abs", ABS, Signature::Custom(|t| coerce_kept(ABS, t, false)), Returns::FirstArg, abs),
        Builtin::new(
            "round",
            ROUND,
            Signature::Custom(|t| coerce_kept(ROUND, t, true)),
            Returns::Custom(carry_type),
            round,
        ),
        Builtin::new(
            "trunc",
            TRUNC,
            Signature::Custom(|t| coerce_kept(TRUNC, t, true)),
            Returns::FirstArg,
            trunc,
        ),
        Builtin::new(
            "floor",
            FLOOR,
            Signature::Custom(|t| coerce_kept(FLOOR, t, false)),
            Returns::Custom(carry_type),
            floor,
        ),
        Builtin::new(
            "ceil",
            CEIL,
            Signature::Custom(|t| coerce_kept(CEIL, t, false)),
            Returns::Custom(carry_type),
            ceil,
        )
        .with_aliases(&["ceiling"]),
    ]
    .into_iter()
    .map(Builtin::into_arc)
    .collect()
}

/// The result type of round/floor/ceil: a decimal gets one more digit of precision.
fn carry_type(types: &[DataType]) -> Result<DataType> {
    match types.first() {
        Some(t) => Ok(rounded_type(t, true)),
        None => signature_error(ROUND, types),
    }
}

/// `t`, with one more digit of decimal precision if the rounding can carry.
fn rounded_type(t: &DataType, carry: bool) -> DataType {
    match t {
        DataType::Decimal128(p, s) if carry => {
            DataType::Decimal128((*p + 1).min(DECIMAL128_MAX_PRECISION), *s)
        }
        t => t.clone(),
    }
}

/// The type a numeric argument keeps: integers and Decimal128 stay, other numbers become
/// Float64, NULL becomes Int64. With `digits`, an optional second integer argument.
fn coerce_kept(description: &str, types: &[DataType], digits: bool) -> Result<Vec<DataType>> {
    let max = if digits { 2 } else { 1 };
    let (Some(x), true) = (types.first(), types.len() <= max) else {
        return signature_error(description, types);
    };
    let x = match x {
        DataType::Dictionary(_, v) => v.as_ref(),
        x => x,
    };
    let kept = match x {
        DataType::Null => DataType::Int64,
        t if t.is_integer() || matches!(t, DataType::Decimal128(..)) => t.clone(),
        t if t.is_numeric() => DataType::Float64,
        _ => return signature_error(description, types),
    };
    let mut out = vec![kept];
    if let Some(d) = types.get(1) {
        match Arg::Int.coerce(d) {
            Some(d) => out.push(d),
            None => return signature_error(description, types),
        }
    }
    Ok(out)
}

/// `abs(x)`: the most negative integer has no absolute value and is an error.
fn abs(args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
    map_columnar(arg(args, 0)?, |a| {
        Ok(match a.data_type() {
            DataType::Float64 => Arc::new(a.as_primitive::<Float64Type>().unary::<_, Float64Type>(f64::abs)),
            DataType::Float32 => Arc::new(a.as_primitive::<Float32Type>().unary::<_, Float32Type>(f32::abs)),
            DataType::Int8 => abs_int::<Int8Type>(a, i8::checked_abs)?,
            DataType::Int16 => abs_int::<Int16Type>(a, i16::checked_abs)?,
            DataType::Int32 => abs_int::<Int32Type>(a, i32::checked_abs)?,
            DataType::Int64 => abs_int::<Int64Type>(a, i64::checked_abs)?,
            DataType::Decimal128(..) => Arc::new(
                a.as_primitive::<Decimal128Type>()
                    .unary::<_, Decimal128Type>(i128::wrapping_abs)
                    .with_data_type(a.data_type().clone()),
            ),
            t if t.is_unsigned_integer() || *t == DataType::Null => Arc::clone(a),
            t => return internal_err!("abs() on {t}"),
        })
    })
}

fn abs_int<T: ArrowPrimitiveType>(a: &ArrayRef, f: fn(T::Native) -> Option<T::Native>) -> Result<ArrayRef> {
    let out = a.as_primitive::<T>().try_unary::<_, T, ShoalError>(|v| match f(v) {
        Some(v) => Ok(v),
        None => exec_err!("abs(): {} out of range", T::DATA_TYPE),
    })?;
    Ok(Arc::new(out))
}

/// Which way to round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    HalfAwayFromZero,
    TowardZero,
    Down,
    Up,
}

impl Mode {
    fn apply_f64(self, x: f64) -> f64 {
        match self {
            Mode::HalfAwayFromZero => round_half_away(x),
            Mode::TowardZero => x.trunc(),
            Mode::Down => x.floor(),
            Mode::Up => x.ceil(),
        }
    }

    /// `v` rounded to a multiple of `factor` (> 0).
    fn apply_i128(self, v: i128, factor: i128) -> Option<i128> {
        let (q, r) = (v / factor, v % factor);
        let q = match self {
            Mode::TowardZero => q,
            Mode::HalfAwayFromZero if r.unsigned_abs() * 2 >= factor.unsigned_abs() => q + v.signum(),
            Mode::HalfAwayFromZero => q,
            Mode::Down if r < 0 => q - 1,
            Mode::Up if r > 0 => q + 1,
            Mode::Down | Mode::Up => q,
        };
        q.checked_mul(factor)
    }
}

/// `x.round()` without the libm call (`round` is not an instruction before SSE4.1) and
/// without branches: below 2^52, adding and subtracting 2^52 rounds the magnitude half to
/// even (exactly), and a tie that went down (`r − |x| = −0.5`) is moved up. Larger values, NaN
/// and infinities are already whole. The sign is `x`'s, so `-0.3` gives `-0.0` as `round` does.
#[inline]
fn round_half_away(x: f64) -> f64 {
    const WHOLE_FROM: f64 = 4_503_599_627_370_496.0; // 2^52
    let magnitude = x.abs();
    let even = (magnitude + WHOLE_FROM) - WHOLE_FROM;
    let rounded = even + if even - magnitude == -0.5 { 1.0 } else { 0.0 };
    let rounded = if magnitude < WHOLE_FROM { rounded } else { magnitude };
    rounded.copysign(x)
}

/// `x` rounded to `digits` decimal places.
fn round_f64(x: f64, digits: i64, mode: Mode) -> f64 {
    if digits == 0 || !x.is_finite() {
        return mode.apply_f64(x);
    }
    if digits > 0 {
        if digits > 308 {
            return x;
        }
        let f = 10f64.powi(digits as i32);
        let y = mode.apply_f64(x * f) / f;
        return if y.is_finite() { y } else { x };
    }
    if digits < -308 {
        return mode.apply_f64(0.0) * x.signum();
    }
    let f = 10f64.powi((-digits) as i32);
    mode.apply_f64(x / f) * f
}

/// An unscaled integer (`scale` decimal places) rounded to `digits` places, keeping the scale;
/// `None` if the result overflows i128.
fn round_scaled(v: i128, scale: i64, digits: i64, mode: Mode) -> Option<i128> {
    let exponent = scale.saturating_sub(digits);
    if exponent <= 0 {
        return Some(v);
    }
    if exponent > 38 {
        return match mode {
            Mode::HalfAwayFromZero | Mode::TowardZero => Some(0),
            Mode::Down if v >= 0 => Some(0),
            Mode::Up if v <= 0 => Some(0),
            _ => None,
        };
    }
    mode.apply_i128(v, 10i128.pow(exponent as u32))
}

/// Apply `f(value, digits)` to every valid value, with constant or per-row digits.
fn with_digits<T: ArrowPrimitiveType>(
    p: &PrimitiveArray<T>,
    digits: &PrimArg<Int64Type>,
    f: impl Fn(T::Native, i64) -> Result<T::Native>,
) -> Result<PrimitiveArray<T>> {
    match digits {
        PrimArg::Scalar(Some(d)) => p.try_unary::<_, T, ShoalError>(|v| f(v, *d)),
        PrimArg::Scalar(None) => Ok(PrimitiveArray::new_null(p.len())),
        PrimArg::Array(_) => {
            crate::args::collect_primitive::<T>(p.len(), |i| match (p.is_valid(i), digits.get(i)) {
                (true, Some(d)) => f(p.value(i), d).map(Some),
                _ => Ok(None),
            })
        }
    }
}

/// Round every value of `a` (of a kept type) with `mode` to `digits` places.
fn round_array(a: &ArrayRef, digits: &PrimArg<Int64Type>, mode: Mode) -> Result<ArrayRef> {
    let t = a.data_type();
    Ok(match t {
        DataType::Null => Arc::clone(a),
        // whole numbers: an infallible kernel over the values
        DataType::Float64 if matches!(digits, PrimArg::Scalar(Some(0))) => {
            let a = a.as_primitive::<Float64Type>();
            Arc::new(match mode {
                Mode::HalfAwayFromZero => a.unary::<_, Float64Type>(round_half_away),
                Mode::TowardZero => a.unary::<_, Float64Type>(f64::trunc),
                Mode::Down => a.unary::<_, Float64Type>(f64::floor),
                Mode::Up => a.unary::<_, Float64Type>(f64::ceil),
            })
        }
        DataType::Float64 => {
            Arc::new(with_digits(a.as_primitive::<Float64Type>(), digits, |x, d| Ok(round_f64(x, d, mode)))?)
        }
        DataType::Decimal128(_, scale) => {
            let out_type = rounded_type(t, mode != Mode::TowardZero);
            let DataType::Decimal128(precision, _) = out_type else {
                return internal_err!("rounded {t} to {out_type}");
            };
            let scale = *scale as i64;
            let out = with_digits(a.as_primitive::<Decimal128Type>(), digits, |v, d| {
                match round_scaled(v, scale, d, mode) {
                    Some(r) => Ok(r),
                    None => exec_err!("numeric field overflow rounding a {t} value"),
                }
            })?
            .with_data_type(out_type.clone());
            if out.validate_decimal_precision(precision).is_err() {
                return exec_err!("numeric field overflow: rounded value does not fit {out_type}");
            }
            Arc::new(out)
        }
        DataType::Int64 => Arc::new(with_digits(a.as_primitive::<Int64Type>(), digits, |v, d| {
            match round_scaled(v as i128, 0, d, mode).and_then(|r| i64::try_from(r).ok()) {
                Some(r) => Ok(r),
                None => exec_err!("integer out of range rounding {v}"),
            }
        })?),
        t if t.is_integer() => {
            // round in Int64, then back to the input type (an overflow is an error)
            let wide = round_array(&cast(a, &DataType::Int64)?, digits, mode)?;
            let options = CastOptions { safe: false, ..Default::default() };
            match cast_with_options(&wide, t, &options) {
                Ok(out) => out,
                Err(_) => return exec_err!("integer out of range: rounded value does not fit {t}"),
            }
        }
        t => return internal_err!("rounding a {t} value"),
    })
}

/// Evaluate a rounding function with an optional digits argument.
fn rounding(args: &[ColumnarValue], num_rows: usize, mode: Mode) -> Result<ColumnarValue> {
    let x = arg(args, 0)?;
    let integral = x.data_type().is_integer();
    match args.get(1) {
        None => map_columnar(x, |a| round_array(a, &PrimArg::Scalar(Some(0)), mode)),
        Some(ColumnarValue::Scalar(d)) if integral && d.as_i64().is_some_and(|d| d >= 0) => Ok(x.clone()),
        Some(ColumnarValue::Scalar(d)) => {
            let digits = PrimArg::Scalar(d.as_i64());
            let shape = Shape::of(args, num_rows);
            if d.is_null() {
                return Ok(shape.null(&rounded_type(&x.data_type(), mode != Mode::TowardZero)));
            }
            map_columnar(x, |a| round_array(a, &digits, mode))
        }
        Some(d @ ColumnarValue::Array(_)) => {
            let digits = PrimArg::<Int64Type>::new(d)?;
            let shape = Shape::of(args, num_rows);
            let out = round_array(&to_rows(x, shape.rows)?, &digits, mode)?;
            shape.finish(out)
        }
    }
}

/// Floor/ceil of an integer is the integer itself.
fn integral_rounding(args: &[ColumnarValue], num_rows: usize, mode: Mode) -> Result<ColumnarValue> {
    let x = arg(args, 0)?;
    if x.data_type().is_integer() {
        return Ok(x.clone());
    }
    rounding(args, num_rows, mode)
}

fn round(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    rounding(args, n, Mode::HalfAwayFromZero)
}

fn trunc(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    rounding(args, n, Mode::TowardZero)
}

fn floor(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    integral_rounding(args, n, Mode::Down)
}

fn ceil(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    integral_rounding(args, n, Mode::Up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_modes() {
        assert_eq!(round_f64(2.5, 0, Mode::HalfAwayFromZero), 3.0);
        assert_eq!(round_f64(-2.5, 0, Mode::HalfAwayFromZero), -3.0);
        assert_eq!(round_f64(1234.5678, -2, Mode::HalfAwayFromZero), 1200.0);
        assert_eq!(round_f64(1.2345, 2, Mode::TowardZero), 1.23);
        assert_eq!(round_scaled(12345, 2, 1, Mode::HalfAwayFromZero), Some(12350));
        assert_eq!(round_scaled(-12345, 2, 1, Mode::HalfAwayFromZero), Some(-12350));
        assert_eq!(round_scaled(-12345, 2, 0, Mode::Down), Some(-12400));
        assert_eq!(round_scaled(12301, 2, 0, Mode::Up), Some(12400));
        assert_eq!(round_scaled(1250, 0, -2, Mode::HalfAwayFromZero), Some(1300));
        assert_eq!(round_scaled(5, 0, -50, Mode::HalfAwayFromZero), Some(0));
    }

    #[test]
    fn round_half_away_matches_libm_bit_for_bit() {
        let mut values = vec![
            0.0,
            -0.0,
            0.3,
            -0.3,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.499_999_999_999_999_94,
            -0.499_999_999_999_999_94,
            4_503_599_627_370_495.5,
            -4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            4_503_599_627_370_497.0,
            9.007_199_254_740_993e15,
            1e300,
            -1e300,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        // a spread of magnitudes and fractions, both signs
        let mut x = 0.000_123_4f64;
        while x < 1e20 {
            for f in [0.0, 0.25, 0.5, 0.75, 0.999_999] {
                values.push(x + f);
                values.push(-(x + f));
            }
            x *= 1.37;
        }
        for v in values {
            assert_eq!(round_half_away(v).to_bits(), v.round().to_bits(), "round({v:e})");
        }
        assert!(round_half_away(f64::NAN).is_nan());
        assert_eq!(round_f64(-0.3, 0, Mode::HalfAwayFromZero).to_bits(), (-0.0f64).to_bits());
    }
}
