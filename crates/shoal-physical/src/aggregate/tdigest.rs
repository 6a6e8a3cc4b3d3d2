//! `approx_quantile(x, q)`: a merging [`TDigest`] per group (compression 100, the arcsine scale
//! function), exact while it holds few values and within about 1% of rank otherwise. Digests
//! merge by re-compressing the union of their centroids.

use std::f64::consts::PI;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Float64Type};
use shoal_common::{internal_err, Result};

use super::accumulator::GroupsAccumulator;
use super::group_rows::to_list;

const COMPRESSION: f64 = 100.0;
/// Values buffered before they are folded into the centroids.
const BUFFER: usize = 512;

/// A t-digest: centroids `(mean, weight)` sorted by mean, plus not yet merged values.
#[derive(Debug, Clone)]
pub struct TDigest {
    centroids: Vec<(f64, f64)>,
    buffer: Vec<f64>,
    min: f64,
    max: f64,
}

impl Default for TDigest {
    fn default() -> Self {
        Self { centroids: vec![], buffer: vec![], min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

fn k_scale(q: f64) -> f64 {
    COMPRESSION / (2.0 * PI) * (2.0 * q - 1.0).clamp(-1.0, 1.0).asin()
}

fn k_inverse(k: f64) -> f64 {
    ((k * 2.0 * PI / COMPRESSION).min(PI / 2.0).sin() + 1.0) / 2.0
}

impl TDigest {
    /// An empty digest.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one value (NaN is ignored).
    #[inline]
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        self.buffer.push(x);
        if self.buffer.len() >= BUFFER {
            self.flush();
        }
    }

    /// Total weight (values added).
    pub fn count(&self) -> f64 {
        self.centroids.iter().map(|c| c.1).sum::<f64>() + self.buffer.len() as f64
    }

    /// Fold the buffered values into the centroids.
    fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let mut items = std::mem::take(&mut self.centroids);
        items.extend(self.buffer.drain(..).map(|x| (x, 1.0)));
        self.centroids = compress(items);
    }

    /// Fold `other` into this digest.
    pub fn merge(&mut self, other: &TDigest) {
        if other.count() == 0.0 {
            return;
        }
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        let mut items = std::mem::take(&mut self.centroids);
        items.extend(self.buffer.drain(..).map(|x| (x, 1.0)));
        items.extend_from_slice(&other.centroids);
        items.extend(other.buffer.iter().map(|&x| (x, 1.0)));
        self.centroids = compress(items);
    }

    /// The estimated quantile `q` (in `[0, 1]`), interpolated between centroid centres as
    /// `percentile_cont` interpolates between ranks; `None` when empty.
    pub fn quantile(&mut self, q: f64) -> Option<f64> {
        self.flush();
        let n: f64 = self.centroids.iter().map(|c| c.1).sum();
        if self.centroids.is_empty() {
            return None;
        }
        let rank = q.clamp(0.0, 1.0) * (n - 1.0);
        // rank of each centroid's centre: the middle of the ranks it covers; the minimum is
        // at rank 0 and the maximum at rank n - 1
        let mut cum = 0.0;
        let mut prev: (f64, f64) = (0.0, self.min);
        for &(mean, weight) in &self.centroids {
            let centre = cum + (weight - 1.0) / 2.0;
            if rank <= centre {
                return Some(interpolate(prev, (centre, mean), rank).clamp(self.min, self.max));
            }
            prev = (centre, mean);
            cum += weight;
        }
        Some(interpolate(prev, (n - 1.0, self.max), rank).clamp(self.min, self.max))
    }

    /// `[min, max, mean, weight, mean, weight, ..]` (empty for an empty digest).
    pub fn to_flat(&mut self) -> Vec<f64> {
        self.flush();
        if self.centroids.is_empty() {
            return vec![];
        }
        let mut out = Vec::with_capacity(2 + 2 * self.centroids.len());
        out.extend([self.min, self.max]);
        self.centroids.iter().for_each(|&(m, w)| out.extend([m, w]));
        out
    }

    /// Read a digest written by [`TDigest::to_flat`].
    pub fn from_flat(flat: &[f64]) -> Result<Self> {
        match flat {
            [] => Ok(Self::default()),
            [min, max, rest @ ..] if rest.len() % 2 == 0 => Ok(Self {
                centroids: rest.chunks_exact(2).map(|c| (c[0], c[1])).collect(),
                buffer: vec![],
                min: *min,
                max: *max,
            }),
            _ => internal_err!("approx_quantile: corrupt digest state"),
        }
    }
}

/// The value at `rank` on the line through `a` and `b` (each `(rank, value)`).
fn interpolate(a: (f64, f64), b: (f64, f64), rank: f64) -> f64 {
    if b.0 <= a.0 {
        return b.1;
    }
    a.1 + (rank - a.0) / (b.0 - a.0) * (b.1 - a.1)
}

/// Merge neighbouring centroids while each stays within one unit of the scale function.
fn compress(mut items: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = items.iter().map(|c| c.1).sum();
    let mut iter = items.into_iter();
    let Some(mut current) = iter.next() else {
        return vec![];
    };
    let mut out = Vec::with_capacity(COMPRESSION as usize * 2);
    let mut weight_before = 0.0;
    let mut limit = k_inverse(k_scale(0.0) + 1.0);
    for next in iter {
        if (weight_before + current.1 + next.1) / total <= limit {
            let w = current.1 + next.1;
            current = (current.0 + (next.0 - current.0) * next.1 / w, w);
        } else {
            weight_before += current.1;
            out.push(current);
            limit = k_inverse(k_scale(weight_before / total) + 1.0);
            current = next;
        }
    }
    out.push(current);
    out
}

/// One digest per group.
pub struct ApproxQuantileAccumulator {
    quantile: f64,
    digests: Vec<TDigest>,
}

impl ApproxQuantileAccumulator {
    /// `approx_quantile(x, quantile)` with `quantile` in 0..=1.
    pub fn new(quantile: f64) -> Self {
        Self { quantile, digests: vec![] }
    }
}

impl GroupsAccumulator for ApproxQuantileAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.digests.resize_with(total, TDigest::default);
        let Some(v) = values.first() else {
            return internal_err!("approx_quantile() needs an argument column");
        };
        let v =
            if v.data_type() == &DataType::Float64 { Arc::clone(v) } else { cast(v, &DataType::Float64)? };
        let Some(v) = v.as_primitive_opt::<Float64Type>() else {
            return internal_err!("approx_quantile: values are not doubles");
        };
        for (x, &g) in v.iter().zip(group_ids.iter()) {
            if let (Some(x), Some(d)) = (x, self.digests.get_mut(g as usize)) {
                d.add(x);
            }
        }
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.digests.resize_with(total_groups, TDigest::default);
        let mut flat = vec![];
        let mut offsets = Vec::with_capacity(total_groups + 1);
        offsets.push(0);
        for d in std::mem::take(&mut self.digests).iter_mut() {
            flat.extend(d.to_flat());
            offsets.push(flat.len());
        }
        Ok(vec![to_list(Arc::new(Float64Array::from(flat)), &offsets, false)?])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.digests.resize_with(total, TDigest::default);
        let Some(lists) = states.first().and_then(|s| s.as_list_opt::<i32>()) else {
            return internal_err!("approx_quantile: state is not a list");
        };
        let Some(values) = lists.values().as_primitive_opt::<Float64Type>() else {
            return internal_err!("approx_quantile: state values are not doubles");
        };
        for (w, &g) in lists.value_offsets().windows(2).zip(group_ids.iter()) {
            let Some(flat) = values.values().get(w[0] as usize..w[1] as usize) else {
                return internal_err!("approx_quantile: bad state offsets");
            };
            let other = TDigest::from_flat(flat)?;
            if let Some(d) = self.digests.get_mut(g as usize) {
                d.merge(&other);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.digests.resize_with(total_groups, TDigest::default);
        let q = self.quantile;
        let out: Float64Array = std::mem::take(&mut self.digests).iter_mut().map(|d| d.quantile(q)).collect();
        Ok(Arc::new(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic shuffle of 0..n.
    fn shuffled(n: u64) -> Vec<f64> {
        (0..n).map(|i| ((i * 7919) % n) as f64).collect()
    }

    #[test]
    fn small_inputs_are_exact() {
        let mut d = TDigest::new();
        [4.0, 1.0, 3.0, 2.0].into_iter().for_each(|x| d.add(x));
        assert_eq!(d.quantile(0.5), Some(2.5));
        assert_eq!(d.quantile(0.0), Some(1.0));
        assert_eq!(d.quantile(1.0), Some(4.0));
        assert_eq!(TDigest::new().quantile(0.5), None);
    }

    fn check(d: &mut TDigest, n: f64) {
        for q in [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let est = d.quantile(q).unwrap();
            let exact = q * (n - 1.0);
            assert!((est - exact).abs() <= 0.01 * n, "q={q} est={est} exact={exact}");
        }
    }

    #[test]
    fn merged_digests_stay_accurate() {
        let n = 100_003u64;
        let values = shuffled(n);
        for parts in [1usize, 4] {
            let mut merged = TDigest::new();
            for p in 0..parts {
                let mut d = TDigest::new();
                values.iter().skip(p).step_by(parts).for_each(|&x| d.add(x));
                let flat = d.to_flat();
                merged.merge(&TDigest::from_flat(&flat).unwrap());
            }
            assert_eq!(merged.count(), n as f64);
            assert!(merged.centroids.len() <= 2 * COMPRESSION as usize, "{}", merged.centroids.len());
            check(&mut merged, n as f64);
        }
    }
}
