//! Where the shell's query results stream to ([`ShellSink`]): a cut table keeps only its first
//! and last rows, `\o FILE` and the row formats are written batch by batch, and the result is
//! kept for `\last` only up to [`LAST_RESULT_CAP`] bytes — so a result of any size is shown
//! in bounded memory.

use std::io::Write;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use shoal::{ShoalError, StatementSink};

use crate::output::head_tail::HeadTail;
use crate::output::stream::{RowFormat, RowWriter};
use crate::output::table::{render_table, TableLimits};

/// The most Arrow data kept for `\last`: 64 MiB.
pub const LAST_RESULT_CAP: usize = 64 << 20;
/// A table written to a `\o` file is boxed in blocks of whole batches, a new box once this many
/// rows are gathered (a box needs all of its rows to size its columns).
pub const FILE_TABLE_BLOCK_ROWS: usize = 10_000;

/// How one statement's rows are handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkMode {
    /// A table on the terminal: the first and last rows of at most `max_rows` (0: all).
    Table { max_rows: usize },
    /// A table written to the `\o` file in boxed blocks of [`FILE_TABLE_BLOCK_ROWS`] rows.
    FileTable,
    /// CSV, JSON, Markdown or lines, written as the rows come.
    Rows(RowFormat),
    /// Every batch kept (EXPLAIN's plan text).
    Collect,
}

/// The previous result, for `\last`.
#[derive(Debug)]
pub enum LastResult {
    /// Every batch of it.
    Kept { schema: SchemaRef, batches: Vec<RecordBatch> },
    /// It was bigger than the cap: only its size is known.
    TooBig { rows: usize, bytes: usize },
}

/// Keeps the batches of a result until they pass a byte cap, then only counts them.
#[derive(Debug)]
pub struct LastKeeper {
    cap: usize,
    bytes: usize,
    rows: usize,
    batches: Option<Vec<RecordBatch>>,
}

impl LastKeeper {
    pub fn new(cap: usize) -> Self {
        Self { cap, bytes: 0, rows: 0, batches: Some(Vec::new()) }
    }

    pub fn push(&mut self, batch: &RecordBatch) {
        self.rows += batch.num_rows();
        self.bytes += batch.get_array_memory_size();
        if self.bytes > self.cap {
            self.batches = None; // frees what was kept
        } else if let Some(kept) = &mut self.batches {
            kept.push(batch.clone());
        }
    }

    pub fn finish(self, schema: &SchemaRef) -> LastResult {
        match self.batches {
            Some(batches) => LastResult::Kept { schema: SchemaRef::clone(schema), batches },
            None => LastResult::TooBig { rows: self.rows, bytes: self.bytes },
        }
    }
}

/// What the shell shows once a statement is over.
#[derive(Debug)]
pub enum Shown {
    /// DDL: no columns.
    Nothing,
    /// A terminal table: the kept first and last rows.
    Table { schema: SchemaRef, head: Vec<RecordBatch>, tail: Vec<RecordBatch>, total_rows: usize },
    /// Written while it ran (`\o` table or a row format): `rows` rows.
    Written { rows: usize },
    /// Every batch (EXPLAIN).
    Collected(Vec<RecordBatch>),
}

/// One finished statement.
#[derive(Debug)]
pub struct Finished {
    pub shown: Shown,
    /// For `\last` (None: DDL and EXPLAIN keep the previous one).
    pub last: Option<LastResult>,
}

/// The state of the statement being streamed.
enum Current {
    Table(HeadTail),
    FileTable { block: Vec<RecordBatch>, block_rows: usize, rows: usize },
    Rows(RowWriter),
    Collect(Vec<RecordBatch>),
}

/// Receives the statements run by [`shoal::Session::execute_sql_stream`] in the shell.
pub struct ShellSink<'a> {
    mode: SinkMode,
    /// The `\o` file; None: standard output.
    file: Option<&'a mut (dyn Write + Send)>,
    last_cap: usize,
    /// Set once rows are written to the terminal (the progress bar stops drawing).
    printing: &'a AtomicBool,
    current: Option<(SchemaRef, Current, Option<LastKeeper>)>,
    pub finished: Vec<Finished>,
}

impl<'a> ShellSink<'a> {
    pub fn new(
        mode: SinkMode,
        file: Option<&'a mut (dyn Write + Send)>,
        last_cap: usize,
        printing: &'a AtomicBool,
    ) -> Self {
        Self { mode, file, last_cap, printing, current: None, finished: Vec::new() }
    }

    /// Run `write` on the `\o` file or on standard output.
    fn with_out<T>(&mut self, write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>) -> shoal::Result<T> {
        let result = match self.file.as_deref_mut() {
            Some(file) => write(file),
            None => {
                self.printing.store(true, Ordering::SeqCst);
                let mut out = std::io::stdout().lock();
                write(&mut out).and_then(|t| out.flush().map(|()| t).map_err(Into::into))
            }
        };
        result.map_err(|e| ShoalError::Execution(format!("cannot write the result: {e:#}")))
    }

    /// Write the boxed table of the rows gathered for a `\o` file.
    fn write_block(&mut self, schema: &SchemaRef, block: &[RecordBatch]) -> shoal::Result<()> {
        if block.is_empty() {
            return Ok(());
        }
        let all = TableLimits { max_rows: 0, max_width: None };
        let rendered = render_table(schema, block, all)
            .map_err(|e| ShoalError::Execution(format!("cannot print the result: {e:#}")))?;
        self.with_out(|out| Ok(out.write_all(rendered.text.as_bytes())?))
    }
}

impl StatementSink for ShellSink<'_> {
    fn start(&mut self, _sql: &str, schema: &SchemaRef) -> shoal::Result<()> {
        let empty = schema.fields().is_empty();
        let state = match self.mode {
            _ if empty => Current::Collect(Vec::new()),
            SinkMode::Collect => Current::Collect(Vec::new()),
            SinkMode::Table { max_rows } => Current::Table(HeadTail::new(max_rows)),
            SinkMode::FileTable => Current::FileTable { block: Vec::new(), block_rows: 0, rows: 0 },
            SinkMode::Rows(format) => {
                Current::Rows(self.with_out(|out| RowWriter::start(out, schema, format))?)
            }
        };
        let keep_last = !empty && self.mode != SinkMode::Collect;
        self.current =
            Some((SchemaRef::clone(schema), state, keep_last.then(|| LastKeeper::new(self.last_cap))));
        Ok(())
    }

    fn batch(&mut self, batch: RecordBatch) -> shoal::Result<ControlFlow<()>> {
        let Some((schema, mut state, mut last)) = self.current.take() else {
            return Err(ShoalError::Internal("a result batch came before its statement started".into()));
        };
        if let Some(last) = &mut last {
            last.push(&batch);
        }
        let written = match &mut state {
            Current::Table(kept) => {
                kept.push(&batch);
                Ok(())
            }
            Current::Collect(batches) => {
                batches.push(batch);
                Ok(())
            }
            Current::Rows(writer) => self.with_out(|out| writer.write(out, &batch)),
            Current::FileTable { block, block_rows, rows } => {
                *rows += batch.num_rows();
                *block_rows += batch.num_rows();
                block.push(batch);
                if *block_rows >= FILE_TABLE_BLOCK_ROWS {
                    let full = std::mem::take(block);
                    *block_rows = 0;
                    self.write_block(&schema, &full)
                } else {
                    Ok(())
                }
            }
        };
        self.current = Some((schema, state, last));
        written.map(|()| ControlFlow::Continue(()))
    }

    fn finish(&mut self) -> shoal::Result<()> {
        let Some((schema, state, last)) = self.current.take() else { return Ok(()) };
        let shown = match state {
            _ if schema.fields().is_empty() => Shown::Nothing,
            Current::Table(kept) => {
                let (head, tail) = kept.shown();
                Shown::Table { schema: SchemaRef::clone(&schema), head, tail, total_rows: kept.total_rows() }
            }
            Current::Collect(batches) => Shown::Collected(batches),
            Current::Rows(writer) => Shown::Written { rows: self.with_out(|out| writer.finish(out))? },
            Current::FileTable { block, rows, .. } => {
                self.write_block(&schema, &block)?;
                Shown::Written { rows }
            }
        };
        let last = last.map(|keeper| keeper.finish(&schema));
        self.finished.push(Finished { shown, last });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::Int64Array;
    use arrow::datatypes::{DataType, Field, Schema};

    use super::*;

    #[test]
    fn last_result_is_dropped_past_the_cap() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int64, false)]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema) as SchemaRef,
            vec![Arc::new(Int64Array::from_iter_values(0..1000))],
        )
        .unwrap();
        let size = batch.get_array_memory_size();
        let mut small = LastKeeper::new(3 * size);
        (0..3).for_each(|_| small.push(&batch));
        assert!(
            matches!(small.finish(&(Arc::clone(&schema) as SchemaRef)), LastResult::Kept { batches, .. } if batches.len() == 3)
        );
        let mut big = LastKeeper::new(3 * size);
        (0..4).for_each(|_| big.push(&batch));
        match big.finish(&(schema as SchemaRef)) {
            LastResult::TooBig { rows, bytes } => assert_eq!((rows, bytes), (4000, 4 * size)),
            kept => panic!("kept past the cap: {kept:?}"),
        }
    }
}
