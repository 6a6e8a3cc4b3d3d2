//! [`PropagateEmptyRelation`]: a node whose input has no rows has no rows either, so it becomes
//! an empty relation with its own schema — except a global aggregate (no GROUP BY), which still
//! yields one row (`count(*)` = 0).

use shoal_common::Result;
use shoal_expr::{LogicalPlan, Transformed, TreeNode};

use crate::optimizer::{OptimizerContext, OptimizerRule};
use crate::utils::{empty_like, is_empty_relation};

/// Lifts empty relations up through the nodes above them.
#[derive(Debug, Default, Clone, Copy)]
pub struct PropagateEmptyRelation;

impl OptimizerRule for PropagateEmptyRelation {
    fn name(&self) -> &'static str {
        "propagate_empty_relation"
    }

    fn rewrite(&self, plan: LogicalPlan, _ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>> {
        plan.transform_up(|node| {
            let empty_input = node.inputs().first().is_some_and(|i| is_empty_relation(i));
            let propagates = match &node {
                LogicalPlan::Aggregate(a) => !a.group_expr.is_empty(),
                LogicalPlan::Projection(_)
                | LogicalPlan::Filter(_)
                | LogicalPlan::Sort(_)
                | LogicalPlan::Limit(_)
                | LogicalPlan::SubqueryAlias(_) => true,
                LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) | LogicalPlan::Values(_) => false,
            };
            if empty_input && propagates {
                Ok(Transformed::yes(empty_like(&node)))
            } else {
                Ok(Transformed::no(node))
            }
        })
    }
}
