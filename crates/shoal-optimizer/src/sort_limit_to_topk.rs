//! [`SortLimitToTopK`]: `Limit(skip, fetch)` over a `Sort` (directly or through projections and
//! aliases, which yield one row per input row) sets `Sort.fetch = skip + fetch`, so the executor
//! keeps a bounded top-k instead of sorting everything. The `Limit` stays on top for the skip.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::plan::{Limit, Sort};
use shoal_expr::{LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};

/// Turns a sort followed by a limit into a top-k sort.
#[derive(Debug, Default, Clone, Copy)]
pub struct SortLimitToTopK;

impl OptimizerRule for SortLimitToTopK {
    fn name(&self) -> &'static str {
        "sort_limit_to_topk"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Limit(limit) => limit_over_sort(limit),
            other => Ok(Transformed::no(other)),
        })
    }
}

fn limit_over_sort(limit: Limit) -> Result<Transformed<LogicalPlan>> {
    let Some(k) = limit.fetch.and_then(|f| f.checked_add(limit.skip)) else {
        return Ok(Transformed::no(LogicalPlan::Limit(limit)));
    };
    match with_topk(&limit.input, k)? {
        Some(input) => Ok(Transformed::yes(LogicalPlan::Limit(Limit { input: Arc::new(input), ..limit }))),
        None => Ok(Transformed::no(LogicalPlan::Limit(limit))),
    }
}

/// `plan` with the first `Sort` under its chain of projections and aliases fetching at most `k`
/// rows, or
/// `None` when there is no such sort or it already fetches `k` or fewer.
fn with_topk(plan: &LogicalPlan, k: usize) -> Result<Option<LogicalPlan>> {
    // The projections and aliases between the limit and the sort, top first.
    let mut chain: Vec<&LogicalPlan> = vec![];
    let mut cur = plan;
    while let LogicalPlan::Projection(_) | LogicalPlan::SubqueryAlias(_) = cur {
        chain.push(cur);
        match cur.inputs().first() {
            Some(input) => cur = input,
            None => return Ok(None),
        }
    }
    let LogicalPlan::Sort(sort) = cur else {
        return Ok(None);
    };
    if sort.fetch.is_some_and(|f| f <= k) {
        return Ok(None);
    }
    let mut out = LogicalPlan::Sort(Sort { fetch: Some(k), ..sort.clone() });
    for node in chain.into_iter().rev() {
        out = node.with_new_inputs(vec![out])?;
    }
    Ok(Some(out))
}
