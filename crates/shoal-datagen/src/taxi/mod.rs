//! Synthetic NYC yellow-taxi trips with the real TLC schema, generated deterministically.
//!
//! Row `r` of a data set is drawn from its own random stream seeded by `(seed, r)`, so a chunk
//! of rows depends only on the seed and its row range: chunks are generated in parallel and a
//! data set of any size streams to disk in bounded memory. The same seed and row count give the
//! same rows however they are split into files.

mod model;

use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use arrow::array::{ArrayRef, Float64Array, Int32Array, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use shoal_common::{plan_err, Result};

use crate::rng::SplitMix64;
use crate::writer::{write_file_atomically, WriteOptions};
use crate::FileFormat;

/// The seed [`write_taxi`] uses.
pub const DEFAULT_SEED: u64 = 0x7A71_2022_2024;
/// Rows generated per chunk (the unit of parallel generation and of written batches).
pub const CHUNK_ROWS: usize = 64 * 1024;
/// The table name the taxi queries use.
pub const TABLE_NAME: &str = "trips";

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    let money = |name: &str, nullable: bool| Field::new(name, DataType::Float64, nullable);
    let ts = DataType::Timestamp(TimeUnit::Microsecond, None);
    Arc::new(Schema::new(vec![
        Field::new("VendorID", DataType::Int32, false),
        Field::new("tpep_pickup_datetime", ts.clone(), false),
        Field::new("tpep_dropoff_datetime", ts, false),
        Field::new("passenger_count", DataType::Int64, true),
        Field::new("trip_distance", DataType::Float64, false),
        Field::new("RatecodeID", DataType::Int64, true),
        Field::new("store_and_fwd_flag", DataType::Utf8, true),
        Field::new("PULocationID", DataType::Int32, false),
        Field::new("DOLocationID", DataType::Int32, false),
        Field::new("payment_type", DataType::Int64, false),
        money("fare_amount", false),
        money("extra", false),
        money("mta_tax", false),
        money("tip_amount", false),
        money("tolls_amount", false),
        money("improvement_surcharge", false),
        money("total_amount", false),
        money("congestion_surcharge", true),
        money("Airport_fee", true),
    ]))
});

/// The schema of the trips table (the TLC yellow-taxi schema).
pub fn taxi_schema() -> SchemaRef {
    Arc::clone(&SCHEMA)
}

/// Options of [`write_taxi_with`].
#[derive(Debug, Clone, Copy)]
pub struct TaxiOptions {
    /// Random seed; the same seed gives the same rows.
    pub seed: u64,
    /// Output format and row-group size.
    pub write: WriteOptions,
}

impl TaxiOptions {
    /// Default seed and row-group size, in `format`.
    pub fn new(format: FileFormat) -> Self {
        Self { seed: DEFAULT_SEED, write: WriteOptions::new(format) }
    }

    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    pub fn with_row_group_rows(mut self, rows: usize) -> Self {
        self.write = self.write.with_row_group_rows(rows);
        self
    }
}

/// Generate rows `first_row .. first_row + num_rows` of the data set with `seed`.
pub fn generate_rows(seed: u64, first_row: u64, num_rows: usize) -> Result<RecordBatch> {
    let n = num_rows;
    let mut vendor = Vec::with_capacity(n);
    let mut pickup = Vec::with_capacity(n);
    let mut dropoff = Vec::with_capacity(n);
    let mut passengers = Vec::with_capacity(n);
    let mut distance = Vec::with_capacity(n);
    let mut ratecode = Vec::with_capacity(n);
    let mut flag = Vec::with_capacity(n);
    let mut pu = Vec::with_capacity(n);
    let mut do_ = Vec::with_capacity(n);
    let mut payment = Vec::with_capacity(n);
    let mut fare = Vec::with_capacity(n);
    let mut extra = Vec::with_capacity(n);
    let mut mta = Vec::with_capacity(n);
    let mut tip = Vec::with_capacity(n);
    let mut tolls = Vec::with_capacity(n);
    let mut improvement = Vec::with_capacity(n);
    let mut total = Vec::with_capacity(n);
    let mut congestion = Vec::with_capacity(n);
    let mut airport = Vec::with_capacity(n);
    for row in first_row..first_row + n as u64 {
        let t = model::generate_trip(&mut SplitMix64::for_row(seed, row));
        vendor.push(t.vendor_id);
        pickup.push(t.pickup_us);
        dropoff.push(t.dropoff_us);
        passengers.push(t.passenger_count);
        distance.push(t.trip_distance);
        ratecode.push(t.ratecode_id);
        flag.push(t.store_and_fwd_flag);
        pu.push(t.pu_location_id);
        do_.push(t.do_location_id);
        payment.push(t.payment_type);
        fare.push(t.fare_amount);
        extra.push(t.extra);
        mta.push(t.mta_tax);
        tip.push(t.tip_amount);
        tolls.push(t.tolls_amount);
        improvement.push(t.improvement_surcharge);
        total.push(t.total_amount);
        congestion.push(t.congestion_surcharge);
        airport.push(t.airport_fee);
    }
    let f64s = |v: Vec<f64>| Arc::new(Float64Array::from(v)) as ArrayRef;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from(vendor)),
        Arc::new(TimestampMicrosecondArray::from(pickup)),
        Arc::new(TimestampMicrosecondArray::from(dropoff)),
        Arc::new(Int64Array::from(passengers)),
        f64s(distance),
        Arc::new(Int64Array::from(ratecode)),
        Arc::new(StringArray::from(flag)),
        Arc::new(Int32Array::from(pu)),
        Arc::new(Int32Array::from(do_)),
        Arc::new(Int64Array::from(payment)),
        f64s(fare),
        f64s(extra),
        f64s(mta),
        f64s(tip),
        f64s(tolls),
        f64s(improvement),
        f64s(total),
        Arc::new(Float64Array::from(congestion)),
        Arc::new(Float64Array::from(airport)),
    ];
    Ok(RecordBatch::try_new(taxi_schema(), columns)?)
}

/// Generate chunk `index` (rows `index * CHUNK_ROWS ..`, at most `total_rows` rows in all).
pub fn generate_chunk(seed: u64, index: u64, total_rows: u64) -> Result<RecordBatch> {
    let first = index.saturating_mul(CHUNK_ROWS as u64);
    let len = total_rows.saturating_sub(first).min(CHUNK_ROWS as u64);
    generate_rows(seed, first, len as usize)
}

/// The batches of rows `range`, generated a wave of chunks at a time in parallel on the rayon
/// pool (so memory holds one wave, not the whole range).
fn stream_rows(seed: u64, range: std::ops::Range<u64>) -> impl Iterator<Item = Result<RecordBatch>> {
    let chunk = CHUNK_ROWS as u64;
    let wave = (rayon::current_num_threads() as u64).max(1) * chunk;
    let start = range.start;
    let end = range.end;
    let waves = (end - start).div_ceil(wave);
    (0..waves).flat_map(move |w| {
        let wave_start = start + w * wave;
        let wave_end = (wave_start + wave).min(end);
        let chunks = (wave_end - wave_start).div_ceil(chunk);
        let batches: Vec<Result<RecordBatch>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let first = wave_start + c * chunk;
                let len = (wave_end - first).min(chunk);
                generate_rows(seed, first, len as usize)
            })
            .collect();
        batches
    })
}

/// Write `rows` trips, split evenly over `files` files named `trips-00000.<ext>`, ... in `dir`
/// (created if missing), with the default seed. Returns the paths written, in order.
pub fn write_taxi(dir: &Path, rows: u64, files: usize, format: FileFormat) -> Result<Vec<PathBuf>> {
    write_taxi_with(dir, rows, files, &TaxiOptions::new(format))
}

/// [`write_taxi`] with a chosen seed and row-group size.
pub fn write_taxi_with(dir: &Path, rows: u64, files: usize, options: &TaxiOptions) -> Result<Vec<PathBuf>> {
    if files == 0 {
        return plan_err!("write_taxi: the number of files must be at least 1");
    }
    let files_u64 = files as u64;
    let mut paths = Vec::with_capacity(files);
    for f in 0..files_u64 {
        let start = rows / files_u64 * f + (rows % files_u64).min(f);
        let len = rows / files_u64 + u64::from(f < rows % files_u64);
        let path = dir.join(format!("trips-{f:05}.{}", options.write.format.extension()));
        write_file_atomically(
            &path,
            taxi_schema(),
            stream_rows(options.seed, start..start + len),
            &options.write,
        )?;
        paths.push(path);
    }
    Ok(paths)
}
