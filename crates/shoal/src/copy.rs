//! `COPY .. TO 'file'`: write query results as Parquet or CSV, atomically — rows go to a
//! temporary file in the target's directory that is renamed into place only once complete,
//! so a failure midway leaves no partial file (and an existing file untouched).

use std::fs::File;
use std::io::BufWriter;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::datatypes::{Field, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use shoal_common::{Result, ShoalError};
use shoal_expr::LogicalPlan;
use shoal_sql::ddl::{CopyFormat, CopyOptions};

use crate::dataframe::DataFrame;
use crate::session::Session;

impl Session {
    /// `COPY`: stream the rows of `plan` into `path`; returns the number of rows written.
    pub(crate) fn copy_to(&self, plan: LogicalPlan, path: &str, options: &CopyOptions) -> Result<usize> {
        let df = DataFrame::new(self.clone(), plan);
        let fields: Vec<Field> =
            df.schema().fields().iter().map(|f| f.as_ref().clone().with_nullable(true)).collect();
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let mut rows = 0usize;
        write_atomic(Path::new(path), |file| {
            let mut writer = BatchWriter::try_new(file, &schema, options, path)?;
            df.stream(&mut |batch| {
                rows += batch.num_rows();
                writer.write(&batch)?;
                Ok(ControlFlow::Continue(()))
            })?;
            writer.finish()
        })?;
        Ok(rows)
    }
}

/// A Parquet or CSV writer over one file.
enum BatchWriter {
    Parquet(Box<parquet::arrow::ArrowWriter<File>>, SchemaRef, String),
    Csv(Box<arrow::csv::Writer<BufWriter<File>>>, SchemaRef, String),
}

impl BatchWriter {
    fn try_new(file: File, schema: &SchemaRef, options: &CopyOptions, path: &str) -> Result<Self> {
        Ok(match options.format {
            CopyFormat::Parquet => {
                let writer = parquet::arrow::ArrowWriter::try_new(file, Arc::clone(schema), None)
                    .map_err(|e| write_error(path, e))?;
                BatchWriter::Parquet(Box::new(writer), Arc::clone(schema), path.to_string())
            }
            CopyFormat::Csv => {
                let writer = arrow::csv::WriterBuilder::new()
                    .with_header(options.header)
                    .with_delimiter(options.delimiter)
                    .build(BufWriter::new(file));
                BatchWriter::Csv(Box::new(writer), Arc::clone(schema), path.to_string())
            }
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        match self {
            BatchWriter::Parquet(w, schema, path) => {
                w.write(&with_schema(batch, schema)?).map_err(|e| write_error(path, e))
            }
            BatchWriter::Csv(w, schema, path) => {
                w.write(&with_schema(batch, schema)?).map_err(|e| write_error(path, e))
            }
        }
    }

    /// Flush everything and sync the file to disk.
    fn finish(self) -> Result<()> {
        match self {
            BatchWriter::Parquet(w, _, path) => {
                let file = w.into_inner().map_err(|e| write_error(&path, e))?;
                file.sync_all().map_err(|e| ShoalError::Io { path, source: e })
            }
            BatchWriter::Csv(w, _, path) => {
                let buffered = (*w).into_inner();
                let file = buffered
                    .into_inner()
                    .map_err(|e| ShoalError::Io { path: path.clone(), source: e.into_error() })?;
                file.sync_all().map_err(|e| ShoalError::Io { path, source: e })
            }
        }
    }
}

fn write_error(path: &str, e: impl std::fmt::Display) -> ShoalError {
    ShoalError::Execution(format!("cannot write {path}: {e}"))
}

/// `batch`'s columns under the writer's schema.
fn with_schema(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    Ok(RecordBatch::try_new_with_options(Arc::clone(schema), batch.columns().to_vec(), &options)?)
}

/// Create `path` atomically: `write` fills a new temporary file in the same directory, which
/// is renamed to `path` only if `write` succeeds. On any error the temporary file is removed
/// and `path` is left as it was (absent, or with its old contents).
///
/// ```
/// use std::io::Write;
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("out.txt");
/// let failed = shoal::copy::write_atomic(&path, |mut f| {
///     f.write_all(b"half").unwrap();
///     Err(shoal::ShoalError::Execution("boom".into()))
/// });
/// assert!(failed.is_err());
/// assert!(!path.exists());
/// ```
pub fn write_atomic(path: &Path, write: impl FnOnce(File) -> Result<()>) -> Result<()> {
    let shown = path.display().to_string();
    let io = |source: std::io::Error| ShoalError::Io { path: shown.clone(), source };
    if path.is_dir() {
        return Err(io(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory")));
    }
    let temp = temp_path(path)
        .ok_or_else(|| io(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path")))?;
    let file = File::options().write(true).create_new(true).open(&temp).map_err(io)?;
    let result = write(file).and_then(|()| std::fs::rename(&temp, path).map_err(io));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// A fresh hidden file name next to `path`: `.<name>.shoal-tmp-<pid>-<n>`.
fn temp_path(path: &Path) -> Option<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name()?.to_string_lossy();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = format!(".{name}.shoal-tmp-{}-{n}", std::process::id());
    Some(match path.parent() {
        Some(dir) => dir.join(temp),
        None => PathBuf::from(temp),
    })
}
