//! The query mix as the search page runs it, in process: top 20 by relevance, exact counts of
//! every facet over all matches (the year and month facets are the page's histogram), and
//! snippets. No result cache exists, so every round does the whole work.

use std::path::Path;

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

/// Runs every query of `mix` `rounds` times as `view_name` over the archive in `dir`.
pub fn ours(
    dir: &Path,
    mix: &[MixQuery],
    view_name: &str,
    rounds: usize,
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
        let (times, results) = time_rounds(rounds, || Ok(archive.search(&query, &opts, &view)?))?;
        anyhow::ensure!(
            !results.facets.is_empty() || results.total == 0,
            "{}: the page came back without facets",
            m.ours
        );
        out.push(QueryFigures {
            class: m.class.into(),
            query: m.ours.into(),
            hits: results.total,
            fraction: results.total as f64 / total.max(1) as f64,
            latency: Latency::of(&times),
        });
    }
    Ok(out)
}

/// Runs every query of `mix` `rounds` times on a peer that has ingested the same cables.
pub fn peer(
    peer: &mut dyn Peer,
    mix: &[MixQuery],
    rounds: usize,
    total: u64,
) -> anyhow::Result<Vec<QueryFigures>> {
    let mut out = Vec::new();
    for m in mix {
        let (times, answer): (_, PeerAnswer) = time_rounds(rounds, || peer.search(&m.peer))?;
        out.push(QueryFigures {
            class: m.class.into(),
            query: m.ours.into(),
            hits: answer.total,
            fraction: answer.total as f64 / total.max(1) as f64,
            latency: Latency::of(&times),
        });
    }
    Ok(out)
}
