//! Shared test helpers: an in-memory table (one morsel per batch), plan runners at several
//! thread counts and row formatting.
#![allow(dead_code)]

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch};
use arrow::datatypes::{Schema, SchemaRef};
use arrow::record_batch::RecordBatchOptions;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal_common::{Result, SessionConfig};
use shoal_expr::{
    AggregateFunction, AggregateFunctionExpr, Expr, LogicalPlan, ScanSource, Statistics, TableSource,
};
use shoal_physical::{collect, create_physical_plan, TaskContext};

/// A table of batches held in memory; each batch is one morsel.
#[derive(Debug)]
pub struct MemTable {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    /// How many morsels have been read (to check early stopping).
    pub morsels_read: Arc<AtomicUsize>,
}

impl MemTable {
    pub fn new(batches: Vec<RecordBatch>) -> Arc<Self> {
        let schema = batches[0].schema();
        Arc::new(Self { schema, batches, morsels_read: Arc::new(AtomicUsize::new(0)) })
    }
    pub fn empty(schema: SchemaRef) -> Arc<Self> {
        Arc::new(Self { schema, batches: vec![], morsels_read: Arc::new(AtomicUsize::new(0)) })
    }
    pub fn reads(&self) -> usize {
        self.morsels_read.load(Ordering::SeqCst)
    }
}

impl TableSource for MemTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn description(&self) -> String {
        "memory".into()
    }
    fn scan(
        &self,
        projection: Option<&[usize]>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        let (schema, batches) = match projection {
            None => (Arc::clone(&self.schema), self.batches.clone()),
            Some(p) => {
                let schema = Arc::new(self.schema.project(p)?);
                let batches = self
                    .batches
                    .iter()
                    .map(|b| {
                        let columns: Vec<ArrayRef> = p.iter().map(|&i| Arc::clone(b.column(i))).collect();
                        RecordBatch::try_new_with_options(
                            Arc::clone(&schema),
                            columns,
                            &RecordBatchOptions::new().with_row_count(Some(b.num_rows())),
                        )
                    })
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                (schema, batches)
            }
        };
        Ok(Arc::new(MemScan { schema, batches, morsels_read: Arc::clone(&self.morsels_read) }))
    }
}

#[derive(Debug)]
pub struct MemScan {
    schema: SchemaRef,
    batches: Vec<RecordBatch>,
    morsels_read: Arc<AtomicUsize>,
}

impl ScanSource for MemScan {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn morsel_count(&self) -> usize {
        self.batches.len()
    }
    fn read_morsel(
        &self,
        index: usize,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        self.morsels_read.fetch_add(1, Ordering::SeqCst);
        if let Some(b) = self.batches.get(index) {
            let _ = emit(b.clone())?;
        }
        Ok(())
    }
    fn describe(&self) -> String {
        format!("memory: {} batches", self.batches.len())
    }
}

/// A context with its own pool of `threads` workers and small batches.
pub fn ctx(threads: usize) -> TaskContext {
    TaskContext::try_new(SessionConfig::default().with_threads(threads).with_batch_size(4)).unwrap()
}

/// Plan and run at `threads` threads.
pub fn run(plan: &LogicalPlan, threads: usize) -> Result<Vec<RecordBatch>> {
    let ctx = ctx(threads);
    let physical = create_physical_plan(plan, ctx.config())?;
    collect(physical, &ctx)
}

/// Every row as `a|b|c` (NULL spelled out), in output order.
pub fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let options = FormatOptions::default().with_null("NULL");
    let mut out = vec![];
    for b in batches {
        let formatters: Vec<ArrayFormatter> =
            b.columns().iter().map(|c| ArrayFormatter::try_new(c.as_ref(), &options).unwrap()).collect();
        for r in 0..b.num_rows() {
            let cells: Vec<String> = formatters.iter().map(|f| f.value(r).to_string()).collect();
            out.push(cells.join("|"));
        }
    }
    out
}

/// Rows at 1 and 4 threads, checked equal; `sorted` compares (and returns) them sorted.
pub fn rows_at_1_and_4(plan: &LogicalPlan, sorted: bool) -> Vec<String> {
    let mut one = rows(&run(plan, 1).unwrap());
    let mut four = rows(&run(plan, 4).unwrap());
    if sorted {
        one.sort();
        four.sort();
    }
    assert_eq!(one, four, "1 thread and 4 threads disagree");
    one
}

pub fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// `func([DISTINCT] arg)`.
pub fn agg(func: AggregateFunction, arg: Option<Expr>, distinct: bool) -> Expr {
    Expr::AggregateFunction(AggregateFunctionExpr {
        func,
        args: arg.into_iter().collect(),
        distinct,
        filter: None,
        order_by: vec![],
    })
}

/// `func(arg) FILTER (WHERE filter)`.
pub fn agg_filtered(func: AggregateFunction, arg: Option<Expr>, filter: Expr) -> Expr {
    Expr::AggregateFunction(AggregateFunctionExpr {
        func,
        args: arg.into_iter().collect(),
        distinct: false,
        filter: Some(Box::new(filter)),
        order_by: vec![],
    })
}

pub fn schema_of(batches: &[RecordBatch]) -> Arc<Schema> {
    batches[0].schema()
}

/// A memory table that reports a row count, so the planner can pick the build side.
#[derive(Debug)]
pub struct Sized(pub Arc<MemTable>, pub usize);

impl TableSource for Sized {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        self.0.schema()
    }
    fn statistics(&self) -> Statistics {
        Statistics { num_rows: Some(self.1), total_byte_size: None }
    }
    fn description(&self) -> String {
        "sized memory".into()
    }
    fn scan(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        self.0.scan(projection, filters, limit)
    }
}

/// A table: an `id` column (named `id_name`) and key columns, split into `batches` batches.
struct Table {
    id_name: &'static str,
    key_names: Vec<&'static str>,
    ids: Vec<i64>,
    keys: Vec<ArrayRef>,
}
