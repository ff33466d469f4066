//! The record a search hit is made from.
//!
//! A page of hits used to read each hit's whole stored document (the Cable JSON, the original
//! text, the container) and parse the Cable JSON into a `serde_json::Value`: about 80% of the
//! instructions of a selective search page. Each document now starts with a [`HitRecord`], the
//! few heading fields a hit shows, the cable's [`Marks`], its release and each paragraph's text,
//! encoded with postcard: its strings are read in place, with no escapes to undo, and the rest of
//! the stored document is not deserialized at all ([`HitDoc`]).
//!
//! Invariant: the record is made from the same cable JSON as the document's portions
//! ([`crate::schema::Fields::document_with_json`]), and what [`HitRecord::portions`] shows a view
//! is exactly what [`crate::access::redact_cable`] leaves of the stored cable for that view
//! (`hit_portions_are_what_redaction_leaves` checks every cable of the corpus, for several
//! readers, a release and automatic declassification).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentId;
use tantivy::schema::document::{DeserializeError, DocumentDeserialize, DocumentDeserializer};
use tantivy::schema::{Field, OwnedValue};
use tantivy::store::StoreReader;
use tantivy::{DocId, SegmentReader};

use crate::access::{Marks, PortionKind, Release, View, Visibility};

/// What a search hit shows of a cable, before the view is applied. Stored as two values at the
/// start of the document: its [`Head`] (postcard bytes) and its texts (one string).
#[derive(Debug, Clone, PartialEq)]
pub struct HitRecord<'a> {
    pub id: &'a str,
    pub date: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub from: Option<&'a str>,
    /// The TAGS codes.
    pub tags: Vec<&'a str>,
    /// Classification, banner, subject and the portions' markings.
    pub marks: Marks<'a>,
    /// Each paragraph's heading and text, in the order of `marks.paragraphs`.
    pub paragraphs: Vec<ParagraphText<'a>>,
    /// The normalised body of a cable without paragraphs (its one portion's text).
    pub body: Option<&'a str>,
    pub release: Option<Release>,
}

/// A [`HitRecord`] as stored, but for its texts: those are one string (the `hit_text` field,
/// read by tantivy as a string, in bulk; a bytes value is read a byte at a time), each
/// paragraph's heading and text, then the body, one after the other; `lengths` cuts it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow)]
    date: Option<&'a str>,
    #[serde(borrow)]
    origin: Option<&'a str>,
    #[serde(borrow)]
    from: Option<&'a str>,
    #[serde(borrow)]
    tags: Vec<&'a str>,
    #[serde(borrow)]
    marks: Marks<'a>,
    /// Each paragraph's heading length (none: no heading) and text length, in bytes.
    lengths: Vec<(Option<u32>, u32)>,
    /// The body's length, when it has one.
    body: Option<u32>,
    release: Option<Release>,
}

/// Why a stored hit record cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("{0}")]
    Head(#[from] postcard::Error),
    #[error("its lengths do not cut its text ({0} bytes) at character boundaries")]
    Lengths(usize),
}

/// One paragraph's text in a [`HitRecord`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphText<'a> {
    pub heading: Option<&'a str>,
    pub text: &'a str,
}

/// What a search hit may show of a cable to a view: whether its subject is visible, and the
/// text of each visible portion, in order. The subject and the texts are exactly what
/// [`crate::access::redact_cable`] leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HitPortions<'a> {
    pub subject: bool,
    pub texts: Vec<HitText<'a>>,
}

/// A visible portion's text as the record holds it: a paragraph's heading and text, or the
/// body. Its text as a hit shows it is [`HitText::joined`]; the pieces are kept apart so that
/// only a text a snippet is taken from is ever copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HitText<'a> {
    pub heading: Option<&'a str>,
    pub text: &'a str,
}

impl<'a> HitText<'a> {
    /// The heading, a blank line and the text; the text alone when there is no heading.
    pub fn joined(&self) -> std::borrow::Cow<'a, str> {
        match self.heading {
            None => std::borrow::Cow::Borrowed(self.text),
            Some(h) => {
                let mut t = String::with_capacity(h.len() + 2 + self.text.len());
                t.push_str(h);
                t.push_str("\n\n");
                t.push_str(self.text);
                std::borrow::Cow::Owned(t)
            }
        }
    }

    /// Whether [`Self::joined`] is whitespace only.
    pub fn is_blank(&self) -> bool {
        self.heading.is_none_or(|h| h.trim().is_empty()) && self.text.trim().is_empty()
    }
}

impl<'a> HitRecord<'a> {
    /// The record of a cable whose stored JSON is `json` (or its [`crate::access::portion_fields`],
    /// which hold every field read here but the heading's), with `cable` for the heading fields.
    pub fn new(
        id: &'a str,
        cable: &'a cable_format::Cable,
        json: &'a Value,
        body: Option<&'a str>,
        release: Option<&Release>,
    ) -> HitRecord<'a> {
        HitRecord {
            id,
            date: cable.date.as_deref(),
            origin: cable.origin.as_deref(),
            from: cable.from.as_deref(),
            tags: cable.tags.iter().map(|t| t.code.as_str()).collect(),
            marks: Marks::of_json(json),
            paragraphs: json["paragraphs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| ParagraphText {
                    heading: p["heading"].as_str(),
                    text: p["text"].as_str().unwrap_or_default(),
                })
                .collect(),
            body,
            release: release.cloned(),
        }
    }

    /// The record as stored: its head (the `hit` field) and its texts (`hit_text`).
    pub fn encode(&self) -> (Vec<u8>, String) {
        // Sized once: growing by doubling cost an ingest a copy a step.
        let size = self
            .paragraphs
            .iter()
            .map(|p| p.heading.map_or(0, str::len) + p.text.len());
        let mut text = String::with_capacity(size.sum::<usize>() + self.body.map_or(0, str::len));
        let mut lengths = Vec::with_capacity(self.paragraphs.len());
        for p in &self.paragraphs {
            lengths.push((p.heading.map(|h| h.len() as u32), p.text.len() as u32));
            text.push_str(p.heading.unwrap_or_default());
            text.push_str(p.text);
        }
        text.push_str(self.body.unwrap_or_default());
        let head = Head {
            id: self.id,
            date: self.date,
            origin: self.origin,
            from: self.from,
            tags: self.tags.clone(),
            marks: self.marks.clone(),
            lengths,
            body: self.body.map(|b| b.len() as u32),
            release: self.release.clone(),
        };
        // Encoding into a vector fails only when serde does (a map without a length): never here.
        (postcard::to_allocvec(&head).unwrap_or_default(), text)
    }

    /// A stored record from its head and its texts.
    pub fn decode(head: &'a [u8], text: &'a str) -> Result<HitRecord<'a>, DecodeError> {
        let head: Head<'a> = postcard::from_bytes(head)?;
        let mut rest = text;
        let mut take = |n: Option<u32>| -> Result<Option<&'a str>, DecodeError> {
            let Some(n) = n else { return Ok(None) };
            let n = n as usize;
            if !rest.is_char_boundary(n) || n > rest.len() {
                return Err(DecodeError::Lengths(text.len()));
            }
            let (piece, after) = rest.split_at(n);
            rest = after;
            Ok(Some(piece))
        };
        let mut paragraphs = Vec::with_capacity(head.lengths.len());
        for (heading, body) in &head.lengths {
            paragraphs.push(ParagraphText {
                heading: take(*heading)?,
                text: take(Some(*body))?.unwrap_or_default(),
            });
        }
        let body = take(head.body)?;
        Ok(HitRecord {
            id: head.id,
            date: head.date,
            origin: head.origin,
            from: head.from,
            tags: head.tags,
            marks: head.marks,
            paragraphs,
            body,
            release: head.release,
        })
    }

    /// What `view` may see of it for a hit; `None` when it sees no portion. An unrestricted
    /// view sees every portion, so its portions' classes are not worked out.
    pub fn portions(&self, view: &View) -> Option<HitPortions<'a>> {
        let mut out = HitPortions {
            subject: true,
            texts: Vec::with_capacity(self.paragraphs.len().max(1)),
        };
        let mut add = |kind: PortionKind, visible: bool| match kind {
            PortionKind::Subject => out.subject &= visible,
            _ if !visible => {}
            PortionKind::Paragraph(i) => {
                if let Some(para) = self.paragraphs.get(i) {
                    out.texts.push(HitText {
                        heading: para.heading,
                        text: para.text,
                    });
                }
            }
            PortionKind::Body => out.texts.push(HitText {
                heading: None,
                text: self.body.unwrap_or_default(),
            }),
        };
        if view.is_unrestricted() {
            for kind in crate::access::portion_kinds(&self.marks) {
                add(kind, true);
            }
            return Some(out);
        }
        let vis = Visibility::of(&self.marks, self.release.as_ref(), view);
        if !vis.any() {
            return None;
        }
        for (p, v) in vis.portions.iter().zip(&vis.visible) {
            add(p.kind, *v);
        }
        Some(out)
    }
}

/// Decompressed blocks each segment's store keeps (tantivy's own default for a searcher's).
const STORE_BLOCKS: usize = 100;

/// Each segment's document store, for reading hit records in place.
///
/// tantivy's document deserializer copies a bytes value a byte at a time through `Read` and
/// each string into a new `String`: at 250,000 cables the head and texts of a page's 20 hits
/// cost about 0.55 M instructions that way, an eighth of a filter page. A segment's store
/// gives a document's bytes as a slice of its cached block, and [`StoredBytes::hit`] finds the
/// record's two values in them. Segments never change, so a segment's store reader is opened
/// once and kept, with its own cache of blocks.
#[derive(Default)]
pub struct HitStore {
    readers: Mutex<HashMap<SegmentId, Arc<StoreReader>>>,
}

impl HitStore {
    /// Document `doc` of `segment` as stored.
    pub fn get(&self, segment: &SegmentReader, doc: DocId) -> tantivy::Result<StoredBytes> {
        let id = segment.segment_id();
        let cached = self
            .readers
            .lock()
            .expect("hit store lock")
            .get(&id)
            .cloned();
        let reader = match cached {
            Some(r) => r,
            None => {
                // Opened outside the lock: two searches may both open it, harmlessly.
                let r = Arc::new(segment.get_store_reader(STORE_BLOCKS)?);
                self.readers
                    .lock()
                    .expect("hit store lock")
                    .insert(id, r.clone());
                r
            }
        };
        Ok(StoredBytes {
            bytes: reader.get_document_bytes(doc)?,
            reader,
            doc,
        })
    }

    /// Forget segments that are no longer in `live` (merged away).
    pub fn retain(&self, live: &[SegmentId]) {
        self.readers
            .lock()
            .expect("hit store lock")
            .retain(|id, _| live.contains(id));
    }
}

/// One stored document's bytes, as tantivy's store writes them: the number of values (a VInt),
/// then each value's field (`u32`, little-endian), type code (a byte) and value; a bytes value
/// or a string is its length (a VInt) and its bytes.
pub struct StoredBytes {
    bytes: OwnedBytes,
    reader: Arc<StoreReader>,
    doc: DocId,
}

/// tantivy's type codes of a string and of a bytes value in a stored document.
const TEXT_CODE: u8 = 0;
const BYTES_CODE: u8 = 4;

/// A VInt as tantivy writes it: seven bits a byte, lowest first, the last byte's top bit set.
fn vint(bytes: &mut &[u8]) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first()?;
        *bytes = rest;
        value |= u64::from(b & 0x7f) << shift;
        if b & 0x80 != 0 {
            return Some(value);
        }
    }
    None
}

/// The next value of a stored document when it is of `field` and type `code`: its bytes.
fn value<'a>(bytes: &mut &'a [u8], field: Field, code: u8) -> Option<&'a [u8]> {
    let (f, rest) = bytes.split_first_chunk::<4>()?;
    let (&c, rest) = rest.split_first()?;
    if u32::from_le_bytes(*f) != field.field_id() || c != code {
        return None;
    }
    *bytes = rest;
    let len = usize::try_from(vint(bytes)?).ok()?;
    let (value, rest) = bytes.split_at_checked(len)?;
    *bytes = rest;
    Some(value)
}

impl StoredBytes {
    /// The hit record's head and texts when the document starts with them (a bytes value of
    /// `head_field`, then a string of `text_field`).
    pub fn hit(&self, head_field: Field, text_field: Field) -> Option<(&[u8], &str)> {
        let mut rest = self.bytes.as_slice();
        if vint(&mut rest)? < 2 {
            return None;
        }
        let head = value(&mut rest, head_field, BYTES_CODE)?;
        let text = value(&mut rest, text_field, TEXT_CODE)?;
        Some((head, std::str::from_utf8(text).ok()?))
    }

    /// The same through tantivy's document deserializer: for a document [`Self::hit`] cannot
    /// read (stored in a layout other than the one it knows).
    pub fn hit_doc(&self) -> tantivy::Result<HitDoc> {
        self.reader.get::<HitDoc>(self.doc)
    }
}

/// A stored document read only as far as its hit record: its first bytes value (the head) and
/// the string after it (the texts), with their fields, for the caller to check; `None` when the
/// document does not start so.
pub struct HitDoc(pub Option<StoredHit>);

/// A hit record as [`HitDoc`] read it.
pub struct StoredHit {
    pub head_field: Field,
    pub head: Vec<u8>,
    pub text_field: Field,
    pub text: String,
}

impl DocumentDeserialize for HitDoc {
    fn deserialize<'de, D>(mut deserializer: D) -> Result<Self, DeserializeError>
    where
        D: DocumentDeserializer<'de>,
    {
        let mut head = None;
        while let Some((field, value)) = deserializer.next_field::<OwnedValue>()? {
            match (value, head.take()) {
                (OwnedValue::Bytes(bytes), None) => head = Some((field, bytes)),
                (OwnedValue::Str(text), Some((head_field, head))) => {
                    return Ok(HitDoc(Some(StoredHit {
                        head_field,
                        head,
                        text_field: field,
                        text,
                    })));
                }
                _ => break,
            }
        }
        Ok(HitDoc(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{redact_cable, Clearance, Who, Withheld};
    use crate::schema::Fields;
    use cable_query::Level;

    /// What `redact_cable` leaves of `json` for `view`, as a hit shows it: the subject and the
    /// texts of the portions it does not withhold.
    fn left_by_redaction(
        json: &Value,
        body: Option<&str>,
        release: Option<&Release>,
        view: &View,
    ) -> Option<(Option<String>, Vec<String>)> {
        let out = redact_cable(json.clone(), release, view)?;
        let subject = out["subject"].as_str().map(str::to_string);
        let paragraphs = out["paragraphs"].as_array().cloned().unwrap_or_default();
        let mut texts = Vec::new();
        for p in &paragraphs {
            if p.get("withheld").is_some() {
                continue;
            }
            let mut t = String::new();
            if let Some(h) = p["heading"].as_str() {
                t.push_str(h);
                t.push_str("\n\n");
            }
            t.push_str(p["text"].as_str().unwrap_or_default());
            texts.push(t);
        }
        let body_withheld = out["withheld"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|w| w["portion"] == "text");
        if paragraphs.is_empty() && !body_withheld {
            texts.push(body.unwrap_or_default().to_string());
        }
        Some((subject, texts))
    }

    /// A record whose lengths do not cut its text (a damaged store) is an error, not a panic.
    #[test]
    fn a_record_that_does_not_fit_its_text_is_an_error() {
        let json = serde_json::json!({
            "classification": "SECRET",
            "paragraphs": [{"number": "1", "marking": "U", "heading": "H", "text": "déjà vu"}],
        });
        let cable = cable_format::Cable::default();
        let record = HitRecord::new("ID", &cable, &json, None, None);
        let (head, text) = record.encode();
        assert_eq!(text, "Hdéjà vu");
        assert_eq!(HitRecord::decode(&head, &text).expect("whole"), record);
        for bad in ["Hdéjà v", "Hd", ""] {
            assert!(
                matches!(HitRecord::decode(&head, bad), Err(DecodeError::Lengths(_))),
                "{bad:?}"
            );
        }
        // A length that falls inside a character.
        let json = serde_json::json!({"paragraphs": [{"text": "é"}, {"text": "x"}]});
        let record = HitRecord::new("ID", &cable, &json, None, None);
        let (head, _) = record.encode();
        assert!(HitRecord::decode(&head, "xé").is_err());
        assert!(HitRecord::decode(&head[..head.len() / 2], "éx").is_err());
    }

    /// Every cable of the corpus, for readers at several levels, with and without a release and
    /// automatic declassification: a hit made from the stored record shows exactly the subject
    /// and the texts that the redaction of the stored cable leaves, and the heading fields of
    /// the cable's JSON.
    #[test]
    fn hit_portions_are_what_redaction_leaves() {
        let Some(shared) = cable_testdata::require_shared("hit_portions_are_what_redaction_leaves")
        else {
            return;
        };
        let corpus = shared.join("corpus");
        let fields = Fields::new();
        let release = Release {
            level: "UNCLASSIFIED".into(),
            withheld: vec![Withheld {
                paragraph: "2".into(),
                exemption: "B1".into(),
            }],
            by: "owner".into(),
            at: "2026-01-01T00:00:00Z".into(),
        };
        let public = View::restricted(Who::Anonymous, Clearance::public());
        let mut declassifying = public.clone();
        declassifying.auto_declassify = true;
        declassifying.as_of = jiff::civil::date(2012, 1, 1);
        let views = [
            View::owner(),
            public,
            View::restricted(
                Who::Anonymous,
                Clearance::new::<&str>(Level::Confidential, []),
            ),
            View::restricted(Who::Anonymous, Clearance::new(Level::Secret, ["NOFORN"])),
            declassifying,
        ];
        let (mut seen, mut hidden, mut partial) = (0, 0, 0);
        for item in cable_sources::read_path(&corpus) {
            let Ok(raw) = item else { continue };
            let prepared = crate::ingest::prepare_raw(&fields, raw).expect("prepare");
            let json: Value = serde_json::from_str(&prepared.record.cable).expect("json");
            let body = cable_format::normalize::normalize(&prepared.record.original).text;
            for release in [None, Some(&release)] {
                let doc = fields.document(
                    &prepared.id,
                    &prepared.hash,
                    &prepared.cable,
                    &prepared.record,
                    release,
                );
                let mut values = doc.field_values();
                let (head, text) = (values.next().expect("a value"), values.next().expect("two"));
                assert_eq!(
                    (head.0, text.0),
                    (fields.hit, fields.hit_text),
                    "the hit record comes first"
                );
                let head = tantivy::schema::Value::as_bytes(&head.1).expect("bytes");
                let text = tantivy::schema::Value::as_str(&text.1).expect("a string");
                let record = HitRecord::decode(head, text).expect("decodes");
                assert_eq!(record.id, prepared.id);
                assert_eq!(record.date, json["date"].as_str());
                assert_eq!(record.origin, json["origin"].as_str());
                assert_eq!(record.from, json["from"].as_str());
                let tags: Vec<&str> = json["tags"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|t| t["code"].as_str())
                    .collect();
                assert_eq!(record.tags, tags);
                assert_eq!(record.marks.classification, json["classification"].as_str());
                assert_eq!(record.marks.banner, json["banner"].as_str());
                for view in &views {
                    let want = left_by_redaction(&json, Some(&body), release, view);
                    let got = record.portions(view).map(|p| {
                        let subject = record
                            .marks
                            .subject
                            .filter(|_| p.subject)
                            .map(str::to_string);
                        let texts: Vec<String> =
                            p.texts.iter().map(|t| t.joined().into_owned()).collect();
                        (subject, texts)
                    });
                    assert_eq!(got, want, "{} as {:?}", prepared.id, view.clearance);
                    match &got {
                        None => hidden += 1,
                        Some((_, t)) if t.len() < record.paragraphs.len() => partial += 1,
                        Some(_) => {}
                    }
                }
            }
            seen += 1;
        }
        assert!(seen > 1000, "{seen} cables read from {}", corpus.display());
        // The corpus exercises hiding whole cables and single portions.
        assert!(
            hidden > 100 && partial > 100,
            "{hidden} hidden, {partial} partial"
        );
    }
}
