//! The citation graph: what a cable's REF list cites (each reference resolved to a cable in the
//! archive, or a placeholder for one we do not have) and which cables cite it. "Cited by" comes
//! from the index's `cites` field, so it is answerable for every id, present or not.

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value as _};
use tantivy::{Order, TantivyDocument, Term};

use crate::access::{self, View};
use crate::error::Result;
use crate::Archive;

/// A cable at the other end of a citation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Neighbour {
    pub id: String,
    pub date: Option<String>,
    pub subject: Option<String>,
    pub classification: Option<String>,
}

/// One entry of a REF list, resolved.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Citation {
    /// The reference's letter (`A`), when the list has letters.
    pub letter: Option<String>,
    /// The cited cable's canonical id; `None` when the reference is not a cable (a memo, an
    /// e-mail, a phone call).
    pub id: Option<String>,
    /// The reference as written.
    pub text: String,
    /// Whether the cited cable is in the archive; `false` makes it a placeholder.
    pub in_archive: bool,
    /// The cited cable's date, subject and classification, when it is in the archive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cable: Option<Neighbour>,
}

/// A cable's place in the citation graph.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Graph {
    pub id: String,
    /// `false` for a placeholder: a cable other cables cite that the archive does not hold.
    pub in_archive: bool,
    /// Its REF list, resolved (empty for a placeholder: we do not have its text).
    pub cites: Vec<Citation>,
    /// The cables whose REF list cites it, oldest first.
    pub cited_by: Vec<Neighbour>,
}

fn neighbour(id: &str, cable: &serde_json::Value) -> Neighbour {
    let s = |k: &str| cable[k].as_str().map(str::to_string);
    Neighbour {
        id: id.to_string(),
        date: s("date"),
        subject: s("subject"),
        classification: s("classification"),
    }
}

impl Archive {
    /// The cables `view` may see whose REF list cites `id`, oldest first.
    pub fn cited_by(&self, id: &str, view: &View) -> Result<Vec<Neighbour>> {
        let searcher = self.reader.searcher();
        let scope = self.scope(&searcher, view)?;
        let q = self.restrict(
            Box::new(TermQuery::new(
                Term::from_field_text(self.fields.cites, id),
                IndexRecordOption::Basic,
            )),
            &scope,
        );
        let n = searcher.search(&q, &Count)?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let top = searcher.search(
            &q,
            &TopDocs::with_limit(n).order_by_fast_field::<i64>("date_ts", Order::Asc),
        )?;
        self.neighbours(&searcher, top.into_iter().map(|(_, a)| a), view)
    }

    /// The neighbours at `addrs` as `view` sees them (their subject withheld when hidden).
    fn neighbours(
        &self,
        searcher: &tantivy::Searcher,
        addrs: impl Iterator<Item = tantivy::DocAddress>,
        view: &View,
    ) -> Result<Vec<Neighbour>> {
        let mut out = Vec::new();
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |f| doc.get_first(f).and_then(|v| v.as_str());
            let cable: serde_json::Value =
                serde_json::from_str(text(self.fields.cable).unwrap_or("{}"))?;
            let release: Option<access::Release> =
                text(self.fields.release).and_then(|r| serde_json::from_str(r).ok());
            if let Some(cable) = access::redact_cable(cable, release.as_ref(), view) {
                out.push(neighbour(text(self.fields.id).unwrap_or_default(), &cable));
            }
        }
        Ok(out)
    }

    /// Up to `limit` cables carrying a diagnostic of code `code`, newest first: examples for a
    /// parse-quality report.
    pub fn with_diagnostic(&self, code: &str, limit: usize, view: &View) -> Result<Vec<Neighbour>> {
        let searcher = self.reader.searcher();
        let scope = self.scope(&searcher, view)?;
        let facet = tantivy::schema::Facet::from_path(["diagnostic", code]);
        let q = self.restrict(
            Box::new(TermQuery::new(
                Term::from_facet(self.fields.facets, &facet),
                IndexRecordOption::Basic,
            )),
            &scope,
        );
        let top = searcher.search(
            &q,
            &TopDocs::with_limit(limit.max(1)).order_by_fast_field::<i64>("date_ts", Order::Desc),
        )?;
        self.neighbours(&searcher, top.into_iter().take(limit).map(|(_, a)| a), view)
    }

    /// The citation graph around `id`: for a cable in the archive, its resolved REF list and
    /// the cables citing it; for an id only cited, a placeholder with the cables citing it;
    /// `None` when the archive neither holds nor cites it. All as `view` sees it: a cable it
    /// may not see is a placeholder like one the archive lacks.
    pub fn graph(&self, id: &str, view: &View) -> Result<Option<Graph>> {
        let cited_by = self.cited_by(id, view)?;
        let Some(rec) = self.get(id, view)? else {
            if cited_by.is_empty() {
                return Ok(None);
            }
            return Ok(Some(Graph {
                id: id.to_string(),
                in_archive: false,
                cites: Vec::new(),
                cited_by,
            }));
        };
        let cites = self.resolve_references(&rec.cable, view)?;
        Ok(Some(Graph {
            id: id.to_string(),
            in_archive: true,
            cites,
            cited_by,
        }))
    }

    /// A cable's REF list, each reference resolved against the archive.
    fn resolve_references(&self, cable: &serde_json::Value, view: &View) -> Result<Vec<Citation>> {
        let mut cites = Vec::new();
        for r in cable["references"].as_array().into_iter().flatten() {
            let rid = r["id"].as_str();
            let found = match rid {
                Some(rid) => self.get(rid, view)?.map(|c| neighbour(rid, &c.cable)),
                None => None,
            };
            cites.push(Citation {
                letter: r["letter"].as_str().map(str::to_string),
                id: rid.map(str::to_string),
                text: r["text"].as_str().unwrap_or_default().to_string(),
                in_archive: found.is_some(),
                cable: found,
            });
        }
        Ok(cites)
    }

    /// The current version of `id` as `cables show --json` and `GET /api/cables/{id}` give it:
    /// the parse plus `id`, `version` (its hash), `cited_by`, and on each reference
    /// `in_archive` (`null` for a reference that is not a cable). `None` when the archive does
    /// not hold it or `view` may not see it; hidden portions are withheld.
    pub fn document(&self, id: &str, view: &View) -> Result<Option<serde_json::Value>> {
        let Some(rec) = self.get(id, view)? else {
            return Ok(None);
        };
        let cites = self.resolve_references(&rec.cable, view)?;
        let cited_by = self.cited_by(id, view)?;
        let mut v = rec.cable;
        if let serde_json::Value::Object(map) = &mut v {
            map.insert("id".into(), serde_json::json!(id));
            map.insert("version".into(), serde_json::json!(rec.hash));
            map.insert("cited_by".into(), serde_json::json!(cited_by));
            if let Some(serde_json::Value::Array(list)) = map.get_mut("references") {
                for (r, cite) in list.iter_mut().zip(&cites) {
                    if let serde_json::Value::Object(r) = r {
                        r.insert(
                            "in_archive".into(),
                            serde_json::json!(cite.id.as_ref().map(|_| cite.in_archive)),
                        );
                    }
                }
            }
        }
        Ok(Some(v))
    }
}
