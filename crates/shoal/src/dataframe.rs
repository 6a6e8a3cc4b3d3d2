//! [`DataFrame`]: a session plus a logical plan; nothing runs until `collect`.

use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_expr::LogicalPlan;
use shoal_optimizer::{Optimizer, OptimizerContext};
use shoal_physical::{ExecutionPlan, TaskContext};

use crate::provider::PhysicalConstEvaluator;
use crate::session::{poisoned, Session};

/// A lazy query: a session plus a logical plan.
#[derive(Clone)]
pub struct DataFrame {
    session: Session,
    plan: LogicalPlan,
}

impl DataFrame {
    pub(crate) fn new(session: Session, plan: LogicalPlan) -> Self {
        Self { session, plan }
    }

    /// The schema of the result.
    pub fn schema(&self) -> SchemaRef {
        self.plan.schema().to_arrow()
    }

    /// The logical plan as built (before optimization).
    pub fn logical_plan(&self) -> &LogicalPlan {
        &self.plan
    }

    /// The logical plan after the optimizer.
    pub fn optimized_plan(&self) -> Result<LogicalPlan> {
        let config = self.session.config();
        let ctx = OptimizerContext { config: &config, evaluator: &PhysicalConstEvaluator };
        Optimizer::new().optimize(self.plan.clone(), &ctx)
    }

    /// The physical plan the optimized logical plan runs as.
    pub fn physical_plan(&self) -> Result<Arc<dyn ExecutionPlan>> {
        shoal_physical::create_physical_plan(&self.optimized_plan()?, &self.session.config())
    }

    fn task_context(&self) -> Result<TaskContext> {
        let pool = Arc::clone(&*self.session.state.pool.read().map_err(|_| poisoned())?);
        let ctx = TaskContext::with_pool(pool, self.session.config());
        // The session's cancel handle (Ctrl-C) now points at this query's flag.
        *self.session.state.cancel.write().map_err(|_| poisoned())? = Arc::clone(ctx.cancel_flag());
        Ok(ctx)
    }

    /// Optimize, plan and run the query on the session's pool; all result batches.
    pub fn collect(&self) -> Result<Vec<RecordBatch>> {
        let plan = self.physical_plan()?;
        shoal_physical::collect(plan, &self.task_context()?)
    }

    /// Run the query, handing each result batch to `on_batch` as it is produced (bounded
    /// memory for streaming plans); `on_batch` may stop the query early.
    pub fn stream(&self, on_batch: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>) -> Result<()> {
        let plan = self.physical_plan()?;
        shoal_physical::execute_stream(plan, &self.task_context()?, on_batch)
    }

    /// The optimized logical plan and the physical plan, as text.
    pub fn explain(&self) -> Result<String> {
        self.explain_with(false)
    }

    /// Like [`DataFrame::explain`]; `verbose` also shows the initial plan and every rule's effect.
    pub fn explain_with(&self, verbose: bool) -> Result<String> {
        let config = self.session.config();
        let ctx = OptimizerContext { config: &config, evaluator: &PhysicalConstEvaluator };
        let mut out = String::new();
        let optimized = if verbose {
            out.push_str("== initial logical plan ==\n");
            out.push_str(&self.plan.display_indent());
            let (plan, trace) = Optimizer::new().optimize_with_trace(self.plan.clone(), &ctx)?;
            for (rule, text) in trace {
                out.push_str(&format!("== after {rule} ==\n{text}"));
            }
            plan
        } else {
            Optimizer::new().optimize(self.plan.clone(), &ctx)?
        };
        out.push_str("== logical plan ==\n");
        out.push_str(&optimized.display_indent());
        let physical = shoal_physical::create_physical_plan(&optimized, &config)?;
        out.push_str("== physical plan ==\n");
        out.push_str(&shoal_physical::displayable(physical.as_ref()));
        Ok(out)
    }

    /// Run the query and describe the physical plan with per-operator rows, time and threads.
    pub fn explain_analyze(&self) -> Result<String> {
        let plan = self.physical_plan()?;
        shoal_physical::explain_analyze(plan, &self.task_context()?)
    }
}
