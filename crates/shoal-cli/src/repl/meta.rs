//! REPL meta-commands (`\d`, `\format`, `\timing`, ...): parsed before any SQL, as plain values.

use std::path::PathBuf;

use crate::args::Format;

/// How the REPL prints results: the command line's formats plus `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisplayFormat {
    /// One of the formats `--format` takes.
    Cli(Format),
    /// One `column = value` line per column, a blank line between rows.
    Line,
}

/// One parsed meta-command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaCommand {
    /// `\d`: list tables and views.
    ListTables,
    /// `\d NAME`: columns of a table or view.
    Describe(String),
    /// `\timing [on|off]`: `None` toggles.
    Timing(Option<bool>),
    /// `\format table|csv|json|markdown|line`.
    Format(DisplayFormat),
    /// `\maxrows N` (0 shows every row).
    MaxRows(usize),
    /// `\last`: the previous result again, every row and column, through the pager.
    Last,
    /// `\o FILE` sends results to a file; `\o` alone back to standard output.
    Output(Option<PathBuf>),
    /// `\i FILE`: run the statements and meta-commands of a file.
    Include(PathBuf),
    /// `\threads N`.
    Threads(usize),
    /// `\memory [SIZE|none]`: set the memory limit, or show memory use.
    Memory(Option<String>),
    /// `\explain [on|off]` toggles showing plans before queries; `\explain SQL` shows one plan.
    Explain(ExplainArg),
    /// `\q`.
    Quit,
    /// `\help`, `\?`; `\help functions` lists the functions.
    Help(Option<String>),
}

/// What `\explain` was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainArg {
    Toggle,
    Set(bool),
    Sql(String),
}

/// Meta-commands with their arguments and a one-line description, for `\help` and completion.
pub const META_COMMANDS: &[(&str, &str, &str)] = &[
    ("\\d", "[NAME]", "list tables and views, or the columns of one"),
    ("\\timing", "[on|off]", "show how long each statement took"),
    ("\\format", "table|csv|json|markdown|line", "how results are printed"),
    ("\\maxrows", "N", "rows shown in table format before the middle is cut (0: all)"),
    ("\\last", "", "the previous result again, every row and column (results up to 64 MiB)"),
    ("\\o", "[FILE]", "send results to FILE; alone: back to the terminal"),
    ("\\i", "FILE", "run the statements and meta-commands in FILE"),
    ("\\threads", "N", "worker threads"),
    ("\\memory", "[SIZE|none]", "memory limit (e.g. 4GB, 50%); alone: memory in use"),
    ("\\explain", "[on|off|SQL]", "show the plan before each query, or the plan of SQL"),
    ("\\help", "[functions]", "this list, or every function"),
    ("\\q", "", "quit (or Ctrl-D)"),
];

/// Parse a line starting with `\`.
pub fn parse_meta(line: &str) -> Result<MetaCommand, String> {
    let line = line.trim();
    let body = line.strip_prefix('\\').unwrap_or(line);
    let (name, arg) = match body.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (body, ""),
    };
    // A `;` typed out of SQL habit is not part of the argument.
    let arg = arg.strip_suffix(';').unwrap_or(arg).trim();
    let no_arg = |cmd: MetaCommand| {
        if arg.is_empty() {
            Ok(cmd)
        } else {
            Err(format!("\\{name} takes no argument"))
        }
    };
    match name {
        "d" | "dt" => {
            Ok(if arg.is_empty() { MetaCommand::ListTables } else { MetaCommand::Describe(arg.to_string()) })
        }
        "timing" => Ok(MetaCommand::Timing(on_off(name, arg)?)),
        "format" | "mode" => parse_format(arg).map(MetaCommand::Format),
        "maxrows" => parse_count(name, arg).map(MetaCommand::MaxRows),
        "last" => no_arg(MetaCommand::Last),
        "o" | "output" => Ok(MetaCommand::Output((!arg.is_empty()).then(|| PathBuf::from(unquote(arg))))),
        "i" | "include" | "read" => {
            if arg.is_empty() {
                Err(format!("\\{name} needs a file: \\{name} FILE"))
            } else {
                Ok(MetaCommand::Include(PathBuf::from(unquote(arg))))
            }
        }
        "threads" => match parse_count(name, arg)? {
            0 => Err("\\threads needs at least 1".to_string()),
            n => Ok(MetaCommand::Threads(n)),
        },
        "memory" | "memory_limit" => {
            Ok(MetaCommand::Memory((!arg.is_empty()).then(|| unquote(arg).to_string())))
        }
        "explain" => Ok(MetaCommand::Explain(match arg.to_ascii_lowercase().as_str() {
            "" => ExplainArg::Toggle,
            "on" => ExplainArg::Set(true),
            "off" => ExplainArg::Set(false),
            _ => ExplainArg::Sql(arg.to_string()),
        })),
        "q" | "quit" | "exit" => no_arg(MetaCommand::Quit),
        "help" | "?" | "h" => Ok(MetaCommand::Help((!arg.is_empty()).then(|| arg.to_ascii_lowercase()))),
        _ => Err(format!("unknown command \\{name}; try \\help")),
    }
}

fn on_off(name: &str, arg: &str) -> Result<Option<bool>, String> {
    match arg.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "on" | "true" | "1" => Ok(Some(true)),
        "off" | "false" | "0" => Ok(Some(false)),
        other => Err(format!("\\{name} expects on or off, got '{other}'")),
    }
}

fn parse_count(name: &str, arg: &str) -> Result<usize, String> {
    arg.parse::<usize>().map_err(|_| format!("\\{name} expects a whole number, got '{arg}'"))
}

/// `table|csv|json|markdown|line`.
pub fn parse_format(arg: &str) -> Result<DisplayFormat, String> {
    match arg.to_ascii_lowercase().as_str() {
        "table" | "box" => Ok(DisplayFormat::Cli(Format::Table)),
        "csv" => Ok(DisplayFormat::Cli(Format::Csv)),
        "json" => Ok(DisplayFormat::Cli(Format::Json)),
        "markdown" | "md" => Ok(DisplayFormat::Cli(Format::Markdown)),
        "line" => Ok(DisplayFormat::Line),
        other => Err(format!("\\format expects table, csv, json, markdown or line, got '{other}'")),
    }
}

/// The name of a format as `\format` takes it.
pub fn format_name(format: DisplayFormat) -> &'static str {
    match format {
        DisplayFormat::Cli(Format::Table) => "table",
        DisplayFormat::Cli(Format::Csv) => "csv",
        DisplayFormat::Cli(Format::Json) => "json",
        DisplayFormat::Cli(Format::Markdown) => "markdown",
        DisplayFormat::Line => "line",
    }
}

fn unquote(arg: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = arg.strip_prefix(q).and_then(|a| a.strip_suffix(q)) {
            return inner;
        }
    }
    arg
}

/// The `\help` text.
pub fn help_text() -> String {
    let mut out = String::from("Meta-commands (SQL statements end with `;`):\n");
    for (name, args, what) in META_COMMANDS {
        let usage = if args.is_empty() { name.to_string() } else { format!("{name} {args}") };
        out.push_str(&format!("  {usage:<38} {what}\n"));
    }
    out.push_str(
        "Keys: Tab completes keywords, functions, tables, columns and quoted paths; Ctrl-R searches \
         history; Ctrl-C cancels a running query or clears the line; Ctrl-D quits.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_commands_parse() {
        assert_eq!(parse_meta("\\d"), Ok(MetaCommand::ListTables));
        assert_eq!(parse_meta("\\d trips;"), Ok(MetaCommand::Describe("trips".into())));
        assert_eq!(parse_meta("\\timing"), Ok(MetaCommand::Timing(None)));
        assert_eq!(parse_meta("\\timing OFF"), Ok(MetaCommand::Timing(Some(false))));
        assert_eq!(parse_meta("\\format csv"), Ok(MetaCommand::Format(DisplayFormat::Cli(Format::Csv))));
        assert_eq!(parse_meta("\\format line"), Ok(MetaCommand::Format(DisplayFormat::Line)));
        assert_eq!(parse_meta("\\maxrows 10"), Ok(MetaCommand::MaxRows(10)));
        assert_eq!(parse_meta("\\last"), Ok(MetaCommand::Last));
        assert!(parse_meta("\\last 3").unwrap_err().contains("no argument"));
        assert_eq!(parse_meta("\\o 'out file.txt'"), Ok(MetaCommand::Output(Some("out file.txt".into()))));
        assert_eq!(parse_meta("\\o"), Ok(MetaCommand::Output(None)));
        assert_eq!(parse_meta("\\i q.sql"), Ok(MetaCommand::Include("q.sql".into())));
        assert_eq!(parse_meta("\\threads 3"), Ok(MetaCommand::Threads(3)));
        assert_eq!(parse_meta("\\explain"), Ok(MetaCommand::Explain(ExplainArg::Toggle)));
        assert_eq!(
            parse_meta("\\explain SELECT 1"),
            Ok(MetaCommand::Explain(ExplainArg::Sql("SELECT 1".into())))
        );
        assert_eq!(parse_meta("\\q"), Ok(MetaCommand::Quit));
        assert_eq!(parse_meta("\\?"), Ok(MetaCommand::Help(None)));
        assert_eq!(parse_meta("\\help Functions"), Ok(MetaCommand::Help(Some("functions".into()))));
    }

    #[test]
    fn bad_meta_commands_explain_themselves() {
        assert_eq!(parse_meta("\\xyz"), Err("unknown command \\xyz; try \\help".to_string()));
        assert!(parse_meta("\\format yaml").unwrap_err().contains("got 'yaml'"));
        assert!(parse_meta("\\maxrows many").unwrap_err().contains("whole number"));
        assert!(parse_meta("\\threads 0").is_err());
        assert_eq!(parse_meta("\\memory '2GB'"), Ok(MetaCommand::Memory(Some("2GB".into()))));
        assert_eq!(parse_meta("\\memory"), Ok(MetaCommand::Memory(None)));
        assert!(parse_meta("\\timing maybe").is_err());
        assert!(parse_meta("\\i").unwrap_err().contains("needs a file"));
        assert!(parse_meta("\\q now").is_err());
    }
}
