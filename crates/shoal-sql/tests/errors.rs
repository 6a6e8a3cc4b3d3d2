//! Errors: messages, "did you mean" suggestions and SQL positions.

mod common;

use common::{plan_error, position};
use shoal_common::ShoalError;

#[test]
fn unknown_column_points_at_it_with_a_suggestion() {
    let sql = "SELECT fare_amout FROM 'data/trips.parquet'";
    let e = plan_error(sql);
    assert!(matches!(e, ShoalError::Plan { .. }));
    assert_eq!(e.to_string(), "column 'fare_amout' not found; did you mean 'fare_amount'?");
    assert_eq!(position(&e), Some((1, 8)));
    assert_eq!(
        e.render(sql),
        "Error: column 'fare_amout' not found; did you mean 'fare_amount'?\n  at line 1, column 8\n  SELECT fare_amout FROM 'data/trips.parquet'\n         ^^^^^^^^^^"
    );
    // deep inside an expression, on a later line
    let e = plan_error("SELECT a,\n  lower(upper(bb)) FROM t");
    assert_eq!(e.to_string(), "column 'bb' not found; did you mean 'b'?");
    assert_eq!(position(&e), Some((2, 15)));
}

#[test]
fn syntax_errors_carry_the_parser_position() {
    let e = plan_error("SELECT a b c FROM t");
    assert!(matches!(e, ShoalError::Sql { .. }));
    assert_eq!(e.to_string(), "SQL syntax error: Expected: end of statement, found: c");
    assert_eq!(position(&e), Some((1, 12)));
    let e = plan_error("SELECT a FROM t,");
    assert_eq!(position(&e), Some((1, 17)));
}

#[test]
fn unsupported_constructs_point_at_themselves() {
    let cases = [
        (
            "SELECT a, sum(a) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
            "not supported: GROUPS window frames",
            (1, 11),
        ),
        ("SELECT CAST(a AS BLOB) FROM t", "not supported: the SQL type BLOB", (1, 13)),
    ];
    for (sql, message, pos) in cases {
        let e = plan_error(sql);
        assert!(matches!(e, ShoalError::NotSupported { .. }), "{sql}: {e:?}");
        assert_eq!(e.to_string(), message, "{sql}");
        assert_eq!(position(&e), Some(pos), "{sql}");
    }
}

#[test]
fn ambiguous_join_columns_point_at_the_reference() {
    let e = plan_error("SELECT a FROM t JOIN t AS u ON t.a = u.a");
    assert!(e.to_string().contains("ambiguous"), "{e}");
    assert_eq!(position(&e), Some((1, 8)));
    let e = plan_error("SELECT 1 FROM t JOIN t AS u ON a = u.a");
    assert!(e.to_string().contains("ambiguous"), "{e}");
    assert_eq!(position(&e), Some((1, 32)));
    let e = plan_error("SELECT 1 FROM t LEFT JOIN lineitem");
    assert!(e.to_string().contains("needs an ON or USING condition"), "{e}");
}

#[test]
fn unknown_tables_and_functions_suggest_names() {
    let e = plan_error("SELECT * FROM lineitm");
    assert_eq!(e.to_string(), "table 'lineitm' not found; did you mean 'lineitem'?");
    assert_eq!(position(&e), Some((1, 15)));
    let e = plan_error("SELECT * FROM data.trips");
    assert_eq!(
        e.to_string(),
        "table 'data.trips' not found; to read a file, quote its path with single quotes: FROM 'data.trips'"
    );
    let e = plan_error("SELECT lowr(b) FROM t");
    assert_eq!(e.to_string(), "unknown function 'lowr'; did you mean 'lower'?");
    assert_eq!(position(&e), Some((1, 8)));
    let e = plan_error("SELECT cout(*) FROM t");
    assert_eq!(e.to_string(), "unknown function 'cout'; did you mean 'count'?");
}

#[test]
fn type_errors_point_at_the_innermost_expression() {
    let e = plan_error("SELECT a + 1, 'abc' + 1 FROM t");
    assert_eq!(e.to_string(), "cannot apply '+' to Utf8 and Int64 (in 'abc' + 1)");
    assert_eq!(position(&e), Some((1, 15)));
    let e = plan_error("SELECT lower(b, b) FROM t");
    assert_eq!(e.to_string(), "lower(): takes 1 arguments, got 2");
    let e = plan_error("SELECT a FROM t WHERE b");
    assert_eq!(e.to_string(), "a filter needs a boolean condition, but b is Utf8");
    assert_eq!(position(&e), Some((1, 23)));
}

#[test]
fn bad_literals() {
    let e = plan_error("SELECT DATE '1998-13-01'");
    assert_eq!(e.to_string(), "invalid DATE literal '1998-13-01'");
    assert_eq!(position(&e), Some((1, 13)));
    let e = plan_error("SELECT INTERVAL '3 fortnights'");
    assert_eq!(e.to_string(), "invalid interval '3 fortnights'");
    let e = plan_error("SELECT b LIKE 'a' ESCAPE 'xy' FROM t");
    assert_eq!(e.to_string(), "ESCAPE needs a single character, got 'xy'");
}

#[test]
fn limit_order_by_and_distinct_errors() {
    let e = plan_error("SELECT a FROM t LIMIT -1");
    assert_eq!(e.to_string(), "LIMIT must not be negative, got -1");
    // (sqlparser's span of `-1` starts at the number)
    assert_eq!(position(&e), Some((1, 24)));
    let e = plan_error("SELECT a FROM t LIMIT a");
    assert_eq!(e.to_string(), "LIMIT must be a constant integer, got a");
    let e = plan_error("SELECT a FROM t ORDER BY 3");
    assert_eq!(e.to_string(), "ORDER BY position 3 is not in the select list (it has 1 columns)");
    assert_eq!(position(&e), Some((1, 26)));
    let e = plan_error("SELECT DISTINCT a FROM t ORDER BY b");
    assert_eq!(
        e.to_string(),
        "for SELECT DISTINCT, ORDER BY expressions must appear in the select list, but t.b does not"
    );
    assert_eq!(position(&e), Some((1, 35)));
    let e = plan_error("SELECT a AS x, b AS x FROM t ORDER BY 2");
    assert_eq!(e.to_string(), "ORDER BY refers to 'x', which names more than one column of the select list");
}

#[test]
fn wildcard_errors() {
    let e = plan_error("SELECT *");
    assert_eq!(e.to_string(), "SELECT * needs a FROM clause");
    let e = plan_error("SELECT x.* FROM t");
    assert_eq!(e.to_string(), "'x.*' matches no columns: there is no table or alias 'x' in FROM");
    let e = plan_error("SELECT * EXCLUDE (zz) FROM t");
    assert!(e.to_string().starts_with("column 'zz' in EXCLUDE not found"), "{e}");
    assert_eq!(position(&e), Some((1, 19)));
}

#[test]
fn window_errors_point_at_the_call() {
    let cases = [
        (
            "SELECT a, row_number() FROM t",
            "row_number() is a window function and needs an OVER clause",
            (1, 11),
        ),
        (
            "SELECT a FROM t WHERE rank() OVER (ORDER BY a) = 1",
            "window functions are not allowed in WHERE (use QUALIFY)",
            (1, 23),
        ),
        ("SELECT sum(a) OVER w FROM t", "unknown window 'w' (no WINDOW w AS (..))", (1, 20)),
        (
            "SELECT lower(b) OVER () FROM t",
            "lower() is not a window or aggregate function, so it cannot have OVER",
            (1, 8),
        ),
    ];
    for (sql, message, pos) in cases {
        let e = plan_error(sql);
        assert!(matches!(e, ShoalError::Plan { .. }), "{sql}: {e:?}");
        assert_eq!(e.to_string(), message, "{sql}");
        assert_eq!(position(&e), Some(pos), "{sql}");
    }
}
