//! Running a statement on its own thread while the calling thread draws a progress bar from the
//! session's scan counters (after about a second, only on a terminal) and turns Ctrl-C into
//! [`Session::cancel`] at once (the signal handler wakes the watching thread).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};
use shoal::{ProgressSnapshot, Session, ShoalError};

/// How often the bar is redrawn.
const POLL: Duration = Duration::from_millis(50);

/// What wakes the thread watching a running statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wake {
    /// The statement finished.
    Done,
    /// Ctrl-C was pressed.
    Interrupted,
}

/// Ctrl-C state shared with the signal handler: a press counts only while a query runs, and
/// wakes the thread watching it so the query is cancelled without waiting for the next redraw.
#[derive(Debug, Default)]
pub struct Interrupt {
    running: AtomicBool,
    requested: AtomicBool,
    waker: Mutex<Option<mpsc::Sender<Wake>>>,
}

impl Interrupt {
    /// Install the process's Ctrl-C handler. Outside queries Ctrl-C then does nothing (at the
    /// prompt the line editor reads it as a key and clears the line).
    pub fn install() -> Result<Arc<Self>, String> {
        let interrupt = Arc::new(Self::default());
        let shared = Arc::clone(&interrupt);
        ctrlc::set_handler(move || shared.on_ctrl_c()).map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
        Ok(interrupt)
    }

    fn on_ctrl_c(&self) {
        if self.running.load(Ordering::SeqCst) {
            self.requested.store(true, Ordering::SeqCst);
            if let Ok(waker) = self.waker.lock() {
                if let Some(tx) = waker.as_ref() {
                    let _ = tx.send(Wake::Interrupted); // the watcher may have just finished
                }
            }
        }
    }

    fn start(&self, waker: mpsc::Sender<Wake>) {
        if let Ok(mut slot) = self.waker.lock() {
            *slot = Some(waker);
        }
        self.requested.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
    }

    fn stop(&self) {
        self.running.store(false, Ordering::SeqCst);
        if let Ok(mut slot) = self.waker.lock() {
            *slot = None;
        }
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }
}

/// Wait this long before showing a bar: `$SHOAL_PROGRESS_DELAY_MS`, else one second.
fn bar_delay() -> Duration {
    std::env::var("SHOAL_PROGRESS_DELAY_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(1), Duration::from_millis)
}

/// Run `work` (a statement on `session`) on a thread of its own; meanwhile draw a progress bar on
/// standard error when it is a terminal and the work takes longer than the delay, and cancel the
/// query when `interrupt` sees Ctrl-C. A panic in `work` becomes an internal error.
pub fn run_watched<T: Send>(
    session: &Session,
    interrupt: Option<&Interrupt>,
    work: impl FnOnce() -> shoal::Result<T> + Send,
) -> shoal::Result<T> {
    run_watched_printing(session, interrupt, &AtomicBool::new(false), work)
}

/// [`run_watched`] for work that may print rows to the terminal as it goes: once `printing` is
/// set, the bar is cleared and no longer drawn (it would be mixed into the rows).
pub fn run_watched_printing<T: Send>(
    session: &Session,
    interrupt: Option<&Interrupt>,
    printing: &AtomicBool,
    work: impl FnOnce() -> shoal::Result<T> + Send,
) -> shoal::Result<T> {
    let show_bar = std::io::stderr().is_terminal();
    let delay = bar_delay();
    let (wake_tx, wake_rx) = mpsc::channel::<Wake>();
    if let Some(i) = interrupt {
        i.start(wake_tx.clone());
    }
    let result = std::thread::scope(|scope| {
        let handle = scope.spawn(move || {
            let _done = WakeOnDrop(wake_tx); // also when `work` panics
            work()
        });
        let start = Instant::now();
        let mut bar: Option<ProgressBar> = None;
        loop {
            match wake_rx.recv_timeout(POLL) {
                Ok(Wake::Done) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Ok(Wake::Interrupted) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            let cancelling = interrupt.is_some_and(Interrupt::requested);
            let quiet = cancelling || printing.load(Ordering::SeqCst);
            if quiet {
                if let Some(bar) = bar.take() {
                    bar.finish_and_clear();
                }
            }
            if cancelling {
                session.cancel();
            }
            if show_bar && !quiet && start.elapsed() >= delay {
                let bar = bar.get_or_insert_with(new_bar);
                draw(bar, session.progress(), start.elapsed());
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        handle.join().unwrap_or_else(|_| Err(ShoalError::Internal("the query thread panicked".into())))
    });
    if let Some(i) = interrupt {
        i.stop();
    }
    result
}

/// Sends [`Wake::Done`] when dropped: the watcher stops waiting even if the work panics.
struct WakeOnDrop(mpsc::Sender<Wake>);

impl Drop for WakeOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(Wake::Done); // the receiver lives until after the join
    }
}

fn new_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(1), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {percent:>3}% {msg}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn draw(bar: &ProgressBar, p: ProgressSnapshot, elapsed: Duration) {
    let (done, total) =
        if p.bytes_total > 0 { (p.bytes_done, p.bytes_total) } else { (p.morsels_done, p.morsels_total) };
    bar.set_length(total.max(1));
    bar.set_position(done.min(total));
    bar.set_message(progress_message(p, elapsed));
}

/// `3/12 chunks, 1.2 GiB/4.0 GiB, 2.1M rows/s, ETA 4s`.
pub fn progress_message(p: ProgressSnapshot, elapsed: Duration) -> String {
    let mut parts = vec![format!("{}/{} chunks", p.morsels_done, p.morsels_total)];
    if p.bytes_total > 0 {
        parts.push(format!("{}/{}", HumanBytes(p.bytes_done), HumanBytes(p.bytes_total)));
    }
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        parts.push(format!("{} rows/s", si(p.rows_read as f64 / secs)));
    }
    let (done, total) =
        if p.bytes_total > 0 { (p.bytes_done, p.bytes_total) } else { (p.morsels_done, p.morsels_total) };
    let eta = match (done, total) {
        (d, t) if d > 0 && d < t => {
            let fraction = d as f64 / t as f64;
            HumanDuration(Duration::from_secs_f64(secs * (1.0 - fraction) / fraction)).to_string()
        }
        _ => "?".to_string(),
    };
    parts.push(format!("ETA {eta}"));
    parts.join(", ")
}

/// `2_100_000.0` → `2.1M`.
fn si(n: f64) -> String {
    match n {
        n if n >= 1e9 => format!("{:.1}G", n / 1e9),
        n if n >= 1e6 => format!("{:.1}M", n / 1e6),
        n if n >= 1e3 => format!("{:.1}k", n / 1e3),
        n => format!("{n:.0}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_shows_chunks_bytes_rate_and_eta() {
        let p = ProgressSnapshot {
            morsels_total: 8,
            morsels_done: 2,
            bytes_total: 4096,
            bytes_done: 1024,
            rows_read: 3_000_000,
        };
        assert_eq!(
            progress_message(p, Duration::from_secs(2)),
            "2/8 chunks, 1.00 KiB/4.00 KiB, 1.5M rows/s, ETA 6 seconds"
        );
        let none = ProgressSnapshot::default();
        assert_eq!(progress_message(none, Duration::from_secs(1)), "0/0 chunks, 0 rows/s, ETA ?");
    }

    #[test]
    fn work_result_and_panics_come_back() {
        let session = Session::new();
        assert_eq!(run_watched(&session, None, || Ok(7)).ok(), Some(7));
        let err = run_watched::<()>(&session, None, || panic!("boom")).unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
        // With Ctrl-C watched too: a panic still ends the wait.
        let interrupt = Interrupt::default();
        let err = run_watched::<()>(&session, Some(&interrupt), || panic!("boom")).unwrap_err();
        assert!(err.to_string().contains("panicked"), "{err}");
    }

    #[test]
    fn ctrl_c_cancels_the_running_statement_and_the_next_one_runs() {
        let session = Session::new();
        let interrupt = Interrupt::default();
        // One row per round for a billion rounds: runs until cancelled.
        let endless = "WITH RECURSIVE t(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM t WHERE x < 1000000000) \
                       SELECT count(*) FROM t";
        let finished = AtomicBool::new(false);
        let result = std::thread::scope(|scope| {
            scope.spawn(|| {
                // Press Ctrl-C until the statement is over (a press before it starts is ignored).
                while !finished.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(10));
                    interrupt.on_ctrl_c();
                }
            });
            let result = run_watched(&session, Some(&interrupt), || session.execute_sql(endless));
            finished.store(true, Ordering::SeqCst);
            result
        });
        assert!(matches!(result, Err(ShoalError::Cancelled)), "{result:?}");
        assert!(!interrupt.running.load(Ordering::SeqCst), "Ctrl-C counts only while a statement runs");
        let next = run_watched(&session, Some(&interrupt), || session.execute_sql("SELECT 6 * 7 AS answer"));
        let batches = next.map(|mut r| r.remove(0).batches);
        let answer = batches
            .as_ref()
            .ok()
            .and_then(|b| b.first())
            .map(|b| arrow::util::display::array_value_to_string(b.column(0), 0).unwrap_or_default());
        assert_eq!(answer.as_deref(), Some("42"));
    }
}
