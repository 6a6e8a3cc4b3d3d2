//! sqllogictest runner for shoal: testdata/*.slt at several thread counts, and any .slt/.test file.
//!
//! * [`ShoalDb`] implements the `sqllogictest` crate's synchronous `DB` trait: each record's SQL
//!   runs through [`shoal::Session::execute_sql`] and the last statement's batches become rows of
//!   text in one of three conventions ([`ValueStyle`], documented in [`render`]): shoal's for its
//!   own `.slt` files, SQLite's for `.test` files (values formatted by the record's type letters),
//!   DataFusion's for DataFusion's `.slt` files (floats and decimals rounded to 12 places).
//! * [`ShoalRunner`] runs records in a convention; a panic inside shoal fails its record whatever
//!   the record expected. [`run_file`] runs one file with given [`RunOptions`] (threads, optimizer
//!   on/off, convention) and reports the first failure; [`run_file_keep_going`] reports every
//!   failing record; [`complete_file`] rewrites a file's expected output in place.
//! * The `shoal-slt` binary runs files and directories from the command line; the `slt`
//!   integration test runs every `testdata/**/*.slt` at 1 thread, 4 threads, and 4 threads with
//!   the optimizer off.
//!
//! Records use the engine name `shoal` for `skipif`/`onlyif`, in every convention.
//!
//! ```no_run
//! use std::path::Path;
//! use shoal_sqllogictest::{run_file, RunOptions};
//! run_file(Path::new("testdata/basic/select.slt"), &RunOptions::default()).unwrap();
//! ```

mod column_type;
mod db;
pub mod render;
mod run;

pub use column_type::{
    datafusion_column_validator, lenient_column_validator, sqlite_column_validator, ShoalColumnType,
};
pub use db::{SessionSetup, ShoalDb, ENGINE_NAME};
pub use render::ValueStyle;
pub use run::{
    collect_test_files, complete_file, is_test_file, run_file, run_file_keep_going, runner_for, RunOptions,
    ShoalRunner, SltError,
};
