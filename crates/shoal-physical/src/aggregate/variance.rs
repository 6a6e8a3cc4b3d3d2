//! `stddev`, `stddev_pop`, `variance`, `var_pop` from exact sums, so the result does not depend
//! on how rows were split between threads or in what order they arrived.
//!
//! Each group keeps its count, `Σx` and `Σx²` as [`FloatSum`]s (a sum and its recovered rounding
//! errors). `x²` is split exactly into its rounded product and the product's error (Dekker's
//! TwoProduct, no FMA needed), both added. Merging partial states adds the pairs, and
//! `M2 = Σx² − (Σx)²/n` is evaluated in double-double arithmetic (about 106 bits), so the
//! cancellation that makes this textbook formula unusable in plain `f64` costs nothing until the
//! mean is some 10^8 times the standard deviation (and stays within 10^-6 well beyond that).
//! The error terms are plain `f64` sums, so identity across splits is not a theorem: their
//! rounding noise sits some 40 binary digits below the result's last digit for amounts like the
//! taxi data's, and changes it only when the exact result lies that close to a rounding
//! boundary. Welford's running mean merged with Chan's formula (what this replaced) differed in
//! the last bits between thread counts routinely.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Float64Array, UInt64Array};
use arrow::datatypes::{Float64Type, UInt64Type};
use shoal_common::Result;

use super::accumulator::{primitive_arg, state_column, GroupsAccumulator};
use super::float_sum::{two_sum, FloatSum, RENORMALIZE_ROWS};

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

/// Per group: the number of values, `Σx` and `Σx²`.
pub struct VarianceAccumulator {
    kind: VarianceKind,
    counts: Vec<u64>,
    sums: Vec<FloatSum>,
    squares: Vec<FloatSum>,
    rows_since_renormalize: usize,
}

/// `a * b` as `p + e` exactly (Dekker's TwoProduct with Veltkamp's split; exact unless the
/// product over- or underflows).
#[inline(always)]
fn two_product(a: f64, b: f64) -> (f64, f64) {
    #[inline(always)]
    fn split(x: f64) -> (f64, f64) {
        let c = 134_217_729.0 * x; // 2^27 + 1
        let hi = c - (c - x);
        (hi, x - hi)
    }
    let p = a * b;
    if !p.is_finite() {
        return (p, 0.0);
    }
    let ((ah, al), (bh, bl)) = (split(a), split(b));
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// `M2 = Σx² − (Σx)²/n` in double-double arithmetic, from the two sums as `(hi, lo)` pairs.
fn m2_of(n: u64, (s1, e1): (f64, f64), (s2, e2): (f64, f64)) -> f64 {
    let nf = n as f64;
    // (Σx)² as hi + lo
    let (p, pe) = two_product(s1, s1);
    let (sq_hi, sq_lo) = two_sum(p, pe + 2.0 * s1 * e1);
    // divided by n: q ≈ sq / n, then the remainder sq − q·n exactly, divided again
    let q = sq_hi / nf;
    let (qn, qn_e) = two_product(q, nf);
    let rem = ((sq_hi - qn) - qn_e) + sq_lo;
    let (q_hi, q_lo) = two_sum(q, rem / nf);
    // Σx² − (Σx)²/n
    let (d, de) = two_sum(s2, -q_hi);
    d + (de + e2 - q_lo)
}

impl VarianceAccumulator {
    /// An accumulator of the statistic `kind`.
    pub fn new(kind: VarianceKind) -> Self {
        Self { kind, counts: vec![], sums: vec![], squares: vec![], rows_since_renormalize: 0 }
    }

    fn resize(&mut self, total: usize) {
        self.counts.resize(total, 0);
        self.sums.resize(total, FloatSum::default());
        self.squares.resize(total, FloatSum::default());
    }

    fn rows_added(&mut self, rows: usize) {
        self.rows_since_renormalize += rows;
        if self.rows_since_renormalize >= RENORMALIZE_ROWS.max(self.sums.len()) {
            self.sums.iter_mut().chain(self.squares.iter_mut()).for_each(FloatSum::renormalize);
            self.rows_since_renormalize = 0;
        }
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
            let (Some(c), Some(s), Some(q)) =
                (self.counts.get_mut(g), self.sums.get_mut(g), self.squares.get_mut(g))
            else {
                continue;
            };
            *c += 1;
            s.add(x);
            let (p, e) = two_product(x, x);
            q.add(p);
            q.add_error(e);
        }
        self.rows_added(group_ids.len());
        Ok(())
    }

    fn state(&mut self, total_groups: usize) -> Result<Vec<ArrayRef>> {
        self.resize(total_groups);
        self.rows_since_renormalize = 0;
        let column = |sums: &[FloatSum], part: fn(&FloatSum) -> f64| -> ArrayRef {
            Arc::new(Float64Array::from(sums.iter().map(part).collect::<Vec<f64>>()))
        };
        let (sums, squares) = (std::mem::take(&mut self.sums), std::mem::take(&mut self.squares));
        Ok(vec![
            Arc::new(UInt64Array::from(std::mem::take(&mut self.counts))),
            column(&sums, |s| s.parts().0),
            column(&sums, |s| s.parts().1),
            column(&squares, |s| s.parts().0),
            column(&squares, |s| s.parts().1),
        ])
    }

    fn merge_batch(&mut self, states: &[ArrayRef], group_ids: &[u32], total: usize) -> Result<()> {
        self.resize(total);
        let counts = state_column::<UInt64Type>(states, 0)?;
        let parts: Vec<_> = (1..5).map(|i| state_column::<Float64Type>(states, i)).collect::<Result<_>>()?;
        let [s, se, q, qe] = parts.as_slice() else { unreachable!("four sum columns") };
        for (i, &g) in group_ids.iter().enumerate() {
            let g = g as usize;
            let (Some(c), Some(sum), Some(square)) =
                (self.counts.get_mut(g), self.sums.get_mut(g), self.squares.get_mut(g))
            else {
                continue;
            };
            *c += counts.value(i);
            sum.merge(FloatSum::from_parts(s.value(i), se.value(i)));
            square.merge(FloatSum::from_parts(q.value(i), qe.value(i)));
        }
        Ok(())
    }

    fn evaluate(&mut self, total_groups: usize) -> Result<ArrayRef> {
        self.resize(total_groups);
        let kind = self.kind;
        let out: Float64Array = self
            .counts
            .iter()
            .zip(self.sums.iter_mut().zip(self.squares.iter_mut()))
            .map(|(&n, (sum, square))| {
                if n == 0 {
                    return None;
                }
                sum.renormalize();
                square.renormalize();
                let m2 = m2_of(n, sum.parts(), square.parts());
                let var = match kind {
                    VarianceKind::VarSamp | VarianceKind::StddevSamp => (n > 1).then(|| m2 / (n - 1) as f64),
                    VarianceKind::VarPop | VarianceKind::StddevPop => Some(m2 / n as f64),
                }?;
                Some(match kind {
                    VarianceKind::StddevSamp | VarianceKind::StddevPop => var.max(0.0).sqrt(),
                    _ => var.max(0.0),
                })
            })
            .collect();
        self.counts.clear();
        self.sums.clear();
        self.squares.clear();
        self.rows_since_renormalize = 0;
        Ok(Arc::new(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variance_of(chunks: &[&[f64]]) -> f64 {
        let mut acc = VarianceAccumulator::new(VarianceKind::VarSamp);
        let mut states = vec![];
        for chunk in chunks {
            let mut part = VarianceAccumulator::new(VarianceKind::VarSamp);
            let values: ArrayRef = Arc::new(Float64Array::from(chunk.to_vec()));
            part.update_batch(&[values], &vec![0; chunk.len()], 1).unwrap();
            states.push(part.state(1).unwrap());
        }
        for state in states.iter().rev() {
            acc.merge_batch(state, &[0], 1).unwrap();
        }
        acc.evaluate(1).unwrap().as_any().downcast_ref::<Float64Array>().unwrap().value(0)
    }

    #[test]
    fn the_same_whatever_the_split() {
        // amounts in cents, as in the taxi data
        let xs: Vec<f64> = (0..20_000u64).map(|i| ((i * 7919) % 25_000) as f64 / 100.0 - 20.0).collect();
        let whole = variance_of(&[&xs]);
        let reversed: Vec<f64> = xs.iter().rev().copied().collect();
        for chunks in [
            vec![&xs[..1234], &xs[1234..5000], &xs[5000..]],
            vec![&reversed[..7], &reversed[7..]],
            xs.chunks(999).collect::<Vec<_>>(),
        ] {
            assert_eq!(whole.to_bits(), variance_of(&chunks).to_bits());
        }
    }

    #[test]
    fn precise_for_a_mean_far_from_zero() {
        let xs: Vec<f64> = (0..10_000).map(|i| 1e9 + 0.1 * (i % 17) as f64 + 0.37 * (i % 5) as f64).collect();
        // the two-pass variance of the offsets (the 1e9 taken away exactly first)
        let offsets: Vec<f64> = xs.iter().map(|x| x - 1e9).collect();
        let mean = offsets.iter().sum::<f64>() / offsets.len() as f64;
        let two_pass =
            offsets.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (offsets.len() - 1) as f64;
        for chunks in [vec![&xs[..]], xs.chunks(777).collect::<Vec<_>>()] {
            let v = variance_of(&chunks);
            assert!((v - two_pass).abs() <= 1e-6 * two_pass, "{v} vs {two_pass}");
        }
    }

    #[test]
    fn small_exact_cases() {
        assert_eq!(variance_of(&[&[1.0, 2.0, 3.0, 4.0]]), 1.6666666666666667);
        assert_eq!(variance_of(&[&[2.0], &[4.0], &[4.0, 4.0, 5.0, 5.0, 7.0, 9.0]]), 32.0 / 7.0);
        assert_eq!(variance_of(&[&[5.0, 5.0, 5.0]]), 0.0);
    }
}
