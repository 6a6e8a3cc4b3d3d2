//! Expression planning: literals, operators, predicates, CASE, casts and function calls.

mod common;

use common::plan;

/// The projection line of `SELECT <exprs> FROM t`.
fn projection(exprs: &str) -> String {
    let text = plan(&format!("SELECT {exprs} FROM t"));
    text.lines().next().unwrap_or_default().to_string()
}

#[test]
fn literals() {
    assert_eq!(
        plan("SELECT 1, 'x', 1.5, NULL, true, -9223372036854775808, 12345678901234567890, 1e3"),
        "Projection: 1, 'x', 1.5, NULL, true, -9223372036854775808, 12345678901234567890, 1000.0\n  EmptyRelation: rows=1\n"
    );
    assert_eq!(
        projection("DATE '1998-12-01', TIMESTAMP '2020-01-02 03:04:05'"),
        "Projection: DATE '1998-12-01', TIMESTAMP '2020-01-02T03:04:05'"
    );
}

#[test]
fn intervals() {
    assert_eq!(
        projection("INTERVAL '3' DAY, INTERVAL '1 year 2 months 3 days', INTERVAL '90' DAY (3), INTERVAL 2 HOUR, INTERVAL '1' YEAR"),
        "Projection: INTERVAL '3 days', INTERVAL '14 mons 3 days', INTERVAL '90 days', INTERVAL '2 hours', INTERVAL '12 mons'"
    );
    assert_eq!(
        projection("d - INTERVAL 1 MONTH, d + INTERVAL '2 hours 30 minutes'"),
        "Projection: d - INTERVAL '1 mons', d + INTERVAL '2 hours 30 mins'"
    );
}

#[test]
fn operators_and_predicates() {
    assert_eq!(
        projection("-a, +a, NOT flag, a * 2 + 1, a % 3, b || 'x'"),
        "Projection: -a, a, NOT flag, a * 2 + 1, a % 3, b || 'x'"
    );
    assert_eq!(
        projection("a IS NULL, b IS NOT NULL, flag IS TRUE, flag IS NOT TRUE, flag IS FALSE, flag IS NOT FALSE, flag IS UNKNOWN, flag IS NOT UNKNOWN"),
        "Projection: a IS NULL, b IS NOT NULL, flag IS NOT DISTINCT FROM true, flag IS DISTINCT FROM true, flag IS NOT DISTINCT FROM false, flag IS DISTINCT FROM false, flag IS NULL, flag IS NOT NULL"
    );
    assert_eq!(
        projection("a IN (1, 2), a NOT IN (3), c BETWEEN 1 AND 2, c NOT BETWEEN 1 AND 2"),
        "Projection: a IN (1, 2), a NOT IN (3), c BETWEEN 1.0 AND 2.0 AS c BETWEEN 1 AND 2, c NOT BETWEEN 1.0 AND 2.0 AS c NOT BETWEEN 1 AND 2"
    );
    assert_eq!(
        projection("b LIKE 'a%', b NOT ILIKE 'a%', b LIKE 'a!%' ESCAPE '!'"),
        "Projection: b LIKE 'a%', b NOT ILIKE 'a%', b LIKE 'a!%' ESCAPE '!'"
    );
}

#[test]
fn is_distinct_from_binds_tighter_than_and() {
    assert_eq!(
        projection("a IS DISTINCT FROM 1 AND flag, a IS NOT DISTINCT FROM 2 OR flag AND flag"),
        "Projection: a IS DISTINCT FROM 1 AND flag, a IS NOT DISTINCT FROM 2 OR flag AND flag"
    );
    assert_eq!(
        plan("SELECT * FROM t WHERE a IS DISTINCT FROM 1 AND b = 'x'").lines().nth(1),
        Some("  Filter: a IS DISTINCT FROM 1 AND b = 'x'")
    );
}

#[test]
fn case_and_casts() {
    assert_eq!(
        projection("CASE WHEN a > 1 THEN 'big' ELSE 'small' END, CASE a WHEN 1 THEN 'one' END"),
        "Projection: CASE WHEN a > 1 THEN 'big' ELSE 'small' END, CASE a WHEN 1 THEN 'one' END"
    );
    assert_eq!(
        projection("CAST(a AS VARCHAR), a::DOUBLE, TRY_CAST(b AS INTEGER), CAST(c AS DECIMAL), c::REAL"),
        "Projection: CAST(a AS VARCHAR), CAST(a AS DOUBLE), TRY_CAST(b AS INTEGER), CAST(c AS DECIMAL(18,3)), CAST(c AS REAL)"
    );
    // the inserted cast does not change the output name
    assert_eq!(projection("b || a"), "Projection: b || CAST(a AS VARCHAR) AS b || a");
}

#[test]
fn functions_and_special_forms() {
    assert_eq!(
        projection("LOWER(b), upper(B), abs(a), ceil(c)"),
        "Projection: lower(b), upper(b), abs(a), ceil(c)"
    );
    assert_eq!(
        projection("EXTRACT(year FROM d), SUBSTRING(b FROM 2 FOR 3), SUBSTRING(b FROM 2), TRIM(BOTH 'x' FROM b), TRIM(LEADING 'z' FROM b), TRIM(TRAILING 'y' FROM b), TRIM(b), POSITION('a' IN b)"),
        "Projection: date_part('year', d), substr(b, 2, 3), substr(b, 2), btrim(b, 'x'), ltrim(b, 'z'), rtrim(b, 'y'), btrim(b), strpos(b, 'a')"
    );
    assert_eq!(
        plan("SELECT CURRENT_DATE, CURRENT_TIMESTAMP, now()"),
        "Projection: current_date(), now(), now()\n  EmptyRelation: rows=1\n"
    );
}

#[test]
fn string_literals_compared_with_dates_become_typed() {
    assert_eq!(
        plan("SELECT ts FROM t WHERE ts > '2020-01-01' AND d = '2020-01-02'").lines().nth(1),
        Some("  Filter: ts > TIMESTAMP '2020-01-01T00:00:00' AND d = DATE '2020-01-02'")
    );
}
