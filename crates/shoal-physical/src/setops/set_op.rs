//! [`SetOpExec`]: INTERSECT / EXCEPT, with or without ALL, by counting each distinct row on
//! both sides in one hash table (rows compare with NULLs equal, as in GROUP BY).

use std::any::Any;
use std::sync::Arc;

use arrow::array::{ArrayRef, UInt32Array};
use arrow::compute::take;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result};
use shoal_expr::SetOpKind;

use crate::aggregate::group_values::{new_group_values, GroupValues};
use crate::context::TaskContext;
use crate::execute::collect;
use crate::memory::{batches_memory_size, estimated_group_bytes, MemoryConsumer};
use crate::metrics::OperatorMetrics;
use crate::plan::{ComputeOperator, ExecutionPlan, OperatorRole};

/// `left INTERSECT [ALL] right` or `left EXCEPT [ALL] right`. Both inputs run in parallel
/// pipelines; their rows are then counted per distinct value. A row seen `l` times on the left
/// and `r` times on the right is emitted `min(l, r)` (INTERSECT ALL), `max(l - r, 0)` (EXCEPT
/// ALL), or once when that number is positive (without ALL), in order of first appearance on
/// the left.
#[derive(Debug)]
pub struct SetOpExec {
    op: SetOpKind,
    all: bool,
    left: Arc<dyn ExecutionPlan>,
    right: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    metrics: OperatorMetrics,
}

impl SetOpExec {
    /// `left op [ALL] right` (INTERSECT or EXCEPT) over inputs of the same columns.
    pub fn new(
        op: SetOpKind,
        all: bool,
        left: Arc<dyn ExecutionPlan>,
        right: Arc<dyn ExecutionPlan>,
        schema: SchemaRef,
    ) -> Self {
        Self { op, all, left, right, schema, metrics: OperatorMetrics::default() }
    }

    /// How many copies of a row seen `l` times on the left and `r` on the right to emit.
    fn copies(&self, l: u64, r: u64) -> u64 {
        let n = match self.op {
            SetOpKind::Intersect => l.min(r),
            SetOpKind::Except => l.saturating_sub(r),
        };
        if self.all {
            n
        } else {
            // EXCEPT DISTINCT: present on the left and absent on the right.
            match self.op {
                SetOpKind::Intersect => n.min(1),
                SetOpKind::Except => u64::from(l > 0 && r == 0),
            }
        }
    }
}

/// Intern every row of `batches`, adding one to `counts[group]` per row.
fn count_rows(
    groups: &mut dyn GroupValues,
    batches: &[RecordBatch],
    counts: &mut Vec<u64>,
    ids: &mut Vec<u32>,
) -> Result<()> {
    for batch in batches {
        groups.intern(batch.columns(), batch.num_rows(), ids)?;
        counts.resize(groups.num_groups(), 0);
        for &g in ids.iter() {
            match counts.get_mut(g as usize) {
                Some(c) => *c += 1,
                None => return internal_err!("group id {g} out of range"),
            }
        }
    }
    Ok(())
}

impl ComputeOperator for SetOpExec {
    fn compute(&self, ctx: &TaskContext) -> Result<(Vec<RecordBatch>, bool)> {
        let left = collect(Arc::clone(&self.left), ctx)?;
        let right = collect(Arc::clone(&self.right), ctx)?;
        let types: Vec<DataType> = self.schema.fields().iter().map(|f| f.data_type().clone()).collect();
        let hint = "filter the inputs of the INTERSECT / EXCEPT first";
        let mut memory = MemoryConsumer::new(ctx, self.name(), hint, &self.metrics).reservation();
        memory.try_grow(batches_memory_size(&left).saturating_add(batches_memory_size(&right)))?;
        let mut groups = new_group_values(&types)?;
        let mut ids = vec![];
        let mut left_counts = vec![];
        count_rows(groups.as_mut(), &left, &mut left_counts, &mut ids)?;
        let mut right_counts = vec![];
        count_rows(groups.as_mut(), &right, &mut right_counts, &mut ids)?;
        memory.try_grow(groups.num_groups().saturating_mul(estimated_group_bytes(&types, 2)))?;
        ctx.check_cancelled()?;
        // Groups first seen on the right have no left rows and emit nothing.
        let mut indices: Vec<u32> = vec![];
        for (g, &l) in left_counts.iter().enumerate() {
            let r = right_counts.get(g).copied().unwrap_or(0);
            let n = self.copies(l, r);
            let Ok(g) = u32::try_from(g) else {
                return internal_err!("group id {g} does not fit in u32");
            };
            indices.extend(std::iter::repeat_n(g, usize::try_from(n).unwrap_or(usize::MAX)));
        }
        let emitted = groups.emit()?;
        let indices = UInt32Array::from(indices);
        let columns = emitted
            .keys
            .iter()
            .zip(self.schema.fields())
            .map(|(k, f)| {
                let a = take(k.as_ref(), &indices, None)?;
                Ok(if a.data_type() == f.data_type() { a } else { arrow::compute::cast(&a, f.data_type())? })
            })
            .collect::<Result<Vec<ArrayRef>>>()?;
        if columns.len() != self.schema.fields().len() {
            return internal_err!(
                "SetOpExec: {} key columns for {} fields",
                columns.len(),
                self.schema.fields().len()
            );
        }
        let options = RecordBatchOptions::new().with_row_count(Some(indices.len()));
        let batch = RecordBatch::try_new_with_options(Arc::clone(&self.schema), columns, &options)?;
        let batches = if batch.num_rows() > 0 { vec![batch] } else { vec![] };
        // Left-first-appearance order is deterministic but not an ORDER BY: report unordered.
        Ok((batches, false))
    }
}

impl ExecutionPlan for SetOpExec {
    fn name(&self) -> &'static str {
        "SetOpExec"
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.left, &self.right]
    }
    fn describe(&self) -> String {
        format!("SetOpExec: {}{}", self.op, if self.all { " ALL" } else { "" })
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
