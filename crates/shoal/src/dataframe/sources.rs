//! Where DataFrames come from: [`Session::read_parquet`], [`Session::read_csv`],
//! [`Session::table`], and [`Session::register`] to name one as a view for SQL.

use std::sync::Arc;

use shoal_common::error::suggest;
use shoal_common::{plan_err, Result};
use shoal_datasource::{CsvOptions, CsvTable, ParquetOptions, ParquetTable};
use shoal_expr::{LogicalPlan, LogicalPlanBuilder, TableSource};

use super::DataFrame;
use crate::session::{poisoned, Session};

impl Session {
    /// A DataFrame over Parquet file(s): one file, a glob or a directory; known by the file
    /// stem (or the glob's directory) as SQL's `FROM 'path'` is.
    ///
    /// ```no_run
    /// use shoal::prelude::*;
    /// let trips = Session::new().read_parquet("data/taxi/*.parquet", ParquetOptions::default())?;
    /// trips.group_by([col("VendorID")])?.agg([count_star()])?.show()?;
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn read_parquet(&self, path: &str, options: ParquetOptions) -> Result<DataFrame> {
        let source = Arc::new(ParquetTable::try_new(path, options)?);
        self.file_frame(path, source)
    }

    /// A DataFrame over CSV file(s) (`.csv`, `.csv.gz`; one file, a glob or a directory) read
    /// with `options` (header, delimiter, schema inference sample, ...).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("t.csv");
    /// std::fs::write(&path, "a,b\n1,x\n2,y\n")?;
    /// let df = Session::new().read_csv(path.to_str().unwrap_or_default(), CsvOptions::default())?;
    /// assert_eq!(shoal::rows_to_strings(&df.filter(col("a").eq(lit(2i64)))?.collect()?)?, vec!["2, y"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_csv(&self, path: &str, options: CsvOptions) -> Result<DataFrame> {
        let source = Arc::new(CsvTable::try_new(path, options)?);
        self.file_frame(path, source)
    }

    fn file_frame(&self, path: &str, source: Arc<dyn TableSource>) -> Result<DataFrame> {
        let plan = LogicalPlanBuilder::scan(path, source)?.alias(shoal_sql::path_qualifier(path))?.build()?;
        Ok(DataFrame::new(self.clone(), plan))
    }

    /// The registered table or view `name` (case-insensitive), as `FROM name` reads it; an
    /// unknown name is an error with a "did you mean".
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// s.register("small", &s.sql("SELECT 1 AS x")?)?;
    /// assert_eq!(s.table("SMALL")?.count()?, 1);
    /// assert!(s.table("smal").err().is_some_and(|e| e.to_string().contains("did you mean 'small'?")));
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn table(&self, name: &str) -> Result<DataFrame> {
        let (table, view): (Option<Arc<dyn TableSource>>, Option<LogicalPlan>) = {
            let catalog = self.state.catalog.read().map_err(|_| poisoned())?;
            (catalog.table(name), catalog.view(name))
        };
        let builder = match (table, view) {
            (Some(source), _) => LogicalPlanBuilder::scan(name, source)?,
            (None, Some(plan)) => LogicalPlanBuilder::from(plan),
            (None, None) => {
                let names = self.table_names();
                let mut message = format!("table '{name}' not found");
                if let Some(s) = suggest(name, names.iter().map(String::as_str)) {
                    message.push_str(&format!("; did you mean '{s}'?"));
                }
                return plan_err!("{message}");
            }
        };
        Ok(DataFrame::new(self.clone(), builder.alias(name)?.build()?))
    }

    /// Register `df` as the view `name` (replacing any table or view of that name), so SQL
    /// and [`Session::table`] can use it. The view is the plan, not its result: it runs again
    /// in every query that reads it.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let s = Session::new();
    /// let evens = s.sql("SELECT * FROM (VALUES (1), (2), (4)) AS t(x)")?.filter((col("x") % lit(2i64)).eq(lit(0i64)))?;
    /// s.register("evens", &evens)?;
    /// let rows = s.sql("SELECT sum(x) FROM evens")?.collect()?;
    /// assert_eq!(shoal::rows_to_strings(&rows)?, vec!["6"]);
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn register(&self, name: &str, df: &DataFrame) -> Result<()> {
        let plan = df.logical_plan().clone();
        self.state.catalog.write().map_err(|_| poisoned())?.register_view(name, plan, true)
    }
}
