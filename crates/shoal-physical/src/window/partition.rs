//! Splitting the rows of a [`super::WindowExec`] into hash buckets by the PARTITION BY keys
//! and computing every window function of each bucket in parallel.

use std::sync::Arc;

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::{concat, lexsort_to_indices, partition, take, SortColumn, SortOptions};
use arrow::record_batch::RecordBatch;
use arrow_row::{RowConverter, SortField};
use rayon::prelude::*;
use shoal_common::Result;

use super::frame::{Layout, OrderKey};
use super::{functions, WindowShared};
use crate::context::TaskContext;

/// Rows per bucket below which a bucket is not split further.
const MIN_BUCKET_ROWS: usize = 1024;

/// The output order (indices into `input`) and one result column per window function, in
/// that order.
pub(crate) fn compute(
    shared: &WindowShared,
    input: &RecordBatch,
    ctx: &TaskContext,
) -> Result<(UInt32Array, Vec<ArrayRef>)> {
    let n = input.num_rows();
    let eval = |e: &shoal_physical_expr::PhysicalExprRef| e.evaluate(input)?.into_array(n);
    let partition_keys = shared.partition_by.iter().map(eval).collect::<Result<Vec<_>>>()?;
    let order_keys = shared.order_by.iter().map(|o| eval(&o.expr)).collect::<Result<Vec<_>>>()?;
    let args = shared
        .functions
        .iter()
        .map(|f| f.args.iter().map(eval).collect::<Result<Vec<_>>>())
        .collect::<Result<Vec<_>>>()?;
    let buckets = hash_buckets(&partition_keys, n, ctx.threads())?;
    let outputs = buckets
        .into_par_iter()
        .filter(|b| !b.is_empty())
        .map(|b| compute_bucket(shared, &partition_keys, &order_keys, &args, b))
        .collect::<Result<Vec<_>>>()?;
    let mut indices: Vec<u32> = Vec::with_capacity(n);
    for (idx, _) in &outputs {
        indices.extend_from_slice(idx);
    }
    let mut results = Vec::with_capacity(shared.functions.len());
    for f in 0..shared.functions.len() {
        let parts: Vec<&dyn arrow::array::Array> =
            outputs.iter().filter_map(|(_, r)| r.get(f)).map(|a| a.as_ref()).collect();
        results.push(concat(&parts)?);
    }
    Ok((UInt32Array::from(indices), results))
}

/// Row indices grouped into buckets so that rows with equal PARTITION BY keys share a bucket.
fn hash_buckets(keys: &[ArrayRef], n: usize, threads: usize) -> Result<Vec<Vec<u32>>> {
    let count = (threads.max(1) * 4).min(n / MIN_BUCKET_ROWS).max(1);
    let all = || (0..n).filter_map(|i| u32::try_from(i).ok()).collect::<Vec<u32>>();
    if keys.is_empty() || count == 1 {
        return Ok(vec![all()]);
    }
    let fields = keys.iter().map(|k| SortField::new(k.data_type().clone())).collect();
    let rows = RowConverter::new(fields)?.convert_columns(keys)?;
    let state = ahash::RandomState::with_seeds(
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    );
    let mut buckets = vec![Vec::with_capacity(n / count + 1); count];
    for (i, row) in rows.iter().enumerate() {
        let b = (state.hash_one(row.as_ref()) % count as u64) as usize;
        if let (Some(bucket), Ok(i)) = (buckets.get_mut(b), u32::try_from(i)) {
            bucket.push(i);
        }
    }
    Ok(buckets)
}

/// Sort one bucket by (partition keys, order keys), find its partitions and peer groups, and
/// compute every function over it: (input indices in output order, result columns).
fn compute_bucket(
    shared: &WindowShared,
    partition_keys: &[ArrayRef],
    order_keys: &[ArrayRef],
    args: &[Vec<ArrayRef>],
    bucket: Vec<u32>,
) -> Result<(Vec<u32>, Vec<ArrayRef>)> {
    let bucket = UInt32Array::from(bucket);
    let len = bucket.len();
    let take_all = |cols: &[ArrayRef], idx: &UInt32Array| -> Result<Vec<ArrayRef>> {
        cols.iter().map(|c| Ok(take(c.as_ref(), idx, None)?)).collect()
    };
    let pk = take_all(partition_keys, &bucket)?;
    let ok = take_all(order_keys, &bucket)?;
    let mut sort_columns: Vec<SortColumn> = pk
        .iter()
        .map(|k| SortColumn { values: Arc::clone(k), options: Some(SortOptions::default()) })
        .collect();
    sort_columns.extend(
        ok.iter()
            .zip(shared.order_by.iter())
            .map(|(k, o)| SortColumn { values: Arc::clone(k), options: Some(o.options) }),
    );
    let (global, pk, ok) = if sort_columns.is_empty() {
        (bucket, pk, ok)
    } else {
        let perm = lexsort_to_indices(&sort_columns, None)?;
        let global = take(&bucket, &perm, None)?;
        let global =
            global.as_any().downcast_ref::<UInt32Array>().cloned().ok_or_else(|| {
                shoal_common::ShoalError::Internal("take of u32 indices changed type".into())
            })?;
        (global, take_all(&pk, &perm)?, take_all(&ok, &perm)?)
    };
    let partitions = if pk.is_empty() { std::iter::once(0..len).collect() } else { partition(&pk)?.ranges() };
    let peers = if ok.is_empty() {
        partitions.clone()
    } else {
        let all: Vec<ArrayRef> = pk.iter().chain(ok.iter()).cloned().collect();
        partition(&all)?.ranges()
    };
    let layout = Layout { partitions, peers, len };
    let order = match (ok.first(), shared.order_by.first()) {
        (Some(values), Some(o)) => Some(OrderKey { values, options: o.options }),
        _ => None,
    };
    let mut results = Vec::with_capacity(shared.functions.len());
    for (f, f_args) in shared.functions.iter().zip(args) {
        let sorted = take_all(f_args, &global)?;
        results.push(functions::evaluate(f, &sorted, &layout, order.as_ref())?);
    }
    Ok((global.values().to_vec(), results))
}
