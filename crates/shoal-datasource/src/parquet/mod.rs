//! [`ParquetTable`]: one or more Parquet files of one schema; footers are read once, up front.

mod pruning;
mod scan;
mod statistics;

use std::any::Any;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
use rayon::prelude::*;
use shoal_common::{DataLocation, Result, ShoalError};
use shoal_expr::{ColumnStatistics, Expr, ScanSource, Statistics, TableSource};

use crate::statistics::ColumnStatisticsCache;

use crate::{display_path, list_files, project_schema};

pub(crate) use pruning::can_prune;
use scan::{ParquetMorsel, ParquetScan};

/// How Parquet files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParquetOptions {
    /// Rows per decoded batch.
    pub batch_size: usize,
    /// Skip row groups whose statistics rule out the scan's filters.
    pub pruning: bool,
}

impl Default for ParquetOptions {
    fn default() -> Self {
        Self { batch_size: 8192, pruning: true }
    }
}

/// One Parquet file with its footer, read at construction and shared by every scan.
#[derive(Debug)]
pub(crate) struct ParquetFile {
    pub(crate) path: PathBuf,
    pub(crate) size: u64,
    pub(crate) metadata: ArrowReaderMetadata,
}

impl ParquetFile {
    pub(crate) fn name(&self) -> String {
        display_path(&self.path)
    }
}

/// A table over Parquet files (a file, a directory or a glob) that share one schema.
#[derive(Debug)]
pub struct ParquetTable {
    path: String,
    schema: SchemaRef,
    files: Arc<Vec<ParquetFile>>,
    options: ParquetOptions,
    /// Per-column statistics, computed when the optimizer first asks.
    column_statistics: ColumnStatisticsCache,
}

impl ParquetTable {
    /// Open `path_or_glob` and read the footer of every file it names.
    ///
    /// The table's schema is the first file's; every other file must have the same column
    /// names and types (nullability may differ).
    pub fn try_new(path_or_glob: &str, options: ParquetOptions) -> Result<Self> {
        let paths = list_files(path_or_glob, &["parquet"])?;
        let files: Vec<ParquetFile> = paths.par_iter().map(read_footer).collect::<Result<_>>()?;
        let schema = unify_schemas(&files)?;
        Ok(Self {
            path: path_or_glob.to_string(),
            schema,
            files: Arc::new(files),
            options,
            column_statistics: ColumnStatisticsCache::default(),
        })
    }

    /// The files of the table, in reading order.
    pub fn files(&self) -> Vec<PathBuf> {
        self.files.iter().map(|f| f.path.clone()).collect()
    }

    /// The total number of row groups over all files.
    pub fn row_group_count(&self) -> usize {
        self.files.iter().map(|f| f.metadata.metadata().num_row_groups()).sum()
    }
}

impl TableSource for ParquetTable {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
    fn statistics(&self) -> Statistics {
        let rows: i64 = self.files.iter().map(|f| f.metadata.metadata().file_metadata().num_rows()).sum();
        Statistics {
            num_rows: usize::try_from(rows).ok(),
            total_byte_size: usize::try_from(self.files.iter().map(|f| f.size).sum::<u64>()).ok(),
        }
    }
    fn column_statistics(&self, column: usize) -> ColumnStatistics {
        self.column_statistics
            .get_or_compute(column, || statistics::column_statistics(&self.files, &self.schema, column))
    }
    fn description(&self) -> String {
        match self.files.len() {
            1 => format!("parquet: {}", self.path),
            n => format!("parquet: {} ({n} files)", self.path),
        }
    }
    fn can_prune_with(&self, filter: &Expr) -> bool {
        self.options.pruning && can_prune(filter, &self.schema)
    }
    fn scan(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ScanSource>> {
        let schema = project_schema(&self.schema, projection)?;
        let mut read_columns: Vec<usize> = match projection {
            Some(p) => p.to_vec(),
            None => (0..self.schema.fields().len()).collect(),
        };
        let output_columns = read_columns.clone();
        read_columns.sort_unstable();
        read_columns.dedup();
        let output_order =
            output_columns.iter().map(|c| read_columns.binary_search(c).unwrap_or_default()).collect();

        // A limit only bounds the rows read when no filter sits above the scan.
        let row_limit = limit.filter(|_| filters.is_empty());
        let mut morsels = vec![];
        let mut total_row_groups = 0;
        let mut pruned = 0;
        let mut covered = 0usize;
        'files: for (f, file) in self.files.iter().enumerate() {
            let meta = file.metadata.metadata();
            total_row_groups += meta.num_row_groups();
            let keep = if self.options.pruning && !filters.is_empty() {
                pruning::prune_row_groups(filters, &self.schema, &file.metadata)
            } else {
                vec![true; meta.num_row_groups()]
            };
            for (rg, row_group) in meta.row_groups().iter().enumerate() {
                if !keep.get(rg).copied().unwrap_or(true) {
                    pruned += 1;
                    continue;
                }
                if row_limit.is_some_and(|l| covered >= l) {
                    break 'files;
                }
                let rows = usize::try_from(row_group.num_rows()).unwrap_or(0);
                covered += rows;
                morsels.push(ParquetMorsel {
                    file: f,
                    row_group: rg,
                    rows,
                    bytes: u64::try_from(row_group.compressed_size()).unwrap_or(0),
                });
            }
        }
        Ok(Arc::new(ParquetScan {
            files: Arc::clone(&self.files),
            schema,
            read_columns,
            output_order,
            morsels,
            row_limit,
            batch_size: self.options.batch_size.max(1),
            total_row_groups,
            pruned_row_groups: pruned,
        }))
    }
}

/// A `Plan` error about file `path`.
fn file_error(path: &Path, what: &str) -> ShoalError {
    ShoalError::Plan { message: format!("'{}' {what}", display_path(path)), span: None }
}

/// A `Data` error located in `path`.
pub(crate) fn data_error(path: &Path, message: String) -> ShoalError {
    ShoalError::Data {
        location: DataLocation { file: display_path(path), line: None, column: None },
        message,
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ShoalError {
    ShoalError::Io { path: display_path(path), source }
}

/// Check the magic bytes at both ends of the file, so that a CSV renamed `.parquet` or a
/// half-copied file gets a clear message rather than a Thrift decoding error.
fn check_magic(file: &mut File, path: &Path, size: u64) -> Result<()> {
    let mut head = [0u8; 4];
    if size < 4 || file.read_exact(&mut head).is_err() || &head != b"PAR1" {
        if &head == b"PARE" {
            return Err(file_error(path, "is an encrypted Parquet file, which shoal cannot read"));
        }
        return Err(file_error(path, "is not a Parquet file (it does not start with PAR1)"));
    }
    let mut tail = [0u8; 4];
    let tail_ok = size >= 12
        && file.seek(SeekFrom::End(-4)).is_ok()
        && file.read_exact(&mut tail).is_ok()
        && &tail == b"PAR1";
    if !tail_ok {
        return Err(data_error(
            path,
            "truncated or corrupt Parquet footer (the file does not end with PAR1)".into(),
        ));
    }
    file.seek(SeekFrom::Start(0)).map_err(|e| io_error(path, e))?;
    Ok(())
}

/// Read and decode the footer of one file.
fn read_footer(path: &PathBuf) -> Result<ParquetFile> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    check_magic(&mut file, path, size)?;
    let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
        .map_err(|e| data_error(path, format!("truncated or corrupt Parquet footer: {e}")))?;
    let normalized = normalize_schema(metadata.schema());
    let metadata = match normalized {
        Some(schema) => ArrowReaderMetadata::try_new(
            Arc::clone(metadata.metadata()),
            ArrowReaderOptions::new().with_schema(schema),
        )
        .unwrap_or(metadata),
        None => metadata,
    };
    Ok(ParquetFile { path: path.clone(), size, metadata })
}

/// The type shoal reads a column of type `t` as: string views, large strings and dictionary
/// strings become `Utf8` (binary likewise), so every file of a table reads alike.
fn normalized_type(t: &DataType) -> Option<DataType> {
    match t {
        DataType::Utf8View | DataType::LargeUtf8 => Some(DataType::Utf8),
        DataType::BinaryView | DataType::LargeBinary => Some(DataType::Binary),
        DataType::Dictionary(_, v) => match normalized_type(v).unwrap_or_else(|| (**v).clone()) {
            DataType::Utf8 => Some(DataType::Utf8),
            DataType::Binary => Some(DataType::Binary),
            _ => None,
        },
        _ => None,
    }
}

/// `schema` with [`normalized_type`] applied, or `None` when nothing changes.
fn normalize_schema(schema: &SchemaRef) -> Option<SchemaRef> {
    let mut changed = false;
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match normalized_type(f.data_type()) {
            Some(t) => {
                changed = true;
                f.as_ref().clone().with_data_type(t)
            }
            None => f.as_ref().clone(),
        })
        .collect();
    changed.then(|| Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}

/// The table schema: the first file's, with a column nullable if it is in any file. Every file
/// must have the same column names and types.
fn unify_schemas(files: &[ParquetFile]) -> Result<SchemaRef> {
    let Some(first) = files.first() else {
        return shoal_common::plan_err!("no Parquet files to read");
    };
    let base = first.metadata.schema();
    let mut nullable: Vec<bool> = base.fields().iter().map(|f| f.is_nullable()).collect();
    for file in &files[1..] {
        let schema = file.metadata.schema();
        let differ = |detail: String| {
            file_error(
                &file.path,
                &format!("does not have the schema of '{}': {detail}", display_path(&first.path)),
            )
        };
        if schema.fields().len() != base.fields().len() {
            let names =
                |s: &Schema| s.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ");
            return Err(differ(format!(
                "it has columns [{}], the first file has [{}]",
                names(schema),
                names(base)
            )));
        }
        for (i, (a, b)) in base.fields().iter().zip(schema.fields()).enumerate() {
            if a.name() != b.name() {
                return Err(differ(format!(
                    "column {} is '{}' here but '{}' in the first file",
                    i + 1,
                    b.name(),
                    a.name()
                )));
            }
            if !a.data_type().equals_datatype(b.data_type()) {
                return Err(differ(format!(
                    "column '{}' is {} here but {} in the first file",
                    a.name(),
                    b.data_type(),
                    a.data_type()
                )));
            }
            if let Some(n) = nullable.get_mut(i) {
                *n |= b.is_nullable();
            }
        }
    }
    let fields: Vec<Field> =
        base.fields().iter().zip(nullable).map(|(f, n)| f.as_ref().clone().with_nullable(n)).collect();
    Ok(Arc::new(Schema::new(fields)))
}
