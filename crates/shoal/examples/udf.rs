//! User-defined functions: a scalar `haversine_km` over four columns and an aggregate
//! `geo_mean`, registered once and called from SQL and from the DataFrame API.
//!
//! Run with `cargo run -p shoal --example udf`.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Float64Type, Schema};
use arrow::util::pretty::pretty_format_batches;
use shoal::udf::{create_udaf, create_udf, Accumulator, Volatility};
use shoal::{col, Result, Session, ShoalError};
use shoal_common::ScalarValue;

/// Great-circle distance in kilometres between (lat1, lon1) and (lat2, lon2), in degrees.
fn haversine(args: &[ArrayRef]) -> Result<ArrayRef> {
    let [lat1, lon1, lat2, lon2] = args else {
        return Err(ShoalError::Execution("haversine_km takes four arguments".into()));
    };
    let (lat1, lon1) = (lat1.as_primitive::<Float64Type>(), lon1.as_primitive::<Float64Type>());
    let (lat2, lon2) = (lat2.as_primitive::<Float64Type>(), lon2.as_primitive::<Float64Type>());
    let out: Float64Array = (0..lat1.len())
        .map(|i| {
            if lat1.is_null(i) || lon1.is_null(i) || lat2.is_null(i) || lon2.is_null(i) {
                return None;
            }
            let (p1, p2) = (lat1.value(i).to_radians(), lat2.value(i).to_radians());
            let dp = p2 - p1;
            let dl = (lon2.value(i) - lon1.value(i)).to_radians();
            let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
            Some(6371.0 * 2.0 * a.sqrt().asin())
        })
        .collect();
    Ok(Arc::new(out))
}

/// The geometric mean of the positive values: exp(mean(ln x)). State: (sum of logs, count).
#[derive(Debug, Default)]
struct GeoMean {
    log_sum: f64,
    count: f64,
}

impl Accumulator for GeoMean {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        for v in values[0].as_primitive::<Float64Type>().iter().flatten().filter(|v| *v > 0.0) {
            self.log_sum += v.ln();
            self.count += 1.0;
        }
        Ok(())
    }
    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::float64(Some(self.log_sum)), ScalarValue::float64(Some(self.count))])
    }
    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        self.log_sum += states[0].as_primitive::<Float64Type>().iter().flatten().sum::<f64>();
        self.count += states[1].as_primitive::<Float64Type>().iter().flatten().sum::<f64>();
        Ok(())
    }
    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::float64((self.count > 0.0).then(|| (self.log_sum / self.count).exp())))
    }
}

fn main() -> Result<()> {
    let session = Session::new();
    session.register_udf(create_udf(
        "haversine_km",
        vec![DataType::Float64; 4],
        DataType::Float64,
        Volatility::Immutable,
        haversine,
    ))?;
    session.register_udaf(create_udaf(
        "geo_mean",
        vec![DataType::Float64],
        DataType::Float64,
        vec![DataType::Float64, DataType::Float64],
        || Ok(Box::new(GeoMean::default())),
    ))?;

    let schema = Arc::new(Schema::new(vec![
        Field::new("city", DataType::Utf8, false),
        Field::new("lat1", DataType::Float64, false),
        Field::new("lon1", DataType::Float64, false),
        Field::new("lat2", DataType::Float64, false),
        Field::new("lon2", DataType::Float64, false),
        Field::new("fare", DataType::Float64, true),
    ]));
    let column = |v: &[f64]| Arc::new(Float64Array::from(v.to_vec())) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from(vec!["nyc", "nyc", "paris", "paris"])),
            column(&[40.75, 40.71, 48.85, 48.86]),
            column(&[-73.99, -74.01, 2.35, 2.29]),
            column(&[40.64, 40.78, 48.87, 49.00]),
            column(&[-73.78, -73.97, 2.78, 2.55]),
            Arc::new(Float64Array::from(vec![Some(52.0), Some(12.5), None, Some(40.0)])),
        ],
    )
    .map_err(ShoalError::from)?;
    session.register_batches("rides", vec![batch])?;

    let sql =
        "SELECT city, round(sum(haversine_km(lat1, lon1, lat2, lon2)), 1) AS km, geo_mean(fare) AS fare_gm \
               FROM rides GROUP BY city ORDER BY city";
    println!("{sql}\n{}", pretty_format_batches(&session.sql(sql)?.collect()?).map_err(ShoalError::from)?);

    // the same from the DataFrame API
    let haversine = session.udf("haversine_km")?;
    let geo_mean = session.udaf("geo_mean")?;
    let df = session
        .table("rides")?
        .with_column("km", haversine.call([col("lat1"), col("lon1"), col("lat2"), col("lon2")]))?
        .group_by([col("city")])?
        .agg([geo_mean.call([col("km")]).alias("km_gm")])?;
    println!("DataFrame as SQL: {}", df.to_sql()?);
    println!("{}", pretty_format_batches(&df.collect()?).map_err(ShoalError::from)?);
    Ok(())
}
