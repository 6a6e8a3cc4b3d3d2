//! [`RowWriter`]: CSV, JSON, Markdown or `column = value` lines written batch by batch as a
//! result streams in, so writing a result of any size takes bounded memory.

use std::io::Write;

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;

use super::cells;
use crate::args::Format;

/// The formats that can be written one batch at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowFormat {
    Csv,
    Json,
    Markdown,
    /// One `column = value` line per column, a blank line between rows.
    Line,
}

impl RowFormat {
    /// The row format of a `--format` value; None for the table.
    pub fn of(format: Format) -> Option<Self> {
        match format {
            Format::Table => None,
            Format::Csv => Some(Self::Csv),
            Format::Json => Some(Self::Json),
            Format::Markdown => Some(Self::Markdown),
        }
    }
}

/// Writes one result in a [`RowFormat`]: [`RowWriter::start`], [`RowWriter::write`] per batch,
/// then [`RowWriter::finish`].
#[derive(Debug)]
pub struct RowWriter {
    format: RowFormat,
    schema: SchemaRef,
    rows: usize,
}

impl RowWriter {
    /// Write what comes before the rows (Markdown's header, JSON's `[`).
    pub fn start(out: &mut dyn Write, schema: &SchemaRef, format: RowFormat) -> anyhow::Result<Self> {
        match format {
            RowFormat::Markdown => {
                super::write_markdown_header(out, schema)?;
            }
            RowFormat::Json => write!(out, "[")?,
            RowFormat::Csv | RowFormat::Line => {}
        }
        Ok(Self { format, schema: SchemaRef::clone(schema), rows: 0 })
    }

    /// Write the rows of `batch`.
    pub fn write(&mut self, out: &mut dyn Write, batch: &RecordBatch) -> anyhow::Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        match self.format {
            RowFormat::Csv => {
                let mut writer =
                    arrow::csv::WriterBuilder::new().with_header(self.rows == 0).build(&mut *out);
                writer.write(batch)?;
            }
            RowFormat::Json => {
                let mut buf = Vec::new();
                let mut writer = arrow::json::ArrayWriter::new(&mut buf);
                writer.write(batch)?;
                writer.finish()?;
                drop(writer);
                // `[{..},{..}]`: the objects go into the one array of the whole result.
                let objects = buf.get(1..buf.len().saturating_sub(1)).unwrap_or_default();
                if self.rows > 0 && !objects.is_empty() {
                    out.write_all(b",")?;
                }
                out.write_all(objects)?;
            }
            RowFormat::Markdown => {
                for row in cells(std::slice::from_ref(batch), "NULL")? {
                    let row: Vec<String> = row.into_iter().map(|c| c.replace('|', "\\|")).collect();
                    writeln!(out, "| {} |", row.join(" | "))?;
                }
            }
            RowFormat::Line => {
                let names: Vec<&str> = self.schema.fields().iter().map(|f| f.name().as_str()).collect();
                let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
                for (i, row) in cells(std::slice::from_ref(batch), "NULL")?.into_iter().enumerate() {
                    if self.rows + i > 0 {
                        writeln!(out)?;
                    }
                    for (name, value) in names.iter().zip(row) {
                        writeln!(out, "{name:>width$} = {value}")?;
                    }
                }
            }
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    /// Write what comes after the rows (CSV's header when there were no rows, JSON's `]`).
    pub fn finish(self, out: &mut dyn Write) -> anyhow::Result<usize> {
        match self.format {
            RowFormat::Csv if self.rows == 0 => {
                let names: Vec<&str> = self.schema.fields().iter().map(|f| f.name().as_str()).collect();
                writeln!(out, "{}", names.join(","))?;
            }
            RowFormat::Json => writeln!(out, "]")?,
            _ => {}
        }
        Ok(self.rows)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{Int64Array, StringArray};
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    fn write_all(format: RowFormat, batches: &[RecordBatch], schema: &SchemaRef) -> String {
        let mut out = Vec::new();
        let mut writer = RowWriter::start(&mut out, schema, format).unwrap();
        for b in batches {
            writer.write(&mut out, b).unwrap();
        }
        writer.finish(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn batches_join_into_one_result_in_every_format() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("n", DataType::Int64, false),
            Field::new("s", DataType::Utf8, true),
        ]));
        let batch = |n: Vec<i64>, s: Vec<Option<&str>>| {
            RecordBatch::try_new(
                Arc::clone(&schema),
                vec![Arc::new(Int64Array::from(n)), Arc::new(StringArray::from(s))],
            )
            .unwrap()
        };
        let batches = [
            batch(vec![1, 2], vec![Some("a"), None]),
            batch(vec![], vec![]),
            batch(vec![3], vec![Some("c|d")]),
        ];
        assert_eq!(write_all(RowFormat::Csv, &batches, &schema), "n,s\n1,a\n2,\n3,c|d\n");
        assert_eq!(
            write_all(RowFormat::Json, &batches, &schema),
            "[{\"n\":1,\"s\":\"a\"},{\"n\":2},{\"n\":3,\"s\":\"c|d\"}]\n"
        );
        assert_eq!(
            write_all(RowFormat::Markdown, &batches, &schema),
            "| n | s |\n| ---: | --- |\n| 1 | a |\n| 2 | NULL |\n| 3 | c\\|d |\n"
        );
        assert_eq!(
            write_all(RowFormat::Line, &batches, &schema),
            "n = 1\ns = a\n\nn = 2\ns = NULL\n\nn = 3\ns = c|d\n"
        );
        assert_eq!(write_all(RowFormat::Csv, &[], &schema), "n,s\n");
        assert_eq!(write_all(RowFormat::Json, &[], &schema), "[]\n");
    }
}
