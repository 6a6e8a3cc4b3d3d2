//! Runs every `testdata/**/*.slt` at 1 thread, 4 threads, and 4 threads with the optimizer off.
//!
//! The working directory is set to the repository root first, so files can read data with
//! `FROM 'testdata/data/x.csv'`. Filter like any test: `cargo test -p shoal-sqllogictest --test
//! slt -- basic/where`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::{Arguments, Failed, Trial};
use shoal_sqllogictest::{collect_test_files, run_file, RunOptions};

/// The configurations every file runs under.
fn configurations() -> [RunOptions; 3] {
    [
        RunOptions { threads: 1, optimizer_enabled: true, style: None },
        RunOptions { threads: 4, optimizer_enabled: true, style: None },
        RunOptions { threads: 4, optimizer_enabled: false, style: None },
    ]
}

fn repository_root() -> Result<PathBuf, String> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .map_err(|e| format!("cannot find the repository root: {e}"))
}

fn trials() -> Result<Vec<Trial>, String> {
    let root = repository_root()?;
    std::env::set_current_dir(&root)
        .map_err(|e| format!("cannot change directory to {}: {e}", root.display()))?;
    let testdata = PathBuf::from("testdata");
    let files = collect_test_files(std::slice::from_ref(&testdata))
        .map_err(|e| format!("cannot list {}: {e}", testdata.display()))?;
    let mut trials = Vec::new();
    for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "slt")) {
        let name = file.strip_prefix(&testdata).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        for options in configurations() {
            let path = file.clone();
            let test_name = format!("{name} [{}]", options.label());
            trials.push(Trial::test(test_name, move || {
                run_file(&path, &options).map_err(|e| Failed::from(e.to_string()))
            }));
        }
    }
    Ok(trials)
}

fn main() -> ExitCode {
    let args = Arguments::from_args();
    match trials() {
        Ok(trials) => libtest_mimic::run(&args, trials).exit_code(),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}
