//! [`WindowExec`]: window functions (`f(..) OVER (PARTITION BY .. ORDER BY .. frame)`).
//!
//! A pipeline breaker: each worker buffers its input; finalisation evaluates the PARTITION BY
//! keys of all rows, hash-partitions the rows into a few buckets per thread (a SQL partition is
//! never split), then for every bucket in parallel on the session's pool sorts it by
//! (partition keys, order keys), finds the SQL partitions and peer groups, and computes every
//! window function over it (see `functions`, `aggregate`, `frame`). The output is the
//! input columns followed by one column per function, bucket after bucket.

mod aggregate;
mod frame;
mod functions;
mod partition;
mod planner;
mod segment_tree;

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::ArrayRef;
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rayon::prelude::*;
use shoal_common::Result;
use shoal_expr::{WindowFrame, WindowFunction};
use shoal_physical_expr::PhysicalExprRef;

use crate::context::TaskContext;
use crate::memory::{batch_memory_size, MemoryConsumer, MemoryReservation};
use crate::metrics::OperatorMetrics;
use crate::operators::PhysicalSortExpr;
use crate::plan::{
    downcast_locals, ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator,
};

pub use planner::plan_window;

/// One window function call bound to the input.
#[derive(Debug, Clone)]
pub struct PhysicalWindowExpr {
    /// The function computed.
    pub func: WindowFunction,
    /// Arguments, evaluated over the input (constants like ntile's bucket count included).
    pub args: Vec<PhysicalExprRef>,
    /// The frame, with offsets already of the ORDER BY key's type (RANGE) or integers (ROWS).
    pub frame: WindowFrame,
    /// The type of the result column.
    pub return_type: DataType,
    /// The call as text, for EXPLAIN.
    pub display: String,
}

/// Computes window functions sharing one PARTITION BY and ORDER BY.
#[derive(Debug)]
pub struct WindowExec {
    partition_by: Arc<[PhysicalExprRef]>,
    order_by: Arc<[PhysicalSortExpr]>,
    functions: Arc<[PhysicalWindowExpr]>,
    schema: SchemaRef,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

impl WindowExec {
    /// `schema` = the input's columns followed by one column per function.
    pub fn new(
        partition_by: Vec<PhysicalExprRef>,
        order_by: Vec<PhysicalSortExpr>,
        functions: Vec<PhysicalWindowExpr>,
        schema: SchemaRef,
        input: Arc<dyn ExecutionPlan>,
    ) -> Self {
        Self {
            partition_by: partition_by.into(),
            order_by: order_by.into(),
            functions: functions.into(),
            schema,
            input,
            metrics: OperatorMetrics::default(),
        }
    }
}

impl ExecutionPlan for WindowExec {
    fn name(&self) -> &'static str {
        "WindowExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        let list = |v: Vec<String>| v.join(", ");
        format!(
            "WindowExec: partition_by=[{}], order_by=[{}], functions=[{}]",
            list(self.partition_by.iter().map(|e| e.to_string()).collect()),
            list(self.order_by.iter().map(|e| e.to_string()).collect()),
            list(self.functions.iter().map(|f| f.display.clone()).collect()),
        )
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Sink(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl SinkOperator for WindowExec {
    fn start(&self, _input_ordered: bool, ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>> {
        let shared = Arc::new(WindowShared {
            partition_by: Arc::clone(&self.partition_by),
            order_by: Arc::clone(&self.order_by),
            functions: Arc::clone(&self.functions),
            input_schema: self.input.schema(),
            schema: Arc::clone(&self.schema),
            batch_size: ctx.batch_size(),
        });
        let hint = "partition the window by more columns, or filter first";
        Ok(Box::new(WindowGlobal(shared, MemoryConsumer::new(ctx, "WindowExec", hint, &self.metrics))))
    }
    fn output_ordered(&self, _input_ordered: bool) -> bool {
        false
    }
}

/// What every worker and the finalisation share.
pub(crate) struct WindowShared {
    pub partition_by: Arc<[PhysicalExprRef]>,
    pub order_by: Arc<[PhysicalSortExpr]>,
    pub functions: Arc<[PhysicalWindowExpr]>,
    pub input_schema: SchemaRef,
    pub schema: SchemaRef,
    pub batch_size: usize,
}

struct WindowGlobal(Arc<WindowShared>, MemoryConsumer);

struct WindowLocal {
    batches: Vec<RecordBatch>,
    reservation: MemoryReservation,
    bytes: usize,
}

impl LocalSinkState for WindowLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        if batch.num_rows() > 0 {
            self.bytes += batch_memory_size(&batch);
            self.reservation.try_reserve_at_least(self.bytes)?;
            self.batches.push(batch);
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl GlobalSinkState for WindowGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(WindowLocal { batches: vec![], reservation: self.1.reservation(), bytes: 0 }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        let shared = &self.0;
        let mut memory = self.1.reservation();
        let batches: Vec<RecordBatch> = downcast_locals::<WindowLocal>(locals)?
            .into_iter()
            .flat_map(|l| {
                memory.merge(l.reservation);
                l.batches
            })
            .collect();
        let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
        if rows == 0 {
            return Ok(vec![]);
        }
        let input = concat_batches(&shared.input_schema, &batches)?;
        drop(batches);
        let (indices, results) = partition::compute(shared, &input, ctx)?;
        // gather the input rows in output order, one output batch per task
        let size = shared.batch_size.max(1);
        let starts: Vec<usize> = (0..rows).step_by(size).collect();
        starts
            .into_par_iter()
            .map(|start| {
                let len = size.min(rows - start);
                let chunk = crate::operators::sort::take_batch(&input, &indices.slice(start, len))?;
                let mut columns: Vec<ArrayRef> = chunk.columns().to_vec();
                columns.extend(results.iter().map(|r| r.slice(start, len)));
                Ok(RecordBatch::try_new_with_options(
                    Arc::clone(&shared.schema),
                    columns,
                    &RecordBatchOptions::new().with_row_count(Some(len)),
                )?)
            })
            .collect()
    }
}
