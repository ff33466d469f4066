//! The archive's access policy, stored in the catalog: the server's access mode, automatic
//! declassification, and releases recorded by hand.

use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::access::{Clearance, Release, View, Who, Withheld};
use crate::catalog::Payload;
use crate::error::{Result, UserError};
use crate::Archive;

/// How the server lets readers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessMode {
    /// Everyone sees everything: a leaked or published collection.
    Open,
    /// Each reader sees what their clearance allows; no token means the public's view.
    Controlled,
}

impl AccessMode {
    pub fn name(self) -> &'static str {
        match self {
            AccessMode::Open => "open",
            AccessMode::Controlled => "controlled",
        }
    }

    pub fn parse(s: &str) -> Option<AccessMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "open" => Some(AccessMode::Open),
            "controlled" => Some(AccessMode::Controlled),
            _ => None,
        }
    }
}

/// The policy as `cables policy` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    /// `None` until a server has been started or the mode set.
    pub access_mode: Option<AccessMode>,
    pub auto_declassify: bool,
    /// Cables with a release recorded by hand.
    pub releases: u64,
}

const WRITER_BUDGET: usize = 50_000_000;

impl Archive {
    /// The stored access mode.
    pub fn access_mode(&self) -> Result<Option<AccessMode>> {
        Ok(self
            .catalog
            .setting("access_mode")?
            .and_then(|m| AccessMode::parse(&m)))
    }

    pub fn set_access_mode(&self, mode: AccessMode) -> Result<()> {
        self.catalog.set_settings(&[("access_mode", mode.name())])
    }

    /// Whether cables open on their declassification date (off unless turned on).
    pub fn auto_declassify(&self) -> Result<bool> {
        Ok(self.catalog.setting("auto_declassify")?.as_deref() == Some("on"))
    }

    pub fn set_auto_declassify(&self, on: bool) -> Result<()> {
        self.catalog
            .set_settings(&[("auto_declassify", if on { "on" } else { "off" })])
    }

    pub fn policy(&self) -> Result<Policy> {
        Ok(Policy {
            access_mode: self.access_mode()?,
            auto_declassify: self.auto_declassify()?,
            releases: self.catalog.releases()?.len() as u64,
        })
    }

    /// The view of `who` with `clearance` (`None`: everything) under the archive's
    /// declassification policy, on `as_of` (today when `None`).
    pub fn view(
        &self,
        who: Who,
        clearance: Option<Clearance>,
        as_of: Option<jiff::civil::Date>,
    ) -> Result<View> {
        let mut v = match clearance {
            None => View::unrestricted(who),
            Some(c) => View::restricted(who, c),
        };
        v.auto_declassify = self.auto_declassify()?;
        if let Some(d) = as_of {
            v.as_of = d;
        }
        Ok(v)
    }

    /// The release recorded for a cable.
    pub fn release_of(&self, id: &str) -> Result<Option<Release>> {
        self.catalog.release(id)
    }

    /// Every release recorded, by cable id.
    pub fn releases(&self) -> Result<Vec<(String, Release)>> {
        self.catalog.releases()
    }

    /// Record a release of `id` at `level`, withholding `withheld` paragraphs, by `by`; the
    /// cable is indexed again so that searches see the release at once. A second release of the
    /// same cable replaces the first.
    pub fn record_release(
        &mut self,
        id: &str,
        level: cable_query::Level,
        withheld: Vec<Withheld>,
        by: &str,
    ) -> Result<Release> {
        let Some((hash, record, _)) = self.current_record(id)? else {
            return Err(UserError::UnknownId { id: id.to_string() }.into());
        };
        let cable: serde_json::Value = serde_json::from_str(&record.cable)?;
        let numbers: Vec<&str> = cable["paragraphs"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["number"].as_str())
            .collect();
        for w in &withheld {
            if !numbers.contains(&w.paragraph.trim()) {
                return Err(UserError::NoParagraph {
                    id: id.to_string(),
                    paragraph: w.paragraph.clone(),
                    numbers: numbers.join(", "),
                }
                .into());
            }
        }
        let release = Release {
            level: cable_query::Ranked::name(level).to_string(),
            withheld,
            by: by.to_string(),
            at: jiff::Timestamp::now().to_string(),
        };
        // The catalog first: it is what `reindex` rebuilds from; then the index.
        self.catalog.put_release(id, &release)?;
        let (parsed, _) = crate::reindex::reparse(record.clone())?;
        let mut writer: IndexWriter<TantivyDocument> = self.index.writer(WRITER_BUDGET)?;
        writer.delete_term(Term::from_field_text(self.fields.id, id));
        writer.add_document(
            self.fields
                .document(id, &hash, &parsed, &record, Some(&release)),
        )?;
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&serde_json::to_string(&Payload {
            seq: self.catalog.last_seq()?,
            ledger: Vec::new(),
        })?);
        prepared.commit()?;
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(release)
    }
}
