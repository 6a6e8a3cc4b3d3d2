//! `stddev`, `stddev_pop`, `variance`, `var_pop`: Welford's running mean and M2 per group,
//! merged with Chan's parallel formula.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, UInt64Array};
use arrow::datatypes::{Float64Type, UInt64Type};
use shoal_common::Result;

use super::accumulator::{primitive_arg, state_column, GroupsAccumulator};

/// Which statistic to produce from count, mean and M2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarianceKind {
    /// Sample standard deviation (NULL for fewer than two values).
    StddevSamp,
    /// Population standard deviation (NULL for no values).
    StddevPop,
    /// Sample variance (NULL for fewer than two values).
    VarSamp,
    /// Population variance (NULL for no values).
    VarPop,
}

/// Count, mean and sum of squared deviations per group (Float64).
pub struct VarianceAccumulator {
    kind: VarianceKind,
    counts: Vec<u64>,
    means: Vec<f64>,
    m2s: Vec<f64>,
}

impl VarianceAccumulator {
    /// An accumulator of the statistic `kind` (Welford's online algorithm, mergeable).
    pub fn new(kind: VarianceKind) -> Self {
        Self { kind, counts: vec![], means: vec![], m2s: vec![] }
    }

    fn resize(&mut self, total: usize) {
        self.counts.resize(total, 0);
        self.means.resize(total, 0.0);
        self.m2s.resize(total, 0.0);
    }

    /// Fold in a partial (count, mean, M2) for group `g`.
    fn combine(&mut self, g: usize, n_b: u64, mean_b: f64, m2_b: f64) {
        if n_b == 0 {
            return;
        }
        let n_a = self.counts[g];
        if n_a == 0 {
            self.counts[g] = n_b;
            self.means[g] = mean_b;
            self.m2s[g] = m2_b;
            return;
        }
        let n = n_a + n_b;
        let delta = mean_b - self.means[g];
        let (na, nb, nf) = (n_a as f64, n_b as f64, n as f64);
        self.means[g] += delta * nb / nf;
        self.m2s[g] += m2_b + delta * delta * na * nb / nf;
        self.counts[g] = n;
    }
}

impl GroupsAccumulator for VarianceAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.resize(total);
        let array = primitive_arg::<Float64Type>(values, "variance")?;
        let nulls = array.nulls().filter(|n| n.null_count() > 0);
        for (i, (&g, &x)) in group_ids.iter().zip(array.values().iter()).enumerate() {
            if nulls.is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let g = g as usize;
            let n = self.counts[g] + 1;
            self.counts[g] = n;
            let delta = x - self.means[g];
            self.means[g] += delta / n as f64;
            self.m2s[g] += delta * (x - self.means[g]);
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        Ok(vec![
            Arc::new(UInt64Array::from(std::mem::take(&mut self.counts))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.means))),
            Arc::new(Float64Array::from(std::mem::take(&mut self.m2s))),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.resize(total);
        let counts = state_column::<UInt64Type>(states, 0)?;
        let means = state_column::<Float64Type>(states, 1)?;
        let m2s = state_column::<Float64Type>(states, 2)?;
        for (i, &g) in group_ids.iter().enumerate() {
            self.combine(g as usize, counts.value(i), means.value(i), m2s.value(i));
        }
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let kind = self.kind;
        let out: Float64Array = self
            .counts
            .iter()
            .zip(self.m2s.iter())
            .map(|(&n, &m2)| {
                let var = match kind {
                    VarianceKind::VarSamp | VarianceKind::StddevSamp => (n > 1).then(|| m2 / (n - 1) as f64),
                    VarianceKind::VarPop | VarianceKind::StddevPop => (n > 0).then(|| m2 / n as f64),
                }?;
                Some(match kind {
                    VarianceKind::StddevSamp | VarianceKind::StddevPop => var.max(0.0).sqrt(),
                    _ => var.max(0.0),
                })
            })
            .collect();
        self.counts.clear();
        self.means.clear();
        self.m2s.clear();
        Ok(Arc::new(out))
    }
}
