//! Parquet scans that filter while reading (`read_morsel_filtered`): the predicate's columns
//! are decoded first and the others only for the rows it keeps.

mod common;

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, RecordBatch, StringArray, StringViewArray};
use arrow::datatypes::DataType;
use common::{batch, i64_column, str_column, write_parquet};
use shoal_common::{Result, ShoalError};
use shoal_datasource::{ParquetOptions, ParquetTable};
use shoal_expr::{ScanFilter, ScanSource, TableSource};

/// `name` (a string column) ends with `suffix`; NULL names are dropped.
#[derive(Debug)]
struct NameEndsWith {
    suffix: &'static str,
    predicate_columns: Vec<usize>,
    output_columns: Vec<usize>,
    /// `false`: the source must decline.
    late: bool,
    decoded: AtomicU64,
    fail: bool,
}

impl NameEndsWith {
    fn new(suffix: &'static str, name_column: usize, output: Vec<usize>, late: bool) -> Arc<Self> {
        Arc::new(Self {
            suffix,
            predicate_columns: vec![name_column],
            output_columns: output,
            late,
            decoded: AtomicU64::new(0),
            fail: false,
        })
    }
}

impl ScanFilter for NameEndsWith {
    fn predicate_columns(&self) -> &[usize] {
        &self.predicate_columns
    }
    fn output_columns(&self) -> &[usize] {
        &self.output_columns
    }
    fn evaluate(&self, columns: &[ArrayRef], rows: usize) -> Result<BooleanArray> {
        if self.fail {
            return Err(ShoalError::Execution("predicate failed on purpose".into()));
        }
        let names = columns[0].as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(names.len(), rows);
        self.decoded.fetch_add(rows as u64, Ordering::Relaxed);
        Ok(names.iter().map(|n| Some(n.is_some_and(|n| n.ends_with(self.suffix)))).collect())
    }
    fn prefers_late_materialization(&self) -> bool {
        self.late
    }
}

/// 1000 rows in 10 row groups: id 0..1000, name = "n{id}" (NULL when id % 7 == 0),
/// tag = "t{id % 3}".
fn table(dir: &std::path::Path) -> ParquetTable {
    let ids: Vec<i64> = (0..1000).collect();
    let b = batch(vec![
        ("id", Arc::new(Int64Array::from(ids.clone()))),
        (
            "name",
            Arc::new(StringArray::from(
                ids.iter().map(|i| (i % 7 != 0).then(|| format!("n{i}"))).collect::<Vec<_>>(),
            )),
        ),
        ("tag", Arc::new(StringArray::from(ids.iter().map(|i| format!("t{}", i % 3)).collect::<Vec<_>>()))),
    ]);
    let path = dir.join("f.parquet");
    write_parquet(&path, &b, 100);
    ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions { batch_size: 64, pruning: true }).unwrap()
}

/// Read every morsel through `read_morsel_filtered`; `None` when the source declined.
fn read_filtered(scan: &dyn ScanSource, filter: Arc<dyn ScanFilter>) -> Result<Option<Vec<RecordBatch>>> {
    let mut out = vec![];
    for m in 0..scan.morsel_count() {
        let handled = scan.read_morsel_filtered(m, &filter, &mut |b| {
            out.push(b);
            Ok(ControlFlow::Continue(()))
        })?;
        if !handled {
            return Ok(None);
        }
    }
    Ok(Some(out))
}

fn expected_ids(suffix: &str) -> Vec<i64> {
    (0..1000).filter(|i| i % 7 != 0 && format!("n{i}").ends_with(suffix)).collect()
}

#[test]
fn selective_filter_decodes_other_columns_for_kept_rows_only() {
    let dir = tempfile::tempdir().unwrap();
    let table = table(dir.path());
    // projection [tag, id, name]: the scan's positions differ from the table's columns
    let scan = table.scan(Some(&[2, 0, 1]), &[], None).unwrap();
    let filter = NameEndsWith::new("5", 2, vec![0, 1], true);
    let batches = read_filtered(scan.as_ref(), filter.clone()).unwrap().expect("late path taken");
    assert!(batches.iter().all(|b| b.num_columns() == 2));
    let ids: Vec<i64> = i64_column(&batches, 1).into_iter().flatten().collect();
    assert_eq!(ids, expected_ids("5"));
    let tags: Vec<String> = str_column(&batches, 0).into_iter().flatten().collect();
    let expected_tags: Vec<String> = expected_ids("5").iter().map(|i| format!("t{}", i % 3)).collect();
    assert_eq!(tags, expected_tags);
    // the predicate saw every row, in batches of the reader's size
    assert_eq!(filter.decoded.load(Ordering::Relaxed), 1000);
}

#[test]
fn output_may_include_the_predicate_column() {
    let dir = tempfile::tempdir().unwrap();
    let table = table(dir.path());
    let scan = table.scan(Some(&[0, 1]), &[], None).unwrap();
    let filter = NameEndsWith::new("99", 1, vec![0, 1], true);
    let batches = read_filtered(scan.as_ref(), filter).unwrap().expect("late path taken");
    let names: Vec<Option<String>> = str_column(&batches, 1);
    let expected: Vec<Option<String>> = expected_ids("99").iter().map(|i| Some(format!("n{i}"))).collect();
    assert_eq!(names, expected);
    assert_eq!(i64_column(&batches, 0).into_iter().flatten().collect::<Vec<_>>(), expected_ids("99"));
}

#[test]
fn filters_not_preferring_late_materialization_are_left_to_the_caller() {
    let dir = tempfile::tempdir().unwrap();
    let table = table(dir.path());
    let scan = table.scan(Some(&[0, 1]), &[], None).unwrap();
    let filter = NameEndsWith::new("5", 1, vec![0], false);
    assert!(read_filtered(scan.as_ref(), filter).unwrap().is_none());
}

#[test]
fn predicate_errors_are_returned_as_raised() {
    let dir = tempfile::tempdir().unwrap();
    let table = table(dir.path());
    let scan = table.scan(Some(&[0, 1]), &[], None).unwrap();
    let filter = Arc::new(NameEndsWith {
        suffix: "5",
        predicate_columns: vec![1],
        output_columns: vec![0],
        late: true,
        decoded: AtomicU64::new(0),
        fail: true,
    });
    let err = read_filtered(scan.as_ref(), filter).unwrap_err();
    assert!(matches!(&err, ShoalError::Execution(m) if m == "predicate failed on purpose"), "{err}");
}

/// `name` ends with `suffix`, where `name` must arrive as Utf8View (it is offered as a view).
#[derive(Debug)]
struct ViewNameEndsWith {
    suffix: &'static str,
    predicate_columns: Vec<usize>,
    output_columns: Vec<usize>,
    late: bool,
}

impl ScanFilter for ViewNameEndsWith {
    fn predicate_columns(&self) -> &[usize] {
        &self.predicate_columns
    }
    fn output_columns(&self) -> &[usize] {
        &self.output_columns
    }
    fn evaluate(&self, columns: &[ArrayRef], rows: usize) -> Result<BooleanArray> {
        let Some(names) = columns[0].as_any().downcast_ref::<StringViewArray>() else {
            return Err(ShoalError::Execution(format!("got {} for a view column", columns[0].data_type())));
        };
        assert_eq!(names.len(), rows);
        Ok(names.iter().map(|n| Some(n.is_some_and(|n| n.ends_with(self.suffix)))).collect())
    }
    fn prefers_late_materialization(&self) -> bool {
        self.late
    }
    fn string_view_columns(&self) -> &[usize] {
        &self.predicate_columns
    }
}

/// The name of row `i` of `long_names_table`: NULL every 7th row, long (> 12 bytes) every
/// other row.
fn long_name(i: i64) -> Option<String> {
    (i % 7 != 0).then(|| if i % 2 == 0 { format!("n{i}") } else { format!("a rather long name {i}") })
}

/// 1000 rows in 10 row groups: id, name (`long_name`), tag = "t{id % 3}".
fn long_names_table(dir: &std::path::Path) -> ParquetTable {
    let ids: Vec<i64> = (0..1000).collect();
    let b = batch(vec![
        ("id", Arc::new(Int64Array::from(ids.clone()))),
        ("name", Arc::new(StringArray::from(ids.iter().map(|&i| long_name(i)).collect::<Vec<_>>()))),
        ("tag", Arc::new(StringArray::from(ids.iter().map(|i| format!("t{}", i % 3)).collect::<Vec<_>>()))),
    ]);
    let path = dir.join("long.parquet");
    write_parquet(&path, &b, 100);
    ParquetTable::try_new(path.to_str().unwrap(), ParquetOptions { batch_size: 64, pruning: true }).unwrap()
}

#[test]
fn view_columns_are_decoded_as_views_on_both_paths() {
    let dir = tempfile::tempdir().unwrap();
    let table = long_names_table(dir.path());
    let scan = table.scan(Some(&[0, 1, 2]), &[], None).unwrap();
    for (suffix, late) in [("4", false), ("4", true), ("5", false), ("5", true)] {
        let filter = Arc::new(ViewNameEndsWith {
            suffix,
            predicate_columns: vec![1],
            output_columns: vec![0, 2],
            late,
        });
        let batches = read_filtered(scan.as_ref(), filter).unwrap().expect("the source filters");
        assert!(batches.len() > 1);
        // output strings stay Utf8
        assert!(batches.iter().all(|b| b.schema().field(1).data_type() == &DataType::Utf8));
        let want: Vec<i64> =
            (0..1000).filter(|&i| long_name(i).is_some_and(|n| n.ends_with(suffix))).collect();
        // "4": short names only, "5": long names only
        assert!(!want.is_empty());
        assert_eq!(i64_column(&batches, 0).into_iter().flatten().collect::<Vec<_>>(), want, "late={late}");
        let tags: Vec<String> = str_column(&batches, 1).into_iter().flatten().collect();
        assert_eq!(tags, want.iter().map(|i| format!("t{}", i % 3)).collect::<Vec<_>>());
    }
}

#[test]
fn eager_view_reads_skip_batches_without_kept_rows() {
    let dir = tempfile::tempdir().unwrap();
    let table = long_names_table(dir.path());
    let scan = table.scan(Some(&[0, 1]), &[], None).unwrap();
    let filter = Arc::new(ViewNameEndsWith {
        suffix: "no such",
        predicate_columns: vec![1],
        output_columns: vec![0],
        late: false,
    });
    let batches = read_filtered(scan.as_ref(), filter).unwrap().expect("the source filters");
    assert!(batches.is_empty());
}
