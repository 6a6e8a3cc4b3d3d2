//! [`SortExec`]: ORDER BY, optionally keeping only the first `fetch` rows (top-k).
//!
//! Each worker buffers its input (a top-k prunes it to the best `fetch` rows whenever it grows
//! past twice that), finalisation sorts every worker's run in parallel, then a k-way merge over
//! row-format keys interleaves the runs.

use std::any::Any;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::{concat_batches, interleave, lexsort_to_indices, take, SortColumn, SortOptions};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow_row::{RowConverter, SortField};
use rayon::prelude::*;
use shoal_common::Result;
use shoal_physical_expr::PhysicalExprRef;

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{
    downcast_locals, ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator,
};

/// One ORDER BY key bound to the input.
#[derive(Debug, Clone)]
pub struct PhysicalSortExpr {
    pub expr: PhysicalExprRef,
    pub options: SortOptions,
}

impl std::fmt::Display for PhysicalSortExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.expr,
            if self.options.descending { "DESC" } else { "ASC" },
            if self.options.nulls_first { "NULLS FIRST" } else { "NULLS LAST" }
        )
    }
}

/// Sorts its whole input; with `fetch`, a top-k using O(k × threads) memory.
#[derive(Debug)]
pub struct SortExec {
    exprs: Arc<[PhysicalSortExpr]>,
    fetch: Option<usize>,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

impl SortExec {
    pub fn new(exprs: Vec<PhysicalSortExpr>, fetch: Option<usize>, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { exprs: exprs.into(), fetch, input, metrics: OperatorMetrics::default() }
    }
    pub fn exprs(&self) -> &[PhysicalSortExpr] {
        &self.exprs
    }
    pub fn fetch(&self) -> Option<usize> {
        self.fetch
    }
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }
    /// The same sort keeping at most `fetch` rows.
    pub fn with_fetch(&self, fetch: Option<usize>) -> Self {
        Self::new(self.exprs.to_vec(), fetch, Arc::clone(&self.input))
    }
}

impl ExecutionPlan for SortExec {
    fn name(&self) -> &'static str {
        "SortExec"
    }
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        let keys: Vec<String> = self.exprs.iter().map(|e| e.to_string()).collect();
        match self.fetch {
            Some(n) => format!("SortExec: TopK(fetch={n}), [{}]", keys.join(", ")),
            None => format!("SortExec: [{}]", keys.join(", ")),
        }
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

impl SinkOperator for SortExec {
    fn start(&self, _input_ordered: bool, ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>> {
        Ok(Box::new(SortGlobal(Arc::new(SortShared {
            exprs: Arc::clone(&self.exprs),
            fetch: self.fetch,
            schema: self.input.schema(),
            batch_size: ctx.batch_size(),
        }))))
    }
    fn output_ordered(&self, _input_ordered: bool) -> bool {
        true
    }
}

struct SortShared {
    exprs: Arc<[PhysicalSortExpr]>,
    fetch: Option<usize>,
    schema: SchemaRef,
    batch_size: usize,
}

struct SortGlobal(Arc<SortShared>);

struct SortLocal {
    shared: Arc<SortShared>,
    batches: Vec<RecordBatch>,
    rows: usize,
}

/// A sorted slice of the input with its evaluated sort keys.
struct SortedRun {
    batch: RecordBatch,
    keys: Vec<ArrayRef>,
}

impl LocalSinkState for SortLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        self.rows += batch.num_rows();
        self.batches.push(batch);
        if let Some(k) = self.shared.fetch {
            if self.rows >= (2 * k).max(self.shared.batch_size) {
                let run = sort_run(&self.shared, std::mem::take(&mut self.batches))?;
                self.rows = run.batch.num_rows();
                self.batches.push(run.batch);
            }
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl GlobalSinkState for SortGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(SortLocal { shared: Arc::clone(&self.0), batches: vec![], rows: 0 }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        _ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        let shared = &self.0;
        let locals = downcast_locals::<SortLocal>(locals)?;
        let runs = locals
            .into_par_iter()
            .filter(|l| l.rows > 0)
            .map(|l| sort_run(shared, l.batches))
            .collect::<Result<Vec<_>>>()?;
        match runs.len() {
            0 => Ok(vec![]),
            1 => Ok(runs.into_iter().flat_map(|r| chunk_batch(&r.batch, shared.batch_size)).collect()),
            _ => merge_runs(shared, &runs),
        }
    }
}

/// Concatenate `batches` and sort them (keeping the first `fetch` rows).
fn sort_run(shared: &SortShared, batches: Vec<RecordBatch>) -> Result<SortedRun> {
    let batch = if batches.len() == 1 {
        batches.into_iter().next().unwrap_or_else(|| RecordBatch::new_empty(Arc::clone(&shared.schema)))
    } else {
        concat_batches(&shared.schema, &batches)?
    };
    let keys = evaluate_keys(&shared.exprs, &batch)?;
    let columns: Vec<SortColumn> = keys
        .iter()
        .zip(shared.exprs.iter())
        .map(|(k, e)| SortColumn { values: Arc::clone(k), options: Some(e.options) })
        .collect();
    let limit = shared.fetch.map(|f| f.min(batch.num_rows()));
    let indices = lexsort_to_indices(&columns, limit)?;
    let keys =
        keys.iter().map(|k| take(k.as_ref(), &indices, None)).collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(SortedRun { batch: take_batch(&batch, &indices)?, keys })
}

fn evaluate_keys(exprs: &[PhysicalSortExpr], batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
    exprs.iter().map(|e| e.expr.evaluate(batch)?.into_array(batch.num_rows())).collect()
}

/// `take` on every column, keeping the row count for batches without columns.
pub(crate) fn take_batch(batch: &RecordBatch, indices: &UInt32Array) -> Result<RecordBatch> {
    let columns = batch
        .columns()
        .iter()
        .map(|c| take(c.as_ref(), indices, None))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new_with_options(
        batch.schema(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(indices.len())),
    )?)
}

/// Split a batch into zero-copy slices of at most `size` rows.
pub(crate) fn chunk_batch(batch: &RecordBatch, size: usize) -> Vec<RecordBatch> {
    let size = size.max(1);
    (0..batch.num_rows())
        .step_by(size)
        .map(|start| batch.slice(start, size.min(batch.num_rows() - start)))
        .collect()
}

/// k-way merge of sorted runs, comparing keys in Arrow's row format.
fn merge_runs(shared: &SortShared, runs: &[SortedRun]) -> Result<Vec<RecordBatch>> {
    let fields: Vec<SortField> = shared
        .exprs
        .iter()
        .zip(runs[0].keys.iter())
        .map(|(e, k)| SortField::new_with_options(k.data_type().clone(), e.options))
        .collect();
    let converter = RowConverter::new(fields)?;
    let rows = runs
        .iter()
        .map(|r| converter.convert_columns(&r.keys))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let total: usize = runs.iter().map(|r| r.batch.num_rows()).sum();
    let wanted = shared.fetch.unwrap_or(total).min(total);
    let mut heap = BinaryHeap::with_capacity(runs.len());
    for (r, rows) in rows.iter().enumerate() {
        if rows.num_rows() > 0 {
            heap.push(Reverse((rows.row(0), r, 0usize)));
        }
    }
    let mut order: Vec<(usize, usize)> = Vec::with_capacity(wanted);
    while order.len() < wanted {
        let Some(Reverse((_, r, i))) = heap.pop() else {
            break;
        };
        order.push((r, i));
        if let Some(run_rows) = rows.get(r) {
            if i + 1 < run_rows.num_rows() {
                heap.push(Reverse((run_rows.row(i + 1), r, i + 1)));
            }
        }
    }
    let num_columns = shared.schema.fields().len();
    order
        .chunks(shared.batch_size.max(1))
        .map(|chunk| {
            let columns = (0..num_columns)
                .map(|c| {
                    let values: Vec<&dyn arrow::array::Array> =
                        runs.iter().map(|r| r.batch.column(c).as_ref()).collect();
                    interleave(&values, chunk)
                })
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(RecordBatch::try_new_with_options(
                Arc::clone(&shared.schema),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(chunk.len())),
            )?)
        })
        .collect()
}
