//! [`PushDownSemiJoin`]: move a semi / anti join below the inner (or outer) join whose one
//! input holds every column the semi join reads, when that input is estimated smaller than the
//! join's output.
//!
//! `(A ⋈ B) ⋉ S` with a condition reading only `A`'s columns (and `S`'s) equals `(A ⋉ S) ⋈ B`:
//! a semi or anti join keeps or drops each row by a test of its `A` values alone (for a
//! null-aware anti join the test also reads whether `S` holds a NULL, which does not depend
//! on the row), so it may run on `A` before the join. This is sound below
//! * an inner join, on either input;
//! * a left join, on its left (preserved) input only — on the right the test would read the
//!   NULLs the join supplies for unmatched rows, which do not exist below it;
//! * a right join, on its right input only.
//!
//! TPC-H Q18 is the motivating plan: `o_orderkey IN (SELECT l_orderkey ... HAVING ..)` sits
//! above `customer ⋈ orders ⋈ lineitem` (6M rows) and keeps 399 of them; below, on `orders`
//! (1.5M rows), it leaves 57 orders to join. The push is cost-based: it happens only when the
//! input's estimated rows are at most the join's (a join that filters its large input would
//! otherwise make the semi join read more rows); unknown estimates keep the written plan.
//! Runs before `reorder_joins`, which then sees the reduced input as one relation.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::cardinality::estimate_rows;
use shoal_expr::plan::Join;
use shoal_expr::{Column, Expr, JoinType, LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};

/// Pushes semi / anti joins below joins towards the input holding their key columns.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushDownSemiJoin;

impl OptimizerRule for PushDownSemiJoin {
    fn name(&self) -> &'static str {
        "push_down_semi_join"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        // Bottom-up, so the joins below are already in their final shape; a semi join moved
        // one level is then pushed on from there (see `push_down`).
        plan.transform_up(|node| match node {
            LogicalPlan::Join(j) if matches!(j.join_type, JoinType::LeftSemi | JoinType::LeftAnti) => {
                push_down(j)
            }
            other => Ok(Transformed::no(other)),
        })
    }
}

/// Which input of the join below receives the semi join.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

fn push_down(semi: Join) -> Result<Transformed<LogicalPlan>> {
    let LogicalPlan::Join(below) = semi.left.as_ref() else {
        return Ok(Transformed::no(LogicalPlan::Join(semi)));
    };
    let Some(side) = target_side(&semi, below) else {
        return Ok(Transformed::no(LogicalPlan::Join(semi)));
    };
    let target = match side {
        Side::Left => &below.left,
        Side::Right => &below.right,
    };
    // Cost: the semi join then reads the input's rows instead of the join's.
    match (estimate_rows(target), estimate_rows(semi.left.as_ref())) {
        (Some(input), Some(joined)) if input <= joined => {}
        _ => return Ok(Transformed::no(LogicalPlan::Join(semi))),
    }
    let pushed = Join::try_new(
        Arc::clone(target),
        Arc::clone(&semi.right),
        semi.on.clone(),
        semi.filter.clone(),
        semi.join_type,
        semi.null_aware,
    )?;
    // On down while the input is itself a join it may sink below.
    let pushed = push_down(pushed)?.data;
    let (left, right) = match side {
        Side::Left => (Arc::new(pushed), Arc::clone(&below.right)),
        Side::Right => (Arc::clone(&below.left), Arc::new(pushed)),
    };
    let join = Join::try_new(
        left,
        right,
        below.on.clone(),
        below.filter.clone(),
        below.join_type,
        below.null_aware,
    )?;
    Ok(Transformed::yes(LogicalPlan::Join(join)))
}

/// The input of `below` holding every column of `semi`'s left side that `semi` reads, if the
/// semi join may be moved there (see the module docs).
fn target_side(semi: &Join, below: &Join) -> Option<Side> {
    let allowed: &[Side] = match below.join_type {
        JoinType::Inner if !below.null_aware => &[Side::Left, Side::Right],
        JoinType::Left => &[Side::Left],
        JoinType::Right => &[Side::Right],
        _ => return None,
    };
    let (ls, rs) = (semi.left.schema(), semi.right.schema());
    // Columns of the semi join's left input that its condition reads.
    let mut columns: Vec<Column> = vec![];
    for (l, _) in &semi.on {
        columns.extend(l.column_refs());
    }
    if let Some(f) = &semi.filter {
        for c in f.column_refs() {
            let in_left = ls.maybe_index_of_column(&c).ok().flatten().is_some();
            let in_right = rs.maybe_index_of_column(&c).ok().flatten().is_some();
            match (in_left, in_right) {
                (true, false) => columns.push(c),
                (false, true) => {}
                // ambiguous or unresolved: leave the plan alone
                _ => return None,
            }
        }
    }
    if columns.is_empty() {
        return None;
    }
    let holds =
        |plan: &LogicalPlan, c: &Column| plan.schema().maybe_index_of_column(c).ok().flatten().is_some();
    let side_of = |c: &Column| match (holds(&below.left, c), holds(&below.right, c)) {
        (true, false) => Some(Side::Left),
        (false, true) => Some(Side::Right),
        _ => None,
    };
    let first = side_of(columns.first()?)?;
    let all_same = columns.iter().all(|c| side_of(c) == Some(first));
    // After the move the condition reads the target input next to `S`: every column must
    // still resolve to exactly one of them.
    let target = match first {
        Side::Left => &below.left,
        Side::Right => &below.right,
    };
    let unambiguous = semi
        .filter
        .iter()
        .flat_map(|f| f.column_refs())
        .all(|c| holds(target, &c) != rs.maybe_index_of_column(&c).ok().flatten().is_some());
    (all_same && unambiguous && allowed.contains(&first) && !has_outer_refs(semi)).then_some(first)
}

/// True when the semi join's condition still holds an outer reference (never pushed).
fn has_outer_refs(semi: &Join) -> bool {
    let mut found = false;
    let mut check = |e: &Expr| {
        let _ = e.apply(|x| {
            if matches!(x, Expr::OuterReferenceColumn(..)) {
                found = true;
            }
            Ok(shoal_expr::TreeNodeRecursion::Continue)
        });
    };
    for (l, r) in &semi.on {
        check(l);
        check(r);
    }
    if let Some(f) = &semi.filter {
        check(f);
    }
    found
}
