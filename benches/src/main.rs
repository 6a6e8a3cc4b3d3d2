//! `shoal-bench`: runs a query suite in shoal and DataFusion on the same generated data, in one
//! process, and prints median times, result rows and peak memory per engine.
//!
//! See `benches/README.md` for usage.

mod alloc;
mod cli;
mod data;
mod dataframe_queries;
mod engines;
mod report;

use anyhow::{Context, Result};
use clap::Parser;
use shoal_difftest::{compare, CompareOptions, Query};

use crate::cli::{Args, BenchConfig, Suite};
use crate::engines::{DataFusionEngine, Engine, ShoalEngine};
use crate::report::{measure, QueryReport};

#[global_allocator]
static ALLOCATOR: alloc::CountingAllocator = alloc::CountingAllocator;

fn main() -> Result<()> {
    let config = Args::parse().validate()?;
    let mut queries = select_queries(&config)?;
    if config.run_shoal_df {
        queries.retain(|q| dataframe_queries::supports(&q.name));
    }
    let tables = data::prepare(&config)?;
    let shoal =
        if config.run_shoal { Some(ShoalEngine::new(config.threads, config.format, &tables)?) } else { None };
    let shoal_df = if config.run_shoal_df {
        Some(dataframe_queries::DataFrameEngine::new(config.threads, config.format, &tables)?)
    } else {
        None
    };
    let datafusion = if config.run_datafusion {
        Some(DataFusionEngine::new(config.threads, config.format, &tables)?)
    } else {
        None
    };
    println!(
        "suite {:?}, {}, {} threads, median of {} runs after 1 warm-up",
        config.suite, config.format, config.threads, config.runs
    );
    let mut reports = Vec::with_capacity(queries.len());
    for query in &queries {
        eprintln!("running {} ...", query.name);
        let run =
            |engine: &dyn Engine, sql: &str| measure(engine, sql, config.runs).map_err(|e| format!("{e:#}"));
        let shoal_m = shoal
            .as_ref()
            .map(|e| run(e, &query.sql))
            .or_else(|| shoal_df.as_ref().map(|e| run(e, &query.name)));
        let df_m = datafusion.as_ref().map(|e| run(e, query.oracle_sql()));
        let check = match (&shoal_m, &df_m) {
            (Some(Ok(s)), Some(Ok(d))) if config.check => {
                let options = CompareOptions::default()
                    .with_ordered(query.ordered())
                    .with_labels("shoal", "datafusion");
                Some(compare(&s.result, &d.result, &options).map_err(|m| m.to_string()))
            }
            _ => None,
        };
        reports.push(QueryReport { name: query.name.clone(), shoal: shoal_m, datafusion: df_m, check });
    }
    report::print(&reports);
    let failed = reports.iter().any(|r| matches!(r.check, Some(Err(_))) || matches!(r.shoal, Some(Err(_))));
    if failed {
        std::process::exit(1);
    }
    Ok(())
}

/// The suite's queries, filtered by `--queries` (unknown names are an error).
fn select_queries(config: &BenchConfig) -> Result<Vec<Query>> {
    let all = match config.suite {
        Suite::Tpch => shoal_difftest::queries::tpch_queries(),
        Suite::Taxi => shoal_difftest::queries::taxi_queries(),
    }
    .context("loading the suite's queries")?;
    if config.queries.is_empty() {
        return Ok(all);
    }
    let names: Vec<&str> = all.iter().map(|q| q.name.as_str()).collect();
    for wanted in &config.queries {
        if !names.iter().any(|n| n == wanted || n.split('_').next() == Some(wanted.as_str())) {
            anyhow::bail!("unknown query '{wanted}'; the suite has: {}", names.join(", "));
        }
    }
    Ok(all
        .into_iter()
        .filter(|q| {
            config.queries.iter().any(|w| *w == q.name || q.name.split('_').next() == Some(w.as_str()))
        })
        .collect())
}
