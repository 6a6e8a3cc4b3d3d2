//! [`DataFrame::describe`]: count, null count, mean, standard deviation, min, max and median of
//! every column, computed in one aggregate query (as Polars' and DataFusion's `describe`).

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal_common::Result;
use shoal_datasource::MemTable;
use shoal_expr::expr_fn::count_star;
use shoal_expr::{Expr, LogicalPlanBuilder};

use super::DataFrame;

/// The statistics, in output row order.
const STATISTICS: [&str; 7] = ["count", "null_count", "mean", "std", "min", "max", "median"];

impl DataFrame {
    /// A summary with one row per statistic (`count`, `null_count`, `mean`, `std`, `min`,
    /// `max`, `median`) and one text column per column of this DataFrame; statistics that do
    /// not apply to a column's type (the mean of a string) are NULL. Runs the query once.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 'a'), (3, NULL), (NULL, 'c')) AS t(x, s)")?;
    /// let rows = shoal::rows_to_strings(&df.describe()?.collect()?)?;
    /// assert_eq!(rows[0], "count, 2, 2");
    /// assert_eq!(rows[1], "null_count, 1, 1");
    /// assert_eq!(rows[2], "mean, 2.0, NULL");
    /// assert_eq!(rows[4], "min, 1, a");
    /// assert_eq!(rows[6], "median, 2.0, NULL");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn describe(&self) -> Result<DataFrame> {
        let schema = self.plan.schema().clone();
        // for each column and statistic, the position of its aggregate in the query (if any)
        let mut exprs: Vec<Expr> = vec![];
        let mut slots: Vec<[Option<usize>; 7]> = vec![];
        for i in 0..schema.len() {
            let column = Expr::Column(schema.column(i));
            let t = schema.field(i).data_type();
            let numeric = t.is_numeric();
            let ordered = numeric
                || matches!(
                    t,
                    DataType::Utf8
                        | DataType::LargeUtf8
                        | DataType::Utf8View
                        | DataType::Date32
                        | DataType::Date64
                        | DataType::Timestamp(..)
                );
            let candidates: [Option<Expr>; 7] = [
                Some(column.clone().count()),
                Some(count_star() - column.clone().count()),
                numeric.then(|| column.clone().avg().cast(DataType::Float64)),
                numeric.then(|| column.clone().stddev()),
                ordered.then(|| column.clone().min()),
                ordered.then(|| column.clone().max()),
                numeric.then(|| column.clone().median()),
            ];
            let mut slot = [None; 7];
            for (k, e) in candidates.into_iter().enumerate() {
                if let Some(e) = e {
                    slot[k] = Some(exprs.len());
                    exprs.push(e.alias(format!("__describe_{}", exprs.len())));
                }
            }
            slots.push(slot);
        }
        let values = self.select(exprs)?.collect()?;
        let row = values.iter().find(|b| b.num_rows() > 0);
        let options = FormatOptions::default();
        let mut fields = vec![Field::new("describe", DataType::Utf8, false)];
        let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(STATISTICS.to_vec()))];
        for (i, slot) in slots.iter().enumerate() {
            let mut texts: Vec<Option<String>> = vec![];
            for position in slot {
                let text = match (position, row) {
                    (Some(p), Some(batch)) => {
                        let array = batch.column(*p);
                        if array.is_null(0) {
                            None
                        } else {
                            Some(ArrayFormatter::try_new(array.as_ref(), &options)?.value(0).to_string())
                        }
                    }
                    _ => None,
                };
                texts.push(text);
            }
            fields.push(Field::new(schema.field(i).name(), DataType::Utf8, true));
            columns.push(Arc::new(StringArray::from(texts)));
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)?;
        let table = MemTable::try_new(batch.schema(), vec![batch])?;
        let plan = LogicalPlanBuilder::scan("describe", Arc::new(table))?.build()?;
        Ok(self.with_plan(plan))
    }
}
