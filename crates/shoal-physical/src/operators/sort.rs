//! [`SortExec`]: ORDER BY, optionally keeping only the first `fetch` rows (top-k).
//!
//! Each worker buffers its input (a top-k prunes it to the best `fetch` rows whenever it grows
//! past twice that), finalisation sorts every worker's run in parallel, then a k-way merge over
//! row-format keys interleaves the runs.
//!
//! The buffered batches are reserved from the query's memory pool. When a full sort's
//! reservation cannot grow, the worker sorts what it holds and writes it to a spill file (a
//! sorted run), freeing its reservation; if anything spilled, finalisation spills the remaining
//! buffers too and merges all runs from disk batch by batch (`sort_merge`).

use std::any::Any;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::{concat_batches, interleave, lexsort_to_indices, take, SortColumn, SortOptions};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow_row::{RowConverter, SortField};
use rayon::prelude::*;
use shoal_common::{Result, ShoalError};
use shoal_physical_expr::PhysicalExprRef;

use super::sort_merge::{merge_sorted_streams, SortedStream};
use crate::context::TaskContext;
use crate::memory::{batch_memory_size, MemoryConsumer, MemoryReservation, SpillDir, SpillFile};
use crate::metrics::OperatorMetrics;
use crate::plan::{
    downcast_locals, ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator,
};

/// One ORDER BY key bound to the input.
#[derive(Debug, Clone)]
pub struct PhysicalSortExpr {
    /// The key, evaluated over the input.
    pub expr: PhysicalExprRef,
    /// Direction and NULL placement.
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
    /// Sort `input` by `exprs` (most significant first); with `fetch`, keep only the first rows.
    pub fn new(exprs: Vec<PhysicalSortExpr>, fetch: Option<usize>, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { exprs: exprs.into(), fetch, input, metrics: OperatorMetrics::default() }
    }
    /// The sort keys.
    pub fn exprs(&self) -> &[PhysicalSortExpr] {
        &self.exprs
    }
    /// The top-k size, if any.
    pub fn fetch(&self) -> Option<usize> {
        self.fetch
    }
    /// The sorted input.
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
        let hint = match self.fetch {
            Some(_) => "use a smaller LIMIT",
            None => "set spill_path to a directory with free space",
        };
        Ok(Box::new(SortGlobal(Arc::new(SortShared {
            exprs: Arc::clone(&self.exprs),
            fetch: self.fetch,
            schema: self.input.schema(),
            batch_size: ctx.batch_size(),
            memory: MemoryConsumer::new(ctx, "SortExec", hint, &self.metrics),
            spill_dir: self.fetch.is_none().then(|| SpillDir::new(ctx.config().spill_path.clone())),
            spilled: Mutex::new(vec![]),
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
    memory: MemoryConsumer,
    /// Where runs are spilled (full sorts only; a top-k holds O(k) rows).
    spill_dir: Option<SpillDir>,
    /// The runs spilled so far, by every worker.
    spilled: Mutex<Vec<SpillFile>>,
}

struct SortGlobal(Arc<SortShared>);

struct SortLocal {
    shared: Arc<SortShared>,
    batches: Vec<RecordBatch>,
    rows: usize,
    /// Bytes of `batches`.
    bytes: usize,
    reservation: MemoryReservation,
}

impl SortLocal {
    /// Sort the buffered batches and write them to a spill file as one run.
    fn spill(&mut self) -> Result<()> {
        let shared = Arc::clone(&self.shared);
        let Some(dir) = &shared.spill_dir else {
            return Err(ShoalError::Internal("SortExec spilled without a spill directory".into()));
        };
        let batches = std::mem::take(&mut self.batches);
        self.rows = 0;
        self.bytes = 0;
        if batches.is_empty() {
            self.reservation.free();
            return Ok(());
        }
        let run = sort_run(&shared, batches)?;
        let mut writer = dir.create_file(&shared.schema)?;
        for chunk in chunk_batch(&run.batch, shared.batch_size) {
            writer.write(&chunk)?;
        }
        drop(run);
        self.reservation.free();
        let file = writer.finish()?;
        shared.memory.stats().record_spill(file.bytes(), file.rows() as u64);
        shared
            .spilled
            .lock()
            .map_err(|_| ShoalError::Internal("spill list lock poisoned".into()))?
            .push(file);
        Ok(())
    }
}

/// A sorted slice of the input with its evaluated sort keys.
struct SortedRun {
    batch: RecordBatch,
    keys: Vec<ArrayRef>,
}

impl LocalSinkState for SortLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        self.rows += batch.num_rows();
        self.bytes += batch_memory_size(&batch);
        self.batches.push(batch);
        if let Some(k) = self.shared.fetch {
            if self.rows >= (2 * k).max(self.shared.batch_size) {
                let run = sort_run(&self.shared, std::mem::take(&mut self.batches))?;
                self.rows = run.batch.num_rows();
                self.bytes = batch_memory_size(&run.batch);
                self.batches.push(run.batch);
            }
        }
        if let Err(e) = self.reservation.try_reserve_at_least(self.bytes) {
            if self.shared.spill_dir.is_none() {
                return Err(e);
            }
            self.spill()?;
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

impl GlobalSinkState for SortGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(SortLocal {
            shared: Arc::clone(&self.0),
            batches: vec![],
            rows: 0,
            bytes: 0,
            reservation: self.0.memory.reservation(),
        }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        _ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        let shared = &self.0;
        let mut locals = downcast_locals::<SortLocal>(locals)?;
        let spilled = std::mem::take(
            &mut *shared
                .spilled
                .lock()
                .map_err(|_| ShoalError::Internal("spill list lock poisoned".into()))?,
        );
        if !spilled.is_empty() {
            // Some worker ran out of memory: spill the rest too and merge every run from disk.
            locals.par_iter_mut().try_for_each(SortLocal::spill)?;
            drop(locals);
            let mut files = spilled;
            files.extend(
                shared
                    .spilled
                    .lock()
                    .map_err(|_| ShoalError::Internal("spill list lock poisoned".into()))?
                    .drain(..),
            );
            return merge_spilled(shared, files);
        }
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

/// At most this many spill files are open and merged at once; more runs are first merged in
/// groups of this size into longer runs.
const MAX_MERGE_FANIN: usize = 64;

/// Merge spilled runs into the sorted output, in passes of at most [`MAX_MERGE_FANIN`] runs.
fn merge_spilled(shared: &SortShared, mut files: Vec<SpillFile>) -> Result<Vec<RecordBatch>> {
    let open = |files: &[SpillFile]| {
        files.iter().map(|f| Ok(Box::new(f.read()?) as SortedStream)).collect::<Result<Vec<_>>>()
    };
    let Some(dir) = &shared.spill_dir else {
        return Err(ShoalError::Internal("SortExec merges spilled runs without a spill directory".into()));
    };
    while files.len() > MAX_MERGE_FANIN {
        let merged = files
            .par_chunks(MAX_MERGE_FANIN)
            .map(|group| {
                let mut writer = dir.create_file(&shared.schema)?;
                merge_sorted_streams(
                    &shared.exprs,
                    &shared.schema,
                    shared.batch_size,
                    open(group)?,
                    &mut |b| writer.write(&b),
                )?;
                writer.finish()
            })
            .collect::<Result<Vec<_>>>()?;
        files = merged;
    }
    let mut out = vec![];
    merge_sorted_streams(&shared.exprs, &shared.schema, shared.batch_size, open(&files)?, &mut |b| {
        out.push(b);
        Ok(())
    })?;
    Ok(out)
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

pub(crate) fn evaluate_keys(exprs: &[PhysicalSortExpr], batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
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
