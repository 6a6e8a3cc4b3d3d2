//! Exact `median(x)` and `quantile_cont(x, q)`: the values of each group are kept (as doubles)
//! and the quantile is interpolated between the two nearest ranks, as PostgreSQL's
//! `percentile_cont`. NULL for a group without non-null values.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};
use shoal_common::{internal_err, Result};

use super::accumulator::GroupsAccumulator;
use super::group_rows::GroupRows;

/// `quantile_cont(x, q)` / `median(x)`: keeps every non-NULL value of each group and
/// interpolates the exact quantile (`Float64`; NULL when there are none).
pub struct QuantileAccumulator {
    quantile: f64,
    rows: GroupRows,
}

impl QuantileAccumulator {
    /// `quantile` in `[0, 1]` (checked by the planner).
    pub fn new(quantile: f64) -> Self {
        Self { quantile, rows: GroupRows::new(vec![DataType::Float64]) }
    }
}

/// The continuous quantile `q` of `values` (reordered in place); `None` when empty.
pub fn quantile_cont(values: &mut [f64], q: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let (_, &mut low, upper) = values.select_nth_unstable_by(lo.min(n - 1), f64::total_cmp);
    let frac = pos - lo as f64;
    if frac == 0.0 || upper.is_empty() {
        return Some(low);
    }
    let high = upper.iter().copied().min_by(f64::total_cmp).unwrap_or(low);
    Some(low + frac * (high - low))
}

impl GroupsAccumulator for QuantileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        let Some(v) = values.first() else {
            return internal_err!("quantile needs an argument column");
        };
        let v =
            if v.data_type() == &DataType::Float64 { Arc::clone(v) } else { cast(v, &DataType::Float64)? };
        self.rows.push(&[v], group_ids)
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.rows.state(total_groups)
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], _total: usize) -> Result<()> {
        self.rows.push_lists(states, group_ids)
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        let sorted = self.rows.take_sorted(total_groups)?;
        let Some(values) = sorted.columns.first().and_then(|c| c.as_primitive_opt::<Float64Type>()) else {
            return internal_err!("quantile: values are not doubles");
        };
        let mut scratch: Vec<f64> = vec![];
        let out: Float64Array = sorted
            .offsets
            .windows(2)
            .map(|w| {
                scratch.clear();
                let group = values.slice(w[0], w[1] - w[0]);
                // NaN sorts above every number (as in PostgreSQL), by `total_cmp`
                scratch.extend(group.iter().flatten());
                quantile_cont(&mut scratch, self.quantile)
            })
            .collect();
        Ok(Arc::new(out))
    }
}
