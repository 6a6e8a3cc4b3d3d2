//! The morsel-driven, push-based scheduler.
//!
//! A plan is cut into pipelines at its sinks (pipeline breakers). A pipeline is a morsel source
//! (a scan, literal rows, or the materialised output of a finished breaker split into morsels)
//! followed by streaming operators and ending in a sink. Running a pipeline starts one task per
//! worker of the session's pool; each task repeatedly claims the next morsel from a shared
//! counter and pushes its batches through the operators into its thread-local sink state.
//! When every morsel is done the local states are combined and finalised.
//!
//! A UNION ALL is one pipeline with several sources: its morsels are the morsels of every
//! input pipeline in turn, each pushed through that input's own streaming operators first.
//! Operators with the `Compute` role (INTERSECT / EXCEPT, recursive queries) run their inputs
//! through the scheduler themselves and hand back their whole output as the next source.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use shoal_common::{internal_err, Result, ShoalError};

use crate::context::TaskContext;
use crate::metrics::OperatorMetrics;
use crate::plan::{EmitBatch, ExecutionPlan, GlobalSinkState, LocalSinkState, OperatorRole, SinkOperator};

/// A chain of streaming operators between a morsel source and a sink.
pub(crate) struct Pipeline {
    source: PipelineSource,
    /// Streaming operators, in the order batches flow through them.
    ops: Vec<Arc<dyn ExecutionPlan>>,
    /// Whether morsel order is row order (the source is sorted or literal rows).
    pub(crate) ordered: bool,
}

enum PipelineSource {
    /// An operator whose role is [`OperatorRole::Source`].
    Operator(Arc<dyn ExecutionPlan>),
    /// The output of a finished pipeline breaker.
    Batches(BatchMorsels),
    /// A union: the morsels of every child pipeline in turn (each pushed through that child's
    /// own streaming operators first).
    Union(UnionSource),
}

/// The children pipelines of a union, and where each one's morsels start.
struct UnionSource {
    plan: Arc<dyn ExecutionPlan>,
    children: Vec<Pipeline>,
    /// Morsel index at which each child starts.
    starts: Vec<usize>,
    total: usize,
}

impl UnionSource {
    fn new(plan: Arc<dyn ExecutionPlan>, children: Vec<Pipeline>) -> Self {
        let mut starts = Vec::with_capacity(children.len());
        let mut total = 0;
        for child in &children {
            starts.push(total);
            total += child.morsel_count();
        }
        Self { plan, children, starts, total }
    }

    /// The child owning morsel `index`, and the morsel's index within it.
    fn locate(&self, index: usize) -> Option<(&Pipeline, usize)> {
        let child = self.starts.partition_point(|&s| s <= index).checked_sub(1)?;
        let start = self.starts.get(child)?;
        Some((self.children.get(child)?, index - start))
    }
}

/// Materialised batches cut into morsels of about `batch_size` rows.
struct BatchMorsels {
    batches: Vec<RecordBatch>,
    /// (batch index, offset, length)
    morsels: Vec<(usize, usize, usize)>,
}

impl BatchMorsels {
    fn new(batches: Vec<RecordBatch>, batch_size: usize) -> Self {
        let mut morsels = vec![];
        for (b, batch) in batches.iter().enumerate() {
            let mut offset = 0;
            while offset < batch.num_rows() {
                let len = batch_size.min(batch.num_rows() - offset);
                morsels.push((b, offset, len));
                offset += len;
            }
        }
        Self { batches, morsels }
    }
}

impl Pipeline {
    fn morsel_count(&self) -> usize {
        match &self.source {
            PipelineSource::Operator(op) => match op.role() {
                OperatorRole::Source(s) => s.morsel_count(),
                _ => 0,
            },
            PipelineSource::Batches(b) => b.morsels.len(),
            PipelineSource::Union(u) => u.total,
        }
    }

    fn morsel_bytes(&self, index: usize) -> u64 {
        match &self.source {
            PipelineSource::Operator(op) => match op.role() {
                OperatorRole::Source(s) => s.morsel_bytes(index).unwrap_or(0),
                _ => 0,
            },
            PipelineSource::Batches(_) => 0,
            PipelineSource::Union(u) => u.locate(index).map_or(0, |(c, i)| c.morsel_bytes(i)),
        }
    }

    fn source_metrics(&self) -> Option<&OperatorMetrics> {
        match &self.source {
            PipelineSource::Operator(op) => Some(op.metrics()),
            PipelineSource::Batches(_) => None,
            PipelineSource::Union(u) => Some(u.plan.metrics()),
        }
    }

    fn read_morsel(&self, index: usize, emit: &mut EmitBatch<'_>) -> Result<()> {
        match &self.source {
            PipelineSource::Operator(op) => match op.role() {
                OperatorRole::Source(s) => s.read_morsel(index, emit),
                _ => internal_err!("{} is not a morsel source", op.name()),
            },
            PipelineSource::Batches(b) => {
                let Some(&(batch, offset, len)) = b.morsels.get(index) else {
                    return internal_err!("morsel {index} out of range");
                };
                match b.batches.get(batch) {
                    Some(batch) => emit(batch.slice(offset, len)).map(|_| ()),
                    None => internal_err!("morsel batch {batch} out of range"),
                }
            }
            PipelineSource::Union(u) => {
                let Some((child, local)) = u.locate(index) else {
                    return internal_err!("union morsel {index} out of range");
                };
                child.read_morsel(local, &mut |batch| match apply_streaming(&child.ops, batch)? {
                    Some(batch) => emit(batch),
                    None => Ok(ControlFlow::Continue(())),
                })
            }
        }
    }

    /// Does some streaming operator (here or in a union's child) produce rows after the last
    /// morsel?
    fn has_final_output(&self) -> bool {
        let own =
            self.ops.iter().any(|op| matches!(op.role(), OperatorRole::Streaming(s) if s.has_final_output()));
        own || matches!(&self.source, PipelineSource::Union(u) if u.children.iter().any(Pipeline::has_final_output))
    }

    /// Push the rows streaming operators produce after the last morsel through the rest of the
    /// pipeline into `emit` (a union's children first, then this pipeline's own operators).
    fn emit_final(&self, emit: &mut dyn FnMut(RecordBatch) -> Result<()>) -> Result<()> {
        if let PipelineSource::Union(u) = &self.source {
            for child in &u.children {
                child.emit_final(&mut |batch| match apply_streaming(&self.ops, batch)? {
                    Some(batch) => emit(batch),
                    None => Ok(()),
                })?;
            }
        }
        for (i, op) in self.ops.iter().enumerate() {
            let OperatorRole::Streaming(s) = op.role() else { continue };
            if !s.has_final_output() {
                continue;
            }
            let rest = self.ops.get(i + 1..).unwrap_or(&[]);
            for batch in s.final_output()? {
                if let Some(batch) = apply_streaming(rest, batch)? {
                    emit(batch)?;
                }
            }
        }
        Ok(())
    }

    /// The materialised batches, when the pipeline is nothing but a finished breaker's output.
    fn into_materialised(self) -> std::result::Result<Vec<RecordBatch>, Self> {
        match self.source {
            PipelineSource::Batches(b) if self.ops.is_empty() => Ok(b.batches),
            source => Err(Self { source, ..self }),
        }
    }

    /// True when the pipeline is only the materialised output of a finished breaker.
    pub(crate) fn is_materialised(&self) -> bool {
        self.ops.is_empty() && matches!(self.source, PipelineSource::Batches(_))
    }

    /// A pipeline over already materialised batches.
    pub(crate) fn from_batches(batches: Vec<RecordBatch>, ordered: bool, ctx: &TaskContext) -> Self {
        Self {
            source: PipelineSource::Batches(BatchMorsels::new(batches, ctx.batch_size())),
            ops: vec![],
            ordered,
        }
    }
}

fn single_child(plan: &Arc<dyn ExecutionPlan>) -> Result<&Arc<dyn ExecutionPlan>> {
    match plan.children().as_slice() {
        [child] => Ok(child),
        other => internal_err!("{} has {} inputs, expected 1", plan.name(), other.len()),
    }
}

/// The pipeline that produces `plan`'s output, running every breaker below it to completion.
pub(crate) fn build_pipeline(plan: &Arc<dyn ExecutionPlan>, ctx: &TaskContext) -> Result<Pipeline> {
    ctx.check_cancelled()?;
    match plan.role() {
        OperatorRole::Source(s) => Ok(Pipeline {
            source: PipelineSource::Operator(Arc::clone(plan)),
            ops: vec![],
            ordered: s.ordered(),
        }),
        OperatorRole::Streaming(_) => {
            let mut pipeline = build_pipeline(single_child(plan)?, ctx)?;
            pipeline.ops.push(Arc::clone(plan));
            Ok(pipeline)
        }
        OperatorRole::Sink(sink) => {
            let input = build_pipeline(single_child(plan)?, ctx)?;
            let (batches, ordered) = finish_sink(plan, sink, &input, ctx)?;
            Ok(Pipeline::from_batches(batches, ordered, ctx))
        }
        OperatorRole::Union => {
            let children =
                plan.children().into_iter().map(|c| build_pipeline(c, ctx)).collect::<Result<Vec<_>>>()?;
            let ordered = children.iter().all(|c| c.ordered);
            Ok(Pipeline {
                source: PipelineSource::Union(UnionSource::new(Arc::clone(plan), children)),
                ops: vec![],
                ordered,
            })
        }
        OperatorRole::Join(join) => {
            // The build side first (its pipeline ends in the join's build sink), then the probe
            // side's pipeline continues through the probe operator.
            let (build_sink, probe) = join.start(ctx)?;
            let build = build_pipeline(join.build_input(), ctx)?;
            let locals = run_pipeline(&build, build_sink.as_ref(), Some(plan.metrics()), ctx)?;
            ctx.check_cancelled()?;
            // (timed on the worker that finalises, so the caller thread is not counted)
            ctx.pool().install(|| {
                let start = Instant::now();
                build_sink.finalize(locals, ctx)?;
                plan.metrics().add_time(start.elapsed());
                Ok::<_, ShoalError>(())
            })?;
            let mut pipeline = build_pipeline(join.probe_input(), ctx)?;
            pipeline.ops.push(probe);
            Ok(pipeline)
        }
        OperatorRole::Compute(op) => {
            let start = Instant::now();
            let (batches, ordered) = op.compute(ctx)?;
            let rows = batches.iter().map(|b| b.num_rows()).sum();
            plan.metrics().record(rows, batches.len(), start.elapsed());
            Ok(Pipeline::from_batches(batches, ordered, ctx))
        }
    }
}

/// Run `input` into the sink `plan` and finalise it: (output batches, output ordered?).
pub(crate) fn finish_sink(
    plan: &Arc<dyn ExecutionPlan>,
    sink: &dyn SinkOperator,
    input: &Pipeline,
    ctx: &TaskContext,
) -> Result<(Vec<RecordBatch>, bool)> {
    let global = sink.start(input.ordered, ctx)?;
    let locals = run_pipeline(input, global.as_ref(), Some(plan.metrics()), ctx)?;
    ctx.check_cancelled()?;
    // (recorded on the worker that finalises, so the caller thread is not counted)
    let out = ctx.pool().install(|| {
        let start = Instant::now();
        let out = global.finalize(locals, ctx)?;
        let rows = out.iter().map(|b| b.num_rows()).sum();
        plan.metrics().record(rows, out.len(), start.elapsed());
        Ok::<_, ShoalError>(out)
    })?;
    Ok((out, sink.output_ordered(input.ordered)))
}

/// Run every morsel of `pipeline` on the pool into thread-local states of `sink`.
pub(crate) fn run_pipeline(
    pipeline: &Pipeline,
    sink: &dyn GlobalSinkState,
    sink_metrics: Option<&OperatorMetrics>,
    ctx: &TaskContext,
) -> Result<Vec<Box<dyn LocalSinkState>>> {
    let morsels = pipeline.morsel_count();
    let bytes: u64 = (0..morsels).map(|i| pipeline.morsel_bytes(i)).sum();
    ctx.progress().add_total(morsels as u64, bytes);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = ctx.threads().min(morsels).max(1);
    let worker = Worker { pipeline, sink_metrics, ctx, next: &next, stop: &stop, morsels };
    let mut locals = ctx.pool().install(|| {
        (0..workers)
            .into_par_iter()
            .map(|_| {
                let local = sink.create_local()?;
                worker.run(local).inspect_err(|_| stop.store(true, Ordering::Relaxed))
            })
            .collect::<Result<Vec<_>>>()
    })?;
    if pipeline.has_final_output() && !stop.load(Ordering::Relaxed) {
        // Rows some operators produce after the last morsel (outer joins' unmatched build rows),
        // tagged as a morsel after the last one.
        let mut local = sink.create_local()?;
        let mut flow = ControlFlow::Continue(());
        ctx.pool().install(|| {
            pipeline.emit_final(&mut |batch| {
                ctx.check_cancelled()?;
                if flow.is_continue() {
                    flow = local.sink(morsels, batch)?;
                }
                Ok(())
            })
        })?;
        locals.push(local);
    }
    Ok(locals)
}

/// What one worker task needs to claim and process morsels.
struct Worker<'a> {
    pipeline: &'a Pipeline,
    sink_metrics: Option<&'a OperatorMetrics>,
    ctx: &'a TaskContext,
    next: &'a AtomicUsize,
    stop: &'a AtomicBool,
    morsels: usize,
}

impl Worker<'_> {
    fn run(&self, mut local: Box<dyn LocalSinkState>) -> Result<Box<dyn LocalSinkState>> {
        loop {
            self.ctx.check_cancelled()?;
            if self.stop.load(Ordering::Relaxed) {
                return Ok(local);
            }
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if index >= self.morsels {
                return Ok(local);
            }
            let start = Instant::now();
            let mut downstream = Duration::ZERO;
            let (mut rows, mut batches) = (0usize, 0usize);
            self.pipeline.read_morsel(index, &mut |batch| {
                if self.ctx.is_cancelled() {
                    return Err(ShoalError::Cancelled);
                }
                if self.stop.load(Ordering::Relaxed) {
                    return Ok(ControlFlow::Break(()));
                }
                rows += batch.num_rows();
                batches += 1;
                self.ctx.progress().add_rows(batch.num_rows() as u64);
                let t = Instant::now();
                let flow = self.push(local.as_mut(), index, batch)?;
                downstream += t.elapsed();
                if flow.is_break() {
                    self.stop.store(true, Ordering::Relaxed);
                }
                Ok(flow)
            })?;
            if let Some(m) = self.pipeline.source_metrics() {
                m.record(rows, batches, start.elapsed().saturating_sub(downstream));
            }
            self.ctx.progress().add_done(self.pipeline.morsel_bytes(index));
        }
    }

    /// Push one batch through the streaming operators into the sink.
    fn push(
        &self,
        local: &mut dyn LocalSinkState,
        morsel: usize,
        mut batch: RecordBatch,
    ) -> Result<ControlFlow<()>> {
        batch = match apply_streaming(&self.pipeline.ops, batch)? {
            Some(batch) => batch,
            None => return Ok(ControlFlow::Continue(())),
        };
        let t = Instant::now();
        let flow = local.sink(morsel, batch)?;
        if let Some(m) = self.sink_metrics {
            m.add_time(t.elapsed());
        }
        Ok(flow)
    }
}

/// Push `batch` through the streaming operators `ops`; `None` when no rows are left.
fn apply_streaming(ops: &[Arc<dyn ExecutionPlan>], mut batch: RecordBatch) -> Result<Option<RecordBatch>> {
    if batch.num_rows() == 0 {
        return Ok(None);
    }
    for op in ops {
        let OperatorRole::Streaming(s) = op.role() else {
            return internal_err!("{} is not a streaming operator", op.name());
        };
        let t = Instant::now();
        batch = s.process(batch)?;
        op.metrics().record(batch.num_rows(), 1, t.elapsed());
        if batch.num_rows() == 0 {
            return Ok(None);
        }
    }
    Ok(Some(batch))
}

/// The root sink of `collect`: keeps every batch, tagged with its morsel for ordering.
struct CollectGlobal;

struct CollectLocal {
    batches: Vec<(usize, usize, RecordBatch)>,
}

impl GlobalSinkState for CollectGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(CollectLocal { batches: vec![] }))
    }
    fn finalize(
        self: Box<Self>,
        locals: Vec<Box<dyn LocalSinkState>>,
        _ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        collect_locals(locals)
    }
}

fn collect_locals(locals: Vec<Box<dyn LocalSinkState>>) -> Result<Vec<RecordBatch>> {
    let mut all: Vec<(usize, usize, RecordBatch)> =
        crate::plan::downcast_locals::<CollectLocal>(locals)?.into_iter().flat_map(|l| l.batches).collect();
    all.sort_by_key(|(morsel, seq, _)| (*morsel, *seq));
    Ok(all.into_iter().map(|(_, _, b)| b).collect())
}

impl LocalSinkState for CollectLocal {
    fn sink(&mut self, morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        let seq = self.batches.len();
        self.batches.push((morsel, seq, batch));
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

/// Run `pipeline` into the collect sink (batches in morsel order).
pub(crate) fn collect_pipeline(pipeline: Pipeline, ctx: &TaskContext) -> Result<Vec<RecordBatch>> {
    match pipeline.into_materialised() {
        Ok(batches) => Ok(batches),
        Err(pipeline) => {
            let locals = run_pipeline(&pipeline, &CollectGlobal, None, ctx)?;
            ctx.check_cancelled()?;
            collect_locals(locals)
        }
    }
}

/// The root sink of a streaming execution: sends batches to the caller over a bounded channel.
pub(crate) struct ChannelGlobal {
    pub(crate) sender: std::sync::mpsc::SyncSender<RecordBatch>,
    pub(crate) stop: Arc<AtomicBool>,
}

struct ChannelLocal {
    sender: std::sync::mpsc::SyncSender<RecordBatch>,
    stop: Arc<AtomicBool>,
}

impl GlobalSinkState for ChannelGlobal {
    fn create_local(&self) -> Result<Box<dyn LocalSinkState>> {
        Ok(Box::new(ChannelLocal { sender: self.sender.clone(), stop: Arc::clone(&self.stop) }))
    }
    fn finalize(
        self: Box<Self>,
        _locals: Vec<Box<dyn LocalSinkState>>,
        _ctx: &TaskContext,
    ) -> Result<Vec<RecordBatch>> {
        Ok(vec![])
    }
}

impl LocalSinkState for ChannelLocal {
    fn sink(&mut self, _morsel: usize, batch: RecordBatch) -> Result<ControlFlow<()>> {
        if self.stop.load(Ordering::Relaxed) || self.sender.send(batch).is_err() {
            return Ok(ControlFlow::Break(()));
        }
        Ok(ControlFlow::Continue(()))
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}
