//! Spill files: batches written to disk in Arrow IPC stream format, in a temporary directory
//! (under `spill_path` or the OS temp dir) that is removed when the operator is done.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use arrow_ipc::reader::StreamReader;
use arrow_ipc::writer::StreamWriter;
use shoal_common::{Result, ShoalError};

/// A temporary directory created on first use and deleted (with its files) on drop.
#[derive(Debug)]
pub struct SpillDir {
    parent: Option<PathBuf>,
    dir: OnceLock<tempfile::TempDir>,
    create: Mutex<()>,
    next_file: AtomicUsize,
}

impl SpillDir {
    /// A spill directory to be made inside `parent` (the OS temp dir when `None`).
    pub fn new(parent: Option<PathBuf>) -> Self {
        Self { parent, dir: OnceLock::new(), create: Mutex::new(()), next_file: AtomicUsize::new(0) }
    }

    fn path(&self) -> Result<&Path> {
        if let Some(dir) = self.dir.get() {
            return Ok(dir.path());
        }
        let _guard =
            self.create.lock().map_err(|_| ShoalError::Internal("spill directory lock poisoned".into()))?;
        if self.dir.get().is_none() {
            let mut builder = tempfile::Builder::new();
            builder.prefix("shoal-spill-");
            let made = match &self.parent {
                Some(parent) => builder.tempdir_in(parent),
                None => builder.tempdir(),
            };
            let parent = self.parent.clone().unwrap_or_else(std::env::temp_dir);
            let dir = made.map_err(|source| ShoalError::Io {
                path: format!("{} (spill directory; set spill_path to another directory)", parent.display()),
                source,
            })?;
            let _ = self.dir.set(dir);
        }
        match self.dir.get() {
            Some(dir) => Ok(dir.path()),
            None => Err(ShoalError::Internal("spill directory vanished".into())),
        }
    }

    /// Start a new spill file for batches of `schema`.
    pub fn create_file(&self, schema: &SchemaRef) -> Result<SpillWriter> {
        let n = self.next_file.fetch_add(1, Ordering::Relaxed);
        let path = self.path()?.join(format!("run-{n}.arrows"));
        let file = File::create(&path).map_err(|source| io_error(&path, source))?;
        let writer = StreamWriter::try_new(BufWriter::new(file), schema)?;
        Ok(SpillWriter { writer, path, rows: 0 })
    }
}

fn io_error(path: &Path, source: std::io::Error) -> ShoalError {
    ShoalError::Io { path: path.display().to_string(), source }
}

/// A spill file being written.
pub struct SpillWriter {
    writer: StreamWriter<BufWriter<File>>,
    path: PathBuf,
    rows: usize,
}

impl SpillWriter {
    /// Append one batch.
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        self.rows += batch.num_rows();
        Ok(self.writer.write(batch)?)
    }

    /// Finish the file; it can then be read back with [`SpillFile::read`].
    pub fn finish(mut self) -> Result<SpillFile> {
        self.writer.finish()?;
        let bytes = std::fs::metadata(&self.path).map_err(|e| io_error(&self.path, e))?.len();
        Ok(SpillFile { path: self.path, rows: self.rows, bytes })
    }
}

/// A finished spill file; removed from disk when dropped.
#[derive(Debug)]
pub struct SpillFile {
    path: PathBuf,
    rows: usize,
    bytes: u64,
}

impl SpillFile {
    /// Rows in the file.
    pub fn rows(&self) -> usize {
        self.rows
    }
    /// Size of the file on disk.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
    /// Read the batches back, one at a time.
    pub fn read(&self) -> Result<impl Iterator<Item = Result<RecordBatch>> + Send + use<>> {
        let file = File::open(&self.path).map_err(|e| io_error(&self.path, e))?;
        let reader = StreamReader::try_new(BufReader::new(file), None)?;
        Ok(reader.map(|b| b.map_err(ShoalError::from)))
    }
}

impl Drop for SpillFile {
    fn drop(&mut self) {
        // the directory is removed later anyway; this only frees disk space early
        let _ = std::fs::remove_file(&self.path);
    }
}
