//! The join part of [`crate::PushDownFilter`]: filters above a join and the join's own
//! condition move into the join's inputs where the join type allows, and a cross join under an
//! equality between its sides becomes an inner join with keys (`FROM a, b WHERE a.x = b.y`).
//!
//! Outer joins: a predicate above the join may only move into the preserved side. But a
//! predicate that rejects NULLs from the null-supplying side (`b.v > 3` above `a LEFT JOIN b`)
//! drops every NULL-extended row, so the outer join is first turned into an inner join (a full
//! join into a left or right one). Conditions in `ON` may move only into the null-supplying side.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::join::{side_of, split_join_condition, Side};
use shoal_expr::plan::{Filter, Join};
use shoal_expr::{BinaryExpr, Expr, JoinType, LogicalPlan, Operator, PlanSchema, Transformed};

use crate::utils::{is_deterministic, split_conjunction_owned};

/// Which input each part refers to (`None` when it cannot be told: keep it where it is).
fn side(part: &Expr, join: &Join) -> Option<Side> {
    if !is_deterministic(part) {
        return None;
    }
    side_of(part, join.left.schema(), join.right.schema()).ok()
}

/// Is `e` a column, or a cast of one, of `schema`?
fn is_column_of(e: &Expr, schema: &PlanSchema) -> bool {
    match e {
        Expr::Column(c) => schema.maybe_index_of_column(c).ok().flatten().is_some(),
        Expr::Cast(c) => is_column_of(&c.expr, schema),
        Expr::TryCast(c) => is_column_of(&c.expr, schema),
        _ => false,
    }
}

/// Is `part` never true when every column of `schema` is NULL? (Conservative: `false` when
/// unsure.)
fn rejects_nulls(part: &Expr, schema: &PlanSchema) -> bool {
    match part {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
            Operator::And => rejects_nulls(left, schema) || rejects_nulls(right, schema),
            Operator::Or => rejects_nulls(left, schema) && rejects_nulls(right, schema),
            Operator::Eq
            | Operator::NotEq
            | Operator::Lt
            | Operator::LtEq
            | Operator::Gt
            | Operator::GtEq => is_column_of(left, schema) || is_column_of(right, schema),
            _ => false,
        },
        Expr::IsNotNull(e) => is_column_of(e, schema),
        Expr::Between(b) => is_column_of(&b.expr, schema),
        Expr::Like(l) => is_column_of(&l.expr, schema),
        Expr::InList(i) => is_column_of(&i.expr, schema),
        _ => false,
    }
}

/// The join type once the filter `parts` above it have removed NULL-extended rows.
fn simplify_outer(join_type: JoinType, parts: &[Expr], join: &Join) -> JoinType {
    let rejects = |schema: &PlanSchema| parts.iter().any(|p| is_deterministic(p) && rejects_nulls(p, schema));
    let (left, right) = (join.left.schema(), join.right.schema());
    match join_type {
        JoinType::Left if rejects(right) => JoinType::Inner,
        JoinType::Right if rejects(left) => JoinType::Inner,
        JoinType::Full => match (rejects(left), rejects(right)) {
            (true, true) => JoinType::Inner,
            (true, false) => JoinType::Left,
            (false, true) => JoinType::Right,
            (false, false) => JoinType::Full,
        },
        other => other,
    }
}

/// Push the filter `parts` above `join` into it: returns the new plan, the parts left above, and
/// whether anything changed.
pub(crate) fn through_join(parts: Vec<Expr>, join: Join) -> Result<(LogicalPlan, Vec<Expr>, bool)> {
    let parts: Vec<Expr> = parts.into_iter().flat_map(factor_or).collect();
    let join_type = simplify_outer(join.join_type, &parts, &join);
    let mut changed = join_type != join.join_type;
    let (mut to_left, mut to_right, mut to_join, mut above) = (vec![], vec![], vec![], vec![]);
    for part in parts {
        let s = side(&part, &join);
        match (join_type, s) {
            (
                JoinType::Inner | JoinType::Left | JoinType::LeftSemi | JoinType::LeftAnti,
                Some(Side::Left),
            ) => to_left.push(part),
            (
                JoinType::Inner | JoinType::Right | JoinType::RightSemi | JoinType::RightAnti,
                Some(Side::Right),
            ) => to_right.push(part),
            (JoinType::Inner, Some(Side::Both)) if !join.null_aware => {
                // `(a1 AND b1) OR (a2 AND b2)` implies `a1 OR a2` on the left input.
                to_left.extend(implied_by_or(&part, &join, Side::Left));
                to_right.extend(implied_by_or(&part, &join, Side::Right));
                to_join.push(part)
            }
            _ => above.push(part),
        }
    }
    changed |= !to_left.is_empty() || !to_right.is_empty() || !to_join.is_empty();
    if !changed {
        return Ok((LogicalPlan::Join(join), above, false));
    }
    let plan = rebuild(join, join_type, to_left, to_right, to_join)?;
    // Also move what the join's own condition allows (e.g. the parts just added).
    let plan = match plan {
        LogicalPlan::Join(j) => push_join_condition(j)?.data,
        other => other,
    };
    Ok((plan, above, true))
}

fn split_disjunction(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::BinaryExpr(BinaryExpr { left, op: Operator::Or, right }) => {
            let mut v = split_disjunction(left);
            v.extend(split_disjunction(right));
            v
        }
        e => vec![e],
    }
}

/// `(a AND b) OR (a AND c)` → `[a, b OR c]`: conjuncts common to every branch of an OR are
/// taken out of it (so a join key hidden in an OR, as in TPC-H Q19, becomes a key).
fn factor_or(part: Expr) -> Vec<Expr> {
    let branches: Vec<Vec<&Expr>> =
        split_disjunction(&part).into_iter().map(|b| b.split_conjunction()).collect();
    if branches.len() < 2 || !is_deterministic(&part) {
        return vec![part];
    }
    let Some(first) = branches.first() else { return vec![part] };
    let common: Vec<Expr> =
        first.iter().filter(|c| branches.iter().all(|b| b.contains(c))).map(|c| (*c).clone()).collect();
    if common.is_empty() {
        return vec![part];
    }
    let mut rest = vec![];
    for b in &branches {
        let left: Vec<Expr> = b.iter().filter(|c| !common.contains(c)).map(|c| (*c).clone()).collect();
        match Expr::conjunction(left) {
            Some(e) => rest.push(e),
            // one branch is only the common part: the OR adds nothing
            None => return common,
        }
    }
    let mut out = common;
    out.extend(rest.into_iter().reduce(Expr::or));
    out
}

/// For an OR over both inputs, the OR of each branch's conjuncts over `want` alone — implied
/// by the part, so it may filter that input early — when every branch has some.
fn implied_by_or(part: &Expr, join: &Join, want: Side) -> Option<Expr> {
    let branches = split_disjunction(part);
    if branches.len() < 2 {
        return None;
    }
    let mut ors = vec![];
    for b in branches {
        let mine: Vec<Expr> =
            b.split_conjunction().into_iter().filter(|c| side(c, join) == Some(want)).cloned().collect();
        ors.push(Expr::conjunction(mine)?);
    }
    ors.into_iter().reduce(Expr::or)
}

/// `join` of type `join_type` with `to_left` / `to_right` filtering its inputs and `to_join`
/// added to its condition.
fn rebuild(
    join: Join,
    join_type: JoinType,
    to_left: Vec<Expr>,
    to_right: Vec<Expr>,
    to_join: Vec<Expr>,
) -> Result<LogicalPlan> {
    let left = filter_over(to_left, Arc::unwrap_or_clone(join.left))?;
    let right = filter_over(to_right, Arc::unwrap_or_clone(join.right))?;
    let (mut on, mut filter) = (join.on, join.filter);
    if !to_join.is_empty() {
        let condition = Expr::conjunction(filter.take().into_iter().chain(to_join));
        if let Some(c) = condition {
            let (keys, rest) = split_join_condition(c, left.schema(), right.schema())?;
            on.extend(keys);
            filter = rest;
        }
    }
    Ok(LogicalPlan::Join(Join::try_new(
        Arc::new(left),
        Arc::new(right),
        on,
        filter,
        join_type,
        join.null_aware,
    )?))
}

fn filter_over(parts: Vec<Expr>, input: LogicalPlan) -> Result<LogicalPlan> {
    Ok(match Expr::conjunction(parts) {
        Some(p) => LogicalPlan::Filter(Filter::try_new(p, Arc::new(input))?),
        None => input,
    })
}

/// Move the parts of the join's residual filter that concern one input into that input, where
/// the join type allows it.
pub(crate) fn push_join_condition(join: Join) -> Result<Transformed<LogicalPlan>> {
    let Some(filter) = join.filter.clone() else {
        return Ok(Transformed::no(LogicalPlan::Join(join)));
    };
    let jt = join.join_type;
    // ON conditions may filter an input when its unmatched rows are not output.
    let left_ok = matches!(
        jt,
        JoinType::Inner | JoinType::Right | JoinType::LeftSemi | JoinType::RightSemi | JoinType::RightAnti
    );
    let right_ok = matches!(
        jt,
        JoinType::Inner | JoinType::Left | JoinType::RightSemi | JoinType::LeftSemi | JoinType::LeftAnti
    );
    let (mut to_left, mut to_right, mut keep) = (vec![], vec![], vec![]);
    for part in split_conjunction_owned(filter) {
        match side(&part, &join) {
            Some(Side::Left) if left_ok && !join.null_aware => to_left.push(part),
            Some(Side::Right) if right_ok && !join.null_aware => to_right.push(part),
            _ => keep.push(part),
        }
    }
    if to_left.is_empty() && to_right.is_empty() {
        return Ok(Transformed::no(LogicalPlan::Join(join)));
    }
    let left = filter_over(to_left, Arc::unwrap_or_clone(join.left))?;
    let right = filter_over(to_right, Arc::unwrap_or_clone(join.right))?;
    Ok(Transformed::yes(LogicalPlan::Join(Join::try_new(
        Arc::new(left),
        Arc::new(right),
        join.on,
        Expr::conjunction(keep),
        jt,
        join.null_aware,
    )?)))
}
