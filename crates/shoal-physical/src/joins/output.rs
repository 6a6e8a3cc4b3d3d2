//! From matching (probe row, build row) pairs to output batches, for every join type: shared
//! by the hash join and the nested loop join.
//!
//! The joins are written from the probe side's point of view: the logical join type and which
//! side is built decide a [`JoinMode`] — emit pairs (and unmatched probe and/or build rows), or
//! only probe rows (semi/anti), or only build rows once the probe is done.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, BooleanBufferBuilder, UInt32Array};
use arrow::compute::{filter_record_batch, take};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result};
use shoal_expr::JoinType;
use shoal_physical_expr::{evaluate_predicate, PhysicalExprRef};

/// Which input of a join is built into memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildSide {
    /// The left input is built.
    Left,
    /// The right input is built.
    Right,
}

/// What the probe does with matches, derived from the join type and the build side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum JoinMode {
    /// Output matching pairs; `probe_outer` adds unmatched probe rows, `build_outer` unmatched
    /// build rows after the probe.
    Pairs { probe_outer: bool, build_outer: bool },
    /// Probe rows with at least one match.
    ProbeSemi,
    /// Probe rows without any match.
    ProbeAnti,
    /// Build rows with at least one match (emitted after the probe).
    BuildSemi,
    /// Build rows without any match (emitted after the probe).
    BuildAnti,
}

impl JoinMode {
    pub(super) fn new(join_type: JoinType, build: BuildSide) -> Self {
        let probe_is_left = build == BuildSide::Right;
        let (probe_side_kept, build_side_kept) = match join_type {
            JoinType::Inner => (false, false),
            JoinType::Full => (true, true),
            JoinType::Left => (probe_is_left, !probe_is_left),
            JoinType::Right => (!probe_is_left, probe_is_left),
            JoinType::LeftSemi | JoinType::RightSemi => {
                let probe_side = (join_type == JoinType::LeftSemi) == probe_is_left;
                return if probe_side { JoinMode::ProbeSemi } else { JoinMode::BuildSemi };
            }
            JoinType::LeftAnti | JoinType::RightAnti => {
                let probe_side = (join_type == JoinType::LeftAnti) == probe_is_left;
                return if probe_side { JoinMode::ProbeAnti } else { JoinMode::BuildAnti };
            }
        };
        JoinMode::Pairs { probe_outer: probe_side_kept, build_outer: build_side_kept }
    }

    /// Must the probe record which build rows matched?
    pub(super) fn tracks_build_matches(self) -> bool {
        matches!(self, JoinMode::Pairs { build_outer: true, .. } | JoinMode::BuildSemi | JoinMode::BuildAnti)
    }
}

/// One bit per build row, set (by any worker) when the row matched.
#[derive(Debug)]
pub(super) struct VisitedRows {
    words: Vec<AtomicU64>,
}

impl VisitedRows {
    pub(super) fn new(rows: usize) -> Self {
        Self { words: (0..rows.div_ceil(64)).map(|_| AtomicU64::new(0)).collect() }
    }
    fn mark(&self, row: u32) {
        let row = row as usize;
        if let Some(w) = self.words.get(row / 64) {
            let bit = 1u64 << (row % 64);
            if w.load(Ordering::Relaxed) & bit == 0 {
                w.fetch_or(bit, Ordering::Relaxed);
            }
        }
    }
    fn get(&self, row: usize) -> bool {
        self.words.get(row / 64).is_some_and(|w| w.load(Ordering::Relaxed) & (1u64 << (row % 64)) != 0)
    }
}

/// A join's residual condition, bound to just the columns it reads: candidate pairs gather
/// only those columns before it is evaluated.
#[derive(Debug)]
pub struct JoinFilter {
    /// The condition over the batch of `columns`, in `schema`.
    pub expr: PhysicalExprRef,
    /// Positions in left ++ right of the columns the condition reads, ascending.
    pub columns: Vec<usize>,
    /// Those columns' fields (nullable as the join type requires).
    pub schema: SchemaRef,
    /// Columns of the left input: positions from here on are right columns.
    pub left_columns: usize,
    /// The condition as bound to left ++ right, for EXPLAIN.
    pub display: String,
}

/// Everything needed to turn candidate pairs into output rows.
#[derive(Debug)]
pub(super) struct JoinOutput {
    pub(super) mode: JoinMode,
    pub(super) build_side: BuildSide,
    /// Residual condition over left columns ++ right columns.
    pub(super) filter: Option<JoinFilter>,
    /// The join's output schema.
    pub(super) schema: SchemaRef,
    /// Per output column: nobody reads it (empty: all are read).
    pub(super) unread_columns: Vec<bool>,
}

fn batch(schema: &SchemaRef, columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), columns, &options)?)
}

/// Are `indices` exactly `0..rows`?
fn is_identity(indices: &UInt32Array, rows: usize) -> bool {
    indices.null_count() == 0
        && indices.len() == rows
        && indices.values().iter().enumerate().all(|(i, &v)| v as usize == i)
}

/// The rows `indices` of every column of `batch`; the columns themselves when `indices` are
/// `0..rows` (a probe batch whose every row matched once: the usual foreign-key join).
fn take_all(batch: &RecordBatch, indices: &UInt32Array) -> Result<Vec<ArrayRef>> {
    if is_identity(indices, batch.num_rows()) {
        return Ok(batch.columns().to_vec());
    }
    batch.columns().iter().map(|c| Ok(take(c.as_ref(), indices, None)?)).collect()
}

impl JoinOutput {
    /// A placeholder for output column `position` when nobody reads it.
    fn unread_placeholder(&self, position: usize, rows: usize) -> Option<ArrayRef> {
        if !self.unread_columns.get(position).copied().unwrap_or(false) {
            return None;
        }
        crate::operators::placeholder_column(self.schema.fields().get(position)?, rows)
    }

    /// The rows `indices` of the columns of `batch`, which are output columns `first..`;
    /// placeholders for those nobody reads.
    fn take_read(&self, batch: &RecordBatch, indices: &UInt32Array, first: usize) -> Result<Vec<ArrayRef>> {
        if self.unread_columns.is_empty() {
            return take_all(batch, indices);
        }
        let identity = is_identity(indices, batch.num_rows());
        let rows = indices.len();
        batch
            .columns()
            .iter()
            .enumerate()
            .map(|(c, column)| match self.unread_placeholder(first + c, rows) {
                Some(p) => Ok(p),
                None if identity => Ok(Arc::clone(column)),
                None => Ok(take(column.as_ref(), indices, None)?),
            })
            .collect()
    }

    /// Left ++ right columns of the pairs `(probe_idx[i], build_idx[i])`.
    fn pair_columns(
        &self,
        probe: &RecordBatch,
        probe_idx: &UInt32Array,
        build: &RecordBatch,
        build_idx: &UInt32Array,
    ) -> Result<Vec<ArrayRef>> {
        Ok(match self.build_side {
            BuildSide::Right => {
                let p = self.take_read(probe, probe_idx, 0)?;
                p.into_iter().chain(self.take_read(build, build_idx, probe.num_columns())?).collect()
            }
            BuildSide::Left => {
                let b = self.take_read(build, build_idx, 0)?;
                b.into_iter().chain(self.take_read(probe, probe_idx, build.num_columns())?).collect()
            }
        })
    }

    /// The probe rows `mask` keeps (semi/anti joins); placeholders for columns nobody reads.
    fn filter_probe(&self, probe: &RecordBatch, mask: &BooleanArray) -> Result<RecordBatch> {
        if self.unread_columns.is_empty() {
            return Ok(filter_record_batch(probe, mask)?);
        }
        let rows = mask.true_count();
        let predicate = arrow::compute::FilterBuilder::new(mask).optimize().build();
        let columns = probe
            .columns()
            .iter()
            .enumerate()
            .map(|(c, column)| match self.unread_placeholder(c, rows) {
                Some(p) => Ok(p),
                None => Ok(predicate.filter(column)?),
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        batch(&self.schema, columns, rows)
    }

    /// Keep only the pairs for which the residual filter is true.
    pub(super) fn apply_filter(
        &self,
        probe: &RecordBatch,
        build: &RecordBatch,
        probe_idx: Vec<u32>,
        build_idx: Vec<u32>,
    ) -> Result<(Vec<u32>, Vec<u32>)> {
        let Some(filter) = &self.filter else {
            return Ok((probe_idx, build_idx));
        };
        if probe_idx.is_empty() {
            return Ok((probe_idx, build_idx));
        }
        let (pi, bi) = (UInt32Array::from(probe_idx), UInt32Array::from(build_idx));
        let (left, left_idx, right, right_idx) = match self.build_side {
            BuildSide::Right => (probe, &pi, build, &bi),
            BuildSide::Left => (build, &bi, probe, &pi),
        };
        let (left_identity, right_identity) =
            (is_identity(left_idx, left.num_rows()), is_identity(right_idx, right.num_rows()));
        let columns = filter
            .columns
            .iter()
            .map(|&c| {
                let (side, indices, identity, c) = match c.checked_sub(filter.left_columns) {
                    None => (left, left_idx, left_identity, c),
                    Some(r) => (right, right_idx, right_identity, r),
                };
                let Some(column) = side.columns().get(c) else {
                    return internal_err!("join filter column {c} out of range");
                };
                Ok(if identity { Arc::clone(column) } else { take(column.as_ref(), indices, None)? })
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        let candidates = batch(&filter.schema, columns, pi.len())?;
        let mask = evaluate_predicate(filter.expr.as_ref(), &candidates)?;
        let keep = |i: usize| mask.is_valid(i) && mask.value(i);
        let kept_p = pi.values().iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, &v)| v).collect();
        let kept_b = bi.values().iter().enumerate().filter(|(i, _)| keep(*i)).map(|(_, &v)| v).collect();
        Ok((kept_p, kept_b))
    }

    /// The output for one probe batch, given its (filtered) matching pairs; records matched
    /// build rows in `visited`.
    pub(super) fn probe_output(
        &self,
        probe: &RecordBatch,
        build: &RecordBatch,
        probe_idx: Vec<u32>,
        build_idx: Vec<u32>,
        visited: Option<&VisitedRows>,
    ) -> Result<RecordBatch> {
        if let Some(v) = visited {
            build_idx.iter().for_each(|&r| v.mark(r));
        }
        let n = probe.num_rows();
        let matched = |probe_idx: &[u32]| {
            let mut m = vec![false; n];
            for &i in probe_idx {
                if let Some(x) = m.get_mut(i as usize) {
                    *x = true;
                }
            }
            m
        };
        match self.mode {
            JoinMode::Pairs { probe_outer, .. } => {
                let mut probe_idx = probe_idx;
                let mut build_valid = BooleanBufferBuilder::new(build_idx.len());
                build_valid.append_n(build_idx.len(), true);
                let mut build_idx = build_idx;
                if probe_outer {
                    for (i, m) in matched(&probe_idx).into_iter().enumerate() {
                        if !m {
                            probe_idx.push(i as u32);
                            build_idx.push(0);
                            build_valid.append(false);
                        }
                    }
                }
                let rows = probe_idx.len();
                let pi = UInt32Array::from(probe_idx);
                let nulls = arrow::buffer::NullBuffer::new(build_valid.finish());
                let bi = UInt32Array::new(build_idx.into(), Some(nulls).filter(|n| n.null_count() > 0));
                let columns = self.pair_columns(probe, &pi, build, &bi)?;
                batch(&self.schema, columns, rows)
            }
            JoinMode::ProbeSemi | JoinMode::ProbeAnti => {
                let semi = self.mode == JoinMode::ProbeSemi;
                let mask: BooleanArray = matched(&probe_idx).into_iter().map(|m| Some(m == semi)).collect();
                self.filter_probe(probe, &mask)
            }
            JoinMode::BuildSemi | JoinMode::BuildAnti => Ok(RecordBatch::new_empty(Arc::clone(&self.schema))),
        }
    }

    /// The rows emitted after the probe: unmatched build rows (outer), or the build rows of a
    /// semi/anti join on the build side; in batches of at most `batch_size` rows.
    pub(super) fn final_output(
        &self,
        build: &RecordBatch,
        visited: Option<&VisitedRows>,
        probe_schema: &SchemaRef,
        batch_size: usize,
    ) -> Result<Vec<RecordBatch>> {
        let want_visited = match self.mode {
            JoinMode::Pairs { build_outer: true, .. } | JoinMode::BuildAnti => false,
            JoinMode::BuildSemi => true,
            _ => return Ok(vec![]),
        };
        let Some(visited) = visited else {
            return internal_err!("join lost its matched-rows bitmap");
        };
        let rows: Vec<u32> =
            (0..build.num_rows()).filter(|&r| visited.get(r) == want_visited).map(|r| r as u32).collect();
        let mut out = vec![];
        for chunk in rows.chunks(batch_size.max(1)) {
            let bi = UInt32Array::from(chunk.to_vec());
            let b = take_all(build, &bi)?;
            let columns: Vec<ArrayRef> = match self.mode {
                JoinMode::Pairs { .. } => {
                    let nulls: Vec<ArrayRef> = probe_schema
                        .fields()
                        .iter()
                        .map(|f| arrow::array::new_null_array(f.data_type(), chunk.len()))
                        .collect();
                    match self.build_side {
                        BuildSide::Right => nulls.into_iter().chain(b).collect(),
                        BuildSide::Left => b.into_iter().chain(nulls).collect(),
                    }
                }
                _ => b,
            };
            out.push(batch(&self.schema, columns, chunk.len())?);
        }
        Ok(out)
    }
}
