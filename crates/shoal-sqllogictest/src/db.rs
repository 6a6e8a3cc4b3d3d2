//! [`ShoalDb`]: the `sqllogictest::DB` implementation that runs each record's SQL in a shoal session.

use std::panic::{catch_unwind, AssertUnwindSafe};

use shoal::{Result, Session, SessionConfig, ShoalError, StatementResult};
use sqllogictest::{DBOutput, DB};

use crate::column_type::ShoalColumnType;
use crate::render::{column_type, render_batches, ValueStyle};

/// The engine name used by `skipif shoal` / `onlyif shoal`.
pub const ENGINE_NAME: &str = "shoal";

/// One connection of a test file: a shoal [`Session`] plus the convention values print in.
pub struct ShoalDb {
    session: Session,
    style: ValueStyle,
}

impl ShoalDb {
    /// A fresh session with `config`, printing values in `style`.
    pub fn new(config: SessionConfig, style: ValueStyle) -> Self {
        Self { session: Session::with_config(config), style }
    }

    /// The session the SQL runs in.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Run `sql` (one or more `;`-separated statements); a panic inside shoal becomes an
    /// internal error so one bad query does not abort the whole file.
    fn execute(&self, sql: &str) -> Result<Vec<StatementResult>> {
        match catch_unwind(AssertUnwindSafe(|| self.session.execute_sql(sql))) {
            Ok(result) => result,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic payload".to_string());
                Err(ShoalError::Internal(format!("panic: {message}")))
            }
        }
    }
}

impl DB for ShoalDb {
    type Error = ShoalError;
    type ColumnType = ShoalColumnType;

    /// The last statement's result: rows for a query, "statement complete" for DDL (a result with
    /// no columns).
    fn run(&mut self, sql: &str) -> Result<DBOutput<ShoalColumnType>> {
        let results = self.execute(sql)?;
        let Some(last) = results.last() else {
            return Ok(DBOutput::StatementComplete(0));
        };
        if last.schema.fields().is_empty() {
            return Ok(DBOutput::StatementComplete(0));
        }
        let types = last.schema.fields().iter().map(|f| column_type(f.data_type(), self.style)).collect();
        let rows = render_batches(&last.batches, self.style)?;
        Ok(DBOutput::Rows { types, rows })
    }

    fn engine_name(&self) -> &str {
        ENGINE_NAME
    }
}
