//! [`LimitExec`]: skip `skip` rows, then pass at most `fetch`; keeps its input's order.

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{
    downcast_locals, ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator,
};

/// OFFSET / LIMIT. Over unordered input each worker keeps at most `skip + fetch` rows and a
/// shared counter stops every source once enough rows were produced; over ordered input rows
/// are kept per morsel and the first `skip + fetch` in morsel order win.
#[derive(Debug)]
pub struct LimitExec {
    skip: usize,
    fetch: Option<usize>,
    input: Arc<dyn ExecutionPlan>,
    metrics: OperatorMetrics,
}

impl LimitExec {
    /// Skip `skip` rows of `input`, then pass at most `fetch` (`None`: all the rest).
    pub fn new(skip: usize, fetch: Option<usize>, input: Arc<dyn ExecutionPlan>) -> Self {
        Self { skip, fetch, input, metrics: OperatorMetrics::default() }
    }
    /// Rows skipped (`OFFSET`).
    pub fn skip(&self) -> usize {
        self.skip
    }
    /// Rows passed after the skipped ones (`LIMIT`), if capped.
    pub fn fetch(&self) -> Option<usize> {
        self.fetch
    }
    /// The limited input.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }
}

impl ExecutionPlan for LimitExec {
    fn name(&self) -> &'static str {
        "LimitExec"
    }
    fn schema(&self) -> SchemaRef {
        self.input.schema()
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }
    fn describe(&self) -> String {
        match self.fetch {
            Some(n) => format!("LimitExec: skip={}, fetch={n}", self.skip),
            None => format!("LimitExec: skip={}, fetch=None", self.skip),
        }
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Sink(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl SinkOperator for LimitExec {
    fn start(&self, input_ordered: bool, _ctx: &TaskContext) -> Result<Box<dyn GlobalSinkState>> {
        Ok(Box::new(LimitGlobal {
            skip: self.skip,
            fetch: self.fetch,
            ordered: input_ordered,
            produced: Arc::new(AtomicUsize::new(0)),
        }))
    }
    fn output_ordered(&self, input_ordered: bool) -> bool {
        input_ordered
    }
}

struct LimitGlobal {
    skip: usize,
    fetch: Option<usize>,
    ordered: bool,
    produced: Arc<AtomicUsize>,
}

struct LimitLocal {
    /// Rows needed in total (`skip + fetch`), or `None` for no limit.
    wanted: Option<usize>,
    ordered: bool,
    produced: Arc<AtomicUsize>,
    kept: usize,
    batches: Vec<(usize, usize, RecordBatch)>,
}

impl GlobalSinkState for LimitGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(LimitLocal {
            wanted: self.fetch.map(|f| f.saturating_add(self.skip)),
            ordered: self.ordered,
            produced: Arc::clone(&self.produced),
            kept: 0,
            batches: vec![],
        }))
    }

    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        _ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        let mut all: Vec<(usize, usize, RecordBatch)> =
            downcast_locals::<LimitLocal>(locals)?.into_iter().flat_map(|l| l.batches).collect();
        if self.ordered {
            all.sort_by_key(|(morsel, seq, _)| (*morsel, *seq));
        }
        Ok(apply_skip_fetch(all.into_iter().map(|(_, _, b)| b), self.skip, self.fetch))
    }
}

impl LocalSinkState for LimitLocal {
    fn sink(&mut self, morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        let seq = self.batches.len();
        let Some(wanted) = self.wanted else {
            self.batches.push((morsel, seq, batch));
            return Ok(ControlFlow::Continue(()));
        };
        if self.ordered {
            // Morsels arrive out of order: every morsel may still hold the first rows.
            self.batches.push((morsel, seq, batch));
            return Ok(ControlFlow::Continue(()));
        }
        let room = wanted.saturating_sub(self.kept);
        if room == 0 {
            return Ok(ControlFlow::Break(()));
        }
        let take = room.min(batch.num_rows());
        self.kept += take;
        self.batches.push((morsel, seq, batch.slice(0, take)));
        let total = self.produced.fetch_add(take, Ordering::Relaxed) + take;
        Ok(if total >= wanted { ControlFlow::Break(()) } else { ControlFlow::Continue(()) })
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Drop the first `skip` rows of `batches`, then keep at most `fetch`.
pub fn apply_skip_fetch(
    batches: impl IntoIterator<Item = RecordBatch>,
    skip: usize,
    fetch: Option<usize>,
) -> Vec<RecordBatch> {
    let mut to_skip = skip;
    let mut remaining = fetch.unwrap_or(usize::MAX);
    let mut out = vec![];
    for batch in batches {
        if remaining == 0 {
            break;
        }
        let rows = batch.num_rows();
        if to_skip >= rows {
            to_skip -= rows;
            continue;
        }
        let take = (rows - to_skip).min(remaining);
        out.push(batch.slice(to_skip, take));
        to_skip = 0;
        remaining -= take;
    }
    out
}
