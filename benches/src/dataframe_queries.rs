//! The `shoal-df` engine: TPC-H Q1/Q6 and taxi q1..q4 written with shoal's DataFrame API
//! instead of SQL, timed like the SQL engines (plan building included).

use std::time::Instant;

use anyhow::{anyhow, Result};
use shoal::prelude::*;
use shoal_datagen::FileFormat;

use crate::data::Table;
use crate::engines::{output, Engine, RunOutput};

/// The query names (file stems) that have a DataFrame version.
const QUERIES: [&str; 6] = [
    "q1",
    "q6",
    "q1_count_by_vendor",
    "q2_avg_total_by_passengers",
    "q3_count_by_passengers_year",
    "q4_count_by_passengers_year_distance",
];

/// True when `name` has a DataFrame version.
pub fn supports(name: &str) -> bool {
    QUERIES.contains(&name)
}

/// shoal through the DataFrame API; `run` takes the query's name instead of its SQL.
pub struct DataFrameEngine {
    session: Session,
}

impl DataFrameEngine {
    pub fn new(threads: usize, format: FileFormat, tables: &[Table]) -> Result<Self> {
        let session = Session::with_config(SessionConfig::default().with_threads(threads));
        for t in tables {
            match format {
                FileFormat::Parquet => session.register_parquet(&t.name, &t.path),
                FileFormat::Csv => session.register_csv(&t.name, &t.path),
            }
            .map_err(|e| anyhow!("shoal-df: registering {}: {e}", t.path.display()))?;
        }
        Ok(Self { session })
    }

    /// The DataFrame of query `name`.
    fn build(&self, name: &str) -> shoal::Result<DataFrame> {
        let s = &self.session;
        let disc_price = || col("l_extendedprice") * (lit(1i64) - col("l_discount"));
        let pickup_year = || col("tpep_pickup_datetime").dt().year().alias("year");
        match name {
            "q1" => s
                .table("lineitem")?
                .filter(col("l_shipdate").lt_eq(lit_date("1998-12-01") - interval(0, 90, 0)))?
                .group_by([col("l_returnflag"), col("l_linestatus")])?
                .agg([
                    col("l_quantity").sum().alias("sum_qty"),
                    col("l_extendedprice").sum().alias("sum_base_price"),
                    disc_price().sum().alias("sum_disc_price"),
                    (disc_price() * (lit(1i64) + col("l_tax"))).sum().alias("sum_charge"),
                    col("l_quantity").avg().alias("avg_qty"),
                    col("l_extendedprice").avg().alias("avg_price"),
                    col("l_discount").avg().alias("avg_disc"),
                    count_star().alias("count_order"),
                ])?
                .sort([col("l_returnflag").asc(), col("l_linestatus").asc()]),
            "q6" => {
                let start = lit_date("1994-01-01");
                s.table("lineitem")?
                    .filter(
                        col("l_shipdate")
                            .gt_eq(start.clone())
                            .and(col("l_shipdate").lt(start + interval(12, 0, 0)))
                            .and(col("l_discount").between(
                                lit_decimal("0.06") - lit_decimal("0.01"),
                                lit_decimal("0.06") + lit_decimal("0.01"),
                            ))
                            .and(col("l_quantity").lt(lit(24i64))),
                    )?
                    .select([(col("l_extendedprice") * col("l_discount")).sum().alias("revenue")])
            }
            "q1_count_by_vendor" => s
                .table("trips")?
                .group_by([col("VendorID")])?
                .agg([count_star()])?
                .sort([col("VendorID").asc()]),
            "q2_avg_total_by_passengers" => s
                .table("trips")?
                .group_by([col("passenger_count")])?
                .agg([col("total_amount").avg()])?
                .sort([col("passenger_count").asc()]),
            "q3_count_by_passengers_year" => s
                .table("trips")?
                .group_by([col("passenger_count"), pickup_year()])?
                .agg([count_star().alias("trips")])?
                .sort([col("passenger_count").asc(), col("year").asc()]),
            "q4_count_by_passengers_year_distance" => s
                .table("trips")?
                .group_by([
                    col("passenger_count"),
                    pickup_year(),
                    call("round", [col("trip_distance")]).alias("distance"),
                ])?
                .agg([count_star().alias("trips")])?
                .sort([
                    col("year").asc(),
                    col("trips").desc(),
                    col("passenger_count").asc(),
                    col("distance").asc(),
                ]),
            other => Err(ShoalError::Plan {
                message: format!("no DataFrame version of query {other}"),
                span: None,
            }),
        }
    }
}

impl Engine for DataFrameEngine {
    fn run(&self, name: &str) -> Result<RunOutput> {
        let start = Instant::now();
        let df = self.build(name).map_err(|e| anyhow!("shoal-df {name}: {e}"))?;
        let batches = df.collect().map_err(|e| anyhow!("shoal-df {name}: {e}"))?;
        let elapsed = start.elapsed();
        output(elapsed, &df.schema(), &batches)
    }
}
