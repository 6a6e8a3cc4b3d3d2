//! Printing result batches as a boxed table, CSV, JSON, Markdown or `column = value` lines.

pub mod head_tail;
pub mod stream;
pub mod table;

use std::io::Write;

use arrow::datatypes::{DataType, SchemaRef};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table};

use crate::args::Format;

pub(crate) fn is_numeric(t: &DataType) -> bool {
    t.is_numeric()
}

/// Every cell of the batches as text (NULL as `NULL`), row-major.
pub(crate) fn cells(batches: &[RecordBatch], null: &str) -> Result<Vec<Vec<String>>, ArrowError> {
    let options = FormatOptions::default().with_null(null);
    let mut rows = vec![];
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<Vec<_>, _>>()?;
        for r in 0..batch.num_rows() {
            rows.push(formatters.iter().map(|f| f.value(r).to_string()).collect());
        }
    }
    Ok(rows)
}

/// Write `batches` (with `schema`) to `out` in `format`.
pub fn print_batches(
    out: &mut dyn Write,
    schema: &SchemaRef,
    batches: &[RecordBatch],
    format: Format,
) -> anyhow::Result<()> {
    match format {
        Format::Table => {
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled);
            table.set_header(schema.fields().iter().map(|f| {
                format!("{}\n{}", f.name(), shoal::display::sql_type_name(f.data_type()).to_lowercase())
            }));
            for row in cells(batches, "NULL")? {
                table.add_row(row);
            }
            for (i, f) in schema.fields().iter().enumerate() {
                if is_numeric(f.data_type()) {
                    if let Some(col) = table.column_mut(i) {
                        col.set_cell_alignment(CellAlignment::Right);
                    }
                }
            }
            writeln!(out, "{table}")?;
            let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
            writeln!(out, "{rows} row{}", if rows == 1 { "" } else { "s" })?;
        }
        Format::Csv => {
            let mut writer = arrow::csv::WriterBuilder::new().with_header(true).build(&mut *out);
            if batches.is_empty() {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                drop(writer);
                writeln!(out, "{}", names.join(","))?;
            } else {
                for b in batches {
                    writer.write(b)?;
                }
            }
        }
        Format::Json => {
            let mut writer = arrow::json::ArrayWriter::new(&mut *out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs)?;
            writer.finish()?;
            drop(writer);
            if batches.iter().all(|b| b.num_rows() == 0) {
                write!(out, "[]")?;
            }
            writeln!(out)?;
        }
        Format::Markdown => {
            write_markdown_header(out, schema)?;
            for row in cells(batches, "NULL")? {
                let row: Vec<String> = row.into_iter().map(|c| c.replace('|', "\\|")).collect();
                writeln!(out, "| {} |", row.join(" | "))?;
            }
        }
    }
    Ok(())
}

/// A Markdown table's header row and its alignment row (numbers right-aligned).
pub(crate) fn write_markdown_header(out: &mut dyn Write, schema: &SchemaRef) -> std::io::Result<()> {
    let names: Vec<String> = schema.fields().iter().map(|f| f.name().replace('|', "\\|")).collect();
    writeln!(out, "| {} |", names.join(" | "))?;
    let aligns: Vec<&str> =
        schema.fields().iter().map(|f| if is_numeric(f.data_type()) { "---:" } else { "---" }).collect();
    writeln!(out, "| {} |", aligns.join(" | "))
}

/// Write `batches` as one `column = value` line per column (names right-aligned), with a blank
/// line between rows.
pub fn print_lines(out: &mut dyn Write, schema: &SchemaRef, batches: &[RecordBatch]) -> anyhow::Result<()> {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    for (i, row) in cells(batches, "NULL")?.into_iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        for (name, value) in names.iter().zip(row) {
            writeln!(out, "{name:>width$} = {value}")?;
        }
    }
    Ok(())
}
