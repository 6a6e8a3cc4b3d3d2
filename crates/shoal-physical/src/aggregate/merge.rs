//! Phase 2 of hash aggregation: merge the workers' partial tables, partitioned by key hash,
//! merging the partitions in parallel, and produce the output batches.

use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, UInt32Array, UInt64Array};
use arrow::compute::{cast, take};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rayon::prelude::*;
use shoal_common::Result;

use super::group_values::partition_of;
use super::{AggregateLocal, AggregateShared};
use crate::context::TaskContext;
use crate::operators::sort::chunk_batch;
use crate::plan::{downcast_locals, LocalSinkState};

/// Below this many groups in total the partials are merged by one thread.
const PARALLEL_MERGE_MIN_GROUPS: usize = 32 * 1024;

/// One worker's table as arrays: group keys, their hashes, and each aggregate's state.
struct Partial {
    keys: Vec<ArrayRef>,
    hashes: Vec<u64>,
    states: Vec<Vec<ArrayRef>>,
    /// The worker table's reservation, held until the merge is done.
    _memory: crate::memory::MemoryReservation,
}

pub(super) fn finalize(
    shared: &Arc<AggregateShared>,
    locals: Vec<Box<dyn LocalSinkState>>,
    ctx: &TaskContext,
) -> Result<Vec<RecordBatch>> {
    let mut locals: Vec<AggregateLocal> = downcast_locals(locals)?;
    locals.retain(|l| l.groups.num_groups() > 0);
    if locals.len() <= 1 {
        // one table: nothing to merge
        return match locals.pop() {
            Some(mut local) => {
                let total = local.groups.num_groups();
                let keys = local.groups.emit()?.keys;
                let values =
                    local.accumulators.iter_mut().map(|a| a.evaluate(total)).collect::<Result<Vec<_>>>()?;
                Ok(chunk_batch(&output_batch(shared, keys, values, total)?, ctx.batch_size()))
            }
            None => grand_total_of_nothing(shared),
        };
    }
    let partials = locals
        .into_par_iter()
        .map(|mut local| {
            let total = local.groups.num_groups();
            let emitted = local.groups.emit()?;
            let states = local.accumulators.iter_mut().map(|a| a.state(total)).collect::<Result<Vec<_>>>()?;
            let _memory = local.reservation.take();
            Ok(Partial { keys: emitted.keys, hashes: emitted.hashes, states, _memory })
        })
        .collect::<Result<Vec<_>>>()?;
    let total_groups: usize = partials.iter().map(|p| p.hashes.len()).sum();
    let partitions = if shared.group_exprs.is_empty() || total_groups < PARALLEL_MERGE_MIN_GROUPS {
        1
    } else {
        ctx.threads()
    };
    let batches = (0..partitions)
        .into_par_iter()
        .map(|p| merge_partition(shared, &partials, p, partitions))
        .collect::<Result<Vec<_>>>()?;
    Ok(batches.iter().flat_map(|b| chunk_batch(b, ctx.batch_size())).collect())
}

/// No input rows: no groups, except that the empty grouping set `()` (of ROLLUP, CUBE or
/// GROUPING SETS) still yields its one grand-total row, as a global aggregate does.
fn grand_total_of_nothing(shared: &AggregateShared) -> Result<Vec<RecordBatch>> {
    let Some(empty) = shared.grouping_sets.iter().find(|s| s.grouped.iter().all(|g| !g)) else {
        return Ok(vec![]);
    };
    let (mut groups, mut accs) = shared.new_table()?;
    let mut keys: Vec<ArrayRef> =
        shared.group_types.iter().take(shared.group_exprs.len()).map(|t| new_null_array(t, 1)).collect();
    keys.push(Arc::new(UInt64Array::from(vec![empty.id])));
    let mut group_ids = vec![];
    groups.intern(&keys, 1, &mut group_ids)?;
    let keys = groups.emit()?.keys;
    let values = accs.iter_mut().map(|a| a.evaluate(1)).collect::<Result<Vec<_>>>()?;
    Ok(vec![output_batch(shared, keys, values, 1)?])
}

/// Merge the groups of partition `p` from every partial table.
fn merge_partition(
    shared: &AggregateShared,
    partials: &[Partial],
    p: usize,
    partitions: usize,
) -> Result<RecordBatch> {
    let (mut groups, mut accs) = shared.new_table()?;
    let mut group_ids = vec![];
    for partial in partials {
        let (keys, states, rows) = if partitions == 1 {
            (partial.keys.clone(), partial.states.clone(), partial.hashes.len())
        } else {
            let indices: UInt32Array = partial
                .hashes
                .iter()
                .enumerate()
                .filter(|(_, &h)| partition_of(h, partitions) == p)
                .map(|(i, _)| i as u32)
                .collect();
            let take_all = |arrays: &[ArrayRef]| -> Result<Vec<ArrayRef>> {
                arrays.iter().map(|a| Ok(take(a.as_ref(), &indices, None)?)).collect()
            };
            let states = partial.states.iter().map(|s| take_all(s)).collect::<Result<Vec<_>>>()?;
            (take_all(&partial.keys)?, states, indices.len())
        };
        if rows == 0 {
            continue;
        }
        groups.intern(&keys, rows, &mut group_ids)?;
        let total = groups.num_groups();
        for (acc, state) in accs.iter_mut().zip(states.iter()) {
            acc.merge_batch(state, &group_ids, total)?;
        }
    }
    let total = groups.num_groups();
    let keys = groups.emit()?.keys;
    let values = accs.iter_mut().map(|a| a.evaluate(total)).collect::<Result<Vec<_>>>()?;
    output_batch(shared, keys, values, total)
}

/// Group columns then aggregate columns, cast to the declared output types when they differ.
fn output_batch(
    shared: &AggregateShared,
    keys: Vec<ArrayRef>,
    values: Vec<ArrayRef>,
    rows: usize,
) -> Result<RecordBatch> {
    let columns = keys
        .into_iter()
        .chain(values)
        .zip(shared.schema.fields().iter())
        .map(|(a, f)| if a.data_type() == f.data_type() { Ok(a) } else { Ok(cast(&a, f.data_type())?) })
        .collect::<Result<Vec<_>>>()?;
    Ok(RecordBatch::try_new_with_options(
        Arc::clone(&shared.schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )?)
}
