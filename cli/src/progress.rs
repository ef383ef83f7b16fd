//! Progress on a terminal: functions compiled out of the total, then one line per target
//! while it links. Shown only when stderr is a terminal and the report is not JSON, and only
//! once the build has taken about a second, so quick builds print nothing.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a build runs silently before progress appears.
const QUIET_FOR: Duration = Duration::from_secs(1);

/// The progress display of one build (clones share it).
#[derive(Clone)]
pub struct Progress {
    bars: MultiProgress,
    compile: ProgressBar,
    start: Instant,
    shown: Arc<AtomicBool>,
}

impl Progress {
    /// A display when stderr is a terminal and `json` is off; `None` otherwise.
    pub fn for_terminal(json: bool) -> Option<Progress> {
        if json || !std::io::stderr().is_terminal() {
            return None;
        }
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::hidden());
        let compile = bars.add(ProgressBar::new(0));
        compile.set_style(
            ProgressStyle::with_template("compiling {bar:30} {pos}/{len} functions {msg}")
                .expect("a valid template"),
        );
        Some(Progress {
            bars,
            compile,
            start: Instant::now(),
            shown: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Starts drawing once the build has run `QUIET_FOR`.
    fn show_if_slow(&self) {
        if self.start.elapsed() >= QUIET_FOR && !self.shown.swap(true, Ordering::Relaxed) {
            self.bars.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// `functions` more functions to compile (one machine code).
    pub fn add_functions(&self, functions: usize) {
        self.compile.inc_length(functions as u64);
    }

    /// One function compiled (or `count` taken from the cache).
    pub fn compiled(&self, count: usize) {
        self.compile.inc(count as u64);
        self.show_if_slow();
    }

    /// A target starts linking; the returned line says so until `linked`.
    pub fn linking(&self, triple: &str) -> ProgressBar {
        self.show_if_slow();
        let line = self.bars.add(ProgressBar::new_spinner());
        line.set_message(format!("linking {triple}"));
        line.enable_steady_tick(Duration::from_millis(100));
        line
    }

    /// The build is over: clear the display.
    pub fn finish(&self) {
        self.compile.finish_and_clear();
        let _ = self.bars.clear();
    }
}

/// The end of a target's link.
pub fn linked(line: ProgressBar) {
    line.finish_and_clear();
}
