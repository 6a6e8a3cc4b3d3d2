//! Window frames: for every row of a sorted bucket, the half-open range `[start, end)` of the
//! rows its frame covers — ROWS offsets count rows, RANGE `CURRENT ROW` extends to the peers
//! (rows with equal ORDER BY values), and RANGE `n PRECEDING/FOLLOWING` compares ORDER BY
//! values (binary search in Arrow's row format, so every key type and sort direction works).

use std::ops::Range;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef};
use arrow::compute::kernels::numeric;
use arrow::compute::{cast, SortOptions};
use arrow::datatypes::DataType;
use arrow_row::{RowConverter, Rows, SortField};
use shoal_common::{internal_err, Result, ScalarValue};
use shoal_expr::{WindowFrame, WindowFrameBound, WindowFrameUnits};

/// The SQL partitions and peer groups of a sorted bucket.
pub(crate) struct Layout {
    /// Rows with equal PARTITION BY values, in order.
    pub partitions: Vec<Range<usize>>,
    /// Rows with equal PARTITION BY and ORDER BY values, in order (nested in `partitions`).
    pub peers: Vec<Range<usize>>,
    pub len: usize,
}

/// The first ORDER BY key of a bucket, sorted, with its sort options (for RANGE offsets).
pub(crate) struct OrderKey<'a> {
    pub values: &'a ArrayRef,
    pub options: SortOptions,
}

/// `[start, end)` of every row's frame; empty frames have `start == end`.
pub(crate) struct FrameBounds {
    pub starts: Vec<usize>,
    pub ends: Vec<usize>,
}

/// Which side of the frame a bound is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// The frame of every row of `layout`.
pub(crate) fn frame_bounds(
    frame: &WindowFrame,
    layout: &Layout,
    order: Option<&OrderKey>,
) -> Result<FrameBounds> {
    let n = layout.len;
    let mut peer_start = vec![0usize; n];
    let mut peer_end = vec![0usize; n];
    for p in &layout.peers {
        for i in p.clone() {
            peer_start[i] = p.start;
            peer_end[i] = p.end;
        }
    }
    let start_search = RangeSearch::new(&frame.start, Side::Start, frame.units, order)?;
    let end_search = RangeSearch::new(&frame.end, Side::End, frame.units, order)?;
    let mut starts = Vec::with_capacity(n);
    let mut ends = Vec::with_capacity(n);
    for part in &layout.partitions {
        let (ps, pe) = (part.start, part.end);
        for i in part.clone() {
            let peers = (peer_start[i], peer_end[i]);
            let s = bound(&frame.start, Side::Start, frame.units, i, (ps, pe), peers, start_search.as_ref())?;
            let e = bound(&frame.end, Side::End, frame.units, i, (ps, pe), peers, end_search.as_ref())?;
            starts.push(s);
            ends.push(e.max(s));
        }
    }
    Ok(FrameBounds { starts, ends })
}

fn rows_offset(v: &ScalarValue) -> Result<usize> {
    match v.as_i64() {
        Some(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => internal_err!("ROWS frame offset {v} is not a non-negative integer"),
    }
}

/// One frame bound of row `i` in partition `part` (peers = its peer group).
fn bound(
    b: &WindowFrameBound,
    side: Side,
    units: WindowFrameUnits,
    i: usize,
    (ps, pe): (usize, usize),
    (peer_start, peer_end): (usize, usize),
    search: Option<&RangeSearch>,
) -> Result<usize> {
    let rows = units == WindowFrameUnits::Rows;
    Ok(match b {
        WindowFrameBound::UnboundedPreceding => ps,
        WindowFrameBound::UnboundedFollowing => pe,
        WindowFrameBound::CurrentRow => match (rows, side) {
            (true, Side::Start) => i,
            (true, Side::End) => i + 1,
            (false, Side::Start) => peer_start,
            (false, Side::End) => peer_end,
        },
        WindowFrameBound::Preceding(v) | WindowFrameBound::Following(v) if rows => {
            let n = rows_offset(v)?;
            let preceding = matches!(b, WindowFrameBound::Preceding(_));
            // the row the bound names, as a signed position; the end bound is exclusive
            let target = match (preceding, side) {
                (true, Side::Start) => i.saturating_sub(n).max(ps),
                (true, Side::End) => (i + 1).saturating_sub(n).max(ps),
                (false, Side::Start) => i.saturating_add(n).min(pe),
                (false, Side::End) => i.saturating_add(n).saturating_add(1).min(pe),
            };
            target.clamp(ps, pe)
        }
        WindowFrameBound::Preceding(_) | WindowFrameBound::Following(_) => {
            let Some(search) = search else {
                return internal_err!("RANGE offset frame without an ORDER BY key");
            };
            search.find(i, (ps, pe), (peer_start, peer_end), side)
        }
    })
}

/// The ORDER BY values of the bucket and the per-row target values of a RANGE offset bound,
/// both in row format so comparisons follow the sort direction and NULL placement.
struct RangeSearch {
    keys: Rows,
    targets: Rows,
    /// Rows whose own key is NULL: their frame bound is their peer group's.
    null_keys: Option<arrow::buffer::NullBuffer>,
}

impl RangeSearch {
    fn new(
        b: &WindowFrameBound,
        side: Side,
        units: WindowFrameUnits,
        order: Option<&OrderKey>,
    ) -> Result<Option<Self>> {
        let (offset, preceding) = match b {
            WindowFrameBound::Preceding(v) => (v, true),
            WindowFrameBound::Following(v) => (v, false),
            _ => return Ok(None),
        };
        if units == WindowFrameUnits::Rows {
            return Ok(None);
        }
        let Some(order) = order else {
            return internal_err!("RANGE offset frame without an ORDER BY key");
        };
        let _ = side;
        let mut key: ArrayRef = Arc::clone(order.values);
        let mut offset = offset.clone();
        // narrow integers: compute in Int64 so `key ± offset` cannot overflow
        if key.data_type().is_integer() {
            key = cast(&key, &DataType::Int64)?;
            offset = offset.cast_to(&DataType::Int64)?;
        }
        // PRECEDING moves towards the start of the order: smaller values when ascending
        let subtract = preceding != order.options.descending;
        let datum = offset.as_datum();
        let targets = if subtract { numeric::sub(&key, &datum)? } else { numeric::add(&key, &datum)? };
        if targets.data_type() != key.data_type() {
            key = cast(&key, targets.data_type())?;
        }
        let converter =
            RowConverter::new(vec![SortField::new_with_options(key.data_type().clone(), order.options)])?;
        let keys = converter.convert_columns(&[Arc::clone(&key)])?;
        let targets = converter.convert_columns(&[targets])?;
        Ok(Some(Self { keys, targets, null_keys: key.logical_nulls() }))
    }

    /// The start (first row with key ≥ target) or exclusive end (first row with key > target)
    /// of row `i`'s frame in its partition, in sort order.
    fn find(
        &self,
        i: usize,
        (ps, pe): (usize, usize),
        (peer_start, peer_end): (usize, usize),
        side: Side,
    ) -> usize {
        if self.null_keys.as_ref().is_some_and(|n| n.is_null(i)) {
            return if side == Side::Start { peer_start } else { peer_end };
        }
        let target = self.targets.row(i);
        let (mut lo, mut hi) = (ps, pe);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let key = self.keys.row(mid);
            let before = match side {
                Side::Start => key < target,
                Side::End => key <= target,
            };
            if before {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}
