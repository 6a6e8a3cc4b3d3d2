//! Helpers shared by the integration tests: reading every morsel of a scan, writing files.

#![allow(dead_code)]

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::Int64Type;
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use shoal_common::Result;
use shoal_expr::ScanSource;

/// All batches of all morsels, in morsel order.
pub fn collect(scan: &dyn ScanSource) -> Result<Vec<RecordBatch>> {
    let mut out = vec![];
    for i in 0..scan.morsel_count() {
        scan.read_morsel(i, &mut |b| {
            out.push(b);
            Ok(ControlFlow::Continue(()))
        })?;
    }
    Ok(out)
}

/// Total rows of `batches`.
pub fn row_count(batches: &[RecordBatch]) -> usize {
    batches.iter().map(|b| b.num_rows()).sum()
}

/// The values of Int64 column `col` over all batches (NULL as `None`).
pub fn i64_column(batches: &[RecordBatch], col: usize) -> Vec<Option<i64>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column(col).as_primitive::<Int64Type>().clone();
            (0..a.len()).map(move |i| (!a.is_null(i)).then(|| a.value(i))).collect::<Vec<_>>()
        })
        .collect()
}

/// The values of Utf8 column `col` over all batches.
pub fn str_column(batches: &[RecordBatch], col: usize) -> Vec<Option<String>> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b.column(col).as_string::<i32>().clone();
            (0..a.len()).map(move |i| (!a.is_null(i)).then(|| a.value(i).to_string())).collect::<Vec<_>>()
        })
        .collect()
}

/// Write `batch` as a Parquet file with row groups of `rows_per_group` rows.
pub fn write_parquet(path: &Path, batch: &RecordBatch, rows_per_group: usize) {
    write_parquet_with(
        path,
        batch,
        WriterProperties::builder().set_max_row_group_row_count(Some(rows_per_group)).build(),
    );
}

pub fn write_parquet_with(path: &Path, batch: &RecordBatch, props: WriterProperties) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap();
    writer.write(batch).unwrap();
    writer.close().unwrap();
}

/// A batch from named columns.
pub fn batch(columns: Vec<(&str, Arc<dyn Array>)>) -> RecordBatch {
    RecordBatch::try_from_iter(columns).unwrap()
}

/// Write `text` to `dir/name` and return the path.
pub fn write_text(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Open the CSV file at `path` as a table.
pub fn open_csv(path: &Path, options: shoal_datasource::CsvOptions) -> shoal_datasource::CsvTable {
    shoal_datasource::CsvTable::try_new(path.to_str().unwrap(), options).unwrap()
}
