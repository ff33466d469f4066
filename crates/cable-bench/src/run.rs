//! One benchmark run: every part in order, into one [`Results`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

use crate::ingest::IngestFigures;
use crate::load::LoadFigures;
use crate::parse::ParseFigures;
use crate::peers::{postgres::Postgres, sqlite::Sqlite, Peer};
use crate::query::QueryFigures;

/// What to run and at what size.
#[derive(Debug, Clone)]
pub struct Config {
    pub cables: usize,
    pub seed: u64,
    /// Where the generated corpus, the archives and the peers' databases go.
    pub work: PathBuf,
    /// The real corpus for the parse figures.
    pub corpus: PathBuf,
    pub parse_rounds: usize,
    /// Rounds per query for our engine, and for the peers.
    pub rounds: usize,
    pub peer_rounds: usize,
    /// How long each query runs untimed before its rounds ([`crate::measure::WARM_UP`]).
    pub warm_up: std::time::Duration,
    /// `sqlite`, `postgres`.
    pub peers: Vec<String>,
    /// Prepared documents held at a time by the ceiling.
    pub ceiling_batch: usize,
    /// Pairs of ingests (ours and the ceiling) to time: the first in that order, each further
    /// pair in the order opposite to the one before (ours, ceiling, ceiling, ours, …), so that a
    /// machine growing slower or faster during the run weighs on both sides alike.
    pub ingest_pairs: usize,
    /// The `cables` binary for the load test; `None` skips it.
    pub cables_bin: Option<PathBuf>,
    pub load_seconds: u64,
    pub load_connections: u32,
    /// A paced soak after the capacity run: seconds (0: none) and the share of the measured
    /// capacity to run at.
    pub soak_seconds: u64,
    pub soak_share: f64,
    /// Skip parts: `parse`, `ingest`, `ceiling`, `query`, `peers`, `load`.
    pub skip: Vec<String>,
    /// Run only the queries of the mix whose text holds one of these (all when empty): for
    /// profiling one query. `=TEXT` takes the query whose text is exactly TEXT.
    pub only: Vec<String>,
    /// The views the mix runs as ([`crate::query::VIEWS`] when empty).
    pub views: Vec<String>,
    /// Generate the cables straight into our ingest, with no `cables.csv` (for 2,500,000
    /// cables, whose CSV would not fit on the disk beside the archive). The ceiling and the
    /// peers, which read the CSV, do not run.
    pub stream: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeerFigures {
    pub name: String,
    pub ingest_seconds: f64,
    pub size_bytes: u64,
    pub queries: Vec<QueryFigures>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub date: String,
    pub machine: String,
    pub cables: usize,
    pub seed: u64,
    /// Bytes of the `cables.csv`; when streamed, of the cable texts ingested.
    pub corpus_bytes: u64,
    /// Whether the cables were generated straight into the ingest (no CSV, no ceiling, no
    /// peers).
    pub streamed: bool,
    pub parse: Vec<ParseFigures>,
    pub ingest: Option<IngestFigures>,
    pub ceiling: Option<IngestFigures>,
    /// Ours as a share of the ceiling's cables/s: over every pair, the ceiling's seconds over
    /// ours.
    pub ingest_ratio: Option<f64>,
    /// Seconds of ours and of the ceiling in each pair (the first pair's are `ingest` and
    /// `ceiling`).
    pub ingest_pairs: Vec<(f64, f64)>,
    /// View name → the mix's figures.
    pub queries: Vec<(String, Vec<QueryFigures>)>,
    pub peers: Vec<PeerFigures>,
    pub load: Option<LoadFigures>,
    pub soak: Option<LoadFigures>,
    pub total_seconds: f64,
}

fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(String::new(), |k| {
            format!(", {:.0} GiB", k as f64 / 1048576.0)
        });
    format!("{cores} cores{mem}")
}

/// Whether ingest pair `pair` (from 0) times ours before the ceiling: every other pair does,
/// the first among them.
pub fn ours_first(pair: usize) -> bool {
    pair.is_multiple_of(2)
}

/// Runs the benchmark as `config` says.
pub fn run(config: &Config) -> anyhow::Result<Results> {
    let started = Instant::now();
    let skip = |part: &str| config.skip.iter().any(|s| s == part);
    let mut results = Results {
        date: jiff::Zoned::now().date().to_string(),
        machine: machine(),
        cables: config.cables,
        seed: config.seed,
        corpus_bytes: 0,
        streamed: config.stream,
        parse: Vec::new(),
        ingest: None,
        ceiling: None,
        ingest_ratio: None,
        ingest_pairs: Vec::new(),
        queries: Vec::new(),
        peers: Vec::new(),
        load: None,
        soak: None,
        total_seconds: 0.0,
    };

    if !skip("parse") {
        let files = crate::parse::load(&config.corpus)?;
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for threads in [1, cores.max(2)] {
            eprintln!("-- parse: {} cables, {threads} thread(s)", files.len());
            results
                .parse
                .push(crate::parse::measure(&files, threads, config.parse_rounds)?);
        }
    }

    let total = config.cables as u64;
    let archive = config
        .work
        .join(format!("archive-seed{}-{}", config.seed, config.cables));
    if config.stream {
        if !skip("ingest") || !archive.join("index").exists() {
            fresh(&archive)?;
            results.ingest = Some(crate::ingest::ours_streamed(config.seed, &archive, total)?);
        }
        results.corpus_bytes = results.ingest.as_ref().map_or(0, |i| i.bytes);
    }
    let csv = if config.stream {
        None
    } else {
        let csv = crate::corpus::ensure_csv(&config.work, config.seed, config.cables)?;
        results.corpus_bytes = std::fs::metadata(&csv)?.len();
        if !skip("ingest") || !archive.join("index").exists() {
            fresh(&archive)?;
            results.ingest = Some(crate::ingest::ours(&csv, &archive, total)?);
        }
        Some(csv)
    };
    if let (false, Some(csv)) = (skip("ceiling"), &csv) {
        let dir = config.work.join("ceiling");
        fresh(&dir)?;
        let c = crate::ingest::ceiling(csv, &dir, total, config.ceiling_batch)?;
        std::fs::remove_dir_all(&dir)?;
        if let Some(o) = &results.ingest {
            results.ingest_pairs.push((o.seconds, c.seconds));
            // Further pairs into scratch folders, the archive of the first kept for the queries.
            let again = config.work.join("archive-again");
            let scratch = |dir: &Path, ingest: &dyn Fn(&Path) -> anyhow::Result<IngestFigures>| {
                fresh(dir)?;
                let seconds = ingest(dir)?.seconds;
                std::fs::remove_dir_all(dir)?;
                anyhow::Ok(seconds)
            };
            let ours = || scratch(&again, &|d| crate::ingest::ours(csv, d, total));
            let ceiling = || {
                scratch(&dir, &|d| {
                    crate::ingest::ceiling(csv, d, total, config.ceiling_batch)
                })
            };
            for pair in 1..config.ingest_pairs {
                // A tuple is evaluated left to right.
                results.ingest_pairs.push(if ours_first(pair) {
                    (ours()?, ceiling()?)
                } else {
                    let c = ceiling()?;
                    (ours()?, c)
                });
            }
            let (o, c) = results
                .ingest_pairs
                .iter()
                .fold((0.0, 0.0), |(o, c), p| (o + p.0, c + p.1));
            results.ingest_ratio = Some(c / o);
        }
        results.ceiling = Some(c);
    }

    let mix: Vec<_> = crate::mix::mix()
        .into_iter()
        .filter(|q| {
            config.only.is_empty()
                || config.only.iter().any(|o| match o.strip_prefix('=') {
                    Some(exact) => q.ours == exact,
                    None => q.ours.contains(o.as_str()),
                })
        })
        .collect();
    let views: Vec<&str> = if config.views.is_empty() {
        crate::query::VIEWS.to_vec()
    } else {
        config.views.iter().map(String::as_str).collect()
    };
    if !skip("query") {
        for view in views {
            eprintln!(
                "-- queries as {view}: {} queries x {} rounds",
                mix.len(),
                config.rounds
            );
            let figures =
                crate::query::ours(&archive, &mix, view, config.rounds, config.warm_up, total)?;
            results.queries.push((view.to_string(), figures));
        }
    }

    if let (false, Some(csv)) = (skip("peers"), &csv) {
        for name in &config.peers {
            let dir = config.work.join(format!("peer-{name}"));
            fresh(&dir)?;
            let mut peer: Box<dyn Peer> = match name.as_str() {
                "sqlite" => Box::new(Sqlite::create(&dir)?),
                "postgres" => Box::new(Postgres::start(&dir)?),
                other => anyhow::bail!("unknown peer {other} (sqlite, postgres)"),
            };
            let seconds = peer_ingest(peer.as_mut(), csv, total)?;
            eprintln!("-- {}: queries, {} rounds", peer.name(), config.peer_rounds);
            let queries = crate::query::peer(
                peer.as_mut(),
                &mix,
                config.peer_rounds,
                config.warm_up,
                total,
            )?;
            results.peers.push(PeerFigures {
                name: peer.name().to_string(),
                ingest_seconds: seconds,
                size_bytes: peer.size_bytes()?,
                queries,
            });
            drop(peer);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    if let (false, Some(bin)) = (skip("load"), &config.cables_bin) {
        let queries: Vec<&str> = mix.iter().map(|m| m.ours).collect();
        let paths = crate::load::paths(&queries);
        let server = crate::load::Server::start(bin, &archive)?;
        eprintln!(
            "-- load: {} s, {} connections, {}",
            config.load_seconds, config.load_connections, server.url
        );
        let cap = crate::load::run(
            &server,
            &paths,
            config.load_seconds,
            config.load_connections,
            None,
            0.0,
        )?;
        if config.soak_seconds > 0 {
            let target = cap.requests_per_s * config.soak_share;
            eprintln!(
                "-- soak: {} s at {target:.0} requests/s",
                config.soak_seconds
            );
            // wrk paces by a delay before each request: rate = connections / (latency +
            // delay). The latency at the target rate is not known beforehand, so short pilot
            // runs measure it and the delay is corrected until the rate is within 5%.
            let mut latency = cap.mean_ms;
            for _ in 0..3 {
                let pilot = crate::load::run(
                    &server,
                    &paths,
                    config.soak_seconds.min(20),
                    config.load_connections,
                    Some(target),
                    latency,
                )?;
                eprintln!(
                    "   pilot: {:.0} requests/s for {target:.0} (mean latency {:.1} ms)",
                    pilot.requests_per_s, pilot.mean_ms
                );
                latency = pilot.mean_ms;
                if (pilot.requests_per_s / target - 1.0).abs() <= 0.05 {
                    break;
                }
            }
            let soak = crate::load::run(
                &server,
                &paths,
                config.soak_seconds,
                config.load_connections,
                Some(target),
                latency,
            )?;
            results.soak = Some(soak);
        }
        results.load = Some(cap);
    }
    results.total_seconds = started.elapsed().as_secs_f64();
    Ok(results)
}

/// Times a peer's ingest of `csv`: parsing by our parser happens between batches, untimed.
fn peer_ingest(peer: &mut dyn Peer, csv: &Path, total: u64) -> anyhow::Result<f64> {
    // The peer's `ingest` pulls documents from an iterator; the time spent parsing the next
    // batch inside it is measured apart and subtracted.
    let mut progress = crate::measure::Progress::new(format!("{}: ingest", peer.name()));
    let mut parse_time = std::time::Duration::ZERO;
    let mut done = 0u64;
    let mut failure: Option<anyhow::Error> = None;
    let mut batches = crate::peer_docs::batches(csv);
    let mut current: std::vec::IntoIter<crate::peers::PeerDoc> = Vec::new().into_iter();
    let mut docs = std::iter::from_fn(|| loop {
        if let Some(d) = current.next() {
            done += 1;
            progress.tick(done, total);
            return Some(d);
        }
        let t = Instant::now();
        let next = batches.next();
        parse_time += t.elapsed();
        match next {
            None => return None,
            Some(Err(e)) => {
                failure = Some(e);
                return None;
            }
            Some(Ok(b)) => current = b.into_iter(),
        }
    });
    let t = Instant::now();
    peer.ingest(&mut docs)
        .with_context(|| format!("{}: ingest", peer.name()))?;
    let took = t.elapsed();
    if let Some(e) = failure {
        return Err(e);
    }
    Ok((took - parse_time).as_secs_f64())
}

fn fresh(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir)?;
    Ok(())
}
