//! Carrying out meta-commands on the running shell.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;

use super::helper::quote_ident;
use super::meta::{format_name, help_text, parse_meta, ExplainArg, MetaCommand};
use super::result_sink::LastResult;
use super::sql_text::split_statements;
use super::{Flow, Repl, MAX_INCLUDE_DEPTH};
use crate::output::table::{group_thousands, render_table, TableLimits};

impl Repl<'_> {
    /// Parse and run one meta-command line.
    pub(super) fn run_meta(&mut self, line: &str) -> Flow {
        match parse_meta(line) {
            Ok(command) => self.run_command(command),
            Err(message) => {
                eprintln!("{message}");
                Flow::Failed
            }
        }
    }

    fn run_command(&mut self, command: MetaCommand) -> Flow {
        match command {
            MetaCommand::ListTables => return self.list_tables(),
            MetaCommand::Describe(name) => {
                let target =
                    if name.starts_with('\'') || name.starts_with('"') { name } else { quote_ident(&name) };
                return self.run_statement(&format!("DESCRIBE {target}"));
            }
            MetaCommand::Timing(on) => {
                self.settings.timing = on.unwrap_or(!self.settings.timing);
                println!("Timing is {}.", on_off(self.settings.timing));
            }
            MetaCommand::Format(format) => {
                self.settings.format = format;
                println!("Output format is {}.", format_name(format));
            }
            MetaCommand::MaxRows(n) => {
                self.settings.max_rows = n;
                match n {
                    0 => println!("Tables show every row."),
                    n => println!("Tables show at most {n} rows (the first and the last)."),
                }
            }
            MetaCommand::Last => return self.show_last(),
            MetaCommand::Output(None) => {
                self.close_output();
                println!("Results go to the terminal.");
            }
            MetaCommand::Output(Some(path)) => match File::create(&path) {
                Ok(file) => {
                    self.close_output();
                    println!("Results go to {}.", path.display());
                    self.output = Some((path, BufWriter::new(file)));
                }
                Err(e) => {
                    eprintln!("Error: cannot write {}: {e}", path.display());
                    return Flow::Failed;
                }
            },
            MetaCommand::Include(path) => return self.include(&path),
            MetaCommand::Threads(n) => match self.session.set_threads(n) {
                Ok(()) => println!("Using {n} thread{}.", if n == 1 { "" } else { "s" }),
                Err(e) => {
                    eprintln!("Error: {e}");
                    return Flow::Failed;
                }
            },
            MetaCommand::Memory(None) => {
                let pool = self.session.memory_pool();
                let limit = pool.limit().map_or("none".to_string(), shoal::format_bytes);
                let (used, peak) = (shoal::format_bytes(pool.used()), shoal::format_bytes(pool.peak()));
                println!("Memory: {used} in use, peak {peak}, limit {limit}.");
            }
            MetaCommand::Memory(Some(size)) => match self.session.set_variable("memory_limit", &size) {
                Ok(()) => println!("Memory limit: {size}."),
                Err(e) => {
                    eprintln!("Error: {e}");
                    return Flow::Failed;
                }
            },
            MetaCommand::Explain(ExplainArg::Toggle) => self.set_explain(!self.settings.explain),
            MetaCommand::Explain(ExplainArg::Set(on)) => self.set_explain(on),
            MetaCommand::Explain(ExplainArg::Sql(sql)) => {
                for statement in split_statements(&sql) {
                    let flow = self.show_plan(&statement);
                    if flow != Flow::Continue {
                        return flow;
                    }
                }
            }
            MetaCommand::Quit => return Flow::Quit,
            MetaCommand::Help(None) => print!("{}", help_text()),
            MetaCommand::Help(Some(topic)) if topic == "functions" => return self.list_functions(),
            MetaCommand::Help(Some(topic)) => {
                eprintln!("no help on '{topic}'; try \\help or \\help functions");
                return Flow::Failed;
            }
        }
        Flow::Continue
    }

    /// `\last`: the previous result in full (it may have been cut to the terminal), when it
    /// was small enough to keep.
    fn show_last(&mut self) -> Flow {
        let (schema, batches) = match self.last.take() {
            None => {
                eprintln!("No result yet: \\last shows the previous query's result in full.");
                return Flow::Failed;
            }
            Some(LastResult::TooBig { rows, bytes }) => {
                eprintln!(
                    "The previous result ({} row{}, {}) was too big to keep for \\last (the limit is {}); \
                     run the query again after \\o FILE to write every row to a file.",
                    group_thousands(&rows.to_string()),
                    if rows == 1 { "" } else { "s" },
                    shoal::format_bytes(bytes),
                    shoal::format_bytes(self.last_cap),
                );
                self.last = Some(LastResult::TooBig { rows, bytes });
                return Flow::Failed;
            }
            Some(LastResult::Kept { schema, batches }) => (schema, batches),
        };
        let full = TableLimits { max_rows: 0, max_width: None };
        let flow = match render_table(&schema, &batches, full) {
            Ok(rendered) => {
                self.emit(&rendered.text);
                Flow::Continue
            }
            Err(e) => {
                eprintln!("Error: cannot print the result: {e:#}");
                Flow::Failed
            }
        };
        self.last = Some(LastResult::Kept { schema, batches });
        flow
    }

    fn set_explain(&mut self, on: bool) {
        self.settings.explain = on;
        println!("Plans are {}shown before queries.", if on { "" } else { "not " });
    }

    /// `\i FILE`.
    fn include(&mut self, path: &Path) -> Flow {
        if self.include_depth >= MAX_INCLUDE_DEPTH {
            eprintln!(
                "Error: \\i nested more than {MAX_INCLUDE_DEPTH} deep (does {} include itself?)",
                path.display()
            );
            return Flow::Failed;
        }
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("Error: cannot read {}: {e}", path.display());
                return Flow::Failed;
            }
        };
        self.include_depth += 1;
        let flow = self.run_script(&text, path);
        self.include_depth -= 1;
        flow
    }

    /// `\d`: every table and view with its kind and number of columns.
    fn list_tables(&mut self) -> Flow {
        let names = self.session.table_names();
        if names.is_empty() {
            println!("No tables. Open files with `shoal FILE...`, or: CREATE VIEW v AS SELECT * FROM 'data.parquet';");
            return Flow::Continue;
        }
        let kinds = self.table_kinds();
        let mut kind_col = Vec::with_capacity(names.len());
        let mut columns = Vec::with_capacity(names.len());
        for name in &names {
            kind_col
                .push(kinds.iter().find(|(n, _)| n == name).map_or("table", |(_, k)| k.as_str()).to_string());
            let count = self
                .session
                .sql(&format!("SELECT * FROM {}", quote_ident(name)))
                .map(|df| df.schema().fields().len() as i64)
                .ok();
            columns.push(count);
        }
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("kind", DataType::Utf8, false),
            Field::new("columns", DataType::Int64, true),
        ]));
        let arrays: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from(names)),
            Arc::new(StringArray::from(kind_col)),
            Arc::new(Int64Array::from(columns)),
        ];
        self.print_listing(schema, arrays)
    }

    /// `(name, kind)` from `SHOW TABLES`.
    fn table_kinds(&self) -> Vec<(String, String)> {
        let Ok(results) = self.session.execute_sql("SHOW TABLES") else { return vec![] };
        let mut out = Vec::new();
        for batch in results.iter().flat_map(|r| &r.batches) {
            let text =
                |i: usize| batch.columns().get(i).and_then(|c| c.as_any().downcast_ref::<StringArray>());
            if let (Some(names), Some(kinds)) = (text(0), text(1)) {
                for (n, k) in names.iter().zip(kinds.iter()) {
                    if let (Some(n), Some(k)) = (n, k) {
                        out.push((n.to_string(), k.to_string()));
                    }
                }
            }
        }
        out
    }

    /// `\help functions`: every function with its description, from the registry.
    fn list_functions(&mut self) -> Flow {
        let (names, docs): (Vec<String>, Vec<String>) =
            self.session.functions().describe_all().into_iter().unzip();
        let schema = Arc::new(Schema::new(vec![
            Field::new("name", DataType::Utf8, false),
            Field::new("description", DataType::Utf8, false),
        ]));
        let arrays: Vec<ArrayRef> =
            vec![Arc::new(StringArray::from(names)), Arc::new(StringArray::from(docs))];
        let max_rows = std::mem::replace(&mut self.settings.max_rows, 0);
        let flow = self.print_listing(schema, arrays);
        self.settings.max_rows = max_rows;
        flow
    }

    fn print_listing(&mut self, schema: Arc<Schema>, arrays: Vec<ArrayRef>) -> Flow {
        let timing = std::mem::replace(&mut self.settings.timing, false);
        let printed = RecordBatch::try_new(Arc::clone(&schema), arrays)
            .map_err(anyhow::Error::from)
            .and_then(|batch| self.print_result(&schema, &[batch], std::time::Duration::ZERO));
        self.settings.timing = timing;
        match printed {
            Ok(()) => Flow::Continue,
            Err(e) => {
                eprintln!("Error: {e:#}");
                Flow::Failed
            }
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

#[cfg(test)]
mod tests {
    use shoal::Session;

    use super::super::{Settings, DEFAULT_MAX_ROWS};
    use super::*;
    use crate::args::Format;
    use crate::repl::meta::DisplayFormat;

    fn repl(session: &Session) -> Repl<'_> {
        Repl {
            session,
            settings: Settings {
                format: DisplayFormat::Cli(Format::Table),
                max_rows: DEFAULT_MAX_ROWS,
                timing: false,
                explain: false,
            },
            output: None,
            interrupt: None,
            include_depth: 0,
            last: None,
            last_cap: super::super::result_sink::LAST_RESULT_CAP,
        }
    }

    #[test]
    fn last_shows_the_previous_result_again_in_full() {
        let session = Session::new();
        let mut repl = repl(&session);
        assert_eq!(repl.run_meta("\\last"), Flow::Failed, "nothing to show yet");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        assert_eq!(repl.run_meta(&format!("\\o {}", path.display())), Flow::Continue);
        let values = (1..=60).map(|i| format!("({})", i * 1000)).collect::<Vec<_>>().join(", ");
        assert_eq!(repl.run_sql(&format!("SELECT x FROM (VALUES {values}) AS t(x);")), Flow::Continue);
        assert_eq!(
            repl.run_sql("CREATE VIEW v AS SELECT 1 AS one;"),
            Flow::Continue,
            "DDL keeps the last result"
        );
        assert_eq!(repl.run_meta("\\last"), Flow::Continue);
        repl.close_output();
        let text = std::fs::read_to_string(&path).unwrap();
        // Every row, twice: the query's own output and \last.
        for x in [1_000, 30_000, 60_000] {
            let cell = format!(" {} ", crate::output::table::group_thousands(&x.to_string()));
            assert_eq!(text.matches(&cell).count(), 2, "{cell} in\n{text}");
        }
    }

    #[test]
    fn last_refuses_a_result_past_the_cap_and_files_get_every_row() {
        let session = Session::new();
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("n.csv");
        let text: String =
            std::iter::once("n\n".to_string()).chain((0..25_000).map(|i| format!("{i}\n"))).collect();
        std::fs::write(&csv, text).unwrap();
        session.register_csv("n", &csv).unwrap();
        let mut repl = repl(&session);
        repl.last_cap = 64 * 1024;
        let path = dir.path().join("out.txt");
        assert_eq!(repl.run_meta(&format!("\\o {}", path.display())), Flow::Continue);
        assert_eq!(repl.run_sql("SELECT n FROM n ORDER BY n;"), Flow::Continue);
        assert!(
            matches!(repl.last, Some(LastResult::TooBig { rows: 25_000, .. })),
            "{:?}",
            repl.last.as_ref().map(|_| ())
        );
        assert_eq!(repl.run_meta("\\last"), Flow::Failed, "too big to keep");
        // The file has every row, boxed in blocks, and the total.
        assert_eq!(repl.run_meta("\\format csv"), Flow::Continue);
        assert_eq!(repl.run_sql("SELECT n FROM n WHERE n % 1000 = 0 ORDER BY n;"), Flow::Continue);
        repl.close_output();
        let text = std::fs::read_to_string(&path).unwrap();
        for n in [0, 9_999, 10_000, 24_999] {
            let cell = format!("│ {:>6} │", crate::output::table::group_thousands(&n.to_string()));
            assert_eq!(text.matches(&cell).count(), 1, "{cell}");
        }
        let boxes = text.matches("bigint").count();
        assert!((2..=3).contains(&boxes), "boxes of about 10,000 rows (whole batches), not {boxes}");
        assert!(text.contains("25,000 rows\n"), "footer");
        let csv_part = text.rsplit("25,000 rows\n").next().unwrap_or_default();
        let expected: String =
            std::iter::once("n\n".to_string()).chain((0..25).map(|i| format!("{}\n", i * 1000))).collect();
        assert_eq!(csv_part, expected);
        // A small result is kept again.
        assert_eq!(repl.run_sql("SELECT 1 AS one;"), Flow::Continue);
        assert!(matches!(repl.last, Some(LastResult::Kept { .. })));
    }
}
