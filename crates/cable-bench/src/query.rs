//! The query mix as the search page runs it, in process: top 20 by relevance, exact counts of
//! every facet over all matches (the year and month facets are the page's histogram), and
//! snippets. No result cache exists, so every round does the whole work.

use std::path::Path;
use std::time::Duration;

use cable_archive::{Archive, Clearance, SearchOptions, Sort, View, Who};
use cable_query::Level;
use serde::Serialize;

use crate::measure::{time_rounds, Latency};
use crate::mix::MixQuery;
use crate::peers::{Peer, PeerAnswer};

/// Who the mix runs as: the owner (no restriction), a reader cleared SECRET without caveats
/// (access control on, most of the archive visible), the public (UNCLASSIFIED portions only).
pub const VIEWS: &[&str] = &["owner", "SECRET", "public"];

/// One query's figures for one engine or view.
#[derive(Debug, Clone, Serialize)]
pub struct QueryFigures {
    pub class: String,
    pub query: String,
    pub hits: u64,
    /// Share of the archive matched.
    pub fraction: f64,
    pub latency: Latency,
}

impl QueryFigures {
    /// The figures of query `m`: `hits` of an archive of `total` cables, and its timings.
    fn new(m: &MixQuery, hits: u64, total: u64, times: &[std::time::Duration]) -> QueryFigures {
        QueryFigures {
            class: m.class.into(),
            query: m.ours.into(),
            hits,
            fraction: hits as f64 / total.max(1) as f64,
            latency: Latency::of(times),
        }
    }
}

/// The view called `name` (one of [`VIEWS`]).
pub fn view(archive: &Archive, name: &str) -> anyhow::Result<View> {
    Ok(match name {
        "owner" => View::owner(),
        "public" => archive.view(Who::Anonymous, Some(Clearance::public()), None)?,
        level => {
            let level =
                Level::parse(level).ok_or_else(|| anyhow::anyhow!("unknown view {level}"))?;
            archive.view(
                Who::Reader("bench".into()),
                Some(Clearance::new::<&str>(level, [])),
                None,
            )?
        }
    })
}

/// Runs every query of `mix` `rounds` times, each after `warm_up`, as `view_name` over the
/// archive in `dir`.
pub fn ours(
    dir: &Path,
    mix: &[MixQuery],
    view_name: &str,
    rounds: usize,
    warm_up: Duration,
    total: u64,
) -> anyhow::Result<Vec<QueryFigures>> {
    let archive = Archive::open(dir)?;
    let view = view(&archive, view_name)?;
    let opts = SearchOptions {
        limit: 20,
        offset: 0,
        sort: Sort::Relevance,
    };
    let mut out = Vec::new();
    for m in mix {
        let query = cable_query::parse(m.ours).map_err(|e| anyhow::anyhow!("{}: {e}", m.ours))?;
        let search = || Ok(archive.search(&query, &opts, &view)?);
        let (times, results) = time_rounds(rounds, warm_up, search)?;
        // Every facet name is always present (possibly empty), so look at a count: generated
        // cables are all dated, so a page with matches has a year histogram.
        anyhow::ensure!(
            results.total == 0 || results.facets.get("year").is_some_and(|y| !y.is_empty()),
            "{}: the page came back without its year facet",
            m.ours
        );
        out.push(QueryFigures::new(m, results.total, total, &times));
    }
    Ok(out)
}

/// Runs every query of `mix` `rounds` times, each after `warm_up`, on a peer that has ingested
/// the same cables.
pub fn peer(
    peer: &mut dyn Peer,
    mix: &[MixQuery],
    rounds: usize,
    warm_up: Duration,
    total: u64,
) -> anyhow::Result<Vec<QueryFigures>> {
    let mut out = Vec::new();
    for m in mix {
        let (times, answer): (_, PeerAnswer) =
            time_rounds(rounds, warm_up, || peer.search(&m.peer))?;
        out.push(QueryFigures::new(m, answer.total, total, &times));
    }
    Ok(out)
}
