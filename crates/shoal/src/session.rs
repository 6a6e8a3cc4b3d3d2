//! [`Session`]: configuration, catalog, function registry and the thread pool of one user.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};

use arrow::array::{ArrayRef, StringArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use shoal_common::{internal_err, plan_err, Result, SessionConfig, ShoalError};
use shoal_datasource::{CsvOptions, CsvTable, MemTable, ParquetOptions, ParquetTable};
use shoal_expr::TableSource;
use shoal_functions::FunctionRegistry;
use shoal_sql::{PlannedStatement, SqlPlanner};

use crate::catalog::Catalog;
use crate::dataframe::DataFrame;
use crate::provider::SessionContextProvider;

/// One user's engine: settings, registered tables and views, functions, and a rayon pool.
/// Cheap to clone (all clones share state).
#[derive(Clone)]
pub struct Session {
    pub(crate) state: Arc<SessionState>,
}

pub(crate) struct SessionState {
    pub(crate) config: RwLock<SessionConfig>,
    pub(crate) pool: RwLock<Arc<rayon::ThreadPool>>,
    pub(crate) catalog: RwLock<Catalog>,
    /// The functions, copy-on-write: a query plans against a snapshot, and registering a
    /// user-defined function swaps in an extended copy (see `udf.rs`).
    pub(crate) registry: RwLock<Arc<FunctionRegistry>>,
    /// The cancel flag of the running (or last) query.
    pub(crate) cancel: RwLock<Arc<AtomicBool>>,
    /// The progress counters of the running (or last) query.
    pub(crate) progress: RwLock<Arc<shoal_physical::Progress>>,
    /// The memory budget shared by the session's queries (`memory_limit`).
    pub(crate) memory: Arc<shoal_physical::MemoryPool>,
    /// The memory of in-memory tables made by CREATE TABLE / INSERT (lower-case name), held
    /// from the pool until the table is dropped or replaced.
    pub(crate) table_memory:
        std::sync::Mutex<std::collections::HashMap<String, Vec<shoal_physical::MemoryReservation>>>,
}

/// The outcome of one SQL statement run by [`Session::execute_sql`].
#[derive(Debug, Clone)]
pub struct StatementResult {
    /// The statement's SQL text.
    pub sql: String,
    /// The result rows (empty for DDL such as CREATE VIEW).
    pub batches: Vec<RecordBatch>,
    /// The schema of the result.
    pub schema: SchemaRef,
}

pub(crate) fn build_pool(threads: usize) -> Result<Arc<rayon::ThreadPool>> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("shoal-worker-{i}"))
        .build()
        .map(Arc::new)
        .map_err(|e| ShoalError::Internal(format!("cannot start the thread pool: {e}")))
}

impl Session {
    /// A session with default settings (threads = all cores).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// assert_eq!(s.config().threads, SessionConfig::default().threads);
    /// assert!(s.table_names().is_empty());
    /// assert_eq!(shoal::rows_to_strings(&s.sql("SELECT 40 + 2")?.collect()?)?, vec!["42"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn new() -> Self {
        Self::with_config(SessionConfig::default())
    }

    /// A session with the given settings.
    ///
    /// # Panics
    /// Never on valid settings; if the operating system refuses to start threads, the pool falls
    /// back to a single thread.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::with_config(SessionConfig::default().with_threads(2).with_batch_size(1024));
    /// assert_eq!((s.config().threads, s.config().batch_size), (2, 1024));
    /// assert_eq!(s.sql("SELECT * FROM (VALUES (1), (2)) AS t(x)")?.count()?, 2);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn with_config(config: SessionConfig) -> Self {
        let pool = build_pool(config.threads).or_else(|_| build_pool(1)).unwrap_or_else(|e| {
            // A machine that cannot start even one thread cannot run shoal at all.
            panic!("{e}")
        });
        let memory = Arc::new(shoal_physical::MemoryPool::new(config.memory_limit));
        Self {
            state: Arc::new(SessionState {
                memory,
                table_memory: Default::default(),
                config: RwLock::new(config),
                pool: RwLock::new(pool),
                catalog: RwLock::new(Catalog::default()),
                registry: RwLock::new(Arc::new(FunctionRegistry::default())),
                cancel: RwLock::new(Arc::new(AtomicBool::new(false))),
                progress: RwLock::new(Arc::default()),
            }),
        }
    }

    /// The current settings (a copy: change them with [`Session::set_config`] or `SET`).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.sql("SET batch_size = 4096")?;
    /// assert_eq!(s.config().batch_size, 4096);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn config(&self) -> SessionConfig {
        self.state.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    /// Change the number of worker threads (rebuilds the pool; 0 counts as 1).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.set_threads(3)?;
    /// assert_eq!(s.config().threads, 3);
    /// s.set_threads(0)?;
    /// assert_eq!(s.config().threads, 1);
    /// assert_eq!(s.sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?.count()?, 3);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn set_threads(&self, threads: usize) -> Result<()> {
        let pool = build_pool(threads)?;
        *self.state.pool.write().map_err(|_| poisoned())? = pool;
        self.state.config.write().map_err(|_| poisoned())?.threads = threads.max(1);
        Ok(())
    }

    /// Replace the settings (the pool is rebuilt if the thread count changed).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.set_config(SessionConfig::default().with_threads(2).with_memory_limit(1 << 30))?;
    /// assert_eq!(s.config().threads, 2);
    /// assert_eq!(s.memory_pool().limit(), Some(1 << 30));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn set_config(&self, config: SessionConfig) -> Result<()> {
        if config.threads != self.config().threads {
            self.set_threads(config.threads)?;
        }
        self.state.memory.set_limit(config.memory_limit);
        *self.state.config.write().map_err(|_| poisoned())? = config;
        Ok(())
    }

    /// Cancel the running query, if any: it stops between batches with
    /// [`ShoalError::Cancelled`]. Safe to call from another thread (a Ctrl-C handler).
    /// With no query running it does nothing: the next query starts with a fresh flag.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.sql("SET batch_size = 10")?;
    /// let df = s.sql("SELECT x FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) AS t(x) CROSS JOIN (VALUES (1), (2)) AS u(y)")?;
    /// // Cancel from inside the query (as a Ctrl-C handler would from another thread).
    /// let err = df.stream(&mut |_batch| {
    ///     df.session().cancel();
    ///     Ok(ControlFlow::Continue(()))
    /// });
    /// assert!(matches!(err, Err(ShoalError::Cancelled)), "{err:?}");
    /// // The next query is not affected.
    /// assert_eq!(df.count()?, 24);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn cancel(&self) {
        if let Ok(flag) = self.state.cancel.read() {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Limit the memory that the session's queries may reserve together (hash tables, sort
    /// buffers, join build sides, ...); `None` removes the limit. A query that needs more fails
    /// with [`ShoalError::ResourcesExhausted`], except a sort, which spills to disk. Scans,
    /// filters and projections stream and need no budget.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{Int64Array, RecordBatch};
    /// use shoal::{Session, SessionConfig, ShoalError};
    /// let session = Session::with_config(SessionConfig::default().with_memory_limit(64 << 20));
    /// session.set_memory_limit(Some(shoal::parse_byte_size("1GB")?))?;
    /// assert_eq!(session.config().memory_limit, Some(1_000_000_000));
    /// let x = Int64Array::from_iter_values(0..100_000);
    /// session.register_batches("t", vec![RecordBatch::try_from_iter([("x", Arc::new(x) as _)])?])?;
    /// session.sql("SET memory_limit = '10KB'")?;
    /// let err = session.sql("SELECT x, count(*) FROM t GROUP BY x")?.collect();
    /// assert!(matches!(err.map_err(|e| e.root().to_string()), Err(m) if m.contains("HashAggregateExec ran out of memory")));
    /// assert_eq!(session.memory_pool().used(), 0);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn set_memory_limit(&self, bytes: Option<usize>) -> Result<()> {
        let mut config = self.config();
        config.memory_limit = bytes.map(|b| b.max(1));
        self.set_config(config)
    }

    /// The session's memory pool: bytes reserved now ([`MemoryPool::used`]) and at peak.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::with_config(SessionConfig::default().with_memory_limit(64 << 20));
    /// assert_eq!(s.memory_pool().limit(), Some(64 << 20));
    /// s.sql("SELECT x, count(*) FROM (VALUES (1), (1), (2)) AS t(x) GROUP BY x")?.collect()?;
    /// // Everything a query reserved is released when it ends.
    /// assert_eq!(s.memory_pool().used(), 0);
    /// # Ok::<(), ShoalError>(())
    /// ```
    ///
    /// [`MemoryPool::used`]: shoal_physical::MemoryPool::used
    pub fn memory_pool(&self) -> &Arc<shoal_physical::MemoryPool> {
        &self.state.memory
    }

    /// Reserve the memory of `batches`, about to be kept as (part of) the in-memory table `name`.
    pub(crate) fn reserve_table_memory(
        &self,
        name: &str,
        batches: &[RecordBatch],
    ) -> Result<shoal_physical::MemoryReservation> {
        let consumer =
            shoal_physical::MemoryConsumer::detached(self.memory_pool(), &format!("table '{name}'"))
                .with_hint("drop in-memory tables that are no longer needed (DROP TABLE)");
        let mut reservation = consumer.reservation();
        reservation.try_grow(shoal_physical::memory::batches_memory_size(batches))?;
        Ok(reservation)
    }

    /// Keep `reservation` for table `name` (replacing what the table held when `replace`);
    /// `None` forgets the table's memory (DROP TABLE).
    pub(crate) fn keep_table_memory(
        &self,
        name: &str,
        reservation: Option<shoal_physical::MemoryReservation>,
        replace: bool,
    ) -> Result<()> {
        let mut tables = self.state.table_memory.lock().map_err(|_| poisoned())?;
        let held = tables.entry(name.to_lowercase()).or_default();
        if replace {
            held.clear();
        }
        held.extend(reservation);
        if held.is_empty() {
            tables.remove(&name.to_lowercase());
        }
        Ok(())
    }

    /// Progress of the running (or last) query: morsels and bytes known and done so far. Safe
    /// to call from another thread (a progress bar).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// assert_eq!(s.progress().rows_read, 0);
    /// s.sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?.collect()?;
    /// let done = s.progress();
    /// assert_eq!(done.morsels_done, done.morsels_total);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn progress(&self) -> shoal_physical::ProgressSnapshot {
        self.state.progress.read().map(|p| p.snapshot()).unwrap_or_default()
    }

    /// The function registry as it is now (built-ins plus registered user-defined functions).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let functions = Session::new().functions();
    /// assert!(functions.scalar("upper").is_some());
    /// assert!(functions.aggregate("sum").is_some());
    /// assert!(functions.scalar("no_such_function").is_none());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn functions(&self) -> Arc<FunctionRegistry> {
        Arc::clone(&self.state.registry.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Register a table under `name` (replacing any table of that name).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::{Int64Array, RecordBatch};
    /// use shoal::prelude::*;
    /// use shoal_datasource::MemTable;
    /// let batch = RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1, 2])) as _)])?;
    /// let s = Session::new();
    /// s.register_table("t", Arc::new(MemTable::try_new(batch.schema(), vec![batch.clone()])?))?;
    /// assert_eq!(s.sql("SELECT * FROM t")?.count()?, 2);
    /// // Registering again replaces the table.
    /// s.register_table("t", Arc::new(MemTable::try_new(batch.schema(), vec![batch.clone(), batch])?))?;
    /// assert_eq!(s.sql("SELECT * FROM t")?.count()?, 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_table(&self, name: &str, source: Arc<dyn TableSource>) -> Result<()> {
        self.state.catalog.write().map_err(|_| poisoned())?.register_table(name, source);
        Ok(())
    }

    /// Register Parquet file(s) (a file, glob or directory) as table `name`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let s = Session::new();
    /// s.sql("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, name)")?.write_parquet(dir.path().join("part-0.parquet"))?;
    /// s.sql("SELECT * FROM (VALUES (3, 'c')) AS t(id, name)")?.write_parquet(dir.path().join("part-1.parquet"))?;
    /// s.register_parquet("one", dir.path().join("part-0.parquet"))?;
    /// s.register_parquet("all", dir.path())?;
    /// assert_eq!(shoal::rows_to_strings(&s.sql("SELECT name FROM one ORDER BY id")?.collect()?)?, vec!["a", "b"]);
    /// assert_eq!(shoal::rows_to_strings(&s.sql("SELECT sum(id) FROM all")?.collect()?)?, vec!["6"]);
    /// assert!(s.register_parquet("missing", dir.path().join("nope.parquet")).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_parquet(&self, name: &str, path: impl AsRef<Path>) -> Result<()> {
        let table = ParquetTable::try_new(&path_str(path.as_ref())?, ParquetOptions::default())?;
        self.register_table(name, Arc::new(table))
    }

    /// Register CSV file(s) with a header row and `,` delimiter (schema inferred) as table `name`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("people.csv");
    /// std::fs::write(&path, "id,name\n1,ann\n2,bob\n")?;
    /// let s = Session::new();
    /// s.register_csv("people", &path)?;
    /// let rows = s.sql("SELECT name FROM people WHERE id = 2")?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["bob"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_csv(&self, name: &str, path: impl AsRef<Path>) -> Result<()> {
        self.register_csv_with(name, path, self.csv_defaults())
    }

    /// Register CSV file(s) with explicit options as table `name`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("scores.txt");
    /// std::fs::write(&path, "ann|3\nbob|5\n")?;
    /// let s = Session::new();
    /// s.register_csv_with("scores", &path, CsvOptions { has_header: false, delimiter: b'|', ..CsvOptions::default() })?;
    /// let df = s.sql("SELECT * FROM scores")?;
    /// assert_eq!(df.schema().fields().len(), 2);
    /// assert_eq!(shoal::rows_to_strings(&df.collect()?)?, vec!["ann, 3", "bob, 5"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_csv_with(&self, name: &str, path: impl AsRef<Path>, options: CsvOptions) -> Result<()> {
        let table = CsvTable::try_new(&path_str(path.as_ref())?, options)?;
        self.register_table(name, Arc::new(table))
    }

    /// Register file(s) whose format is chosen by extension (`.parquet`, `.csv`, `.csv.gz`,
    /// `.tsv`), or a directory of them, as table `name`.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let s = Session::new();
    /// let csv = dir.path().join("a.csv");
    /// std::fs::write(&csv, "x\n1\n2\n")?;
    /// let parquet = dir.path().join("b.parquet");
    /// s.sql("SELECT 10 AS x")?.write_parquet(&parquet)?;
    /// s.register_path("a", &csv)?;
    /// s.register_path("b", &parquet)?;
    /// let rows = s.sql("SELECT x FROM a UNION ALL SELECT x FROM b ORDER BY x")?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["1", "2", "10"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_path(&self, name: &str, path: impl AsRef<Path>) -> Result<()> {
        let table = shoal_datasource::table_from_path(&path_str(path.as_ref())?)?;
        self.register_table(name, table)
    }

    /// Register in-memory batches as table `name` (all of the first batch's schema; at least
    /// one batch).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow::array::Int64Array;
    /// use arrow::record_batch::RecordBatch;
    /// use shoal::prelude::*;
    /// let batch = RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1, 2, 3])) as _)])?;
    /// let s = Session::new();
    /// s.register_batches("t", vec![batch])?;
    /// assert_eq!(shoal::rows_to_strings(&s.sql("SELECT sum(x) FROM t")?.collect()?)?, vec!["6"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn register_batches(&self, name: &str, batches: Vec<RecordBatch>) -> Result<()> {
        let Some(first) = batches.first() else {
            return plan_err!("register_batches('{name}'): at least one batch is needed to know the schema");
        };
        let table = MemTable::try_new(first.schema(), batches)?;
        self.register_table(name, Arc::new(table))
    }

    /// Names of registered tables and views.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.execute_sql("CREATE TABLE t AS SELECT 1 AS x; CREATE VIEW v AS SELECT x FROM t")?;
    /// let mut names = s.table_names();
    /// names.sort();
    /// assert_eq!(names, vec!["t", "v"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn table_names(&self) -> Vec<String> {
        self.state.catalog.read().map(|c| c.names()).unwrap_or_default()
    }

    pub(crate) fn csv_defaults(&self) -> CsvOptions {
        CsvOptions { morsel_bytes: self.config().csv_morsel_bytes, ..CsvOptions::default() }
    }

    /// Plan one SQL statement as a lazy [`DataFrame`]. DDL statements (CREATE VIEW, SET, ...)
    /// take effect at once and give an empty DataFrame. A mistake is an error here, not at
    /// `collect`, and points at its position in the text.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let df = s.sql("SELECT x * 2 AS y FROM (VALUES (1), (2)) AS t(x) ORDER BY y DESC")?;
    /// assert_eq!(shoal::rows_to_strings(&df.collect()?)?, vec!["4", "2"]);
    /// let err = s.sql("SELECT xx FROM (VALUES (1)) AS t(x)").err().map(|e| e.to_string());
    /// assert_eq!(err.as_deref(), Some("column 'xx' not found; did you mean 'x'?"));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn sql(&self, sql: &str) -> Result<DataFrame> {
        let statements = shoal_sql::split_statements(sql)?;
        if statements.len() != 1 {
            return plan_err!(
                "sql() takes exactly one statement, got {} (use execute_sql)",
                statements.len()
            );
        }
        let (_, stmt) = &statements[0];
        let planned = self.plan_statement(stmt)?;
        match planned {
            PlannedStatement::Query(plan) => Ok(DataFrame::new(self.clone(), plan)),
            other => {
                let result = self.run_planned(sql, other)?;
                let table = MemTable::try_new(result.schema.clone(), result.batches)?;
                let plan = shoal_expr::LogicalPlanBuilder::scan("result", Arc::new(table))?.build()?;
                Ok(DataFrame::new(self.clone(), plan))
            }
        }
    }

    /// Run every `;`-separated statement of `sql` in order (DDL included), returning each
    /// statement's result. Stops at the first error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let results = s.execute_sql("CREATE VIEW v AS SELECT 1 AS x; SELECT x + 1 AS y FROM v")?;
    /// assert_eq!(results.len(), 2);
    /// assert!(results[0].batches.is_empty());
    /// assert_eq!(results[1].sql, "SELECT x + 1 AS y FROM v");
    /// assert_eq!(results[1].schema.field(0).name(), "y");
    /// assert_eq!(shoal::rows_to_strings(&results[1].batches)?, vec!["2"]);
    /// assert!(s.execute_sql("SELECT 1; SELECT nope").is_err());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn execute_sql(&self, sql: &str) -> Result<Vec<StatementResult>> {
        let statements = shoal_sql::split_statements(sql)?;
        let mut out = Vec::with_capacity(statements.len());
        for (text, stmt) in statements {
            let planned = self.plan_statement(&stmt)?;
            out.push(self.run_planned(&text, planned)?);
        }
        Ok(out)
    }

    pub(crate) fn plan_statement(&self, stmt: &sqlparser::ast::Statement) -> Result<PlannedStatement> {
        let provider = SessionContextProvider::new(self);
        SqlPlanner::new(&provider).plan_statement(stmt)
    }

    pub(crate) fn run_planned(&self, sql: &str, planned: PlannedStatement) -> Result<StatementResult> {
        let done = |batches: Vec<RecordBatch>, schema: SchemaRef| StatementResult {
            sql: sql.to_string(),
            batches,
            schema,
        };
        match planned {
            PlannedStatement::Query(plan) => {
                let df = DataFrame::new(self.clone(), plan);
                let schema = df.schema();
                Ok(done(df.collect()?, schema))
            }
            PlannedStatement::Explain { analyze, verbose, plan } => {
                let df = DataFrame::new(self.clone(), plan);
                let text = if analyze { df.explain_analyze()? } else { df.explain_with(verbose)? };
                let batch = text_batch(&[("plan", vec![text])])?;
                Ok(done(vec![batch.clone()], batch.schema()))
            }
            PlannedStatement::CreateView { name, or_replace, plan } => {
                self.state.catalog.write().map_err(|_| poisoned())?.register_view(&name, plan, or_replace)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::DropView { name, if_exists } => {
                self.state.catalog.write().map_err(|_| poisoned())?.drop_view(&name, if_exists)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::SetVariable { name, value } => {
                self.set_variable(&name, &value)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::ShowTables => {
                let catalog = self.state.catalog.read().map_err(|_| poisoned())?;
                let (names, kinds): (Vec<String>, Vec<String>) = catalog.entries().into_iter().unzip();
                let batch = text_batch(&[("name", names), ("kind", kinds)])?;
                Ok(done(vec![batch.clone()], batch.schema()))
            }
            PlannedStatement::ShowFunctions => {
                let (names, docs): (Vec<String>, Vec<String>) =
                    self.functions().describe_all().into_iter().unzip();
                let batch = text_batch(&[("name", names), ("description", docs)])?;
                Ok(done(vec![batch.clone()], batch.schema()))
            }
            PlannedStatement::CreateTable { name, or_replace, if_not_exists, plan } => {
                self.create_table(&name, or_replace, if_not_exists, plan)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::Insert { table, plan } => {
                self.insert_into(&table, plan)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::DropTable { name, if_exists } => {
                self.drop_table(&name, if_exists)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::Copy { plan, path, options } => {
                self.copy_to(plan, &path, &options)?;
                Ok(done(vec![], Arc::new(Schema::empty())))
            }
            PlannedStatement::Describe { plan } => {
                let schema = plan.schema();
                let names = schema.fields().iter().map(|f| f.name().clone()).collect();
                let types = schema
                    .fields()
                    .iter()
                    .map(|f| shoal_expr::display::sql_type_name(f.data_type()))
                    .collect();
                let nulls = schema
                    .fields()
                    .iter()
                    .map(|f| if f.is_nullable() { "YES" } else { "NO" }.to_string())
                    .collect();
                let batch = text_batch(&[("column_name", names), ("column_type", types), ("null", nulls)])?;
                Ok(done(vec![batch.clone()], batch.schema()))
            }
        }
    }

    /// `SET name = value`: `threads`, `batch_size`, `optimizer` (on/off),
    /// `optimizer.disable` (comma-separated rule names, empty to clear), `memory_limit` (a size
    /// such as `'4GB'` or `'50%'`, or `'none'`), `spill_path` (a directory, or `''` for the OS
    /// temp dir). The `shoal.` prefix is optional; an unknown setting or a bad value is a plan
    /// error.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.set_variable("threads", "2")?;
    /// s.set_variable("shoal.memory_limit", "'64MB'")?;
    /// s.set_variable("optimizer", "off")?;
    /// let config = s.config();
    /// assert_eq!((config.threads, config.memory_limit, config.optimizer_enabled), (2, Some(64_000_000), false));
    /// s.set_variable("memory_limit", "none")?;
    /// assert_eq!(s.config().memory_limit, None);
    /// assert!(s.set_variable("threads", "many").is_err());
    /// assert!(s.set_variable("no_such_setting", "1").is_err());
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn set_variable(&self, name: &str, value: &str) -> Result<()> {
        let key = name.trim().to_ascii_lowercase();
        let key = key.strip_prefix("shoal.").unwrap_or(&key);
        let value = value.trim().trim_matches('\'');
        let mut config = self.config();
        match key {
            "threads" => {
                config.threads = parse_usize(name, value)?.max(1);
            }
            "batch_size" => config.batch_size = parse_usize(name, value)?.max(1),
            "memory_limit" => {
                config.memory_limit = match value.to_ascii_lowercase().as_str() {
                    "none" | "unlimited" | "off" => None,
                    _ => Some(shoal_common::byte_size::parse_byte_size(value)?),
                }
            }
            "csv_morsel_bytes" | "csv_morsel_size" => {
                config.csv_morsel_bytes = shoal_common::byte_size::parse_byte_size(value)?;
            }
            "spill_path" | "temp_directory" => {
                config.spill_path = (!value.is_empty()).then(|| std::path::PathBuf::from(value));
            }
            "optimizer" | "optimizer.enabled" => {
                config.optimizer_enabled = match value.to_ascii_lowercase().as_str() {
                    "on" | "true" | "1" => true,
                    "off" | "false" | "0" => false,
                    _ => return plan_err!("SET {name}: expected on or off, got '{value}'"),
                }
            }
            "optimizer.disable" | "optimizer.disabled_rules" => {
                config.disabled_rules =
                    value.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                let known = shoal_optimizer::Optimizer::new().rule_names();
                if let Some(bad) = config.disabled_rules.iter().find(|r| !known.iter().any(|k| k == r)) {
                    return plan_err!("unknown optimizer rule '{bad}'; rules are: {}", known.join(", "));
                }
            }
            _ => {
                return plan_err!(
                "unknown setting '{name}'; settings are: threads, batch_size, optimizer, optimizer.disable, memory_limit, spill_path, csv_morsel_bytes"
            )
            }
        }
        self.set_config(config)
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_usize(name: &str, value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(n) => Ok(n),
        Err(_) => plan_err!("SET {name}: expected a whole number, got '{value}'"),
    }
}

fn path_str(path: &Path) -> Result<String> {
    match path.to_str() {
        Some(s) => Ok(s.to_string()),
        None => plan_err!("path {} is not valid UTF-8", path.display()),
    }
}

pub(crate) fn poisoned() -> ShoalError {
    ShoalError::Internal("session state lock poisoned by an earlier panic".into())
}

/// A batch of Utf8 columns.
pub(crate) fn text_batch(columns: &[(&str, Vec<String>)]) -> Result<RecordBatch> {
    let fields: Vec<Field> = columns.iter().map(|(n, _)| Field::new(*n, DataType::Utf8, false)).collect();
    let arrays: Vec<ArrayRef> =
        columns.iter().map(|(_, v)| Arc::new(StringArray::from(v.clone())) as ArrayRef).collect();
    if arrays.is_empty() {
        return internal_err!("text_batch needs a column");
    }
    Ok(RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)?)
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("config", &self.config())
            .field("tables", &self.table_names())
            .finish()
    }
}
