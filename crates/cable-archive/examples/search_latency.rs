//! Search latency over an existing archive, in process: each query of a fixed mix run ROUNDS
//! times as the search page does it (top 20, every facet, snippets), reporting p50 and p95.
//!
//! `cargo run --release -p cable-archive --example search_latency -- DATA_DIR [ROUNDS] [VIEW]`
//!
//! VIEW is `owner` (the default: everything) or a clearance `LEVEL[+CAVEAT...]` (`U`,
//! `SECRET+NOFORN`) to measure with access control on, as that reader.

use std::time::Instant;

use cable_archive::{Archive, Clearance, SearchOptions, Sort, View, Who};
use cable_query::Level;

const QUERIES: &[&str] = &[
    "",
    "nuclear",
    "the",
    "\"human rights\"",
    "tag:PREL",
    "class>=SECRET caveat:NOFORN",
    "from:PARIS date:2009",
    "date:[2008-01-01 TO 2008-06-30] tag:PGOV",
    "minist*",
    "iran OR iraq -tag:PREL",
    "has:refs date:2010",
    "subject:elections",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: search_latency DATA_DIR [ROUNDS]");
    let rounds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
    let view_arg = args.next().unwrap_or_else(|| "owner".to_string());
    let t = Instant::now();
    let archive = Archive::open(std::path::Path::new(&dir)).expect("open");
    println!("open: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let view = if view_arg == "owner" {
        View::owner()
    } else {
        let mut parts = view_arg.split('+');
        let level = parts
            .next()
            .and_then(Level::parse)
            .expect("VIEW: LEVEL[+CAVEAT...]");
        let caveats: Vec<&str> = parts.collect();
        archive
            .view(
                Who::Reader("bench".into()),
                Some(Clearance::new(level, caveats)),
                None,
            )
            .expect("view")
    };
    println!("view: {view_arg}");
    println!(
        "{:<45} {:>9} {:>9} {:>9}",
        "query", "hits", "p50 ms", "p95 ms"
    );
    for sort in [Sort::Relevance, Sort::DateDesc] {
        for q in QUERIES {
            let query = cable_query::parse(q).expect("query");
            let opts = SearchOptions {
                limit: 20,
                offset: 0,
                sort,
            };
            let mut times = Vec::with_capacity(rounds);
            let mut total = 0;
            for _ in 0..rounds {
                let t = Instant::now();
                let r = archive.search(&query, &opts, &view).expect("search");
                times.push(t.elapsed().as_secs_f64() * 1e3);
                total = r.total;
            }
            times.sort_by(f64::total_cmp);
            let pct = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
            let label = format!("{q} ({sort:?})");
            println!(
                "{label:<45} {total:>9} {:>9.2} {:>9.2}",
                pct(0.5),
                pct(0.95)
            );
        }
    }
}
