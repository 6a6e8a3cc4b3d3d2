//! Differential test: the taxi report queries and the NULL-semantics queries
//! (`queries/taxi_nulls`) over 100k generated trips (two files, several row groups each) in
//! shoal and DataFusion, over Parquet and CSV.
//!
//! The NULL-semantics queries may name two extra copies of the same trips, for `read_csv`
//! options: `${trips_psv}` (one `|`-delimited file with a header) and `${trips_noheader}` (one
//! comma-delimited file without a header).

mod common;

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::PathBuf;

use common::{DataSet, TableFiles};
use shoal_datagen::taxi::{self, TaxiOptions};
use shoal_datagen::FileFormat;
use shoal_difftest::Query;

const ROWS: u64 = 100_000;
const FILES: usize = 2;
/// Small row groups so the data has several per file (and shoal several morsels).
const ROW_GROUP_ROWS: usize = 16 * 1024;

fn psv_path() -> PathBuf {
    common::data_dir().join("csv_options").join("trips.psv")
}

fn noheader_path() -> PathBuf {
    common::data_dir().join("csv_options").join("trips_noheader.csv")
}

/// Write all `ROWS` trips (the same rows as the main copies) to one CSV file.
fn write_csv_copy(path: &PathBuf, delimiter: u8, header: bool) {
    fs::create_dir_all(path.parent().expect("parent directory")).expect("csv_options directory");
    let out = BufWriter::new(File::create(path).expect("create CSV copy"));
    let mut writer = arrow::csv::WriterBuilder::new()
        .with_header(header)
        .with_delimiter(delimiter)
        .with_timestamp_format("%Y-%m-%d %H:%M:%S".to_string())
        .build(out);
    let chunk = taxi::CHUNK_ROWS as u64;
    for first in (0..ROWS).step_by(taxi::CHUNK_ROWS) {
        let len = (ROWS - first).min(chunk) as usize;
        let batch = taxi::generate_rows(taxi::DEFAULT_SEED, first, len).expect("taxi rows");
        writer.write(&batch).expect("write CSV copy");
    }
}

fn generate() -> Vec<DataSet> {
    write_csv_copy(&psv_path(), b'|', true);
    write_csv_copy(&noheader_path(), b',', false);
    [FileFormat::Parquet, FileFormat::Csv]
        .into_iter()
        .map(|format| {
            let dir = common::data_dir().join(format.extension());
            let options = TaxiOptions::new(format).with_row_group_rows(ROW_GROUP_ROWS);
            taxi::write_taxi_with(&dir, ROWS, FILES, &options).expect("taxi data");
            DataSet { format, tables: vec![TableFiles { name: taxi::TABLE_NAME.to_string(), path: dir }] }
        })
        .collect()
}

/// Fill in the paths of the extra CSV copies.
fn with_paths(sql: &str) -> String {
    sql.replace("${trips_psv}", &psv_path().display().to_string())
        .replace("${trips_noheader}", &noheader_path().display().to_string())
}

fn main() {
    let mut queries = shoal_difftest::queries::taxi_queries().expect("queries/taxi");
    let nulls = shoal_difftest::queries::taxi_nulls_queries().expect("queries/taxi_nulls");
    queries.extend(nulls.into_iter().map(|q| Query {
        name: format!("nulls::{}", q.name),
        sql: with_paths(&q.sql),
        oracle_sql: q.oracle_sql.as_deref().map(with_paths),
        order: q.order,
    }));
    common::run(queries, generate)
}
