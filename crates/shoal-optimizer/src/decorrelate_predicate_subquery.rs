//! [`DecorrelatePredicateSubquery`]: turn `[NOT] EXISTS (..)` and `x [NOT] IN (..)` into joins.
//!
//! * A conjunct of a filter: `EXISTS` → LeftSemi join, `NOT EXISTS` → LeftAnti join, `x IN` →
//!   LeftSemi join on `x = value`; the subquery's correlated predicates are pulled out of it
//!   (equalities become join keys, the rest the join filter). `x NOT IN (uncorrelated)` is a
//!   null-aware LeftAnti join (no rows if the subquery yields a NULL; rows with NULL `x`
//!   dropped unless the subquery is empty); a correlated `NOT IN` is a LeftAnti join on the
//!   correlation keys whose filter `(x = value) IS NOT FALSE` applies the same three-valued
//!   rule per key.
//! * Elsewhere (under OR, CASE, NOT of a larger expression, in a select list) there is no mark
//!   join, so the subquery is aggregated and LEFT-joined: `EXISTS` against the DISTINCT
//!   correlation keys with a `true` marker (`marker IS NOT NULL`); `x IN` against the DISTINCT
//!   `(keys, value)` (was there a match?) and against per-key `count(*)`, `count(value)` (was
//!   the set empty, did it hold a NULL?) to give the exact three-valued answer. This form
//!   supports only equality correlation; other correlated conditions there are reported as
//!   not supported.

use std::sync::Arc;

use shoal_common::{not_supported, Result, ScalarValue};
use shoal_expr::join::{Join, JoinType};
use shoal_expr::plan::{Filter, Limit, Projection};
use shoal_expr::{
    lit, AggregateFunction, Case, Exists, Expr, InSubquery, LogicalPlan, LogicalPlanBuilder, Operator,
    Subquery, Transformed, TreeNode, TreeNodeRecursion,
};

use crate::decorrelate::{
    alias_subquery, correlation_equality, has_outer_ref, join_on_predicates, project_to, pull_up_correlation,
    qualify_columns, Consumer, PulledUp,
};
use crate::scalar_subquery_to_join::ScalarSubqueryToJoin;
use crate::{OptimizerContext, OptimizerRule};

/// Turns EXISTS / IN subqueries into semi, anti and left joins. See the module docs.
#[derive(Debug, Default, Clone, Copy)]
pub struct DecorrelatePredicateSubquery;

impl OptimizerRule for DecorrelatePredicateSubquery {
    fn name(&self) -> &'static str {
        "decorrelate_predicate_subquery"
    }

    fn required(&self) -> bool {
        true
    }

    fn rewrite(&self, plan: LogicalPlan, ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Filter(f) if has_predicate_subquery(&f.predicate) => {
                Ok(Transformed::yes(rewrite_filter(f, ctx)?))
            }
            LogicalPlan::Projection(p) if p.exprs.iter().any(has_predicate_subquery) => {
                Ok(Transformed::yes(rewrite_projection(p, ctx)?))
            }
            other => Ok(Transformed::no(other)),
        })
    }
}

/// Decorrelate every subquery inside a subquery's plan (before that plan is itself joined).
pub(crate) fn decorrelate_nested(plan: LogicalPlan, ctx: &OptimizerContext) -> Result<LogicalPlan> {
    let plan = DecorrelatePredicateSubquery.rewrite(plan, ctx)?.data;
    Ok(ScalarSubqueryToJoin.rewrite(plan, ctx)?.data)
}

fn has_predicate_subquery(e: &Expr) -> bool {
    let mut found = false;
    let _ = e.apply(|n| {
        found |= matches!(n, Expr::InSubquery(_) | Expr::Exists(_));
        Ok(if found { TreeNodeRecursion::Stop } else { TreeNodeRecursion::Continue })
    });
    found
}

/// A conjunct that a semi or anti join can evaluate: `(negated, x, subquery)` with `x` `None`
/// for EXISTS.
fn as_join_predicate(e: &Expr) -> Option<(bool, Option<Expr>, Subquery)> {
    match e {
        Expr::Exists(Exists { subquery, negated }) => Some((*negated, None, subquery.clone())),
        Expr::InSubquery(InSubquery { expr, subquery, negated }) => {
            Some((*negated, Some(expr.as_ref().clone()), subquery.clone()))
        }
        Expr::Not(inner) => {
            let (negated, x, s) = as_join_predicate(inner)?;
            Some((!negated, x, s))
        }
        _ => None,
    }
}

fn rewrite_filter(f: Filter, ctx: &OptimizerContext) -> Result<LogicalPlan> {
    let input_schema = f.input.schema().clone();
    let mut current = f.input.as_ref().clone();
    let mut rest = vec![];
    let mut marked = false;
    let predicate = qualify_columns(f.predicate, &input_schema)?;
    for conjunct in predicate.split_conjunction() {
        if let Some((negated, x, subquery)) = as_join_predicate(conjunct) {
            current = semi_anti_join(current, negated, x, &subquery, ctx)?;
        } else if has_predicate_subquery(conjunct) {
            let (plan, e) = mark_subqueries(current, conjunct.clone(), ctx)?;
            current = plan;
            rest.push(e);
            marked = true;
        } else {
            rest.push(conjunct.clone());
        }
    }
    if let Some(predicate) = Expr::conjunction(rest) {
        let predicate = shoal_expr::type_coercion::coerce_expr(predicate, current.schema())?;
        current = LogicalPlan::Filter(Filter::try_new(predicate, Arc::new(current))?);
    }
    if marked {
        current = project_to(current, &input_schema)?;
    }
    Ok(current)
}

fn rewrite_projection(p: Projection, ctx: &OptimizerContext) -> Result<LogicalPlan> {
    let mut current = p.input.as_ref().clone();
    let mut exprs = vec![];
    for e in p.exprs {
        let name = e.name();
        let e = qualify_columns(e, p.input.schema())?;
        let (plan, rewritten) = mark_subqueries(current, e, ctx)?;
        current = plan;
        exprs.push(if rewritten.name() != name { rewritten.alias(name) } else { rewritten });
    }
    let exprs = exprs
        .into_iter()
        .map(|e| shoal_expr::type_coercion::coerce_expr(e, current.schema()))
        .collect::<Result<Vec<_>>>()?;
    Ok(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(current))?))
}

/// The subquery's plan with its own subqueries decorrelated and its correlation pulled up.
fn prepare(subquery: &Subquery, consumer: Consumer, ctx: &OptimizerContext) -> Result<PulledUp> {
    let nested = decorrelate_nested(subquery.plan.as_ref().clone(), ctx)?;
    pull_up_correlation(&nested, consumer)
}

/// `outer` semi- or anti-joined with the subquery of a top-level `[NOT] EXISTS` / `[NOT] IN`.
fn semi_anti_join(
    outer: LogicalPlan,
    negated: bool,
    x: Option<Expr>,
    subquery: &Subquery,
    ctx: &OptimizerContext,
) -> Result<LogicalPlan> {
    let consumer = if x.is_none() { Consumer::Exists } else { Consumer::Set };
    let pulled = prepare(subquery, consumer, ctx)?;
    let join_type = if negated { JoinType::LeftAnti } else { JoinType::LeftSemi };
    let correlated = !pulled.predicates.is_empty();
    let mut plan = pulled.plan;
    if x.is_none() && !correlated {
        // uncorrelated EXISTS: one row decides
        plan = LogicalPlan::Limit(Limit { skip: 0, fetch: Some(1), input: Arc::new(plan) });
    }
    let (aliased, preds) = alias_subquery(plan, pulled.predicates, "__correlated_sq", &outer)?;
    let value = Expr::Column(aliased.schema().column(0));
    match x {
        None => join_on_predicates(outer, aliased, preds, vec![], join_type),
        Some(x) if !negated => join_on_predicates(outer, aliased, preds, vec![x.eq(value)], join_type),
        Some(x) if !correlated && !has_outer_ref(&x) => {
            // NOT IN over a fixed set: a null-aware anti join on x = value
            let join = Join::try_new(
                Arc::new(outer),
                Arc::new(aliased),
                vec![(x, value)],
                None,
                JoinType::LeftAnti,
                true,
            )?;
            Ok(LogicalPlan::Join(join))
        }
        Some(x) => {
            // per key: drop the row if some value equals x or the comparison is unknown
            let unknown_or_equal = x.eq(value).binary(Operator::IsDistinctFrom, lit(false));
            join_on_predicates(outer, aliased, preds, vec![unknown_or_equal], join_type)
        }
    }
}

/// Replace every EXISTS / IN subquery of `expr` (over `outer`) by an expression over marker
/// columns of LEFT joins added to `outer`.
fn mark_subqueries(outer: LogicalPlan, expr: Expr, ctx: &OptimizerContext) -> Result<(LogicalPlan, Expr)> {
    let mut current = outer;
    let out = expr.transform_up(|e| match e {
        Expr::Exists(Exists { subquery, negated }) => {
            let (plan, mark) = mark_exists(current.clone(), &subquery, ctx)?;
            current = plan;
            Ok(Transformed::yes(if negated { Expr::Not(Box::new(mark)) } else { mark }))
        }
        Expr::InSubquery(InSubquery { expr, subquery, negated }) => {
            let (plan, mark) = mark_in(current.clone(), *expr, &subquery, ctx)?;
            current = plan;
            Ok(Transformed::yes(if negated { Expr::Not(Box::new(mark)) } else { mark }))
        }
        e => Ok(Transformed::no(e)),
    })?;
    Ok((current, out.data))
}

fn count(args: Vec<Expr>) -> Expr {
    Expr::aggregate(AggregateFunction::Count, args)
}

/// The correlation keys of a pulled-up subquery: `(inner expressions, outer expressions)`.
fn correlation_keys(pulled: &PulledUp, what: &str) -> Result<(Vec<Expr>, Vec<Expr>)> {
    let mut inner = vec![];
    let mut outer = vec![];
    for p in &pulled.predicates {
        let Some((i, o)) = correlation_equality(p) else {
            return not_supported!(
                "{what} subquery under OR or in a select list with the correlated condition {p} \
                 (only equalities between a column of the subquery and one of the outer query \
                 are supported there)"
            );
        };
        inner.push(i);
        outer.push(o);
    }
    Ok((inner, outer))
}

/// Group `plan` by `keys` computing `aggr`; the first `outer.len()` keys (the correlation
/// keys) are output as `__key_<i>`, then the other keys and the aggregates; also returns the
/// predicates `__key_<i> = outer_i`.
fn grouped(
    plan: LogicalPlan,
    keys: Vec<Expr>,
    outer: &[Expr],
    aggr: Vec<Expr>,
    extra: Vec<Expr>,
) -> Result<(LogicalPlan, Vec<Expr>)> {
    let agg = LogicalPlanBuilder::from(plan).aggregate(keys, aggr)?;
    let schema = agg.schema().clone();
    let mut exprs = vec![];
    let mut preds = vec![];
    for (i, o) in outer.iter().enumerate() {
        let name = format!("__key_{i}");
        exprs.push(Expr::Column(schema.column(i)).alias(&name));
        preds.push(Expr::Column(shoal_expr::Column::from_name(name)).eq(o.clone()));
    }
    // further group keys and the aggregates
    exprs.extend((outer.len()..schema.len()).map(|i| Expr::Column(schema.column(i))));
    exprs.extend(extra);
    Ok((agg.project(exprs)?.build()?, preds))
}

/// `EXISTS` as `marker IS NOT NULL` of a LEFT join against the DISTINCT correlation keys (a
/// cross join with `count(*) > 0` when uncorrelated).
fn mark_exists(
    outer: LogicalPlan,
    subquery: &Subquery,
    ctx: &OptimizerContext,
) -> Result<(LogicalPlan, Expr)> {
    let pulled = prepare(subquery, Consumer::Exists, ctx)?;
    let (inner, outer_keys) = correlation_keys(&pulled, "an EXISTS")?;
    if inner.is_empty() {
        let one = LogicalPlan::Limit(Limit { skip: 0, fetch: Some(1), input: Arc::new(pulled.plan) });
        let counted = LogicalPlanBuilder::from(one).aggregate(vec![], vec![count(vec![]).alias("__rows")])?;
        let rows = Expr::Column(counted.schema().column(0));
        let plan = counted.project(vec![rows.gt(lit(0i64)).alias("__exists")])?.build()?;
        let (aliased, _) = alias_subquery(plan, vec![], "__exists_sq", &outer)?;
        let mark = Expr::Column(aliased.schema().column(0));
        let joined = LogicalPlanBuilder::from(outer).cross_join(aliased)?.build()?;
        return Ok((joined, mark));
    }
    let (plan, preds) = grouped(pulled.plan, inner, &outer_keys, vec![], vec![lit(true).alias("__exists")])?;
    let (aliased, preds) = alias_subquery(plan, preds, "__exists_sq", &outer)?;
    let marker = Expr::Column(aliased.schema().column(aliased.schema().len() - 1));
    let joined = join_on_predicates(outer, aliased, preds, vec![], JoinType::Left)?;
    Ok((joined, marker.is_not_null()))
}

/// `x IN (subquery)` with exact three-valued semantics from two LEFT joins: one against the
/// DISTINCT `(keys, value)` (a match?), one against per-key `count(*)`, `count(value)`.
fn mark_in(
    outer: LogicalPlan,
    x: Expr,
    subquery: &Subquery,
    ctx: &OptimizerContext,
) -> Result<(LogicalPlan, Expr)> {
    let pulled = prepare(subquery, Consumer::Set, ctx)?;
    let (inner, outer_keys) = correlation_keys(&pulled, "an IN")?;
    let value = Expr::Column(pulled.plan.schema().column(0));

    // (keys.., value, true): a match when x equals value for the row's key
    let mut keys_and_value = inner.clone();
    keys_and_value.push(value.clone());
    let (distinct, preds) = grouped(
        pulled.plan.clone(),
        keys_and_value,
        &outer_keys,
        vec![],
        vec![lit(true).alias("__in_match")],
    )?;
    let (matches, match_preds) = alias_subquery(distinct, preds, "__in_sq", &outer)?;
    // the value column is the one right after the keys
    let value_column = Expr::Column(matches.schema().column(outer_keys.len()));
    let matched = Expr::Column(matches.schema().column(matches.schema().len() - 1));
    let same_value = vec![x.clone().eq(value_column)];
    let mut current = join_on_predicates(outer, matches, match_preds, same_value, JoinType::Left)?;

    // per key: how many rows, how many non-NULL values
    let stats_aggr = vec![count(vec![]).alias("__in_rows"), count(vec![value]).alias("__in_values")];
    let (stats, stats_preds) = grouped(pulled.plan, inner, &outer_keys, stats_aggr, vec![])?;
    let (stats, stats_preds) = alias_subquery(stats, stats_preds, "__in_stats", &current)?;
    let n = outer_keys.len();
    let rows = Expr::Column(stats.schema().column(n));
    let values = Expr::Column(stats.schema().column(n + 1));
    current = if stats_preds.is_empty() {
        LogicalPlanBuilder::from(current).cross_join(stats)?.build()?
    } else {
        join_on_predicates(current, stats, stats_preds, vec![], JoinType::Left)?
    };
    let null_bool = Expr::Literal(ScalarValue::boolean(None));
    let mark = Expr::Case(Case {
        expr: None,
        when_then: vec![
            (matched.is_not_null(), lit(true)),
            (rows.clone().is_null().or(rows.clone().eq(lit(0i64))), lit(false)),
            (x.is_null().or(values.lt(rows)), null_bool),
        ],
        else_expr: Some(Box::new(lit(false))),
    });
    Ok((current, mark))
}
