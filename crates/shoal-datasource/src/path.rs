//! [`table_from_path`]: open a file, directory or glob as a table, choosing the format from
//! the file extensions.

use std::path::Path;
use std::sync::Arc;

use shoal_common::{plan_err, Result};
use shoal_expr::TableSource;

use crate::listing::{has_extension, is_glob};
use crate::{list_files, CsvOptions, CsvTable, ParquetOptions, ParquetTable};

const SUPPORTED: &str = ".parquet, .csv, .csv.gz, .tsv, .tsv.gz";

/// The formats shoal reads, by extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Parquet,
    Csv,
    Tsv,
}

fn format_of(path: &Path) -> Option<Format> {
    if has_extension(path, &["parquet"]) {
        Some(Format::Parquet)
    } else if has_extension(path, &["csv", "csv.gz"]) {
        Some(Format::Csv)
    } else if has_extension(path, &["tsv", "tsv.gz"]) {
        Some(Format::Tsv)
    } else {
        None
    }
}

/// Open `path` (a file, a directory or a glob pattern) as a table: Parquet for `.parquet`,
/// CSV for `.csv` / `.csv.gz`, tab-separated CSV for `.tsv` / `.tsv.gz`. A directory or glob
/// takes the format of the files it holds, which must all be of one format.
pub fn table_from_path(path: &str) -> Result<Arc<dyn TableSource>> {
    let format = if Path::new(path).is_dir() || is_glob(path) {
        let files = list_files(path, &["parquet", "csv", "csv.gz", "tsv", "tsv.gz"])?;
        let mut formats = files.iter().map(|f| (f, format_of(f)));
        let Some((first, format)) = formats.next() else {
            return plan_err!("no files match '{path}'");
        };
        let Some(format) = format else {
            return plan_err!(
                "cannot read '{}': unsupported file type (supported: {SUPPORTED})",
                first.display()
            );
        };
        if let Some((other, _)) = formats.find(|(_, f)| *f != Some(format)) {
            return plan_err!(
                "'{path}' mixes file types: '{}' and '{}' (supported: {SUPPORTED}, one type per table)",
                first.display(),
                other.display()
            );
        }
        format
    } else {
        match format_of(Path::new(path)) {
            Some(f) => f,
            None => return plan_err!("cannot read '{path}': unsupported file type (supported: {SUPPORTED})"),
        }
    };
    Ok(match format {
        Format::Parquet => Arc::new(ParquetTable::try_new(path, ParquetOptions::default())?),
        Format::Csv => Arc::new(CsvTable::try_new(path, CsvOptions::default())?),
        Format::Tsv => {
            Arc::new(CsvTable::try_new(path, CsvOptions { delimiter: b'\t', ..CsvOptions::default() })?)
        }
    })
}
