//! `array_agg(x)`: every value of a group (NULLs included) as a list, in input order; a group
//! without rows gives NULL.

use arrow::array::ArrayRef;
use arrow::datatypes::DataType;
use shoal_common::{internal_err, Result};

use super::accumulator::GroupsAccumulator;
use super::group_rows::{to_list, GroupRows};

/// `array_agg(x)`: every value of each group (NULLs included) as a list, in input order.
pub struct ArrayAggAccumulator {
    rows: GroupRows,
}

impl ArrayAggAccumulator {
    /// An accumulator of values of type `value_type`.
    pub fn new(value_type: DataType) -> Self {
        Self { rows: GroupRows::new(vec![value_type]) }
    }
}

impl GroupsAccumulator for ArrayAggAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        match values.first() {
            Some(v) => self.rows.push(std::slice::from_ref(v), group_ids),
            None => internal_err!("array_agg() needs an argument column"),
        }
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.rows.state(total_groups)
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        self.rows.push_lists(states, group_ids)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let sorted = self.rows.take_sorted(total_groups)?;
        let Some(values) = sorted.columns.into_iter().next() else {
            return internal_err!("array_agg(): no value column");
        };
        to_list(values, &sorted.offsets, true)
    }
}
