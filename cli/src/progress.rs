//! Progress of long VM replays, in one place for every command that replays (`run --engine
//! vm`, `prove`, the roles' replays in `submitter`, `challenger` and `demo`): a bar (steps of a
//! known total) or a spinner (steps and rate) when stderr is a terminal and logs are human,
//! else a `tracing` line at every tenth of a known total (every [`LOG_EVERY`] otherwise), so
//! services logging to files or as JSON get a few lines instead of terminal control codes.

use std::io::{IsTerminal, Write};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// How often a replay of unknown length logs its progress.
pub(crate) const LOG_EVERY: Duration = Duration::from_secs(10);

/// Every bar on stderr, so that log lines can hide them while they write.
static BARS: LazyLock<MultiProgress> = LazyLock::new(MultiProgress::new);

/// Whether logs are JSON lines (`OPML_LOG_FORMAT=json`) rather than human-readable.
pub(crate) fn json_logs() -> bool {
    std::env::var("OPML_LOG_FORMAT").is_ok_and(|f| f == "json")
}

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Show {
    /// An indicatif bar or spinner on stderr.
    Bar,
    /// `tracing` lines at a sparse cadence.
    Log,
}

impl Show {
    /// A bar when stderr is a terminal and logs are human, else log lines.
    pub(crate) fn auto() -> Self {
        if std::io::stderr().is_terminal() && !json_logs() {
            Show::Bar
        } else {
            Show::Log
        }
    }
}

/// A writer for log lines (stderr) that hides the progress bars while it writes, so a log
/// line never tears a bar: give it to the tracing subscriber (`with_writer(LogWriter::new)`).
#[derive(Debug, Default)]
pub(crate) struct LogWriter(());

impl LogWriter {
    /// The writer.
    pub(crate) fn new() -> Self {
        Self(())
    }
}

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BARS.suspend(|| std::io::stderr().write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The progress of one replay. Dropping it clears its bar.
#[derive(Debug)]
pub(crate) struct Replay {
    what: String,
    total: Option<u64>,
    start: Instant,
    bar: Option<ProgressBar>,
    cadence: Cadence,
}

impl Replay {
    /// Progress of `what` (e.g. "VM replay of digits") towards `total` steps when known, shown
    /// as [`Show::auto`] says.
    pub(crate) fn new(what: impl Into<String>, total: Option<u64>) -> Self {
        Self::with(Show::auto(), what, total)
    }

    /// As [`Replay::new`], shown as `show` says.
    pub(crate) fn with(show: Show, what: impl Into<String>, total: Option<u64>) -> Self {
        let what = what.into();
        let bar = (show == Show::Bar).then(|| {
            let (bar, template) = match total {
                Some(t) => (
                    ProgressBar::new(t),
                    "{spinner} {msg} {wide_bar} {human_pos}/{human_len} steps ({per_sec:0}, {elapsed}, eta {eta})",
                ),
                None => (
                    ProgressBar::new_spinner(),
                    "{spinner} {msg}: {human_pos} steps ({per_sec:0}, {elapsed})",
                ),
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.set_message(what.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            BARS.add(bar)
        });
        Self {
            what,
            total,
            start: Instant::now(),
            bar,
            cadence: Cadence::new(total, Instant::now()),
        }
    }

    /// Reports `steps` done.
    pub(crate) fn update(&mut self, steps: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(steps);
            return;
        }
        let now = Instant::now();
        if self.cadence.due(steps, now) {
            let secs = now.duration_since(self.start).as_secs_f64();
            let per_sec = if secs > 0.0 { steps as f64 / secs } else { 0.0 };
            let percent = self
                .total
                .filter(|t| *t > 0)
                .map(|t| (steps.min(t) as f64 * 100.0 / t as f64).round() as u64);
            tracing::info!(what = %self.what, steps, total = self.total, percent, per_sec = per_sec.round() as u64, secs, "replaying");
        }
    }
}

impl Drop for Replay {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
            BARS.remove(&bar);
        }
    }
}

/// The roles' replays report here ([`Replay::new`] for each).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Shown;

impl opml_service::progress::Progress for Shown {
    fn start(&self, what: &str, total: Option<u64>) -> Box<dyn FnMut(u64) + Send> {
        let mut replay = Replay::new(what, total);
        Box::new(move |steps| replay.update(steps))
    }
}

/// When a log line is due: each time the run passes another tenth of a known total, else
/// every [`LOG_EVERY`].
#[derive(Debug)]
struct Cadence {
    total: Option<u64>,
    next_tenth: u64,
    last: Instant,
}

impl Cadence {
    fn new(total: Option<u64>, now: Instant) -> Self {
        Self {
            total,
            next_tenth: 1,
            last: now,
        }
    }

    fn due(&mut self, steps: u64, now: Instant) -> bool {
        match self.total {
            Some(t) if t > 0 => {
                let tenth = (u128::from(steps.min(t)) * 10 / u128::from(t)) as u64;
                let due = tenth >= self.next_tenth;
                if due {
                    self.next_tenth = tenth + 1;
                }
                due
            }
            _ => {
                let due = now.duration_since(self.last) >= LOG_EVERY;
                if due {
                    self.last = now;
                }
                due
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_total_logs_once_per_tenth() {
        let t0 = Instant::now();
        let mut c = Cadence::new(Some(1000), t0);
        let due: Vec<u64> = (1..=1000).filter(|&n| c.due(n, t0)).collect();
        assert_eq!(due, [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
        // a jump over several tenths logs once
        let mut c = Cadence::new(Some(1000), t0);
        assert!(c.due(450, t0));
        assert!(!c.due(499, t0));
        assert!(c.due(1000, t0));
        assert!(!c.due(1000, t0));
    }

    #[test]
    fn an_unknown_total_logs_by_time() {
        let t0 = Instant::now();
        let mut c = Cadence::new(None, t0);
        assert!(!c.due(1 << 30, t0 + LOG_EVERY / 2));
        assert!(c.due(1 << 31, t0 + LOG_EVERY));
        assert!(!c.due(1 << 32, t0 + LOG_EVERY + LOG_EVERY / 2));
        assert!(c.due(1 << 33, t0 + LOG_EVERY * 2));
        // a zero total is treated as unknown rather than divided by
        assert!(!Cadence::new(Some(0), t0).due(5, t0));
    }

    #[test]
    fn log_mode_reports_without_a_bar() {
        let mut r = Replay::with(Show::Log, "test replay", Some(10));
        for n in 1..=10 {
            r.update(n);
        }
        assert!(r.bar.is_none());
    }
}
