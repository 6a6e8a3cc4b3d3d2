//! Entry points that run a physical plan: [`collect`] and [`execute_stream`].

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use shoal_common::{Result, ShoalError};

use crate::context::TaskContext;
use crate::operators::limit::{apply_skip_fetch, LimitExec};
use crate::plan::ExecutionPlan;
use crate::scheduler::{
    build_pipeline, collect_pipeline, finish_sink, run_pipeline, ChannelGlobal, Pipeline,
};

/// Run `plan` to completion and return its output batches. When the plan has an order (ORDER
/// BY at the top) the batches are in that order.
pub fn collect(plan: Arc<dyn ExecutionPlan>, ctx: &TaskContext) -> Result<Vec<RecordBatch>> {
    ctx.check_cancelled()?;
    let pipeline = build_pipeline(&plan, ctx)?;
    let batches = collect_pipeline(pipeline, ctx)?;
    ctx.check_cancelled()?;
    Ok(batches)
}

/// Run `plan`, handing output batches to `on_batch` on the calling thread.
///
/// When the last pipeline streams (scan → filter → projection → limit) batches arrive as they
/// are produced and memory stays bounded; returning `Break` from `on_batch` (or a satisfied
/// root LIMIT) stops the sources early. Ordered results (ORDER BY) arrive in order.
///
/// The caller must not be a worker of the session's pool (it would wait on its own pool); if it
/// is, the plan is collected first and then handed over.
pub fn execute_stream(
    plan: Arc<dyn ExecutionPlan>,
    ctx: &TaskContext,
    on_batch: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
) -> Result<()> {
    ctx.check_cancelled()?;
    if ctx.pool().current_thread_index().is_some() {
        for batch in collect(plan, ctx)? {
            if on_batch(batch)?.is_break() {
                break;
            }
        }
        return Ok(());
    }
    // A root LIMIT over unordered input is applied here, as batches arrive.
    let mut limit: Option<(&LimitExec, usize, Option<usize>)> = None;
    let pipeline = match plan.as_any().downcast_ref::<LimitExec>() {
        Some(l) => {
            let input = build_pipeline(l.input(), ctx)?;
            if input.ordered {
                let (batches, ordered) = finish_sink(&plan, l, &input, ctx)?;
                Pipeline::from_batches(batches, ordered, ctx)
            } else {
                limit = Some((l, l.skip(), l.fetch()));
                input
            }
        }
        None => build_pipeline(&plan, ctx)?,
    };
    let mut deliver = Deliver {
        on_batch,
        skip: limit.map_or(0, |(_, s, _)| s),
        remaining: limit.and_then(|(_, _, f)| f),
        delivered: 0,
    };
    let result = if pipeline.ordered || pipeline.is_materialised() {
        let mut out = Ok(());
        for batch in collect_pipeline(pipeline, ctx)? {
            match deliver.offer(batch) {
                Ok(ControlFlow::Continue(())) => {}
                Ok(ControlFlow::Break(())) => break,
                Err(e) => {
                    out = Err(e);
                    break;
                }
            }
        }
        out
    } else {
        stream_pipeline(&pipeline, ctx, &mut deliver)
    };
    if let Some((l, _, _)) = limit {
        l.metrics().record(deliver.delivered, 0, std::time::Duration::ZERO);
    }
    result?;
    ctx.check_cancelled()
}

/// Hands batches to the caller, applying a root OFFSET / LIMIT.
struct Deliver<'a> {
    on_batch: &'a mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    skip: usize,
    remaining: Option<usize>,
    delivered: usize,
}

impl Deliver<'_> {
    fn offer(&mut self, batch: RecordBatch) -> Result<ControlFlow<()>> {
        if self.remaining == Some(0) {
            return Ok(ControlFlow::Break(()));
        }
        let rows = batch.num_rows();
        let batch = if self.skip > 0 || self.remaining.is_some_and(|r| r < rows) {
            let kept = apply_skip_fetch([batch], self.skip, self.remaining);
            self.skip = self.skip.saturating_sub(rows);
            match kept.into_iter().next() {
                Some(b) => b,
                None => return Ok(ControlFlow::Continue(())),
            }
        } else {
            batch
        };
        let n = batch.num_rows();
        self.delivered += n;
        if let Some(r) = self.remaining.as_mut() {
            *r -= n.min(*r);
        }
        let flow = (self.on_batch)(batch)?;
        if self.remaining == Some(0) {
            return Ok(ControlFlow::Break(()));
        }
        Ok(flow)
    }
}

/// Run an unordered pipeline on the pool from a helper thread; batches come back over a
/// bounded channel to this (the caller's) thread.
fn stream_pipeline(pipeline: &Pipeline, ctx: &TaskContext, deliver: &mut Deliver<'_>) -> Result<()> {
    let (sender, receiver) = std::sync::mpsc::sync_channel::<RecordBatch>(ctx.threads() * 2);
    let stop = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        let worker_stop = Arc::clone(&stop);
        let helper = scope.spawn(move || {
            let global = ChannelGlobal { sender, stop: worker_stop };
            // local states (holding senders) are dropped here, closing the channel
            run_pipeline(pipeline, &global, None, ctx).map(drop)
        });
        let mut result = Ok(());
        for batch in receiver.iter() {
            match deliver.offer(batch) {
                Ok(ControlFlow::Continue(())) => {}
                Ok(ControlFlow::Break(())) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        stop.store(true, Ordering::Relaxed);
        drop(receiver);
        let produced = helper.join().map_err(|_| ShoalError::Internal("a query worker panicked".into()))?;
        result.and(produced)
    })
}
