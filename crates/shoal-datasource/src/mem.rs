//! [`MemTable`]: a table of in-memory record batches; each morsel is a slice of one batch.

use std::any::Any;
use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{plan_err, Result};
use shoal_expr::{ColumnStatistics, Expr, ScanSource, Statistics, TableSource};

use crate::project_schema;
use crate::statistics::{exact_column_statistics, ColumnStatisticsCache};

/// Rows per morsel: larger batches are sliced so workers share the work.
const MORSEL_ROWS: usize = 8192;

/// A table held in memory as record batches of one schema.
#[derive(Debug, Clone)]
pub struct MemTable {
    schema: SchemaRef,
    batches: Arc<Vec<RecordBatch>>,
    /// Exact per-column statistics, computed when the optimizer first asks.
    column_statistics: Arc<ColumnStatisticsCache>,
}

impl MemTable {
    /// A table of `batches`, which must all have `schema`'s columns and types.
    pub fn try_new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<Self> {
        for (i, batch) in batches.iter().enumerate() {
            let got = batch.schema();
            if got.fields().len() != schema.fields().len() {
                return plan_err!(
                    "batch {i} has {} columns but the table schema has {}",
                    got.fields().len(),
                    schema.fields().len()
                );
            }
            for (want, have) in schema.fields().iter().zip(got.fields()) {
                if want.data_type() != have.data_type() {
                    return plan_err!(
                        "batch {i}: column '{}' is {} but the table schema says {}",
                        have.name(),
                        have.data_type(),
                        want.data_type()
                    );
                }
            }
        }
        Ok(Self { schema, batches: Arc::new(batches), column_statistics: Arc::default() })
    }

    /// The batches of the table.
    pub fn batches(&self) -> &[RecordBatch] {
        &self.batches
    }
}

impl TableSource for MemTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn statistics(&self) -> Statistics {
        Statistics {
            num_rows: Some(self.batches.iter().map(|b| b.num_rows()).sum()),
            total_byte_size: Some(self.batches.iter().map(|b| b.get_array_memory_size()).sum()),
        }
    }
    fn column_statistics(&self, column: usize) -> ColumnStatistics {
        self.column_statistics.get_or_compute(column, || {
            let chunks: Vec<_> =
                self.batches.iter().filter_map(|b| b.columns().get(column).cloned()).collect();
            exact_column_statistics(&chunks)
        })
    }
    fn description(&self) -> String {
        format!("memory: {} batches", self.batches.len())
    }
    fn scan(
        &self,
        projection: Option<&[usize]>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        let schema = project_schema(&self.schema, projection)?;
        let mut morsels = vec![];
        let mut rows = 0usize;
        'outer: for (b, batch) in self.batches.iter().enumerate() {
            let mut offset = 0;
            while offset < batch.num_rows() {
                let len = MORSEL_ROWS.min(batch.num_rows() - offset);
                morsels.push((b, offset, len));
                rows += len;
                offset += len;
                if limit.is_some_and(|l| rows >= l) {
                    break 'outer;
                }
            }
        }
        Ok(Arc::new(MemScan {
            schema,
            projection: projection.map(<[usize]>::to_vec),
            batches: Arc::clone(&self.batches),
            morsels,
        }))
    }
}

/// A planned scan of a [`MemTable`].
#[derive(Debug)]
struct MemScan {
    schema: SchemaRef,
    projection: Option<Vec<usize>>,
    batches: Arc<Vec<RecordBatch>>,
    /// (batch, offset, length)
    morsels: Vec<(usize, usize, usize)>,
}

impl ScanSource for MemScan {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn morsel_count(&self) -> usize {
        self.morsels.len()
    }
    fn read_morsel(
        &self,
        index: usize,
        emit: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>,
    ) -> Result<()> {
        let Some(&(b, offset, len)) = self.morsels.get(index) else {
            return shoal_common::internal_err!("morsel {index} out of range");
        };
        let Some(batch) = self.batches.get(b) else {
            return shoal_common::internal_err!("batch {b} out of range");
        };
        let slice = batch.slice(offset, len);
        let columns = match &self.projection {
            Some(p) => p.iter().map(|&i| Arc::clone(slice.column(i))).collect(),
            None => slice.columns().to_vec(),
        };
        let out = RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(len)),
        )?;
        let _ = emit(out)?;
        Ok(())
    }
    fn describe(&self) -> String {
        let cols: Vec<&str> = self.schema.fields().iter().map(|f| f.name().as_str()).collect();
        format!("memory: {} morsels, columns=[{}]", self.morsels.len(), cols.join(", "))
    }
}
