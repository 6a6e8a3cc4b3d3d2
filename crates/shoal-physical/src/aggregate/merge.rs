//! Phase 2 of hash aggregation: merge the workers' partial tables, partitioned by key hash,
//! merging the partitions in parallel, and produce the output batches.

use std::sync::Arc;

use arrow::array::{new_null_array, ArrayRef, UInt32Array, UInt64Array};
use arrow::compute::{cast, take};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use rayon::prelude::*;
use shoal_common::{internal_err, Result};

use super::partial_skip::{key_hashes, partition_indices};
use super::{AggregateLocal, AggregateShared};
use crate::context::TaskContext;
use crate::operators::sort::chunk_batch;
use crate::plan::{downcast_locals, LocalSinkState};

/// Below this many groups in total the partials are merged by one thread.
const PARALLEL_MERGE_MIN_GROUPS: usize = 32 * 1024;
/// Groups merged between two checks for cancellation.
const MERGE_SLICE: usize = 64 * 1024;

/// One worker's table as arrays: group keys, each aggregate's state, which groups fall into
/// each merge partition, and the rows that bypassed the table.
struct Partial {
    keys: Vec<ArrayRef>,
    states: Vec<Vec<ArrayRef>>,
    groups: usize,
    /// For each partition, the groups in it (`None`: one partition, every group).
    by_partition: Option<Vec<Vec<u32>>>,
    /// Buffered rows (keys then argument columns) by partition, when partial aggregation
    /// was skipped.
    raw: Vec<Vec<Vec<ArrayRef>>>,
    /// The worker table's reservation, held until the merge is done.
    _memory: crate::memory::MemoryReservation,
}

pub(super) fn finalize(
    shared: &Arc<AggregateShared>,
    locals: Vec<Box<dyn LocalSinkState>>,
    skip_partitions: usize,
    ctx: &TaskContext,
) -> Result<Vec<RecordBatch>> {
    let mut locals: Vec<AggregateLocal> = downcast_locals(locals)?;
    locals.retain(|l| l.groups.num_groups() > 0 || l.raw.is_some());
    let skipping = locals.iter().any(|l| l.raw.is_some());
    if locals.len() <= 1 && !skipping {
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
    let total_groups: usize = locals.iter().map(|l| l.groups.num_groups()).sum();
    let partitions = if skipping {
        skip_partitions
    } else if shared.group_exprs.is_empty() || total_groups < PARALLEL_MERGE_MIN_GROUPS {
        1
    } else {
        ctx.threads()
    };
    let partials = locals
        .into_par_iter()
        .map(|mut local| {
            ctx.check_cancelled()?;
            let groups = local.groups.num_groups();
            let emitted = local.groups.emit()?;
            let states =
                local.accumulators.iter_mut().map(|a| a.state(groups)).collect::<Result<Vec<_>>>()?;
            // rows that bypassed a table are partitioned by `key_hashes`: partition every
            // table's groups the same way
            let hashes = if skipping { key_hashes(&emitted.keys, groups)? } else { emitted.hashes };
            let by_partition = (partitions > 1).then(|| partition_indices(&hashes, partitions));
            let raw = local.raw.take().map(|r| r.parts).unwrap_or_default();
            let _memory = local.reservation.take();
            Ok(Partial { keys: emitted.keys, states, groups, by_partition, raw, _memory })
        })
        .collect::<Result<Vec<_>>>()?;
    let batches = (0..partitions)
        .into_par_iter()
        .map(|p| merge_partition(shared, &partials, p, ctx))
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

/// Merge the groups of partition `p` from every partial table, then aggregate the rows
/// buffered for it; checks for cancellation every [`MERGE_SLICE`] groups and every batch.
fn merge_partition(
    shared: &AggregateShared,
    partials: &[Partial],
    p: usize,
    ctx: &TaskContext,
) -> Result<RecordBatch> {
    let (mut groups, mut accs) = shared.new_table()?;
    let raw_rows: usize = partials
        .iter()
        .filter_map(|partial| partial.raw.get(p))
        .flatten()
        .map(|columns| columns.first().map_or(0, |c| c.len()))
        .sum();
    if raw_rows > 0 {
        // mostly distinct keys: size the table once
        groups.reserve(raw_rows);
    }
    let mut group_ids = vec![];
    for partial in partials {
        let (keys, states, rows) = match &partial.by_partition {
            None => (partial.keys.clone(), partial.states.clone(), partial.groups),
            Some(by_partition) => {
                let Some(indices) = by_partition.get(p).filter(|i| !i.is_empty()) else {
                    continue;
                };
                let indices = UInt32Array::from(indices.clone());
                let take_all = |arrays: &[ArrayRef]| -> Result<Vec<ArrayRef>> {
                    arrays.iter().map(|a| Ok(take(a.as_ref(), &indices, None)?)).collect()
                };
                let states = partial.states.iter().map(|s| take_all(s)).collect::<Result<Vec<_>>>()?;
                (take_all(&partial.keys)?, states, indices.len())
            }
        };
        for start in (0..rows).step_by(MERGE_SLICE) {
            ctx.check_cancelled()?;
            let len = MERGE_SLICE.min(rows - start);
            let slice = |arrays: &[ArrayRef]| -> Vec<ArrayRef> {
                if len == rows {
                    arrays.to_vec()
                } else {
                    arrays.iter().map(|a| a.slice(start, len)).collect()
                }
            };
            groups.intern(&slice(&keys), len, &mut group_ids)?;
            let total = groups.num_groups();
            for (acc, state) in accs.iter_mut().zip(states.iter()) {
                acc.merge_batch(&slice(state), &group_ids, total)?;
            }
        }
    }
    let key_count = shared.group_types.len();
    for columns in partials.iter().filter_map(|partial| partial.raw.get(p)).flatten() {
        ctx.check_cancelled()?;
        let (Some(keys), Some(args)) = (columns.get(..key_count), columns.get(key_count..)) else {
            return internal_err!("aggregate: buffered rows miss their key columns");
        };
        let rows = keys.first().map_or(0, |k| k.len());
        groups.intern(keys, rows, &mut group_ids)?;
        let total = groups.num_groups();
        for (agg, acc) in shared.aggr_exprs.iter().zip(accs.iter_mut()) {
            let values = agg
                .arg
                .iter()
                .chain(agg.extra_args.iter().map(|(i, _)| i))
                .chain(agg.order_by.iter().map(|(i, _, _)| i))
                .map(|&i| args.get(i).cloned())
                .collect::<Option<Vec<ArrayRef>>>();
            let Some(values) = values else {
                return internal_err!("aggregate {}: missing buffered argument", agg.display);
            };
            acc.update_batch(&values, &group_ids, total)?;
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
