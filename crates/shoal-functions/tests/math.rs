//! Math and rounding functions on arrays with NULLs and on scalars, with PostgreSQL's errors.

mod common;

use common::*;

#[test]
fn abs_keeps_the_type() {
    assert_eq!(run("abs", vec![ints(&[Some(-3), None, Some(4)])], 3), ["3", "NULL", "4"]);
    assert_eq!(run("abs", vec![ints32(&[Some(-3), None])], 2), ["3", "NULL"]);
    assert_eq!(run("abs", vec![floats(&[Some(-1.5), None])], 2), ["1.5", "NULL"]);
    assert_eq!(run("abs", vec![decs(&[Some(-1234), None], 6, 2)], 2), ["12.34", "NULL"]);
    assert_eq!(one("abs", vec![null()]), "NULL");
    let err = error("abs", vec![i(i64::MIN)], 1);
    assert!(err.contains("out of range"), "{err}");
    let err = error("abs", vec![s("x")], 1);
    assert!(err.contains("expected abs(x)"), "{err}");
}

#[test]
fn round_half_away_from_zero() {
    let x = || floats(&[Some(2.5), Some(-2.5), None, Some(1.2345)]);
    assert_eq!(run("round", vec![x()], 4), ["3.0", "-3.0", "NULL", "1.0"]);
    assert_eq!(run("round", vec![x(), i(2)], 4), ["2.5", "-2.5", "NULL", "1.23"]);
    assert_eq!(
        run("round", vec![f(1234.5678), ints(&[Some(-2), Some(1), None])], 3),
        ["1200.0", "1234.6", "NULL"]
    );
    assert_eq!(one("round", vec![f(2.675), i(1)]), "2.7");
    // integers keep their type
    assert_eq!(
        run("round", vec![ints32(&[Some(1250), Some(-1250), None]), i(-2)], 3),
        ["1300", "-1300", "NULL"]
    );
    assert_eq!(one("round", vec![i(17), i(1)]), "17");
    let err = error("round", vec![i(i64::MAX), i(-1)], 1);
    assert!(err.contains("out of range"), "{err}");
    // decimals keep their type
    assert_eq!(
        run("round", vec![decs(&[Some(12345), Some(-12355), None], 7, 3), i(2)], 3),
        ["12.350", "-12.360", "NULL"]
    );
    assert_eq!(one("round", vec![dec(12345, 7, 3)]), "12.000");
    // round, floor and ceil add a digit of precision for the carry
    assert_eq!(one("round", vec![dec(99, 2, 1)]), "10.0");
    assert_eq!(one("round", vec![dec(99, 2, 1), i(-1)]), "10.0");
    let err = error("round", vec![dec(10i128.pow(38) - 1, 38, 0), i(-1)], 1);
    assert!(err.contains("overflow"), "{err}");
    assert_eq!(one("round", vec![f(1.5), null()]), "NULL");
}

#[test]
fn floor_ceil_trunc() {
    let x = || floats(&[Some(-1.5), Some(1.5), None]);
    assert_eq!(run("floor", vec![x()], 3), ["-2.0", "1.0", "NULL"]);
    assert_eq!(run("ceil", vec![x()], 3), ["-1.0", "2.0", "NULL"]);
    assert_eq!(run("ceiling", vec![x()], 3), ["-1.0", "2.0", "NULL"]);
    assert_eq!(run("trunc", vec![x()], 3), ["-1.0", "1.0", "NULL"]);
    assert_eq!(one("trunc", vec![f(-1.289), i(2)]), "-1.28");
    assert_eq!(run("floor", vec![decs(&[Some(-150), Some(150)], 4, 2)], 2), ["-2.00", "1.00"]);
    assert_eq!(run("ceil", vec![decs(&[Some(-150), Some(150)], 4, 2)], 2), ["-1.00", "2.00"]);
    assert_eq!(one("floor", vec![i(7)]), "7");
    assert_eq!(one("trunc", vec![i(1299), i(-2)]), "1200");
}

#[test]
fn float_functions() {
    assert_eq!(run("sqrt", vec![floats(&[Some(4.0), None])], 2), ["2.0", "NULL"]);
    assert_eq!(run("sqrt", vec![ints(&[Some(9), None])], 2), ["3.0", "NULL"]);
    assert_eq!(one("cbrt", vec![f(27.0)]), "3.0");
    assert_eq!(one("exp", vec![i(0)]), "1.0");
    assert_eq!(one("ln", vec![f(1.0)]), "0.0");
    assert_eq!(one("log10", vec![i(1000)]), "3.0");
    assert_eq!(one("log2", vec![i(8)]), "3.0");
    assert_eq!(one("log", vec![i(100)]), "2.0");
    assert_eq!(one("log", vec![i(2), i(8)]), "3.0");
    assert_eq!(run("log", vec![i(2), ints(&[Some(4), None])], 2), ["2.0", "NULL"]);
    assert_eq!(one("power", vec![i(2), i(10)]), "1024.0");
    assert_eq!(run("pow", vec![floats(&[Some(3.0), None]), i(2)], 2), ["9.0", "NULL"]);
    assert_eq!(one("power", vec![f(-8.0), f(2.0)]), "64.0");
    assert_eq!(one("sign", vec![f(-3.5)]), "-1.0");
    assert_eq!(run("sign", vec![ints(&[Some(5), Some(0), None])], 3), ["1.0", "0.0", "NULL"]);
    assert_eq!(one("sin", vec![i(0)]), "0.0");
    assert_eq!(one("cos", vec![i(0)]), "1.0");
    assert_eq!(one("tan", vec![i(0)]), "0.0");
    assert_eq!(one("asin", vec![i(1)]), std::f64::consts::FRAC_PI_2.to_string());
    assert_eq!(one("acos", vec![i(1)]), "0.0");
    assert_eq!(one("atan", vec![i(0)]), "0.0");
    assert_eq!(one("atan2", vec![i(1), i(0)]), std::f64::consts::FRAC_PI_2.to_string());
    assert_eq!(one("degrees", vec![f(std::f64::consts::PI)]), "180.0");
    assert_eq!(one("radians", vec![i(180)]), std::f64::consts::PI.to_string());
    assert_eq!(one("pi", vec![]), std::f64::consts::PI.to_string());
    assert_eq!(one("sqrt", vec![null()]), "NULL");
}

#[test]
fn domain_errors_follow_postgres() {
    let cases: &[(&str, Vec<shoal_expr::ColumnarValue>, &str)] = &[
        ("sqrt", vec![f(-1.0)], "cannot take square root of a negative number"),
        ("ln", vec![i(0)], "cannot take logarithm of zero"),
        ("log10", vec![f(-1.0)], "cannot take logarithm of a negative number"),
        ("log", vec![i(1), i(5)], "division by zero"),
        ("power", vec![i(0), i(-1)], "zero raised to a negative power is undefined"),
        ("power", vec![f(-8.0), f(0.5)], "complex result"),
        ("exp", vec![f(1000.0)], "value out of range: overflow"),
        ("asin", vec![f(2.0)], "input is out of range"),
    ];
    for (name, args, message) in cases {
        let err = error(name, args.clone(), 1);
        assert!(err.contains(message), "{name}: {err}");
    }
    // a NULL slot is never checked, whatever value it hides
    assert_eq!(run("sqrt", vec![floats(&[None, Some(1.0)])], 2), ["NULL", "1.0"]);
    let err = error("sqrt", vec![floats(&[Some(1.0), Some(-4.0)])], 2);
    assert!(err.contains("negative"), "{err}");
}

#[test]
fn random_differs_by_row_and_stays_in_range() {
    let values = run("random", vec![], 100);
    assert_eq!(values.len(), 100);
    let parsed: Vec<f64> = values.iter().map(|v| v.parse().expect("float")).collect();
    assert!(parsed.iter().all(|v| (0.0..1.0).contains(v)));
    let mut distinct = parsed.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    assert!(distinct.len() > 90);
}
