//! The run as Markdown tables for BENCHMARKS.md.

use std::fmt::Write;

use crate::run::Results;

fn mb(b: u64) -> String {
    format!("{:.0} MB", b as f64 / 1e6)
}

/// Markdown for `r`.
pub fn markdown(r: &Results) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Run of {}: {} cables (seed {}, {} {}), machine {}, {:.0} s in all.\n",
        r.date,
        r.cables,
        r.seed,
        mb(r.corpus_bytes),
        if r.streamed {
            "of cable text, streamed from the generator"
        } else {
            "of cables.csv"
        },
        r.machine,
        r.total_seconds
    );
    if !r.parse.is_empty() {
        let _ = writeln!(
            s,
            "| parse, real corpus | MB/s | MB/s per core |\n|---|---|---|"
        );
        for p in &r.parse {
            let _ = writeln!(
                s,
                "| {} thread(s), {} cables, best of rounds | {:.1} | {:.1} |",
                p.threads, p.cables, p.mb_per_s, p.mb_per_s_per_core
            );
        }
        s.push('\n');
    }
    if r.ingest.is_some() || r.ceiling.is_some() {
        let _ = writeln!(s, "| ingest | cables/s | MB/s | seconds | peak RSS | on disk |\n|---|---|---|---|---|---|");
        for (name, f) in [
            (
                if r.streamed {
                    "ours (`Archive::ingest_stream` of the generated cables, generating included)"
                } else {
                    "ours (`Archive::ingest` of the cables.csv)"
                },
                &r.ingest,
            ),
            ("ceiling (tantivy alone, same documents)", &r.ceiling),
        ] {
            if let Some(f) = f {
                let _ = writeln!(
                    s,
                    "| {name} | {:.0} | {:.1} | {:.1} | {} | {} |",
                    f.cables_per_s,
                    f.mb_per_s,
                    f.seconds,
                    f.peak_rss_bytes.map_or("?".into(), mb),
                    mb(f.size_bytes)
                );
            }
        }
        if r.ingest_pairs.len() > 1 {
            let pairs: Vec<String> = r
                .ingest_pairs
                .iter()
                .enumerate()
                .map(|(i, (o, c))| {
                    let order = if crate::run::ours_first(i) {
                        "ours first"
                    } else {
                        "ceiling first"
                    };
                    format!("{o:.1} s / {c:.1} s ({order}: {:.2})", c / o)
                })
                .collect();
            let _ = writeln!(s, "\nIngest pairs, ours / ceiling: {}.", pairs.join("; "));
        }
        if let Some(ratio) = r.ingest_ratio {
            let over = if r.ingest_pairs.len() > 1 {
                format!(", over {} pairs", r.ingest_pairs.len())
            } else {
                String::new()
            };
            let _ = writeln!(s, "\nOurs / ceiling: **{ratio:.2}**{over} (target 0.85).");
        }
        for p in &r.peers {
            let _ = writeln!(
                s,
                "\n{} ingest: {:.1} s ({:.0} cables/s), {} on disk.",
                p.name,
                p.ingest_seconds,
                r.cables as f64 / p.ingest_seconds.max(1e-9),
                mb(p.size_bytes)
            );
        }
        s.push('\n');
    }
    if let Some((_, owner)) = r.queries.first() {
        let _ = write!(
            s,
            "| class | query | hits | share | ours p50 / p95 / p99 ms |"
        );
        for (v, _) in r.queries.iter().skip(1) {
            let _ = write!(s, " as {v}: hits, p50 / p99 ms |");
        }
        for p in &r.peers {
            let _ = write!(s, " {}: p50 / p99 ms (ratio of p50s) |", p.name);
        }
        s.push('\n');
        let cols = 5 + r.queries.len() - 1 + r.peers.len();
        let _ = writeln!(s, "|{}", "---|".repeat(cols));
        for (i, q) in owner.iter().enumerate() {
            let l = &q.latency;
            let _ = write!(
                s,
                "| {} | `{}` | {} | {:.1}% | {:.1} / {:.1} / {:.1} |",
                q.class,
                if q.query.is_empty() {
                    "(everything)"
                } else {
                    &q.query
                },
                q.hits,
                q.fraction * 100.0,
                l.p50_ms,
                l.p95_ms,
                l.p99_ms
            );
            for (_, other) in r.queries.iter().skip(1) {
                let o = &other[i];
                let _ = write!(
                    s,
                    " {}, {:.1} / {:.1} |",
                    o.hits, o.latency.p50_ms, o.latency.p99_ms
                );
            }
            for p in &r.peers {
                let pq = &p.queries[i];
                let _ = write!(
                    s,
                    " {:.1} / {:.1} ({:.1}×) |",
                    pq.latency.p50_ms,
                    pq.latency.p99_ms,
                    pq.latency.p50_ms / l.p50_ms.max(1e-9)
                );
            }
            s.push('\n');
        }
        s.push('\n');
    }
    for (name, l) in [("load (closed loop)", &r.load), ("soak (paced)", &r.soak)] {
        if let Some(l) = l {
            let _ = writeln!(
                s,
                "{name}: {:.0} s, {} connections{}: {} requests, **{:.0} requests/s**, {} errors ({} non-2xx), latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server RSS first/max/last {} / {} / {}, anonymous {} / {} / {}.",
                l.seconds, l.connections, l.target_rps.map_or(String::new(), |t| format!(", paced at {t:.0}/s")), l.requests, l.requests_per_s, l.errors, l.non_2xx, l.p50_ms, l.p90_ms, l.p99_ms, l.max_ms,
                mb(l.rss_first), mb(l.rss_max), mb(l.rss_last), mb(l.anon_first), mb(l.anon_max), mb(l.anon_last)
            );
        }
    }
    s
}
