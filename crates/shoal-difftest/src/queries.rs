//! The SQL corpus: `.sql` files, each one query, with comparison settings in comments.
//!
//! A file `name.sql` may carry, in `--` comment lines:
//! * `-- compare: ordered` — its ORDER BY is total, so results are compared row by row
//!   (otherwise they are compared as multisets);
//!
//! and may have a sibling `name.oracle.sql`: the text the oracle engine runs instead, for
//! queries whose meaning differs between DataFusion and PostgreSQL (shoal follows PostgreSQL);
//! the `.oracle.sql` file says why in its comments.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Does the query's ORDER BY fix the order of every row?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryOrder {
    /// The order is total: compare rows position by position.
    Total,
    /// No ORDER BY, or one with ties: compare as multisets.
    Unordered,
}

/// One query of the corpus.
#[derive(Debug, Clone)]
pub struct Query {
    /// File stem, e.g. `q1` or `07_casts`.
    pub name: String,
    /// The SQL shoal runs.
    pub sql: String,
    /// The SQL the oracle runs when it must differ from [`Query::sql`].
    pub oracle_sql: Option<String>,
    pub order: QueryOrder,
}

impl Query {
    /// The SQL the oracle engine runs.
    pub fn oracle_sql(&self) -> &str {
        self.oracle_sql.as_deref().unwrap_or(&self.sql)
    }

    /// Should results be compared row by row?
    pub fn ordered(&self) -> bool {
        self.order == QueryOrder::Total
    }

    /// Parse a query from its text (settings from `--` comments).
    pub fn from_text(name: &str, sql: &str, oracle_sql: Option<String>) -> Self {
        let ordered = sql
            .lines()
            .filter_map(|l| l.trim().strip_prefix("--"))
            .any(|c| c.trim().eq_ignore_ascii_case("compare: ordered"));
        Self {
            name: name.to_string(),
            sql: sql.trim().to_string(),
            oracle_sql: oracle_sql.map(|s| s.trim().to_string()),
            order: if ordered { QueryOrder::Total } else { QueryOrder::Unordered },
        }
    }
}

/// The workspace's `queries/` directory (TPC-H and taxi benchmark queries).
pub fn workspace_queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../queries")
}

/// This crate's extra single-table TPC-H queries.
pub fn single_table_queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/tpch")
}

/// This crate's NULL-semantics queries over the generated taxi data (table `trips`).
pub fn taxi_nulls_queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/taxi_nulls")
}

/// Sort key putting `q2` before `q10`: the leading letters, the number after them, the rest.
fn natural_key(path: &Path) -> (String, u64, String) {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let letters: String = name.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let rest = &name[letters.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let number = digits.parse().unwrap_or(0);
    (letters, number, rest[digits.len()..].to_string())
}

/// Load every `*.sql` query in `dir` (in natural name order: q2 before q10), pairing
/// `x.oracle.sql` with `x.sql`.
pub fn load_dir(dir: &Path) -> io::Result<Vec<Query>> {
    let with_path = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(with_path)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<io::Result<_>>()
        .map_err(with_path)?;
    paths.sort_by_key(|p| natural_key(p));
    let mut queries = Vec::new();
    for path in paths {
        let Some(file) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(name) = file.strip_suffix(".sql") else {
            continue;
        };
        if name.ends_with(".oracle") {
            continue;
        }
        let sql = fs::read_to_string(&path).map_err(with_path)?;
        let oracle_path = dir.join(format!("{name}.oracle.sql"));
        let oracle = match fs::read_to_string(&oracle_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(with_path(e)),
        };
        queries.push(Query::from_text(name, &sql, oracle));
    }
    Ok(queries)
}

/// The TPC-H queries of the benchmark (`queries/tpch/*.sql`: Q1, Q6, ...).
pub fn tpch_queries() -> io::Result<Vec<Query>> {
    load_dir(&workspace_queries_dir().join("tpch"))
}

/// The taxi queries over table `trips` (`queries/taxi/*.sql`).
pub fn taxi_queries() -> io::Result<Vec<Query>> {
    load_dir(&workspace_queries_dir().join("taxi"))
}

/// The extra single-table queries over lineitem, orders, customer and part.
pub fn single_table_queries() -> io::Result<Vec<Query>> {
    load_dir(&single_table_queries_dir())
}

/// The NULL-semantics queries over table `trips` (`queries/taxi_nulls/*.sql`): NULL-aware
/// aggregates, NULLS FIRST/LAST, three-valued logic, IN lists, TRY_CAST, read_csv options.
pub fn taxi_nulls_queries() -> io::Result<Vec<Query>> {
    load_dir(&taxi_nulls_queries_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_sets_ordering() {
        let q = Query::from_text("a", "-- compare: ordered\nSELECT 1 ORDER BY 1", None);
        assert!(q.ordered());
        assert_eq!(q.oracle_sql(), q.sql);
        let q = Query::from_text("b", "SELECT 1", Some("SELECT 1.0".into()));
        assert!(!q.ordered());
        assert_eq!(q.oracle_sql(), "SELECT 1.0");
    }

    #[test]
    fn corpus_loads() {
        let tpch = tpch_queries().unwrap();
        let names: Vec<&str> = tpch.iter().map(|q| q.name.as_str()).collect();
        assert!(names.contains(&"q1") && names.contains(&"q6"), "{names:?}");
        assert!(single_table_queries().unwrap().len() >= 25);
        assert!(taxi_queries().unwrap().len() >= 8);
        assert!(taxi_nulls_queries().unwrap().len() >= 15);
        let mut paths = vec![PathBuf::from("q10.sql"), PathBuf::from("q2.sql"), PathBuf::from("q1.sql")];
        paths.sort_by_key(|p| natural_key(p));
        assert_eq!(paths, [PathBuf::from("q1.sql"), PathBuf::from("q2.sql"), PathBuf::from("q10.sql")]);
    }
}
