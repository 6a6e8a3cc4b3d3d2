//! `agg(x ORDER BY y)`: the rows of every group are kept with their sort keys, sorted when the
//! result is computed, and fed in that order to the plain accumulator (`string_agg`,
//! `array_agg`), which keeps its input order.

use std::sync::Arc;

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::{lexsort_to_indices, take, SortColumn, SortOptions};
use arrow::datatypes::DataType;
use shoal_common::{internal_err, Result};

use super::accumulator::GroupsAccumulator;
use super::group_rows::GroupRows;

/// An order-sensitive aggregate (`agg(x ORDER BY ..)`): keeps every row of each group and
/// sorts them by the keys before the inner aggregate sees them.
pub struct OrderedAccumulator {
    /// The value column, then one column per sort key.
    rows: GroupRows,
    options: Vec<SortOptions>,
    inner: Box<dyn GroupsAccumulator>,
}

impl OrderedAccumulator {
    /// `types` = value type, then the key types (one per entry of `options`).
    pub fn new(types: Vec<DataType>, options: Vec<SortOptions>, inner: Box<dyn GroupsAccumulator>) -> Self {
        Self { rows: GroupRows::new(types), options, inner }
    }
}

impl GroupsAccumulator for OrderedAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        self.rows.push(values, group_ids)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.rows.state(total_groups)
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        self.rows.push_lists(states, group_ids)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let (columns, group_ids) = self.rows.take_unsorted()?;
        let Some((value, keys)) = columns.split_first() else {
            return internal_err!("ordered aggregate: no value column");
        };
        let group_column: ArrayRef = Arc::new(UInt32Array::from(group_ids));
        let mut sort_columns = vec![SortColumn { values: Arc::clone(&group_column), options: None }];
        sort_columns.extend(
            keys.iter()
                .zip(self.options.iter())
                .map(|(k, o)| SortColumn { values: Arc::clone(k), options: Some(*o) }),
        );
        // ties keep their input order
        let row_numbers: ArrayRef = Arc::new(UInt32Array::from_iter_values(0..value.len() as u32));
        sort_columns.push(SortColumn { values: row_numbers, options: None });
        let order = lexsort_to_indices(&sort_columns, None)?;
        let value = take(value.as_ref(), &order, None)?;
        let sorted_groups = take(group_column.as_ref(), &order, None)?;
        let Some(sorted_groups) = sorted_groups.as_any().downcast_ref::<UInt32Array>() else {
            return internal_err!("ordered aggregate: group ids are not UInt32");
        };
        self.inner.update_batch(&[value], sorted_groups.values(), total_groups)?;
        self.inner.evaluate(total_groups)
    }
}
