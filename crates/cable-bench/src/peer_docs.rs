//! The generated cables as the peers index them: parsed once by our parser (the peers are given
//! the fields, not asked to parse telegrams), streamed so memory stays flat.

use std::path::Path;

use cable_query::Ranked;
use rayon::prelude::*;

use crate::peers::PeerDoc;

/// Parsed at a time, in parallel, before being handed over in order.
const BATCH: usize = 2_000;

/// The documents of `csv`, a batch at a time (parsing is not part of a peer's timed ingest:
/// the caller parses a batch, then hands it over).
pub fn batches(csv: &Path) -> impl Iterator<Item = anyhow::Result<Vec<PeerDoc>>> {
    let mut raws = cable_sources::read_path(csv);
    std::iter::from_fn(move || {
        let chunk: Result<Vec<_>, _> = raws.by_ref().take(BATCH).collect();
        match chunk {
            Err(e) => Some(Err(e.into())),
            Ok(c) if c.is_empty() => None,
            Ok(c) => Some(Ok(c.into_par_iter().map(doc).collect())),
        }
    })
}

fn doc(raw: cable_sources::RawCable) -> PeerDoc {
    let cable = cable_sources::parse_raw(raw);
    let level = cable_archive::schema::cable_level(
        cable.classification.as_deref(),
        cable.banner.as_deref(),
    );
    let mut body = String::with_capacity(cable.text.len());
    // What our body field indexes: each paragraph with the section heading before it, or the
    // whole text when no paragraph was found.
    for p in &cable.paragraphs {
        for part in p.heading.iter().chain([&p.text]) {
            if !body.is_empty() {
                body.push('\n');
            }
            body.push_str(part);
        }
    }
    if cable.paragraphs.is_empty() {
        body.push_str(&cable.text);
    }
    PeerDoc {
        id: cable.id.clone().unwrap_or_default(),
        date: cable
            .date
            .as_deref()
            .and_then(|d| d.get(..10))
            .map(str::to_string),
        origin: cable.origin.as_deref().map(str::to_uppercase),
        classification: level.map(|l| l.name().to_string()),
        caveats: cable.caveats.clone(),
        tags: cable.tags.iter().map(|t| t.code.clone()).collect(),
        subject: cable.subject.clone().unwrap_or_default(),
        body,
    }
}
