//! [`EliminateFilter`]: a `Filter` on literal `true` → its input; on literal `false` or NULL
//! (a filter keeps only rows where the predicate is true) → an empty relation with the same
//! schema.

use std::sync::Arc;

use shoal_common::Result;
use shoal_expr::{Expr, LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::empty_like;

/// Removes filters whose predicate is a constant.
#[derive(Debug, Default, Clone, Copy)]
pub struct EliminateFilter;

impl OptimizerRule for EliminateFilter {
    fn name(&self) -> &'static str {
        "eliminate_filter"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| match node {
            LogicalPlan::Filter(f) => match &f.predicate {
                Expr::Literal(v) if v.as_bool() == Some(true) => {
                    Ok(Transformed::yes(Arc::unwrap_or_clone(f.input)))
                }
                Expr::Literal(v) if v.is_null() || v.as_bool() == Some(false) => {
                    Ok(Transformed::yes(empty_like(&LogicalPlan::Filter(f))))
                }
                _ => Ok(Transformed::no(LogicalPlan::Filter(f))),
            },
            other => Ok(Transformed::no(other)),
        })
    }
}
