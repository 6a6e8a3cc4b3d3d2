//! Byte-level access to CSV files: opening (gzip, byte-order mark), finding line starts for
//! byte-range morsels, counting lines.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use shoal_common::{Result, ShoalError};

use super::CsvOptions;
use crate::display_path;

/// The UTF-8 byte-order mark some tools put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Buffer size for reading CSV data.
pub(crate) const READ_BUFFER: usize = 1 << 20;

/// One CSV file of a table.
#[derive(Debug, Clone)]
pub(crate) struct CsvFile {
    pub(crate) path: PathBuf,
    /// Size on disk (compressed size for gzip files).
    pub(crate) size: u64,
    pub(crate) gzip: bool,
    /// Where the data starts: 3 after a byte-order mark, else 0 (uncompressed files only).
    pub(crate) data_start: u64,
}

impl CsvFile {
    pub(crate) fn name(&self) -> String {
        display_path(&self.path)
    }

    /// Describe an I/O failure on this file.
    pub(crate) fn io_error(&self, e: std::io::Error) -> ShoalError {
        io_error(&self.path, e)
    }

    /// Look at the file on disk.
    pub(crate) fn open_meta(path: PathBuf, gzip: bool) -> Result<Self> {
        let mut file = File::open(&path).map_err(|e| io_error(&path, e))?;
        let size = file.metadata().map_err(|e| io_error(&path, e))?.len();
        let mut data_start = 0;
        if !gzip {
            let mut head = [0u8; 3];
            if size >= 3 && file.read_exact(&mut head).is_ok() && head == BOM {
                data_start = 3;
            }
        }
        Ok(Self { path, size, gzip, data_start })
    }

    /// The whole decompressed content, past any byte-order mark.
    pub(crate) fn open_stream(&self) -> Result<Box<dyn BufRead + Send>> {
        let file = File::open(&self.path).map_err(|e| self.io_error(e))?;
        if self.gzip {
            let mut reader = BufReader::with_capacity(READ_BUFFER, MultiGzDecoder::new(BufReader::new(file)));
            let head = reader.fill_buf().map_err(|e| self.gzip_error(e))?;
            if head.starts_with(BOM) {
                reader.consume(BOM.len());
            }
            return Ok(Box::new(GzErrorContext { inner: reader, path: self.path.clone() }));
        }
        self.open_range(self.data_start, self.size)
    }

    /// The bytes `[start, end)` of an uncompressed file.
    pub(crate) fn open_range(&self, start: u64, end: u64) -> Result<Box<dyn BufRead + Send>> {
        let mut file = File::open(&self.path).map_err(|e| self.io_error(e))?;
        file.seek(SeekFrom::Start(start)).map_err(|e| self.io_error(e))?;
        let len = end.saturating_sub(start);
        Ok(Box::new(BufReader::with_capacity(READ_BUFFER.min(len.max(1) as usize), file.take(len))))
    }

    /// The bytes `[start, end)` of an uncompressed file, read into memory.
    pub(crate) fn read_range(&self, start: u64, end: u64) -> Result<Vec<u8>> {
        let mut file = File::open(&self.path).map_err(|e| self.io_error(e))?;
        file.seek(SeekFrom::Start(start)).map_err(|e| self.io_error(e))?;
        let len = end.saturating_sub(start);
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(len).read_to_end(&mut bytes).map_err(|e| self.io_error(e))?;
        Ok(bytes)
    }

    fn gzip_error(&self, e: std::io::Error) -> ShoalError {
        ShoalError::Data {
            location: shoal_common::DataLocation { file: self.name(), line: None, column: None },
            message: format!("cannot decompress gzip data: {e}"),
        }
    }

    /// The start of the first line that begins at or after `pos` (the position just past the
    /// first newline at or after `pos - 1`), or the file size when there is none.
    pub(crate) fn next_line_start(&self, pos: u64) -> Result<u64> {
        if pos <= self.data_start {
            return Ok(self.data_start);
        }
        if pos >= self.size {
            return Ok(self.size);
        }
        let mut file = File::open(&self.path).map_err(|e| self.io_error(e))?;
        file.seek(SeekFrom::Start(pos - 1)).map_err(|e| self.io_error(e))?;
        let mut reader = BufReader::with_capacity(64 * 1024, file);
        let mut offset = pos - 1;
        loop {
            let buf = reader.fill_buf().map_err(|e| self.io_error(e))?;
            if buf.is_empty() {
                return Ok(self.size);
            }
            if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                return Ok(offset + i as u64 + 1);
            }
            let n = buf.len();
            offset += n as u64;
            reader.consume(n);
        }
    }

    /// How many newlines come before byte `pos` (so the line at `pos` is this + 1).
    pub(crate) fn lines_before(&self, pos: u64) -> Result<u64> {
        let mut reader = self.open_range(0, pos)?;
        let mut count = 0u64;
        loop {
            let buf = reader.fill_buf().map_err(|e| self.io_error(e))?;
            if buf.is_empty() {
                return Ok(count);
            }
            count += count_newlines(buf);
            let n = buf.len();
            reader.consume(n);
        }
    }
}

/// Gzip errors become data errors naming the file.
struct GzErrorContext<R> {
    inner: R,
    path: PathBuf,
}

impl<R: BufRead> Read for GzErrorContext<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).map_err(|e| self.annotate(e))
    }
}

impl<R: BufRead> BufRead for GzErrorContext<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        let path = &self.path;
        self.inner.fill_buf().map_err(|e| {
            std::io::Error::new(e.kind(), format!("cannot decompress gzip file {}: {e}", path.display()))
        })
    }
    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt)
    }
}

impl<R> GzErrorContext<R> {
    fn annotate(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(e.kind(), format!("cannot decompress gzip file {}: {e}", self.path.display()))
    }
}

pub(crate) fn io_error(path: &Path, e: std::io::Error) -> ShoalError {
    ShoalError::Io { path: display_path(path), source: e }
}

/// Number of `\n` bytes in `buf`.
pub(crate) fn count_newlines(buf: &[u8]) -> u64 {
    buf.iter().filter(|&&b| b == b'\n').count() as u64
}

/// A `csv` crate reader with the table's dialect, reading every record (the header too) and
/// accepting any field count, so callers can report problems themselves.
pub(crate) fn record_reader<R: Read>(options: &CsvOptions, reader: R) -> ::csv::Reader<R> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .quote(options.quote)
        .escape(options.escape)
        .double_quote(true)
        .buffer_capacity(64 * 1024)
        .from_reader(reader)
}
