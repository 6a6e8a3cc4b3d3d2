//! [`EliminateLimit`]: `LIMIT 0` → an empty relation with the same schema; a limit that skips
//! nothing and fetches everything (`Limit(0, None)`) → its input.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::empty_like;

/// Removes limits that are no-ops or that keep no rows.
#[derive(Debug, Default, Clone, Copy)]
pub struct EliminateLimit;

impl OptimizerRule for EliminateLimit {
    fn name(&self) -> &'static str {
        "eliminate_limit"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Limit(l) if l.fetch == Some(0) => {
                Ok(Transformed::yes(empty_like(&LogicalPlan::Limit(l))))
            }
            LogicalPlan::Limit(l) if l.skip == 0 && l.fetch.is_none() => {
                Ok(Transformed::yes(Arc::unwrap_or_clone(l.input)))
            }
            other => Ok(Transformed::no(other)),
        })
    }
}
