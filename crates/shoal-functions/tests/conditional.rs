//! coalesce, nullif, greatest, least on arrays with NULLs and on scalars.

mod common;

use common::*;

#[test]
fn coalesce_takes_the_first_non_null() {
    let a = || ints(&[Some(1), None, None, Some(4)]);
    let b = || ints(&[Some(10), Some(20), None, None]);
    assert_eq!(run("coalesce", vec![a(), b()], 4), ["1", "20", "NULL", "4"]);
    assert_eq!(run("coalesce", vec![a(), b(), i(0)], 4), ["1", "20", "0", "4"]);
    assert_eq!(run("coalesce", vec![null(), a(), i(7)], 4), ["1", "7", "7", "4"]);
    assert_eq!(run("coalesce", vec![i(5), a()], 4), ["5", "5", "5", "5"]);
    assert_eq!(one("coalesce", vec![null(), null(), i(3)]), "3");
    assert_eq!(one("coalesce", vec![null()]), "NULL");
    // Int32 and Float64 meet at Float64
    assert_eq!(run("coalesce", vec![ints32(&[None, Some(2)]), f(1.5)], 2), ["1.5", "2.0"]);
    assert_eq!(run("coalesce", vec![strs(&[None, Some("x")]), s("d")], 2), ["d", "x"]);
}

#[test]
fn coalesce_rejects_types_without_common_type() {
    let err = error("coalesce", vec![b(true), date(1)], 1);
    assert!(err.contains("no common type"), "{err}");
    let err = error("coalesce", vec![], 1);
    assert!(err.contains("expected coalesce(value, ...)"), "{err}");
}

#[test]
fn nullif_nulls_equal_values() {
    assert_eq!(run("nullif", vec![ints(&[Some(1), Some(2), None]), i(2)], 3), ["1", "NULL", "NULL"]);
    assert_eq!(run("nullif", vec![i(2), ints(&[Some(1), Some(2), None])], 3), ["2", "NULL", "2"]);
    assert_eq!(one("nullif", vec![s("a"), s("a")]), "NULL");
    assert_eq!(one("nullif", vec![s("a"), null()]), "a");
    assert_eq!(one("nullif", vec![null(), i(1)]), "NULL");
    assert_eq!(one("nullif", vec![i(1), f(1.0)]), "NULL");
    let err = error("nullif", vec![i(1)], 1);
    assert!(err.contains("expected nullif(a, b)"), "{err}");
}

#[test]
fn greatest_and_least_ignore_nulls() {
    let a = || ints(&[Some(1), None, Some(5), None]);
    let b = || ints(&[Some(3), Some(2), Some(4), None]);
    assert_eq!(run("greatest", vec![a(), b()], 4), ["3", "2", "5", "NULL"]);
    assert_eq!(run("least", vec![a(), b()], 4), ["1", "2", "4", "NULL"]);
    assert_eq!(run("greatest", vec![a(), b(), i(4)], 4), ["4", "4", "5", "4"]);
    assert_eq!(run("least", vec![null(), a()], 4), ["1", "NULL", "5", "NULL"]);
    assert_eq!(one("greatest", vec![i(1), f(2.5), i(2)]), "2.5");
    assert_eq!(one("least", vec![s("b"), s("a"), null()]), "a");
    assert_eq!(one("greatest", vec![null(), null()]), "NULL");
    assert_eq!(run("greatest", vec![dates(&[Some(1), None]), date(0)], 2), ["1970-01-02", "1970-01-01"]);
}
