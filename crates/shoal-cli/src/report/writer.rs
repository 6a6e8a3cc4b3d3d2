//! Writing report files atomically (through [`shoal::copy::write_atomic`]): query results in
//! each format, and text files (index, charts).

use std::io::{BufWriter, Write};
use std::path::Path;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use shoal::ShoalError;

use crate::args::{Format, ReportFormat};
use crate::output;

/// The extension of a result file in `format`.
pub fn extension(format: ReportFormat) -> &'static str {
    match format {
        ReportFormat::Table => "txt",
        ReportFormat::Markdown => "md",
        ReportFormat::Html => "html",
        ReportFormat::Csv => "csv",
        ReportFormat::Json => "json",
        ReportFormat::Parquet => "parquet",
    }
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> ShoalError {
    ShoalError::Io { path: path.display().to_string(), source: std::io::Error::other(e.to_string()) }
}

/// Write `text` to `path` atomically.
pub fn write_text(path: &Path, text: &str) -> shoal::Result<()> {
    shoal::copy::write_atomic(path, |file| {
        let mut out = BufWriter::new(file);
        out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| io_error(path, e))
    })
}

/// Write one query's result to `path` in `format`, atomically.
pub fn write_result(
    path: &Path,
    title: &str,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: ReportFormat,
) -> shoal::Result<()> {
    match format {
        ReportFormat::Parquet => shoal::copy::write_atomic(path, |file| {
            let mut writer =
                ArrowWriter::try_new(file, schema.clone(), None).map_err(|e| io_error(path, e))?;
            for b in batches {
                writer.write(b).map_err(|e| io_error(path, e))?;
            }
            writer.close().map_err(|e| io_error(path, e))?;
            Ok(())
        }),
        ReportFormat::Html => write_text(path, &html_page(title, &html_table(schema, batches)?)),
        ReportFormat::Markdown => {
            let mut text = format!("# {}\n\n", title.replace('\n', " "));
            let mut table = vec![];
            output::print_batches(&mut table, schema, batches, Format::Markdown)
                .map_err(|e| io_error(path, e))?;
            text.push_str(&String::from_utf8_lossy(&table));
            write_text(path, &text)
        }
        ReportFormat::Table | ReportFormat::Csv | ReportFormat::Json => {
            shoal::copy::write_atomic(path, |file| {
                let mut out = BufWriter::new(file);
                let printed = match format {
                    ReportFormat::Table => Format::Table,
                    ReportFormat::Csv => Format::Csv,
                    _ => Format::Json,
                };
                output::print_batches(&mut out, schema, batches, printed).map_err(|e| io_error(path, e))?;
                out.flush().map_err(|e| io_error(path, e))
            })
        }
    }
}

/// Escape `&`, `<`, `>` and quotes for HTML text and attributes.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML `<table>` of the batches (numbers right-aligned, NULL as `NULL`).
pub fn html_table(schema: &SchemaRef, batches: &[RecordBatch]) -> shoal::Result<String> {
    let numeric: Vec<bool> = schema.fields().iter().map(|f| f.data_type().is_numeric()).collect();
    let mut out = String::from("<table>\n<thead><tr>");
    for f in schema.fields() {
        out.push_str(&format!("<th>{}</th>", escape_html(f.name())));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in output::cells(batches, "NULL")? {
        out.push_str("<tr>");
        for (i, cell) in row.iter().enumerate() {
            let class = if numeric.get(i).copied().unwrap_or(false) { " class=\"num\"" } else { "" };
            out.push_str(&format!("<td{class}>{}</td>", escape_html(cell)));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    Ok(out)
}

/// A standalone HTML page around `body`.
pub fn html_page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2em; }}\n\
         table {{ border-collapse: collapse; }}\n\
         th, td {{ border: 1px solid #ccc; padding: 0.2em 0.6em; }}\n\
         td.num {{ text-align: right; }}\n\
         pre {{ background: #f6f6f6; padding: 0.6em; }}\n\
         .failed {{ color: #b00; }}\n\
         </style>\n</head>\n<body>\n<h1>{}</h1>\n{body}</body>\n</html>\n",
        escape_html(title),
        escape_html(title)
    )
}
