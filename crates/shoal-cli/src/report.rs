//! `shoal report`: run every `.sql` file of a folder over the taxi data and print the results.

use std::path::{Path, PathBuf};
use std::time::Instant;

use shoal::Session;

use crate::args::Format;
use crate::{cache_dir, output, Failure};

/// Rows of the built-in sample taxi data set.
const SAMPLE_ROWS: u64 = 1_000_000;

/// The bundled taxi queries (the repository's `queries/taxi`).
fn default_queries() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries/taxi")
}

/// The sample taxi data, generated once into the cache folder.
fn sample_data() -> Result<PathBuf, Failure> {
    let dir = cache_dir().join(format!("sample-taxi-{SAMPLE_ROWS}"));
    let done = dir.join("_SUCCESS");
    if !done.exists() {
        eprintln!("generating {SAMPLE_ROWS} sample taxi trips into {} (once) ...", dir.display());
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure(format!("Error: cannot create {}: {e}", dir.display())))?;
        shoal_datagen::taxi::write_taxi(&dir, SAMPLE_ROWS, 2, shoal_datagen::FileFormat::Parquet)?;
        std::fs::write(&done, b"")
            .map_err(|e| Failure(format!("Error: cannot write {}: {e}", done.display())))?;
    }
    Ok(dir)
}

/// The `.sql` files named, or inside the folders named, sorted.
fn query_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = vec![];
    for p in paths {
        if p.is_dir() {
            let entries = std::fs::read_dir(p)
                .map_err(|e| Failure(format!("Error: cannot read {}: {e}", p.display())))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "sql"))
                .collect();
            found.sort();
            files.extend(found);
        } else if p.exists() {
            files.push(p.clone());
        } else {
            return Err(Failure(format!("Error: no such query file or folder: {}", p.display())));
        }
    }
    if files.is_empty() {
        return Err(Failure("Error: no .sql files to run".into()));
    }
    Ok(files)
}

pub fn run_report(
    session: &Session,
    queries: &[PathBuf],
    data: Option<&Path>,
    format: Format,
) -> Result<(), Failure> {
    let data = match data {
        Some(d) => d.to_path_buf(),
        None => sample_data()?,
    };
    session.register_path("trips", &data)?;
    let queries = if queries.is_empty() { vec![default_queries()] } else { queries.to_vec() };
    let mut failed = 0;
    for file in query_files(&queries)? {
        let sql = std::fs::read_to_string(&file)
            .map_err(|e| Failure(format!("Error: cannot read {}: {e}", file.display())))?;
        let start = Instant::now();
        match session.execute_sql(&sql) {
            Ok(results) => {
                let took = start.elapsed();
                println!("-- {} ({:.3}s)", file.display(), took.as_secs_f64());
                for r in results.iter().filter(|r| !r.schema.fields().is_empty()) {
                    let mut out = std::io::stdout().lock();
                    output::print_batches(&mut out, &r.schema, &r.batches, format)?;
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("-- {} failed\n{}", file.display(), e.render(&sql));
            }
        }
    }
    if failed > 0 {
        return Err(Failure(format!(
            "Error: {failed} report quer{} failed",
            if failed == 1 { "y" } else { "ies" }
        )));
    }
    Ok(())
}
