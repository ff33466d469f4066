//! The benchmark as a smoke test in the normal test build: every part runs on a few hundred
//! cables for a few seconds, so the benchmark code cannot rot. Nothing here asserts on time;
//! it asserts that every part produced figures and that the peers were asked the same questions
//! (the queries without a text condition must count exactly the same cables everywhere).

use std::path::PathBuf;

use cable_bench::run::{run, Config};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// `target/debug/cables`, built by the same `cargo test --workspace` (the `cables` package has
/// integration tests, so its binary is built before any test runs).
fn cables_bin() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let bin = exe.parent()?.parent()?.join("cables");
    bin.exists().then_some(bin)
}

fn have(cmd: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {cmd}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn have_postgres() -> bool {
    std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|mut d| d.next().is_some())
}

/// A run of `cables` cables in `work`, every part for a moment; no peers, no load.
fn small(work: &std::path::Path, cables: usize) -> Config {
    Config {
        cables,
        seed: 3,
        work: work.to_path_buf(),
        corpus: shared().join("corpus"),
        parse_rounds: 1,
        rounds: 2,
        peer_rounds: 1,
        warm_up: std::time::Duration::ZERO,
        peers: Vec::new(),
        ceiling_batch: 120,
        ingest_pairs: 1,
        cables_bin: None,
        load_seconds: 2,
        load_connections: 2,
        soak_seconds: 2,
        soak_share: 0.5,
        skip: Vec::new(),
        only: Vec::new(),
        views: Vec::new(),
        stream: false,
    }
}

#[test]
fn every_part_of_the_benchmark_runs_on_a_small_archive() {
    let ci = std::env::var_os("CI").is_some();
    let mut peers = vec!["sqlite".to_string()];
    if have_postgres() {
        peers.push("postgres".into());
    } else {
        assert!(!ci, "PostgreSQL is missing under CI (.ci/run installs it)");
        eprintln!("note: PostgreSQL not installed; the smoke test runs without it");
    }
    let bin = cables_bin().filter(|_| have("wrk"));
    if bin.is_none() {
        assert!(!ci, "wrk or target/debug/cables is missing under CI");
        eprintln!("note: wrk or the cables binary missing; the smoke test skips the load part");
    }
    let work = tempfile::tempdir().unwrap();
    let config = Config {
        peers: peers.clone(),
        cables_bin: bin.clone(),
        ingest_pairs: 2,
        ..small(work.path(), 300)
    };
    let r = run(&config).expect("the benchmark runs");

    assert_eq!(r.parse.len(), 2);
    assert!(r.parse.iter().all(|p| p.cables == 1092 && p.mb_per_s > 0.0));
    let ours = r.ingest.as_ref().expect("our ingest ran");
    let ceiling = r.ceiling.as_ref().expect("the ceiling ran");
    assert_eq!((ours.cables, ceiling.cables), (300, 300));
    assert!(ours.size_bytes > 0 && ceiling.size_bytes > 0);
    // Two pairs, the first the one reported above; the ratio is taken over both.
    assert_eq!(r.ingest_pairs.len(), 2);
    assert_eq!(r.ingest_pairs[0], (ours.seconds, ceiling.seconds));
    let (o, c) = r
        .ingest_pairs
        .iter()
        .fold((0.0, 0.0), |(o, c), p| (o + p.0, c + p.1));
    assert!(r.ingest_pairs.iter().all(|&(o, c)| o > 0.0 && c > 0.0));
    assert_eq!(r.ingest_ratio, Some(c / o));

    let views: Vec<&str> = r.queries.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(views, ["owner", "SECRET", "public"]);
    let mix = cable_bench::mix::mix();
    let owner = &r.queries[0].1;
    assert_eq!(owner.len(), 20);
    assert_eq!(owner[15].hits, 300, "the empty query matches every cable");
    for (view, figures) in &r.queries[1..] {
        for (o, v) in owner.iter().zip(figures) {
            assert!(
                v.hits <= o.hits,
                "{view} sees more than the owner for {}",
                o.query
            );
        }
    }
    assert!(
        r.queries[2].1[15].hits < 300,
        "the public does not see every cable"
    );

    assert_eq!(r.peers.len(), peers.len());
    for p in &r.peers {
        assert_eq!(p.queries.len(), 20);
        assert!(p.size_bytes > 0);
        for (m, (q, o)) in mix.iter().zip(p.queries.iter().zip(owner)) {
            if m.peer.fts5.is_none() {
                assert_eq!(
                    q.hits, o.hits,
                    "{} counts {} for `{}`, we count {}",
                    p.name, q.hits, o.query, o.hits
                );
            } else if o.hits > 20 {
                assert!(
                    q.hits > 0,
                    "{} finds nothing for `{}`, we find {}",
                    p.name,
                    o.query,
                    o.hits
                );
            }
        }
    }

    if bin.is_some() {
        let load = r.load.as_ref().expect("the load test ran");
        assert!(load.requests > 0, "wrk sent requests");
        assert_eq!(load.errors, 0, "errors under load: {load:?}");
        let soak = r.soak.as_ref().expect("the soak ran");
        assert_eq!(soak.errors, 0);
        assert!(soak.rss_max > 0, "the server's memory was sampled");
    }
    let md = cable_bench::report::markdown(&r);
    assert!(
        md.contains("Ours / ceiling") && md.contains("sqlite-fts5"),
        "{md}"
    );
}

/// `--stream`: the cables go from the generator straight into the ingest; no cables.csv is
/// written, and the ceiling and the peers (which read it) do not run. `--only` narrows the mix
/// and `--views` the views.
#[test]
fn a_streamed_run_ingests_from_the_generator() {
    let work = tempfile::tempdir().unwrap();
    let config = Config {
        peers: vec!["sqlite".into()],
        skip: vec!["parse".into(), "load".into()],
        only: vec!["tag:".into(), "=breakfast".into()],
        views: vec!["owner".into(), "public".into()],
        stream: true,
        ..small(work.path(), 150)
    };
    let r = run(&config).expect("the streamed benchmark runs");
    let ours = r.ingest.as_ref().expect("our ingest ran");
    assert_eq!(ours.cables, 150);
    assert!(r.streamed && r.corpus_bytes == ours.bytes && ours.bytes > 0);
    assert!(r.ceiling.is_none() && r.peers.is_empty());
    let csvs = std::fs::read_dir(work.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "csv"))
        })
        .count();
    assert_eq!(csvs, 0, "no cables.csv is written");
    let views: Vec<&str> = r.queries.iter().map(|(v, _)| v.as_str()).collect();
    assert_eq!(views, ["owner", "public"]);
    let owner = &r.queries[0].1;
    assert!(owner.iter().any(|q| q.query == "breakfast"));
    assert!(owner
        .iter()
        .all(|q| q.query.contains("tag:") || q.query == "breakfast"));
    assert!(cable_bench::report::markdown(&r).contains("streamed from the generator"));
}
