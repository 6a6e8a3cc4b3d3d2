//! [`PushDownLimit`]: stop reading rows as early as a `Limit` allows.
//!
//! * `Limit` over `Limit` → one `Limit` with the combined skip and fetch.
//! * `Limit(skip, fetch)` over a `TableScan`, directly or through projections and aliases (one
//!   output row per input row) → `TableScan.fetch = skip + fetch`; the `Limit` stays (a source
//!   may return a few more rows than asked, and the skip is still to be done).
//! * `Limit(skip, fetch)` over projections/aliases over anything else but a sort → a copy
//!   `Limit(0, skip + fetch)` is placed below the last of them (merged with a limit already
//!   there); the original stays on top for the skip.
//!
//! Limits never cross filters, sorts or aggregates (see `sort_limit_to_topk` for sorts).

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Limit, TableScan};
use shoal_expr::{LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};

/// Pushes row limits towards the scans.
#[derive(Debug, Default, Clone, Copy)]
pub struct PushDownLimit;

impl OptimizerRule for PushDownLimit {
    fn name(&self) -> &'static str {
        "push_down_limit"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        // Top-down: a limit tightened below projections is visited next and moves on.
        plan.transform_down(|node| match node {
            LogicalPlan::Limit(limit) => push_limit(limit),
            other => Ok(Transformed::no(other)),
        })
    }
}

/// `Limit(parent_skip, parent_fetch)` over `Limit(child_skip, child_fetch)` as one limit.
pub(crate) fn combine_limits(
    parent_skip: usize,
    parent_fetch: Option<usize>,
    child_skip: usize,
    child_fetch: Option<usize>,
) -> (usize, Option<usize>) {
    let skip = child_skip.saturating_add(parent_skip);
    // Rows the child still passes after the parent's skip.
    let left = child_fetch.map(|f| f.saturating_sub(parent_skip));
    let fetch = match (parent_fetch, left) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    };
    (skip, fetch)
}

fn push_limit(limit: Limit) -> Result<Transformed<LogicalPlan>> {
    let Limit { mut skip, mut fetch, mut input } = limit;
    let mut changed = false;
    while let LogicalPlan::Limit(child) = input.as_ref() {
        (skip, fetch) = combine_limits(skip, fetch, child.skip, child.fetch);
        input = Arc::clone(&child.input);
        changed = true;
    }
    // Rows the input must produce at most.
    if let Some(n) = fetch.and_then(|f| f.checked_add(skip)) {
        if let Some(limited) = limit_below(&input, n)? {
            input = Arc::new(limited);
            changed = true;
        }
    }
    Ok(Transformed::new(LogicalPlan::Limit(Limit { skip, fetch, input }), changed))
}

/// `plan` made to produce at most `n` rows below its chain of projections and aliases (which
/// yield one row per input row), or `None` when nothing can be gained:
/// * a scan at the bottom fetches `n` rows;
/// * a limit at the bottom is tightened to `n` rows;
/// * a sort at the bottom is left to `sort_limit_to_topk`, which looks through the chain;
/// * anything else at the bottom of a non-empty chain gets a `Limit(0, n)` above it.
fn limit_below(plan: &LogicalPlan, n: usize) -> Result<Option<LogicalPlan>> {
    // The projections and aliases between the limit and the bottom node, top first.
    let mut chain: Vec<&LogicalPlan> = vec![];
    let mut bottom = plan;
    while let LogicalPlan::Projection(_) | LogicalPlan::SubqueryAlias(_) = bottom {
        chain.push(bottom);
        match bottom.inputs().first() {
            Some(input) => bottom = input,
            None => return Ok(None),
        }
    }
    let limited = match bottom {
        LogicalPlan::TableScan(scan) if scan.fetch.is_none_or(|f| f > n) => {
            LogicalPlan::TableScan(TableScan { fetch: Some(n), ..scan.clone() })
        }
        LogicalPlan::TableScan(_) | LogicalPlan::Sort(_) => return Ok(None),
        LogicalPlan::Limit(existing) => {
            let (skip, fetch) = combine_limits(0, Some(n), existing.skip, existing.fetch);
            if skip == existing.skip && fetch == existing.fetch {
                return Ok(None);
            }
            LogicalPlan::Limit(Limit { skip, fetch, input: Arc::clone(&existing.input) })
        }
        _ if chain.is_empty() => return Ok(None),
        other => LogicalPlan::Limit(Limit { skip: 0, fetch: Some(n), input: Arc::new(other.clone()) }),
    };
    let mut out = limited;
    for node in chain.into_iter().rev() {
        out = node.with_new_inputs(vec![out])?;
    }
    Ok(Some(out))
}
