//! One report query: its file, title, parameters substituted, syntax checked, and whether its
//! row order is fixed — all known before anything runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sqlparser::ast::Statement;

use super::params;

/// A query file, loaded and ready to run.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// The `.sql` file.
    pub path: PathBuf,
    /// The file name without `.sql`: the name of its result files.
    pub stem: String,
    /// The first `--` comment line (not a `param:`/`compare:` setting), else the stem.
    pub title: String,
    /// The SQL to run: the file's text with parameters substituted.
    pub sql: String,
    /// Does the last statement have a top-level ORDER BY?
    pub ordered: bool,
    /// The parameters used, with their values.
    pub params: BTreeMap<String, String>,
}

/// The unsubstituted text of a query file, with its parameter references and defaults.
#[derive(Debug, Clone)]
pub struct QueryText {
    pub path: PathBuf,
    pub text: String,
    pub references: Vec<String>,
    pub defaults: BTreeMap<String, String>,
}

impl QueryText {
    /// Read `path` and find its parameters; errors name the file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text =
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let located = |e: String| format!("{}: {e}", path.display());
        let references = params::references(&text).map_err(located)?;
        let defaults = params::declared_defaults(&text).map_err(located)?;
        Ok(Self { path: path.to_path_buf(), text, references, defaults })
    }

    /// Substitute the parameters (`given` on the command line win over the file's defaults)
    /// and check the syntax. A syntax error is rendered with the SQL position.
    pub fn prepare(&self, given: &BTreeMap<String, String>) -> Result<ReportQuery, String> {
        let file = self.path.display();
        let mut values = BTreeMap::new();
        for name in &self.references {
            if let Some(v) = given.get(name).or_else(|| self.defaults.get(name)) {
                values.insert(name.clone(), v.clone());
            }
        }
        let sql = params::substitute(&self.text, &values).map_err(|e| format!("{file}: {e}"))?;
        let statements =
            shoal_sql::split_statements(&sql).map_err(|e| format!("in {file}:\n{}", e.render(&sql)))?;
        let ordered = match statements.last() {
            Some((_, Statement::Query(q))) => q.order_by.is_some(),
            _ => false,
        };
        Ok(ReportQuery {
            path: self.path.clone(),
            stem: stem_of(&self.path),
            title: title_of(&sql).unwrap_or_else(|| stem_of(&self.path)),
            sql,
            ordered,
            params: values,
        })
    }
}

/// The file name without its `.sql` extension.
pub fn stem_of(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "query".to_string())
}

/// The first `--` comment line that is not a setting (`param:`, `compare:`), trimmed.
fn title_of(text: &str) -> Option<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("--"))
        .map(str::trim)
        .find(|c| !c.is_empty() && !c.starts_with("param:") && !c.starts_with("compare:"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prepared(text: &str) -> Result<ReportQuery, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("q7_x.sql");
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
        QueryText::read(&path)?.prepare(&BTreeMap::new())
    }

    #[test]
    fn title_order_and_defaults() {
        let q = prepared("-- param: n=3\n-- Top trips\nSELECT ${n} AS n ORDER BY 1").unwrap();
        assert_eq!((q.stem.as_str(), q.title.as_str(), q.ordered), ("q7_x", "Top trips", true));
        assert!(q.sql.ends_with("SELECT 3 AS n ORDER BY 1"), "{}", q.sql);
        let q = prepared("SELECT * FROM (SELECT 1 AS a ORDER BY a) AS t").unwrap();
        assert_eq!((q.title.as_str(), q.ordered), ("q7_x", false));
    }

    #[test]
    fn syntax_errors_name_the_file() {
        let err = prepared("SELECT 1 +* FROM").unwrap_err();
        assert!(err.contains("q7_x.sql") && err.contains('^'), "{err}");
    }
}
