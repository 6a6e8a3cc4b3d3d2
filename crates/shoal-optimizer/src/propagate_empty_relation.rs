//! [`PropagateEmptyRelation`]: a node whose input has no rows has no rows either, so it becomes
//! an empty relation with its own schema — except a global aggregate (no GROUP BY), which still
//! yields one row (`count(*)` = 0). Empty inputs of set operations: see
//! `propagate_empty_relation_union.rs`.

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
            if let Some(simplified) = crate::propagate_empty_relation_union::simplify_set_operation(&node)? {
                return Ok(simplified);
            }
            let empty_input = node.inputs().first().is_some_and(|i| is_empty_relation(i));
            let propagates = match &node {
                // a grouping set with `()` yields a grand-total row even over no input
                LogicalPlan::Aggregate(a) => !a.group_expr.is_empty() && a.grouping_set().is_none(),
                LogicalPlan::Projection(_)
                | LogicalPlan::Filter(_)
                | LogicalPlan::Sort(_)
                | LogicalPlan::Limit(_)
                | LogicalPlan::SubqueryAlias(_)
                | LogicalPlan::Window(_) => true,
                // INTERSECT / EXCEPT with an empty left input are empty.
                LogicalPlan::SetOperation(_) => true,
                // A union is empty only when every input is; a recursive query's static term
                // being empty does not make its recursive term empty.
                LogicalPlan::Union(_) | LogicalPlan::RecursiveQuery(_) | LogicalPlan::WorkTableScan(_) => {
                    false
                }
                LogicalPlan::TableScan(_) | LogicalPlan::EmptyRelation(_) | LogicalPlan::Values(_) => false,
                // Which empty side empties a join depends on its type: see `empty_join`.
                LogicalPlan::Join(j) => {
                    if empty_join(j) {
                        return Ok(Transformed::yes(empty_like(&node)));
                    }
                    false
                }
            };
            if empty_input && propagates {
                Ok(Transformed::yes(empty_like(&node)))
            } else {
                Ok(Transformed::no(node))
            }
        })
    }
}

/// Is the join empty because an input it needs rows from is empty?
fn empty_join(j: &shoal_expr::plan::Join) -> bool {
    use shoal_expr::JoinType::*;
    let (l, r) = (is_empty_relation(&j.left), is_empty_relation(&j.right));
    match j.join_type {
        Inner | LeftSemi | RightSemi => l || r,
        Left | LeftAnti => l,
        Right | RightAnti => r,
        Full => l && r,
    }
}
