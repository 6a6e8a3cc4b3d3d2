//! Shared fixtures for the rule tests: a mock table, a tiny constant evaluator, a
//! non-deterministic function, and helpers that run one rule or the whole optimizer.
#![allow(dead_code)]

use std::any::Any;
use std::sync::Arc;

use arrow::array::Float64Array;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use shoal_common::{not_supported, Result, ScalarValue, SessionConfig, ShoalError};
use shoal_expr::{
    AggregateFunction, AggregateFunctionExpr, ColumnStatistics, ColumnarValue, Expr, LogicalPlan,
    LogicalPlanBuilder, Operator, ScalarFunction, ScalarFunctionExpr, ScanSource, Statistics, TableSource,
};
use shoal_optimizer::{ConstEvaluator, Optimizer, OptimizerContext, OptimizerRule};

/// A table with a fixed schema that prunes with `column <op> literal` and cannot be scanned.
#[derive(Debug)]
pub struct MockTable {
    schema: SchemaRef,
}

impl TableSource for MockTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn description(&self) -> String {
        "mock".into()
    }
    fn can_prune_with(&self, filter: &Expr) -> bool {
        match filter {
            Expr::BinaryExpr(b) if b.op.is_comparison() => matches!(
                (b.left.as_ref(), b.right.as_ref()),
                (Expr::Column(_), Expr::Literal(_)) | (Expr::Literal(_), Expr::Column(_))
            ),
            _ => false,
        }
    }
    fn scan(
        &self,
        _projection: Option<&[usize]>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        Err(ShoalError::Internal("the mock table cannot be scanned".into()))
    }
}

/// `t(a BIGINT, b BIGINT, c VARCHAR, id BIGINT NOT NULL)`.
pub fn table() -> Arc<dyn TableSource> {
    Arc::new(MockTable {
        schema: Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Int64, true),
            Field::new("c", DataType::Utf8, true),
            Field::new("id", DataType::Int64, false),
        ])),
    })
}

/// A builder scanning `t`.
pub fn scan() -> LogicalPlanBuilder {
    LogicalPlanBuilder::scan("t", table()).unwrap()
}

pub fn count_star() -> Expr {
    Expr::AggregateFunction(AggregateFunctionExpr {
        func: AggregateFunction::Count,
        args: vec![],
        distinct: false,
        filter: None,
        order_by: vec![],
    })
}

pub fn sum(e: Expr) -> Expr {
    Expr::AggregateFunction(AggregateFunctionExpr {
        func: AggregateFunction::Sum,
        args: vec![e],
        distinct: false,
        filter: None,
        order_by: vec![],
    })
}

/// `random()`: a non-deterministic function (always 0.25 here, so folding it would show).
#[derive(Debug)]
pub struct RandomFunction;

impl ScalarFunction for RandomFunction {
    fn name(&self) -> &str {
        "random"
    }
    fn description(&self) -> &str {
        "random() -> double"
    }
    fn coerce_types(&self, _arg_types: &[DataType]) -> Result<Vec<DataType>> {
        Ok(vec![])
    }
    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke(&self, _args: &[ColumnarValue], num_rows: usize) -> Result<ColumnarValue> {
        Ok(ColumnarValue::Array(Arc::new(Float64Array::from(vec![0.25; num_rows]))))
    }
    fn is_deterministic(&self) -> bool {
        false
    }
}

pub fn random() -> Expr {
    Expr::ScalarFunction(ScalarFunctionExpr { func: Arc::new(RandomFunction), args: vec![] })
}

/// Evaluates literals, BIGINT arithmetic and comparisons, three-valued AND / OR / NOT, and
/// function calls (so a wrongly folded `random()` would show).
pub struct TestEvaluator;

impl ConstEvaluator for TestEvaluator {
    fn evaluate(&self, expr: &Expr) -> Result<ScalarValue> {
        match expr {
            Expr::Literal(v) => Ok(v.clone()),
            Expr::Negative(e) => {
                let v = self.evaluate(e)?;
                int(v.as_i64().and_then(i64::checked_neg), &v)
            }
            Expr::Not(e) => Ok(ScalarValue::boolean(self.evaluate(e)?.as_bool().map(|b| !b))),
            Expr::BinaryExpr(b) => {
                let l = self.evaluate(&b.left)?;
                let r = self.evaluate(&b.right)?;
                binary(&l, b.op, &r)
            }
            Expr::ScalarFunction(f) => {
                let args = f
                    .args
                    .iter()
                    .map(|a| Ok(ColumnarValue::Scalar(self.evaluate(a)?)))
                    .collect::<Result<Vec<_>>>()?;
                match f.func.invoke(&args, 1)? {
                    ColumnarValue::Scalar(s) => Ok(s),
                    ColumnarValue::Array(a) => ScalarValue::try_from_array(a),
                }
            }
            other => not_supported!("test evaluator: {other}"),
        }
    }
}

fn int(v: Option<i64>, operand: &ScalarValue) -> Result<ScalarValue> {
    match v {
        Some(v) => Ok(ScalarValue::int64(Some(v))),
        None if operand.is_null() => Ok(ScalarValue::int64(None)),
        None => Err(ShoalError::Execution("BIGINT overflow".into())),
    }
}

fn binary(l: &ScalarValue, op: Operator, r: &ScalarValue) -> Result<ScalarValue> {
    if op.is_logical() {
        let (a, b) = (l.as_bool(), r.as_bool());
        let v = match op {
            Operator::And => match (a, b) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
            _ => match (a, b) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
        };
        return Ok(ScalarValue::boolean(v));
    }
    if l.is_null() || r.is_null() {
        return Ok(if op.is_comparison() { ScalarValue::boolean(None) } else { ScalarValue::int64(None) });
    }
    let (Some(a), Some(b)) = (l.as_i64(), r.as_i64()) else {
        return not_supported!("test evaluator: {l} {op} {r}");
    };
    let v = match op {
        Operator::Plus => a.checked_add(b),
        Operator::Minus => a.checked_sub(b),
        Operator::Multiply => a.checked_mul(b),
        Operator::Divide | Operator::Modulo if b == 0 => {
            return Err(ShoalError::Execution("division by zero".into()))
        }
        Operator::Divide => a.checked_div(b),
        Operator::Modulo => a.checked_rem(b),
        Operator::Eq => return Ok(ScalarValue::boolean(Some(a == b))),
        Operator::NotEq => return Ok(ScalarValue::boolean(Some(a != b))),
        Operator::Lt => return Ok(ScalarValue::boolean(Some(a < b))),
        Operator::LtEq => return Ok(ScalarValue::boolean(Some(a <= b))),
        Operator::Gt => return Ok(ScalarValue::boolean(Some(a > b))),
        Operator::GtEq => return Ok(ScalarValue::boolean(Some(a >= b))),
        _ => return not_supported!("test evaluator: {op}"),
    };
    int(v, l)
}

/// Run one rule once; the plan text afterwards and whether the rule reported a change.
pub fn run_rule(rule: &dyn OptimizerRule, plan: LogicalPlan) -> (String, bool) {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let out = rule.rewrite(plan, &ctx).unwrap();
    (out.data.display_indent(), out.transformed)
}

/// Run one rule and return the plan text, checking the output schema names/types did not change.
pub fn apply(rule: &dyn OptimizerRule, plan: LogicalPlan) -> String {
    let before = plan.schema().clone();
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    let out = rule.rewrite(plan, &ctx).unwrap().data;
    let names = |s: &shoal_expr::PlanSchema| {
        s.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect::<Vec<_>>()
    };
    assert_eq!(names(&before), names(out.schema()), "schema changed");
    out.display_indent()
}

/// Run the default optimizer and return the plan text.
pub fn optimize(plan: LogicalPlan) -> String {
    let config = SessionConfig::default();
    let ctx = OptimizerContext::new(&config, &TestEvaluator);
    Optimizer::new().optimize(plan, &ctx).unwrap().display_indent()
}

/// A table of `rows` rows (None: unknown) whose BIGINT columns have the given distinct counts.
#[derive(Debug)]
pub struct StatsTable {
    schema: SchemaRef,
    rows: Option<usize>,
    distinct: Vec<f64>,
}

impl TableSource for StatsTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn statistics(&self) -> Statistics {
        Statistics { num_rows: self.rows, total_byte_size: None }
    }
    fn column_statistics(&self, column: usize) -> ColumnStatistics {
        ColumnStatistics { distinct_count: self.distinct.get(column).copied(), ..ColumnStatistics::default() }
    }
    fn description(&self) -> String {
        "stats".into()
    }
    fn scan(&self, _: Option<&[usize]>, _: &[Expr], _: Option<usize>) -> Result<Arc<dyn ScanSource>> {
        Err(ShoalError::Internal("not scannable".into()))
    }
}

pub fn stats_table(name: &str, rows: Option<usize>, columns: &[(&str, f64)]) -> LogicalPlanBuilder {
    let schema = Arc::new(Schema::new(
        columns.iter().map(|(c, _)| Field::new(*c, DataType::Int64, true)).collect::<Vec<_>>(),
    ));
    let source = StatsTable { schema, rows, distinct: columns.iter().map(|(_, d)| *d).collect() };
    LogicalPlanBuilder::scan(name, Arc::new(source)).unwrap()
}
