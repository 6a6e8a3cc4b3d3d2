//! Shared harness of the differential tests: generated data, the DataFusion oracle, and one
//! libtest-mimic trial per (query, file format).
//!
//! Set `SHOAL_DIFFTEST_SELF_CHECK=1` to compare DataFusion over CSV with DataFusion over
//! Parquet instead of shoal with DataFusion: it checks the data, the queries and the
//! comparison code without shoal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::prelude::{CsvReadOptions, ParquetReadOptions, SessionConfig, SessionContext};
use libtest_mimic::{Arguments, Failed, Trial};
use shoal_datagen::FileFormat;
use shoal_difftest::{compare, run_shoal, CompareOptions, Query, ResultSet};
use tokio::runtime::Runtime;

/// A table to register: name and path (a file, or a directory of files).
pub struct TableFiles {
    pub name: String,
    pub path: PathBuf,
}

/// The tables of one suite in one format.
pub struct DataSet {
    pub format: FileFormat,
    pub tables: Vec<TableFiles>,
}

/// The engines of one data set: shoal and the DataFusion oracle over the same files.
struct Engines {
    format: FileFormat,
    actual: Actual,
    oracle: SessionContext,
}

enum Actual {
    Shoal(shoal::Session),
    /// Self-check mode: DataFusion over the CSV copy of the data.
    DataFusion(SessionContext),
}

fn self_check() -> bool {
    std::env::var("SHOAL_DIFFTEST_SELF_CHECK").is_ok_and(|v| v == "1")
}

fn runtime() -> Arc<Runtime> {
    Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime"),
    )
}

fn df_path(path: &Path) -> String {
    let mut s = path.display().to_string();
    if path.is_dir() && !s.ends_with('/') {
        s.push('/');
    }
    s
}

fn datafusion_context(rt: &Runtime, data: &DataSet) -> SessionContext {
    let ctx = SessionContext::new_with_config(SessionConfig::new().with_target_partitions(2));
    rt.block_on(async {
        for t in &data.tables {
            let path = df_path(&t.path);
            match data.format {
                FileFormat::Parquet => ctx
                    .register_parquet(&t.name, &path, ParquetReadOptions::default())
                    .await
                    .expect("DataFusion registers Parquet"),
                FileFormat::Csv => ctx
                    .register_csv(&t.name, &path, CsvReadOptions::new())
                    .await
                    .expect("DataFusion registers CSV"),
            }
        }
    });
    ctx
}

fn shoal_session(data: &DataSet) -> shoal::Session {
    let session = shoal::Session::new();
    for t in &data.tables {
        let registered = match data.format {
            FileFormat::Parquet => session.register_parquet(&t.name, &t.path),
            FileFormat::Csv => session.register_csv(&t.name, &t.path),
        };
        if let Err(e) = registered {
            panic!("shoal cannot register {}: {e}", t.path.display());
        }
    }
    session
}

fn run_datafusion(rt: &Runtime, ctx: &SessionContext, sql: &str) -> Result<ResultSet, String> {
    rt.block_on(async {
        let df = ctx.sql(sql).await.map_err(|e| e.to_string())?;
        let schema = df.schema().as_arrow().clone();
        let batches = df.collect().await.map_err(|e| e.to_string())?;
        ResultSet::from_batches(&schema, &batches).map_err(|e| e.to_string())
    })
}

/// Run every query on every data set (shoal vs DataFusion) as libtest-mimic trials named
/// `<format>::<query>`; `data` is generated only when some trial will run.
pub fn run(queries: Vec<Query>, data: impl FnOnce() -> Vec<DataSet>) -> ! {
    let args = Arguments::from_args();
    if args.list {
        let trials = queries
            .iter()
            .flat_map(|q| ["parquet", "csv"].map(|f| Trial::test(format!("{f}::{}", q.name), || Ok(()))))
            .collect();
        libtest_mimic::run(&args, trials).exit();
    }
    let rt = runtime();
    let data_sets = data();
    let mut engines = Vec::new();
    if self_check() {
        let parquet = data_sets.iter().find(|d| d.format == FileFormat::Parquet);
        let csv = data_sets.iter().find(|d| d.format == FileFormat::Csv);
        if let (Some(parquet), Some(csv)) = (parquet, csv) {
            engines.push(Arc::new(Engines {
                format: FileFormat::Csv,
                actual: Actual::DataFusion(datafusion_context(&rt, csv)),
                oracle: datafusion_context(&rt, parquet),
            }));
        }
    } else {
        for d in &data_sets {
            engines.push(Arc::new(Engines {
                format: d.format,
                actual: Actual::Shoal(shoal_session(d)),
                oracle: datafusion_context(&rt, d),
            }));
        }
    }
    let mut trials = Vec::new();
    for e in &engines {
        for q in &queries {
            let (e, q, rt) = (Arc::clone(e), q.clone(), Arc::clone(&rt));
            trials.push(Trial::test(format!("{}::{}", e.format, q.name), move || run_one(&rt, &e, &q)));
        }
    }
    libtest_mimic::run(&args, trials).exit()
}

fn run_one(rt: &Runtime, engines: &Engines, query: &Query) -> Result<(), Failed> {
    let expected = run_datafusion(rt, &engines.oracle, query.oracle_sql())
        .map_err(|e| format!("DataFusion failed: {e}\n{}", query.oracle_sql()))?;
    let (actual, label) = match &engines.actual {
        Actual::Shoal(session) => {
            (run_shoal(session, &query.sql).map_err(|e| e.render(&query.sql))?, "shoal")
        }
        Actual::DataFusion(ctx) => (
            run_datafusion(rt, ctx, query.oracle_sql())
                .map_err(|e| format!("DataFusion (CSV) failed: {e}"))?,
            "datafusion-csv",
        ),
    };
    let mut options =
        CompareOptions::default().with_ordered(query.ordered()).with_labels(label, "datafusion");
    if matches!(engines.actual, Actual::DataFusion(_)) {
        // CSV holds decimals as doubles, and DataFusion's avg of a decimal keeps 4 more
        // digits of scale only, so the two formats agree to about 1e-5.
        options.rel_tol = 1e-4;
    }
    compare(&actual, &expected, &options).map_err(|m| Failed::from(format!("{m}\nquery:\n{}", query.sql)))
}

/// A temporary directory that lives as long as the test process.
pub fn data_dir() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temporary directory")).path()
}
