//! Parsing SQL text into sqlparser statements; syntax errors carry their position in the text.

use shoal_common::{Result, ShoalError, Span};
use sqlparser::ast::Statement;
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, Tokenizer};

/// The dialect shoal speaks: DuckDB's (PostgreSQL-style casts and operators, `FROM 'file'`,
/// named table-function arguments, `* EXCLUDE (..)`).
const DIALECT: DuckDbDialect = DuckDbDialect {};

/// Parse `sql` (one or more `;`-separated statements).
///
/// ```
/// let stmts = shoal_sql::parse_sql("SELECT 1; SELECT 2").unwrap();
/// assert_eq!(stmts.len(), 2);
/// let err = shoal_sql::parse_sql("SELECT a b c FROM t").unwrap_err();
/// assert_eq!(err.span().map(|s| (s.start_line, s.start_column)), Some((1, 12)));
/// ```
pub fn parse_sql(sql: &str) -> Result<Vec<Statement>> {
    Parser::parse_sql(&DIALECT, sql).map_err(|e| syntax_error(e, sql))
}

/// Parse `sql` and pair every statement with its own source text (without the `;`).
///
/// ```
/// let stmts = shoal_sql::split_statements("SELECT 1;\n  select  2 ; ").unwrap();
/// assert_eq!(stmts[0].0, "SELECT 1");
/// assert_eq!(stmts[1].0, "select  2");
/// ```
pub fn split_statements(sql: &str) -> Result<Vec<(String, Statement)>> {
    let statements = parse_sql(sql)?;
    let tokens = Tokenizer::new(&DIALECT, sql)
        .tokenize_with_location()
        .map_err(|e| syntax_error(ParserError::TokenizerError(e.to_string()), sql))?;
    // The parser skips empty statements between semicolons; so do we.
    let mut segments: Vec<(Location, Location)> = vec![];
    let mut current: Option<(Location, Location)> = None;
    for t in &tokens {
        match t.token {
            Token::SemiColon => segments.extend(current.take()),
            Token::Whitespace(_) | Token::EOF => {}
            _ => {
                let start = current.map_or(t.span.start, |(s, _)| s);
                current = Some((start, t.span.end));
            }
        }
    }
    segments.extend(current);
    if segments.len() != statements.len() {
        // A statement with semicolons inside (not in shoal's dialect subset): fall back to the
        // statements' own rendering.
        return Ok(statements.into_iter().map(|s| (s.to_string(), s)).collect());
    }
    let index = LineIndex::new(sql);
    Ok(segments
        .into_iter()
        .zip(statements)
        .map(|((start, end), stmt)| {
            let text = match (index.offset(start), index.offset(end)) {
                (Some(a), Some(b)) if a <= b => sql[a..b].to_string(),
                _ => stmt.to_string(),
            };
            (text, stmt)
        })
        .collect())
}

/// Byte offsets of line starts, to turn (line, column) locations into string offsets.
struct LineIndex<'a> {
    sql: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(sql: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(sql.match_indices('\n').map(|(i, _)| i + 1));
        Self { sql, line_starts }
    }

    /// Byte offset of a 1-based (line, column in characters) location.
    fn offset(&self, loc: Location) -> Option<usize> {
        let line_start = *self.line_starts.get((loc.line as usize).checked_sub(1)?)?;
        let rest = self.sql.get(line_start..)?;
        let col = (loc.column as usize).checked_sub(1)?;
        match rest.char_indices().nth(col) {
            Some((i, _)) => Some(line_start + i),
            // one past the last character of the text
            None if rest.chars().count() == col => Some(self.sql.len()),
            None => None,
        }
    }
}

/// Turn a sqlparser error into [`ShoalError::Sql`] with the position it reports (or the end of
/// the text for "found: EOF").
fn syntax_error(e: ParserError, sql: &str) -> ShoalError {
    let raw = match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s,
        ParserError::RecursionLimitExceeded => {
            return ShoalError::Sql { message: "the query is nested too deeply".into(), span: None }
        }
    };
    let (message, position) = match raw.rfind(" at Line: ") {
        Some(i) => (raw[..i].to_string(), parse_location(&raw[i + 10..])),
        None => (raw.clone(), None),
    };
    let span = match position {
        Some((line, column)) => {
            // underline the offending token when the message names it
            let width = message
                .rsplit_once(", found: ")
                .map(|(_, tok)| tok.chars().count() as u64)
                .filter(|w| *w > 0)
                .unwrap_or(1);
            Some(Span::new(line, column, line, column + width))
        }
        None if message.ends_with("found: EOF") => Some(end_of_text(sql)),
        None => None,
    };
    ShoalError::Sql { message, span }
}

/// `"1, Column: 8"` → `(1, 8)`.
fn parse_location(s: &str) -> Option<(u64, u64)> {
    let (line, rest) = s.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// The position just after the last non-blank character.
fn end_of_text(sql: &str) -> Span {
    let trimmed = sql.trim_end();
    let line = trimmed.split('\n').count().max(1) as u64;
    let last = trimmed.rsplit('\n').next().unwrap_or("");
    let column = last.chars().count() as u64 + 1;
    Span::new(line, column, line, column + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_positions() {
        let err = parse_sql("SELECT (1 + 2 FROM t").unwrap_err();
        assert_eq!(err.span(), Some(Span::new(1, 15, 1, 19)));
        assert_eq!(err.to_string(), "SQL syntax error: Expected: ), found: FROM");
        let err = parse_sql("SELECT a FROM t WHERE\n").unwrap_err();
        assert_eq!(err.span(), Some(Span::new(1, 22, 1, 23)));
        let err = parse_sql("SELECT 1;\nSELECT a FROM t WHERE x = = 2").unwrap_err();
        assert_eq!(err.span().map(|s| (s.start_line, s.start_column)), Some((2, 27)));
    }

    #[test]
    fn split_keeps_source_text() {
        let sql = "-- first\nSELECT 'a;b' AS \"x;\";;\n\nSELECT\n  2 -- two\n;";
        let stmts = split_statements(sql).unwrap();
        assert_eq!(stmts.len(), 2);
        assert_eq!(stmts[0].0, "SELECT 'a;b' AS \"x;\"");
        assert_eq!(stmts[1].0, "SELECT\n  2");
        assert!(split_statements("").unwrap().is_empty());
    }
}
