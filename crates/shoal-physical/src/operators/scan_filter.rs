//! [`ScanPredicate`]: a filter evaluated inside a scan, with the columns only the predicate
//! reads replaced by placeholders so they are never filtered or copied.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, BinaryArray, BooleanArray, StringArray};
use arrow::buffer::{Buffer, OffsetBuffer};
use arrow::compute::FilterBuilder;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{internal_err, Result};
use shoal_expr::{Expr, Operator, PlanSchema, ScanFilter};
use shoal_physical_expr::{create_physical_expr, evaluate_predicate, PhysicalExprRef};

/// Rows to see before the observed selectivity is trusted.
const MIN_OBSERVED_ROWS: u64 = 8192;
/// The average run length (of kept or dropped rows) from which decoding only the kept rows
/// of the other columns pays.
const MIN_LATE_RUN_LENGTH: u64 = 64;

/// The predicate of a [`crate::operators::ScanExec`], bound twice: to the scan's output (for
/// EXPLAIN and for sources that cannot filter while reading) and to its own columns (for
/// sources that evaluate it on the predicate columns alone, before decoding the rest).
pub struct ScanPredicate {
    /// Bound to the scan's full output schema.
    predicate: PhysicalExprRef,
    /// Bound to a batch holding only `predicate_columns`.
    narrow_predicate: PhysicalExprRef,
    narrow_schema: SchemaRef,
    /// `narrow_predicate` bound with the [`ScanFilter::string_view_columns`] as Utf8View.
    view_predicate: Option<(PhysicalExprRef, SchemaRef)>,
    /// Output positions of the columns the source may hand over as Utf8View.
    view_columns: Vec<usize>,
    predicate_columns: Vec<usize>,
    output_columns: Vec<usize>,
    /// The scan's output schema; columns outside `output_columns` are placeholders.
    schema: SchemaRef,
    decoded_rows: AtomicU64,
    kept_rows: AtomicU64,
    /// Runs of consecutive kept rows.
    kept_runs: AtomicU64,
}

impl fmt::Debug for ScanPredicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScanPredicate")
            .field("predicate", &self.predicate.to_string())
            .field("output_columns", &self.output_columns)
            .finish()
    }
}

impl ScanPredicate {
    /// Bind `predicate` (over `input`, the scan's schema). `needed` lists the columns read
    /// above the scan (all when `None`); other columns that only the predicate reads become
    /// placeholders where that is cheap (strings, binaries, nullable columns).
    pub fn try_new(predicate: &Expr, input: &PlanSchema, needed: Option<&[bool]>) -> Result<Self> {
        let bound = create_physical_expr(predicate, input)?;
        let mut predicate_columns: Vec<usize> =
            predicate.column_refs().iter().map(|c| input.index_of_column(c)).collect::<Result<_>>()?;
        predicate_columns.sort_unstable();
        predicate_columns.dedup();
        let narrow_input = PlanSchema::new(
            predicate_columns.iter().map(|&i| Arc::clone(&input.fields()[i])).collect(),
            predicate_columns.iter().map(|&i| input.qualifier(i).map(str::to_string)).collect(),
        )?;
        let narrow_predicate = create_physical_expr(predicate, &narrow_input)?;
        let narrow_schema = Arc::new(Schema::new(
            narrow_input
                .fields()
                .iter()
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<Field>>(),
        ));
        let schema = input.to_arrow();
        let output_columns: Vec<usize> = (0..input.len())
            .filter(|&i| {
                let wanted = needed.is_none_or(|n| n.get(i).copied().unwrap_or(true));
                wanted || !has_placeholder(&schema.fields()[i])
            })
            .collect();
        let mut not_view_safe = vec![];
        mark_view_unsafe_columns(predicate, input, &mut not_view_safe)?;
        let view_columns: Vec<usize> = predicate_columns
            .iter()
            .copied()
            .filter(|i| {
                output_columns.binary_search(i).is_err()
                    && !not_view_safe.contains(i)
                    && input.fields()[*i].data_type() == &DataType::Utf8
            })
            .collect();
        let view_predicate = if view_columns.is_empty() {
            None
        } else {
            let view_fields: Vec<_> = predicate_columns
                .iter()
                .map(|&i| match view_columns.binary_search(&i) {
                    Ok(_) => Arc::new(input.fields()[i].as_ref().clone().with_data_type(DataType::Utf8View)),
                    Err(_) => Arc::clone(&input.fields()[i]),
                })
                .collect();
            let view_input = PlanSchema::new(view_fields, narrow_input.qualifiers().to_vec())?;
            let view_schema = Arc::new(Schema::new(
                view_input
                    .fields()
                    .iter()
                    .map(|f| f.as_ref().clone().with_nullable(true))
                    .collect::<Vec<Field>>(),
            ));
            Some((create_physical_expr(predicate, &view_input)?, view_schema))
        };
        Ok(Self {
            predicate: bound,
            narrow_predicate,
            narrow_schema,
            view_predicate,
            view_columns,
            predicate_columns,
            output_columns,
            schema,
            decoded_rows: AtomicU64::new(0),
            kept_rows: AtomicU64::new(0),
            kept_runs: AtomicU64::new(0),
        })
    }

    /// The predicate bound to the scan's output columns.
    pub fn predicate(&self) -> &PhysicalExprRef {
        &self.predicate
    }

    /// Columns of the output that are placeholders (read only by the predicate).
    pub fn placeholder_columns(&self) -> Vec<usize> {
        (0..self.schema.fields().len()).filter(|i| self.output_columns.binary_search(i).is_err()).collect()
    }

    /// Rows decoded and rows kept so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.decoded_rows.load(Ordering::Relaxed), self.kept_rows.load(Ordering::Relaxed))
    }

    /// Filter a batch of the scan's full output.
    pub fn apply(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let columns: Vec<ArrayRef> =
            self.predicate_columns.iter().filter_map(|&i| batch.columns().get(i).cloned()).collect();
        if columns.len() != self.predicate_columns.len() {
            return internal_err!("scan batch has {} columns, the predicate needs more", batch.num_columns());
        }
        let mask = self.evaluate(&columns, batch.num_rows())?;
        let kept = mask.true_count();
        if kept == 0 {
            return Ok(batch.slice(0, 0));
        }
        let filter = FilterBuilder::new(&mask).optimize().build();
        let mut out = Vec::with_capacity(batch.num_columns());
        for (i, column) in batch.columns().iter().enumerate() {
            if self.output_columns.binary_search(&i).is_ok() {
                out.push(if kept == batch.num_rows() {
                    Arc::clone(column)
                } else {
                    filter.filter(column)?
                });
            } else {
                out.push(placeholder(&self.schema.fields()[i], kept));
            }
        }
        self.make_batch(out, kept)
    }

    /// Widen a batch of `output_columns` to the scan's full output with placeholders.
    pub fn pad(&self, batch: RecordBatch) -> Result<RecordBatch> {
        if batch.num_columns() != self.output_columns.len() {
            return internal_err!(
                "filtered scan returned {} columns, expected {}",
                batch.num_columns(),
                self.output_columns.len()
            );
        }
        if self.output_columns.len() == self.schema.fields().len() {
            return self.make_batch(batch.columns().to_vec(), batch.num_rows());
        }
        let rows = batch.num_rows();
        let mut given = batch.columns().iter();
        let mut out = Vec::with_capacity(self.schema.fields().len());
        for (i, field) in self.schema.fields().iter().enumerate() {
            match self.output_columns.binary_search(&i) {
                Ok(_) => match given.next() {
                    Some(c) => out.push(Arc::clone(c)),
                    None => return internal_err!("filtered scan returned too few columns"),
                },
                Err(_) => out.push(placeholder(field, rows)),
            }
        }
        self.make_batch(out, rows)
    }

    fn make_batch(&self, columns: Vec<ArrayRef>, rows: usize) -> Result<RecordBatch> {
        Ok(RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?)
    }
}

impl ScanFilter for ScanPredicate {
    fn predicate_columns(&self) -> &[usize] {
        &self.predicate_columns
    }
    fn output_columns(&self) -> &[usize] {
        &self.output_columns
    }
    fn evaluate(&self, columns: &[ArrayRef], rows: usize) -> Result<BooleanArray> {
        let views = columns.iter().any(|c| c.data_type() == &DataType::Utf8View);
        let (predicate, schema) = match &self.view_predicate {
            Some((predicate, schema)) if views => (predicate, schema),
            _ => (&self.narrow_predicate, &self.narrow_schema),
        };
        let batch = RecordBatch::try_new_with_options(
            Arc::clone(schema),
            columns.to_vec(),
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )?;
        let mask = evaluate_predicate(predicate.as_ref(), &batch)?;
        // NULL counts as false: a source may use the mask as a selection directly
        let mask = match mask.nulls() {
            Some(nulls) if nulls.null_count() > 0 => BooleanArray::new(mask.values() & nulls.inner(), None),
            _ => mask,
        };
        let runs = mask.values().set_slices().count();
        self.decoded_rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.kept_rows.fetch_add(mask.true_count() as u64, Ordering::Relaxed);
        self.kept_runs.fetch_add(runs as u64, Ordering::Relaxed);
        Ok(mask)
    }
    fn prefers_late_materialization(&self) -> bool {
        let (decoded, kept) = self.counts();
        let runs = self.kept_runs.load(Ordering::Relaxed);
        // the Parquet reader skips a run of unselected rows without decoding it only when runs
        // are long on average (else it decodes everything and applies a mask)
        decoded >= MIN_OBSERVED_ROWS
            && kept.saturating_mul(2) <= decoded
            && (runs == 0 || decoded / (2 * runs) >= MIN_LATE_RUN_LENGTH)
    }
    fn string_view_columns(&self) -> &[usize] {
        &self.view_columns
    }
}

/// Add to `out` the columns `expr` reads other than as the operand of a shape whose evaluation
/// accepts Utf8View input (column compared with a literal, IN a literal list, LIKE a literal
/// pattern, IS [NOT] NULL, and AND/OR/NOT of those); only the others may be decoded as views.
fn mark_view_unsafe_columns(expr: &Expr, input: &PlanSchema, out: &mut Vec<usize>) -> Result<()> {
    let is_column = |e: &Expr| matches!(e, Expr::Column(_));
    let is_literal = |e: &Expr| matches!(e, Expr::Literal(_));
    match expr {
        Expr::BinaryExpr(b) if matches!(b.op, Operator::And | Operator::Or) => {
            mark_view_unsafe_columns(&b.left, input, out)?;
            return mark_view_unsafe_columns(&b.right, input, out);
        }
        Expr::Not(e) => return mark_view_unsafe_columns(e, input, out),
        Expr::BinaryExpr(b)
            if b.op.is_comparison()
                && !matches!(b.op, Operator::IsDistinctFrom | Operator::IsNotDistinctFrom)
                && ((is_column(&b.left) && is_literal(&b.right))
                    || (is_literal(&b.left) && is_column(&b.right))) =>
        {
            return Ok(())
        }
        Expr::IsNull(e) | Expr::IsNotNull(e) if is_column(e) => return Ok(()),
        Expr::InList(l) if is_column(&l.expr) && l.list.iter().all(is_literal) => return Ok(()),
        Expr::Like(l) if is_column(&l.expr) && is_literal(&l.pattern) => return Ok(()),
        _ => {}
    }
    for column in expr.column_refs() {
        out.push(input.index_of_column(&column)?);
    }
    Ok(())
}

/// Can a column of `field` be replaced by a cheap placeholder?
fn has_placeholder(field: &Field) -> bool {
    field.is_nullable() || matches!(field.data_type(), DataType::Utf8 | DataType::Binary)
}

/// A column nobody reads: NULLs, or empty strings where NULLs are not allowed.
fn placeholder(field: &Field, rows: usize) -> ArrayRef {
    match field.data_type() {
        DataType::Utf8 if !field.is_nullable() => {
            Arc::new(StringArray::new(OffsetBuffer::new_zeroed(rows), Buffer::from(Vec::<u8>::new()), None))
        }
        DataType::Binary if !field.is_nullable() => {
            Arc::new(BinaryArray::new(OffsetBuffer::new_zeroed(rows), Buffer::from(Vec::<u8>::new()), None))
        }
        t => new_null_array(t, rows),
    }
}
