//! [`PushJoinKeysIntoAggregate`]: when a join matches an aggregate's group keys against a
//! much smaller input, group only the rows whose keys that input holds (a semi join below the
//! aggregate).
//!
//! A decorrelated subquery (TPC-H Q17's `avg(l_quantity)` per `l_partkey`, Q20's
//! `sum(l_quantity)` per `(l_partkey, l_suppkey)`, Q2's `min(ps_supplycost)` per `ps_partkey`)
//! becomes an aggregate over the whole table joined to the outer rows, which keep a few hundred
//! keys. `Agg(I) ⋈ Y on g = y` equals `Agg(I ⋉ K on g = k) ⋈ Y` when the keys `K` hold every
//! value of `y` in `Y`'s rows: the semi join removes whole groups (its key is the group key),
//! and only groups no row of `Y` matches (NULL keys included, which match nothing). `K` is `Y`
//! itself or, when smaller by the estimates, the input of a join inside `Y` that holds the key
//! columns (its values are a superset of `Y`'s), so `Y` is not always computed twice.
//!
//! Applies to inner joins (either side an aggregate) and to the NULL-supplying side of outer
//! joins (scalar subqueries become left joins), when the group keys are plain columns reached
//! through projections and aliases, `K` is estimated at most half the aggregate's input and
//! the semi join is estimated to drop at least half of it, and `K` is deterministic (it is
//! evaluated once more).

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::cardinality::estimate_rows;
use shoal_expr::plan::{Aggregate, Join, Projection, SubqueryAlias};
use shoal_expr::{Column, Expr, JoinType, LogicalPlan, Transformed, TreeNode, TreeNodeRecursion};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::is_deterministic;

/// Prefix of the key columns of the semi joins this rule adds (also how it recognises them).
const KEY_PREFIX: &str = "__agg_key_";

/// Filters the input of an aggregate joined on its group keys to the keys the join can match.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushJoinKeysIntoAggregate;

impl OptimizerRule for PushJoinKeysIntoAggregate {
    fn name(&self) -> &'static str {
        "push_join_keys_into_aggregate"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Join(j) => rewrite_join(j),
            other => Ok(Transformed::no(other)),
        })
    }
}

fn rewrite_join(join: Join) -> Result<Transformed<LogicalPlan>> {
    if join.null_aware || join.on.is_empty() {
        return Ok(Transformed::no(LogicalPlan::Join(join)));
    }
    // (aggregate side is left, allowed)
    let sides: &[bool] = match join.join_type {
        JoinType::Inner => &[true, false],
        JoinType::Left => &[false],
        JoinType::Right => &[true],
        _ => &[],
    };
    for &agg_left in sides {
        let (agg_side, other) = if agg_left { (&join.left, &join.right) } else { (&join.right, &join.left) };
        let pairs: Vec<(&Expr, &Expr)> =
            join.on.iter().map(|(l, r)| if agg_left { (l, r) } else { (r, l) }).collect();
        if let Some(new_side) = filter_aggregate_side(agg_side, other, &pairs)? {
            let (left, right) = if agg_left {
                (Arc::new(new_side), Arc::clone(&join.right))
            } else {
                (Arc::clone(&join.left), Arc::new(new_side))
            };
            let j = Join::try_new(left, right, join.on.clone(), join.filter.clone(), join.join_type, false)?;
            return Ok(Transformed::yes(LogicalPlan::Join(j)));
        }
    }
    Ok(Transformed::no(LogicalPlan::Join(join)))
}

/// `plan` (projections / aliases over an aggregate) with the aggregate's input semi-joined to
/// the keys of `other`; `None` when the rule does not apply.
fn filter_aggregate_side(
    plan: &LogicalPlan,
    other: &LogicalPlan,
    pairs: &[(&Expr, &Expr)],
) -> Result<Option<LogicalPlan>> {
    // Each usable pair: (group expression, column of `other`).
    let mut keys: Vec<(Expr, Column)> = vec![];
    for (agg_key, other_key) in pairs {
        let (Expr::Column(a), Expr::Column(o)) = (agg_key, other_key) else { continue };
        let Some(index) = plan.schema().maybe_index_of_column(a).ok().flatten() else { continue };
        if let Some(group) = group_expr_of(plan, index) {
            keys.push((group, o.clone()));
        }
    }
    if keys.is_empty() {
        return Ok(None);
    }
    let Some(aggregate) = find_aggregate(plan) else { return Ok(None) };
    if already_filtered(&aggregate.input) {
        return Ok(None);
    }
    let columns: Vec<Column> = keys.iter().map(|(_, c)| c.clone()).collect();
    let Some(source) = key_source(other, &columns) else { return Ok(None) };
    let Some(input_rows) = estimate_rows(&aggregate.input) else { return Ok(None) };
    let Some(source_rows) = estimate_rows(source) else { return Ok(None) };
    if source_rows * 2.0 > input_rows || !is_deterministic_plan(source) {
        return Ok(None);
    }
    // The keys, renamed so they never clash with the aggregate input's columns.
    let exprs = columns
        .iter()
        .enumerate()
        .map(|(i, c)| Expr::Column(c.clone()).alias(format!("{KEY_PREFIX}{i}")))
        .collect();
    let key_plan = LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(source.clone()))?);
    let on: Vec<(Expr, Expr)> = keys
        .iter()
        .enumerate()
        .map(|(i, (g, _))| (g.clone(), Expr::Column(Column::new(None::<&str>, format!("{KEY_PREFIX}{i}")))))
        .collect();
    let semi = LogicalPlan::Join(Join::try_new(
        Arc::clone(&aggregate.input),
        Arc::new(key_plan),
        on,
        None,
        JoinType::LeftSemi,
        false,
    )?);
    match estimate_rows(&semi) {
        Some(kept) if kept * 2.0 <= input_rows => {}
        _ => return Ok(None),
    }
    let filtered = LogicalPlan::Aggregate(Aggregate::try_new(
        Arc::new(semi),
        aggregate.group_expr.clone(),
        aggregate.aggr_expr.clone(),
    )?);
    Ok(Some(replace_aggregate(plan, filtered)?))
}

/// The group expression output column `index` of `plan` is, through projections of plain
/// columns and aliases; `None` for an aggregate value or anything computed.
fn group_expr_of(plan: &LogicalPlan, index: usize) -> Option<Expr> {
    match plan {
        LogicalPlan::Projection(p) => {
            let input_index = match p.exprs.get(index)? {
                Expr::Column(c) => p.input.schema().maybe_index_of_column(c).ok().flatten()?,
                Expr::Alias(a) => match a.expr.as_ref() {
                    Expr::Column(c) => p.input.schema().maybe_index_of_column(c).ok().flatten()?,
                    _ => return None,
                },
                _ => return None,
            };
            group_expr_of(&p.input, input_index)
        }
        LogicalPlan::SubqueryAlias(s) => group_expr_of(&s.input, index),
        LogicalPlan::Aggregate(a) => {
            let g = a.group_expr.get(index)?;
            (!matches!(g, Expr::GroupingSet(_)) && is_deterministic(g)).then(|| g.clone())
        }
        _ => None,
    }
}

fn find_aggregate(plan: &LogicalPlan) -> Option<&Aggregate> {
    match plan {
        LogicalPlan::Projection(p) => find_aggregate(&p.input),
        LogicalPlan::SubqueryAlias(s) => find_aggregate(&s.input),
        LogicalPlan::Aggregate(a) => Some(a),
        _ => None,
    }
}

/// `plan` with the aggregate under its projections / aliases replaced by `aggregate`.
fn replace_aggregate(plan: &LogicalPlan, aggregate: LogicalPlan) -> Result<LogicalPlan> {
    Ok(match plan {
        LogicalPlan::Projection(p) => LogicalPlan::Projection(Projection::try_new(
            p.exprs.clone(),
            Arc::new(replace_aggregate(&p.input, aggregate)?),
        )?),
        LogicalPlan::SubqueryAlias(s) => LogicalPlan::SubqueryAlias(SubqueryAlias::try_new(
            Arc::new(replace_aggregate(&s.input, aggregate)?),
            s.alias.clone(),
        )?),
        _ => aggregate,
    })
}

/// The smallest-estimated plan holding every value of `columns` that `plan`'s rows hold:
/// `plan` itself, or an input of a join inside it (through joins, projections of the columns
/// and aliases), preferring the deepest one within twice the smallest estimate.
fn key_source<'a>(plan: &'a LogicalPlan, columns: &[Column]) -> Option<&'a LogicalPlan> {
    let mut candidates: Vec<(&LogicalPlan, f64)> = vec![];
    let mut node = plan;
    loop {
        candidates.push((node, estimate_rows(node)?));
        let LogicalPlan::Join(j) = node else { break };
        let holds = |p: &LogicalPlan| {
            columns.iter().all(|c| p.schema().maybe_index_of_column(c).ok().flatten().is_some())
        };
        let left_ok = holds(&j.left);
        let right_ok = holds(&j.right) && !matches!(j.join_type, JoinType::LeftSemi | JoinType::LeftAnti);
        node = match (left_ok, right_ok) {
            (true, false) => &j.left,
            (false, true) => &j.right,
            _ => break,
        };
    }
    let smallest = candidates.iter().map(|(_, r)| *r).fold(f64::INFINITY, f64::min);
    candidates.iter().rev().find(|(_, r)| *r <= smallest * 2.0).map(|(p, _)| *p)
}

/// True when `input` already holds a key semi join this rule added (so a second pass does
/// not add another).
fn already_filtered(input: &LogicalPlan) -> bool {
    let mut found = false;
    let _ = input.apply(|node| {
        if let LogicalPlan::Projection(p) = node {
            if p.exprs.iter().any(|e| matches!(e, Expr::Alias(a) if a.name.starts_with(KEY_PREFIX))) {
                found = true;
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    found
}

/// True when evaluating `plan` twice gives the same rows: no non-deterministic function, no
/// limit (which rows it keeps may vary), no recursive query.
fn is_deterministic_plan(plan: &LogicalPlan) -> bool {
    let mut ok = true;
    let _ = plan.apply(|node| {
        let bad = match node {
            LogicalPlan::Limit(_) | LogicalPlan::RecursiveQuery(_) | LogicalPlan::WorkTableScan(_) => true,
            LogicalPlan::Sort(s) => s.fetch.is_some(),
            other => !other.expressions().into_iter().all(is_deterministic),
        };
        if bad {
            ok = false;
            return Ok(TreeNodeRecursion::Stop);
        }
        Ok(TreeNodeRecursion::Continue)
    });
    ok
}
