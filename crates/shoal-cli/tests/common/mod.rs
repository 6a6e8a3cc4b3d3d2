//! A pseudo-terminal harness for the shell tests: the real `shoal` binary runs on a pty made by
//! `portable-pty` (200×50), a reader thread feeds its output into a `vt100` terminal emulator, and
//! the tests type keys and read the screen (with its scroll-back) back as text.

use std::io::{ErrorKind, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, Child, CommandBuilder, ExitStatus, MasterPty, PtySize};
use vt100::capture::{basic_formatted_to_plain, BasicFormattedCaptureRange, BasicFormattedCaptureState};

/// How long to wait for text on the screen or for the program to end.
pub const WAIT: Duration = Duration::from_secs(30);
const ROWS: u16 = 50;
const COLS: u16 = 200;
/// Lines kept above the screen (tmux's `capture-pane -S` used to give these).
const SCROLLBACK: usize = 10_000;

pub const ENTER: &str = "\r";
pub const TAB: &str = "\t";
pub const UP: &str = "\x1b[A";
pub const CTRL_C: &str = "\x03";
pub const CTRL_D: &str = "\x04";
pub const CTRL_R: &str = "\x12";

/// What the emulator must answer rather than draw: the cursor-position query `ESC[6n` (a line
/// editor may send it and wait for `ESC[row;colR`).
#[derive(Default)]
struct Replies {
    pending: Vec<u8>,
}

impl vt100::Callbacks for Replies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        _i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        if c == 'n' && i1.is_none() && params.first().and_then(|p| p.first()) == Some(&6) {
            let (row, col) = screen.cursor_position();
            self.pending.extend(format!("\x1b[{};{}R", row + 1, col + 1).into_bytes());
        }
    }
}

type Writer = Arc<Mutex<Box<dyn Write + Send>>>;

fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A `shoal` process on a pseudo-terminal of its own.
pub struct Term {
    parser: Arc<Mutex<vt100::Parser<Replies>>>,
    writer: Writer,
    child: Box<dyn Child + Send + Sync>,
    /// Kept open for the life of the program (closing it hangs up the terminal).
    _master: Box<dyn MasterPty + Send>,
}

impl Term {
    /// Start `shoal ARGS` in `home` with HOME (history, rc) there, `TERM=xterm-256color`, only
    /// PATH kept from this process's environment, no pager unless `env` sets `PAGER`, and wait
    /// for the first prompt.
    pub fn start(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Term {
        let size = PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 };
        let pair = native_pty_system().openpty(size).expect("a pseudo-terminal opens");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_shoal"));
        cmd.args(args);
        cmd.cwd(home);
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", home);
        cmd.env("SHOAL_HISTORY", home.join("history"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("PAGER", "");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("shoal starts on the pty");
        // Only the child holds the terminal's other end now: it hangs up when shoal ends.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("the pty can be read");
        let writer: Writer = Arc::new(Mutex::new(pair.master.take_writer().expect("the pty can be written")));
        let parser = Arc::new(Mutex::new(vt100::Parser::new_with_callbacks(
            ROWS.try_into().expect("rows > 0"),
            COLS.try_into().expect("cols > 0"),
            SCROLLBACK,
            Replies::default(),
        )));
        let (parser_in, replies_out) = (Arc::clone(&parser), Arc::clone(&writer));
        // Drain the pty all the time, so shoal never blocks on a full terminal.
        std::thread::spawn(move || {
            let mut buf = [0u8; 16 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    // EIO: shoal ended and the terminal hung up.
                    Err(_) => break,
                };
                let mut parser = lock(&parser_in);
                parser.process(&buf[..n]);
                let replies = std::mem::take(&mut parser.callbacks_mut().pending);
                // Answered before the screen can be read (and more keys typed after it).
                if !replies.is_empty() {
                    let mut w = lock(&replies_out);
                    let _ = w.write_all(&replies).and_then(|()| w.flush());
                }
            }
        });
        let term = Term { parser, writer, child, _master: pair.master };
        term.wait_for("shoal>");
        term
    }

    /// Send `bytes` as typed keys.
    pub fn key(&self, bytes: &str) {
        let mut w = lock(&self.writer);
        w.write_all(bytes.as_bytes()).and_then(|()| w.flush()).expect("keys reach the pty");
    }

    /// Type `text` and press Enter.
    pub fn line(&self, text: &str) {
        self.key(text);
        self.key(ENTER);
    }

    /// Type a complete input, press Enter and wait for the next prompt (keys sent while the
    /// line editor is still handling the previous Enter could be read with it and lost).
    pub fn run(&self, text: &str) -> String {
        let prompts = self.screen().matches("shoal>").count();
        self.line(text);
        self.wait_for_n("shoal>", prompts + 1)
    }

    /// The scroll-back and the screen as plain text: a line the terminal wrapped comes back
    /// whole, trailing blanks removed.
    pub fn screen(&self) -> String {
        let mut formatted = String::new();
        let mut state = BasicFormattedCaptureState::new();
        lock(&self.parser)
            .screen()
            .write_contents_formatted_basic(&mut formatted, BasicFormattedCaptureRange::Full(&mut state))
            .expect("writing to a String cannot fail");
        let plain: String = basic_formatted_to_plain(&formatted).collect();
        plain.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
    }

    /// Wait until the screen contains `needle` `count` times; the screen then.
    pub fn wait_for_n(&self, needle: &str, count: usize) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.matches(needle).count() >= count {
                return screen;
            }
            assert!(start.elapsed() < WAIT, "timed out waiting for {needle:?} (x{count}); screen:\n{screen}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn wait_for(&self, needle: &str) -> String {
        self.wait_for_n(needle, 1)
    }

    /// Wait for the program to end; its exit status.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("the child's state can be read") {
                return status;
            }
            assert!(start.elapsed() < WAIT, "shoal did not exit; screen:\n{}", self.screen());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
