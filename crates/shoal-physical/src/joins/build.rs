//! The build side of a join as a sink: workers keep the batches they receive, `finalize`
//! concatenates them (column by column, in parallel) and, for a hash join, builds the
//! [`JoinHashTable`]; the result is stored where the probe operator will find it.

use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock};

use arrow::array::ArrayRef;
use arrow::compute::concat;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rayon::prelude::*;
use shoal_common::{internal_err, Result};
use shoal_physical_expr::PhysicalExprRef;

use super::hash_table::JoinHashTable;
use super::output::VisitedRows;
use crate::context::TaskContext;
use crate::memory::{batch_memory_size, MemoryConsumer, MemoryReservation};
use crate::plan::{downcast_locals, GlobalSinkState, LocalSinkState};

/// The finished build side.
#[derive(Debug)]
pub(super) struct BuildData {
    /// Every build row, in one batch.
    pub(super) batch: RecordBatch,
    /// Keys → rows (hash joins only).
    pub(super) table: Option<JoinHashTable>,
    /// Which build rows matched (outer joins and semi/anti joins on the build side).
    pub(super) visited: Option<VisitedRows>,
    /// The memory of the build rows and table, held as long as the probe may read them.
    pub(super) _memory: MemoryReservation,
}

/// Where the build sink leaves its result for the probe.
pub(super) type BuildSlot = Arc<OnceLock<BuildData>>;

/// The sink state of one build.
pub(super) struct BuildSink {
    pub(super) schema: SchemaRef,
    /// Key expressions over the build input (empty: no hash table).
    pub(super) keys: Vec<PhysicalExprRef>,
    /// Types of the probe side's key columns.
    pub(super) probe_key_types: Vec<arrow::datatypes::DataType>,
    pub(super) track_visited: bool,
    pub(super) slot: BuildSlot,
    pub(super) memory: MemoryConsumer,
}

struct BuildLocal {
    batches: Vec<RecordBatch>,
    reservation: MemoryReservation,
    bytes: usize,
}

impl LocalSinkState for BuildLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        self.bytes += batch_memory_size(&batch);
        self.reservation.try_reserve_at_least(self.bytes)?;
        self.batches.push(batch);
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

/// Concatenate `batches` (of `schema`) into one batch, one column per rayon task.
pub(super) fn concat_all(schema: &SchemaRef, batches: &[RecordBatch]) -> Result<RecordBatch> {
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let columns = (0..schema.fields().len())
        .into_par_iter()
        .map(|c| {
            let parts: Vec<&dyn arrow::array::Array> =
                batches.iter().filter_map(|b| b.columns().get(c)).map(|a| a.as_ref()).collect();
            if parts.is_empty() {
                return Ok(arrow::array::new_empty_array(schema.field(c).data_type()));
            }
            Ok(concat(&parts)?)
        })
        .collect::<Result<Vec<ArrayRef>>>()?;
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
}

impl GlobalSinkState for BuildSink {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(BuildLocal { batches: vec![], reservation: self.memory.reservation(), bytes: 0 }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        let mut memory = self.memory.reservation();
        let batches: Vec<RecordBatch> = downcast_locals::<BuildLocal>(locals)?
            .into_iter()
            .flat_map(|l| {
                memory.merge(l.reservation);
                l.batches
            })
            .collect();
        let batch = concat_all(&self.schema, &batches)?;
        drop(batches);
        let table = if self.keys.is_empty() {
            None
        } else {
            let n = batch.num_rows();
            let mut arrays = Vec::with_capacity(self.keys.len());
            for k in &self.keys {
                arrays.push(k.evaluate(&batch)?.into_array(n)?);
            }
            Some(JoinHashTable::try_new(&arrays, &self.probe_key_types, n, ctx.threads())?)
        };
        let visited = self.track_visited.then(|| VisitedRows::new(batch.num_rows()));
        // the table: about a hash and a row link per build row
        memory.try_reserve_at_least(memory.size().saturating_add(batch.num_rows().saturating_mul(16)))?;
        if self.slot.set(BuildData { batch, table, visited, _memory: memory }).is_err() {
            return internal_err!("a join's build side was finalised twice");
        }
        Ok(vec![])
    }
}
