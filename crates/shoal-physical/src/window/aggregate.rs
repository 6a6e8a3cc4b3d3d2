//! Aggregates over window frames. Frames move forward through a partition, so one pass keeps
//! a state for the current frame: rows entering are added, rows leaving are removed (exact
//! integer and decimal sums by add/remove; min/max by a monotonic deque of candidate rows; count
//! from prefix counts), and a frame that jumps backwards (never for SQL frames) restarts the
//! state. Frames starting at UNBOUNDED PRECEDING never remove, so running aggregates are O(n).
//! Float sums and variances of frames that do remove rows query a segment tree instead
//! (O(log n) per row), so no rounding residue of removed values is left behind.

use std::collections::VecDeque;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, Decimal128Array, Float64Array, Int64Array, UInt32Array, UInt64Array,
};
use arrow::buffer::NullBuffer;
use arrow::compute::{cast, take};
use arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int64Type, UInt64Type};
use arrow_row::{RowConverter, Rows, SortField};
use shoal_common::{exec_err, internal_err, not_supported, Result, ShoalError};
use shoal_expr::AggregateFunction;

use super::frame::{FrameBounds, Layout};
use super::segment_tree::SegmentTree;

/// `func(args)` over every row's frame.
pub(crate) fn evaluate(
    func: AggregateFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    layout: &Layout,
    frames: &FrameBounds,
    running: bool,
) -> Result<ArrayRef> {
    use AggregateFunction::*;
    let Some(arg) = args.first() else {
        if func == Count {
            let counts: Int64Array =
                frames.starts.iter().zip(frames.ends.iter()).map(|(&s, &e)| Some((e - s) as i64)).collect();
            return Ok(Arc::new(counts));
        }
        return internal_err!("{func}() over a window without an argument");
    };
    match func {
        Count => Ok(count(arg, frames)),
        CountIf => {
            // count the rows where the condition is true: NULL and false both skip
            let Some(cond) = arg.as_boolean_opt() else {
                return internal_err!("count_if() over a window needs a boolean, got {}", arg.data_type());
            };
            let truths: ArrayRef = Arc::new(arrow::array::BooleanArray::from_iter(
                cond.iter().map(|v| v.filter(|&b| b).map(|_| true)),
            ));
            Ok(count(&truths, frames))
        }
        Sum | Avg => sum_or_avg(func, arg, return_type, layout, frames, running),
        // false < true, so AND is the minimum and OR the maximum
        Min | Max | BoolAnd | BoolOr => min_max(matches!(func, Max | BoolOr), arg, layout, frames),
        StddevSamp | StddevPop | VarSamp | VarPop => variance(func, arg, layout, frames, running),
        StringAgg | ArrayAgg | Median | QuantileCont | ApproxQuantile | ApproxCountDistinct
        | UserDefined(_) => {
            not_supported!("{func}() as a window function")
        }
    }
}

/// Non-null values per frame, from prefix counts.
fn count(arg: &ArrayRef, frames: &FrameBounds) -> ArrayRef {
    let nulls = arg.logical_nulls();
    let mut prefix = Vec::with_capacity(arg.len() + 1);
    let mut running = 0i64;
    prefix.push(0);
    for i in 0..arg.len() {
        running += i64::from(nulls.as_ref().is_none_or(|n| n.is_valid(i)));
        prefix.push(running);
    }
    let out: Int64Array = frames
        .starts
        .iter()
        .zip(frames.ends.iter())
        .map(|(&s, &e)| {
            Some(prefix.get(e).copied().unwrap_or(running) - prefix.get(s).copied().unwrap_or(running))
        })
        .collect();
    Arc::new(out)
}

/// A state over the rows of the current frame.
trait FrameState {
    fn add(&mut self, i: usize) -> Result<()>;
    fn remove(&mut self, i: usize) -> Result<()>;
    fn reset(&mut self);
}

/// Move `state` through every row's frame, calling `emit` with the state of each frame.
fn slide<S: FrameState>(
    state: &mut S,
    layout: &Layout,
    frames: &FrameBounds,
    mut emit: impl FnMut(&S) -> Result<()>,
) -> Result<()> {
    for part in &layout.partitions {
        state.reset();
        let (mut lo, mut hi) = (part.start, part.start);
        for i in part.clone() {
            let (s, e) = (frames.starts[i], frames.ends[i]);
            if s < lo || e < hi || s > hi {
                state.reset();
                lo = s;
                hi = s;
            }
            while hi < e {
                state.add(hi)?;
                hi += 1;
            }
            while lo < s {
                state.remove(lo)?;
                lo += 1;
            }
            emit(state)?;
        }
    }
    Ok(())
}

/// Sum and count of the non-null values in the frame, in i128 (integers, decimals) or f64.
struct SumState<'a, T> {
    values: &'a [T],
    nulls: Option<&'a NullBuffer>,
    sum: T,
    count: u64,
}

trait SumNative: Copy + Default {
    fn checked_add(self, other: Self) -> Option<Self>;
    fn checked_sub(self, other: Self) -> Option<Self>;
}

impl SumNative for i128 {
    fn checked_add(self, other: Self) -> Option<Self> {
        i128::checked_add(self, other)
    }
    fn checked_sub(self, other: Self) -> Option<Self> {
        i128::checked_sub(self, other)
    }
}

impl SumNative for f64 {
    fn checked_add(self, other: Self) -> Option<Self> {
        Some(self + other)
    }
    fn checked_sub(self, other: Self) -> Option<Self> {
        Some(self - other)
    }
}

impl<T: SumNative> FrameState for SumState<'_, T> {
    fn add(&mut self, i: usize) -> Result<()> {
        if self.nulls.is_none_or(|n| n.is_valid(i)) {
            self.sum = self.sum.checked_add(self.values[i]).ok_or_else(overflow)?;
            self.count += 1;
        }
        Ok(())
    }
    fn remove(&mut self, i: usize) -> Result<()> {
        if self.nulls.is_none_or(|n| n.is_valid(i)) {
            self.sum = self.sum.checked_sub(self.values[i]).ok_or_else(overflow)?;
            self.count -= 1;
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.sum = T::default();
        self.count = 0;
    }
}

fn overflow() -> ShoalError {
    ShoalError::Execution("sum() over a window overflowed".into())
}

/// (sum, count) of every frame.
fn sums<T: SumNative>(
    values: &[T],
    nulls: Option<&NullBuffer>,
    layout: &Layout,
    frames: &FrameBounds,
) -> Result<Vec<(T, u64)>> {
    let mut state = SumState { values, nulls, sum: T::default(), count: 0 };
    let mut out = Vec::with_capacity(layout.len);
    slide(&mut state, layout, frames, |s| {
        out.push((s.sum, s.count));
        Ok(())
    })?;
    Ok(out)
}

fn sum_or_avg(
    func: AggregateFunction,
    arg: &ArrayRef,
    return_type: &DataType,
    layout: &Layout,
    frames: &FrameBounds,
    running: bool,
) -> Result<ArrayRef> {
    let is_avg = func == AggregateFunction::Avg;
    match arg.data_type() {
        DataType::Float16 | DataType::Float32 | DataType::Float64 => {
            let a = cast(arg, &DataType::Float64)?;
            let a = a.as_primitive::<Float64Type>();
            let s = if running {
                sums(a.values(), a.nulls(), layout, frames)?
            } else {
                let leaves = (0..a.len()).map(|i| if a.is_valid(i) { (a.value(i), 1u64) } else { (0.0, 0) });
                let tree =
                    SegmentTree::new(leaves.collect(), (0.0, 0), |(s1, c1), (s2, c2)| (s1 + s2, c1 + c2));
                frames.starts.iter().zip(frames.ends.iter()).map(|(&s, &e)| tree.query(s, e)).collect()
            };
            let out: Float64Array = s
                .iter()
                .map(|&(sum, c)| (c > 0).then(|| if is_avg { sum / c as f64 } else { sum }))
                .collect();
            Ok(Arc::new(out))
        }
        DataType::Decimal128(_, in_scale) => {
            let a = arg.as_primitive::<Decimal128Type>();
            let s = sums(a.values(), a.nulls(), layout, frames)?;
            let DataType::Decimal128(p, out_scale) = return_type else {
                return internal_err!("{func}() of a decimal returns {return_type}");
            };
            let out: Decimal128Array = if is_avg {
                let shift = u32::try_from(i32::from(*out_scale) - i32::from(*in_scale)).unwrap_or(0);
                let Some(mult) = 10i128.checked_pow(shift) else {
                    return internal_err!("avg(): bad decimal scales");
                };
                s.iter()
                    .map(|&(sum, c)| match c {
                        0 => Ok(None),
                        c => match sum.checked_mul(mult) {
                            Some(scaled) => Ok(Some(div_round_half_away(scaled, i128::from(c)))),
                            None => exec_err!("avg(): the decimal sum is too large to divide"),
                        },
                    })
                    .collect::<Result<_>>()?
            } else {
                s.iter().map(|&(sum, c)| (c > 0).then_some(sum)).collect()
            };
            let out = out.with_precision_and_scale(*p, *out_scale)?;
            if out.validate_decimal_precision(*p).is_err() {
                return exec_err!("{func}() over a window does not fit {return_type}");
            }
            Ok(Arc::new(out))
        }
        t if t.is_integer() => {
            let unsigned = t.is_unsigned_integer();
            let (values, nulls): (Vec<i128>, Option<NullBuffer>) = if unsigned {
                let a = cast(arg, &DataType::UInt64)?;
                let a = a.as_primitive::<UInt64Type>();
                (a.values().iter().map(|&v| i128::from(v)).collect(), a.nulls().cloned())
            } else {
                let a = cast(arg, &DataType::Int64)?;
                let a = a.as_primitive::<Int64Type>();
                (a.values().iter().map(|&v| i128::from(v)).collect(), a.nulls().cloned())
            };
            let s = sums(&values, nulls.as_ref(), layout, frames)?;
            if is_avg {
                let out: Float64Array =
                    s.iter().map(|&(sum, c)| (c > 0).then(|| sum as f64 / c as f64)).collect();
                return Ok(Arc::new(out));
            }
            let too_big = || {
                ShoalError::Execution(format!("sum() over a window overflowed the range of {return_type}"))
            };
            if unsigned {
                let out =
                    s.iter()
                        .map(|&(sum, c)| {
                            if c == 0 {
                                Ok(None)
                            } else {
                                u64::try_from(sum).map(Some).map_err(|_| too_big())
                            }
                        })
                        .collect::<Result<UInt64Array>>()?;
                Ok(Arc::new(out))
            } else {
                let out =
                    s.iter()
                        .map(|&(sum, c)| {
                            if c == 0 {
                                Ok(None)
                            } else {
                                i64::try_from(sum).map(Some).map_err(|_| too_big())
                            }
                        })
                        .collect::<Result<Int64Array>>()?;
                Ok(Arc::new(out))
            }
        }
        DataType::Null => Ok(arrow::array::new_null_array(return_type, arg.len())),
        other => exec_err!("{func}() over a window of {other} is not supported"),
    }
}

/// `n / d` rounded half away from zero (`d > 0`).
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    if r.unsigned_abs() * 2 >= d.unsigned_abs() {
        q + n.signum()
    } else {
        q
    }
}

/// Candidate rows for the minimum (maximum) of the frame: increasing positions with strictly
/// increasing (decreasing) values; the front is the answer.
struct MinMaxState<'a> {
    rows: &'a Rows,
    nulls: Option<&'a NullBuffer>,
    max: bool,
    deque: VecDeque<usize>,
}

impl FrameState for MinMaxState<'_> {
    fn add(&mut self, i: usize) -> Result<()> {
        if self.nulls.is_some_and(|n| n.is_null(i)) {
            return Ok(());
        }
        let new = self.rows.row(i);
        while let Some(&b) = self.deque.back() {
            let old = self.rows.row(b);
            let dominated = if self.max { old <= new } else { old >= new };
            if !dominated {
                break;
            }
            self.deque.pop_back();
        }
        self.deque.push_back(i);
        Ok(())
    }
    fn remove(&mut self, i: usize) -> Result<()> {
        if self.deque.front() == Some(&i) {
            self.deque.pop_front();
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.deque.clear();
    }
}

fn min_max(max: bool, arg: &ArrayRef, layout: &Layout, frames: &FrameBounds) -> Result<ArrayRef> {
    let converter = RowConverter::new(vec![SortField::new(arg.data_type().clone())])?;
    let rows = converter.convert_columns(std::slice::from_ref(arg))?;
    let nulls = arg.logical_nulls();
    let mut state = MinMaxState { rows: &rows, nulls: nulls.as_ref(), max, deque: VecDeque::new() };
    let mut positions: Vec<Option<u32>> = Vec::with_capacity(layout.len);
    slide(&mut state, layout, frames, |s| {
        positions.push(s.deque.front().and_then(|&p| u32::try_from(p).ok()));
        Ok(())
    })?;
    Ok(take(arg.as_ref(), &UInt32Array::from(positions), None)?)
}

/// Welford's count, mean and M2, with removal.
struct VarianceState<'a> {
    values: &'a [f64],
    nulls: Option<&'a NullBuffer>,
    n: u64,
    mean: f64,
    m2: f64,
}

impl FrameState for VarianceState<'_> {
    fn add(&mut self, i: usize) -> Result<()> {
        if self.nulls.is_none_or(|n| n.is_valid(i)) {
            let x = self.values[i];
            self.n += 1;
            let delta = x - self.mean;
            self.mean += delta / self.n as f64;
            self.m2 += delta * (x - self.mean);
        }
        Ok(())
    }
    fn remove(&mut self, i: usize) -> Result<()> {
        if self.nulls.is_none_or(|n| n.is_valid(i)) {
            let x = self.values[i];
            if self.n <= 1 {
                self.reset();
                return Ok(());
            }
            let old_mean = self.mean;
            self.n -= 1;
            self.mean = (old_mean * (self.n + 1) as f64 - x) / self.n as f64;
            self.m2 = (self.m2 - (x - old_mean) * (x - self.mean)).max(0.0);
        }
        Ok(())
    }
    fn reset(&mut self) {
        self.n = 0;
        self.mean = 0.0;
        self.m2 = 0.0;
    }
}

fn variance(
    func: AggregateFunction,
    arg: &ArrayRef,
    layout: &Layout,
    frames: &FrameBounds,
    running: bool,
) -> Result<ArrayRef> {
    use AggregateFunction::*;
    let a = cast(arg, &DataType::Float64)?;
    let a = a.as_primitive::<Float64Type>();
    // (count, mean, M2) of every frame
    let mut stats: Vec<(u64, f64, f64)> = Vec::with_capacity(layout.len);
    if running {
        let mut state = VarianceState { values: a.values(), nulls: a.nulls(), n: 0, mean: 0.0, m2: 0.0 };
        slide(&mut state, layout, frames, |s| {
            stats.push((s.n, s.mean, s.m2));
            Ok(())
        })?;
    } else {
        let leaves =
            (0..a.len()).map(|i| if a.is_valid(i) { (1u64, a.value(i), 0.0) } else { (0, 0.0, 0.0) });
        let tree = SegmentTree::new(leaves.collect(), (0, 0.0, 0.0), chan_combine);
        stats.extend(frames.starts.iter().zip(frames.ends.iter()).map(|(&s, &e)| tree.query(s, e)));
    }
    let out: Float64Array = stats
        .into_iter()
        .map(|(count, _, m2)| {
            let n = count as f64;
            let v = match func {
                VarSamp | StddevSamp => (count >= 2).then(|| m2 / (n - 1.0)),
                _ => (count >= 1).then(|| m2 / n),
            };
            if matches!(func, StddevSamp | StddevPop) {
                v.map(f64::sqrt)
            } else {
                v
            }
        })
        .collect();
    Ok(Arc::new(out))
}

/// Chan's parallel combination of two (count, mean, M2) summaries.
fn chan_combine(a: (u64, f64, f64), b: (u64, f64, f64)) -> (u64, f64, f64) {
    match (a.0, b.0) {
        (0, _) => b,
        (_, 0) => a,
        (na, nb) => {
            let n = na + nb;
            let delta = b.1 - a.1;
            let (na, nb, nf) = (na as f64, nb as f64, n as f64);
            (n, a.1 + delta * nb / nf, a.2 + b.2 + delta * delta * na * nb / nf)
        }
    }
}
