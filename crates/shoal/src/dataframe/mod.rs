//! [`DataFrame`]: a session plus a logical plan; nothing runs until `collect`.
//!
//! Every transformation builds the plan through the same `LogicalPlanBuilder` as SQL, in the
//! same shapes (so a query written both ways has the same optimized plan), and returns
//! `Result<DataFrame>`: an unknown column, an unknown function or a type error is reported by
//! the call that introduced it.

mod aggregate;
mod describe;
mod group_by;
mod join;
mod resolve;
mod select;
mod sources;
mod write;

pub use group_by::GroupBy;
pub use write::rows_to_strings;

use std::ops::ControlFlow;
use std::sync::Arc;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal_common::{plan_err, Result};
use shoal_expr::{Expr, LogicalPlan, LogicalPlanBuilder, SortExpr};
use shoal_optimizer::{Optimizer, OptimizerContext};
use shoal_physical::{ExecutionPlan, TaskContext};

use crate::provider::PhysicalConstEvaluator;
use crate::session::{poisoned, Session};

/// A lazy query: a session plus a logical plan.
///
/// ```
/// use shoal::prelude::*;
/// let session = Session::new();
/// let df = session.sql("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, 'c')) AS t(id, name)")?;
/// let out = df.filter(col("id").gt(lit(1i64)))?.select([col("name").str().upper().alias("up")])?;
/// let batches = out.sort([col("up").desc()])?.collect()?;
/// assert_eq!(shoal::rows_to_strings(&batches)?, vec!["C", "B"]);
/// # Ok::<(), ShoalError>(())
/// ```
#[derive(Clone)]
pub struct DataFrame {
    session: Session,
    plan: LogicalPlan,
}

impl DataFrame {
    pub(crate) fn new(session: Session, plan: LogicalPlan) -> Self {
        Self { session, plan }
    }

    /// The session this DataFrame runs in.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.execute_sql("CREATE VIEW v AS SELECT 1 AS x")?;
    /// let df = s.sql("SELECT 2 AS y")?;
    /// assert_eq!(df.session().table_names(), vec!["v"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// A DataFrame over `plan` in the same session.
    fn with_plan(&self, plan: LogicalPlan) -> DataFrame {
        DataFrame::new(self.session.clone(), plan)
    }

    fn builder(&self) -> LogicalPlanBuilder {
        LogicalPlanBuilder::from(self.plan.clone())
    }

    /// `expr` with its columns and functions resolved against this DataFrame's columns and
    /// the session's registry.
    fn resolve(&self, expr: Expr) -> Result<Expr> {
        resolve::resolve_expr(&self.session, expr, self.plan.schema())
    }

    /// The schema of the result (known without running the query).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT 1 AS id, 'x' AS name")?;
    /// let schema = df.schema();
    /// assert_eq!(schema.field(0).name(), "id");
    /// assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn schema(&self) -> SchemaRef {
        self.plan.schema().to_arrow()
    }

    /// The logical plan as built (before optimization).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT x FROM (VALUES (1), (5)) AS t(x)")?.filter(col("x").gt(lit(1i64) + lit(1i64)))?;
    /// let text = df.logical_plan().display_indent();
    /// assert!(text.starts_with("Filter: ") && text.contains("1 + 1"), "{text}");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn logical_plan(&self) -> &LogicalPlan {
        &self.plan
    }

    /// The logical plan after the optimizer (constants folded, filters and projections pushed
    /// down, joins reordered, ...); the query does not run.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT x FROM (VALUES (1), (5)) AS t(x)")?.filter(col("x").gt(lit(1i64) + lit(1i64)))?;
    /// let text = df.optimized_plan()?.display_indent();
    /// assert!(text.contains("> 2") && !text.contains("1 + 1"), "{text}");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn optimized_plan(&self) -> Result<LogicalPlan> {
        let config = self.session.config();
        let ctx = OptimizerContext { config: &config, evaluator: &PhysicalConstEvaluator };
        Optimizer::new().optimize(self.plan.clone(), &ctx)
    }

    /// The physical plan the optimized logical plan runs as (the query does not run).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT x FROM (VALUES (1), (5)) AS t(x) ORDER BY x")?;
    /// let plan = df.physical_plan()?;
    /// assert_eq!(plan.name(), "SortExec");
    /// assert_eq!(plan.schema().field(0).name(), "x");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn physical_plan(&self) -> Result<Arc<dyn ExecutionPlan>> {
        shoal_physical::create_physical_plan(&self.optimized_plan()?, &self.session.config())
    }

    fn task_context(&self) -> Result<TaskContext> {
        let pool = Arc::clone(&*self.session.state.pool.read().map_err(|_| poisoned())?);
        let ctx = TaskContext::with_pool(pool, self.session.config())
            .with_memory_pool(Arc::clone(self.session.memory_pool()));
        // The session's cancel handle (Ctrl-C) now points at this query's flag.
        *self.session.state.cancel.write().map_err(|_| poisoned())? = Arc::clone(ctx.cancel_flag());
        *self.session.state.progress.write().map_err(|_| poisoned())? = Arc::clone(ctx.progress());
        Ok(ctx)
    }

    /// Optimize, plan and run the query on the session's pool; all result batches.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let batches = Session::new().sql("SELECT * FROM (VALUES (1), (2)) AS t(x)")?.collect()?;
    /// let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    /// assert_eq!(rows, 2);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn collect(&self) -> Result<Vec<RecordBatch>> {
        let plan = self.physical_plan()?;
        shoal_physical::collect(plan, &self.task_context()?)
    }

    /// Run the query, handing each result batch to `on_batch` as it is produced (bounded
    /// memory for streaming plans); `on_batch` may stop the query early.
    ///
    /// ```
    /// use std::ops::ControlFlow;
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?;
    /// let mut rows = 0;
    /// df.stream(&mut |batch| {
    ///     rows += batch.num_rows();
    ///     Ok(ControlFlow::Continue(()))
    /// })?;
    /// assert_eq!(rows, 3);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn stream(&self, on_batch: &mut dyn FnMut(RecordBatch) -> Result<ControlFlow<()>>) -> Result<()> {
        let plan = self.physical_plan()?;
        shoal_physical::execute_stream(plan, &self.task_context()?, on_batch)
    }

    /// Keep the rows where `predicate` is true (SQL `WHERE`). Aggregates and window functions
    /// are not allowed here (aggregate with [`DataFrame::group_by`], or compute a window
    /// column with [`DataFrame::with_column`] first).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (5), (9)) AS t(x)")?;
    /// assert_eq!(df.filter(col("x").between(lit(2i64), lit(9i64)))?.count()?, 2);
    /// let err = df.filter(col("y").gt(lit(1i64))).err().map(|e| e.to_string());
    /// assert_eq!(err.as_deref(), Some("column 'y' not found; did you mean 'x'?"));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn filter(&self, predicate: Expr) -> Result<DataFrame> {
        let predicate = self.resolve(predicate)?;
        if predicate.contains_aggregate() {
            return plan_err!(
                "aggregate functions are not allowed in filter(): {predicate} (aggregate with group_by().agg() and filter its result)"
            );
        }
        if predicate.contains_window() {
            return plan_err!(
                "window functions are not allowed in filter(): {predicate} (add the window column with with_column() and filter on it)"
            );
        }
        Ok(self.with_plan(self.builder().filter(predicate)?.build()?))
    }

    /// Order the rows by `keys` (`col("x").asc()`, `col("y").desc().nulls_last()`).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (2), (NULL), (1)) AS t(x)")?;
    /// let sorted = df.sort([col("x").asc().nulls_first()])?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&sorted)?, vec!["NULL", "1", "2"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn sort(&self, keys: impl IntoIterator<Item = SortExpr>) -> Result<DataFrame> {
        let keys = keys
            .into_iter()
            // columns spelled fully qualified, as SQL's ORDER BY of an output column
            .map(|k| {
                Ok(SortExpr { expr: resolve::normalize(&self.resolve(k.expr)?, self.plan.schema()), ..k })
            })
            .collect::<Result<Vec<_>>>()?;
        for k in &keys {
            if k.expr.contains_window() {
                return plan_err!("window functions are not allowed in sort(): {}", k.expr);
            }
        }
        Ok(self.with_plan(self.builder().sort(keys)?.build()?))
    }

    /// The first `n` rows (SQL `LIMIT n`); in no particular order unless sorted first.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (3), (1), (2)) AS t(x)")?;
    /// let rows = df.sort([col("x").asc()])?.limit(2)?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["1", "2"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn limit(&self, n: usize) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().limit(0, Some(n))?.build()?))
    }

    /// `len` rows starting at row `offset` (SQL `LIMIT len OFFSET offset`).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2), (3), (4)) AS t(x) ORDER BY x")?;
    /// let rows = df.slice(1, 2)?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["2", "3"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn slice(&self, offset: usize, len: usize) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().limit(offset, Some(len))?.build()?))
    }

    /// Remove duplicate rows (SQL `SELECT DISTINCT *`; NULLs count as equal).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1, 'a'), (1, 'a'), (2, NULL), (2, NULL)) AS t(k, v)")?;
    /// assert_eq!(df.distinct()?.count()?, 2);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn distinct(&self) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().distinct()?.build()?))
    }

    /// Name this DataFrame as a relation, so its columns can be referred to as
    /// `col("name.column")` (as `FROM .. AS name` does), e.g. to tell the sides of a self-join
    /// apart.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let people = s.sql("SELECT * FROM (VALUES (1, 'ann', NULL), (2, 'bob', 1)) AS t(id, name, boss)")?;
    /// let (emp, boss) = (people.alias("emp")?, people.alias("boss")?);
    /// let pairs = emp
    ///     .join(&boss, JoinType::Inner, [col("emp.boss")], [col("boss.id")])?
    ///     .select([col("emp.name"), col("boss.name").alias("boss_name")])?;
    /// assert_eq!(shoal::rows_to_strings(&pairs.collect()?)?, vec!["bob, ann"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn alias(&self, name: &str) -> Result<DataFrame> {
        Ok(self.with_plan(self.builder().alias(name)?.build()?))
    }

    /// Run the query and count its rows.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?;
    /// assert_eq!(df.count()?, 3);
    /// assert_eq!(df.filter(col("x").gt(lit(5i64)))?.count()?, 0);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn count(&self) -> Result<usize> {
        Ok(self.collect()?.iter().map(RecordBatch::num_rows).sum())
    }

    /// The optimized logical plan and the physical plan, as text (the query does not run).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2)) AS t(x)")?.filter(col("x").gt(lit(1i64)))?;
    /// let text = df.explain()?;
    /// assert!(text.contains("== logical plan ==") && text.contains("== physical plan =="));
    /// assert!(text.contains("Filter"), "{text}");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn explain(&self) -> Result<String> {
        self.explain_with(false)
    }

    /// Like [`DataFrame::explain`]; `verbose` also shows the initial plan and every rule's effect.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT x FROM (VALUES (1), (5)) AS t(x) WHERE x > 1 + 1")?;
    /// let verbose = df.explain_with(true)?;
    /// assert!(verbose.starts_with("== initial logical plan =="), "{verbose}");
    /// assert!(verbose.contains("== after ") && verbose.contains("== physical plan =="), "{verbose}");
    /// assert_eq!(df.explain_with(false)?, df.explain()?);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn explain_with(&self, verbose: bool) -> Result<String> {
        let config = self.session.config();
        let ctx = OptimizerContext { config: &config, evaluator: &PhysicalConstEvaluator };
        let mut out = String::new();
        let optimized = if verbose {
            out.push_str("== initial logical plan ==\n");
            out.push_str(&self.plan.display_indent());
            let (plan, trace) = Optimizer::new().optimize_with_trace(self.plan.clone(), &ctx)?;
            for (rule, text) in trace {
                out.push_str(&format!("== after {rule} ==\n{text}"));
            }
            plan
        } else {
            Optimizer::new().optimize(self.plan.clone(), &ctx)?
        };
        out.push_str("== logical plan ==\n");
        out.push_str(&optimized.display_indent());
        let physical = shoal_physical::create_physical_plan(&optimized, &config)?;
        out.push_str("== physical plan ==\n");
        out.push_str(&shoal_physical::displayable(physical.as_ref()));
        Ok(out)
    }

    /// Run the query and describe the physical plan with per-operator rows, time and threads.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?.filter(col("x").gt(lit(1i64)))?;
    /// let text = df.explain_analyze()?;
    /// assert!(text.contains("FilterExec"), "{text}");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn explain_analyze(&self) -> Result<String> {
        let plan = self.physical_plan()?;
        shoal_physical::explain_analyze(plan, &self.task_context()?)
    }
}
