//! Export: every cable a query matches, streamed segment by segment in archive order, in
//! constant memory whatever the number of matches (no top-k collector, no list of addresses).

use std::io::Write;

use cable_query::Query;
use serde::Serialize;
use serde_json::Value;
use tantivy::query::{EnableScoring, Query as _, Scorer, Weight};
use tantivy::schema::Value as _;
use tantivy::store::StoreReader;
use tantivy::{DocId, DocSet, Searcher, TantivyDocument, TERMINATED};

use crate::access::{self, View};
use crate::error::Result;
use crate::schema::Fields;
use crate::{Archive, CableRecord};

/// The formats `export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line: the parse contract's fields, plus `version` (the hash) and
    /// `text` (the original text).
    Jsonl,
    /// A header row, then one row per cable (see [`CSV_COLUMNS`]).
    Csv,
}

/// The columns of a CSV export; list fields are joined with `; `.
pub const CSV_COLUMNS: [&str; 17] = [
    "id",
    "date",
    "classification",
    "caveats",
    "banner",
    "precedence",
    "origin",
    "from",
    "to",
    "info",
    "tags",
    "subject",
    "references",
    "paragraphs",
    "diagnostics",
    "version",
    "text",
];

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    pub cables: u64,
    pub bytes: u64,
}

/// Every current cable a query matches, in archive order, one record at a time.
pub struct Matches {
    searcher: Searcher,
    weight: Box<dyn Weight>,
    fields: Fields,
    total: u64,
    segment: usize,
    cursor: Option<(Box<dyn Scorer>, StoreReader, DocId)>,
    view: View,
}

impl Matches {
    /// How many cables the stream yields in all.
    pub fn total(&self) -> u64 {
        self.total
    }

    fn next_doc(&mut self) -> Result<Option<TantivyDocument>> {
        loop {
            if let Some((scorer, store, doc)) = &mut self.cursor {
                let readers = self.searcher.segment_readers();
                let alive = readers[self.segment - 1].alive_bitset();
                while *doc != TERMINATED {
                    let this = *doc;
                    *doc = scorer.advance();
                    if alive.is_none_or(|a| a.is_alive(this)) {
                        return Ok(Some(store.get(this)?));
                    }
                }
                self.cursor = None;
            }
            let readers = self.searcher.segment_readers();
            let Some(reader) = readers.get(self.segment) else {
                return Ok(None);
            };
            self.segment += 1;
            let scorer = self.weight.scorer(reader, 1.0)?;
            let store = reader
                .get_store_reader(1)
                .map_err(tantivy::TantivyError::from)?;
            let doc = scorer.doc();
            self.cursor = Some((scorer, store, doc));
        }
    }

    /// The record as the view sees it; `None` for one it may not see (the query is limited to
    /// visible cables, so only as a second guard).
    fn record(&self, doc: &TantivyDocument) -> Result<Option<CableRecord>> {
        let text = |f| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let cable: Value = serde_json::from_str(&text(self.fields.cable))?;
        let release: Option<access::Release> =
            serde_json::from_str(&text(self.fields.release)).ok();
        let original = text(self.fields.original);
        let Some(original) = access::redact_text(&original, &cable, release.as_ref(), &self.view)
        else {
            return Ok(None);
        };
        let Some(cable) = access::redact_cable(cable, release.as_ref(), &self.view) else {
            return Ok(None);
        };
        Ok(Some(CableRecord {
            id: text(self.fields.id),
            hash: text(self.fields.hash),
            current: true,
            cable,
            original,
        }))
    }
}

impl Iterator for Matches {
    type Item = Result<CableRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let r = match self.next_doc() {
                Ok(Some(doc)) => self.record(&doc),
                Ok(None) => return None,
                Err(e) => Err(e),
            };
            match r {
                Ok(Some(rec)) => return Some(Ok(rec)),
                Ok(None) => continue,
                Err(e) => {
                    // Stop after an error rather than repeat it.
                    self.segment = usize::MAX;
                    self.cursor = None;
                    return Some(Err(e));
                }
            }
        }
    }
}

fn join(v: &Value, key: &str) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| match x {
            Value::String(s) => Some(s.clone()),
            Value::Object(_) => x[key].as_str().map(str::to_string),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One record as the row of a CSV export, in [`CSV_COLUMNS`] order.
pub fn csv_row(rec: &CableRecord) -> Vec<String> {
    let c = &rec.cable;
    let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
    let references = c["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().or(r["text"].as_str()))
        .collect::<Vec<_>>()
        .join("; ");
    let diagnostics = c["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join("; ");
    vec![
        rec.id.clone(),
        s("date"),
        s("classification"),
        join(&c["caveats"], ""),
        s("banner"),
        s("precedence"),
        s("origin"),
        s("from"),
        join(&c["to"], "name"),
        join(&c["info"], "name"),
        join(&c["tags"], "code"),
        s("subject"),
        references,
        c["paragraphs"]
            .as_array()
            .map_or(0, |p| p.len())
            .to_string(),
        diagnostics,
        rec.hash.clone(),
        rec.original.clone(),
    ]
}

/// One record as a line of a JSONL export (without the newline).
pub fn jsonl_line(rec: CableRecord) -> Result<String> {
    let mut v = rec.cable;
    if let Value::Object(map) = &mut v {
        map.insert("id".into(), Value::String(rec.id));
        map.insert("version".into(), Value::String(rec.hash));
        map.insert("text".into(), Value::String(rec.original));
    }
    Ok(serde_json::to_string(&v)?)
}

/// Counts what goes through it.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Archive {
    /// Every current cable `query` matches that `view` may see, as it may see it, streamed in
    /// archive order.
    pub fn matches(&self, query: &Query, view: &View) -> Result<Matches> {
        let searcher = self.reader.searcher();
        let (tq, _) = self.scoped_query(&searcher, query, view)?;
        let total = tq.count(&searcher)? as u64;
        let weight = tq.weight(EnableScoring::disabled_from_searcher(&searcher))?;
        Ok(Matches {
            searcher,
            weight,
            fields: self.fields.clone(),
            total,
            segment: 0,
            cursor: None,
            view: view.clone(),
        })
    }

    /// Write every cable `query` matches to `out`; `progress(done, total)` is called every
    /// thousand cables and at the end. An I/O error on `out` stops the export with that error.
    pub fn export(
        &self,
        query: &Query,
        format: ExportFormat,
        view: &View,
        out: &mut dyn Write,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<ExportSummary> {
        let matches = self.matches(query, view)?;
        let total = matches.total();
        let mut counting = Counting {
            inner: out,
            bytes: 0,
        };
        let mut n = 0u64;
        let io = |e: std::io::Error| crate::error::InternalError::Io {
            path: "export output".into(),
            source: e,
        };
        match format {
            ExportFormat::Jsonl => {
                for rec in matches {
                    let line = jsonl_line(rec?)?;
                    counting.write_all(line.as_bytes()).map_err(io)?;
                    counting.write_all(b"\n").map_err(io)?;
                    n += 1;
                    if n.is_multiple_of(1000) {
                        progress(n, total);
                    }
                }
            }
            ExportFormat::Csv => {
                let mut w = csv::Writer::from_writer(&mut counting);
                w.write_record(CSV_COLUMNS)
                    .map_err(|e| io(std::io::Error::other(e)))?;
                for rec in matches {
                    w.write_record(csv_row(&rec?))
                        .map_err(|e| io(std::io::Error::other(e)))?;
                    n += 1;
                    if n.is_multiple_of(1000) {
                        progress(n, total);
                    }
                }
                w.flush().map_err(io)?;
            }
        }
        counting.flush().map_err(io)?;
        progress(n, total);
        Ok(ExportSummary {
            cables: n,
            bytes: counting.bytes,
        })
    }
}
