//! `ScanPredicate` on predicate-only string columns handed over as Utf8View: which columns
//! it accepts as views, and that its result on views equals the expected rows.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Field};
use shoal_expr::{col, lit, Expr, PlanSchema, ScanFilter};
use shoal_physical::ScanPredicate;

const MODES: [Option<&str>; 7] = [
    Some("AIR"),
    Some("DELIVER IN PERSON"),
    None,
    Some("TAKE BACK RETURN"),
    Some("MAIL"),
    Some(""),
    Some("AIR REG"),
];

fn mode(i: usize) -> Option<&'static str> {
    MODES[i % MODES.len()]
}

/// Short and long comments; NULL every 11th row.
fn comment(i: usize) -> Option<String> {
    (i % 11 != 0).then(|| match i % 4 {
        0 => format!("c{i}"),
        1 => format!("quick special deposits and requests {i}"),
        2 => format!("Special {i}"),
        _ => format!("requests then special {i}"),
    })
}

const ROWS: usize = 300;

fn schema() -> PlanSchema {
    PlanSchema::new(
        vec![
            Arc::new(Field::new("id", DataType::Int64, false)),
            Arc::new(Field::new("mode", DataType::Utf8, true)),
            Arc::new(Field::new("comment", DataType::Utf8, true)),
        ],
        vec![None, None, None],
    )
    .unwrap()
}

/// The table's columns, strings as Utf8 or as Utf8View.
fn columns(views: bool) -> Vec<ArrayRef> {
    let ids: ArrayRef = Arc::new(Int64Array::from((0..ROWS as i64).collect::<Vec<_>>()));
    let modes: ArrayRef = Arc::new(StringArray::from((0..ROWS).map(mode).collect::<Vec<_>>()));
    let comments: ArrayRef = Arc::new(StringArray::from((0..ROWS).map(comment).collect::<Vec<_>>()));
    let as_view = |a: ArrayRef| if views { cast(&a, &DataType::Utf8View).unwrap() } else { a };
    vec![ids, as_view(modes), as_view(comments)]
}

/// Rows kept by `predicate` (only `id` read above the scan) given the strings as views, after
/// checking that the predicate accepts `expected_views` as views.
fn kept_rows(predicate: &Expr, expected_views: &[usize]) -> Vec<usize> {
    let filter = ScanPredicate::try_new(predicate, &schema(), Some(&[true, false, false])).unwrap();
    assert_eq!(filter.string_view_columns(), expected_views, "{predicate}");
    let on_views = filter.evaluate(&columns_for(&filter, true), ROWS).unwrap();
    let on_strings = filter.evaluate(&columns_for(&filter, false), ROWS).unwrap();
    assert_eq!(on_views, on_strings, "{predicate}");
    positions(&on_views)
}

/// The predicate's columns, strings as Utf8 or as Utf8View.
fn columns_for(filter: &ScanPredicate, views: bool) -> Vec<ArrayRef> {
    let all = columns(views);
    filter.predicate_columns().iter().map(|&i| Arc::clone(&all[i])).collect()
}

fn positions(mask: &BooleanArray) -> Vec<usize> {
    (0..mask.len()).filter(|&i| mask.is_valid(i) && mask.value(i)).collect()
}

fn expected(keep: impl Fn(Option<&str>, Option<&str>) -> bool) -> Vec<usize> {
    (0..ROWS).filter(|&i| keep(mode(i), comment(i).as_deref())).collect()
}

#[test]
fn comparisons_on_views_keep_the_expected_rows() {
    let long = kept_rows(&col("mode").eq(lit("DELIVER IN PERSON")), &[1]);
    assert_eq!(long, expected(|m, _| m == Some("DELIVER IN PERSON")));
    assert!(!long.is_empty());
    let flipped = kept_rows(&lit("AIR").eq(col("mode")), &[1]);
    assert_eq!(flipped, expected(|m, _| m == Some("AIR")));
    let not_eq = kept_rows(&col("mode").not_eq(lit("AIR")), &[1]);
    assert_eq!(not_eq, expected(|m, _| m.is_some_and(|m| m != "AIR")));
    let greater = kept_rows(&col("mode").gt(lit("DELIVER IN PERSON")), &[1]);
    assert_eq!(greater, expected(|m, _| m.is_some_and(|m| m > "DELIVER IN PERSON")));
    let empty = kept_rows(&col("mode").eq(lit("")), &[1]);
    assert_eq!(empty, expected(|m, _| m == Some("")));
}

#[test]
fn in_lists_on_views_keep_the_expected_rows() {
    let short = kept_rows(&col("mode").is_in([lit("AIR"), lit("AIR REG")]), &[1]);
    assert_eq!(short, expected(|m, _| matches!(m, Some("AIR" | "AIR REG"))));
    let many: Vec<&str> =
        vec!["AIR", "TAKE BACK RETURN", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"];
    let long = kept_rows(&col("mode").is_in(many.iter().map(|s| lit(*s))), &[1]);
    assert_eq!(long, expected(|m, _| m.is_some_and(|m| many.contains(&m))));
    let not_in = kept_rows(&col("mode").is_not_in([lit("AIR"), lit("MAIL")]), &[1]);
    assert_eq!(not_in, expected(|m, _| m.is_some_and(|m| m != "AIR" && m != "MAIL")));
}

#[test]
fn like_on_views_keeps_the_expected_rows() {
    let matches = |c: &str| c.find("special").is_some_and(|s| c[s..].contains("requests"));
    let not_like = kept_rows(&col("comment").like(lit("%special%requests%")).not(), &[2]);
    assert_eq!(not_like, expected(|_, c| c.is_some_and(|c| !matches(c))));
    assert!(not_like.len() < expected(|_, c| c.is_some()).len());
    let ilike = kept_rows(&col("comment").ilike(lit("special%")), &[2]);
    assert_eq!(ilike, expected(|_, c| c.is_some_and(|c| c.to_lowercase().starts_with("special"))));
}

#[test]
fn and_or_not_and_is_null_on_views() {
    let predicate = col("mode")
        .is_in([lit("AIR"), lit("AIR REG")])
        .and(col("comment").like(lit("%special%")))
        .or(col("mode").is_null())
        .or(col("id").eq(lit(5i64)).and(col("mode").eq(lit("")).not()));
    let rows = kept_rows(&predicate, &[1, 2]);
    let want: Vec<usize> = (0..ROWS)
        .filter(|&i| {
            let (m, c) = (mode(i), comment(i));
            (matches!(m, Some("AIR" | "AIR REG")) && c.is_some_and(|c| c.contains("special")))
                || m.is_none()
                || (i == 5 && m.is_some_and(|m| !m.is_empty()))
        })
        .collect();
    assert_eq!(rows, want);
}

#[test]
fn other_shapes_and_output_columns_stay_utf8() {
    // two columns compared: not evaluated on views
    let columns = col("mode").eq(col("comment"));
    let filter = ScanPredicate::try_new(&columns, &schema(), Some(&[true, false, false])).unwrap();
    assert!(filter.string_view_columns().is_empty());
    // one use is a BETWEEN, so the column stays Utf8; the other column is still a view
    let mixed = col("mode").between(lit("A"), lit("B")).or(col("comment").eq(lit("c4")));
    let filter = ScanPredicate::try_new(&mixed, &schema(), Some(&[true, false, false])).unwrap();
    assert_eq!(filter.string_view_columns(), &[2]);
    let mut given = columns_for(&filter, false);
    given[1] = cast(&given[1], &DataType::Utf8View).unwrap();
    let rows = positions(&filter.evaluate(&given, ROWS).unwrap());
    assert_eq!(rows, expected(|m, c| m.is_some_and(|m| ("A"..="B").contains(&m)) || c == Some("c4")));
    // a column read above the scan is an output column, never a view
    let filter =
        ScanPredicate::try_new(&col("mode").eq(lit("AIR")), &schema(), Some(&[true, true, false])).unwrap();
    assert!(filter.string_view_columns().is_empty());
}
