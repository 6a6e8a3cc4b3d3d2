//! [`ScalarSubqueryToJoin`]: replace scalar subqueries in filters and select lists by a join
//! with the subquery's result, computed once (never per outer row).
//!
//! * Uncorrelated: the subquery is made to produce exactly one row (aggregated into
//!   `count(*)` and `max(value)`, failing at run time with "scalar subquery returned more than
//!   one row" when there are several; NULL when there is none) and cross-joined.
//! * Correlated (`x < (SELECT avg(y) FROM t WHERE t.k = outer.k)`): the correlated equalities
//!   become group keys of the subquery's aggregate and the outer query is LEFT-joined with it
//!   on those keys (an INNER join when the subquery is compared directly in a filter, where a
//!   NULL would drop the row anyway). Outer rows without a group get what the aggregate gives
//!   on no rows: NULL for most aggregates, but `count(*)` is 0 — the "count bug", fixed by a
//!   marker column that tells "no group" apart from a NULL value.

use std::sync::Arc;

use shoal_common::{not_supported, Result, ScalarValue};
use shoal_expr::join::JoinType;
use shoal_expr::plan::{Filter, Projection};
use shoal_expr::{
    lit, AggregateFunction, Case, Expr, LogicalPlan, LogicalPlanBuilder, Subquery, Transformed, TreeNode,
};

use crate::decorrelate::{
    alias_subquery, correlation_equality, join_on_predicates, project_to, pull_up_correlation,
    qualify_columns, Consumer,
};
use crate::decorrelate_predicate_subquery::decorrelate_nested;
use crate::single_row_check::single_row_check;
use crate::{OptimizerContext, OptimizerRule};

/// Turns scalar subqueries into joins. See the module docs.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScalarSubqueryToJoin;

impl OptimizerRule for ScalarSubqueryToJoin {
    fn name(&self) -> &'static str {
        "scalar_subquery_to_join"
    }

    fn required(&self) -> bool {
        true
    }

    fn rewrite(&self, plan: LogicalPlan, ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Filter(f) if has_scalar_subquery(&f.predicate) => {
                Ok(Transformed::yes(rewrite_filter(f, ctx)?))
            }
            LogicalPlan::Projection(p) if p.exprs.iter().any(has_scalar_subquery) => {
                Ok(Transformed::yes(rewrite_projection(p, ctx)?))
            }
            other => Ok(Transformed::no(other)),
        })
    }
}

fn has_scalar_subquery(e: &Expr) -> bool {
    let mut found = false;
    let _ = e.apply(|n| {
        found |= matches!(n, Expr::ScalarSubquery(_));
        Ok(if found { shoal_expr::TreeNodeRecursion::Stop } else { shoal_expr::TreeNodeRecursion::Continue })
    });
    found
}

/// The subquery compared directly (under casts) in `conjunct`, where a NULL value makes the
/// conjunct NULL and so drops the row: such subqueries may be inner-joined.
fn null_rejected_subqueries(conjunct: &Expr) -> Vec<&Subquery> {
    fn direct(e: &Expr) -> Option<&Subquery> {
        match e {
            Expr::ScalarSubquery(s) => Some(s),
            Expr::Cast(c) => direct(&c.expr),
            _ => None,
        }
    }
    match conjunct {
        Expr::BinaryExpr(b)
            if b.op.is_comparison()
                && !matches!(
                    b.op,
                    shoal_expr::Operator::IsDistinctFrom | shoal_expr::Operator::IsNotDistinctFrom
                ) =>
        {
            direct(&b.left).into_iter().chain(direct(&b.right)).collect()
        }
        _ => vec![],
    }
}

fn rewrite_filter(f: Filter, ctx: &OptimizerContext) -> Result<LogicalPlan> {
    let input_schema = f.input.schema().clone();
    let mut current = f.input.as_ref().clone();
    let mut parts = vec![];
    let predicate = qualify_columns(f.predicate, &input_schema)?;
    for conjunct in predicate.split_conjunction() {
        let inner_ok: Vec<Subquery> = null_rejected_subqueries(conjunct).into_iter().cloned().collect();
        let rewritten = conjunct.clone().transform_up(|e| match e {
            Expr::ScalarSubquery(s) => {
                let null_rejecting = inner_ok.contains(&s);
                let (plan, value) = attach(current.clone(), &s, null_rejecting, ctx)?;
                current = plan;
                Ok(Transformed::yes(value))
            }
            e => Ok(Transformed::no(e)),
        })?;
        parts.push(rewritten.data);
    }
    let predicate = Expr::conjunction(parts).unwrap_or_else(|| lit(true));
    let predicate = shoal_expr::type_coercion::coerce_expr(predicate, current.schema())?;
    let filtered = LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(current))?);
    project_to(filtered, &input_schema)
}

fn rewrite_projection(p: Projection, ctx: &OptimizerContext) -> Result<LogicalPlan> {
    let mut current = p.input.as_ref().clone();
    let mut exprs = vec![];
    for e in p.exprs {
        let name = e.name();
        let e = qualify_columns(e, p.input.schema())?;
        let t = e.transform_up(|e| match e {
            Expr::ScalarSubquery(s) => {
                let (plan, value) = attach(current.clone(), &s, false, ctx)?;
                current = plan;
                Ok(Transformed::yes(value))
            }
            e => Ok(Transformed::no(e)),
        })?;
        exprs.push(if t.transformed && t.data.name() != name { t.data.alias(name) } else { t.data });
    }
    let exprs = exprs
        .into_iter()
        .map(|e| shoal_expr::type_coercion::coerce_expr(e, current.schema()))
        .collect::<Result<Vec<_>>>()?;
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(current))?))
}

/// Join `outer` with the result of `subquery`; returns the joined plan and the expression that
/// replaces the subquery (over the joined columns).
fn attach(
    outer: LogicalPlan,
    subquery: &Subquery,
    null_rejecting: bool,
    ctx: &OptimizerContext,
) -> Result<(LogicalPlan, Expr)> {
    let nested = decorrelate_nested(subquery.plan.as_ref().clone(), ctx)?;
    let pulled = pull_up_correlation(&nested, Consumer::Scalar)?;
    if pulled.predicates.is_empty() {
        let plan = if produces_exactly_one_row(&pulled.plan) {
            pulled.plan
        } else {
            at_most_one_row(pulled.plan, vec![])?.0
        };
        let (aliased, _) = alias_subquery(plan, vec![], "__scalar_sq", &outer)?;
        let value = Expr::Column(aliased.schema().column(0));
        let joined = LogicalPlanBuilder::from(outer).cross_join(aliased)?.build()?;
        return Ok((joined, value));
    }

    let (mut plan, mut preds) = (pulled.plan, pulled.predicates);
    // The value each outer row gets when its key has no rows in the subquery.
    let mut empty_value: Option<ScalarValue> = None;
    if pulled.keyed_ungrouped_aggregate {
        let v = crate::scalar_subquery_empty::value_on_no_rows(&subquery.plan, ctx)?;
        if !v.is_null() {
            empty_value = Some(v);
        }
    } else {
        let (checked, new_preds) = at_most_one_row(plan, preds)?;
        plan = checked;
        preds = new_preds;
    }
    if empty_value.is_some() {
        let mut exprs: Vec<Expr> = plan.schema().columns().into_iter().map(Expr::Column).collect();
        exprs.push(lit(true).alias("__always_true"));
        plan = LogicalPlanBuilder::from(plan).project(exprs)?.build()?;
    }
    let (aliased, preds) = alias_subquery(plan, preds, "__scalar_sq", &outer)?;
    let schema = aliased.schema().clone();
    let value = Expr::Column(schema.column(0));
    let join_type = if null_rejecting && empty_value.is_none() { JoinType::Inner } else { JoinType::Left };
    let joined = join_on_predicates(outer, aliased, preds, vec![], join_type)?;
    let replacement = match empty_value {
        None => value,
        Some(v) => {
            let marker = Expr::Column(schema.column(schema.len() - 1));
            Expr::Case(Case {
                expr: None,
                when_then: vec![(marker.is_null(), Expr::Literal(v))],
                else_expr: Some(Box::new(value)),
            })
        }
    };
    Ok((joined, replacement))
}

/// True when `plan` always produces exactly one row (an aggregate without GROUP BY, `SELECT`
/// without FROM), whatever its input.
fn produces_exactly_one_row(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::Projection(p) => produces_exactly_one_row(&p.input),
        LogicalPlan::SubqueryAlias(s) => produces_exactly_one_row(&s.input),
        LogicalPlan::Sort(s) => produces_exactly_one_row(&s.input),
        LogicalPlan::Aggregate(a) => a.group_expr.is_empty(),
        LogicalPlan::EmptyRelation(e) => e.produce_one_row,
        LogicalPlan::Values(v) => v.values.len() == 1,
        _ => false,
    }
}

fn aggregate_call(func: AggregateFunction, args: Vec<Expr>) -> Expr {
    Expr::aggregate(func, args)
}

/// Reduce `plan`'s rows, per correlation key, to one: `(value, keys..)` where value is
/// checked to come from at most one row. `preds` (correlated equalities over `plan`'s
/// columns) are rewritten over the result.
fn at_most_one_row(plan: LogicalPlan, preds: Vec<Expr>) -> Result<(LogicalPlan, Vec<Expr>)> {
    let mut keys = vec![];
    let mut outers = vec![];
    for p in &preds {
        match correlation_equality(p) {
            Some((inner, outer)) => {
                keys.push(inner);
                outers.push(outer);
            }
            None => {
                return not_supported!(
                    "the correlated condition {p} in a scalar subquery without an aggregate \
                     (only equalities between a column of the subquery and one of the outer \
                     query are supported)"
                )
            }
        }
    }
    let value = Expr::Column(plan.schema().column(0));
    let name = plan.schema().field(0).name().clone();
    let n_keys = keys.len();
    let aggregated = LogicalPlanBuilder::from(plan).aggregate(
        keys,
        vec![
            aggregate_call(AggregateFunction::Count, vec![]).alias("__rows"),
            aggregate_call(AggregateFunction::Max, vec![value]).alias("__value"),
        ],
    )?;
    let schema = aggregated.schema().clone();
    let mut exprs =
        vec![single_row_check(Expr::Column(schema.column(n_keys)), Expr::Column(schema.column(n_keys + 1)))
            .alias(name)];
    let mut new_preds = vec![];
    for (i, outer) in outers.into_iter().enumerate() {
        let key = format!("__key_{i}");
        exprs.push(Expr::Column(schema.column(i)).alias(&key));
        new_preds.push(Expr::Column(shoal_expr::Column::from_name(key)).eq(outer));
    }
    Ok((aggregated.project(exprs)?.build()?, new_preds))
}
