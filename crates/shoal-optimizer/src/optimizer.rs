//! The optimizer driver: the [`OptimizerRule`] trait, the default ordered rule list and the
//! pass loop that skips disabled rules and checks every rule keeps the output schema.

use std::sync::Arc;

use shoal_common::{Result, ScalarValue, SessionConfig, ShoalError};
use shoal_expr::{Expr, LogicalPlan, PlanSchema, Transformed};

use crate::{
    DecorrelatePredicateSubquery, EliminateCommonSubexpressions, EliminateFilter, EliminateLimit,
    PropagateEmptyRelation, PushDownFilter, PushDownLimit, PushDownProjection, PushDownSemiJoin,
    PushJoinKeysIntoAggregate, ReorderJoins, ScalarSubqueryToJoin, SimplifyExpressions, SortLimitToTopK,
};

/// The most passes over the rule list; plans usually settle after one or two.
const MAX_PASSES: usize = 3;

/// One rewrite of a logical plan. It must keep the results of the plan exactly the same and
/// must not change the plan's output schema (field names and types).
pub trait OptimizerRule: Send + Sync {
    /// The rule's name, used to switch it off (`SET shoal.optimizer.disable = '<name>'`).
    fn name(&self) -> &'static str;
    /// Rewrite `plan`; `Transformed::no` when nothing changed.
    fn rewrite(&self, plan: LogicalPlan, ctx: &OptimizerContext) -> Result<Transformed<LogicalPlan>>;
    /// True for rewrites without which the plan cannot be executed (subqueries to joins): they
    /// run even with the optimizer switched off, unless disabled by name.
    fn required(&self) -> bool {
        false
    }
}

/// Evaluates a constant expression (no column references, no aggregates, deterministic) to a
/// value; the session passes one backed by the physical expression evaluator.
pub trait ConstEvaluator: Send + Sync {
    fn evaluate(&self, expr: &Expr) -> Result<ScalarValue>;
}

/// What rules may consult while rewriting.
pub struct OptimizerContext<'a> {
    pub config: &'a SessionConfig,
    pub evaluator: &'a dyn ConstEvaluator,
}

impl<'a> OptimizerContext<'a> {
    pub fn new(config: &'a SessionConfig, evaluator: &'a dyn ConstEvaluator) -> Self {
        Self { config, evaluator }
    }
}

/// An ordered list of rules, run as a whole up to [`MAX_PASSES`] times.
///
/// ```
/// use shoal_common::{not_supported, Result, ScalarValue, SessionConfig};
/// use shoal_expr::{col, lit, Expr, LogicalPlanBuilder};
/// use shoal_optimizer::{ConstEvaluator, Optimizer, OptimizerContext};
///
/// struct LiteralsOnly;
/// impl ConstEvaluator for LiteralsOnly {
///     fn evaluate(&self, expr: &Expr) -> Result<ScalarValue> {
///         match expr {
///             Expr::Literal(v) => Ok(v.clone()),
///             other => not_supported!("cannot evaluate {other}"),
///         }
///     }
/// }
///
/// let plan = LogicalPlanBuilder::values(vec![vec![lit(1i64)], vec![lit(2i64)]])?
///     .filter(col("column1").gt(lit(1i64)).and(lit(true)))?
///     .build()?;
/// let config = SessionConfig::default();
/// let ctx = OptimizerContext::new(&config, &LiteralsOnly);
/// let optimized = Optimizer::new().optimize(plan, &ctx)?;
/// assert_eq!(optimized.display_indent(), "Filter: column1 > 1\n  Values: (1), (2)\n");
/// # Ok::<(), shoal_common::ShoalError>(())
/// ```
#[derive(Clone)]
pub struct Optimizer {
    rules: Vec<Arc<dyn OptimizerRule>>,
}

impl Default for Optimizer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Optimizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Optimizer").field("rules", &self.rule_names()).finish()
    }
}

impl Optimizer {
    /// The default rules, in order.
    pub fn new() -> Self {
        let rules: Vec<Arc<dyn OptimizerRule>> = vec![
            // First of all: subquery expressions become joins, so every later rule (and the
            // physical planner) sees only joins; the joined plans are then simplified and get
            // filters pushed into them like any other. The predicate rule runs first so a
            // scalar subquery left in the filter it rewrites is handled in the same pass.
            Arc::new(DecorrelatePredicateSubquery),
            Arc::new(ScalarSubqueryToJoin),
            // Then: folds constants and simplifies booleans, so the eliminate_* rules below see
            // literal `true` / `false` / NULL predicates and pushed-down filters are already simple.
            Arc::new(SimplifyExpressions),
            // After simplify_expressions: needs predicates folded to literals.
            Arc::new(EliminateFilter),
            Arc::new(EliminateLimit),
            // After the eliminate_* rules: lifts the empty relations they create to their parents.
            Arc::new(PropagateEmptyRelation),
            // Before push_down_projection: moving filters below projections and copying pruning
            // hints into scans decides which columns each node needs. Before push_down_limit: a
            // scan with a fetch no longer takes pruning filters.
            Arc::new(PushDownFilter),
            // After push_down_filter, which turns the cross joins below a decorrelated subquery's
            // semi join into keyed inner joins. Before reorder_joins: the semi join then sits on
            // one relation, which the join order search sees reduced.
            Arc::new(PushDownSemiJoin),
            // After push_down_semi_join (the key semi join it adds is pushed further in the next
            // pass). Before reorder_joins: the aggregate it shrinks is then estimated smaller.
            Arc::new(PushJoinKeysIntoAggregate),
            // After push_down_filter: it turns `FROM a, b WHERE a.x = b.y` cross joins into
            // inner joins with keys and puts filters on the relations, which the estimates
            // read. Before push_down_projection, which prunes the reordered tree.
            Arc::new(ReorderJoins),
            // After push_down_filter (see above). Before push_down_limit: identity projections
            // are removed first, so a limit reaches the scan directly instead of leaving a copy
            // below a projection that then disappears (a Limit over a Limit).
            Arc::new(PushDownProjection),
            // Before sort_limit_to_topk: copies limits below projections so a Limit lands
            // directly on a Sort.
            Arc::new(PushDownLimit),
            Arc::new(SortLimitToTopK),
            // Last: the other rules move and prune expressions freely; this one then computes
            // each repeated expression once in a projection below its node (push_down_filter
            // leaves a filter above such a projection, so the next pass keeps the result).
            Arc::new(EliminateCommonSubexpressions),
        ];
        Self { rules }
    }

    /// An optimizer running exactly `rules`, in this order.
    pub fn with_rules(rules: Vec<Arc<dyn OptimizerRule>>) -> Self {
        Self { rules }
    }

    /// The names of the rules, in the order they run.
    pub fn rule_names(&self) -> Vec<&'static str> {
        self.rules.iter().map(|r| r.name()).collect()
    }

    /// Optimize `plan`.
    pub fn optimize(&self, plan: LogicalPlan, ctx: &OptimizerContext) -> Result<LogicalPlan> {
        self.run(plan, ctx, &mut |_, _| {})
    }

    /// Optimize `plan`, also returning `(rule name, plan text)` after every rule that changed
    /// the plan (EXPLAIN VERBOSE).
    pub fn optimize_with_trace(
        &self,
        plan: LogicalPlan,
        ctx: &OptimizerContext,
    ) -> Result<(LogicalPlan, Vec<(String, String)>)> {
        let mut trace = vec![];
        let plan =
            self.run(plan, ctx, &mut |rule, plan| trace.push((rule.to_string(), plan.display_indent())))?;
        Ok((plan, trace))
    }

    fn run(
        &self,
        mut plan: LogicalPlan,
        ctx: &OptimizerContext,
        on_change: &mut dyn FnMut(&str, &LogicalPlan),
    ) -> Result<LogicalPlan> {
        for _ in 0..MAX_PASSES {
            let mut changed = false;
            for rule in &self.rules {
                let name = rule.name();
                let enabled = if rule.required() {
                    !ctx.config.disabled_rules.contains(name)
                } else {
                    ctx.config.rule_enabled(name)
                };
                if !enabled {
                    continue;
                }
                let before = Arc::clone(plan.schema());
                let out = rule
                    .rewrite(plan, ctx)
                    .map_err(|e| e.context(format!("optimizer rule '{name}' failed")))?;
                plan = out.data;
                check_same_schema(name, &before, plan.schema())?;
                if out.transformed {
                    changed = true;
                    on_change(name, &plan);
                }
            }
            if !changed {
                break;
            }
        }
        Ok(plan)
    }
}

/// A rule must keep the output field names and types.
fn check_same_schema(rule: &str, before: &PlanSchema, after: &PlanSchema) -> Result<()> {
    let same = before.len() == after.len()
        && before
            .fields()
            .iter()
            .zip(after.fields())
            .all(|(b, a)| b.name() == a.name() && b.data_type() == a.data_type());
    if same {
        Ok(())
    } else {
        Err(ShoalError::Internal(format!(
            "optimizer rule '{rule}' changed the output schema from {before} to {after}"
        )))
    }
}
