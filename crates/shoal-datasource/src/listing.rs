//! Turning a path, a directory or a glob pattern into the sorted list of files to read.

use std::path::{Path, PathBuf};

use shoal_common::{Result, ShoalError};

/// True when `path` contains glob metacharacters.
pub(crate) fn is_glob(path: &str) -> bool {
    path.contains(['*', '?', '['])
}

/// True when the file name of `path` ends with `.ext` for one of `extensions` (case-insensitive).
pub(crate) fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    extensions.iter().any(|ext| name.ends_with(&format!(".{}", ext.to_ascii_lowercase())))
}

/// The files `path` names, sorted:
/// * a file: that file (whatever its extension);
/// * a directory: every file below it (recursively) whose name ends with `.ext` for one of
///   `extensions`; hidden files (`.name`, `_name`) are skipped;
/// * a glob pattern (`data/*.parquet`, `logs/**/*.csv`): every matching file.
///
/// A missing path, or a directory or pattern that matches no file, is an error naming the path.
pub fn list_files(path: &str, extensions: &[&str]) -> Result<Vec<PathBuf>> {
    if is_glob(path) {
        return list_glob(path);
    }
    let p = Path::new(path);
    let meta = std::fs::metadata(p).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            ShoalError::Plan { message: format!("no such file or directory: '{path}'"), span: None }
        }
        _ => ShoalError::Io { path: path.to_string(), source: e },
    })?;
    if meta.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    let mut files = vec![];
    walk_dir(p, extensions, &mut files)?;
    files.sort();
    if files.is_empty() {
        let wanted: Vec<String> = extensions.iter().map(|e| format!(".{e}")).collect();
        return Err(ShoalError::Plan {
            message: format!("no files match '{path}': the directory has no {} files", wanted.join(" / ")),
            span: None,
        });
    }
    Ok(files)
}

fn walk_dir(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) -> Result<()> {
    let io_err = |e| ShoalError::Io { path: dir.display().to_string(), source: e };
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let entry = entry.map_err(io_err)?;
        let path = entry.path();
        let hidden = entry.file_name().to_str().is_some_and(|n| n.starts_with('.') || n.starts_with('_'));
        if hidden {
            continue;
        }
        let file_type = std::fs::metadata(&path)
            .map_err(|e| ShoalError::Io { path: path.display().to_string(), source: e })?;
        if file_type.is_dir() {
            walk_dir(&path, extensions, out)?;
        } else if has_extension(&path, extensions) {
            out.push(path);
        }
    }
    Ok(())
}

fn list_glob(pattern: &str) -> Result<Vec<PathBuf>> {
    let options = glob::MatchOptions { require_literal_leading_dot: true, ..glob::MatchOptions::new() };
    let paths = glob::glob_with(pattern, options).map_err(|e| ShoalError::Plan {
        message: format!("invalid glob pattern '{pattern}': {e}"),
        span: None,
    })?;
    let mut files = vec![];
    for entry in paths {
        let path = entry.map_err(|e| ShoalError::Io {
            path: e.path().display().to_string(),
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })?;
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(ShoalError::Plan { message: format!("no files match '{pattern}'"), span: None });
    }
    Ok(files)
}
