//! Logical optimizer: one rule per file, each switchable by name.
//!
//! [`Optimizer::new`] holds the default ordered list of rules; [`Optimizer::optimize`] runs it
//! up to three passes (or until no rule changes anything), skipping rules the session switched
//! off (`SessionConfig::disabled_rules`) and checking after each rule that the plan's output
//! schema is unchanged. Every rule rewrites with the `TreeNode` API of `shoal-expr` and keeps
//! results exactly the same, NULLs and three-valued logic included.

pub mod eliminate_filter;
pub mod eliminate_limit;
pub mod optimizer;
pub mod propagate_empty_relation;
pub mod push_down_filter;
pub mod push_down_limit;
pub mod push_down_projection;
pub mod simplify_expressions;
pub mod sort_limit_to_topk;
mod utils;

pub use eliminate_filter::EliminateFilter;
pub use eliminate_limit::EliminateLimit;
pub use optimizer::{ConstEvaluator, Optimizer, OptimizerContext, OptimizerRule};
pub use propagate_empty_relation::PropagateEmptyRelation;
pub use push_down_filter::PushDownFilter;
pub use push_down_limit::PushDownLimit;
pub use push_down_projection::PushDownProjection;
pub use simplify_expressions::SimplifyExpressions;
pub use sort_limit_to_topk::SortLimitToTopK;
