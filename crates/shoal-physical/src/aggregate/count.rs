//! `count(*)` and `count(x)`: rows, or non-null values, per group.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::Int64Type;
use shoal_common::Result;

use super::accumulator::{for_each_valid, state_column, GroupsAccumulator};

/// Counts per group; with no argument column every row counts.
#[derive(Default)]
pub struct CountAccumulator {
    counts: Vec<i64>,
}

impl CountAccumulator {
    /// Counts of zero for every group.
    pub fn new() -> Self {
        Self::default()
    }
}

impl GroupsAccumulator for CountAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.counts.resize(total_groups, 0);
        let counts = &mut self.counts;
        match values.first() {
            None => group_ids.iter().for_each(|&g| counts[g as usize] += 1),
            Some(array) => for_each_valid(array.as_ref(), group_ids, |_, g| counts[g] += 1),
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.evaluate(total_groups)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total_groups: usize) -> Result<()> {
        self.counts.resize(total_groups, 0);
        let partial = state_column::<Int64Type>(states, 0)?;
        for (&g, &c) in group_ids.iter().zip(partial.values().iter()) {
            self.counts[g as usize] += c;
        }
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.counts.resize(total_groups, 0);
        Ok(Arc::new(Int64Array::from(std::mem::take(&mut self.counts))))
    }
}
