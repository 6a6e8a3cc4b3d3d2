//! [`HeadTail`]: what a cut table needs of a streamed result — its first and last rows (as small
//! batch slices) and the total row count — so showing a result of any size takes bounded memory.

use std::collections::VecDeque;

use arrow::record_batch::RecordBatch;

use super::table::shown_row_ranges;

/// The first and last rows of a stream of batches, for a table of at most `max_rows` rows.
#[derive(Debug, Default)]
pub struct HeadTail {
    /// Rows shown before the middle is cut (0: keep every row).
    max_rows: usize,
    /// The first `max_rows` rows (every row when `max_rows` is 0).
    head: Vec<RecordBatch>,
    head_rows: usize,
    /// The last `max_rows / 2` rows seen so far.
    tail: VecDeque<RecordBatch>,
    tail_rows: usize,
    total_rows: usize,
}

impl HeadTail {
    /// Keep what a table of at most `max_rows` rows shows (0: every row).
    pub fn new(max_rows: usize) -> Self {
        Self { max_rows, ..Self::default() }
    }

    /// Take in the next batch of the result.
    pub fn push(&mut self, batch: &RecordBatch) {
        let rows = batch.num_rows();
        if rows == 0 {
            return;
        }
        self.total_rows += rows;
        if self.max_rows == 0 {
            self.head.push(batch.clone());
            return;
        }
        if self.head_rows < self.max_rows {
            let take = rows.min(self.max_rows - self.head_rows);
            self.head.push(batch.slice(0, take));
            self.head_rows += take;
        }
        let keep = self.max_rows / 2;
        if keep == 0 {
            return;
        }
        self.tail.push_back(batch.clone());
        self.tail_rows += rows;
        // Drop whole batches that are no longer among the last `keep` rows, then cut the first.
        while let Some(front) = self.tail.front() {
            if self.tail_rows - front.num_rows() < keep {
                break;
            }
            self.tail_rows -= front.num_rows();
            self.tail.pop_front();
        }
        if let Some(front) = self.tail.front_mut() {
            let extra = self.tail_rows.saturating_sub(keep);
            if extra > 0 {
                *front = front.slice(extra, front.num_rows() - extra);
                self.tail_rows = keep;
            }
        }
    }

    /// Rows seen so far.
    pub fn total_rows(&self) -> usize {
        self.total_rows
    }

    /// The rows to show: the head, and the tail after a cut (empty when nothing is cut).
    pub fn shown(&self) -> (Vec<RecordBatch>, Vec<RecordBatch>) {
        let (head, tail) = shown_row_ranges(self.total_rows, self.max_rows);
        if tail.is_empty() {
            return (self.head.clone(), Vec::new());
        }
        let mut shown_head = Vec::new();
        let mut left = head.len();
        for batch in &self.head {
            if left == 0 {
                break;
            }
            let take = batch.num_rows().min(left);
            shown_head.push(batch.slice(0, take));
            left -= take;
        }
        (shown_head, self.tail.iter().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Array, Int64Array};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn batch(range: std::ops::Range<i64>) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from_iter_values(range))]).unwrap()
    }

    fn values(batches: &[RecordBatch]) -> Vec<i64> {
        batches
            .iter()
            .flat_map(|b| {
                let a = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
                (0..a.len()).map(|i| a.value(i)).collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn keeps_first_and_last_rows_across_batches() {
        let mut kept = HeadTail::new(6);
        for start in (0..1000).step_by(7) {
            kept.push(&batch(start..(start + 7).min(1000)));
        }
        kept.push(&batch(0..0));
        assert_eq!(kept.total_rows(), 1000);
        let (head, tail) = kept.shown();
        assert_eq!(values(&head), vec![0, 1, 2]);
        assert_eq!(values(&tail), vec![997, 998, 999]);
        // Only a few batches are held, whatever the length of the result.
        assert!(kept.tail.len() <= 2 && kept.head.len() == 1, "{kept:?}");
    }

    #[test]
    fn short_results_are_kept_whole() {
        let mut kept = HeadTail::new(6);
        kept.push(&batch(0..4));
        kept.push(&batch(4..6));
        let (head, tail) = kept.shown();
        assert_eq!((values(&head), tail.len()), (vec![0, 1, 2, 3, 4, 5], 0));
        // One more row: first 3 and last 3.
        kept.push(&batch(6..7));
        let (head, tail) = kept.shown();
        assert_eq!((values(&head), values(&tail)), (vec![0, 1, 2], vec![4, 5, 6]));
        let mut all = HeadTail::new(0);
        all.push(&batch(0..100));
        all.push(&batch(100..150));
        assert_eq!(values(&all.shown().0).len(), 150);
    }
}
