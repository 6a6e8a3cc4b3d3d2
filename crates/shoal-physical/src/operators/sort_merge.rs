//! k-way merge of sorted runs read batch by batch (spilled sort runs): only the current batch of
//! each run is in memory. Keys are compared in Arrow's row format through a small binary heap
//! of run indices.

use std::cmp::Ordering;
use std::sync::Arc;

use arrow::array::Array;
use arrow::compute::interleave;
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow_row::{RowConverter, Rows, SortField};
use shoal_common::Result;

use super::sort::{evaluate_keys, PhysicalSortExpr};

/// A sorted run as a stream of batches.
pub(crate) type SortedStream = Box<dyn Iterator<Item = Result<RecordBatch>> + Send>;

/// The run being read: its current batch and that batch's keys in row format.
struct Cursor {
    stream: SortedStream,
    rows: Rows,
    pos: usize,
    /// Index of the current batch in [`StreamMerger::loaded`].
    slot: usize,
}

struct StreamMerger<'a> {
    exprs: &'a [PhysicalSortExpr],
    schema: SchemaRef,
    converter: Option<RowConverter>,
    cursors: Vec<Cursor>,
    /// Batches referred to by `order` (the current batch of every run, and finished ones
    /// still waiting to be copied out).
    loaded: Vec<RecordBatch>,
    order: Vec<(usize, usize)>,
}

/// Merge sorted `streams` into batches of `batch_size` rows, handed to `emit` in order.
pub(crate) fn merge_sorted_streams(
    exprs: &[PhysicalSortExpr],
    schema: &SchemaRef,
    batch_size: usize,
    streams: Vec<SortedStream>,
    emit: &mut dyn FnMut(RecordBatch) -> Result<()>,
) -> Result<()> {
    let batch_size = batch_size.max(1);
    let mut merger = StreamMerger {
        exprs,
        schema: Arc::clone(schema),
        converter: None,
        cursors: Vec::with_capacity(streams.len()),
        loaded: vec![],
        order: Vec::with_capacity(batch_size),
    };
    for stream in streams {
        if let Some(cursor) = merger.open(stream)? {
            merger.cursors.push(cursor);
        }
    }
    // a sorted array is a valid min-heap
    let mut heap: Vec<usize> = (0..merger.cursors.len()).collect();
    heap.sort_by(|&a, &b| merger.compare(a, b));
    while let Some(&top) = heap.first() {
        let Some(cursor) = merger.cursors.get_mut(top) else { break };
        merger.order.push((cursor.slot, cursor.pos));
        cursor.pos += 1;
        if cursor.pos >= cursor.rows.num_rows() && !merger.advance(top)? {
            let last = heap.len() - 1;
            heap.swap(0, last);
            heap.pop();
        }
        sift_down(&mut heap, |a, b| merger.compare(a, b) == Ordering::Less);
        if merger.order.len() >= batch_size {
            emit(merger.flush(&heap)?)?;
        }
    }
    if !merger.order.is_empty() {
        emit(merger.flush(&heap)?)?;
    }
    Ok(())
}

impl StreamMerger<'_> {
    /// The next non-empty batch of `stream` with its keys, or `None` at its end.
    fn next_batch(&mut self, stream: &mut SortedStream) -> Result<Option<(RecordBatch, Rows)>> {
        for batch in stream.by_ref() {
            let batch = batch?;
            if batch.num_rows() == 0 {
                continue;
            }
            let keys = evaluate_keys(self.exprs, &batch)?;
            if self.converter.is_none() {
                let fields = self
                    .exprs
                    .iter()
                    .zip(keys.iter())
                    .map(|(e, k)| SortField::new_with_options(k.data_type().clone(), e.options))
                    .collect();
                self.converter = Some(RowConverter::new(fields)?);
            }
            let Some(converter) = &self.converter else { continue };
            let rows = converter.convert_columns(&keys)?;
            return Ok(Some((batch, rows)));
        }
        Ok(None)
    }

    fn open(&mut self, mut stream: SortedStream) -> Result<Option<Cursor>> {
        Ok(self.next_batch(&mut stream)?.map(|(batch, rows)| {
            self.loaded.push(batch);
            Cursor { stream, rows, pos: 0, slot: self.loaded.len() - 1 }
        }))
    }

    /// Move run `index` to its next batch; false when the run is finished.
    fn advance(&mut self, index: usize) -> Result<bool> {
        let Some(cursor) = self.cursors.get_mut(index) else { return Ok(false) };
        let mut stream: SortedStream = Box::new(std::iter::empty());
        std::mem::swap(&mut stream, &mut cursor.stream);
        let next = self.next_batch(&mut stream)?;
        let Some(cursor) = self.cursors.get_mut(index) else { return Ok(false) };
        cursor.stream = stream;
        match next {
            Some((batch, rows)) => {
                self.loaded.push(batch);
                cursor.rows = rows;
                cursor.pos = 0;
                cursor.slot = self.loaded.len() - 1;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn compare(&self, a: usize, b: usize) -> Ordering {
        match (self.cursors.get(a), self.cursors.get(b)) {
            (Some(x), Some(y)) => x.rows.row(x.pos).cmp(&y.rows.row(y.pos)).then(a.cmp(&b)),
            _ => a.cmp(&b),
        }
    }

    /// Copy the rows picked so far into one batch, then keep only the batches still being read.
    fn flush(&mut self, live: &[usize]) -> Result<RecordBatch> {
        let columns = (0..self.schema.fields().len())
            .map(|c| {
                let values: Vec<&dyn Array> = self.loaded.iter().map(|b| b.column(c).as_ref()).collect();
                interleave(&values, &self.order)
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let batch = RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(self.order.len())),
        )?;
        self.order.clear();
        let mut kept = Vec::with_capacity(live.len());
        for &i in live {
            if let Some(cursor) = self.cursors.get_mut(i) {
                if let Some(b) = self.loaded.get(cursor.slot) {
                    kept.push(b.clone());
                    cursor.slot = kept.len() - 1;
                }
            }
        }
        self.loaded = kept;
        Ok(batch)
    }
}

/// Restore the heap property from the root down, `less(a, b)` meaning a comes first.
fn sift_down(heap: &mut [usize], less: impl Fn(usize, usize) -> bool) {
    let mut i = 0;
    loop {
        let (left, right) = (2 * i + 1, 2 * i + 2);
        let mut smallest = i;
        if let (Some(&l), Some(&s)) = (heap.get(left), heap.get(smallest)) {
            if less(l, s) {
                smallest = left;
            }
        }
        if let (Some(&r), Some(&s)) = (heap.get(right), heap.get(smallest)) {
            if less(r, s) {
                smallest = right;
            }
        }
        if smallest == i {
            return;
        }
        heap.swap(i, smallest);
        i = smallest;
    }
}
