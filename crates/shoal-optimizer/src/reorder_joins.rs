//! [`ReorderJoins`]: choose the order of a chain of inner joins greedily from row estimates.
//!
//! A maximal tree of inner joins (including cross joins, as `FROM a, b, c` leaves them before
//! predicates are pushed into them) is flattened into its inputs ("relations") and its
//! conditions. The heuristic, left-deep:
//! 1. start from the relation with the most estimated rows (the fact table: it streams through
//!    every join as the probe side, so no large table is ever built into a hash table);
//! 2. repeatedly join the relation that is connected to those joined so far by a condition and
//!    keeps the smallest fraction of its own rows (its filters' selectivity: a filtered
//!    dimension shrinks the stream early), ties broken by fewer estimated rows; a relation
//!    with no connecting condition comes last (a cross join);
//! 3. every condition is attached to the first join where all the relations it reads are
//!    present (equalities become hash keys).
//!
//! Estimates come from [`shoal_expr::cardinality`] (Parquet row counts, fixed selectivities per
//! predicate shape). The physical planner then builds the smaller side of each join. A
//! projection on top restores the original column order. Relations without a row estimate
//! (e.g. CSV files) keep their written order.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::cardinality::{estimate_rows, selectivity};
use shoal_expr::join::split_join_condition;
use shoal_expr::plan::{Join, Projection};
use shoal_expr::{Expr, JoinType, LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::split_conjunction_owned;

/// Orders chains of inner joins by estimated size and selectivity.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReorderJoins;

impl OptimizerRule for ReorderJoins {
    fn name(&self) -> &'static str {
        "reorder_joins"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        // Top-down, so a chain is handled from its root; its relations are visited afterwards.
        plan.transform_down(|node| match node {
            LogicalPlan::Join(j) if is_reorderable(&j) => reorder(j),
            other => Ok(Transformed::no(other)),
        })
    }
}

fn is_reorderable(j: &Join) -> bool {
    j.join_type == JoinType::Inner && !j.null_aware
}

/// Split an inner-join tree into its relations and conditions.
fn flatten(plan: LogicalPlan, relations: &mut Vec<LogicalPlan>, conditions: &mut Vec<Expr>) {
    match plan {
        LogicalPlan::Join(j) if is_reorderable(&j) => {
            conditions.extend(j.on.iter().map(|(l, r)| l.clone().eq(r.clone())));
            if let Some(f) = j.filter {
                conditions.extend(split_conjunction_owned(f));
            }
            flatten(Arc::unwrap_or_clone(j.left), relations, conditions);
            flatten(Arc::unwrap_or_clone(j.right), relations, conditions);
        }
        other => relations.push(other),
    }
}

/// The relations (indices) a condition reads; `None` when a column is found in several or none.
fn relations_of(condition: &Expr, relations: &[LogicalPlan]) -> Option<Vec<usize>> {
    let mut out = vec![];
    for c in condition.column_refs() {
        let found: Vec<usize> = relations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.schema().maybe_index_of_column(&c).ok().flatten().is_some())
            .map(|(i, _)| i)
            .collect();
        let [i] = found.as_slice() else { return None };
        if !out.contains(i) {
            out.push(*i);
        }
    }
    Some(out)
}

/// The fraction of its rows a relation keeps through its filters (1 when unknown).
fn kept_fraction(plan: &LogicalPlan) -> f64 {
    match plan {
        LogicalPlan::Filter(f) => selectivity(&f.predicate) * kept_fraction(&f.input),
        LogicalPlan::Projection(p) => kept_fraction(&p.input),
        LogicalPlan::SubqueryAlias(s) => kept_fraction(&s.input),
        _ => 1.0,
    }
}

fn reorder(join: Join) -> Result<Transformed<LogicalPlan>> {
    let original_schema = Arc::clone(&join.schema);
    let original = LogicalPlan::Join(join.clone());
    let (mut relations, mut conditions) = (vec![], vec![]);
    flatten(LogicalPlan::Join(join), &mut relations, &mut conditions);
    if relations.len() < 3 {
        return Ok(Transformed::no(original));
    }
    let estimates: Option<Vec<f64>> = relations.iter().map(estimate_rows).collect();
    let Some(estimates) = estimates else {
        return Ok(Transformed::no(original));
    };
    let Some(reads) = conditions.iter().map(|c| relations_of(c, &relations)).collect::<Option<Vec<_>>>()
    else {
        return Ok(Transformed::no(original));
    };
    let order = greedy_order(&relations, &estimates, &reads);
    if order.iter().copied().eq(0..relations.len()) {
        return Ok(Transformed::no(original));
    }
    // Build the left-deep tree in `order`, attaching each condition as early as possible.
    let mut slots: Vec<Option<LogicalPlan>> = relations.into_iter().map(Some).collect();
    let mut joined: Vec<usize> = vec![];
    let mut used = vec![false; conditions.len()];
    let mut plan: Option<LogicalPlan> = None;
    for &next in &order {
        let Some(rel) = slots.get_mut(next).and_then(Option::take) else {
            return Ok(Transformed::no(original));
        };
        joined.push(next);
        plan = Some(match plan {
            None => rel,
            Some(left) => {
                let mut here = vec![];
                for (i, c) in conditions.iter().enumerate() {
                    let ready = reads.get(i).is_some_and(|r| r.iter().all(|x| joined.contains(x)));
                    if ready && !used[i] {
                        used[i] = true;
                        here.push(c.clone());
                    }
                }
                let (on, filter) = match Expr::conjunction(here) {
                    Some(c) => split_join_condition(c, left.schema(), rel.schema())?,
                    None => (vec![], None),
                };
                LogicalPlan::Join(Join::try_new(
                    Arc::new(left),
                    Arc::new(rel),
                    on,
                    filter,
                    JoinType::Inner,
                    false,
                )?)
            }
        });
    }
    let Some(plan) = plan else {
        return Ok(Transformed::no(original));
    };
    if used.iter().any(|u| !u) {
        // a condition reading no relation (a constant): keep the written order
        return Ok(Transformed::no(original));
    }
    // Restore the original column order (and check every column is still found once).
    let mut exprs = vec![];
    for c in original_schema.columns() {
        if plan.schema().maybe_index_of_column(&c).ok().flatten().is_none() {
            return Ok(Transformed::no(original));
        }
        exprs.push(Expr::Column(c));
    }
    Ok(Transformed::yes(LogicalPlan::Projection(Projection::try_new(exprs, Arc::new(plan))?)))
}

/// The greedy join order (see the module docs).
fn greedy_order(relations: &[LogicalPlan], estimates: &[f64], reads: &[Vec<usize>]) -> Vec<usize> {
    let n = relations.len();
    let fractions: Vec<f64> = relations.iter().map(kept_fraction).collect();
    let start = (0..n).max_by(|&a, &b| estimates[a].total_cmp(&estimates[b]).then(b.cmp(&a))).unwrap_or(0);
    let mut order = vec![start];
    while order.len() < n {
        let connected =
            |i: usize| reads.iter().any(|r| r.contains(&i) && r.iter().any(|x| order.contains(x)));
        let remaining: Vec<usize> = (0..n).filter(|i| !order.contains(i)).collect();
        let pool: Vec<usize> = remaining.iter().copied().filter(|&i| connected(i)).collect();
        let pool = if pool.is_empty() { remaining } else { pool };
        let best = pool.into_iter().min_by(|&a, &b| {
            fractions[a].total_cmp(&fractions[b]).then(estimates[a].total_cmp(&estimates[b])).then(a.cmp(&b))
        });
        match best {
            Some(b) => order.push(b),
            None => break,
        }
    }
    order
}
