//! Listing files, choosing the format from a path, in-memory tables, blank lines in CSV.

mod common;

use std::sync::Arc;

use arrow::array::{Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use common::{batch, collect, i64_column, row_count, write_parquet};
use shoal_common::ShoalError;
use shoal_datasource::{list_files, table_from_path, CsvOptions, CsvTable, MemTable, ParquetTable};
use shoal_expr::TableSource;

#[test]
fn listing_files_dirs_and_globs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for name in ["b.csv", "a.csv", "sub/c.csv", "notes.txt", ".hidden.csv"] {
        std::fs::write(dir.path().join(name), "x\n1\n").unwrap();
    }
    let root = dir.path().to_str().unwrap();
    let names = |v: Vec<std::path::PathBuf>| -> Vec<String> {
        v.iter().map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string()).collect()
    };
    assert_eq!(names(list_files(root, &["csv"]).unwrap()), ["a.csv", "b.csv", "sub/c.csv"]);
    assert_eq!(names(list_files(&format!("{root}/*.csv"), &["csv"]).unwrap()), ["a.csv", "b.csv"]);
    assert_eq!(names(list_files(&format!("{root}/notes.txt"), &["csv"]).unwrap()), ["notes.txt"]);
    let err = list_files(&format!("{root}/x/*.parquet"), &["parquet"]).unwrap_err();
    assert_eq!(err.to_string(), format!("no files match '{root}/x/*.parquet'"));
    let err = list_files(&format!("{root}/nope.csv"), &["csv"]).unwrap_err();
    assert!(err.to_string().contains("nope.csv"), "{err}");
    let err = list_files(root, &["parquet"]).unwrap_err();
    assert!(err.to_string().starts_with("no files match"), "{err}");
}

#[test]
fn table_from_path_picks_the_format() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(vec![("a", Arc::new(Int64Array::from(vec![1, 2])) as Arc<dyn Array>)]);
    write_parquet(&dir.path().join("p.parquet"), &b, 10);
    std::fs::write(dir.path().join("c.csv"), "a,b\n1,2\n").unwrap();
    std::fs::write(dir.path().join("t.tsv"), "a\tb\n1\t2\n").unwrap();
    std::fs::write(dir.path().join("j.json"), "{}").unwrap();
    let root = dir.path().display().to_string();

    let t = table_from_path(&format!("{root}/p.parquet")).unwrap();
    assert!(t.as_any().downcast_ref::<ParquetTable>().is_some());
    let t = table_from_path(&format!("{root}/c.csv")).unwrap();
    assert!(t.as_any().downcast_ref::<CsvTable>().is_some());
    let t = table_from_path(&format!("{root}/t.tsv")).unwrap();
    assert_eq!(t.schema().fields().len(), 2);
    let t = table_from_path(&format!("{root}/*.parquet")).unwrap();
    assert_eq!(t.statistics().num_rows, Some(2));

    let err = table_from_path(&format!("{root}/j.json")).unwrap_err();
    assert!(matches!(err, ShoalError::Plan { .. }));
    assert!(err.to_string().contains("supported: .parquet, .csv"), "{err}");
    // the directory mixes formats
    let err = table_from_path(&root).unwrap_err();
    assert!(err.to_string().contains("mixes file types"), "{err}");
}

#[test]
fn mem_table_slices_and_projects() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("n", DataType::Int64, false),
        Field::new("s", DataType::Utf8, true),
    ]));
    let rows = 20_000i64;
    let b = arrow::array::RecordBatch::try_new(
        Arc::clone(&schema),
        vec![
            Arc::new(Int64Array::from_iter_values(0..rows)),
            Arc::new(StringArray::from_iter_values((0..rows).map(|i| i.to_string()))),
        ],
    )
    .unwrap();
    let t = MemTable::try_new(Arc::clone(&schema), vec![b]).unwrap();
    let scan = t.scan(Some(&[0]), &[], None).unwrap();
    assert_eq!(scan.morsel_count(), 3);
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 20_000);
    assert_eq!(batches[0].num_columns(), 1);
    assert_eq!(i64_column(&batches, 0)[8192], Some(8192));
    assert_eq!(t.scan(None, &[], Some(10)).unwrap().morsel_count(), 1);
    let empty = t.scan(Some(&[]), &[], None).unwrap();
    assert_eq!(row_count(&collect(empty.as_ref()).unwrap()), 20_000);

    let wrong = batch(vec![("n", Arc::new(StringArray::from(vec!["x"])) as Arc<dyn Array>)]);
    assert!(MemTable::try_new(schema, vec![wrong]).is_err());
}

#[test]
fn blank_lines_are_skipped_and_lines_still_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blank.csv");
    std::fs::write(&path, "a,b\n1,2\n\n\n3,4\n\nx,5\n").unwrap();
    let t = CsvTable::try_new(
        path.to_str().unwrap(),
        CsvOptions { infer_max_rows: 1, morsel_bytes: 4, ..CsvOptions::default() },
    )
    .unwrap();
    let scan = t.scan(Some(&[1]), &[], None).unwrap();
    assert_eq!(i64_column(&collect(scan.as_ref()).unwrap(), 0), [Some(2), Some(4), Some(5)]);
    let err = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap_err();
    match err {
        ShoalError::Data { location, .. } => assert_eq!(location.line, Some(7)),
        other => panic!("{other}"),
    }
}
