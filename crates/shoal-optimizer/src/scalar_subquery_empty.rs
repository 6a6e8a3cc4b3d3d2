//! What a correlated scalar subquery over an aggregate without GROUP BY returns for an outer row
//! whose correlation key has no rows: the aggregate then sees no input (`count(*)` is 0, other
//! aggregates NULL), and the projections and HAVING above it are evaluated on that row. Used by
//! `scalar_subquery_to_join` to fix the "count bug" of the LEFT join.

use shoal_common::{not_supported, Result, ScalarValue};
use shoal_expr::{Expr, LogicalPlan, PlanSchema, Transformed, TreeNode};

use crate::OptimizerContext;

/// The value of the (one-column) subquery `plan` when its aggregate sees no rows; NULL when
/// the subquery then produces no row (a HAVING that fails).
pub(crate) fn value_on_no_rows(plan: &LogicalPlan, ctx: &OptimizerContext) -> Result<ScalarValue> {
    match output_on_no_rows(plan, ctx)? {
        Some(row) => match row.into_iter().next() {
            Some(Some(v)) => Ok(v),
            _ => not_supported!(
                "a correlated scalar subquery whose value for a key without rows cannot be \
                 computed at planning time"
            ),
        },
        None => Ok(ScalarValue::null(plan.schema().field(0).data_type())),
    }
}

/// The row `plan` outputs when its ungrouped aggregate has no input: `None` for no row; a value
/// is `None` when it cannot be computed.
fn output_on_no_rows(plan: &LogicalPlan, ctx: &OptimizerContext) -> Result<Option<Vec<Option<ScalarValue>>>> {
    Ok(match plan {
        LogicalPlan::Aggregate(a) if a.group_expr.is_empty() => Some(
            a.aggr_expr
                .iter()
                .zip(a.schema.fields())
                .map(|(e, f)| match e.clone().unalias() {
                    // count-like aggregates (never NULL) are 0 over no rows
                    Expr::AggregateFunction(call) if !call.func.nullable() => {
                        ScalarValue::from(0i64).cast_to(f.data_type()).ok()
                    }
                    _ => Some(ScalarValue::null(f.data_type())),
                })
                .collect(),
        ),
        LogicalPlan::Projection(p) => output_on_no_rows(&p.input, ctx)?
            .map(|row| p.exprs.iter().map(|e| evaluate_on_row(e, p.input.schema(), &row, ctx)).collect()),
        LogicalPlan::Filter(f) => match output_on_no_rows(&f.input, ctx)? {
            None => None,
            Some(row) => match evaluate_on_row(&f.predicate, f.input.schema(), &row, ctx) {
                Some(v) if v.as_bool() == Some(true) => Some(row),
                Some(_) => None,
                None => {
                    return not_supported!(
                        "a correlated scalar subquery whose HAVING cannot be evaluated for a \
                         key without rows"
                    )
                }
            },
        },
        LogicalPlan::SubqueryAlias(s) => output_on_no_rows(&s.input, ctx)?,
        LogicalPlan::Sort(s) => output_on_no_rows(&s.input, ctx)?,
        other => {
            return not_supported!(
                "a correlated scalar subquery with {} above its aggregate",
                other.node_description()
            )
        }
    })
}

/// `expr` over `schema` evaluated on the values `row`; `None` when it cannot be.
fn evaluate_on_row(
    expr: &Expr,
    schema: &PlanSchema,
    row: &[Option<ScalarValue>],
    ctx: &OptimizerContext,
) -> Option<ScalarValue> {
    let mut complete = true;
    let substituted = expr
        .clone()
        .transform_up(|e| match e {
            Expr::Column(c) => {
                let value = schema
                    .maybe_index_of_column(&c)
                    .ok()
                    .flatten()
                    .and_then(|i| row.get(i).cloned().flatten());
                match value {
                    Some(v) => Ok(Transformed::yes(Expr::Literal(v))),
                    None => {
                        complete = false;
                        Ok(Transformed::no(Expr::Column(c)))
                    }
                }
            }
            Expr::OuterReferenceColumn(t, c) => {
                complete = false;
                Ok(Transformed::no(Expr::OuterReferenceColumn(t, c)))
            }
            e => Ok(Transformed::no(e)),
        })
        .ok()?
        .data;
    if !complete {
        return None;
    }
    let expected = expr.get_type(schema).ok()?;
    let value = ctx.evaluator.evaluate(&substituted.unalias()).ok()?;
    value.cast_to(&expected).ok()
}
