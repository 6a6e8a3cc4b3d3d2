//! Floating-point math: sqrt, cbrt, exp, ln, log*, power, trigonometry, sign, pi, random.
//! Arguments are coerced to Float64. Domain errors follow PostgreSQL (`sqrt(-1)` and `ln(0)`
//! are execution errors, not NaN). Rounding and `abs` live in `rounding.rs`.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{new_null_array, AsArray, Float64Array};
use arrow::datatypes::{DataType, Float64Type};
use shoal_common::{exec_err, internal_err, Result, ScalarValue, ShoalError};
use shoal_expr::{ColumnarValue, ScalarFunction};

use crate::args::{arg, collect_primitive, map_columnar, PrimArg, Shape};
use crate::builtin::{coerce_signature, Arg, Builtin, Returns, Signature};

/// A Float64 → Float64 function that may reject its input.
#[derive(Debug)]
pub struct FloatUnary {
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    f: fn(f64) -> Result<f64>,
}

/// A (Float64, Float64) → Float64 function that may reject its inputs.
#[derive(Debug)]
pub struct FloatBinary {
    name: &'static str,
    aliases: &'static [&'static str],
    description: &'static str,
    f: fn(f64, f64) -> Result<f64>,
}

/// The math functions of this module.
pub fn functions() -> Vec<Arc<dyn ScalarFunction>> {
    let unary = |name, description, f| -> Arc<dyn ScalarFunction> {
        Arc::new(FloatUnary { name, aliases: &[], description, f })
    };
    let binary = |name, aliases, description, f| -> Arc<dyn ScalarFunction> {
        Arc::new(FloatBinary { name, aliases, description, f })
    };
    vec![
        unary("sqrt", "sqrt(x) -> double: square root (error if x < 0)", sqrt),
        unary("cbrt", "cbrt(x) -> double: cube root", |x| Ok(x.cbrt())),
        unary("exp", "exp(x) -> double: e raised to x", exp),
        unary("ln", "ln(x) -> double: natural logarithm (error if x <= 0)", |x| log_domain(x).map(f64::ln)),
        unary("log10", "log10(x) -> double: base-10 logarithm (error if x <= 0)", |x| {
            log_domain(x).map(f64::log10)
        }),
        unary("log2", "log2(x) -> double: base-2 logarithm (error if x <= 0)", |x| {
            log_domain(x).map(f64::log2)
        }),
        Arc::new(Log),
        binary("power", &["pow"], "power(x, y) -> double: x raised to y", power),
        binary(
            "atan2",
            &[],
            "atan2(y, x) -> double: arc tangent of y / x, in radians",
            |y, x| Ok(y.atan2(x)),
        ),
        unary("sin", "sin(x) -> double: sine of x radians", |x| finite_trig(x, f64::sin)),
        unary("cos", "cos(x) -> double: cosine of x radians", |x| finite_trig(x, f64::cos)),
        unary("tan", "tan(x) -> double: tangent of x radians", |x| finite_trig(x, f64::tan)),
        unary("asin", "asin(x) -> double: arc sine in radians (error unless -1 <= x <= 1)", |x| {
            unit_range(x).map(f64::asin)
        }),
        unary("acos", "acos(x) -> double: arc cosine in radians (error unless -1 <= x <= 1)", |x| {
            unit_range(x).map(f64::acos)
        }),
        unary("atan", "atan(x) -> double: arc tangent in radians", |x| Ok(x.atan())),
        unary("degrees", "degrees(x) -> double: radians to degrees", |x| Ok(x.to_degrees())),
        unary("radians", "radians(x) -> double: degrees to radians", |x| Ok(x.to_radians())),
        unary("sign", "sign(x) -> double: -1, 0 or 1 by the sign of x", sign),
        Builtin::fixed(
            "pi",
            "pi() -> double: the constant π",
            &[],
            Returns::Fixed(DataType::Float64),
            |_, _| Ok(ColumnarValue::Scalar(ScalarValue::float64(Some(std::f64::consts::PI)))),
        )
        .into_arc(),
        Builtin::fixed(
            "random",
            "random() -> double: a uniformly random value in [0, 1), different on every row",
            &[],
            Returns::Fixed(DataType::Float64),
            random,
        )
        .volatile()
        .into_arc(),
    ]
}

/// `sqrt(x)`: PostgreSQL rejects negative input.
fn sqrt(x: f64) -> Result<f64> {
    if x < 0.0 {
        return exec_err!("cannot take square root of a negative number");
    }
    Ok(x.sqrt())
}

/// `exp(x)`: an overflow to infinity is an error.
fn exp(x: f64) -> Result<f64> {
    let y = x.exp();
    if y.is_infinite() && x.is_finite() {
        return exec_err!("value out of range: overflow");
    }
    Ok(y)
}

/// Logarithms reject zero and negative input.
fn log_domain(x: f64) -> Result<f64> {
    if x == 0.0 {
        return exec_err!("cannot take logarithm of zero");
    }
    if x < 0.0 {
        return exec_err!("cannot take logarithm of a negative number");
    }
    Ok(x)
}

/// Inverse sine/cosine reject input outside [-1, 1].
fn unit_range(x: f64) -> Result<f64> {
    if !(-1.0..=1.0).contains(&x) && !x.is_nan() {
        return exec_err!("input is out of range");
    }
    Ok(x)
}

/// sin/cos/tan reject infinite input.
fn finite_trig(x: f64, f: fn(f64) -> f64) -> Result<f64> {
    if x.is_infinite() {
        return exec_err!("input is out of range");
    }
    Ok(f(x))
}

fn sign(x: f64) -> Result<f64> {
    Ok(if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else {
        x * 0.0
    })
}

/// `power(x, y)` with PostgreSQL's errors for 0^negative, negative^fraction and overflow.
fn power(x: f64, y: f64) -> Result<f64> {
    if x == 0.0 && y < 0.0 {
        return exec_err!("zero raised to a negative power is undefined");
    }
    if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
        return exec_err!("a negative number raised to a non-integer power yields a complex result");
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return exec_err!("value out of range: overflow");
    }
    Ok(r)
}

/// `log(b, x)`: logarithm of x to base b.
fn log_base(b: f64, x: f64) -> Result<f64> {
    let (b, x) = (log_domain(b)?, log_domain(x)?);
    if b == 1.0 {
        return exec_err!("division by zero");
    }
    Ok(x.ln() / b.ln())
}

fn unary_eval(args: &[ColumnarValue], f: fn(f64) -> Result<f64>) -> Result<ColumnarValue> {
    map_columnar(arg(args, 0)?, |a| {
        if a.data_type() == &DataType::Null {
            return Ok(new_null_array(&DataType::Float64, a.len()));
        }
        let Some(p) = a.as_primitive_opt::<Float64Type>() else {
            return internal_err!("expected Float64, got {}", a.data_type());
        };
        Ok(Arc::new(p.try_unary::<_, Float64Type, ShoalError>(f)?))
    })
}

fn binary_eval(
    args: &[ColumnarValue],
    num_rows: usize,
    f: fn(f64, f64) -> Result<f64>,
) -> Result<ColumnarValue> {
    let shape = Shape::of(args, num_rows);
    let x = PrimArg::<Float64Type>::new(arg(args, 0)?)?;
    let y = PrimArg::<Float64Type>::new(arg(args, 1)?)?;
    if let (PrimArg::Array(xs), PrimArg::Scalar(Some(y))) = (&x, &y) {
        let y = *y;
        return Ok(ColumnarValue::Array(Arc::new(xs.try_unary::<_, Float64Type, ShoalError>(|x| f(x, y))?)));
    }
    if let (PrimArg::Scalar(Some(x)), PrimArg::Array(ys)) = (&x, &y) {
        let x = *x;
        return Ok(ColumnarValue::Array(Arc::new(ys.try_unary::<_, Float64Type, ShoalError>(|y| f(x, y))?)));
    }
    let out = collect_primitive::<Float64Type>(shape.rows, |i| match (x.get(i), y.get(i)) {
        (Some(x), Some(y)) => f(x, y).map(Some),
        _ => Ok(None),
    })?;
    shape.finish(Arc::new(out))
}

fn float_signature() -> Signature {
    Signature::Fixed { args: &[Arg::Float], optional: 0 }
}

impl ScalarFunction for FloatUnary {
    fn name(&self) -> &str {
        self.name
    }
    fn aliases(&self) -> &[&'static str] {
        self.aliases
    }
    fn description(&self) -> &str {
        self.description
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_signature(&float_signature(), self.description, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke(&self, args: &[ColumnarValue], _: usize) -> Result<ColumnarValue> {
        unary_eval(args, self.f)
    }
}

impl ScalarFunction for FloatBinary {
    fn name(&self) -> &str {
        self.name
    }
    fn aliases(&self) -> &[&'static str] {
        self.aliases
    }
    fn description(&self) -> &str {
        self.description
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let signature = Signature::Fixed { args: &[Arg::Float, Arg::Float], optional: 0 };
        coerce_signature(&signature, self.description, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        binary_eval(args, num_rows, self.f)
    }
}

/// `log(x)` (base 10) or `log(b, x)`.
#[derive(Debug)]
pub struct Log;

const LOG: &str = "log([base, ]x) -> double: logarithm of x to base (default 10; error if either <= 0)";

impl ScalarFunction for Log {
    fn name(&self) -> &str {
        "log"
    }
    fn description(&self) -> &str {
        LOG
    }
    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        let signature = Signature::Fixed { args: &[Arg::Float, Arg::Float], optional: 1 };
        coerce_signature(&signature, LOG, arg_types)
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke(&self, args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        if args.len() == 1 {
            unary_eval(args, |x| log_domain(x).map(f64::log10))
        } else {
            binary_eval(args, num_rows, log_base)
        }
    }
}

/// SplitMix64, seeded per call from the process's random hasher keys and a counter.
fn random(_: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut state = RandomState::new().hash_one(CALLS.fetch_add(1, Ordering::Relaxed));
    let values: Float64Array = (0..num_rows)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect::<Vec<f64>>()
        .into();
    Ok(ColumnarValue::Array(Arc::new(values)))
}
