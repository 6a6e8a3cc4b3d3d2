//! [`ReorderJoins`]: choose the order of a tree of inner joins from cardinality estimates.
//!
//! A maximal tree of inner joins (including cross joins, as `FROM a, b, c` leaves them before
//! predicates are pushed into them) is flattened into its inputs ("relations") and its
//! conditions. Each relation's rows and column facts come from [`shoal_expr::cardinality`]
//! (row counts, min/max and distinct estimates from the sources, filters applied); the search
//! in [`crate::join_graph`] then picks the bushy tree with the smallest sum of intermediate
//! results and build sides, never joining two parts without a condition between them. The plan
//! is rewritten only when that tree is estimated cheaper than the written one (so a second
//! pass leaves it alone); every condition is attached to the lowest join that has all the
//! relations it reads (equalities become hash keys), the larger input on the left (the probe
//! side; the physical planner builds the smaller one), and a projection on top restores the
//! original column order. Relations without a row estimate keep the written order.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::cardinality::{estimate, PlanEstimate};
use shoal_expr::join::split_join_condition;
use shoal_expr::plan::{Filter, Join, Projection};
use shoal_expr::{Expr, JoinType, LogicalPlan, Transformed, TreeNode};

use crate::join_graph::{JoinGraph, JoinTree};
use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::split_conjunction_owned;

/// The most relations one tree may have (bitmask width).
const MAX_RELATIONS: usize = 64;

/// Orders trees of inner joins by estimated cost.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReorderJoins;

impl OptimizerRule for ReorderJoins {
    fn name(&self) -> &'static str {
        "reorder_joins"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        // Top-down, so a tree is handled from its root; its relations are visited afterwards.
        plan.transform_down(|node| match node {
            LogicalPlan::Join(j) if is_reorderable(&j) => reorder(j),
            other => Ok(Transformed::no(other)),
        })
    }
}

fn is_reorderable(j: &Join) -> bool {
    j.join_type == JoinType::Inner && !j.null_aware
}

/// Split an inner-join tree into its relations and conditions; returns the written shape.
fn flatten(plan: LogicalPlan, relations: &mut Vec<LogicalPlan>, conditions: &mut Vec<Expr>) -> JoinTree {
    match plan {
        LogicalPlan::Join(j) if is_reorderable(&j) => {
            conditions.extend(j.on.iter().map(|(l, r)| l.clone().eq(r.clone())));
            if let Some(f) = j.filter {
                conditions.extend(split_conjunction_owned(f));
            }
            let left = flatten(Arc::unwrap_or_clone(j.left), relations, conditions);
            let right = flatten(Arc::unwrap_or_clone(j.right), relations, conditions);
            JoinTree::Join(Box::new(left), Box::new(right))
        }
        other => {
            relations.push(other);
            JoinTree::Leaf(relations.len() - 1)
        }
    }
}

/// The relations (a bitmask) a condition reads; `None` when a column is found in several
/// relations or none.
fn relations_of(condition: &Expr, relations: &[LogicalPlan]) -> Option<u64> {
    let mut mask = 0u64;
    for c in condition.column_refs() {
        let found: Vec<usize> = relations
            .iter()
            .enumerate()
            .filter(|(_, r)| r.schema().maybe_index_of_column(&c).ok().flatten().is_some())
            .map(|(i, _)| i)
            .collect();
        let [i] = found.as_slice() else { return None };
        mask |= 1 << i;
    }
    Some(mask)
}

fn reorder(join: Join) -> Result<Transformed<LogicalPlan>> {
    let original_schema = Arc::clone(&join.schema);
    let original = LogicalPlan::Join(join.clone());
    let (mut relations, mut conditions) = (vec![], vec![]);
    let written = flatten(LogicalPlan::Join(join), &mut relations, &mut conditions);
    if relations.len() < 3 || relations.len() > MAX_RELATIONS {
        return Ok(Transformed::no(original));
    }
    let Some(estimates) = relations.iter().map(estimate).collect::<Option<Vec<PlanEstimate>>>() else {
        return Ok(Transformed::no(original));
    };
    let Some(reads) = conditions.iter().map(|c| relations_of(c, &relations)).collect::<Option<Vec<_>>>()
    else {
        return Ok(Transformed::no(original));
    };
    if reads.contains(&0) {
        // a condition reading no relation (a constant): keep the written order
        return Ok(Transformed::no(original));
    }
    let graph = JoinGraph::new(&relations, &estimates, &conditions, &reads);
    let Some(best) = graph.best_tree() else {
        return Ok(Transformed::no(original));
    };
    if best == written || graph.cost(&best) >= graph.cost(&written) * (1.0 - 1e-9) {
        return Ok(Transformed::no(original));
    }
    let mut slots: Vec<Option<LogicalPlan>> = relations.into_iter().map(Some).collect();
    let mut used = vec![false; conditions.len()];
    let Some(plan) = build(&best, &graph, &mut slots, &conditions, &reads, &mut used)? else {
        return Ok(Transformed::no(original));
    };
    if used.iter().any(|u| !u) {
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

/// The plan of `tree`, taking relations out of `slots`; `None` if a relation is missing.
fn build(
    tree: &JoinTree,
    graph: &JoinGraph,
    slots: &mut [Option<LogicalPlan>],
    conditions: &[Expr],
    reads: &[u64],
    used: &mut [bool],
) -> Result<Option<LogicalPlan>> {
    let mask = tree.mask();
    // The conditions all of whose relations are here, not yet attached lower down.
    let take_ready = |used: &mut [bool]| -> Vec<Expr> {
        let mut here = vec![];
        for (i, c) in conditions.iter().enumerate() {
            if !used[i] && reads[i] & mask == reads[i] {
                used[i] = true;
                here.push(c.clone());
            }
        }
        here
    };
    match tree {
        JoinTree::Leaf(i) => {
            let Some(rel) = slots.get_mut(*i).and_then(Option::take) else { return Ok(None) };
            Ok(Some(match Expr::conjunction(take_ready(used)) {
                Some(p) => LogicalPlan::Filter(Filter::try_new(p, Arc::new(rel))?),
                None => rel,
            }))
        }
        JoinTree::Join(a, b) => {
            // The larger input on the left: the probe side.
            let (a, b) =
                if graph.cardinality(a.mask()) >= graph.cardinality(b.mask()) { (a, b) } else { (b, a) };
            let Some(left) = build(a, graph, slots, conditions, reads, used)? else { return Ok(None) };
            let Some(right) = build(b, graph, slots, conditions, reads, used)? else { return Ok(None) };
            let (on, filter) = match Expr::conjunction(take_ready(used)) {
                Some(c) => split_join_condition(c, left.schema(), right.schema())?,
                None => (vec![], None),
            };
            Ok(Some(LogicalPlan::Join(Join::try_new(
                Arc::new(left),
                Arc::new(right),
                on,
                filter,
                JoinType::Inner,
                false,
            )?)))
        }
    }
}
