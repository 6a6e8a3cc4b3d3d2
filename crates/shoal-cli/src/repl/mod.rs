//! The interactive SQL shell: `shoal` on a terminal with no `-c`/`-f`. Line editing, history,
//! completion and highlighting come from rustyline ([`helper`]); lines starting with `\` are
//! meta-commands ([`meta`]); statements run on their own thread with a progress bar and Ctrl-C
//! cancellation ([`progress`]); results are printed by [`crate::output`], through a pager when
//! long ([`pager`]).

mod commands;
mod helper;
mod keywords;
mod meta;
pub mod pager;
pub mod progress;
pub mod result_sink;
mod sql_text;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};
use shoal::{Session, ShoalError};

use crate::args::Format;
use crate::output::stream::RowFormat;
use crate::output::table::{group_thousands, render_cut_table, render_table, RenderedTable, TableLimits};
use crate::Failure;
use helper::{CompletionNames, ShoalHelper};
use meta::DisplayFormat;
use progress::Interrupt;
use result_sink::{Finished, LastResult, ShellSink, Shown, SinkMode, LAST_RESULT_CAP};
use sql_text::{first_keyword, is_complete, split_statements};

/// Rows shown in table format before the middle of a long result is cut.
pub const DEFAULT_MAX_ROWS: usize = 40;
/// How deep `\i` may nest.
const MAX_INCLUDE_DEPTH: usize = 16;

/// Settings given on the command line.
#[derive(Debug, Clone, Copy)]
pub struct ReplOptions {
    pub format: Format,
    /// Skip the rc file.
    pub no_rc: bool,
}

/// What to do after a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Continue,
    /// A statement failed (the error is printed).
    Failed,
    /// A query was cancelled with Ctrl-C: a script stops here.
    Cancelled,
    Quit,
}

/// Settings the meta-commands change.
#[derive(Debug, Clone, Copy)]
struct Settings {
    format: DisplayFormat,
    max_rows: usize,
    timing: bool,
    explain: bool,
}

/// One interactive session.
struct Repl<'a> {
    session: &'a Session,
    settings: Settings,
    /// `\o FILE`: where results go instead of the terminal.
    output: Option<(PathBuf, BufWriter<File>)>,
    interrupt: Option<Arc<Interrupt>>,
    include_depth: usize,
    /// The previous query's result, for `\last`.
    last: Option<LastResult>,
    /// The most Arrow data kept for `\last` ([`LAST_RESULT_CAP`]).
    last_cap: usize,
}

/// Run the shell until `\q` or Ctrl-D.
pub fn run(session: &Session, options: ReplOptions) -> Result<(), Failure> {
    let config = Config::builder()
        .auto_add_history(false)
        .history_ignore_space(true)
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .and_then(|b| b.history_ignore_dups(true))
        .map_err(|e| Failure(format!("Error: cannot configure the line editor: {e}")))?
        .build();
    let mut editor: Editor<ShoalHelper, FileHistory> = Editor::with_config(config)
        .map_err(|e| Failure(format!("Error: cannot start the line editor: {e}")))?;
    editor.set_helper(Some(ShoalHelper::new(CompletionNames::load(session))));
    let history = history_path();
    if let Some(path) = history.as_deref().filter(|p| p.exists()) {
        if let Err(e) = editor.load_history(path) {
            eprintln!("warning: cannot read history {}: {e}", path.display());
        }
    }
    let interrupt = Interrupt::install().map_err(|e| eprintln!("warning: {e}")).ok();
    let mut repl = Repl {
        session,
        settings: Settings {
            format: DisplayFormat::Cli(options.format),
            max_rows: DEFAULT_MAX_ROWS,
            timing: true,
            explain: false,
        },
        output: None,
        interrupt,
        include_depth: 0,
        last: None,
        last_cap: LAST_RESULT_CAP,
    };
    println!(
        "shoal {} — SQL ends with `;`; \\help for help, \\q or Ctrl-D to quit.",
        env!("CARGO_PKG_VERSION")
    );
    if !options.no_rc && repl.run_rc_file() == Flow::Quit {
        return Ok(());
    }
    refresh_names(&mut editor, session);
    let mut history_warned = false;
    loop {
        match editor.readline("shoal> ") {
            Ok(input) => {
                if input.trim().is_empty() {
                    continue;
                }
                if let Some(path) = &history {
                    let saved =
                        editor.add_history_entry(input.as_str()).and_then(|_| editor.append_history(path));
                    if let Err(e) = saved {
                        if !history_warned {
                            eprintln!("warning: cannot save history to {}: {e}", path.display());
                            history_warned = true;
                        }
                    }
                } else {
                    let _ = editor.add_history_entry(input.as_str());
                }
                let flow = repl.run_input(&input);
                refresh_names(&mut editor, session);
                if flow == Flow::Quit {
                    break;
                }
            }
            // Ctrl-C at the prompt: the line is dropped, the session goes on.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Failure(format!("Error: cannot read input: {e}"))),
        }
    }
    repl.close_output();
    Ok(())
}

fn refresh_names(editor: &mut Editor<ShoalHelper, FileHistory>, session: &Session) {
    if let Some(helper) = editor.helper_mut() {
        helper.set_names(CompletionNames::load(session));
    }
}

/// `$SHOAL_HISTORY`, else `~/.shoal_history`.
fn history_path() -> Option<PathBuf> {
    std::env::var_os("SHOAL_HISTORY")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".shoal_history")))
}

/// `$SHOALRC`, else `~/.shoalrc`; whether it was named explicitly.
fn rc_path() -> Option<(PathBuf, bool)> {
    if let Some(p) = std::env::var_os("SHOALRC") {
        return Some((PathBuf::from(p), true));
    }
    std::env::var_os("HOME").map(|h| (Path::new(&h).join(".shoalrc"), false))
}

impl Repl<'_> {
    /// Run the rc file, if there is one; its errors are reported, not fatal.
    fn run_rc_file(&mut self) -> Flow {
        let Some((path, explicit)) = rc_path() else { return Flow::Continue };
        if !path.exists() {
            if explicit {
                eprintln!("warning: rc file {} does not exist", path.display());
            }
            return Flow::Continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => self.run_script(&text, &path),
            Err(e) => {
                eprintln!("warning: cannot read rc file {}: {e}", path.display());
                Flow::Continue
            }
        }
    }

    /// Run what was typed at the prompt: one meta-command, or `;`-separated statements.
    fn run_input(&mut self, input: &str) -> Flow {
        if input.trim_start().starts_with('\\') {
            return self.run_meta(input);
        }
        self.run_sql(input)
    }

    /// Run the lines of a file: meta-commands (a line starting with `\` between statements) and
    /// statements ending with `;`. A failing statement is reported and the next one runs;
    /// Ctrl-C stops the file.
    fn run_script(&mut self, text: &str, source: &Path) -> Flow {
        let mut buffer = String::new();
        let report = |flow: Flow| {
            if flow == Flow::Failed {
                eprintln!("  in {}", source.display());
            }
            flow
        };
        for line in text.lines() {
            if buffer.trim().is_empty() && line.trim_start().starts_with('\\') {
                buffer.clear();
                match report(self.run_meta(line)) {
                    flow @ (Flow::Quit | Flow::Cancelled) => return flow,
                    _ => continue,
                }
            }
            buffer.push_str(line);
            buffer.push('\n');
            if is_complete(&buffer) {
                let input = std::mem::take(&mut buffer);
                if let flow @ (Flow::Quit | Flow::Cancelled) = report(self.run_sql(&input)) {
                    return flow;
                }
            }
        }
        if !buffer.trim().is_empty() {
            if let flow @ (Flow::Quit | Flow::Cancelled) = report(self.run_sql(&buffer)) {
                return flow;
            }
        }
        Flow::Continue
    }

    /// Run `;`-separated statements, stopping at the first error.
    fn run_sql(&mut self, input: &str) -> Flow {
        for statement in split_statements(input) {
            let flow = self.run_statement(&statement);
            if flow != Flow::Continue {
                return flow;
            }
        }
        Flow::Continue
    }

    fn run_statement(&mut self, sql: &str) -> Flow {
        let keyword = first_keyword(sql);
        if self.settings.explain && matches!(keyword.as_str(), "SELECT" | "WITH" | "VALUES" | "FROM") {
            if let flow @ (Flow::Failed | Flow::Cancelled) = self.show_plan(sql) {
                return flow;
            }
        }
        let mode = self.sink_mode(&keyword);
        let start = Instant::now();
        let session = self.session;
        let printing = AtomicBool::new(false);
        let file = self.output.as_mut().map(|(_, f)| f as &mut (dyn Write + Send));
        let mut sink = ShellSink::new(mode, file, self.last_cap, &printing);
        let result = progress::run_watched_printing(session, self.interrupt.as_deref(), &printing, || {
            session.execute_sql_stream(sql, &mut sink)
        });
        let elapsed = start.elapsed();
        let finished = std::mem::take(&mut sink.finished);
        drop(sink);
        for statement in finished {
            if let Err(e) = self.show_finished(statement, mode, elapsed) {
                eprintln!("Error: cannot print the result: {e:#}");
                return Flow::Failed;
            }
        }
        match result {
            Ok(()) => Flow::Continue,
            Err(ShoalError::Cancelled) => {
                eprintln!("Query cancelled after {:.3} s.", elapsed.as_secs_f64());
                Flow::Cancelled
            }
            Err(e) => {
                eprintln!("{}", e.render(sql));
                Flow::Failed
            }
        }
    }

    /// How the rows of a statement starting with `keyword` are handled in the current settings.
    fn sink_mode(&self, keyword: &str) -> SinkMode {
        if keyword == "EXPLAIN" {
            return SinkMode::Collect;
        }
        match self.settings.format {
            DisplayFormat::Cli(Format::Table) if self.output.is_some() => SinkMode::FileTable,
            DisplayFormat::Cli(Format::Table) => SinkMode::Table { max_rows: self.settings.max_rows },
            DisplayFormat::Cli(format) => RowFormat::of(format).map_or(SinkMode::Collect, SinkMode::Rows),
            DisplayFormat::Line => SinkMode::Rows(RowFormat::Line),
        }
    }

    /// Show a statement once it is over: the cut table, the plan, or the footer of what was
    /// written while it ran; keep its result for `\last`.
    fn show_finished(&mut self, finished: Finished, mode: SinkMode, elapsed: Duration) -> anyhow::Result<()> {
        let time = self.settings.timing.then(|| format!("{:.3} s", elapsed.as_secs_f64()));
        match finished.shown {
            Shown::Nothing => {
                if let Some(t) = time {
                    println!("OK, {t}");
                }
            }
            Shown::Collected(batches) => self.emit(&plan_text(&batches)),
            Shown::Table { schema, head, tail, total_rows } => {
                let width = pager::terminal_size().map(|(w, _)| w);
                let rendered = render_cut_table(&schema, &head, &tail, total_rows, width)?;
                let text = with_footer(rendered, time.as_deref());
                self.emit(&text);
            }
            Shown::Written { rows } if mode == SinkMode::FileTable => {
                self.emit(&format!("{}\n", table_footer(rows, rows, time.as_deref())));
            }
            Shown::Written { .. } => {
                if let Some(t) = time {
                    println!("Time: {t}");
                }
            }
        }
        if let Some(last) = finished.last {
            self.last = Some(last);
        }
        Ok(())
    }
    /// Print the optimized and physical plan of `sql`.
    fn show_plan(&mut self, sql: &str) -> Flow {
        let explain = format!("EXPLAIN {sql}");
        let session = self.session;
        match progress::run_watched(session, self.interrupt.as_deref(), || session.execute_sql(&explain)) {
            Ok(results) => {
                for r in results {
                    self.emit(&plan_text(&r.batches));
                }
                Flow::Continue
            }
            Err(e) => {
                eprintln!("{}", e.render(&explain));
                Flow::Failed
            }
        }
    }

    /// Print one statement's result in the current format; DDL prints nothing (but the time).
    fn print_result(
        &mut self,
        schema: &SchemaRef,
        batches: &[RecordBatch],
        elapsed: Duration,
    ) -> anyhow::Result<()> {
        let time = self.settings.timing.then(|| format!("{:.3} s", elapsed.as_secs_f64()));
        if schema.fields().is_empty() {
            if let Some(t) = time {
                println!("OK, {t}");
            }
            return Ok(());
        }
        match self.settings.format {
            DisplayFormat::Cli(Format::Table) => {
                let text = self.render_table(schema, batches, time.as_deref())?;
                self.emit(&text);
            }
            other => {
                let mut buf = Vec::new();
                match other {
                    DisplayFormat::Cli(format) => {
                        crate::output::print_batches(&mut buf, schema, batches, format)?
                    }
                    DisplayFormat::Line => crate::output::print_lines(&mut buf, schema, batches)?,
                }
                self.emit(&String::from_utf8_lossy(&buf));
                if let Some(t) = time {
                    println!("Time: {t}");
                }
            }
        }
        Ok(())
    }

    /// A boxed table cut to the terminal (all of it when writing to a file), with its footer.
    fn render_table(
        &self,
        schema: &SchemaRef,
        batches: &[RecordBatch],
        time: Option<&str>,
    ) -> anyhow::Result<String> {
        let limits = if self.output.is_some() {
            TableLimits { max_rows: 0, max_width: None }
        } else {
            TableLimits {
                max_rows: self.settings.max_rows,
                max_width: pager::terminal_size().map(|(w, _)| w),
            }
        };
        Ok(with_footer(render_table(schema, batches, limits)?, time))
    }

    /// Send result text to the `\o` file, or to the terminal (through the pager if long).
    fn emit(&mut self, text: &str) {
        let written = match &mut self.output {
            Some((_, file)) => file.write_all(text.as_bytes()).and_then(|()| file.flush()),
            None => pager::show(text),
        };
        if let Err(e) = written {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("Error: cannot write the result: {e}");
            }
        }
    }

    fn close_output(&mut self) {
        if let Some((path, mut file)) = self.output.take() {
            if let Err(e) = file.flush() {
                eprintln!("Error: cannot write {}: {e}", path.display());
            }
        }
    }
}

/// The text of an EXPLAIN result (one `plan` cell per row).
fn plan_text(batches: &[RecordBatch]) -> String {
    let mut out = String::new();
    for batch in batches {
        if let Some(col) = batch.columns().first() {
            if let Some(strings) = col.as_any().downcast_ref::<arrow::array::StringArray>() {
                for value in strings.iter().flatten() {
                    out.push_str(value);
                    if !value.ends_with('\n') {
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

/// `1,234 rows (40 shown), 0.012 s`.
pub fn table_footer(total: usize, shown: usize, time: Option<&str>) -> String {
    let mut footer =
        format!("{} row{}", group_thousands(&total.to_string()), if total == 1 { "" } else { "s" });
    if shown < total {
        footer.push_str(&format!(" ({} shown)", group_thousands(&shown.to_string())));
    }
    if let Some(t) = time {
        footer.push_str(&format!(", {t}"));
    }
    footer
}

/// The table's text with its footer: the row count, the time, and the columns left out.
pub fn with_footer(rendered: RenderedTable, time: Option<&str>) -> String {
    let mut text = rendered.text;
    let mut footer = table_footer(rendered.total_rows, rendered.shown_rows, time);
    if !rendered.hidden_columns.is_empty() {
        let hidden = &rendered.hidden_columns;
        let mut names = hidden.iter().take(5).cloned().collect::<Vec<_>>().join(", ");
        if hidden.len() > 5 {
            names.push_str(", …");
        }
        footer.push_str(&format!(
            "\n… {} column{} hidden to fit the terminal: {names} (\\format line shows every column)",
            hidden.len(),
            if hidden.len() == 1 { "" } else { "s" }
        ));
    }
    text.push_str(&footer);
    text.push('\n');
    text
}
