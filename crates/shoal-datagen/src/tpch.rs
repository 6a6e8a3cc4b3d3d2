//! TPC-H data at any scale factor (via `tpchgen`), one Parquet or CSV file per table.
//!
//! String columns are written as plain `Utf8` (tpchgen-arrow produces `Utf8View`), the type
//! Parquet readers and CSV inference give back, so every engine sees the same schema.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::compute::cast;
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use shoal_common::{plan_err, Result};
use tpchgen::generators::{
    CustomerGenerator, LineItemGenerator, NationGenerator, OrderGenerator, PartGenerator, PartSuppGenerator,
    RegionGenerator, SupplierGenerator,
};
use tpchgen_arrow::{
    CustomerArrow, LineItemArrow, NationArrow, OrderArrow, PartArrow, PartSuppArrow, RecordBatchIterator,
    RegionArrow, SupplierArrow,
};

use crate::writer::{write_file_atomically, WriteOptions};
use crate::FileFormat;

/// The eight TPC-H tables, in the order [`write_tpch`] writes them.
pub const TABLES: [&str; 8] =
    ["lineitem", "orders", "customer", "part", "partsupp", "supplier", "nation", "region"];

/// Rows per generated batch.
const BATCH_ROWS: usize = 64 * 1024;

/// Approximate rows of `table` at scale factor 1 (used to split generation into parts).
fn rows_at_sf1(table: &str) -> f64 {
    match table {
        "lineitem" => 6_001_215.0,
        "orders" => 1_500_000.0,
        "partsupp" => 800_000.0,
        "part" => 200_000.0,
        "customer" => 150_000.0,
        "supplier" => 10_000.0,
        _ => 25.0,
    }
}

/// Batches of one part (`part` of `parts`, 1-based) of `table`.
fn generate_part(table: &str, sf: f64, part: i32, parts: i32) -> Result<Vec<RecordBatch>> {
    let iter: Box<dyn RecordBatchIterator> = match table {
        "lineitem" => {
            Box::new(LineItemArrow::new(LineItemGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "orders" => {
            Box::new(OrderArrow::new(OrderGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "customer" => {
            Box::new(CustomerArrow::new(CustomerGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "part" => Box::new(PartArrow::new(PartGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS)),
        "partsupp" => {
            Box::new(PartSuppArrow::new(PartSuppGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "supplier" => {
            Box::new(SupplierArrow::new(SupplierGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "nation" => {
            Box::new(NationArrow::new(NationGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        "region" => {
            Box::new(RegionArrow::new(RegionGenerator::new(sf, part, parts)).with_batch_size(BATCH_ROWS))
        }
        other => return plan_err!("unknown TPC-H table '{other}'"),
    };
    iter.map(|b| to_plain_strings(&b)).collect()
}

/// The schema with every `Utf8View` field turned into `Utf8`.
fn plain_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8View => f.as_ref().clone().with_data_type(DataType::Utf8),
            _ => f.as_ref().clone(),
        })
        .collect();
    Arc::new(Schema::new(fields))
}

fn to_plain_strings(batch: &RecordBatch) -> Result<RecordBatch> {
    let schema = plain_schema(batch.schema_ref());
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(c, f)| cast(c, f.data_type()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(schema, columns)?)
}

/// The schema of `table` as written ( `Utf8` strings).
pub fn table_schema(table: &str) -> Result<SchemaRef> {
    let schema = match table {
        "lineitem" => LineItemArrow::new(LineItemGenerator::new(0.01, 1, 1)).schema().clone(),
        "orders" => OrderArrow::new(OrderGenerator::new(0.01, 1, 1)).schema().clone(),
        "customer" => CustomerArrow::new(CustomerGenerator::new(0.01, 1, 1)).schema().clone(),
        "part" => PartArrow::new(PartGenerator::new(0.01, 1, 1)).schema().clone(),
        "partsupp" => PartSuppArrow::new(PartSuppGenerator::new(0.01, 1, 1)).schema().clone(),
        "supplier" => SupplierArrow::new(SupplierGenerator::new(0.01, 1, 1)).schema().clone(),
        "nation" => NationArrow::new(NationGenerator::new(0.01, 1, 1)).schema().clone(),
        "region" => RegionArrow::new(RegionGenerator::new(0.01, 1, 1)).schema().clone(),
        other => return plan_err!("unknown TPC-H table '{other}'"),
    };
    Ok(plain_schema(&schema))
}

/// The batches of `table` at scale factor `sf`, generated lazily in parts (about 500k rows
/// each), a wave of parts at a time in parallel on the rayon pool. Part order is kept, so the
/// output equals a one-part generation.
pub fn generate_table(table: &str, sf: f64) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    match TABLES.iter().find(|t| **t == table) {
        Some(table) => Ok(stream_table(table, sf)),
        None => plan_err!("unknown TPC-H table '{table}'"),
    }
}

fn stream_table(table: &'static str, sf: f64) -> impl Iterator<Item = Result<RecordBatch>> {
    let parts = ((rows_at_sf1(table) * sf) / 500_000.0).ceil().max(1.0) as i32;
    let wave = rayon::current_num_threads().max(1) as i32;
    let waves = (parts + wave - 1) / wave;
    (0..waves).flat_map(move |w| {
        let first = w * wave + 1;
        let last = ((w + 1) * wave).min(parts);
        let generated: Vec<Result<Vec<RecordBatch>>> =
            (first..=last).into_par_iter().map(|part| generate_part(table, sf, part, parts)).collect();
        generated
            .into_iter()
            .flat_map(|part| match part {
                Ok(batches) => batches.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            })
            .collect::<Vec<_>>()
    })
}

/// Write the eight TPC-H tables at `scale_factor` into `dir` (created if missing), one file per
/// table named `<table>.<ext>`, each written atomically. Returns the paths in [`TABLES`] order.
pub fn write_tpch(dir: &Path, scale_factor: f64, format: FileFormat) -> Result<Vec<PathBuf>> {
    write_tpch_with(dir, scale_factor, &WriteOptions::new(format))
}

/// [`write_tpch`] with a chosen row-group size.
pub fn write_tpch_with(dir: &Path, scale_factor: f64, options: &WriteOptions) -> Result<Vec<PathBuf>> {
    if !(scale_factor.is_finite() && scale_factor > 0.0) {
        return plan_err!("TPC-H scale factor must be a positive number, got {scale_factor}");
    }
    let mut paths = Vec::with_capacity(TABLES.len());
    for table in TABLES {
        let path = dir.join(format!("{table}.{}", options.format.extension()));
        write_file_atomically(&path, table_schema(table)?, stream_table(table, scale_factor), options)?;
        paths.push(path);
    }
    Ok(paths)
}
