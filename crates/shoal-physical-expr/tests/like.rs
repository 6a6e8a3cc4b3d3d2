//! LIKE / ILIKE / NOT LIKE / NOT ILIKE: `%` and `_`, default `\` escape, custom ESCAPE, NULLs,
//! and column patterns.

mod common;

use std::sync::Arc;

use arrow::array::{ArrayRef, StringArray};
use common::*;
use shoal_common::ScalarValue;
use shoal_expr::{col, lit, Expr, Like};

const T: Option<bool> = Some(true);
const F: Option<bool> = Some(false);
const N: Option<bool> = None;

fn like(e: Expr, pattern: Expr, negated: bool, ci: bool, escape: Option<char>) -> Expr {
    Expr::Like(Like {
        negated,
        expr: Box::new(e),
        pattern: Box::new(pattern),
        escape_char: escape,
        case_insensitive: ci,
    })
}

fn strings(v: Vec<Option<&str>>) -> arrow::record_batch::RecordBatch {
    batch(vec![("s", Arc::new(StringArray::from(v)) as ArrayRef)])
}

#[test]
fn percent_and_underscore() {
    let b = strings(vec![Some("apple"), Some("apply"), Some("maple"), Some("ape"), None]);
    assert_eq!(eval_bools(like(col("s"), lit("ap%"), false, false, None), &b), vec![T, T, F, T, N]);
    assert_eq!(eval_bools(like(col("s"), lit("%ple"), false, false, None), &b), vec![T, F, T, F, N]);
    assert_eq!(eval_bools(like(col("s"), lit("appl_"), false, false, None), &b), vec![T, T, F, F, N]);
    assert_eq!(eval_bools(like(col("s"), lit("_p%"), false, false, None), &b), vec![T, T, F, T, N]);
    assert_eq!(eval_bools(like(col("s"), lit("ap%"), true, false, None), &b), vec![F, F, T, F, N]);
    assert_eq!(eval_bools(like(col("s"), lit("apple"), false, false, None), &b), vec![T, F, F, F, N]);
}

#[test]
fn ilike_ignores_case() {
    let b = strings(vec![Some("Apple"), Some("APPLY"), Some("maple")]);
    assert_eq!(eval_bools(like(col("s"), lit("ap%"), false, true, None), &b), vec![T, T, F]);
    assert_eq!(eval_bools(like(col("s"), lit("ap%"), true, true, None), &b), vec![F, F, T]);
    assert_eq!(eval_bools(like(col("s"), lit("ap%"), false, false, None), &b), vec![F, F, F]);
}

#[test]
fn default_backslash_escape() {
    let b = strings(vec![Some("100%"), Some("100x"), Some("a_b"), Some("axb"), Some(r"a\b")]);
    assert_eq!(eval_bools(like(col("s"), lit(r"100\%"), false, false, None), &b), vec![T, F, F, F, F]);
    assert_eq!(eval_bools(like(col("s"), lit(r"a\_b"), false, false, None), &b), vec![F, F, T, F, F]);
    assert_eq!(eval_bools(like(col("s"), lit(r"a\\b"), false, false, None), &b), vec![F, F, F, F, T]);
}

#[test]
fn custom_escape_character() {
    let b = strings(vec![Some("100%"), Some("100x"), Some("a_b"), Some("axb"), Some(r"a\b"), Some("a#b")]);
    let esc = Some('#');
    assert_eq!(eval_bools(like(col("s"), lit("100#%"), false, false, esc), &b), vec![T, F, F, F, F, F]);
    assert_eq!(eval_bools(like(col("s"), lit("a#_b"), false, false, esc), &b), vec![F, F, T, F, F, F]);
    // with another escape character, a backslash is an ordinary character
    assert_eq!(eval_bools(like(col("s"), lit(r"a\b"), false, false, esc), &b), vec![F, F, F, F, T, F]);
    assert_eq!(eval_bools(like(col("s"), lit("a##b"), false, false, esc), &b), vec![F, F, F, F, F, T]);
}

#[test]
fn pattern_ending_with_escape_is_an_error() {
    let b = strings(vec![Some("a")]);
    let schema = shoal_expr::PlanSchema::from_arrow(b.schema().as_ref(), None);
    let e =
        shoal_expr::type_coercion::coerce_expr(like(col("s"), lit("a#"), false, false, Some('#')), &schema)
            .unwrap();
    let err = shoal_physical_expr::create_physical_expr(&e, &schema).unwrap_err();
    assert_eq!(err.to_string(), "LIKE pattern 'a#' must not end with the escape character '#'");
}

#[test]
fn column_patterns_and_nulls() {
    let b = batch(vec![
        ("s", Arc::new(StringArray::from(vec![Some("abc"), Some("abc"), Some("a%c"), None])) as ArrayRef),
        ("p", Arc::new(StringArray::from(vec![Some("a%"), None, Some("a!%c"), Some("%")])) as ArrayRef),
    ]);
    assert_eq!(eval_bools(like(col("s"), col("p"), false, false, None), &b), vec![T, N, F, N]);
    assert_eq!(eval_bools(like(col("s"), col("p"), false, false, Some('!')), &b), vec![T, N, T, N]);
    let null = Expr::Literal(ScalarValue::utf8(None));
    assert_eq!(eval_bools(like(col("s"), null, false, false, None), &b), vec![N, N, N, N]);
}
