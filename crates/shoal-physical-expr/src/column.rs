//! [`ColumnExpr`]: a reference to an input column by index.

use std::any::Any;
use std::fmt;

use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, Result};
use shoal_expr::ColumnarValue;

use crate::PhysicalExpr;

/// The input column at `index`; displayed as `name@index`.
#[derive(Debug, Clone)]
pub struct ColumnExpr {
    name: String,
    index: usize,
    data_type: DataType,
    nullable: bool,
}

impl ColumnExpr {
    pub fn new(name: impl Into<String>, index: usize, data_type: DataType, nullable: bool) -> Self {
        Self { name: name.into(), index, data_type, nullable }
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn index(&self) -> usize {
        self.index
    }
}

impl fmt::Display for ColumnExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.name, self.index)
    }
}

impl PhysicalExpr for ColumnExpr {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn data_type(&self) -> &DataType {
        &self.data_type
    }
    fn nullable(&self) -> bool {
        self.nullable
    }
    fn evaluate(&self, batch: &RecordBatch) -> Result<ColumnarValue> {
        if self.index >= batch.num_columns() {
            return internal_err!(
                "column {self} is out of range: the batch has {} columns",
                batch.num_columns()
            );
        }
        let column = batch.column(self.index);
        if column.data_type() != &self.data_type {
            return internal_err!(
                "column {self} was planned as {} but the batch holds {}",
                self.data_type,
                column.data_type()
            );
        }
        Ok(ColumnarValue::Array(column.clone()))
    }
}
