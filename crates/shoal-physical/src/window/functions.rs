//! Ranking and value window functions over a sorted bucket: row_number, rank, dense_rank,
//! percent_rank, cume_dist, ntile, lag, lead, first_value, last_value, nth_value. Value
//! functions compute the position of the row they read (or none), then one `take` gathers the
//! values, so every argument type works without per-row dispatch.

use arrow::array::{Array, ArrayRef, BooleanArray, Float64Array, Int64Array, UInt32Array};
use arrow::compute::kernels::zip::zip;
use arrow::compute::take;
use shoal_common::{internal_err, Result};
use shoal_expr::WindowFunction;

use super::aggregate;
use super::frame::{frame_bounds, Layout, OrderKey};
use super::PhysicalWindowExpr;

/// Compute `f` over a bucket whose (sorted) argument values are `args`.
pub(crate) fn evaluate(
    f: &PhysicalWindowExpr,
    args: &[ArrayRef],
    layout: &Layout,
    order: Option<&OrderKey>,
) -> Result<ArrayRef> {
    use WindowFunction::*;
    let arrow_result =
        |r: std::result::Result<ArrayRef, arrow::error::ArrowError>| -> Result<ArrayRef> { Ok(r?) };
    match f.func {
        Aggregate(a) => {
            let frames = frame_bounds(&f.frame, layout, order)?;
            let running = f.frame.start == shoal_expr::WindowFrameBound::UnboundedPreceding;
            aggregate::evaluate(a, args, &f.return_type, layout, &frames, running)
        }
        RowNumber => Ok(int_per_row(layout, |part, _, i| (i - part.start + 1) as i64)),
        Rank => Ok(int_per_row(layout, |part, peers, _| (peers.start - part.start + 1) as i64)),
        DenseRank => {
            let mut out = Vec::with_capacity(layout.len);
            let mut peers = layout.peers.iter().peekable();
            for part in &layout.partitions {
                let mut rank = 0i64;
                while let Some(p) = peers.next_if(|p| p.start < part.end) {
                    rank += 1;
                    out.extend(std::iter::repeat_n(rank, p.len()));
                }
            }
            Ok(std::sync::Arc::new(Int64Array::from(out)))
        }
        PercentRank => Ok(float_per_row(layout, |part, peers, _| {
            if part.len() <= 1 {
                0.0
            } else {
                (peers.start - part.start) as f64 / (part.len() - 1) as f64
            }
        })),
        CumeDist => {
            Ok(float_per_row(layout, |part, peers, _| (peers.end - part.start) as f64 / part.len() as f64))
        }
        Ntile => {
            let buckets = constant_i64(args.first(), "ntile")?;
            let k = usize::try_from(buckets).unwrap_or(0).max(1);
            Ok(int_per_row(layout, |part, _, i| ntile_bucket(i - part.start, part.len(), k) as i64))
        }
        Lag | Lead => {
            let Some(values) = args.first() else {
                return internal_err!("{}() without an argument", f.func);
            };
            let offset = match args.get(1) {
                Some(_) => constant_i64(args.get(1), f.func.name())?,
                None => 1,
            };
            let offset = if f.func == Lag { offset.saturating_neg() } else { offset };
            let mut positions = Vec::with_capacity(layout.len);
            for part in &layout.partitions {
                for i in part.clone() {
                    let target = i64::try_from(i).ok().and_then(|i| i.checked_add(offset));
                    let inside = target.filter(|&t| t >= part.start as i64 && t < part.end as i64);
                    positions.push(inside.and_then(|t| u32::try_from(t).ok()));
                }
            }
            let indices = UInt32Array::from(positions);
            let taken = take(values.as_ref(), &indices, None)?;
            match args.get(2) {
                None => Ok(taken),
                Some(default) => {
                    // rows whose neighbour is outside the partition take the default
                    let outside = BooleanArray::from_iter(indices.iter().map(|p| Some(p.is_none())));
                    arrow_result(zip(&outside, default, &taken))
                }
            }
        }
        FirstValue | LastValue | NthValue => {
            let Some(values) = args.first() else {
                return internal_err!("{}() without an argument", f.func);
            };
            let nth = match f.func {
                NthValue => usize::try_from(constant_i64(args.get(1), "nth_value")?).unwrap_or(usize::MAX),
                _ => 1,
            };
            let frames = frame_bounds(&f.frame, layout, order)?;
            let indices: UInt32Array = frames
                .starts
                .iter()
                .zip(frames.ends.iter())
                .map(|(&s, &e)| {
                    let pos = match f.func {
                        LastValue => e.checked_sub(1).filter(|&p| p >= s),
                        _ => s.checked_add(nth - 1).filter(|&p| p < e),
                    };
                    pos.and_then(|p| u32::try_from(p).ok())
                })
                .collect();
            Ok(take(values.as_ref(), &indices, None)?)
        }
    }
}

/// The value of a constant argument (ntile's buckets, lag's offset, nth_value's n).
fn constant_i64(arg: Option<&ArrayRef>, name: &str) -> Result<i64> {
    let Some(a) = arg else {
        return internal_err!("{name}() is missing a constant argument");
    };
    let a = arrow::compute::cast(a, &arrow::datatypes::DataType::Int64)?;
    match a.as_any().downcast_ref::<Int64Array>() {
        Some(v) if !v.is_empty() && v.is_valid(0) => Ok(v.value(0)),
        Some(v) if v.is_empty() => Ok(1),
        _ => shoal_common::exec_err!("{name}(): the constant argument is NULL"),
    }
}

/// Bucket (1-based) of the 0-based row `r` of `n` rows split into `k` buckets, the first
/// `n % k` buckets one row larger (as in PostgreSQL).
fn ntile_bucket(r: usize, n: usize, k: usize) -> usize {
    let size = n / k;
    let larger = n % k;
    let in_larger = larger * (size + 1);
    if r < in_larger {
        r / (size + 1) + 1
    } else {
        (r - in_larger) / size.max(1) + larger + 1
    }
}

/// An Int64 column with `f(partition, peer group, row)` for every row.
fn int_per_row(
    layout: &Layout,
    f: impl Fn(&std::ops::Range<usize>, &std::ops::Range<usize>, usize) -> i64,
) -> ArrayRef {
    let mut out = Vec::with_capacity(layout.len);
    for_each_row(layout, |part, peers, i| out.push(f(part, peers, i)));
    std::sync::Arc::new(Int64Array::from(out))
}

/// A Float64 column with `f(partition, peer group, row)` for every row.
fn float_per_row(
    layout: &Layout,
    f: impl Fn(&std::ops::Range<usize>, &std::ops::Range<usize>, usize) -> f64,
) -> ArrayRef {
    let mut out = Vec::with_capacity(layout.len);
    for_each_row(layout, |part, peers, i| out.push(f(part, peers, i)));
    std::sync::Arc::new(Float64Array::from(out))
}

fn for_each_row(layout: &Layout, mut f: impl FnMut(&std::ops::Range<usize>, &std::ops::Range<usize>, usize)) {
    let mut peers = layout.peers.iter().peekable();
    for part in &layout.partitions {
        while let Some(p) = peers.next_if(|p| p.start < part.end) {
            for i in p.clone() {
                f(part, p, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ntile_bucket;

    #[test]
    fn ntile_matches_postgres() {
        let buckets = |n, k| (0..n).map(|r| ntile_bucket(r, n, k)).collect::<Vec<_>>();
        assert_eq!(buckets(5, 2), vec![1, 1, 1, 2, 2]);
        assert_eq!(buckets(7, 3), vec![1, 1, 1, 2, 2, 3, 3]);
        assert_eq!(buckets(2, 4), vec![1, 2]);
        assert_eq!(buckets(6, 3), vec![1, 1, 2, 2, 3, 3]);
    }
}
