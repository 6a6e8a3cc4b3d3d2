//! The report index (`index.md` or `index.html`): per query its title, file, row count, time,
//! whether its row order is fixed, its result file and chart, its SQL — and the failures.

use std::fmt::Write;
use std::time::Duration;

use super::query::ReportQuery;
use super::writer::{escape_html, html_page};

/// What happened to one query.
#[derive(Debug)]
pub enum Status {
    /// It ran: its row count, result file and chart (file names in the output folder).
    Done { rows: usize, result_file: Option<String>, chart_file: Option<String> },
    /// It failed with this message (the SQL position rendered).
    Failed(String),
    /// It did not run: an earlier query failed (without `--keep-going`).
    NotRun,
}

/// One line of the report.
#[derive(Debug)]
pub struct Entry<'a> {
    pub query: &'a ReportQuery,
    pub elapsed: Option<Duration>,
    pub status: Status,
}

/// What the index says about the whole report.
#[derive(Debug)]
pub struct Summary<'a> {
    /// The data the table `trips` was read from.
    pub data: &'a str,
    pub entries: &'a [Entry<'a>],
}

impl Summary<'_> {
    fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.entries.iter().filter(|e| f(&e.status)).count()
    }

    fn headline(&self) -> String {
        let failed = self.count(|s| matches!(s, Status::Failed(_)));
        let not_run = self.count(|s| matches!(s, Status::NotRun));
        let mut line = format!("{} quer{}", self.entries.len(), plural_y(self.entries.len()));
        let _ = write!(line, ", {failed} failed");
        if not_run > 0 {
            let _ = write!(line, ", {not_run} not run (an earlier query failed; --keep-going runs them all)");
        }
        line
    }
}

fn plural_y(n: usize) -> &'static str {
    if n == 1 {
        "y"
    } else {
        "ies"
    }
}

fn order_note(q: &ReportQuery) -> &'static str {
    if q.ordered {
        "guaranteed by the top-level ORDER BY"
    } else {
        "not guaranteed (no top-level ORDER BY)"
    }
}

fn status_word(s: &Status) -> String {
    match s {
        Status::Done { rows, .. } => format!("{rows}"),
        Status::Failed(_) => "failed".into(),
        Status::NotRun => "not run".into(),
    }
}

fn seconds(d: Option<Duration>) -> String {
    d.map(|d| format!("{:.3} s", d.as_secs_f64())).unwrap_or_else(|| "-".into())
}

fn params_note(q: &ReportQuery) -> Option<String> {
    (!q.params.is_empty())
        .then(|| q.params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", "))
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The index as Markdown.
pub fn markdown_index(summary: &Summary) -> String {
    let mut out = String::from("# shoal report\n\n");
    let _ = writeln!(out, "Data: `{}`. {}.\n", summary.data, summary.headline());
    out.push_str("| query | title | rows | time | row order |\n|---|---|---:|---:|---|\n");
    for e in summary.entries {
        let q = e.query;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            md_cell(&q.stem),
            md_cell(&q.title),
            status_word(&e.status),
            seconds(e.elapsed),
            if q.ordered { "ORDER BY" } else { "not guaranteed" }
        );
    }
    for e in summary.entries {
        let q = e.query;
        let _ = writeln!(out, "\n## {}: {}\n", q.stem, q.title);
        let _ = writeln!(out, "- file: `{}`", q.path.display());
        if let Some(p) = params_note(q) {
            let _ = writeln!(out, "- parameters: `{p}`");
        }
        let _ = writeln!(out, "- row order: {}", order_note(q));
        match &e.status {
            Status::Done { rows, result_file, chart_file } => {
                let _ = writeln!(out, "- rows: {rows}\n- time: {}", seconds(e.elapsed));
                if let Some(f) = result_file {
                    let _ = writeln!(out, "- result: [{f}]({f})");
                }
                if let Some(c) = chart_file {
                    let _ = writeln!(out, "\n![chart of {}]({c})", md_cell(&q.title));
                }
            }
            Status::Failed(message) => {
                let _ = writeln!(
                    out,
                    "- **FAILED** after {}:\n\n```text\n{}\n```",
                    seconds(e.elapsed),
                    message.trim_end()
                );
            }
            Status::NotRun => out.push_str("- **not run**: an earlier query failed\n"),
        }
        let _ = writeln!(out, "\n```sql\n{}\n```", q.sql.trim());
    }
    out
}

/// The index as an HTML page.
pub fn html_index(summary: &Summary) -> String {
    let mut body = format!(
        "<p>Data: <code>{}</code>. {}.</p>\n<table>\n<thead><tr><th>query</th><th>title</th><th>rows</th><th>time</th><th>row order</th></tr></thead>\n<tbody>\n",
        escape_html(summary.data),
        escape_html(&summary.headline())
    );
    for e in summary.entries {
        let q = e.query;
        let _ = writeln!(
            body,
            "<tr><td><a href=\"#{id}\">{id}</a></td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            escape_html(&q.title),
            status_word(&e.status),
            seconds(e.elapsed),
            if q.ordered { "ORDER BY" } else { "not guaranteed" },
            id = escape_html(&q.stem),
        );
    }
    body.push_str("</tbody>\n</table>\n");
    for e in summary.entries {
        let q = e.query;
        let _ = writeln!(
            body,
            "<h2 id=\"{id}\">{id}: {}</h2>\n<ul>\n<li>file: <code>{}</code></li>",
            escape_html(&q.title),
            escape_html(&q.path.display().to_string()),
            id = escape_html(&q.stem)
        );
        if let Some(p) = params_note(q) {
            let _ = writeln!(body, "<li>parameters: <code>{}</code></li>", escape_html(&p));
        }
        let _ = writeln!(body, "<li>row order: {}</li>", order_note(q));
        let mut after = String::new();
        match &e.status {
            Status::Done { rows, result_file, chart_file } => {
                let _ = writeln!(body, "<li>rows: {rows}</li>\n<li>time: {}</li>", seconds(e.elapsed));
                if let Some(f) = result_file {
                    let f = escape_html(f);
                    let _ = writeln!(body, "<li>result: <a href=\"{f}\">{f}</a></li>");
                }
                if let Some(c) = chart_file {
                    let _ = writeln!(
                        after,
                        "<p><img src=\"{}\" alt=\"chart of {}\"></p>",
                        escape_html(c),
                        escape_html(&q.title)
                    );
                }
            }
            Status::Failed(message) => {
                let _ = writeln!(
                    body,
                    "<li class=\"failed\"><strong>FAILED</strong> after {}</li>",
                    seconds(e.elapsed)
                );
                let _ = writeln!(after, "<pre class=\"failed\">{}</pre>", escape_html(message.trim_end()));
            }
            Status::NotRun => {
                body.push_str("<li class=\"failed\"><strong>not run</strong>: an earlier query failed</li>\n")
            }
        }
        body.push_str("</ul>\n");
        body.push_str(&after);
        let _ = writeln!(body, "<pre><code>{}</code></pre>", escape_html(q.sql.trim()));
    }
    html_page("shoal report", &body)
}
