//! COPY TO writes atomically: a failure midway leaves no partial file and keeps an old one.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use shoal::{Session, SessionConfig, ShoalError};

/// Names of the files in `dir`.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A session with table `nums(x)`: several batches of 1..=n, then one batch holding a 0.
fn session_with_zero_at_end(batches: usize, rows: i64) -> Session {
    let session =
        Session::with_config(SessionConfig { threads: 2, batch_size: 1024, ..SessionConfig::default() });
    let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
    let mut all = vec![];
    for _ in 0..batches {
        all.push(
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from_iter_values(1..=rows))])
                .unwrap(),
        );
    }
    all.push(RecordBatch::try_new(schema.clone(), vec![Arc::new(Int64Array::from(vec![5, 0, 7]))]).unwrap());
    session.register_batches("nums", all).unwrap();
    session
}

#[test]
fn failed_write_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    let result = shoal::copy::write_atomic(&path, |mut f| {
        f.write_all(b"partial data").unwrap();
        Err(ShoalError::Execution("disk on fire".into()))
    });
    assert!(matches!(result, Err(ShoalError::Execution(_))));
    assert!(files_in(dir.path()).is_empty(), "left behind: {:?}", files_in(dir.path()));
}

#[test]
fn failed_write_keeps_the_old_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.bin");
    std::fs::write(&path, b"old").unwrap();
    let result = shoal::copy::write_atomic(&path, |mut f| {
        f.write_all(b"new but incomplete").unwrap();
        Err(ShoalError::Execution("stop".into()))
    });
    assert!(result.is_err());
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(files_in(dir.path()), vec!["out.bin".to_string()]);
}

#[test]
fn copy_failing_midway_writes_nothing() {
    let session = session_with_zero_at_end(8, 5000);
    for format in ["parquet", "csv"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("out.{format}"));
        let sql = format!("COPY (SELECT 100 / x AS y FROM nums) TO '{}'", path.display());
        let err = session.execute_sql(&sql).unwrap_err();
        assert!(err.to_string().to_lowercase().contains("division by zero"), "{err}");
        assert!(files_in(dir.path()).is_empty(), "{format}: left behind {:?}", files_in(dir.path()));
    }
}

#[test]
fn copy_failing_midway_keeps_the_previous_export() {
    let session = session_with_zero_at_end(4, 3000);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("export.parquet");
    let shown = path.display().to_string();
    session.execute_sql(&format!("COPY (SELECT x FROM nums WHERE x > 0) TO '{shown}'")).unwrap();
    let before = std::fs::read(&path).unwrap();
    assert!(session.execute_sql(&format!("COPY (SELECT 100 / x AS y FROM nums) TO '{shown}'")).is_err());
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(files_in(dir.path()), vec!["export.parquet".to_string()]);
    // the surviving file is complete and readable
    let batches = session.sql(&format!("SELECT count(*) AS n FROM '{shown}'")).unwrap().collect().unwrap();
    let n = batches[0].column(0).as_any().downcast_ref::<Int64Array>().unwrap().value(0);
    assert_eq!(n, 4 * 3000 + 2);
}

#[test]
fn copy_round_trips_parquet_and_csv() {
    let session = Session::new();
    session
        .execute_sql(
            "CREATE TABLE t AS SELECT * FROM (VALUES (1, 'a'), (2, NULL), (3, 'x,y')) AS v(id, name)",
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (file, options) in [("t.parquet", ""), ("t.csv", " (FORMAT csv, HEADER true)")] {
        let path = dir.path().join(file).display().to_string();
        session.execute_sql(&format!("COPY t TO '{path}'{options}")).unwrap();
        let batches =
            session.sql(&format!("SELECT id, name FROM '{path}' ORDER BY id")).unwrap().collect().unwrap();
        let batch = arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap();
        let ids = batch.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        assert_eq!(ids.values().to_vec(), vec![1, 2, 3], "{file}");
        let names = arrow::compute::cast(batch.column(1), &DataType::Utf8).unwrap();
        let names = names.as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(names.iter().collect::<Vec<_>>(), vec![Some("a"), None, Some("x,y")], "{file}");
    }
    assert_eq!(files_in(dir.path()), vec!["t.csv".to_string(), "t.parquet".to_string()]);
}
