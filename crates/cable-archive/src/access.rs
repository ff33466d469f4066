//! Access control: who may see which portion of a cable.
//!
//! A *portion* is the subject or one paragraph (a cable the parser found no paragraphs in is one
//! portion: its whole body). Each portion has a [`Class`]: its level and the restrictive caveats
//! written on it, or, when unmarked, the cable's level and caveats. A reader with a
//! [`Clearance`] sees a portion when the reader's level is at least the portion's and the reader
//! holds every caveat on it; a reader sees a cable when at least one of its portions is visible.
//!
//! The index stores each portion's text under its class's *key* (`s+nf`), so that a query can be
//! restricted to the keys a reader may see (see `schema.rs`); this module owns that vocabulary,
//! the effect of releases and automatic declassification on it, and the redaction of a stored
//! cable (its JSON and its raw text) for a [`View`].

use std::collections::BTreeSet;

use cable_query::{Level, Marking, Ranked};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The marker a withheld portion's key carries (see [`Class::key`]).
const WITHHELD: &str = "!w";

/// A normalised caveat as it appears in keys: lower case, `NOFORN` as `nf`, `ORCON` as `oc`,
/// spaces and commas as `_`. `None` for a caveat that does not restrict (a release marking,
/// `REL TO ...`) or is empty.
pub fn caveat_key(caveat: &str) -> Option<String> {
    let c = caveat
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    let c = match c.as_str() {
        "" => return None,
        "NOFORN" | "NOFORN." => "NF".to_string(),
        "ORCON" => "OC".to_string(),
        _ => c,
    };
    if c.starts_with("REL ") || c == "REL" || c == "RELIDO" {
        return None;
    }
    let key: String = c
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() {
                ch.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    Some(key)
}

/// A portion's access class: a level, the restrictive caveats (as [`caveat_key`]s, sorted), and
/// whether a release withheld it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Class {
    pub level: Level,
    pub caveats: Vec<String>,
    pub withheld: bool,
}

impl Class {
    pub fn new(level: Level, caveats: impl IntoIterator<Item = String>) -> Class {
        let set: BTreeSet<String> = caveats.into_iter().collect();
        Class {
            level,
            caveats: set.into_iter().collect(),
            withheld: false,
        }
    }

    /// The most restricted class: what a portion of unknown level gets.
    pub fn unknown() -> Class {
        Class::new(Level::TopSecret, [])
    }

    /// The index key: `u`, `c`, `s+nf`, `s+nf+nodis`, with `+!w` when withheld.
    pub fn key(&self) -> String {
        let mut k = self.level.short().to_ascii_lowercase();
        for c in &self.caveats {
            k.push('+');
            k.push_str(c);
        }
        if self.withheld {
            k.push('+');
            k.push_str(WITHHELD);
        }
        k
    }

    /// The class a key names (the inverse of [`Class::key`]).
    pub fn from_key(key: &str) -> Option<Class> {
        let mut parts = key.split('+');
        let level = Level::parse(parts.next()?)?;
        let mut caveats = Vec::new();
        let mut withheld = false;
        for p in parts {
            if p == WITHHELD {
                withheld = true;
            } else if !p.is_empty() {
                caveats.push(p.to_string());
            }
        }
        let mut c = Class::new(level, caveats);
        c.withheld = withheld;
        Some(c)
    }

    /// The marking as cables write it: `S//NF`, `C`, `TS//SI`.
    pub fn marking(&self) -> String {
        let mut m = self.level.short().to_string();
        for c in &self.caveats {
            m.push_str("//");
            m.push_str(&c.to_ascii_uppercase().replace('_', " "));
        }
        m
    }
}

/// What a reader is cleared for: a level and the caveats they hold (as [`caveat_key`]s).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    #[serde(with = "level_name")]
    pub level: Level,
    pub caveats: BTreeSet<String>,
}

mod level_name {
    use cable_query::{Level, Ranked};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(l: &Level, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(l.name())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        let s = String::deserialize(d)?;
        Level::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown level {s}")))
    }
}

impl Clearance {
    /// A clearance from a level and caveats as a user types them (`NOFORN`, `nodis`). Release
    /// markings (`REL TO ...`) are not caveats one holds and are dropped.
    pub fn new<S: AsRef<str>>(level: Level, caveats: impl IntoIterator<Item = S>) -> Clearance {
        Clearance {
            level,
            caveats: caveats
                .into_iter()
                .filter_map(|c| caveat_key(c.as_ref()))
                .collect(),
        }
    }

    /// The anonymous public: UNCLASSIFIED, no caveat.
    pub fn public() -> Clearance {
        Clearance::new::<&str>(Level::Unclassified, [])
    }

    /// Whether this clearance may see a portion of class `c`.
    pub fn allows(&self, c: &Class) -> bool {
        self.level >= c.level && c.caveats.iter().all(|k| self.caveats.contains(k))
    }

    /// `SECRET//NOFORN`-style description.
    pub fn describe(&self) -> String {
        let mut s = self.level.name().to_string();
        for c in &self.caveats {
            s.push_str("//");
            s.push_str(&c.to_ascii_uppercase().replace('_', " "));
        }
        s
    }
}

/// Who is reading, for the audit log and for what only the owner sees (source paths).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase", tag = "kind", content = "name")]
pub enum Who {
    /// Whoever can open the data directory: the command line.
    Owner,
    /// A named reader (an API token or a web session).
    Reader(String),
    /// No token.
    Anonymous,
}

impl Who {
    pub fn label(&self) -> String {
        match self {
            Who::Owner => "owner".to_string(),
            Who::Reader(n) => n.clone(),
            Who::Anonymous => "anonymous".to_string(),
        }
    }
}

/// How one request reads the archive: who, with which clearance (`None`: everything), and the
/// declassification policy in force on which day.
#[derive(Debug, Clone)]
pub struct View {
    pub who: Who,
    pub clearance: Option<Clearance>,
    /// Cables whose declassification date is on or before `as_of` are open to every reader.
    pub auto_declassify: bool,
    pub as_of: jiff::civil::Date,
}

impl View {
    /// The archive's owner: everything, source paths included.
    pub fn owner() -> View {
        View {
            who: Who::Owner,
            clearance: None,
            auto_declassify: false,
            as_of: today(),
        }
    }

    /// A reader who sees everything (an open archive), but is not the owner.
    pub fn unrestricted(who: Who) -> View {
        View {
            who,
            clearance: None,
            auto_declassify: false,
            as_of: today(),
        }
    }

    /// A reader limited to `clearance`.
    pub fn restricted(who: Who, clearance: Clearance) -> View {
        View {
            who,
            clearance: Some(clearance),
            auto_declassify: false,
            as_of: today(),
        }
    }

    /// Whether this view sees every portion of every cable.
    pub fn is_unrestricted(&self) -> bool {
        self.clearance.is_none()
    }

    /// Whether source paths are shown: to the owner only.
    pub fn sees_sources(&self) -> bool {
        self.who == Who::Owner
    }

    /// Whether a portion of class `c` is visible, `declassified` telling whether its cable's
    /// declassification date has passed; always for an [unrestricted](Self::is_unrestricted) view.
    pub fn sees(&self, c: &Class, declassified: bool) -> bool {
        match &self.clearance {
            None => true,
            Some(cl) => cl.allows(c) || (declassified && self.auto_declassify && !c.withheld),
        }
    }

    /// The `YYYYMMDD` day number of `as_of`, as the index stores declassification dates.
    pub fn as_of_day(&self) -> i64 {
        self.as_of.year() as i64 * 10_000
            + self.as_of.month() as i64 * 100
            + self.as_of.day() as i64
    }

    /// Whether a cable whose declassification date is `declassify_on` (`YYYY-MM-DD`) is open
    /// under this view's policy.
    pub fn declassified(&self, declassify_on: Option<&str>) -> bool {
        self.auto_declassify
            && declassify_on
                .and_then(crate::schema::day_number)
                .is_some_and(|(_, d)| d <= self.as_of_day())
    }
}

/// Today's date (UTC).
pub fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

/// A release recorded by hand (`cables release`): the cable is opened at `level` (its portions
/// above it lowered to it, their caveats lifted), except the withheld paragraphs, which keep
/// their marking and show as withheld under an exemption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Release {
    /// The level released to, by name (`UNCLASSIFIED`).
    pub level: String,
    pub withheld: Vec<Withheld>,
    /// Who recorded it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
}

/// One paragraph a release withholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withheld {
    /// The paragraph number as written in the cable.
    pub paragraph: String,
    /// The exemption cited (`B1`, `1.4(b)`, ...).
    pub exemption: String,
}

impl Release {
    pub fn level(&self) -> Level {
        Level::parse(&self.level).unwrap_or(Level::Unclassified)
    }

    fn withholds(&self, number: Option<&str>) -> Option<&Withheld> {
        let n = number?.trim();
        self.withheld.iter().find(|w| w.paragraph.trim() == n)
    }
}

/// Which part of a cable a portion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortionKind {
    Subject,
    /// Index into `paragraphs`.
    Paragraph(usize),
    /// The whole body of a cable with no paragraphs found.
    Body,
}

/// One portion of a stored cable with its effective class.
#[derive(Debug, Clone)]
pub struct Portion<'a> {
    pub kind: PortionKind,
    pub class: Class,
    /// The paragraph number, for notes.
    pub number: Option<&'a str>,
    /// The exemption a release cited when it withheld this portion.
    pub exemption: Option<&'a str>,
    /// Byte range in the original text, when known.
    pub span: Option<(usize, usize)>,
}

/// The class of a marking as the parser wrote it, or `fallback` when unmarked. A marking that
/// does not read as one is treated as the most restricted class.
fn class_of(marking: Option<&str>, fallback: &Class) -> Class {
    match marking {
        None => fallback.clone(),
        Some(m) => match Marking::parse(m) {
            Some(m) => Class::new(m.level, m.caveats.iter().filter_map(|c| caveat_key(c))),
            None => Class::unknown(),
        },
    }
}

/// The cable's own class: the highest level its classification line or banner names, and its
/// restrictive caveats; the most restricted class when it names no level.
pub fn cable_class(marks: &Marks) -> Class {
    let level = crate::schema::cable_level(marks.classification, marks.banner);
    match level {
        Some(l) => Class::new(l, marks.caveats.iter().copied().filter_map(caveat_key)),
        None => Class::unknown(),
    }
}

/// What a cable's portions are made of: the fields its own class comes from, the subject and
/// each paragraph with their markings, and its declassification date, as a stored cable's JSON
/// has them ([`Marks::of_json`]). The index, every redaction and a search hit's record
/// ([`crate::hitrecord`], where they are stored) read the portions from the same marks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Marks<'a> {
    #[serde(borrow)]
    pub classification: Option<&'a str>,
    #[serde(borrow)]
    pub banner: Option<&'a str>,
    #[serde(borrow)]
    pub caveats: Vec<&'a str>,
    #[serde(borrow)]
    pub subject: Option<&'a str>,
    #[serde(borrow)]
    pub subject_marking: Option<&'a str>,
    pub subject_span: Option<(usize, usize)>,
    #[serde(borrow)]
    pub paragraphs: Vec<ParagraphMarks<'a>>,
    #[serde(borrow)]
    pub declassify_on: Option<&'a str>,
}

/// One paragraph's part of [`Marks`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParagraphMarks<'a> {
    #[serde(borrow)]
    pub number: Option<&'a str>,
    #[serde(borrow)]
    pub marking: Option<&'a str>,
    pub span: Option<(usize, usize)>,
}

impl<'a> Marks<'a> {
    /// The marks of a stored cable's JSON.
    pub fn of_json(cable: &'a Value) -> Marks<'a> {
        Marks {
            classification: cable["classification"].as_str(),
            banner: cable["banner"].as_str(),
            caveats: cable["caveats"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str())
                .collect(),
            subject: cable["subject"].as_str(),
            subject_marking: cable["subject_marking"].as_str(),
            subject_span: span_of(&cable["spans"]["subject"]),
            paragraphs: cable["paragraphs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| ParagraphMarks {
                    number: p["number"].as_str(),
                    marking: p["marking"].as_str(),
                    span: span_of(&p["span"]),
                })
                .collect(),
            declassify_on: cable["eo"]["declassify_on"].as_str(),
        }
    }
}

fn span_of(v: &Value) -> Option<(usize, usize)> {
    Some((v["start"].as_u64()? as usize, v["end"].as_u64()? as usize))
}

/// The fields of `cable`'s stored JSON that [`portions`] reads and an index document takes the
/// portions' texts from (the subject, each paragraph's heading and text), as that JSON has them:
/// a new cable's document is built from this rather than from the whole cable turned into a
/// value (addressees, spans, diagnostics and all), which was a twentieth of an ingest.
///
/// Invariant: every field [`Marks::of_json`] and a hit record's paragraphs read is here;
/// `documents_from_portion_fields_are_whole` compares the documents built both ways for every
/// cable of the corpus.
pub fn portion_fields(cable: &cable_format::Cable) -> Value {
    let paragraphs: Vec<Value> = cable
        .paragraphs
        .iter()
        .map(|p| {
            json!({
                "number": p.number,
                "marking": p.marking,
                "heading": p.heading,
                "text": p.text,
                "span": p.span,
            })
        })
        .collect();
    json!({
        "classification": cable.classification,
        "banner": cable.banner,
        "caveats": cable.caveats,
        "subject": cable.subject,
        "subject_marking": cable.subject_marking,
        "spans": {"subject": cable.spans.subject},
        "paragraphs": paragraphs,
        "eo": {"declassify_on": cable.eo.as_ref().and_then(|e| e.declassify_on.as_deref())},
    })
}

/// Which portions a cable (its [`Marks`]) is made of, in order: its subject when it has one,
/// then each paragraph, or the whole body when no paragraph was found.
pub fn portion_kinds(marks: &Marks) -> impl Iterator<Item = PortionKind> {
    let subject = marks
        .subject
        .is_some_and(|s| !s.trim().is_empty())
        .then_some(PortionKind::Subject);
    let paragraphs = (0..marks.paragraphs.len()).map(PortionKind::Paragraph);
    let body = marks.paragraphs.is_empty().then_some(PortionKind::Body);
    subject.into_iter().chain(paragraphs).chain(body)
}

/// The portions of a cable (its [`Marks`]), with `release` applied: those of
/// [`portion_kinds`], each with its class.
pub fn portions<'a>(marks: &Marks<'a>, release: Option<&'a Release>) -> Vec<Portion<'a>> {
    let base = cable_class(marks);
    let apply = |class: Class, number: Option<&'a str>| -> (Class, Option<&'a str>) {
        match release {
            None => (class, None),
            Some(r) => match r.withholds(number) {
                Some(w) => {
                    let mut c = class;
                    c.withheld = true;
                    (c, Some(w.exemption.as_str()))
                }
                None => (Class::new(class.level.min(r.level()), []), None),
            },
        }
    };
    // A cable's paragraphs repeat a few markings: each is read once.
    let mut read: Vec<(Option<&str>, Class)> = Vec::new();
    portion_kinds(marks)
        .map(|kind| {
            let (marking, number, span) = match kind {
                PortionKind::Subject => (Some(marks.subject_marking), None, marks.subject_span),
                PortionKind::Paragraph(i) => {
                    let p = &marks.paragraphs[i];
                    (Some(p.marking), p.number, p.span)
                }
                PortionKind::Body => (None, None, None),
            };
            let class = match marking {
                Some(m) => match read.iter().find(|(k, _)| *k == m) {
                    Some((_, c)) => c.clone(),
                    None => {
                        let c = class_of(m, &base);
                        read.push((m, c.clone()));
                        c
                    }
                },
                None => base.clone(),
            };
            let (class, exemption) = apply(class, number);
            Portion {
                kind,
                class,
                number,
                exemption,
                span,
            }
        })
        .collect()
}

/// The note that stands in for a hidden portion: `paragraph 3 withheld (S//NF)`.
pub fn withheld_note(p: &Portion) -> String {
    let what = match p.kind {
        PortionKind::Subject => "subject".to_string(),
        PortionKind::Paragraph(i) => match p.number {
            Some(n) => format!("paragraph {n}"),
            None => format!("unnumbered paragraph {}", i + 1),
        },
        PortionKind::Body => "text".to_string(),
    };
    match p.exemption {
        Some(e) => format!("{what} withheld ({}; exemption {e})", p.class.marking()),
        None => format!("{what} withheld ({})", p.class.marking()),
    }
}

/// Which portions of a cable a view sees.
pub struct Visibility<'a> {
    pub portions: Vec<Portion<'a>>,
    pub visible: Vec<bool>,
}

impl<'a> Visibility<'a> {
    pub fn of(marks: &Marks<'a>, release: Option<&'a Release>, view: &View) -> Visibility<'a> {
        let portions = portions(marks, release);
        let declassified = view.declassified(marks.declassify_on);
        let visible = portions
            .iter()
            .map(|p| view.sees(&p.class, declassified))
            .collect();
        Visibility { portions, visible }
    }

    /// Whether the view sees the cable at all.
    pub fn any(&self) -> bool {
        self.visible.iter().any(|v| *v)
    }

    /// Whether the view sees all of it.
    pub fn all(&self) -> bool {
        self.visible.iter().all(|v| *v)
    }

    fn hidden_spans(&self) -> Vec<(usize, usize)> {
        self.portions
            .iter()
            .zip(&self.visible)
            .filter(|(_, v)| !**v)
            .filter_map(|(p, _)| p.span)
            .collect()
    }

    /// Whether the view sees the text between and around portions (it carries the cable's own
    /// class): true when the body portion or an unmarked paragraph is visible, or the view sees
    /// everything.
    fn sees_unmarked(&self, marks: &Marks, view: &View) -> bool {
        let declassified = view.declassified(marks.declassify_on);
        self.all() || view.sees(&cable_class(marks), declassified)
    }
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The cable JSON as `view` may see it, or `None` when it sees no portion (the cable does not
/// exist for it). Hidden portions are emptied and listed in `withheld`; the summary and comment
/// are kept only when every paragraph they overlap is visible; diagnostics that point into a
/// hidden portion are dropped; the source path is shown to the owner only. A release is
/// attached as `release`.
pub fn redact_cable(mut cable: Value, release: Option<&Release>, view: &View) -> Option<Value> {
    let marks = Marks::of_json(&cable);
    let vis = Visibility::of(&marks, release, view);
    if !vis.any() {
        return None;
    }
    let mut notes = Vec::new();
    let hidden = vis.hidden_spans();
    let sees_unmarked = vis.sees_unmarked(&marks, view);
    let mut blank_subject = false;
    let mut blank_paragraphs = Vec::new();
    let mut blank_body = false;
    for (p, v) in vis.portions.iter().zip(&vis.visible) {
        if *v {
            continue;
        }
        notes.push(json!({
            "portion": match p.kind {
                PortionKind::Subject => "subject".to_string(),
                PortionKind::Paragraph(_) => "paragraph".to_string(),
                PortionKind::Body => "text".to_string(),
            },
            "number": p.number,
            "marking": p.class.marking(),
            "exemption": p.exemption,
            "note": withheld_note(p),
        }));
        match p.kind {
            PortionKind::Subject => blank_subject = true,
            PortionKind::Paragraph(i) => blank_paragraphs.push((i, withheld_note(p))),
            PortionKind::Body => blank_body = true,
        }
    }
    let mut drop_fields = Vec::new();
    for field in ["summary", "comment"] {
        let keep = match span_of(&cable["spans"][field]) {
            Some(s) => {
                !hidden.iter().any(|h| overlaps(*h, s))
                    && (sees_unmarked || !blank_body)
                    && (sees_unmarked
                        || vis.portions.iter().zip(&vis.visible).any(|(p, v)| {
                            *v && p.span.is_some_and(|ps| ps.0 <= s.0 && s.1 <= ps.1)
                        }))
            }
            None => sees_unmarked,
        };
        if !keep {
            drop_fields.push(field);
        }
    }
    let all_visible = vis.all();
    drop(vis);
    drop(marks);
    if blank_subject {
        cable["subject"] = Value::Null;
    }
    for (i, note) in blank_paragraphs {
        let p = &mut cable["paragraphs"][i];
        p["text"] = Value::String(String::new());
        if let Some(o) = p.as_object_mut() {
            o.remove("heading");
        }
        p["withheld"] = Value::String(note);
    }
    for field in drop_fields {
        cable[field] = Value::Null;
    }
    if !all_visible {
        if let Some(diags) = cable["diagnostics"].as_array_mut() {
            diags.retain(|d| match span_of(&d["span"]) {
                Some(s) => !hidden
                    .iter()
                    .any(|h| overlaps(*h, s) || (s.0 == s.1 && h.0 <= s.0 && s.0 < h.1)),
                None => false,
            });
        }
    }
    if !view.sees_sources() {
        if let Some(src) = cable["source"].as_object_mut() {
            src.remove("path");
        }
    }
    cable["withheld"] = Value::Array(notes);
    if let Some(r) = release {
        cable["release"] = serde_json::to_value(r).unwrap_or(Value::Null);
    }
    Some(cable)
}

/// The heading fields' spans (`spans.*`): not classified text, shown to whoever sees the cable.
const HEADING_FIELDS: [&str; 10] = [
    "transmission",
    "dtg",
    "from",
    "to",
    "info",
    "classification",
    "eo",
    "tags",
    "references",
    "classified_by",
];

/// The original text as `view` may see it: each hidden portion's span replaced by its note in
/// brackets, and, when the view does not see the cable's own class, every stretch of text that
/// is neither a heading field nor a visible portion replaced by `[text withheld]`.
/// `None` when the view sees no portion.
pub fn redact_text(
    original: &str,
    cable: &Value,
    release: Option<&Release>,
    view: &View,
) -> Option<String> {
    let marks = Marks::of_json(cable);
    let vis = Visibility::of(&marks, release, view);
    if !vis.any() {
        return None;
    }
    if vis.all() {
        return Some(original.to_string());
    }
    let sees_unmarked = vis.sees_unmarked(&marks, view);
    // Stretches to replace, with their notes.
    let mut cuts: Vec<(usize, usize, String)> = Vec::new();
    for (p, v) in vis.portions.iter().zip(&vis.visible) {
        if !*v {
            match p.span {
                Some((a, b)) => cuts.push((a, b, format!("[{}]", withheld_note(p)))),
                None => cuts.push((0, original.len(), format!("[{}]", withheld_note(p)))),
            }
        }
    }
    if !sees_unmarked {
        // Shown: heading fields, visible portions, the signature; the rest is withheld.
        let spans = &cable["spans"];
        let mut shown: Vec<(usize, usize)> = HEADING_FIELDS
            .iter()
            .chain(&["signature"])
            .filter_map(|k| span_of(&spans[*k]))
            .collect();
        shown.extend(
            vis.portions
                .iter()
                .zip(&vis.visible)
                .filter(|(_, v)| **v)
                .filter_map(|(p, _)| p.span),
        );
        // The heading, from the first line to the end of its last field (labels, routing lines,
        // captions and caveat lines between the fields), is shown too; a hidden subject in it
        // is still cut out below.
        let heading_end = HEADING_FIELDS
            .iter()
            .chain(&["subject"])
            .filter_map(|k| span_of(&spans[*k]))
            .map(|s| s.1)
            .max();
        if let Some(end) = heading_end {
            shown.push((0, end));
        }
        shown.extend(cuts.iter().map(|(a, b, _)| (*a, *b)));
        shown.sort();
        let mut pos = 0;
        for (a, b) in shown {
            if a > pos
                && !original[pos.min(original.len())..a.min(original.len())]
                    .trim()
                    .is_empty()
            {
                cuts.push((pos, a, "[text withheld]".to_string()));
            }
            pos = pos.max(b);
        }
        if pos < original.len() && !original[pos..].trim().is_empty() {
            cuts.push((pos, original.len(), "[text withheld]".to_string()));
        }
    }
    cuts.sort_by_key(|(a, b, _)| (*a, std::cmp::Reverse(*b)));
    let mut out = String::with_capacity(original.len());
    let mut pos = 0;
    for (a, b, note) in cuts {
        let a = a.min(original.len());
        let b = b.min(original.len());
        if b <= pos {
            continue;
        }
        let a = a.max(pos);
        if let Some(keep) = original.get(pos..a) {
            out.push_str(keep);
        }
        out.push_str(&note);
        pos = b;
    }
    if let Some(rest) = original.get(pos..) {
        out.push_str(rest);
    }
    Some(out)
}

/// Every level's name, lowest first (for messages).
pub fn level_names() -> Vec<&'static str> {
    Level::ALL.iter().map(|l| l.name()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cable() -> Value {
        json!({
            "classification": "SECRET",
            "banner": "SECRET NOFORN",
            "caveats": ["NOFORN"],
            "subject": "CANARY SUBJECT",
            "subject_marking": "U",
            "paragraphs": [
                {"number": "1", "marking": "U", "text": "open words", "span": {"start": 10, "end": 20}},
                {"number": "2", "marking": "C", "text": "confidential words", "span": {"start": 20, "end": 30}},
                {"number": "3", "marking": "S//NF", "text": "secret noforn words", "span": {"start": 30, "end": 40}},
                {"number": "4", "marking": null, "text": "unmarked words", "span": {"start": 40, "end": 50}},
            ],
            "spans": {"subject": {"start": 0, "end": 10}},
            "eo": {"declassify_on": "2019-01-01"},
            "diagnostics": [],
            "source": {"path": "/secret/path.txt", "container": "text"},
        })
    }

    #[test]
    fn keys_round_trip() {
        let mut c = Class::new(Level::Secret, ["nf".to_string(), "nodis".to_string()]);
        c.withheld = true;
        assert_eq!(c.key(), "s+nf+nodis+!w");
        assert_eq!(Class::from_key(&c.key()), Some(c));
        assert_eq!(caveat_key("NOFORN").as_deref(), Some("nf"));
        assert_eq!(caveat_key("REL TO USA, GBR"), None);
    }

    #[test]
    fn unmarked_paragraphs_take_the_cable_class() {
        let c = cable();
        let p = portions(&Marks::of_json(&c), None);
        assert_eq!(p.len(), 5);
        assert_eq!(p[4].class.key(), "s+nf");
        assert_eq!(p[3].class.key(), "s+nf");
        assert_eq!(p[2].class.key(), "c");
    }

    #[test]
    fn readers_see_their_portions() {
        let anon = View::restricted(Who::Anonymous, Clearance::public());
        let out = redact_cable(cable(), None, &anon).expect("the U paragraph is visible");
        assert_eq!(out["subject"], "CANARY SUBJECT");
        assert_eq!(out["paragraphs"][0]["text"], "open words");
        for i in 1..4 {
            assert_eq!(out["paragraphs"][i]["text"], "");
        }
        assert_eq!(
            out["paragraphs"][2]["withheld"],
            "paragraph 3 withheld (S//NF)"
        );
        assert!(out["source"].get("path").is_none());
        let s = View::restricted(Who::Anonymous, Clearance::new(Level::Secret, ["NOFORN"]));
        let out = redact_cable(cable(), None, &s).expect("visible");
        assert_eq!(out["paragraphs"][3]["text"], "unmarked words");
        assert_eq!(out["withheld"].as_array().map(Vec::len), Some(0));
    }

    #[test]
    fn a_cable_without_visible_portions_does_not_exist() {
        let mut c = cable();
        c["subject_marking"] = json!("S");
        c["paragraphs"][0]["marking"] = json!("C");
        let anon = View::restricted(Who::Anonymous, Clearance::public());
        assert!(redact_cable(c, None, &anon).is_none());
    }

    #[test]
    fn release_and_declassification_open_portions() {
        let anon = View::restricted(Who::Anonymous, Clearance::public());
        let release = Release {
            level: "UNCLASSIFIED".into(),
            withheld: vec![Withheld {
                paragraph: "3".into(),
                exemption: "B1".into(),
            }],
            by: "owner".into(),
            at: "2026-01-01T00:00:00Z".into(),
        };
        let out = redact_cable(cable(), Some(&release), &anon).expect("visible");
        assert_eq!(out["paragraphs"][1]["text"], "confidential words");
        assert_eq!(
            out["paragraphs"][2]["withheld"],
            "paragraph 3 withheld (S//NF; exemption B1)"
        );
        let mut declass = anon.clone();
        declass.auto_declassify = true;
        let out = redact_cable(cable(), None, &declass).expect("visible");
        assert_eq!(out["paragraphs"][2]["text"], "secret noforn words");
    }

    #[test]
    fn raw_text_is_redacted_by_span() {
        let text = "SUBJECT: xPARA ONE  PARA TWO  PARA THRE  PARA FOUR  SIG";
        let anon = View::restricted(Who::Anonymous, Clearance::public());
        let out = redact_text(text, &cable(), None, &anon).expect("visible");
        assert!(out.contains("PARA ONE"));
        for hidden in ["PARA TWO", "PARA THRE", "PARA FOUR", "SIG"] {
            assert!(!out.contains(hidden), "{hidden} leaked: {out}");
        }
        assert!(out.contains("[paragraph 3 withheld (S//NF)]"));
    }
}
