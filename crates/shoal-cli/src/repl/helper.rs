//! The line editor's helper: tab completion (keywords, functions, tables, columns, quoted file
//! paths, meta-commands), syntax highlighting and the "statement complete?" check.

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use shoal::Session;

use super::keywords::{is_keyword, KEYWORDS};
use super::meta::META_COMMANDS;
use super::sql_text::{is_complete, tokenize, Token, TokenKind};

/// Names known to the session, refreshed after every command.
#[derive(Debug, Clone, Default)]
pub struct CompletionNames {
    pub tables: Vec<String>,
    /// `(table, column)` for every column of every table and view.
    pub columns: Vec<(String, String)>,
    pub functions: Vec<String>,
}

impl CompletionNames {
    /// Read the tables, their columns and the functions of `session`. A view that no longer
    /// plans (its table was dropped) contributes its name only.
    pub fn load(session: &Session) -> Self {
        let tables = session.table_names();
        let mut columns = Vec::new();
        for t in &tables {
            if let Ok(df) = session.sql(&format!("SELECT * FROM {}", quote_ident(t))) {
                columns.extend(df.schema().fields().iter().map(|f| (t.clone(), f.name().clone())));
            }
        }
        let mut functions = session.functions().names();
        functions.extend(["read_parquet", "read_csv"].map(String::from));
        functions.sort();
        functions.dedup();
        Self { tables, columns, functions }
    }
}

/// `name` as SQL: unchanged when it is a plain identifier, else double-quoted.
pub fn quote_ident(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// The REPL's rustyline helper.
pub struct ShoalHelper {
    names: CompletionNames,
    files: FilenameCompleter,
}

impl ShoalHelper {
    pub fn new(names: CompletionNames) -> Self {
        Self { names, files: FilenameCompleter::new() }
    }

    pub fn set_names(&mut self, names: CompletionNames) {
        self.names = names;
    }

    /// Where the word under the cursor starts and what it can become.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let Some(before) = line.get(..pos) else { return (pos, vec![]) };
        if before.trim_start().starts_with('\\') {
            return self.meta_candidates(line, pos);
        }
        let tokens = tokenize(before);
        match tokens.last().map(|t| t.kind) {
            Some(TokenKind::String { closed: false }) => {
                return self.files.complete_path(line, pos).unwrap_or((pos, vec![]));
            }
            Some(TokenKind::QuotedIdent { closed: false } | TokenKind::Comment { closed: false }) => {
                return (pos, vec![])
            }
            _ => {}
        }
        let (start, prefix, word_index) = match tokens.last() {
            Some(t) if t.kind == TokenKind::Word && t.end == pos => {
                (t.start, &before[t.start..], tokens.len() - 1)
            }
            _ => (pos, "", tokens.len()),
        };
        let earlier = tokens.get(..word_index).unwrap_or(&[]);
        let words: Vec<&Token> = earlier.iter().filter(|t| !t.is_trivia()).collect();
        // `table.col`: the columns of that table.
        if let [.., qualifier, dot] = words.as_slice() {
            if dot.kind == TokenKind::Punct && &before[dot.start..dot.end] == "." {
                let q = unquote(&before[qualifier.start..qualifier.end]);
                let cols = self.columns_of(&[q]);
                if !cols.is_empty() {
                    return (start, matching(cols, prefix));
                }
            }
        }
        let previous = words
            .last()
            .filter(|t| t.kind == TokenKind::Word)
            .map(|t| before[t.start..t.end].to_ascii_uppercase());
        let wants_table = previous
            .as_deref()
            .is_some_and(|p| matches!(p, "FROM" | "JOIN" | "INTO" | "TABLE" | "DESCRIBE" | "VIEW"));
        if prefix.is_empty() && !wants_table {
            return (pos, vec![]);
        }
        let mut out: Vec<String> = Vec::new();
        if wants_table {
            out.extend(self.names.tables.iter().map(|t| quote_ident(t)));
            out.extend(["read_parquet", "read_csv"].map(String::from));
        } else {
            let mentioned: Vec<&str> = tokenize(line)
                .iter()
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| &line[t.start..t.end])
                .filter(|w| self.names.tables.iter().any(|t| t.eq_ignore_ascii_case(w)))
                .collect();
            let mut cols = self.columns_of(&mentioned);
            if cols.is_empty() {
                cols = self.names.columns.iter().map(|(_, c)| quote_ident(c)).collect();
            }
            cols.sort();
            out.extend(cols);
            out.extend(self.names.tables.iter().map(|t| quote_ident(t)));
            out.extend(self.names.functions.iter().cloned());
            let lower = prefix.chars().any(|c| c.is_ascii_lowercase());
            out.extend(KEYWORDS.iter().map(|k| if lower { k.to_ascii_lowercase() } else { k.to_string() }));
        }
        (start, matching(out, prefix))
    }

    /// Columns of the named tables (case-insensitive), quoted where needed.
    fn columns_of(&self, tables: &[&str]) -> Vec<String> {
        self.names
            .columns
            .iter()
            .filter(|(t, _)| tables.iter().any(|m| t.eq_ignore_ascii_case(m)))
            .map(|(_, c)| quote_ident(c))
            .collect()
    }

    fn meta_candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = &line[..pos];
        let lead = before.len() - before.trim_start().len();
        let body = &before[lead..];
        let Some((command, rest)) = body.split_once(char::is_whitespace) else {
            let names = META_COMMANDS.iter().map(|(n, _, _)| n.to_string()).collect();
            return (lead, matching(names, body));
        };
        let start = pos - rest.trim_start().len();
        let prefix = &before[start..];
        let options: Vec<String> = match command {
            "\\d" => self.names.tables.iter().map(|t| quote_ident(t)).collect(),
            "\\format" => ["table", "csv", "json", "markdown", "line"].map(String::from).to_vec(),
            "\\timing" | "\\explain" => ["on", "off"].map(String::from).to_vec(),
            "\\help" => vec!["functions".to_string()],
            "\\i" | "\\o" => return self.files.complete_path(line, pos).unwrap_or((pos, vec![])),
            _ => vec![],
        };
        (start, matching(options, prefix))
    }
}

fn unquote(name: &str) -> &str {
    name.strip_prefix('"').and_then(|n| n.strip_suffix('"')).unwrap_or(name)
}

/// The options starting with `prefix` (any case), without repeats, as completion pairs.
fn matching(options: Vec<String>, prefix: &str) -> Vec<Pair> {
    let bare = prefix.trim_start_matches('"').to_ascii_lowercase();
    let mut seen = std::collections::HashSet::new();
    options
        .into_iter()
        .filter(|o| o.trim_start_matches('"').to_ascii_lowercase().starts_with(&bare))
        .filter(|o| seen.insert(o.clone()))
        .map(|o| Pair { display: o.clone(), replacement: o })
        .collect()
}

impl Completer for ShoalHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.candidates(line, pos))
    }
}

impl Hinter for ShoalHelper {
    type Hint = String;
}

impl Validator for ShoalHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Highlighter for ShoalHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight_sql(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        kind != CmdKind::MoveCursor
    }
}

impl Helper for ShoalHelper {}

/// `line` with ANSI colours: keywords bold blue, strings green, numbers yellow, comments grey,
/// meta-commands magenta. Same display width as `line`.
pub fn highlight_sql(line: &str) -> String {
    if line.trim_start().starts_with('\\') {
        return format!("\x1b[35m{line}\x1b[0m");
    }
    let mut out = String::with_capacity(line.len() + 16);
    for t in tokenize(line) {
        let text = &line[t.start..t.end];
        let colour = match t.kind {
            TokenKind::Word if is_keyword(text) => Some("1;34"),
            TokenKind::Number => Some("33"),
            TokenKind::String { .. } => Some("32"),
            TokenKind::Comment { .. } => Some("90"),
            _ => None,
        };
        match colour {
            Some(c) => out.push_str(&format!("\x1b[{c}m{text}\x1b[0m")),
            None => out.push_str(text),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> ShoalHelper {
        ShoalHelper::new(CompletionNames {
            tables: vec!["trips".into(), "zones".into()],
            columns: vec![
                ("trips".into(), "fare_amount".into()),
                ("trips".into(), "tip_amount".into()),
                ("zones".into(), "zone_name".into()),
                ("zones".into(), "Odd Name".into()),
            ],
            functions: vec!["sum".into(), "substr".into()],
        })
    }

    fn replacements(line: &str) -> (usize, Vec<String>) {
        let (start, pairs) = helper().candidates(line, line.len());
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn completes_tables_columns_functions_and_keywords() {
        assert_eq!(replacements("SELECT * FROM tr"), (14, vec!["trips".to_string()]));
        assert_eq!(replacements("SELECT * FROM ").1, vec!["trips", "zones", "read_parquet", "read_csv"]);
        assert_eq!(replacements("SELECT fare FROM trips WHERE x"), (29, vec![]));
        assert_eq!(replacements("SELECT fa").1, vec!["fare_amount", "false"]);
        assert_eq!(replacements("SELECT trips.t"), (13, vec!["tip_amount".to_string()]));
        assert_eq!(replacements("SELECT su").1, vec!["sum", "substr"]);
        assert_eq!(replacements("sel").1, vec!["select"]);
        assert_eq!(replacements("SEL").1, vec!["SELECT"]);
        assert_eq!(replacements("SELECT od").1, vec!["\"Odd Name\""]);
        assert_eq!(replacements("SELECT ").1, Vec::<String>::new());
    }

    #[test]
    fn columns_of_mentioned_tables_come_first() {
        let (_, pairs) = helper().candidates("SELECT z FROM zones", 8);
        let names: Vec<String> = pairs.into_iter().map(|p| p.replacement).collect();
        assert_eq!(names, vec!["zone_name", "zones"]);
    }

    #[test]
    fn completes_meta_commands_and_their_arguments() {
        assert_eq!(replacements("\\for"), (0, vec!["\\format".to_string()]));
        assert_eq!(replacements("\\format c"), (8, vec!["csv".to_string()]));
        assert_eq!(replacements("\\d z"), (3, vec!["zones".to_string()]));
    }

    #[test]
    fn completes_paths_inside_quotes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("yellow_trips.parquet"), b"").unwrap();
        let line = format!("SELECT * FROM '{}/yel", dir.path().display());
        let (_, pairs) = helper().candidates(&line, line.len());
        assert_eq!(pairs.len(), 1);
        assert!(pairs[0].replacement.ends_with("yellow_trips.parquet"), "{}", pairs[0].replacement);
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let h = highlight_sql("select 'a', 42 -- x");
        assert_eq!(h, "\x1b[1;34mselect\x1b[0m \x1b[32m'a'\x1b[0m, \x1b[33m42\x1b[0m \x1b[90m-- x\x1b[0m");
    }
}
