//! Logical optimizer: one rule per file, each switchable by name.
//!
//! [`Optimizer::new`] holds the default ordered list of rules; [`Optimizer::optimize`] runs it
//! up to three passes (or until no rule changes anything), skipping rules the session switched
//! off (`SessionConfig::disabled_rules`) and checking after each rule that the plan's output
//! schema is unchanged. Every rule rewrites with the `TreeNode` API of `shoal-expr` and keeps
//! results exactly the same, NULLs and three-valued logic included.

mod decorrelate;
pub mod decorrelate_predicate_subquery;
pub mod eliminate_common_subexpressions;
pub mod eliminate_filter;
pub mod eliminate_limit;
mod join_graph;
pub mod optimizer;
pub mod propagate_empty_relation;
mod propagate_empty_relation_union;
pub mod push_down_filter;
mod push_down_filter_join;
mod push_down_filter_union;
mod push_down_filter_window;
pub mod push_down_limit;
pub mod push_down_projection;
mod push_down_projection_join;
mod push_down_projection_union;
mod push_down_projection_window;
pub mod push_down_semi_join;
pub mod push_join_keys_into_aggregate;
pub mod reorder_joins;
mod scalar_subquery_empty;
pub mod scalar_subquery_to_join;
pub mod simplify_expressions;
mod single_row_check;
pub mod sort_limit_to_topk;
mod utils;

pub use decorrelate_predicate_subquery::DecorrelatePredicateSubquery;
pub use eliminate_common_subexpressions::EliminateCommonSubexpressions;
pub use eliminate_filter::EliminateFilter;
pub use eliminate_limit::EliminateLimit;
pub use optimizer::{ConstEvaluator, Optimizer, OptimizerContext, OptimizerRule};
pub use propagate_empty_relation::PropagateEmptyRelation;
pub use push_down_filter::PushDownFilter;
pub use push_down_limit::PushDownLimit;
pub use push_down_projection::PushDownProjection;
pub use push_down_semi_join::PushDownSemiJoin;
pub use push_join_keys_into_aggregate::PushJoinKeysIntoAggregate;
pub use reorder_joins::ReorderJoins;
pub use scalar_subquery_to_join::ScalarSubqueryToJoin;
pub use simplify_expressions::SimplifyExpressions;
pub use sort_limit_to_topk::SortLimitToTopK;
