//! [`NestedLoopJoinExec`]: a join without equality keys (cross joins, `a.x < b.y`). The build
//! side (the smaller input) is collected into one batch; every probe batch is paired with all
//! build rows, in chunks of bounded size, and the condition is evaluated on the candidates.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result};

use super::build::{BuildData, BuildSink, BuildSlot};
use super::hash_join::JoinSpec;
use super::output::{BuildSide, JoinMode, JoinOutput};
use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{ExecutionPlan, GlobalSinkState, JoinOperator, OperatorRole, StreamingOperator};

/// Candidate pairs evaluated at once against the join condition.
const CANDIDATES_PER_CHUNK: usize = 64 * 1024;

#[derive(Debug)]
struct NestedLoopShared {
    output: JoinOutput,
    join_type: shoal_expr::JoinType,
    metrics: OperatorMetrics,
    estimated_rows: String,
}

/// A join evaluating its condition on every pair of rows.
#[derive(Debug)]
pub struct NestedLoopJoinExec {
    left: Arc<dyn ExecutionPlan>,
    right: Arc<dyn ExecutionPlan>,
    shared: Arc<NestedLoopShared>,
}

impl NestedLoopJoinExec {
    /// A join of `left` and `right` that tests `spec`'s filter on every pair of rows.
    pub fn new(left: Arc<dyn ExecutionPlan>, right: Arc<dyn ExecutionPlan>, spec: JoinSpec) -> Self {
        let estimated_rows = spec.estimated_rows;
        let output = JoinOutput {
            mode: JoinMode::new(spec.join_type, spec.build_side),
            build_side: spec.build_side,
            filter: spec.filter,
            unread_columns: spec.unread_columns,
            schema: spec.schema,
        };
        let shared = NestedLoopShared {
            output,
            join_type: spec.join_type,
            metrics: OperatorMetrics::default(),
            estimated_rows,
        };
        Self { left, right, shared: Arc::new(shared) }
    }

    /// The input kept in memory.
    pub fn build_side(&self) -> BuildSide {
        self.shared.output.build_side
    }
}

impl ExecutionPlan for NestedLoopJoinExec {
    fn name(&self) -> &'static str {
        "NestedLoopJoinExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.shared.output.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.left, &self.right]
    }
    fn describe(&self) -> String {
        let mut out = format!(
            "NestedLoopJoinExec: type={}, build={:?}",
            self.shared.join_type, self.shared.output.build_side
        );
        if let Some(f) = &self.shared.output.filter {
            out.push_str(&format!(", filter={}", f.display));
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

impl JoinOperator for NestedLoopJoinExec {
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
        let sink = BuildSink {
            schema: self.build_input().schema(),
            keys: vec![],
            probe_key_types: vec![],
            track_visited: self.shared.output.mode.tracks_build_matches(),
            slot: Arc::clone(&slot),
            memory: crate::memory::MemoryConsumer::new(
                ctx,
                "NestedLoopJoinExec",
                "put the smaller table on the build side, or filter it first",
                &self.shared.metrics,
            ),
        };
        let probe = NestedLoopProbe {
            shared: Arc::clone(&self.shared),
            slot,
            probe_schema: self.probe_input().schema(),
            batch_size: ctx.batch_size(),
            ctx: ctx.clone(),
        };
        Ok((Box::new(sink), Arc::new(probe)))
    }
}

#[derive(Debug)]
struct NestedLoopProbe {
    shared: Arc<NestedLoopShared>,
    slot: BuildSlot,
    probe_schema: SchemaRef,
    batch_size: usize,
    /// For the cancel flag: one probe batch can take long (every build row is a candidate).
    ctx: TaskContext,
}

impl NestedLoopProbe {
    fn build(&self) -> Result<&BuildData> {
        match self.slot.get() {
            Some(b) => Ok(b),
            None => internal_err!("nested loop join probed before its build side finished"),
        }
    }
}

impl ExecutionPlan for NestedLoopProbe {
    fn name(&self) -> &'static str {
        "NestedLoopJoinExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.shared.output.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }
    fn describe(&self) -> String {
        "NestedLoopJoinExec (probe)".to_string()
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

impl StreamingOperator for NestedLoopProbe {
    fn process(&self, batch: RecordBatch) -> Result<RecordBatch> {
        let build = self.build()?;
        let output = &self.shared.output;
        let (n, m) = (batch.num_rows(), build.batch.num_rows());
        let mut probe_idx: Vec<u32> = vec![];
        let mut build_idx: Vec<u32> = vec![];
        if let Some(per_chunk) = CANDIDATES_PER_CHUNK.checked_div(m) {
            if m > u32::MAX as usize {
                return shoal_common::exec_err!("the build side of a join has too many rows ({m})");
            }
            let per_chunk = per_chunk.max(1);
            let mut start = 0;
            while start < n {
                self.ctx.check_cancelled()?;
                let end = (start + per_chunk).min(n);
                let mut pi = Vec::with_capacity((end - start) * m);
                let mut bi = Vec::with_capacity((end - start) * m);
                for i in start..end {
                    pi.extend(std::iter::repeat_n(i as u32, m));
                    bi.extend(0..m as u32);
                }
                let (pi, bi) = output.apply_filter(&batch, &build.batch, pi, bi)?;
                probe_idx.extend(pi);
                build_idx.extend(bi);
                start = end;
            }
        }
        output.probe_output(&batch, &build.batch, probe_idx, build_idx, build.visited.as_ref())
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
