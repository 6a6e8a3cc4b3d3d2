//! Differential test: TPC-H Q1, Q6 and single-table queries (SF 0.01) in shoal and DataFusion,
//! over Parquet and CSV.

mod common;

use common::{DataSet, TableFiles};
use shoal_datagen::{tpch, FileFormat};

const SCALE_FACTOR: f64 = 0.01;

fn generate() -> Vec<DataSet> {
    [FileFormat::Parquet, FileFormat::Csv]
        .into_iter()
        .map(|format| {
            let dir = common::data_dir().join(format.extension());
            let paths = tpch::write_tpch(&dir, SCALE_FACTOR, format).expect("TPC-H data");
            let tables = tpch::TABLES
                .iter()
                .zip(paths)
                .map(|(name, path)| TableFiles { name: name.to_string(), path })
                .collect();
            DataSet { format, tables }
        })
        .collect()
}

fn main() {
    let mut queries = shoal_difftest::queries::tpch_queries().expect("queries/tpch");
    queries.extend(shoal_difftest::queries::single_table_queries().expect("single-table queries"));
    common::run(queries, generate)
}
