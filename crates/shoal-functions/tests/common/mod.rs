//! Test helpers: call a registry function the way the planner and executor do, check its
//! result type and scalar/array consistency, and show results as text.
#![allow(dead_code)]

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int32Array, Int64Array, StringArray,
    TimestampMicrosecondArray,
};
use arrow::compute::cast;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal_common::{Result, ScalarValue};
use shoal_expr::ColumnarValue;
use shoal_functions::FunctionRegistry;

/// Call `name` over `args` of `rows` rows: coerce and cast the arguments, check the result
/// type against `return_type_with_literals` (scalar arguments count as literals), check that
/// a call on all-scalar arguments returns a scalar, and that every row of an array result
/// equals the call on that row's scalars.
pub fn call(name: &str, args: Vec<ColumnarValue>, rows: usize) -> Result<ColumnarValue> {
    let registry = FunctionRegistry::default();
    let func = registry.scalar(name).unwrap_or_else(|| panic!("no function {name}"));
    let types: Vec<_> = args.iter().map(|a| a.data_type()).collect();
    let wanted = func.coerce_types(&types)?;
    assert_eq!(wanted.len(), args.len(), "{name}: coerce_types arity");
    let args = args
        .into_iter()
        .zip(&wanted)
        .map(|(a, t)| {
            Ok(match a {
                ColumnarValue::Array(a) => ColumnarValue::Array(cast(&a, t)?),
                ColumnarValue::Scalar(s) => ColumnarValue::Scalar(s.cast_to(t)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let literals: Vec<Option<&ScalarValue>> = args
        .iter()
        .map(|a| match a {
            ColumnarValue::Scalar(s) => Some(s),
            ColumnarValue::Array(_) => None,
        })
        .collect();
    let return_type = func.return_type_with_literals(&wanted, &literals)?;
    let out = func.invoke(&args, rows)?;
    assert_eq!(out.data_type(), return_type, "{name}: result type");
    let all_scalar = literals.iter().all(|l| l.is_some());
    match &out {
        ColumnarValue::Scalar(_) => assert!(all_scalar, "{name}: scalar result for array input"),
        ColumnarValue::Array(a) => {
            assert!(!all_scalar || !func.is_deterministic(), "{name}: array result for scalars");
            assert_eq!(a.len(), rows, "{name}: result rows");
            if func.is_deterministic() {
                for row in 0..rows {
                    let row_args: Vec<_> = args
                        .iter()
                        .map(|a| match a {
                            ColumnarValue::Array(a) => {
                                ColumnarValue::Scalar(ScalarValue::from_array_row(a.as_ref(), row))
                            }
                            s => s.clone(),
                        })
                        .collect();
                    let one = func.invoke(&row_args, 1)?;
                    assert_eq!(show(&one), vec![show(&out)[row].clone()], "{name}: row {row}");
                }
            }
        }
    }
    Ok(out)
}

/// `call` that must succeed, shown as text.
pub fn run(name: &str, args: Vec<ColumnarValue>, rows: usize) -> Vec<String> {
    match call(name, args, rows) {
        Ok(out) => show(&out),
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Call on scalars only, giving the one value as text.
pub fn one(name: &str, args: Vec<ColumnarValue>) -> String {
    run(name, args, 1).remove(0)
}

/// The error message of a call that must fail (at coercion or at run time).
pub fn error(name: &str, args: Vec<ColumnarValue>, rows: usize) -> String {
    match call(name, args, rows) {
        Ok(out) => panic!("{name}: expected an error, got {:?}", show(&out)),
        Err(e) => e.to_string(),
    }
}

/// Every value as arrow displays it, NULL as `NULL`.
pub fn show(v: &ColumnarValue) -> Vec<String> {
    let array: ArrayRef = match v {
        ColumnarValue::Array(a) => Arc::clone(a),
        ColumnarValue::Scalar(s) => Arc::clone(s.array()),
    };
    let options = FormatOptions::default().with_null("NULL");
    let f = ArrayFormatter::try_new(array.as_ref(), &options).expect("formatter");
    (0..array.len()).map(|i| f.value(i).to_string()).collect()
}

pub fn s(v: &str) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::utf8(Some(v)))
}
pub fn i(v: i64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::int64(Some(v)))
}
pub fn f(v: f64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::float64(Some(v)))
}
pub fn b(v: bool) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::boolean(Some(v)))
}
/// A NULL literal (DataType::Null).
pub fn null() -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::null(&arrow::datatypes::DataType::Null))
}
pub fn dec(v: i128, precision: u8, scale: i8) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::decimal128(Some(v), precision, scale).expect("decimal"))
}
pub fn date(days: i32) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::date32(Some(days)))
}
pub fn ts(micros: i64) -> ColumnarValue {
    ColumnarValue::Scalar(ScalarValue::timestamp_micros(Some(micros)))
}

pub fn strs(v: &[Option<&str>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(StringArray::from(v.to_vec())))
}
pub fn ints(v: &[Option<i64>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(Int64Array::from(v.to_vec())))
}
pub fn ints32(v: &[Option<i32>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(Int32Array::from(v.to_vec())))
}
pub fn floats(v: &[Option<f64>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(Float64Array::from(v.to_vec())))
}
pub fn bools(v: &[Option<bool>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(BooleanArray::from(v.to_vec())))
}
pub fn decs(v: &[Option<i128>], precision: u8, scale: i8) -> ColumnarValue {
    let a = Decimal128Array::from(v.to_vec()).with_precision_and_scale(precision, scale).expect("decimal");
    ColumnarValue::Array(Arc::new(a))
}
pub fn dates(v: &[Option<i32>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(Date32Array::from(v.to_vec())))
}
pub fn tss(v: &[Option<i64>]) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(TimestampMicrosecondArray::from(v.to_vec())))
}
/// Timestamps (microseconds) in time zone `tz`.
pub fn tss_tz(v: &[Option<i64>], tz: &str) -> ColumnarValue {
    ColumnarValue::Array(Arc::new(TimestampMicrosecondArray::from(v.to_vec()).with_timezone(tz)))
}
