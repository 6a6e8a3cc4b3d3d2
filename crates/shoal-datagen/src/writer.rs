//! Atomic Parquet/CSV file writing: data goes to a temporary name, renamed once complete.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use shoal_common::{Result, ShoalError};

use crate::FileFormat;

/// Rows per Parquet row group written by the generators.
///
/// 256Ki rows: a row group is shoal's unit of parallel work (a morsel), so a file needs many
/// of them — 20M taxi rows give 77 row groups, about ten per worker at 8 threads, which keeps
/// the workers evenly loaded to the end of a scan — while each column chunk stays large
/// (about 2 MiB for a Float64 column before compression) so reads are sequential and
/// compression and per-chunk metadata costs are negligible. It also makes min/max statistics
/// fine-grained enough to prune on sorted columns. (DataFusion's default is 1Mi rows, DuckDB's
/// 122,880.)
pub const DEFAULT_ROW_GROUP_ROWS: usize = 256 * 1024;

/// How generated files are written.
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// File format.
    pub format: FileFormat,
    /// Rows per Parquet row group (ignored for CSV).
    pub row_group_rows: usize,
}

impl WriteOptions {
    /// Options for `format` with the default row-group size.
    pub fn new(format: FileFormat) -> Self {
        Self { format, row_group_rows: DEFAULT_ROW_GROUP_ROWS }
    }

    /// Set the rows per Parquet row group (at least 1).
    pub fn with_row_group_rows(mut self, rows: usize) -> Self {
        self.row_group_rows = rows.max(1);
        self
    }
}

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> ShoalError {
    ShoalError::Io { path: path.display().to_string(), source }
}

fn parquet_err(path: &Path, e: parquet::errors::ParquetError) -> ShoalError {
    io_err(path, std::io::Error::other(e))
}

/// The temporary name `path` is written under before being renamed into place.
/// Its extension is `.tmp`, so directory scans for `.parquet`/`.csv` files never pick it up.
fn temp_path(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Write `batches` (all with `schema`) to `path` in the chosen format, atomically: the data is
/// written to a temporary file in the same directory which is renamed to `path` when complete.
/// On error the temporary file is removed and `path` is untouched.
pub(crate) fn write_file_atomically<I>(
    path: &Path,
    schema: SchemaRef,
    batches: I,
    options: &WriteOptions,
) -> Result<()>
where
    I: IntoIterator<Item = Result<RecordBatch>>,
{
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let tmp = temp_path(path);
    let written = write_file(&tmp, schema, batches, options);
    match written {
        Ok(()) => fs::rename(&tmp, path).map_err(|e| io_err(path, e)),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

fn write_file<I>(path: &Path, schema: SchemaRef, batches: I, options: &WriteOptions) -> Result<()>
where
    I: IntoIterator<Item = Result<RecordBatch>>,
{
    let file = File::create(path).map_err(|e| io_err(path, e))?;
    let out = BufWriter::with_capacity(1 << 20, file);
    match options.format {
        FileFormat::Parquet => {
            let props = WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .set_max_row_group_row_count(Some(options.row_group_rows.max(1)))
                // A fixed writer name keeps the bytes identical across parquet-rs versions.
                .set_created_by("shoal-datagen".to_string())
                .build();
            let mut writer =
                ArrowWriter::try_new(out, schema, Some(props)).map_err(|e| parquet_err(path, e))?;
            for batch in batches {
                writer.write(&batch?).map_err(|e| parquet_err(path, e))?;
            }
            let out = writer.into_inner().map_err(|e| parquet_err(path, e))?;
            finish(path, out)
        }
        FileFormat::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .with_timestamp_format("%Y-%m-%d %H:%M:%S".to_string())
                .with_date_format("%Y-%m-%d".to_string())
                .build(out);
            for batch in batches {
                writer.write(&batch?)?;
            }
            finish(path, writer.into_inner())
        }
    }
}

fn finish(path: &Path, out: BufWriter<File>) -> Result<()> {
    let file = out.into_inner().map_err(|e| io_err(path, e.into_error()))?;
    file.sync_all().map_err(|e| io_err(path, e))?;
    Ok(())
}
