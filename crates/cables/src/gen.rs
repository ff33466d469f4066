//! `cables gen`: deterministic synthetic cables (`cable-synth`) written to a folder, one
//! `<ID>.txt` per cable, or to one `cables.csv` in the layout of the Cablegate dump.
//!
//! Cables are generated in parallel, a chunk at a time and a chunk ahead of the writer (each
//! cable depends only on the seed, the count and its index), and written in index order, so the
//! output is the same bytes whatever the number of threads. On a terminal a progress line with count, rate and ETA is kept up to
//! date on stderr; in a pipe a plain line is printed every few seconds. The summary goes to
//! stdout, as text or, with `--json`, as `{"count", "seed", "format", "out", "bytes"}`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use cable_synth::{CablesCsvWriter, SynthCable};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::output;

pub const GEN_HELP: &str = "\
Output: with --format txt (the default), DIR/<ID>.txt for every cable; with --format csv, one \
DIR/cables.csv (no header row, 8 quoted fields per cable, backslash escapes, as the Cablegate \
dump). DIR is created if missing; files of the same names are overwritten. With --ingest, no \
file is written: the cables go straight into the archive (--data), as `cables ingest` would \
put them, and the ingest summary is printed.

The same --count and --seed always give the same bytes. The cables follow the statistics of \
the development corpus (classification, year, origin and length mixes, headings with and \
without VZCZC, REF lists citing other cables of the set) with words drawn from a frequency \
table; see crates/cable-synth.

Exit status: 0 on success, 1 when the output cannot be written, 2 on a usage error.

Examples:
  cables gen --count 1000 --seed 7 --out /tmp/cables
  cables gen --count 100000 --out /tmp/bench --format csv --json
  cables --data /tmp/demo gen --count 20000 --seed 1 --ingest";

#[derive(Args, Debug)]
pub struct GenArgs {
    /// How many cables to generate
    #[arg(long, value_name = "N")]
    count: usize,

    /// The seed: the same seed and count give the same cables
    #[arg(long, value_name = "S", default_value_t = 0)]
    seed: u64,

    /// The folder to write to (created if missing)
    #[arg(long, value_name = "DIR", required_unless_present = "ingest")]
    out: Option<PathBuf>,

    /// Stream the cables straight into the archive (--data) instead of writing files
    #[arg(long, conflicts_with_all = ["out", "format"])]
    ingest: bool,

    /// One text file per cable, or one cables.csv
    #[arg(long, value_enum, default_value_t = Format::Txt)]
    format: Format,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Format {
    Txt,
    Csv,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Txt => "txt",
            Format::Csv => "csv",
        }
    }
}

/// What `--json` prints.
#[derive(Serialize)]
struct Summary {
    count: u64,
    seed: u64,
    format: Format,
    out: String,
    bytes: u64,
}

/// Cables generated per thread and chunk: big enough to keep threads busy, small enough that a
/// chunk in memory stays a few megabytes.
const PER_THREAD: usize = 64;

pub fn run(args: &GenArgs, data: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let Some(out_dir) = args.out.as_deref() else {
        return ingest(args, data, json);
    };
    let started = Instant::now();
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let set = cable_synth::generate(args.seed, args.count);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let mut progress = Progress::new(args.count);
    let mut sink = Sink::open(out_dir, args.format)?;
    // Generation runs a chunk ahead of writing: the generator threads make the next chunk while
    // this thread writes the last one. If writing fails, the channel closes and they stop.
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<SynthCable>>(1);
        let set = &set;
        scope.spawn(move || produce(set, threads, &tx));
        let mut done = 0;
        for chunk in rx {
            for cable in &chunk {
                sink.write(cable)?;
            }
            done += chunk.len();
            progress.update(done, sink.bytes());
        }
        Ok(())
    })?;
    let bytes = sink.finish()?;
    progress.clear();

    let mut out = output::stdout();
    if json {
        let summary = Summary {
            count: args.count as u64,
            seed: args.seed,
            format: args.format,
            out: out_dir.display().to_string(),
            bytes,
        };
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        let target = match args.format {
            Format::Txt => out_dir.display().to_string(),
            Format::Csv => out_dir.join("cables.csv").display().to_string(),
        };
        writeln!(
            out,
            "generated {} cables (seed {}) as {} in {}: {} in {:.1} s",
            args.count,
            args.seed,
            args.format.name(),
            target,
            human_bytes(bytes),
            started.elapsed().as_secs_f64()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `cables gen --ingest`: generated cables go straight into the archive, a chunk ahead of the
/// ingest as when writing files, with no file in between. Each is a raw cable of container
/// `generated` whose path names the set (`cables gen --seed S --count N`) and whose row is its
/// 1-based index in the set.
fn ingest(args: &GenArgs, data: Option<&Path>, json: bool) -> anyhow::Result<ExitCode> {
    let mut archive = crate::archive_cmds::open(data)?;
    let summary = ingest_generated(&mut archive, args.seed, args.count)?;
    crate::archive_cmds::print_summary(&summary, json)
}

/// Generate the set `(seed, count)` into `archive`, with the ingest's progress display.
pub fn ingest_generated(
    archive: &mut cable_archive::Archive,
    seed: u64,
    count: usize,
) -> anyhow::Result<cable_archive::IngestSummary> {
    let set = cable_synth::generate(seed, count);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let origin = set.source_path();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<SynthCable>>(1);
        let set = &set;
        scope.spawn(move || produce(set, threads, &tx));
        let items = rx.into_iter().flatten().map(|c| Ok(c.into_raw(&origin)));
        crate::archive_cmds::run_ingest(
            archive,
            crate::archive_cmds::Total::Cables(count as u64),
            |archive, progress| archive.ingest_stream(items, progress),
        )
    })
}

/// Send the whole set down `tx` in order, a chunk at a time; stops early when the receiver is
/// gone (writing or ingesting failed).
fn produce(
    set: &cable_synth::Generator,
    threads: usize,
    tx: &std::sync::mpsc::SyncSender<Vec<SynthCable>>,
) {
    let count = set.count();
    let mut next = 0;
    while next < count {
        let end = (next + threads * PER_THREAD).min(count);
        if tx.send(generate_chunk(set, next, end, threads)).is_err() {
            break;
        }
        next = end;
    }
}

/// Cables `start..end` of the set, in order, generated on up to `threads` threads.
fn generate_chunk(
    set: &cable_synth::Generator,
    start: usize,
    end: usize,
    threads: usize,
) -> Vec<SynthCable> {
    let n = end - start;
    if threads <= 1 || n < 2 * PER_THREAD {
        return (start..end).map(|i| set.cable(i)).collect();
    }
    let per = n.div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (start..end)
            .step_by(per)
            .map(|from| {
                let to = (from + per).min(end);
                scope.spawn(move || (from..to).map(|i| set.cable(i)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a generator thread panicked"))
            .collect()
    })
}

/// Where cables go: files in a folder, or one cables.csv.
enum Sink {
    Txt { dir: PathBuf, bytes: u64 },
    Csv(CablesCsvWriter<std::fs::File>, PathBuf),
}

impl Sink {
    fn open(dir: &Path, format: Format) -> anyhow::Result<Sink> {
        Ok(match format {
            Format::Txt => Sink::Txt {
                dir: dir.to_path_buf(),
                bytes: 0,
            },
            Format::Csv => {
                let path = dir.join("cables.csv");
                let w = CablesCsvWriter::create(&path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                Sink::Csv(w, path)
            }
        })
    }

    fn write(&mut self, cable: &SynthCable) -> anyhow::Result<()> {
        match self {
            Sink::Txt { dir, bytes } => {
                *bytes += cable_synth::write_txt(dir, cable)
                    .with_context(|| format!("cannot write {}/{}.txt", dir.display(), cable.id))?;
            }
            Sink::Csv(w, path) => {
                w.write(cable)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
        }
        Ok(())
    }

    fn bytes(&self) -> u64 {
        match self {
            Sink::Txt { bytes, .. } => *bytes,
            Sink::Csv(w, _) => w.bytes(),
        }
    }

    fn finish(self) -> anyhow::Result<u64> {
        let bytes = self.bytes();
        if let Sink::Csv(w, path) = self {
            w.finish()
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(bytes)
    }
}

/// Progress on stderr: a line kept up to date on a terminal, a plain line every few seconds in
/// a pipe, nothing for runs shorter than that.
struct Progress {
    total: usize,
    started: Instant,
    last: Instant,
    terminal: bool,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let now = Instant::now();
        Progress {
            total,
            started: now,
            last: now,
            terminal: std::io::stderr().is_terminal(),
            shown: false,
        }
    }

    fn update(&mut self, done: usize, bytes: u64) {
        let every = if self.terminal {
            Duration::from_millis(200)
        } else {
            Duration::from_secs(5)
        };
        if self.last.elapsed() < every || done >= self.total {
            return;
        }
        self.last = Instant::now();
        let secs = self.started.elapsed().as_secs_f64();
        let rate = done as f64 / secs.max(1e-9);
        let eta = (self.total - done) as f64 / rate.max(1e-9);
        let line = format!(
            "generating: {done}/{} cables ({:.0}%), {}, {:.0} cables/s, ETA {:.0} s",
            self.total,
            100.0 * done as f64 / self.total as f64,
            human_bytes(bytes),
            rate,
            eta
        );
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K{line}");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
        self.shown = true;
    }

    fn clear(&self) {
        if self.terminal && self.shown {
            let _ = write!(std::io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.2} GB", n as f64 / f64::from(1u32 << 30)),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / f64::from(1u32 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}
