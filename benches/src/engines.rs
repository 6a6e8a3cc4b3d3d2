//! The two engines behind one interface: register tables, run a query, time it.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Result};
use arrow::record_batch::RecordBatch;
use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionContext};
use shoal_datagen::FileFormat;
use shoal_difftest::ResultSet;
use tokio::runtime::Runtime;

use crate::data::Table;

/// The result of one run: wall time, rows, and the batches (kept for `--check`).
pub struct RunOutput {
    pub elapsed: Duration,
    pub rows: usize,
    pub result: ResultSet,
}

/// An engine under benchmark.
pub trait Engine {
    /// Plan and run `sql` to completion, collecting every result batch.
    fn run(&self, sql: &str) -> Result<RunOutput>;
}

pub(crate) fn output(
    elapsed: Duration,
    schema: &arrow::datatypes::Schema,
    batches: &[RecordBatch],
) -> Result<RunOutput> {
    Ok(RunOutput {
        elapsed,
        rows: batches.iter().map(|b| b.num_rows()).sum(),
        result: ResultSet::from_batches(schema, batches)?,
    })
}

/// shoal with a session of `threads` workers.
pub struct ShoalEngine {
    session: shoal::Session,
}

impl ShoalEngine {
    pub fn new(threads: usize, format: FileFormat, tables: &[Table]) -> Result<Self> {
        let config = shoal::SessionConfig::default().with_threads(threads);
        let session = shoal::Session::with_config(config);
        for t in tables {
            match format {
                FileFormat::Parquet => session.register_parquet(&t.name, &t.path),
                FileFormat::Csv => session.register_csv(&t.name, &t.path),
            }
            .map_err(|e| anyhow!("shoal: registering {}: {e}", t.path.display()))?;
        }
        Ok(Self { session })
    }
}

impl Engine for ShoalEngine {
    fn run(&self, sql: &str) -> Result<RunOutput> {
        let start = Instant::now();
        let df = self.session.sql(sql).map_err(|e| anyhow!(e.render(sql)))?;
        let batches = df.collect().map_err(|e| anyhow!(e.render(sql)))?;
        let elapsed = start.elapsed();
        output(elapsed, &df.schema(), &batches)
    }
}

/// DataFusion with `threads` target partitions on a tokio runtime of `threads` workers.
pub struct DataFusionEngine {
    runtime: Runtime,
    ctx: SessionContext,
}

fn df_path(path: &Path) -> String {
    let mut s = path.display().to_string();
    if path.is_dir() && !s.ends_with('/') {
        s.push('/');
    }
    s
}

impl DataFusionEngine {
    pub fn new(threads: usize, format: FileFormat, tables: &[Table]) -> Result<Self> {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()?;
        let config = datafusion::prelude::SessionConfig::new().with_target_partitions(threads);
        let ctx = SessionContext::new_with_config(config);
        runtime.block_on(async {
            for t in tables {
                let path = df_path(&t.path);
                match format {
                    FileFormat::Parquet => {
                        ctx.register_parquet(&t.name, &path, ParquetReadOptions::default()).await
                    }
                    FileFormat::Csv => ctx.register_csv(&t.name, &path, CsvReadOptions::new()).await,
                }
                .map_err(|e| anyhow!("DataFusion: registering {path}: {e}"))?;
            }
            Ok::<_, anyhow::Error>(())
        })?;
        Ok(Self { runtime, ctx })
    }
}

impl Engine for DataFusionEngine {
    fn run(&self, sql: &str) -> Result<RunOutput> {
        self.runtime.block_on(async {
            let start = Instant::now();
            let df = self.ctx.sql(sql).await?;
            let schema = df.schema().as_arrow().clone();
            let batches = df.collect().await?;
            let elapsed = start.elapsed();
            output(elapsed, &schema, &batches)
        })
    }
}
