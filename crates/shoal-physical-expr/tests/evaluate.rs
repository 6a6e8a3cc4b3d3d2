//! Binding and whole-expression helpers: evaluate_constant, evaluate_filter, display with
//! column indices, scalar function calls, and what cannot be bound.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, BooleanArray, Int64Array};
use arrow::datatypes::{DataType, Int64Type};
use common::*;
use shoal_common::{Result, ScalarValue, ShoalError};
use shoal_expr::{
    col, lit, AggregateFunction, AggregateFunctionExpr, ColumnarValue, Expr, Operator, ScalarFunction,
    ScalarFunctionExpr,
};
use shoal_physical_expr::{create_physical_expr, evaluate_constant, evaluate_filter, evaluate_predicate};

#[test]
fn constant_folding() {
    let e = lit(2i64).binary(Operator::Multiply, lit(3i64)).binary(Operator::Plus, lit(1i64));
    assert_eq!(evaluate_constant(&e).unwrap().as_i64(), Some(7));
    let e = lit("a").binary(Operator::StringConcat, lit("b"));
    assert_eq!(evaluate_constant(&e).unwrap().as_str(), Some("ab"));
    let e = lit(1i64).binary(Operator::Divide, lit(0i64));
    let err = evaluate_constant(&e).unwrap_err();
    assert_eq!(err.to_string(), "division by zero in 1 / 0");
    let e = Expr::Literal(ScalarValue::int64(None)).is_null();
    assert_eq!(evaluate_constant(&e).unwrap().as_bool(), Some(true));
    assert!(evaluate_constant(&col("a")).is_err());
}

#[test]
fn filter_keeps_only_true_rows() {
    let b = batch(vec![("a", Arc::new(Int64Array::from(vec![Some(1), None, Some(3), Some(4)])) as ArrayRef)]);
    let p = bind(col("a").gt(lit(2i64)), &b).unwrap();
    let out = evaluate_filter(p.as_ref(), &b).unwrap();
    let v: Vec<Option<i64>> = out.column(0).as_primitive::<Int64Type>().iter().collect();
    assert_eq!(v, vec![Some(3), Some(4)]);
    assert_eq!(
        evaluate_predicate(p.as_ref(), &b).unwrap(),
        BooleanArray::from(vec![Some(false), None, Some(true), Some(true)])
    );

    let all = bind(col("a").is_null().or(col("a").is_not_null()), &b).unwrap();
    assert_eq!(evaluate_filter(all.as_ref(), &b).unwrap().num_rows(), 4);
    let none = bind(col("a").gt(lit(100i64)), &b).unwrap();
    assert_eq!(evaluate_filter(none.as_ref(), &b).unwrap().num_rows(), 0);
    let always = bind(lit(true), &b).unwrap();
    assert_eq!(evaluate_filter(always.as_ref(), &b).unwrap().num_rows(), 4);
    let unknown = bind(Expr::Literal(ScalarValue::boolean(None)), &b).unwrap();
    assert_eq!(evaluate_filter(unknown.as_ref(), &b).unwrap().num_rows(), 0);
}

#[test]
fn display_uses_column_indices() {
    let b = batch(vec![
        ("a", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
        ("b", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
    ]);
    let e = col("a").binary(Operator::Plus, lit(1i64)).binary(Operator::Multiply, col("b")).gt(lit(3i64));
    assert_eq!(bind(e, &b).unwrap().to_string(), "(a@0 + 1) * b@1 > 3");
    let e = col("b").binary(Operator::Minus, col("a").binary(Operator::Minus, lit(1i64)));
    assert_eq!(bind(e, &b).unwrap().to_string(), "b@1 - (a@0 - 1)");
    let e = col("a").cast_to(DataType::Utf8).alias("x");
    assert_eq!(bind(e, &b).unwrap().to_string(), "CAST(a@0 AS VARCHAR)");
}

#[test]
fn aggregates_and_wildcards_cannot_be_bound() {
    let schema = shoal_expr::PlanSchema::empty();
    let agg = Expr::AggregateFunction(AggregateFunctionExpr {
        func: AggregateFunction::Count,
        args: vec![],
        distinct: false,
        filter: None,
        order_by: vec![],
    });
    assert!(matches!(create_physical_expr(&agg, &schema), Err(ShoalError::Internal(_))));
    let star = Expr::Wildcard { qualifier: None };
    assert!(matches!(create_physical_expr(&star, &schema), Err(ShoalError::Internal(_))));
    let missing = create_physical_expr(&col("nope"), &schema).unwrap_err();
    assert!(matches!(missing, ShoalError::Plan { .. }));
}

/// `twice(x)`: 2 * x for BIGINT.
#[derive(Debug)]
struct Twice;

impl ScalarFunction for Twice {
    fn name(&self) -> &str {
        "twice"
    }
    fn description(&self) -> &str {
        "twice(bigint) -> bigint"
    }
    fn coerce_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(vec![DataType::Int64])
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Int64)
    }
    fn invoke(&self, args: &[ColumnarValue], _num_rows: usize) -> Result<ColumnarValue> {
        let two = ScalarValue::int64(Some(2));
        let (a, scalar) = match &args[0] {
            ColumnarValue::Array(a) => (arrow::compute::kernels::numeric::mul(a, &two.as_datum())?, false),
            ColumnarValue::Scalar(s) => {
                (arrow::compute::kernels::numeric::mul(&s.as_datum(), &two.as_datum())?, true)
            }
        };
        Ok(if scalar {
            ColumnarValue::Scalar(ScalarValue::try_from_array(a)?)
        } else {
            ColumnarValue::Array(a)
        })
    }
}

#[test]
fn scalar_function_call() {
    let b = batch(vec![("a", Arc::new(Int64Array::from(vec![Some(1), None, Some(5)])) as ArrayRef)]);
    let call =
        |arg: Expr| Expr::ScalarFunction(ScalarFunctionExpr { func: Arc::new(Twice), args: vec![arg] });
    let bound = bind(call(col("a")), &b).unwrap();
    assert_eq!(bound.to_string(), "twice(a@0)");
    let out = eval_array(call(col("a")), &b).unwrap();
    assert_eq!(out.as_primitive::<Int64Type>().iter().collect::<Vec<_>>(), vec![Some(2), None, Some(10)]);
    assert_eq!(evaluate_constant(&call(lit(21i64))).unwrap().as_i64(), Some(42));
}
