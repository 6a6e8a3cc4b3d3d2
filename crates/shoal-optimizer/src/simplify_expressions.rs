//! [`SimplifyExpressions`]: constant folding and exact three-valued boolean simplification.
//!
//! * A deterministic subtree without column references or aggregates is evaluated once by the
//!   session's [`ConstEvaluator`] and replaced by a literal. If the evaluation fails (`1 / 0`),
//!   the subtree is left alone, so the error only surfaces if a row actually computes it.
//! * `x AND true` → `x`, `x AND false` → `false`, `x OR true` → `true`, `x OR false` → `x`
//!   (exact under three-valued logic: `NULL AND false` is false, `NULL OR true` is true).
//! * `NOT NOT x` → `x`; `NOT (a = b)` → `a <> b` (every comparison), `NOT (x IS NULL)` →
//!   `x IS NOT NULL`, `NOT (x BETWEEN ..)` / `NOT (x LIKE ..)` / `NOT (x IN ..)` → the negated form.
//! * `x IS NULL` → `false` and `x IS NOT NULL` → `true` when `x` cannot be NULL (by the input
//!   schema's nullability).
//! * A comparison or arithmetic operator with a NULL literal operand → a typed NULL.
//!
//! `BETWEEN` is kept as is (scan pruning understands it). Output names survive because
//! [`LogicalPlan::map_expressions`] aliases a changed projection/aggregate expression to its old name.

use std::sync::Arc;

use arrow::datatypes::DataType;
use shoal_common::{Result, ScalarValue};
use shoal_expr::{
    Between, BinaryExpr, Expr, InList, Like, LogicalPlan, Operator, PlanSchema, Transformed, TreeNode,
    TreeNodeRecursion,
};

use crate::optimizer::{ConstEvaluator, OptimizerContext, OptimizerRule};

/// Folds constants and simplifies boolean expressions in every node.
#[derive(Debug, Default, Clone, Copy)]
pub struct SimplifyExpressions;

impl OptimizerRule for SimplifyExpressions {
    fn name(&self) -> &'static str {
        "simplify_expressions"
    }

    fn rewrite(&self, plan: LogicalPlan, ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| {
            // Expressions are typed against the node's input (a scan's filters: the whole table).
            let schema = match &node {
                LogicalPlan::TableScan(s) => {
                    Arc::new(PlanSchema::from_arrow(&s.source.schema(), Some(&s.table_name)))
                }
                other => match other.inputs().first() {
                    Some(input) => Arc::clone(input.schema()),
                    None => Arc::new(PlanSchema::empty()),
                },
            };
            node.map_expressions(|e| simplify_expr(e, &schema, ctx.evaluator))
        })
    }
}

/// Simplify one expression typed against `schema`, bottom-up.
pub fn simplify_expr(
    expr: Expr,
    schema: &PlanSchema,
    evaluator: &dyn ConstEvaluator,
) -> Result<Transformed<Expr>> {
    expr.transform_up(|e| {
        let simplified = simplify_node(e, schema)?;
        let folded = fold_constant(simplified.data, evaluator)?;
        Ok(Transformed::new(folded.data, simplified.transformed || folded.transformed))
    })
}

fn is_bool_literal(e: &Expr, value: bool) -> bool {
    matches!(e, Expr::Literal(s) if s.as_bool() == Some(value))
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(s) if s.is_null())
}

/// True when `e` is known to be a boolean expression (so it can stand in for `e AND true`).
fn is_boolean(e: &Expr, schema: &PlanSchema) -> bool {
    matches!(e.get_type(schema), Ok(DataType::Boolean))
}

/// One step of boolean / NULL simplification at the root of `e`.
fn simplify_node(e: Expr, schema: &PlanSchema) -> Result<Transformed<Expr>> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => simplify_binary(*left, op, *right, schema),
        Expr::Not(inner) => Ok(match *inner {
            Expr::Not(x) => Transformed::yes(*x),
            Expr::BinaryExpr(BinaryExpr { left, op, right }) if op.is_comparison() => match op.negate() {
                Some(negated) => Transformed::yes((*left).binary(negated, *right)),
                None => Transformed::no(Expr::Not(Box::new((*left).binary(op, *right)))),
            },
            Expr::IsNull(x) => Transformed::yes(Expr::IsNotNull(x)),
            Expr::IsNotNull(x) => Transformed::yes(Expr::IsNull(x)),
            Expr::Between(b) => Transformed::yes(Expr::Between(Between { negated: !b.negated, ..b })),
            Expr::Like(l) => Transformed::yes(Expr::Like(Like { negated: !l.negated, ..l })),
            Expr::InList(i) => Transformed::yes(Expr::InList(InList { negated: !i.negated, ..i })),
            other => Transformed::no(Expr::Not(Box::new(other))),
        }),
        Expr::IsNull(x) if matches!(x.nullable(schema), Ok(false)) => {
            Ok(Transformed::yes(Expr::Literal(ScalarValue::boolean(Some(false)))))
        }
        Expr::IsNotNull(x) if matches!(x.nullable(schema), Ok(false)) => {
            Ok(Transformed::yes(Expr::Literal(ScalarValue::boolean(Some(true)))))
        }
        e => Ok(Transformed::no(e)),
    }
}

fn simplify_binary(left: Expr, op: Operator, right: Expr, schema: &PlanSchema) -> Result<Transformed<Expr>> {
    let keep = |left: Expr, right: Expr| Ok(Transformed::no(left.binary(op, right)));
    let boolean = |v: bool| Ok(Transformed::yes(Expr::Literal(ScalarValue::boolean(Some(v)))));
    match op {
        Operator::And => {
            if is_bool_literal(&left, false) || is_bool_literal(&right, false) {
                boolean(false)
            } else if is_bool_literal(&right, true) && is_boolean(&left, schema) {
                Ok(Transformed::yes(left))
            } else if is_bool_literal(&left, true) && is_boolean(&right, schema) {
                Ok(Transformed::yes(right))
            } else {
                keep(left, right)
            }
        }
        Operator::Or => {
            if is_bool_literal(&left, true) || is_bool_literal(&right, true) {
                boolean(true)
            } else if is_bool_literal(&right, false) && is_boolean(&left, schema) {
                Ok(Transformed::yes(left))
            } else if is_bool_literal(&left, false) && is_boolean(&right, schema) {
                Ok(Transformed::yes(right))
            } else {
                keep(left, right)
            }
        }
        // `x op NULL` is NULL for every row (IS [NOT] DISTINCT FROM and `||` are not like that).
        Operator::Eq
        | Operator::NotEq
        | Operator::Lt
        | Operator::LtEq
        | Operator::Gt
        | Operator::GtEq
        | Operator::Plus
        | Operator::Minus
        | Operator::Multiply
        | Operator::Divide
        | Operator::Modulo
            if is_null_literal(&left) || is_null_literal(&right) =>
        {
            let e = left.binary(op, right);
            match e.get_type(schema) {
                Ok(t) if t != DataType::Null => Ok(Transformed::yes(Expr::Literal(ScalarValue::null(&t)))),
                _ => Ok(Transformed::no(e)),
            }
        }
        _ => keep(left, right),
    }
}

/// True when `e` can be evaluated once, without input rows: no columns, no aggregates, no
/// non-deterministic functions.
fn is_constant(e: &Expr) -> bool {
    let mut constant = true;
    let _ = e.apply(|n| {
        let stop = match n {
            Expr::Column(_)
            | Expr::AggregateFunction(_)
            | Expr::WindowFunction(_)
            | Expr::Wildcard { .. }
            | Expr::GroupingSet(_) => true,
            Expr::ScalarFunction(f) => !f.func.is_deterministic(),
            _ => false,
        };
        if stop {
            constant = false;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    constant
}

/// Replace a constant subtree by its value; leave it when evaluation fails.
fn fold_constant(e: Expr, evaluator: &dyn ConstEvaluator) -> Result<Transformed<Expr>> {
    if matches!(e, Expr::Literal(_) | Expr::Alias(_)) || !is_constant(&e) {
        return Ok(Transformed::no(e));
    }
    let Ok(expected) = e.get_type(&PlanSchema::empty()) else {
        return Ok(Transformed::no(e));
    };
    let Ok(value) = evaluator.evaluate(&e) else {
        // e.g. `1 / 0`: the error is raised only if a row computes it.
        return Ok(Transformed::no(e));
    };
    match value.cast_to(&expected) {
        Ok(v) => Ok(Transformed::yes(Expr::Literal(v))),
        Err(_) => Ok(Transformed::no(e)),
    }
}
