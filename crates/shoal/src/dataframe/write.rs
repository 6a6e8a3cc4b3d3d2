//! Results out of a DataFrame: `write_parquet` / `write_csv` (streamed, atomic; the COPY
//! statement's writer in `copy.rs`), `show` / `show_n` (a text table), and
//! [`rows_to_strings`] for tests and examples.

use std::path::Path;

use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use shoal_common::{plan_err, Result};
use shoal_sql::ddl::{CopyFormat, CopyOptions};

use super::DataFrame;

impl DataFrame {
    /// Run the query and stream its rows into the Parquet file `path`, atomically: a
    /// temporary file next to it is renamed into place only when complete. Returns the rows
    /// written. Memory stays bounded for streaming plans, so results larger than memory work.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("out.parquet");
    /// let s = Session::new();
    /// assert_eq!(s.sql("SELECT * FROM (VALUES (1), (2)) AS t(x)")?.write_parquet(&path)?, 2);
    /// assert_eq!(s.read_parquet(path.to_str().unwrap_or_default(), ParquetOptions::default())?.count()?, 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_parquet(&self, path: impl AsRef<Path>) -> Result<usize> {
        let options = CopyOptions { format: CopyFormat::Parquet, header: true, delimiter: b',' };
        self.session.copy_to(self.plan.clone(), &path_text(path.as_ref())?, &options)
    }

    /// Like [`DataFrame::write_parquet`], as CSV with a header row and `,` delimiter.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("out.csv");
    /// let s = Session::new();
    /// assert_eq!(s.sql("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(x, y)")?.write_csv(&path)?, 2);
    /// assert_eq!(std::fs::read_to_string(&path)?, "x,y\n1,a\n2,b\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<usize> {
        let options = CopyOptions { format: CopyFormat::Csv, header: true, delimiter: b',' };
        self.session.copy_to(self.plan.clone(), &path_text(path.as_ref())?, &options)
    }

    /// Print the first 20 rows as a table (see [`DataFrame::to_table_string`] for the text).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// Session::new().sql("SELECT 1 AS x")?.show()?;
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn show(&self) -> Result<()> {
        self.show_n(20)
    }

    /// Print the first `n` rows as a table (the text of [`DataFrame::to_table_string`]).
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT * FROM (VALUES (1), (2), (3)) AS t(x)")?;
    /// df.show_n(2)?;
    /// assert_eq!(df.to_table_string(2)?.lines().filter(|l| l.starts_with("| ")).count(), 3); // header + 2 rows
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn show_n(&self, n: usize) -> Result<()> {
        println!("{}", self.to_table_string(n)?);
        Ok(())
    }

    /// The first `n` rows as the table [`DataFrame::show_n`] prints.
    ///
    /// ```
    /// use shoal::prelude::*;
    /// let df = Session::new().sql("SELECT 1 AS x")?;
    /// assert_eq!(df.to_table_string(20)?, "+---+\n| x |\n+---+\n| 1 |\n+---+");
    /// # Ok::<(), ShoalError>(())
    /// ```
    pub fn to_table_string(&self, n: usize) -> Result<String> {
        let batches = self.limit(n)?.collect()?;
        let batches = if batches.is_empty() { vec![RecordBatch::new_empty(self.schema())] } else { batches };
        let table = arrow::util::pretty::pretty_format_batches(&batches)?;
        Ok(table.to_string())
    }
}

/// Each row of `batches` as its values joined by `", "` (NULL as `NULL`).
///
/// ```
/// use shoal::prelude::*;
/// let batches = Session::new().sql("SELECT 1 AS a, NULL AS b, 'x' AS c")?.collect()?;
/// assert_eq!(shoal::rows_to_strings(&batches)?, vec!["1, NULL, x"]);
/// # Ok::<(), ShoalError>(())
/// ```
pub fn rows_to_strings(batches: &[RecordBatch]) -> Result<Vec<String>> {
    let options = FormatOptions::default().with_null("NULL");
    let mut rows = vec![];
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        for row in 0..batch.num_rows() {
            let values: Vec<String> = formatters.iter().map(|f| f.value(row).to_string()).collect();
            rows.push(values.join(", "));
        }
    }
    Ok(rows)
}

fn path_text(path: &Path) -> Result<String> {
    match path.to_str() {
        Some(s) => Ok(s.to_string()),
        None => plan_err!("path {} is not valid UTF-8", path.display()),
    }
}
