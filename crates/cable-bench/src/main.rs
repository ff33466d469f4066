//! `cable-bench`: the archive-scale benchmark (see BENCHMARKS.md). Writes the results as JSON
//! and prints them as Markdown tables.
//!
//! `cargo build --release -p cables -p cable-bench && target/release/cable-bench --cables 250000`

use std::path::PathBuf;

use clap::Parser;

// The allocator and its setting, as `cables` has them.
#[path = "../../cables/src/memory.rs"]
mod memory;

#[derive(Parser)]
#[command(
    about = "The archive-scale benchmark: parse, ingest against the tantivy ceiling, the query mix, the peers, the server under load"
)]
struct Args {
    /// Generated cables to ingest and search.
    #[arg(long, default_value_t = 250_000)]
    cables: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Work folder: the generated cables.csv (kept and reused), the archive, the peers.
    #[arg(long, default_value = "target/bench")]
    work: PathBuf,
    /// The real corpus for the parse figures (default: ../shared/corpus beside the workspace).
    #[arg(long)]
    corpus: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    parse_rounds: usize,
    /// Rounds per query for our engine.
    #[arg(long, default_value_t = 100)]
    rounds: usize,
    /// Rounds per query for each peer.
    #[arg(long, default_value_t = 10)]
    peer_rounds: usize,
    /// Milliseconds each query runs untimed before its rounds, ours and the peers' alike (at
    /// least one run).
    #[arg(long, default_value_t = cable_bench::measure::WARM_UP.as_millis() as u64)]
    warm_up_ms: u64,
    /// Peers to compare with (comma-separated): sqlite, postgres; `none` for none.
    #[arg(long, default_value = "sqlite,postgres", value_delimiter = ',')]
    peers: Vec<String>,
    /// Prepared documents the ceiling holds in memory at a time.
    #[arg(long, default_value_t = 50_000)]
    ceiling_batch: usize,
    /// Pairs of ingests, ours and the ceiling, alternating their order (ours first, then the
    /// ceiling first, …); the ratio is taken over all of them.
    #[arg(long, default_value_t = 1)]
    ingest_pairs: usize,
    /// The `cables` binary for the load test (default: beside this one).
    #[arg(long)]
    cables_bin: Option<PathBuf>,
    #[arg(long, default_value_t = 30)]
    load_seconds: u64,
    #[arg(long, default_value_t = 8)]
    load_connections: u32,
    /// A paced soak after the capacity run, in seconds (0: none).
    #[arg(long, default_value_t = 0)]
    soak_seconds: u64,
    /// The soak's rate as a share of the measured capacity.
    #[arg(long, default_value_t = 0.8)]
    soak_share: f64,
    /// Parts to skip (comma-separated): parse, ingest (reuses the archive), ceiling, query,
    /// peers, load.
    #[arg(long, value_delimiter = ',')]
    skip: Vec<String>,
    /// Run only the queries of the mix whose text holds one of these (comma-separated), e.g.
    /// to profile one; `=TEXT` takes the query whose text is exactly TEXT.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// The views the mix runs as (comma-separated: owner, SECRET, public, or another level);
    /// all three when not given.
    #[arg(long, value_delimiter = ',')]
    views: Vec<String>,
    /// Generate the cables straight into our ingest, with no cables.csv (for 2,500,000 cables,
    /// whose CSV would not fit beside the archive); the ceiling and the peers do not run.
    #[arg(long)]
    stream: bool,
    /// Where the JSON results go (default: WORK/results-CABLES.json, or
    /// WORK/results-CABLES-narrowed.json when `--only` or `--views` narrows the run).
    #[arg(long)]
    out: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let a = Args::parse();
    // As `cables` runs every command but the server (the ingest and the ceiling alike; the
    // server under load is `cables serve`, which keeps mimalloc's default).
    memory::keep_freed_memory();
    let corpus = a.corpus.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
    });
    let cables_bin = a
        .cables_bin
        .or_else(|| {
            std::env::current_exe()
                .ok()
                .map(|e| e.with_file_name("cables"))
        })
        .filter(|p| p.exists());
    let skipped = |part: &str| a.skip.iter().any(|s| s == part);
    if cables_bin.is_none() && !skipped("load") {
        anyhow::bail!("no `cables` binary beside cable-bench: build it (`cargo build --release -p cables`), give --cables-bin, or --skip load");
    }
    // Found missing only at the end, after half an hour of ingesting and querying, it would
    // lose the whole run's figures: look first.
    if !skipped("load")
        && std::process::Command::new("wrk")
            .arg("--version")
            .output()
            .is_err()
    {
        anyhow::bail!(
            "no `wrk` for the load test: install it (`apt-get install wrk`) or --skip load"
        );
    }
    if !skipped("peers")
        && a.peers.iter().any(|p| p == "postgres")
        && cable_bench::peers::postgres::bin_dir().is_none()
    {
        anyhow::bail!(
            "no PostgreSQL server for the postgres peer: install it (`apt-get install postgresql`) \
             or leave it out (--peers sqlite)"
        );
    }
    // A run narrowed to some queries or views (profiling, a focused timing) keeps its figures
    // apart, so that it never replaces a whole run's.
    let narrowed = !a.only.is_empty() || !a.views.is_empty();
    let config = cable_bench::run::Config {
        cables: a.cables,
        seed: a.seed,
        work: a.work.clone(),
        corpus,
        parse_rounds: a.parse_rounds,
        rounds: a.rounds,
        peer_rounds: a.peer_rounds,
        warm_up: std::time::Duration::from_millis(a.warm_up_ms),
        peers: a.peers.into_iter().filter(|p| p != "none").collect(),
        ceiling_batch: a.ceiling_batch,
        ingest_pairs: a.ingest_pairs.max(1),
        cables_bin,
        load_seconds: a.load_seconds,
        load_connections: a.load_connections,
        soak_seconds: a.soak_seconds,
        soak_share: a.soak_share,
        skip: a.skip,
        only: a.only,
        views: a.views,
        stream: a.stream,
    };
    let results = cable_bench::run::run(&config)?;
    let out = a.out.unwrap_or_else(|| {
        let part = if narrowed { "-narrowed" } else { "" };
        a.work.join(format!("results-{}{part}.json", a.cables))
    });
    std::fs::write(&out, serde_json::to_string_pretty(&results)?)?;
    print!("{}", cable_bench::report::markdown(&results));
    eprintln!("results: {}", out.display());
    Ok(())
}
