//! [`ExecutionPlan`]: a physical operator, and the three roles an operator can play in a
//! pipeline: a morsel source, a streaming operator, or a sink (pipeline breaker).

use std::any::Any;
use std::fmt::Debug;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;

/// A node of a physical plan.
pub trait ExecutionPlan: Send + Sync + Debug {
    /// The operator's name, e.g. `FilterExec`.
    fn name(&self) -> &'static str;
    /// The schema of the batches this operator produces.
    fn schema(&self) -> SchemaRef;
    /// The operator's inputs.
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>>;
    /// One line for EXPLAIN, e.g. `FilterExec: fare > 10`.
    fn describe(&self) -> String;
    /// Counters filled while the plan runs.
    fn metrics(&self) -> &OperatorMetrics;
    /// How the scheduler runs this operator.
    fn role(&self) -> OperatorRole<'_>;
    /// The operator as `Any`, to downcast to its concrete type.
    fn as_any(&self) -> &dyn Any;
}

/// What an operator is to the scheduler.
pub enum OperatorRole<'a> {
    /// Starts a pipeline: hands out morsels (scan, literal values).
    Source(&'a dyn MorselSource),
    /// Turns each batch into another, one at a time (filter, projection).
    Streaming(&'a dyn StreamingOperator),
    /// Ends a pipeline: consumes all its input, then produces its output (aggregate, sort, limit).
    Sink(&'a dyn SinkOperator),
    /// Concatenates the outputs of its children (UNION ALL): the children's pipelines become
    /// one pipeline with several sources, whose morsels are all the children's morsels.
    Union,
    /// Runs its children itself (through the scheduler) and produces its whole output at once
    /// (INTERSECT / EXCEPT, recursive queries).
    Compute(&'a dyn ComputeOperator),
    /// Two inputs: the build input runs to completion into a sink (a pipeline breaker on that
    /// side), then the probe input's batches stream through what the build produced (joins).
    Join(&'a dyn JoinOperator),
}

/// A join: its build input is run into a sink first; the probe input's pipeline then continues
/// through the streaming operator that reads the finished build.
pub trait JoinOperator: Send + Sync {
    /// The input run to completion first.
    fn build_input(&self) -> &Arc<dyn ExecutionPlan>;
    /// The input whose batches stream through the join.
    fn probe_input(&self) -> &Arc<dyn ExecutionPlan>;
    /// Begin one execution: the sink the build input is pushed into, and the streaming operator
    /// (reading what that sink's `finalize` stored) the probe input is pushed through.
    fn start(&self, ctx: &TaskContext) -> Result<(Box<dyn GlobalSinkState>, Arc<dyn ExecutionPlan>)>;
}

/// An operator that computes its output by running sub-plans to completion.
pub trait ComputeOperator: Send + Sync {
    /// Run the children and produce (the output batches, whether they are in a meaningful order).
    fn compute(&self, ctx: &TaskContext) -> Result<(Vec<RecordBatch>, bool)>;
}

/// The callback a source pushes batches into; `Break` asks it to stop reading.
pub type EmitBatch<'a> = dyn FnMut(RecordBatch) -> Result<ControlFlow<()>> + 'a;

/// A leaf operator whose output is split into morsels that workers read in parallel.
pub trait MorselSource: Send + Sync {
    /// How many morsels the source is split into.
    fn morsel_count(&self) -> usize;
    /// Read morsel `index`, pushing each batch into `emit`; stop when it returns `Break`.
    fn read_morsel(&self, index: usize, emit: &mut EmitBatch<'_>) -> Result<()>;
    /// Bytes of morsel `index`, for progress.
    fn morsel_bytes(&self, _index: usize) -> Option<u64> {
        None
    }
    /// True when the concatenation of the morsels in index order is a meaningful row order
    /// (literal `VALUES` rows); file scans have no order.
    fn ordered(&self) -> bool {
        false
    }
}

/// An operator that maps each input batch to one output batch.
pub trait StreamingOperator: Send + Sync {
    /// Map one input batch to one output batch (possibly empty).
    fn process(&self, batch: RecordBatch) -> Result<RecordBatch>;
    /// Does the operator produce rows of its own once every input batch was processed?
    fn has_final_output(&self) -> bool {
        false
    }
    /// Those rows (the unmatched build rows of a right or full outer join), pushed through the
    /// rest of the pipeline after its last morsel.
    fn final_output(&self) -> Result<Vec<RecordBatch>> {
        Ok(vec![])
    }
}

/// A pipeline breaker: DuckDB's sink / combine / finalize.
pub trait SinkOperator: Send + Sync {
    /// Begin one execution; `input_ordered` says whether the input's morsel order is meaningful.
    fn start(&self, input_ordered: bool, ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>>;
    /// Is the output in a meaningful order, given whether the input is?
    fn output_ordered(&self, input_ordered: bool) -> bool;
}

/// The state of one execution of a sink, shared by all workers.
pub trait GlobalSinkState: Send + Sync {
    /// A fresh thread-local state for one worker.
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>>;
    /// Combine the local states of every worker and produce the output batches. Runs inside the
    /// session's pool, so it may use bounded parallelism (`(0..partitions).into_par_iter()`).
    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>>;
}

/// The part of a sink owned by one worker.
pub trait LocalSinkState: Send {
    /// Absorb one batch that came from morsel `morsel`; `Break` when no more input is needed.
    fn sink(&mut self, morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>>;
    /// The state as `Any`, so the global state can downcast it when combining.
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

/// Downcast local states created by one [`GlobalSinkState`] back to their concrete type.
pub fn downcast_locals<T: 'static>(locals: Vec<Box<dyn LocalSinkState>>) -> Result<Vec<T>> {
    locals
        .into_iter()
        .map(|l| {
            l.into_any()
                .downcast::<T>()
                .map(|b| *b)
                .map_err(|_| shoal_common::ShoalError::Internal("sink received a foreign local state".into()))
        })
        .collect()
}

/// Visit every operator of a plan, parents before children.
pub fn visit_plan(plan: &dyn ExecutionPlan, f: &mut dyn FnMut(&dyn ExecutionPlan, usize)) {
    fn walk(plan: &dyn ExecutionPlan, depth: usize, f: &mut dyn FnMut(&dyn ExecutionPlan, usize)) {
        f(plan, depth);
        for c in plan.children() {
            walk(c.as_ref(), depth + 1, f);
        }
    }
    walk(plan, 0, f);
}
