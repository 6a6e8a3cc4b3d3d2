//! Differential test: the taxi report queries over 100k generated trips (two files, several
//! row groups each) in shoal and DataFusion, over Parquet and CSV.

mod common;

use common::{DataSet, TableFiles};
use shoal_datagen::taxi::{self, TaxiOptions};
use shoal_datagen::FileFormat;

const ROWS: u64 = 100_000;
const FILES: usize = 2;
/// Small row groups so the data has several per file (and shoal several morsels).
const ROW_GROUP_ROWS: usize = 16 * 1024;

fn generate() -> Vec<DataSet> {
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

fn main() {
    let queries = shoal_difftest::queries::taxi_queries().expect("queries/taxi");
    common::run(queries, generate)
}
