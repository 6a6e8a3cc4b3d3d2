//! [`Session::execute_sql_stream`]: every statement of a SQL text run in order, with each
//! query's rows handed to a [`StatementSink`] as they are produced instead of collected.

use std::ops::ControlFlow;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::Result;
use shoal_sql::PlannedStatement;

use crate::dataframe::DataFrame;
use crate::session::Session;

/// Where [`Session::execute_sql_stream`] sends each statement's result.
pub trait StatementSink {
    /// A statement is about to produce rows with `schema` (empty for DDL); `sql` is its text.
    fn start(&mut self, sql: &str, schema: &SchemaRef) -> Result<()>;
    /// One batch of the current statement's rows; `Break` stops the statement early (not an
    /// error).
    fn batch(&mut self, batch: RecordBatch) -> Result<ControlFlow<()>>;
    /// The current statement produced all its rows.
    fn finish(&mut self) -> Result<()>;
}

impl Session {
    /// Run every `;`-separated statement of `sql` in order, like [`Session::execute_sql`], but
    /// stream each query's rows into `sink` (memory stays bounded for streaming plans). Other
    /// statements (DDL, EXPLAIN, SHOW, ...) hand over their small results the same way. Stops at
    /// the first error; errors carry spans into `sql`.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use shoal::prelude::*;
    /// use shoal::StatementSink;
    /// use arrow::{datatypes::SchemaRef, record_batch::RecordBatch};
    ///
    /// #[derive(Default)]
    /// struct Count(Vec<(String, usize)>);
    /// impl StatementSink for Count {
    ///     fn start(&mut self, sql: &str, _: &SchemaRef) -> shoal::Result<()> {
    ///         Ok(self.0.push((sql.to_string(), 0)))
    ///     }
    ///     fn batch(&mut self, b: RecordBatch) -> shoal::Result<ControlFlow<()>> {
    ///         if let Some(last) = self.0.last_mut() { last.1 += b.num_rows() }
    ///         Ok(ControlFlow::Continue(()))
    ///     }
    ///     fn finish(&mut self) -> shoal::Result<()> { Ok(()) }
    /// }
    /// let s = Session::new();
    /// let mut sink = Count::default();
    /// s.execute_sql_stream("CREATE VIEW v AS SELECT 1 AS x; SELECT * FROM v, (VALUES (1), (2)) t(y)", &mut sink)?;
    /// assert_eq!(sink.0, vec![("CREATE VIEW v AS SELECT 1 AS x".to_string(), 0), ("SELECT * FROM v, (VALUES (1), (2)) t(y)".to_string(), 2)]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn execute_sql_stream(&self, sql: &str, sink: &mut dyn StatementSink) -> Result<()> {
        for (text, stmt) in shoal_sql::split_statements(sql)? {
            match self.plan_statement(&stmt)? {
                PlannedStatement::Query(plan) => {
                    let df = DataFrame::new(self.clone(), plan);
                    sink.start(&text, &df.schema())?;
                    df.stream(&mut |batch| sink.batch(batch))?;
                }
                other => {
                    let result = self.run_planned(&text, other)?;
                    sink.start(&text, &result.schema)?;
                    for batch in result.batches {
                        if sink.batch(batch)?.is_break() {
                            break;
                        }
                    }
                }
            }
            sink.finish()?;
        }
        Ok(())
    }
}
