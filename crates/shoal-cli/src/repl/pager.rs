//! Showing output on the terminal: through a pager (`$PAGER`, default `less -FRX`) when it is
//! longer than the screen, else directly.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

/// Width and height of the terminal on standard output, if it is one.
pub fn terminal_size() -> Option<(usize, usize)> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, h)| (usize::from(w.0), usize::from(h.0)))
}

/// The pager command: `$PAGER` (empty: none), else `less -FRX`.
fn pager_command() -> Option<String> {
    match std::env::var("PAGER") {
        Ok(p) if p.trim().is_empty() => None,
        Ok(p) => Some(p),
        Err(_) => Some("less -FRX".to_string()),
    }
}

/// Print `text` to standard output, through the pager when it does not fit on the terminal.
pub fn show(text: &str) -> std::io::Result<()> {
    if let (Some((_, height)), Some(pager)) = (terminal_size(), pager_command()) {
        if text.lines().count() + 1 > height && page(&pager, text).is_ok() {
            return Ok(());
        }
    }
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// Run `pager` through the shell with `text` on its input; an error if it cannot start.
fn page(pager: &str, text: &str) -> std::io::Result<()> {
    let mut child = Command::new("sh").arg("-c").arg(pager).stdin(Stdio::piped()).spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // The user may quit the pager before reading everything: a broken pipe is fine.
        let _ = stdin.write_all(text.as_bytes());
    }
    child.wait()?;
    Ok(())
}
