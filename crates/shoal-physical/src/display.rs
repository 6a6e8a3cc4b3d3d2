//! EXPLAIN and EXPLAIN ANALYZE for physical plans: [`displayable`] and [`explain_analyze`].

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use shoal_common::Result;

use crate::context::TaskContext;
use crate::execute::collect;
use crate::metrics::format_duration;
use crate::plan::{visit_plan, ExecutionPlan};

/// The plan as an indented tree, one operator per line.
pub fn displayable(plan: &dyn ExecutionPlan) -> String {
    render(plan, false)
}

/// The plan tree with each operator's metrics from its last run.
pub fn displayable_with_metrics(plan: &dyn ExecutionPlan) -> String {
    render(plan, true)
}

fn render(plan: &dyn ExecutionPlan, with_metrics: bool) -> String {
    let mut out = String::new();
    visit_plan(plan, &mut |node, depth| {
        let _ = write!(out, "{}{}", "  ".repeat(depth), node.describe());
        if with_metrics {
            let _ = write!(out, ", metrics=[{}]", node.metrics().summary());
        }
        out.push('\n');
    });
    out
}

/// Clear the metrics of every operator of the plan.
pub fn reset_metrics(plan: &dyn ExecutionPlan) {
    visit_plan(plan, &mut |node, _| node.metrics().reset());
}

/// Run the plan and return its tree annotated with rows, time and threads per operator,
/// followed by a summary line.
pub fn explain_analyze(plan: Arc<dyn ExecutionPlan>, ctx: &TaskContext) -> Result<String> {
    reset_metrics(plan.as_ref());
    let start = Instant::now();
    let batches = collect(Arc::clone(&plan), ctx)?;
    let elapsed = start.elapsed();
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let mut out = displayable_with_metrics(plan.as_ref());
    let _ =
        writeln!(out, "Total: rows={rows}, elapsed={}, threads={}", format_duration(elapsed), ctx.threads());
    Ok(out)
}
