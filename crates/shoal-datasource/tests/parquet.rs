//! Parquet tables: projection, row-group pruning, limits, schema checks and bad files.

mod common;

use std::sync::Arc;

use arrow::array::{Array, Float64Array, Int32Array, Int64Array, StringArray, StringViewArray};
use arrow::datatypes::DataType;
use common::{batch, collect, i64_column, row_count, str_column, write_parquet, write_parquet_with};
use parquet::file::properties::WriterProperties;
use shoal_common::{ScalarValue, ShoalError};
use shoal_datasource::{ParquetOptions, ParquetTable};
use shoal_expr::{col, lit, Between, Expr, InList, TableSource};

/// 1000 rows in 10 row groups: id 0..1000, grp = id / 100 as Int32, name = "n{id:04}",
/// score = id as f64 (NULL when id % 10 == 0 in the last row group).
fn sample_table(dir: &std::path::Path) -> ParquetTable {
    let ids: Vec<i64> = (0..1000).collect();
    let b = batch(vec![
        ("id", Arc::new(Int64Array::from(ids.clone()))),
        ("grp", Arc::new(Int32Array::from(ids.iter().map(|i| (*i / 100) as i32).collect::<Vec<_>>()))),
        ("name", Arc::new(StringArray::from(ids.iter().map(|i| format!("n{i:04}")).collect::<Vec<_>>()))),
        (
            "score",
            Arc::new(Float64Array::from(
                ids.iter().map(|i| (!(*i >= 900 && i % 10 == 0)).then_some(*i as f64)).collect::<Vec<_>>(),
            )),
        ),
    ]);
    let path = dir.join("t.parquet");
    write_parquet(&path, &b, 100);
    ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions::default()).unwrap()
}

/// Rows kept and the `describe()` text of a scan with `filters`.
fn scan_ids(table: &ParquetTable, filters: &[Expr]) -> (Vec<i64>, usize, String) {
    let scan = table.scan(Some(&[0]), filters, None).unwrap();
    let batches = collect(scan.as_ref()).unwrap();
    let ids = i64_column(&batches, 0).into_iter().flatten().collect();
    (ids, scan.morsel_count(), scan.describe())
}

#[test]
fn statistics_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());
    assert_eq!(t.statistics().num_rows, Some(1000));
    assert_eq!(t.row_group_count(), 10);
    let names: Vec<_> = t.schema().fields().iter().map(|f| f.name().clone()).collect();
    assert_eq!(names, ["id", "grp", "name", "score"]);
}

#[test]
fn projection_reorders_and_reads_only_needed_columns() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());
    // Corrupt the `name` column chunk of every row group: reading other columns still works.
    let path = dir.path().join("t.parquet");
    let meta = {
        let f = std::fs::File::open(&path).unwrap();
        parquet::file::metadata::ParquetMetaDataReader::new().parse_and_finish(&f).unwrap()
    };
    let mut bytes = std::fs::read(&path).unwrap();
    for rg in meta.row_groups() {
        let (start, len) = rg.column(2).byte_range();
        for b in &mut bytes[start as usize..(start + len) as usize] {
            *b = 0xAB;
        }
    }
    std::fs::write(&path, &bytes).unwrap();

    let scan = t.scan(Some(&[3, 0]), &[], None).unwrap();
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 1000);
    assert_eq!(batches[0].schema().field(0).name(), "score");
    assert_eq!(batches[0].schema().field(1).name(), "id");
    assert_eq!(i64_column(&batches, 1)[..3], [Some(0), Some(1), Some(2)]);

    let scan = t.scan(Some(&[2]), &[], None).unwrap();
    let err = collect(scan.as_ref()).unwrap_err();
    assert!(matches!(err, ShoalError::Data { .. }), "{err}");
    assert!(err.to_string().contains("t.parquet"), "{err}");
}

#[test]
fn empty_projection_yields_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());
    let scan = t.scan(Some(&[]), &[], None).unwrap();
    let batches = collect(scan.as_ref()).unwrap();
    assert_eq!(row_count(&batches), 1000);
    assert!(batches.iter().all(|b| b.num_columns() == 0));
}

#[test]
fn pruning_on_comparisons() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());

    let (ids, morsels, describe) = scan_ids(&t, &[col("id").gt(lit(850i64))]);
    assert_eq!(morsels, 2);
    assert_eq!(ids.len(), 200);
    assert_eq!((ids[0], ids[199]), (800, 999));
    assert_eq!(describe, "parquet: 1 files, 2/10 row groups (8 pruned), columns=[id]");

    // literal on the left
    let (ids, morsels, _) = scan_ids(&t, &[lit(150i64).gt_eq(col("id"))]);
    assert_eq!((morsels, ids.len()), (2, 200));

    // equality and conjunction of two filters
    let (_, morsels, _) = scan_ids(&t, &[col("id").eq(lit(420i64)), col("id").lt(lit(1000i64))]);
    assert_eq!(morsels, 1);

    // OR keeps both sides, NOT flips the comparison
    let f = col("id").lt(lit(50i64)).or(col("id").gt_eq(lit(990i64)));
    assert_eq!(scan_ids(&t, &[f]).1, 2);
    let f = Expr::Not(Box::new(col("id").lt(lit(900i64))));
    assert_eq!(scan_ids(&t, &[f]).1, 1);
    // NOT (a AND b) = NOT a OR NOT b: row groups 0 and 9
    let f = Expr::Not(Box::new(col("id").gt_eq(lit(100i64)).and(col("id").lt(lit(900i64)))));
    assert_eq!(scan_ids(&t, &[f]).1, 2);
}

#[test]
fn pruning_on_between_in_null_and_casts() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());

    let between = Expr::Between(Between {
        expr: Box::new(col("id")),
        negated: false,
        low: Box::new(lit(250i64)),
        high: Box::new(lit(420i64)),
    });
    assert_eq!(scan_ids(&t, &[between]).1, 3);
    let not_between = Expr::Between(Between {
        expr: Box::new(col("id")),
        negated: true,
        low: Box::new(lit(100i64)),
        high: Box::new(lit(899i64)),
    });
    assert_eq!(scan_ids(&t, &[not_between]).1, 2);

    let in_list = Expr::InList(InList {
        expr: Box::new(col("id")),
        list: vec![lit(5i64), lit(705i64)],
        negated: false,
    });
    let (ids, morsels, _) = scan_ids(&t, &[in_list]);
    assert_eq!((morsels, ids[0], ids[100]), (2, 0, 700));

    // score has NULLs only in the last row group
    assert_eq!(scan_ids(&t, &[col("score").is_null()]).1, 1);
    assert_eq!(scan_ids(&t, &[col("score").is_not_null()]).1, 10);

    // CAST(grp AS BIGINT) = 3 looks through the widening cast
    let f = col("grp").cast_to(DataType::Int64).eq(lit(3i64));
    let (ids, morsels, _) = scan_ids(&t, &[f]);
    assert_eq!((morsels, ids[0]), (1, 300));
    assert!(t.can_prune_with(&col("grp").cast_to(DataType::Int64).eq(lit(3i64))));

    // A cast to text changes the order ('10' < '9'): not used.
    let f = col("grp").cast_to(DataType::Utf8).gt(lit("8"));
    assert!(!t.can_prune_with(&f));
    assert_eq!(scan_ids(&t, &[f]).1, 10);

    // strings
    let f = col("name").eq(lit("n0512"));
    assert_eq!(scan_ids(&t, &[f]).1, 1);
}

#[test]
fn pruning_never_drops_possible_matches() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());
    // float ranges are not pruned (a NaN would satisfy them)
    let f = col("score").gt(lit(950.0));
    assert!(!t.can_prune_with(&f));
    assert_eq!(scan_ids(&t, &[f]).1, 10);
    // float equality is
    assert_eq!(scan_ids(&t, &[col("score").eq(lit(150.0))]).1, 1);
    // a function of the column is not understood
    let f = col("id").binary(shoal_expr::Operator::Plus, lit(1i64)).gt(lit(5i64));
    assert!(!t.can_prune_with(&f));
    assert_eq!(scan_ids(&t, &[f]).1, 10);
    // a NULL literal is not used
    let f = col("id").gt(Expr::Literal(ScalarValue::int64(None)));
    assert_eq!(scan_ids(&t, &[f]).1, 10);

    // NaN in a float column: stats leave it out, but `x > 5` is true for it
    let b = batch(vec![("x", Arc::new(Float64Array::from(vec![1.0, f64::NAN, 2.0])) as Arc<dyn Array>)]);
    let path = dir.path().join("nan.parquet");
    write_parquet(&path, &b, 10);
    let t = ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions::default()).unwrap();
    let scan = t.scan(None, &[col("x").gt(lit(5.0))], None).unwrap();
    assert_eq!(scan.morsel_count(), 1);
}

#[test]
fn truncated_string_statistics_are_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let long: Vec<String> = (0..4).map(|i| format!("prefix-{i}-{}", "z".repeat(40))).collect();
    let b = batch(vec![("s", Arc::new(StringArray::from(long.clone())) as Arc<dyn Array>)]);
    let path = dir.path().join("s.parquet");
    write_parquet_with(
        &path,
        &b,
        WriterProperties::builder()
            .set_max_row_group_row_count(Some(2))
            .set_statistics_truncate_length(Some(4))
            .build(),
    );
    let t = ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions::default()).unwrap();
    let scan = t.scan(None, &[col("s").eq(lit(long[3].as_str()))], None).unwrap();
    let batches = collect(scan.as_ref()).unwrap();
    assert!(str_column(&batches, 0).contains(&Some(long[3].clone())));
}

#[test]
fn limit_reads_fewer_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let t = sample_table(dir.path());
    let scan = t.scan(Some(&[0]), &[], Some(150)).unwrap();
    assert_eq!(scan.morsel_count(), 2);
    let batches = collect(scan.as_ref()).unwrap();
    // each morsel yields at most `limit` rows
    assert_eq!(row_count(&batches), 200);
    let scan = t.scan(Some(&[0]), &[], Some(30)).unwrap();
    assert_eq!(scan.morsel_count(), 1);
    assert_eq!(row_count(&collect(scan.as_ref()).unwrap()), 30);
    // with filters the limit does not bound the scan
    let scan = t.scan(Some(&[0]), &[col("id").lt(lit(500i64))], Some(30)).unwrap();
    assert_eq!(scan.morsel_count(), 5);
}

#[test]
fn glob_of_files_and_mismatched_schema() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3i64 {
        let b = batch(vec![("a", Arc::new(Int64Array::from(vec![i * 10, i * 10 + 1])) as Arc<dyn Array>)]);
        write_parquet(&dir.path().join(format!("p{i}.parquet")), &b, 100);
    }
    let glob = format!("{}/p*.parquet", dir.path().display());
    let t = ParquetTable::try_new(&glob, ParquetOptions::default()).unwrap();
    let scan = t.scan(None, &[], None).unwrap();
    let values: Vec<i64> = collect(scan.as_ref())
        .unwrap()
        .iter()
        .flat_map(|b| b.column(0).as_any().downcast_ref::<Int64Array>().unwrap().values().to_vec())
        .collect();
    assert_eq!(values, [0, 1, 10, 11, 20, 21]);
    // the directory reads the same files
    let t = ParquetTable::try_new(dir.path().to_str().unwrap(), ParquetOptions::default()).unwrap();
    assert_eq!(t.files().len(), 3);

    let b = batch(vec![("a", Arc::new(StringArray::from(vec!["x"])) as Arc<dyn Array>)]);
    write_parquet(&dir.path().join("p9.parquet"), &b, 100);
    let err = ParquetTable::try_new(&glob, ParquetOptions::default()).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("p9.parquet"), "{text}");
    assert!(text.contains("column 'a' is Utf8 here but Int64"), "{text}");
}

#[test]
fn string_views_are_read_as_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let b = batch(vec![("v", Arc::new(StringViewArray::from(vec!["a", "b"])) as Arc<dyn Array>)]);
    let path = dir.path().join("v.parquet");
    write_parquet(&path, &b, 100);
    let t = ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions::default()).unwrap();
    assert_eq!(t.schema().field(0).data_type(), &DataType::Utf8);
    let batches = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(str_column(&batches, 0), [Some("a".into()), Some("b".into())]);
}

#[test]
fn bad_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("x.parquet");
    std::fs::write(&csv, "a,b\n1,2\n").unwrap();
    let err = ParquetTable::try_new(csv.to_str().unwrap(), ParquetOptions::default()).unwrap_err();
    assert!(err.to_string().contains("x.parquet' is not a Parquet file"), "{err}");

    let t = sample_table(dir.path());
    drop(t);
    let good = std::fs::read(dir.path().join("t.parquet")).unwrap();
    let cut = dir.path().join("cut.parquet");
    std::fs::write(&cut, &good[..good.len() - 100]).unwrap();
    let err = ParquetTable::try_new(cut.to_str().unwrap(), ParquetOptions::default()).unwrap_err();
    assert!(matches!(err, ShoalError::Data { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("cut.parquet") && text.contains("truncated or corrupt Parquet footer"), "{text}");

    // a footer whose length field is wrong
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
    let corrupt = dir.path().join("corrupt.parquet");
    std::fs::write(&corrupt, &bad).unwrap();
    let err = ParquetTable::try_new(corrupt.to_str().unwrap(), ParquetOptions::default()).unwrap_err();
    assert!(err.to_string().contains("corrupt.parquet"), "{err}");

    let missing = dir.path().join("missing.parquet");
    let err = ParquetTable::try_new(missing.to_str().unwrap(), ParquetOptions::default()).unwrap_err();
    assert!(err.to_string().contains("missing.parquet"), "{err}");
    let err = ParquetTable::try_new(
        &format!("{}/nothing*.parquet", dir.path().display()),
        ParquetOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("no files match"), "{err}");
}

#[test]
fn nullable_columns_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let strict =
        arrow::datatypes::Schema::new(vec![arrow::datatypes::Field::new("a", DataType::Int64, false)]);
    let b1 = arrow::array::RecordBatch::try_new(Arc::new(strict), vec![Arc::new(Int64Array::from(vec![1]))])
        .unwrap();
    write_parquet(&dir.path().join("a1.parquet"), &b1, 10);
    let b2 = batch(vec![("a", Arc::new(Int64Array::from(vec![None, Some(2)])) as Arc<dyn Array>)]);
    write_parquet(&dir.path().join("a2.parquet"), &b2, 10);
    let t = ParquetTable::try_new(dir.path().to_str().unwrap(), ParquetOptions::default()).unwrap();
    assert!(t.schema().field(0).is_nullable());
    let batches = collect(t.scan(None, &[], None).unwrap().as_ref()).unwrap();
    assert_eq!(i64_column(&batches, 0), [Some(1), None, Some(2)]);
}
