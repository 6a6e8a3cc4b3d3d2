//! [`ShoalDb`]: the `sqllogictest::DB` implementation that runs each record's SQL in a shoal session.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, MutexGuard};

use shoal::{Result, Session, SessionConfig, ShoalError, StatementResult};
use sqllogictest::{DBOutput, DB};

use crate::column_type::ShoalColumnType;
use crate::render::{column_type, render_batches, render_sqlite_batches, ValueStyle};

/// The engine name used by `skipif shoal` / `onlyif shoal`.
pub const ENGINE_NAME: &str = "shoal";

/// Something to do with each new session before its first record (e.g. register functions).
pub type SessionSetup = Arc<dyn Fn(&Session) + Send + Sync>;

/// What the driver of a file ([`crate::ShoalRunner`]) and its connections share: the type letters
/// of the record being run (SQLite's convention formats values by them) and any panic caught
/// while running it.
#[derive(Default)]
pub(crate) struct RecordContext {
    letters: Mutex<Option<Vec<ShoalColumnType>>>,
    panic: Mutex<Option<String>>,
    setup: Mutex<Option<SessionSetup>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl RecordContext {
    pub(crate) fn set_letters(&self, letters: Option<Vec<ShoalColumnType>>) {
        *lock(&self.letters) = letters;
    }

    fn letters(&self) -> Option<Vec<ShoalColumnType>> {
        lock(&self.letters).clone()
    }

    fn record_panic(&self, message: String) {
        lock(&self.panic).get_or_insert(message);
    }

    /// The message of the first panic since the last call, if any.
    pub(crate) fn take_panic(&self) -> Option<String> {
        lock(&self.panic).take()
    }

    pub(crate) fn set_setup(&self, setup: SessionSetup) {
        *lock(&self.setup) = Some(setup);
    }

    pub(crate) fn setup(&self) -> Option<SessionSetup> {
        lock(&self.setup).clone()
    }
}

/// One connection of a test file: a shoal [`Session`] plus the convention values print in.
pub struct ShoalDb {
    session: Session,
    style: ValueStyle,
    context: Arc<RecordContext>,
}

impl ShoalDb {
    /// A fresh session with `config`, printing values in `style`.
    pub fn new(config: SessionConfig, style: ValueStyle) -> Self {
        Self::with_context(config, style, Arc::default())
    }

    pub(crate) fn with_context(
        config: SessionConfig,
        style: ValueStyle,
        context: Arc<RecordContext>,
    ) -> Self {
        let session = Session::with_config(config);
        if let Some(setup) = context.setup() {
            setup(&session);
        }
        Self { session, style, context }
    }

    /// The session the SQL runs in.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Run `sql` (one or more `;`-separated statements). A panic inside shoal is caught so the
    /// file goes on, and becomes an error `panic: ...`; it is also recorded, and the runner
    /// ([`crate::ShoalRunner`]) fails the record for it whatever the record expected, so a panic
    /// never passes as the error a `statement error` / `query error` record expects.
    fn execute(&self, sql: &str) -> Result<Vec<StatementResult>> {
        match catch_unwind(AssertUnwindSafe(|| self.session.execute_sql(sql))) {
            Ok(result) => result,
            Err(payload) => {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic payload".to_string());
                self.context.record_panic(message.clone());
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
        let rows = match (self.style, self.context.letters()) {
            (ValueStyle::Sqlite, Some(letters)) => render_sqlite_batches(&last.batches, &letters)?,
            _ => render_batches(&last.batches, self.style)?,
        };
        Ok(DBOutput::Rows { types, rows })
    }

    fn engine_name(&self) -> &str {
        ENGINE_NAME
    }
}
