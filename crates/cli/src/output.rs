//! One output policy: data on stdout, everything else on stderr; progress only on a terminal.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use leakmatch_ingest::Progress;
use leakmatch_match::EvalProgress;

/// Decides what reaches stderr.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub quiet: bool,
    pub verbose: bool,
    pub progress: bool,
}

impl Printer {
    pub fn new(quiet: bool, verbose: bool, no_progress: bool) -> Self {
        let progress = !quiet && !no_progress && io::stderr().is_terminal();
        Printer {
            quiet,
            verbose: verbose && !quiet,
            progress,
        }
    }

    /// A line of human-readable information on stderr (hidden by --quiet).
    pub fn info(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", line.as_ref());
        }
    }

    /// Detail shown with --verbose.
    pub fn detail(&self, line: impl AsRef<str>) {
        if self.verbose {
            eprintln!("{}", line.as_ref());
        }
    }

    /// A warning: shown unless --quiet.
    pub fn warn(&self, line: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("warning: {}", line.as_ref());
        }
    }

    pub fn progress(&self) -> Bars {
        Bars {
            enabled: self.progress,
            bar: Mutex::new(None),
            records: AtomicU64::new(0),
        }
    }
}

/// Writes data to stdout. A closed pipe (`leakmatch ... | head`) is not an error.
pub fn stdout_write(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// indicatif progress per input, updated once per chunk (never per record).
pub struct Bars {
    enabled: bool,
    bar: Mutex<Option<ProgressBar>>,
    records: AtomicU64,
}

impl Progress for Bars {
    fn begin(&self, input: &str, total_bytes: Option<u64>) {
        if !self.enabled {
            return;
        }
        let bar = match total_bytes {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::no_length(),
        };
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        let template = if total_bytes.is_some() {
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}"
        } else {
            "{prefix} {bytes} {binary_bytes_per_sec} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        // The input's name is a path the user gave, never data from inside it.
        bar.set_prefix(input.to_string());
        bar.enable_steady_tick(Duration::from_millis(250));
        self.records.store(0, Ordering::Relaxed);
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, bytes: u64, records: u64) {
        if !self.enabled {
            return;
        }
        let total = self.records.fetch_add(records, Ordering::Relaxed) + records;
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(bytes);
                let secs = bar.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{total} records ({:.1}M/s)",
                    total as f64 / secs / 1e6
                ));
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(bar) = slot.take() {
                bar.finish_and_clear();
            }
        }
    }
}

/// A bar of identifiers evaluated (publish: with the epoch key; query: by the server), with
/// rate and ETA, updated once per batch.
impl EvalProgress for Bars {
    fn begin(&self, total: u64) {
        if !self.enabled {
            return;
        }
        let bar = ProgressBar::new(total);
        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{bar:30}] {pos}/{len} identifiers {per_sec} ETA {eta}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix("evaluating");
        bar.enable_steady_tick(Duration::from_millis(250));
        if let Ok(mut slot) = self.bar.lock() {
            *slot = Some(bar);
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(bar) = slot.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self) {
        Progress::finish(self);
    }
}

/// `text` with every control character (C0, DEL, C1) written as a `\u{..}` escape, so that
/// text from a file or a path can never drive the terminal (escape-sequence injection) nor
/// fake a line of output.
pub fn escape_control(text: &str) -> String {
    escape(text, false)
}

/// [`escape_control`] keeping line breaks and tabs: for messages made of several lines.
pub fn escape_terminal(text: &str) -> String {
    escape(text, true)
}

fn escape(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !(keep_lines && (c == '\n' || c == '\t')) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}
