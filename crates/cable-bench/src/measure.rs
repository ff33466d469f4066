//! Small measuring tools: percentiles, the process's peak memory, sizes on disk, progress.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Latency percentiles of a set of timings, in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Latency {
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `times` (any order).
    pub fn of(times: &[Duration]) -> Latency {
        let mut ms: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e3).collect();
        ms.sort_by(f64::total_cmp);
        let at = |p: f64| {
            if ms.is_empty() {
                return 0.0;
            }
            let rank = (p * ms.len() as f64).ceil() as usize;
            ms[rank.clamp(1, ms.len()) - 1]
        };
        Latency {
            samples: ms.len(),
            p50_ms: at(0.50),
            p95_ms: at(0.95),
            p99_ms: at(0.99),
            max_ms: ms.last().copied().unwrap_or(0.0),
        }
    }
}

/// The default of how long `f` runs untimed before [`time_rounds`] times it. The same question
/// asked again runs up to four times slower in its first twenty or so rounds than after, for the
/// same instructions (counted with callgrind) and no page faults: the machine's caches coming to
/// hold what it reads (BENCHMARKS.md, session 16). One warm-up round left those slow rounds among
/// the timed ones, where they made most of every p99 over three times its p50.
pub const WARM_UP: Duration = Duration::from_millis(200);

/// Runs `f` `rounds` times after running it untimed for `warm_up` (at least once), returning
/// each run's time and the last result.
pub fn time_rounds<T>(
    rounds: usize,
    warm_up: Duration,
    mut f: impl FnMut() -> anyhow::Result<T>,
) -> anyhow::Result<(Vec<Duration>, T)> {
    let warm = Instant::now();
    let mut last = f()?;
    while warm.elapsed() < warm_up {
        last = f()?;
    }
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        last = f()?;
        times.push(t.elapsed());
    }
    Ok((times, last))
}

/// Resets the process's peak resident set size (Linux: `/proc/self/clear_refs`), so that
/// [`peak_rss`] reports the peak of what follows. Returns false where the kernel does not allow it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The process's peak resident set size in bytes since start or the last [`reset_peak_rss`].
pub fn peak_rss() -> Option<u64> {
    status_kib("/proc/self/status", "VmHWM:").map(|k| k * 1024)
}

/// The resident set size of process `pid`, in bytes.
pub fn rss_of(pid: u32) -> Option<u64> {
    status_kib(&format!("/proc/{pid}/status"), "VmRSS:").map(|k| k * 1024)
}

/// Anonymous resident memory of process `pid` (RSS minus file-backed pages such as the
/// memory-mapped index), in bytes.
pub fn anon_rss_of(pid: u32) -> Option<u64> {
    status_kib(&format!("/proc/{pid}/status"), "RssAnon:").map(|k| k * 1024)
}

fn status_kib(path: &str, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Bytes of the files under `path`.
pub fn du(path: &Path) -> u64 {
    walk(path)
}

fn walk(path: &Path) -> u64 {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return 0;
    };
    if meta.is_dir() {
        std::fs::read_dir(path)
            .map(|rd| rd.flatten().map(|e| walk(&e.path())).sum())
            .unwrap_or(0)
    } else {
        meta.len()
    }
}

/// Prints a progress line to stderr at most every few seconds.
pub struct Progress {
    what: String,
    last: Instant,
    started: Instant,
}

impl Progress {
    pub fn new(what: impl Into<String>) -> Progress {
        let what = what.into();
        eprintln!("-- {what}");
        Progress {
            what,
            last: Instant::now(),
            started: Instant::now(),
        }
    }

    pub fn tick(&mut self, done: u64, total: u64) {
        if self.last.elapsed() >= Duration::from_secs(5) || done == total {
            self.last = Instant::now();
            eprintln!(
                "   {}: {done}/{total} ({:.0} s)",
                self.what,
                self.started.elapsed().as_secs_f64()
            );
        }
    }
}
