//! [`HashJoinExec`]: an equi-join. The build side (the smaller input) is a pipeline breaker:
//! workers collect its batches, `finalize` builds a partitioned hash table in parallel. The probe
//! side then streams through the join inside its own pipeline: each worker looks its batch up in
//! the shared read-only table and emits the joined rows with Arrow's `take`. Unmatched build rows
//! of right/full outer joins are emitted after the probe pipeline's last morsel.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use arrow::array::ArrayRef;
use arrow::compute::{filter_record_batch, is_not_null};
use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, not_supported, Result};
use shoal_expr::JoinType;
use shoal_physical_expr::PhysicalExprRef;

use super::build::{BuildData, BuildSink, BuildSlot};
use super::output::{BuildSide, JoinFilter, JoinMode, JoinOutput};
use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, GlobalSinkState, JoinOperator, OperatorRole, StreamingOperator};

/// What the exec and its per-execution probe operator share.
#[derive(Debug)]
struct HashJoinShared {
    /// Key expressions over the left input and over the right input.
    on: Vec<(PhysicalExprRef, PhysicalExprRef)>,
    join_type: JoinType,
    null_aware: bool,
    output: JoinOutput,
    metrics: OperatorMetrics,
    /// Estimated rows of the inputs and output, for EXPLAIN.
    estimated_rows: String,
}

/// A hash join of `left` and `right` on key pairs, with an optional residual filter.
#[derive(Debug)]
pub struct HashJoinExec {
    left: Arc<dyn ExecutionPlan>,
    right: Arc<dyn ExecutionPlan>,
    shared: Arc<HashJoinShared>,
}

/// The parts of a join plan common to both join operators.
#[derive(Debug)]
pub struct JoinSpec {
    /// Which rows are output (inner, outer, semi, anti).
    pub join_type: JoinType,
    /// Residual condition over left ++ right columns.
    pub filter: Option<JoinFilter>,
    /// The output schema.
    pub schema: SchemaRef,
    /// Which input is built into memory (the other is streamed through it).
    pub build_side: BuildSide,
    /// Per output column: true when nobody reads it, so the join may emit a placeholder
    /// (empty: every column is read).
    pub unread_columns: Vec<bool>,
    /// Estimated rows of the inputs and the output, shown by EXPLAIN.
    pub estimated_rows: String,
}

impl HashJoinExec {
    /// A hash join; `null_aware` (NOT IN semantics) needs a left anti join on one key with the
    /// right side built.
    pub fn try_new(
        left: Arc<dyn ExecutionPlan>,
        right: Arc<dyn ExecutionPlan>,
        on: Vec<(PhysicalExprRef, PhysicalExprRef)>,
        spec: JoinSpec,
        null_aware: bool,
    ) -> Result<Self> {
        if on.is_empty() {
            return internal_err!("HashJoinExec needs at least one key pair");
        }
        if null_aware
            && (spec.join_type != JoinType::LeftAnti || spec.build_side != BuildSide::Right || on.len() != 1)
        {
            return not_supported!("NOT IN with several columns or this join shape");
        }
        let estimated_rows = spec.estimated_rows;
        let output = JoinOutput {
            mode: JoinMode::new(spec.join_type, spec.build_side),
            build_side: spec.build_side,
            filter: spec.filter,
            unread_columns: spec.unread_columns,
            schema: spec.schema,
        };
        let shared = HashJoinShared {
            on,
            join_type: spec.join_type,
            null_aware,
            output,
            metrics: OperatorMetrics::default(),
            estimated_rows,
        };
        Ok(Self { left, right, shared: Arc::new(shared) })
    }

    /// The join type.
    pub fn join_type(&self) -> JoinType {
        self.shared.join_type
    }

    /// The input built into the hash table.
    pub fn build_side(&self) -> BuildSide {
        self.shared.output.build_side
    }

    fn probe_schema(&self) -> SchemaRef {
        match self.shared.output.build_side {
            BuildSide::Left => self.right.schema(),
            BuildSide::Right => self.left.schema(),
        }
    }
}

impl ExecutionPlan for HashJoinExec {
    fn name(&self) -> &'static str {
        "HashJoinExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.shared.output.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.left, &self.right]
    }
    fn describe(&self) -> String {
        let keys: Vec<String> = self.shared.on.iter().map(|(l, r)| format!("{l} = {r}")).collect();
        let mut out = format!(
            "HashJoinExec: type={}, on=[{}], build={:?}",
            self.shared.join_type,
            keys.join(", "),
            self.shared.output.build_side
        );
        if let Some(f) = &self.shared.output.filter {
            out.push_str(&format!(", filter={}", f.display));
        }
        if self.shared.null_aware {
            out.push_str(", null_aware");
        }
        out.push_str(&format!(", estimated rows: {}", self.shared.estimated_rows));
        out
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.shared.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Join(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl JoinOperator for HashJoinExec {
    fn build_input(&self) -> &Arc<dyn ExecutionPlan> {
        match self.shared.output.build_side {
            BuildSide::Left => &self.left,
            BuildSide::Right => &self.right,
        }
    }
    fn probe_input(&self) -> &Arc<dyn ExecutionPlan> {
        match self.shared.output.build_side {
            BuildSide::Left => &self.right,
            BuildSide::Right => &self.left,
        }
    }
    fn start(&self, ctx: &TaskContext) -> Result<(Box<dyn GlobalSinkState>, Arc<dyn ExecutionPlan>)> {
        let slot: BuildSlot = Arc::new(OnceLock::new());
        let build_keys = self
            .shared
            .on
            .iter()
            .map(|(l, r)| match self.shared.output.build_side {
                BuildSide::Left => Arc::clone(l),
                BuildSide::Right => Arc::clone(r),
            })
            .collect();
        let probe_key_types = self
            .shared
            .on
            .iter()
            .map(|(l, r)| match self.shared.output.build_side {
                BuildSide::Left => r.data_type().clone(),
                BuildSide::Right => l.data_type().clone(),
            })
            .collect();
        let sink = BuildSink {
            schema: self.build_input().schema(),
            keys: build_keys,
            probe_key_types,
            track_visited: self.shared.output.mode.tracks_build_matches(),
            slot: Arc::clone(&slot),
            memory: crate::memory::MemoryConsumer::new(
                ctx,
                "HashJoinExec",
                "put the smaller table on the build side, or filter it first",
                &self.shared.metrics,
            ),
        };
        let probe = HashJoinProbe {
            shared: Arc::clone(&self.shared),
            slot,
            probe_schema: self.probe_schema(),
            batch_size: ctx.batch_size(),
        };
        Ok((Box::new(sink), Arc::new(probe)))
    }
}

/// One execution's probe: streams probe batches through the finished build.
#[derive(Debug)]
struct HashJoinProbe {
    shared: Arc<HashJoinShared>,
    slot: BuildSlot,
    probe_schema: SchemaRef,
    batch_size: usize,
}

impl HashJoinProbe {
    fn build(&self) -> Result<&BuildData> {
        match self.slot.get() {
            Some(b) => Ok(b),
            None => internal_err!("hash join probed before its build side finished"),
        }
    }

    fn probe_keys(&self, batch: &RecordBatch) -> Result<Vec<ArrayRef>> {
        let n = batch.num_rows();
        self.shared
            .on
            .iter()
            .map(|(l, r)| {
                let e = match self.shared.output.build_side {
                    BuildSide::Left => r,
                    BuildSide::Right => l,
                };
                e.evaluate(batch)?.into_array(n)
            })
            .collect()
    }
}

impl ExecutionPlan for HashJoinProbe {
    fn name(&self) -> &'static str {
        "HashJoinExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.shared.output.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }
    fn describe(&self) -> String {
        "HashJoinExec (probe)".to_string()
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.shared.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Streaming(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl StreamingOperator for HashJoinProbe {
    fn process(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let build = self.build()?;
        let Some(table) = &build.table else {
            return internal_err!("hash join without a hash table");
        };
        let output = &self.shared.output;
        let batch = if self.shared.null_aware && build.batch.num_rows() > 0 {
            // x NOT IN (..., NULL, ...) is never true; NULL NOT IN (a non-empty set) neither.
            if table.build_has_null_key() {
                return Ok(RecordBatch::new_empty(Arc::clone(&output.schema)));
            }
            match self.probe_keys(&batch)?.first() {
                Some(key) => filter_record_batch(&batch, &is_not_null(key)?)?,
                None => batch,
            }
        } else {
            batch
        };
        let n = batch.num_rows();
        let keys = self.probe_keys(&batch)?;
        // Semi/anti joins without a filter only need to know whether a match exists.
        let first_only =
            matches!(output.mode, JoinMode::ProbeSemi | JoinMode::ProbeAnti) && output.filter.is_none();
        let (mut probe_idx, mut build_idx) = (Vec::with_capacity(n), Vec::with_capacity(n));
        table.probe(&keys, n, first_only, &mut probe_idx, &mut build_idx)?;
        let (probe_idx, build_idx) = output.apply_filter(&batch, &build.batch, probe_idx, build_idx)?;
        let out = output.probe_output(&batch, &build.batch, probe_idx, build_idx, build.visited.as_ref())?;
        Ok(out)
    }

    fn has_final_output(&self) -> bool {
        self.shared.output.mode.tracks_build_matches()
    }

    fn final_output(&self) -> Result<Vec<RecordBatch>> {
        let build = self.build()?;
        self.shared.output.final_output(
            &build.batch,
            build.visited.as_ref(),
            &self.probe_schema,
            self.batch_size,
        )
    }
}
