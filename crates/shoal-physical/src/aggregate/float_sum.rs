//! Float `sum(x)` and `avg(x)` whose result does not depend on how rows were split between
//! threads or in what order they arrived.
//!
//! A plain running `f64` sum rounds after every addition, so the same rows summed at 1 and at
//! 4 threads (different partial sums, merged in a different order) can differ in the last bits.
//! Here every group keeps its sum as an unevaluated pair `sum + err`: each addition's rounding
//! error is recovered exactly (Knuth's TwoSum) and added to `err`, and `err` is folded back into
//! `sum` every so often. While no `err` addition rounds — the partial sums stay below about
//! 2^92 times the smallest binary digit of the terms, e.g. below 8.6 billion for amounts in
//! cents that include 0.01, or below 10^12 for terms of at least 1 — the pair is the exact sum,
//! and the result is the exact sum correctly rounded: the same whatever the order, and more
//! precise than a plain sum. Beyond that bound the result is still at least as precise as a
//! compensated sum. NaN and infinities propagate as in a plain sum.
//!
//! The extra work (five flops per row) is off the loop-carried chain of the running sum, which
//! stays one addition long.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, PrimitiveArray, UInt64Array};
use arrow::buffer::ScalarBuffer;
use arrow::datatypes::{Float64Type, UInt64Type};
use shoal_common::Result;

use super::accumulator::{primitive_arg, state_column, validity, GroupsAccumulator};

/// `a + b` as `s + e` exactly (Knuth's TwoSum).
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// An `f64` sum as `sum + err`, with `err` holding the rounding errors of the additions.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FloatSum {
    sum: f64,
    err: f64,
}

impl FloatSum {
    /// Add `x`; the rounding error of `sum + x` is added to `err`.
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        let (s, e) = two_sum(self.sum, x);
        self.err += e;
        self.sum = s;
    }

    /// Fold `err` into `sum`, keeping the remainder in `err` (exactly, by TwoSum).
    #[inline]
    pub fn renormalize(&mut self) {
        if !self.sum.is_finite() {
            return;
        }
        (self.sum, self.err) = two_sum(self.sum, self.err);
    }

    /// Add `e`, known to be a rounding error of terms already added, to the error term only.
    #[inline(always)]
    pub fn add_error(&mut self, e: f64) {
        self.err += e;
    }

    /// The unevaluated pair `(sum, err)`.
    pub fn parts(&self) -> (f64, f64) {
        (self.sum, self.err)
    }

    /// A partial sum from its pair, as [`FloatSum::parts`] gave it.
    pub fn from_parts(sum: f64, err: f64) -> Self {
        Self { sum, err }
    }

    /// Add another partial sum.
    #[inline]
    pub fn merge(&mut self, other: FloatSum) {
        self.add(other.sum);
        self.add(other.err);
        self.renormalize();
    }

    /// The sum, rounded once.
    pub fn value(mut self) -> f64 {
        self.renormalize();
        self.sum
    }
}

/// Rows added (in total, to any group) after which every group's error is folded back, at
/// least; with more groups than this, after as many rows as there are groups (so the folding
/// costs at most one step per row).
pub(crate) const RENORMALIZE_ROWS: usize = 8 * 1024;

/// Per group: a [`FloatSum`] and the number of values added.
#[derive(Debug, Default)]
struct FloatSums {
    sums: Vec<FloatSum>,
    counts: Vec<u64>,
    rows_since_renormalize: usize,
}

impl FloatSums {
    fn resize(&mut self, total_groups: usize) {
        self.sums.resize(total_groups, FloatSum::default());
        self.counts.resize(total_groups, 0);
    }

    /// Add the non-null `values` to the groups `group_ids`.
    fn add(&mut self, values: &PrimitiveArray<Float64Type>, group_ids: &[u32]) {
        let (sums, counts) = (&mut self.sums, &mut self.counts);
        let mut add_one = |g: u32, v: f64| {
            let g = g as usize;
            if let (Some(s), Some(c)) = (sums.get_mut(g), counts.get_mut(g)) {
                s.add(v);
                *c += 1;
            }
        };
        match values.nulls().filter(|n| n.null_count() > 0) {
            None => group_ids.iter().zip(values.values()).for_each(|(&g, &v)| add_one(g, v)),
            Some(nulls) => group_ids.iter().zip(values.values()).enumerate().for_each(|(i, (&g, &v))| {
                if nulls.is_valid(i) {
                    add_one(g, v)
                }
            }),
        }
        self.rows_added(group_ids.len());
    }

    /// Merge partial states: sums, errors and counts per row, into the groups `group_ids`.
    fn merge(&mut self, states: &[ArrayRef], group_ids: &[u32]) -> Result<()> {
        let sums = state_column::<Float64Type>(states, 0)?;
        let errs = state_column::<Float64Type>(states, 1)?;
        let counts = state_column::<UInt64Type>(states, 2)?;
        for (i, &g) in group_ids.iter().enumerate() {
            let g = g as usize;
            let (Some(sum), Some(err), Some(&count)) =
                (sums.values().get(i), errs.values().get(i), counts.values().get(i))
            else {
                continue;
            };
            if let (Some(s), Some(c)) = (self.sums.get_mut(g), self.counts.get_mut(g)) {
                s.merge(FloatSum { sum: *sum, err: *err });
                *c += count;
            }
        }
        Ok(())
    }

    fn rows_added(&mut self, rows: usize) {
        self.rows_since_renormalize += rows;
        if self.rows_since_renormalize >= RENORMALIZE_ROWS.max(self.sums.len()) {
            self.sums.iter_mut().for_each(FloatSum::renormalize);
            self.rows_since_renormalize = 0;
        }
    }

    /// The state columns: sums, errors, counts; the groups are left empty.
    fn state(&mut self) -> Vec<ArrayRef> {
        let sums = std::mem::take(&mut self.sums);
        let counts = std::mem::take(&mut self.counts);
        self.rows_since_renormalize = 0;
        let (sum, err): (Vec<f64>, Vec<f64>) = sums.iter().map(|s| (s.sum, s.err)).unzip();
        vec![
            Arc::new(Float64Array::new(ScalarBuffer::from(sum), None)),
            Arc::new(Float64Array::new(ScalarBuffer::from(err), None)),
            Arc::new(UInt64Array::from(counts)),
        ]
    }

    /// Each group's value (`finish(sum, count)`; NULL where no value was added); the groups are
    /// left empty.
    fn evaluate(&mut self, finish: impl Fn(f64, u64) -> f64) -> ArrayRef {
        let sums = std::mem::take(&mut self.sums);
        let counts = std::mem::take(&mut self.counts);
        self.rows_since_renormalize = 0;
        let values: Vec<f64> = sums.iter().zip(&counts).map(|(s, &c)| finish(s.value(), c)).collect();
        let has: Vec<bool> = counts.iter().map(|&c| c > 0).collect();
        Arc::new(Float64Array::new(ScalarBuffer::from(values), validity(&has)))
    }
}

/// `sum(x)` for floats (the result is `Float64`).
#[derive(Debug, Default)]
pub struct FloatSumAccumulator(FloatSums);

/// `avg(x)` for floats and integers (averaged as `Float64`).
#[derive(Debug, Default)]
pub struct FloatAvgAccumulator(FloatSums);

macro_rules! float_sum_accumulator {
    ($name:ident, $what:literal, $finish:expr) => {
        impl GroupsAccumulator for $name {
            fn update_batch(
                &mut self,
                values: &[ArrayRef],
                group_ids: &[u32],
                total_groups: usize,
            ) -> Result<()> {
                self.0.resize(total_groups);
                let array = primitive_arg::<Float64Type>(values, $what)?;
                self.0.add(&array, group_ids);
                Ok(())
            }

            fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
                self.0.resize(total_groups);
                Ok(self.0.state())
            }

            fn merge_batch(
                &mut self,
                states: &[ArrayRef],
                group_ids: &[u32],
                total_groups: usize,
            ) -> Result<()> {
                self.0.resize(total_groups);
                self.0.merge(states, group_ids)
            }

            fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
                self.0.resize(total_groups);
                Ok(self.0.evaluate($finish))
            }
        }
    };
}

float_sum_accumulator!(FloatSumAccumulator, "sum", |sum, _count| sum);
float_sum_accumulator!(FloatAvgAccumulator, "avg", |sum, count| sum / count as f64);

#[cfg(test)]
mod tests {
    use super::*;

    fn sum_of(values: impl IntoIterator<Item = f64>) -> f64 {
        let mut s = FloatSum::default();
        values.into_iter().for_each(|v| s.add(v));
        s.value()
    }

    #[test]
    fn the_sum_is_exact_and_order_independent() {
        // 0.1 + 0.2 + 0.3 rounds differently by order in a plain sum
        assert_ne!((0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3));
        assert_eq!(sum_of([0.1, 0.2, 0.3]), sum_of([0.3, 0.2, 0.1]));
        assert_eq!(sum_of([0.1, 0.2, 0.3]), 0.6);
        // big and small terms that a plain sum loses entirely
        assert_eq!(sum_of([1e16, 1.0, -1e16]), 1.0);
        assert_eq!(sum_of([1.0, 1e100, 1.0, -1e100]), 2.0);
    }

    #[test]
    fn partial_sums_merged_in_any_split_give_one_result() {
        let values: Vec<f64> = (0..100_000).map(|i| ((i * 7919) % 10_007) as f64 * 0.01 + 0.01).collect();
        let whole = sum_of(values.iter().copied());
        for parts in [2, 3, 7, 64] {
            let mut merged = FloatSum::default();
            for chunk in values.chunks(values.len() / parts + 1).rev() {
                let mut part = FloatSum::default();
                chunk.iter().rev().for_each(|&v| part.add(v));
                merged.merge(part);
            }
            assert_eq!(merged.value().to_bits(), whole.to_bits(), "{parts} parts");
        }
    }

    #[test]
    fn non_finite_values_propagate() {
        assert_eq!(sum_of([1.0, f64::INFINITY, 2.0]), f64::INFINITY);
        assert!(sum_of([f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert!(sum_of([1.0, f64::NAN]).is_nan());
        assert_eq!(sum_of([f64::MAX, f64::MAX]), f64::INFINITY);
    }

    #[test]
    fn accumulators_skip_nulls_and_report_empty_groups_as_null() {
        let mut avg = FloatAvgAccumulator::default();
        let values: ArrayRef = Arc::new(Float64Array::from(vec![Some(1.0), None, Some(2.0), Some(4.0)]));
        avg.update_batch(&[values], &[0, 0, 0, 1], 3).unwrap();
        let state = avg.state(3).unwrap();
        let mut merged = FloatAvgAccumulator::default();
        merged.merge_batch(&state, &[0, 1, 2], 3).unwrap();
        let out = merged.evaluate(3).unwrap();
        let out = out.as_any().downcast_ref::<Float64Array>().unwrap();
        assert_eq!(out.iter().collect::<Vec<_>>(), vec![Some(1.5), Some(4.0), None]);
    }
}
