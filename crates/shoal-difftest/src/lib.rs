//! Differential testing of shoal against an oracle engine: result normalisation, comparison
//! with tolerances and a readable diff, and the query corpus.
//!
//! * [`value`]: turns result batches of any engine into rows of comparable [`Value`]s
//!   (integers, decimals and floats as numbers; strings; dates and timestamps as instants).
//! * [`compare`]: compares two [`ResultSet`]s as multisets (or in order when the query's order
//!   is total) and explains the first differences.
//! * [`queries`]: the SQL corpus (`.sql` files) with per-query comparison settings.
//!
//! The integration tests (`tests/tpch.rs`, `tests/taxi.rs`) generate data with
//! `shoal-datagen` and run every query in shoal and in DataFusion; `shoal-bench --check`
//! reuses the same comparison. `tests/taxi.rs` also runs `queries/taxi_nulls`, which compares
//! NULL semantics over the taxi data's nullable columns (passenger_count, RatecodeID,
//! store_and_fwd_flag, congestion_surcharge and Airport_fee, NULL together in about 2.5% of
//! the trips).
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{Float64Array, Int64Array};
//! use arrow::datatypes::{DataType, Field, Schema};
//! use arrow::record_batch::RecordBatch;
//! use shoal_difftest::{compare, CompareOptions, ResultSet};
//!
//! let ints = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
//! let floats = Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, false)]));
//! let a = RecordBatch::try_new(ints.clone(), vec![Arc::new(Int64Array::from(vec![2, 1]))]).unwrap();
//! let b = RecordBatch::try_new(floats.clone(), vec![Arc::new(Float64Array::from(vec![1.0, 2.0]))]).unwrap();
//! let actual = ResultSet::from_batches(&ints, &[a]).unwrap();
//! let expected = ResultSet::from_batches(&floats, &[b]).unwrap();
//! assert!(compare(&actual, &expected, &CompareOptions::default()).is_ok());
//! ```

pub mod compare;
pub mod queries;
pub mod value;

use arrow::record_batch::RecordBatch;

pub use compare::{compare, CompareOptions, Mismatch};
pub use queries::{Query, QueryOrder};
pub use value::{ResultSet, Row, Value};

/// Run `sql` in a shoal session and normalise its result.
pub fn run_shoal(session: &shoal::Session, sql: &str) -> shoal::Result<ResultSet> {
    let df = session.sql(sql)?;
    let batches: Vec<RecordBatch> = df.collect()?;
    ResultSet::from_batches(&df.schema(), &batches)
        .map_err(|e| shoal::ShoalError::Internal(format!("cannot normalise shoal's result: {e}")))
}
