//! SQL keywords the REPL completes and highlights.

/// Keywords, upper case, sorted.
pub const KEYWORDS: &[&str] = &[
    "ALL", "ANALYZE", "AND", "ANTI", "ANY", "AS", "ASC", "BETWEEN", "BIGINT", "BOOLEAN", "BY", "CASE", "CAST",
    "COPY", "CREATE", "CROSS", "CUBE", "CURRENT", "DATE", "DECIMAL", "DELIMITER", "DESC", "DESCRIBE", "DISTINCT",
    "DOUBLE", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "EXPLAIN", "FALSE", "FILTER", "FIRST", "FOLLOWING", "FOR",
    "FORMAT", "FROM", "FULL", "FUNCTIONS", "GROUP", "GROUPING", "HAVING", "HEADER", "IF", "ILIKE", "IN", "INNER",
    "INSERT", "INTEGER", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "LAST", "LATERAL", "LEFT", "LIKE", "LIMIT",
    "NATURAL", "NOT", "NULL", "NULLS", "OFFSET", "ON", "OR", "ORDER", "OUTER", "OVER", "PARTITION", "PRECEDING",
    "QUALIFY", "RANGE", "RECURSIVE", "REPLACE", "RIGHT", "ROLLUP", "ROW", "ROWS", "SELECT", "SEMI", "SET", "SETS",
    "SHOW", "TABLE", "TABLES", "THEN", "TIMESTAMP", "TO", "TRUE", "UNBOUNDED", "UNION", "USING", "VALUES",
    "VARCHAR", "VIEW", "WHEN", "WHERE", "WINDOW", "WITH",
];

/// True when `word` is a keyword (any case).
pub fn is_keyword(word: &str) -> bool {
    let upper = word.to_ascii_uppercase();
    KEYWORDS.binary_search(&upper.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_and_found_in_any_case() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_keyword("select") && is_keyword("Group"));
        assert!(!is_keyword("trips"));
    }
}
