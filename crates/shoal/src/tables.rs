//! In-memory tables made by SQL: `CREATE TABLE [AS]`, `INSERT INTO` and `DROP TABLE`.

use std::collections::HashSet;
use std::sync::Arc;

use arrow::array::Array;
use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{exec_err, plan_err, Result};
use shoal_datasource::MemTable;
use shoal_expr::{LogicalPlan, TableSource};

use crate::dataframe::DataFrame;
use crate::session::{poisoned, Session};

impl Session {
    /// `CREATE TABLE`: run `plan` and keep its rows as the in-memory table `name`. Columns of
    /// `CREATE TABLE .. AS query` are nullable; a column list keeps its NOT NULL marks.
    pub(crate) fn create_table(
        &self,
        name: &str,
        or_replace: bool,
        if_not_exists: bool,
        plan: LogicalPlan,
    ) -> Result<()> {
        let exists = self.state.catalog.read().map_err(|_| poisoned())?.contains(name);
        if exists && if_not_exists {
            return Ok(());
        }
        if exists && !or_replace {
            return plan_err!("a table or view named '{name}' already exists (use CREATE OR REPLACE TABLE)");
        }
        let declared = matches!(&plan, LogicalPlan::EmptyRelation(e) if !e.produce_one_row);
        let df = DataFrame::new(self.clone(), plan);
        let schema = df.schema();
        let mut seen = HashSet::new();
        if let Some(dup) = schema.fields().iter().find(|f| !seen.insert(f.name().to_lowercase())) {
            return plan_err!(
                "CREATE TABLE {name}: column '{}' appears more than once (name the columns with AS)",
                dup.name()
            );
        }
        let schema: SchemaRef = if declared {
            schema
        } else {
            let fields: Vec<Field> =
                schema.fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
            Arc::new(Schema::new(fields))
        };
        let batches = df.collect()?;
        let batches = batches.iter().map(|b| conform(b, &schema, name)).collect::<Result<Vec<_>>>()?;
        let memory = self.reserve_table_memory(name, &batches)?;
        let table = MemTable::try_new(schema, batches)?;
        self.state.catalog.write().map_err(|_| poisoned())?.register_table(name, Arc::new(table));
        self.keep_table_memory(name, Some(memory), true)
    }

    /// `INSERT INTO table`: append the rows of `plan` (already in the table's column order and
    /// types) to the in-memory table.
    pub(crate) fn insert_into(&self, table: &str, plan: LogicalPlan) -> Result<()> {
        let schema = self.memory_table(table)?.schema();
        let batches = DataFrame::new(self.clone(), plan).collect()?;
        let mut new_batches =
            batches.iter().map(|b| conform(b, &schema, table)).collect::<Result<Vec<_>>>()?;
        new_batches.retain(|b| b.num_rows() > 0);
        let memory = self.reserve_table_memory(table, &new_batches)?;
        // Re-read the table under the lock, so concurrent inserts do not lose rows.
        let mut catalog = self.state.catalog.write().map_err(|_| poisoned())?;
        let current = catalog.table(table);
        let Some(current) = current.as_ref().and_then(|t| t.as_any().downcast_ref::<MemTable>()) else {
            return plan_err!("table '{table}' was dropped while rows were being inserted");
        };
        if current.schema() != schema {
            return plan_err!("table '{table}' was replaced while rows were being inserted");
        }
        let mut all = current.batches().to_vec();
        all.extend(new_batches);
        let updated = MemTable::try_new(schema, all)?;
        let name = registered_name(&catalog.names(), table);
        catalog.register_table(&name, Arc::new(updated));
        drop(catalog);
        self.keep_table_memory(table, Some(memory), false)
    }

    /// `DROP TABLE`.
    pub(crate) fn drop_table(&self, name: &str, if_exists: bool) -> Result<()> {
        self.state.catalog.write().map_err(|_| poisoned())?.drop_table(name, if_exists)?;
        self.keep_table_memory(name, None, true)
    }

    /// The in-memory table `name`, or an error saying why rows cannot be added to it.
    fn memory_table(&self, name: &str) -> Result<MemTable> {
        let catalog = self.state.catalog.read().map_err(|_| poisoned())?;
        let Some(table) = catalog.table(name) else {
            return plan_err!("table '{name}' does not exist");
        };
        match table.as_any().downcast_ref::<MemTable>() {
            Some(mem) => Ok(mem.clone()),
            None => {
                plan_err!("cannot INSERT INTO '{name}': only tables made with CREATE TABLE accept new rows")
            }
        }
    }
}

/// The name `name` was registered under (its original spelling).
fn registered_name(names: &[String], name: &str) -> String {
    names.iter().find(|n| n.eq_ignore_ascii_case(name)).cloned().unwrap_or_else(|| name.to_string())
}

/// `batch` under the table's schema (names and nullability), checking NOT NULL columns.
fn conform(batch: &RecordBatch, schema: &SchemaRef, table: &str) -> Result<RecordBatch> {
    if batch.num_columns() != schema.fields().len() {
        return exec_err!(
            "table '{table}' has {} columns but the rows have {}",
            schema.fields().len(),
            batch.num_columns()
        );
    }
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if field.data_type() != column.data_type() {
            return exec_err!(
                "column '{}' of table '{table}' is {} but the rows have {}",
                field.name(),
                field.data_type(),
                column.data_type()
            );
        }
        if !field.is_nullable() && column.null_count() > 0 {
            return exec_err!(
                "NULL value in column '{}' of table '{table}' violates its NOT NULL constraint",
                field.name()
            );
        }
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), batch.columns().to_vec(), &options)?)
}
