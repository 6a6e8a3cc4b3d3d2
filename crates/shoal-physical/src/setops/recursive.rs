//! [`RecursiveQueryExec`]: `WITH RECURSIVE`, run iteratively; [`WorkTableExec`]: the leaf of
//! the recursive term that reads the rows of the previous iteration from a [`WorkTable`].

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::{Arc, OnceLock, RwLock};

use arrow::array::UInt32Array;
use arrow::compute::take_record_batch;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::RecordBatch;
use shoal_common::{exec_err, internal_err, Result, ShoalError};

use crate::aggregate::group_values::{new_group_values, GroupValues};
use crate::context::TaskContext;
use crate::execute::collect;
use crate::metrics::OperatorMetrics;
use crate::plan::{ComputeOperator, EmitBatch, ExecutionPlan, MorselSource, OperatorRole};
use crate::setops::with_schema;

/// The most iterations of a recursive term before the query fails (a recursion that never
/// stops producing new rows).
pub const MAX_RECURSION_ITERATIONS: usize = 100_000;

/// The rows of the previous iteration of a recursive query, shared by the
/// [`RecursiveQueryExec`] that writes them and the [`WorkTableExec`]s that read them.
#[derive(Debug, Default)]
pub struct WorkTable {
    batches: RwLock<Vec<RecordBatch>>,
}

impl WorkTable {
    fn set(&self, batches: Vec<RecordBatch>) -> Result<()> {
        *self.batches.write().map_err(|_| poisoned())? = batches;
        Ok(())
    }
    fn len(&self) -> Result<usize> {
        Ok(self.batches.read().map_err(|_| poisoned())?.len())
    }
    fn batch(&self, index: usize) -> Result<Option<RecordBatch>> {
        Ok(self.batches.read().map_err(|_| poisoned())?.get(index).cloned())
    }
}

fn poisoned() -> ShoalError {
    ShoalError::Internal("work table lock poisoned by an earlier panic".into())
}

/// Reads the work table of the enclosing recursive query named `name`; one morsel per batch.
#[derive(Debug)]
pub struct WorkTableExec {
    name: String,
    schema: SchemaRef,
    table: OnceLock<Arc<WorkTable>>,
    metrics: OperatorMetrics,
}

impl WorkTableExec {
    /// A reader of the work table `name`, whose rows have `schema`.
    pub fn new(name: impl Into<String>, schema: SchemaRef) -> Self {
        Self { name: name.into(), schema, table: OnceLock::new(), metrics: OperatorMetrics::default() }
    }

    /// The recursive query's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Attach the work table (the first binding wins: an inner recursive query of the same name
    /// binds its own scans before the outer one is planned).
    pub fn bind(&self, table: &Arc<WorkTable>) {
        let _ = self.table.set(Arc::clone(table));
    }

    fn table(&self) -> Result<&Arc<WorkTable>> {
        match self.table.get() {
            Some(t) => Ok(t),
            None => internal_err!("the work table '{}' is read outside its recursive query", self.name),
        }
    }
}

impl ExecutionPlan for WorkTableExec {
    fn name(&self) -> &'static str {
        "WorkTableExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }
    fn describe(&self) -> String {
        format!("WorkTableExec: {}", self.name)
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Source(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl MorselSource for WorkTableExec {
    fn morsel_count(&self) -> usize {
        self.table().and_then(|t| t.len()).unwrap_or(0)
    }
    fn read_morsel(&self, index: usize, emit: &mut EmitBatch<'_>) -> Result<()> {
        let Some(batch) = self.table()?.batch(index)? else {
            return internal_err!("work table morsel {index} out of range");
        };
        let _: ControlFlow<()> = emit(with_schema(&batch, &self.schema)?)?;
        Ok(())
    }
    fn ordered(&self) -> bool {
        true
    }
}

/// Runs the static term, then the recursive term over the previous iteration's rows (bound to
/// `work_table`) until an iteration yields no (new) rows. With `distinct` (UNION) every row is
/// emitted once: rows already produced are dropped before they reach the next iteration.
#[derive(Debug)]
pub struct RecursiveQueryExec {
    name: String,
    static_term: Arc<dyn ExecutionPlan>,
    recursive_term: Arc<dyn ExecutionPlan>,
    work_table: Arc<WorkTable>,
    distinct: bool,
    schema: SchemaRef,
    metrics: OperatorMetrics,
}

impl RecursiveQueryExec {
    /// The recursive query `name`: `static_term` once, then `recursive_term` (which reads the
    /// previous round through `work_table`) until a round yields no new rows.
    pub fn new(
        name: impl Into<String>,
        static_term: Arc<dyn ExecutionPlan>,
        recursive_term: Arc<dyn ExecutionPlan>,
        work_table: Arc<WorkTable>,
        distinct: bool,
        schema: SchemaRef,
    ) -> Self {
        Self {
            name: name.into(),
            static_term,
            recursive_term,
            work_table,
            distinct,
            schema,
            metrics: OperatorMetrics::default(),
        }
    }
}

/// Keeps, of each batch, the rows never seen before (UNION semantics; NULLs equal).
struct SeenRows {
    groups: Box<dyn GroupValues>,
    ids: Vec<u32>,
}

impl SeenRows {
    fn new(schema: &SchemaRef) -> Result<Self> {
        let types: Vec<DataType> = schema.fields().iter().map(|f| f.data_type().clone()).collect();
        Ok(Self { groups: new_group_values(&types)?, ids: vec![] })
    }

    fn keep_new(&mut self, batch: &RecordBatch) -> Result<Option<RecordBatch>> {
        let mut next = self.groups.num_groups();
        self.groups.intern(batch.columns(), batch.num_rows(), &mut self.ids)?;
        let mut keep: Vec<u32> = vec![];
        for (row, &g) in self.ids.iter().enumerate() {
            // ids are handed out in order of first appearance
            if g as usize == next {
                next += 1;
                match u32::try_from(row) {
                    Ok(r) => keep.push(r),
                    Err(_) => return internal_err!("batch too large for the UNION row filter"),
                }
            }
        }
        if keep.is_empty() {
            return Ok(None);
        }
        if keep.len() == batch.num_rows() {
            return Ok(Some(batch.clone()));
        }
        Ok(Some(take_record_batch(batch, &UInt32Array::from(keep))?))
    }
}

impl RecursiveQueryExec {
    /// The rows of one term, renamed to the output schema, without rows seen before.
    fn new_rows(&self, batches: Vec<RecordBatch>, seen: &mut Option<SeenRows>) -> Result<Vec<RecordBatch>> {
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            if batch.num_rows() == 0 {
                continue;
            }
            let batch = with_schema(&batch, &self.schema)?;
            match seen {
                Some(seen) => out.extend(seen.keep_new(&batch)?),
                None => out.push(batch),
            }
        }
        Ok(out)
    }
}

impl ComputeOperator for RecursiveQueryExec {
    fn compute(&self, ctx: &TaskContext) -> Result<(Vec<RecordBatch>, bool)> {
        let mut seen = if self.distinct { Some(SeenRows::new(&self.schema)?) } else { None };
        let mut current = self.new_rows(collect(Arc::clone(&self.static_term), ctx)?, &mut seen)?;
        let mut output: Vec<RecordBatch> = vec![];
        let mut iterations = 0usize;
        while !current.is_empty() {
            if iterations >= MAX_RECURSION_ITERATIONS {
                return exec_err!(
                    "the recursive query '{}' did not finish after {MAX_RECURSION_ITERATIONS} iterations \
                     (does its recursive term stop producing new rows?)",
                    self.name
                );
            }
            iterations += 1;
            ctx.check_cancelled()?;
            output.extend(current.iter().cloned());
            self.work_table.set(std::mem::take(&mut current))?;
            current = self.new_rows(collect(Arc::clone(&self.recursive_term), ctx)?, &mut seen)?;
        }
        self.work_table.set(vec![])?;
        Ok((output, false))
    }
}

impl ExecutionPlan for RecursiveQueryExec {
    fn name(&self) -> &'static str {
        "RecursiveQueryExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.static_term, &self.recursive_term]
    }
    fn describe(&self) -> String {
        format!("RecursiveQueryExec: {} ({})", self.name, if self.distinct { "UNION" } else { "UNION ALL" })
    }
    fn metrics(&self) -> &OperatorMetrics {
        &self.metrics
    }
    fn role(&self) -> OperatorRole<'_> {
        OperatorRole::Compute(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
