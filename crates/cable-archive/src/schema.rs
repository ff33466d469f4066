//! The search index's schema and how a [`Cable`] becomes one tantivy document.
//!
//! The subject and the body text are indexed per portion class (see [`crate::access`]): `subject`
//! and `body` are JSON fields whose keys are class keys (`u`, `c`, `s+nf`, `s+nf+!w`), each
//! paragraph's text stored under the key of its class, so that a query for a reader names only
//! the keys that reader may see and can never match a word of a hidden portion. `access` holds
//! the keys of a cable's portions: the set of cables a reader may see is one term-set query.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use cable_format::Cable;
use cable_query::{Level, Marking, Precedence, Ranked};
use tantivy::schema::OwnedValue;

use crate::access::{self, PortionKind, Release};
use crate::hitrecord::HitRecord;
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, JsonObjectOptions, NumericOptions, Schema,
    TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};
use tantivy::TantivyDocument;

/// Bumped whenever the schema or what goes into it changes; an archive built with another
/// version must be rebuilt (`cables reindex`). 2: the container's metadata is stored. 3: a
/// `/month` facet for timelines. 4: text indexed per portion class (access control), releases.
/// 5: adjacent word pairs of the subject and body (`pairs`), for phrases. 6: each document
/// starts with its hit record (`hit`, `hit_text`). 7: the subject and body once more without
/// class keys (`text`), for the views that see every key. 8: the common pairs
/// (`common_pairs.txt`) in `pairs` too.
pub const SCHEMA_VERSION: &str = "8";

/// The name of the analyzer every text field uses.
pub const TOKENIZER: &str = "cables";

/// The name of the analyzer of the `pairs` field: [`analyzer`]'s words, two by two.
pub const PAIRS_TOKENIZER: &str = "cables_pairs";

/// Whole words, lower case, accents folded, no stemming.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// The words [`analyzer`] makes of `text`: how a query's text becomes terms.
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Registers the analyzers the schema names with `index`.
pub fn register_analyzers(index: &tantivy::Index) {
    index.tokenizers().register(TOKENIZER, analyzer());
    index
        .tokenizers()
        .register(PAIRS_TOKENIZER, pairs_analyzer());
}

/// The words of [`analyzer`] two by two where both are common words, or the two are a common
/// pair, and directly follow each other (`prime minister` from "the Prime Minister's"): the
/// terms of the `pairs` field.
pub fn pairs_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(WordPairs)
        .build()
}

/// The words found in at least 20% of the real corpus's cables, function words left out
/// (`scripts/common_words.py`): a phrase of two of them is one whose words' positions a phrase
/// query would have to read in a large share of any archive, so the pair is indexed as a term of
/// its own. A phrase with a rarer word is fast without it: its rarer word's postings are short.
/// A longer list costs ingest time (BENCHMARKS.md, session 7).
/// Room in a cable's document for all but its long texts: ids, dates, ranks, facets, tags,
/// addressees, the access keys (a few hundred bytes for most cables).
const DOC_SMALL_FIELDS: usize = 4096;

const COMMON_WORDS: &str = include_str!("common_words.txt");

/// The set phrases of the field whose words are less common than [`COMMON_WORDS`] but still in a
/// tenth of the cables or more (`human rights`, `law enforcement`; `scripts/common_pairs.py`):
/// found as phrases in at least 1% of the real corpus's cables. A fixed list of pairs adds at
/// most this many terms to the index, where a longer word list would add every pair of its
/// words.
const COMMON_PAIRS: &str = include_str!("common_pairs.txt");

/// The lines of a word or pair list (its `#` lines are comments).
fn listed(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
}

/// The words of [`COMMON_WORDS`].
fn listed_common_words() -> impl Iterator<Item = &'static str> {
    listed(COMMON_WORDS)
}

/// The pairs of [`COMMON_PAIRS`], each as its two words.
fn listed_common_pairs() -> impl Iterator<Item = (&'static str, &'static str)> {
    listed(COMMON_PAIRS).filter_map(|l| l.split_once(' '))
}

/// What a word may take part in as a pair's word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A common word: it pairs with any common word.
    Common,
    /// Not common, but a word of a common pair: it pairs with that pair's other word.
    Paired,
}

/// The words that can make a pair, and the common pairs.
struct PairWords {
    roles: FxHashMap<&'static str, Role>,
    pairs: FxHashSet<(&'static str, &'static str)>,
}

impl PairWords {
    fn get() -> &'static PairWords {
        static WORDS: OnceLock<PairWords> = OnceLock::new();
        WORDS.get_or_init(|| {
            let mut roles: FxHashMap<&'static str, Role> =
                listed_common_words().map(|w| (w, Role::Common)).collect();
            let pairs: FxHashSet<_> = listed_common_pairs().collect();
            for &(a, b) in &pairs {
                for w in [a, b] {
                    roles.entry(w).or_insert(Role::Paired);
                }
            }
            PairWords { roles, pairs }
        })
    }

    fn role(&self, word: &str) -> Option<Role> {
        self.roles.get(word).copied()
    }

    /// Whether two words with these roles, adjacent, make a pair term.
    fn pairs(&self, first: (&str, Role), second: (&str, Role)) -> bool {
        (first.1 == Role::Common && second.1 == Role::Common)
            || self.pairs.contains(&(first.0, second.0))
    }
}

/// Whether `word` (as [`analyzer`] yields it) is one of the common words.
pub fn is_common(word: &str) -> bool {
    PairWords::get().role(word) == Some(Role::Common)
}

/// The term of the `pairs` field for two adjacent words as [`analyzer`] yields them, if the
/// field holds such a pair (both words are common, or the two are a common pair). A word never
/// holds a space, so no pair can be mistaken for a word.
pub fn pair(first: &str, second: &str) -> Option<String> {
    let words = PairWords::get();
    let (a, b) = (words.role(first)?, words.role(second)?);
    if !words.pairs((first, a), (second, b)) {
        return None;
    }
    let mut s = String::with_capacity(first.len() + 1 + second.len());
    write_pair(&mut s, first, second);
    Some(s)
}

/// The text of a pair term, into `out` (cleared first): the one spelling [`pair`] and
/// [`WordPairs`] share.
fn write_pair(out: &mut String, first: &str, second: &str) {
    out.clear();
    out.push_str(first);
    out.push(' ');
    out.push_str(second);
}

/// A token filter that turns a stream of words into the stream of its pairs of adjacent common
/// words: one token for each common word whose successor is common too and sits at the next
/// position, spanning both. A word removed before this filter (one over 64 bytes) leaves a gap,
/// so the words around it make no pair, as a phrase query would not match across it either.
#[derive(Clone, Copy, Debug)]
pub struct WordPairs;

impl TokenFilter for WordPairs {
    type Tokenizer<T: Tokenizer> = WordPairsTokenizer<T>;
    fn transform<T: Tokenizer>(self, tokenizer: T) -> WordPairsTokenizer<T> {
        WordPairsTokenizer {
            inner: tokenizer,
            prev: Token::default(),
            pair: Token::default(),
        }
    }
}

/// [`WordPairs`] over a tokenizer; keeps its buffers from one text to the next.
#[derive(Clone, Debug)]
pub struct WordPairsTokenizer<T> {
    inner: T,
    prev: Token,
    pair: Token,
}

impl<T: Tokenizer> Tokenizer for WordPairsTokenizer<T> {
    type TokenStream<'a> = WordPairsStream<'a, T::TokenStream<'a>>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        self.prev.reset();
        self.pair.reset();
        WordPairsStream {
            inner: self.inner.token_stream(text),
            prev: &mut self.prev,
            pair: &mut self.pair,
            prev_role: None,
        }
    }
}

/// The stream of [`WordPairs`].
pub struct WordPairsStream<'a, S> {
    inner: S,
    prev: &'a mut Token,
    pair: &'a mut Token,
    /// The role of the word in `prev`, when there is one.
    prev_role: Option<Role>,
}

impl<S: TokenStream> TokenStream for WordPairsStream<'_, S> {
    fn advance(&mut self) -> bool {
        let words = PairWords::get();
        while self.inner.advance() {
            let cur = self.inner.token();
            let Some(role) = words.role(&cur.text) else {
                self.prev_role = None;
                continue;
            };
            let adjacent = self.prev_role.is_some_and(|prev| {
                cur.position == self.prev.position.wrapping_add(1)
                    && words.pairs((&self.prev.text, prev), (&cur.text, role))
            });
            if adjacent {
                write_pair(&mut self.pair.text, &self.prev.text, &cur.text);
                self.pair.offset_from = self.prev.offset_from;
                self.pair.offset_to = cur.offset_to;
                self.pair.position = self.prev.position;
                self.pair.position_length = 2;
            }
            self.prev.text.clear();
            self.prev.text.push_str(&cur.text);
            self.prev.position = cur.position;
            self.prev.offset_from = cur.offset_from;
            self.prev_role = Some(role);
            if adjacent {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        self.pair
    }
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    pub id: Field,
    pub hash: Field,
    pub date_ts: Field,
    pub day: Field,
    pub year: Field,
    pub class_rank: Field,
    pub precedence_rank: Field,
    pub classification: Field,
    pub banner: Field,
    pub origin: Field,
    pub from: Field,
    pub to: Field,
    pub info: Field,
    pub tag: Field,
    pub caveat: Field,
    pub caption: Field,
    /// The subject under its class key (JSON).
    pub subject: Field,
    pub signer: Field,
    pub classified_by: Field,
    pub declassify_day: Field,
    pub declassify_code: Field,
    pub cites: Field,
    pub has: Field,
    pub marking: Field,
    /// Paragraph text under class keys (JSON).
    pub body: Field,
    /// The adjacent word pairs of the subject and the body under their class keys (JSON; which
    /// cables, no positions): a phrase query reads the positions only of the cables that hold
    /// every pair of the phrase.
    pub pairs: Field,
    /// The subject and the body without class keys: each key's subject and body, as `subject`
    /// and `body` hold them, are values of their own (so a phrase spans no two of them, as it
    /// spans no two keys there). A view that sees every key searches one field, not a union
    /// of every key's.
    pub text: Field,
    /// The class keys of the cable's portions.
    pub access: Field,
    pub facets: Field,
    /// The cable's JSON (the parse contract), stored only.
    pub cable: Field,
    /// The original text as decoded from its container, stored only.
    pub original: Field,
    /// What the container said besides the text ([`crate::ContainerMeta`] JSON), stored only.
    pub container: Field,
    /// The release recorded for the cable ([`crate::access::Release`] JSON), stored only.
    pub release: Field,
    /// What a search hit shows ([`crate::hitrecord::HitRecord`]) but its texts (postcard),
    /// stored only: the first value of every document, so that a hit reads nothing after it.
    pub hit: Field,
    /// The hit record's texts, stored only: the second value of every document.
    pub hit_text: Field,
}

impl Fields {
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let json = JsonObjectOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        let num = NumericOptions::default() | INDEXED | FAST;
        let id = b.add_text_field("id", STRING | STORED | FAST);
        let hash = b.add_text_field("hash", STRING | STORED);
        let date_ts = b.add_i64_field("date_ts", num.clone());
        let day = b.add_i64_field("day", num.clone());
        let year = b.add_u64_field("year", num.clone());
        let class_rank = b.add_u64_field("class_rank", num.clone());
        let precedence_rank = b.add_u64_field("precedence_rank", num.clone());
        let classification = b.add_text_field("classification", STRING);
        let banner = b.add_text_field("banner", STRING);
        let origin = b.add_text_field("origin", STRING);
        let from = b.add_text_field("from", text.clone());
        let to = b.add_text_field("to", text.clone());
        let info = b.add_text_field("info", text.clone());
        let tag = b.add_text_field("tag", text.clone());
        let caveat = b.add_text_field("caveat", text.clone());
        let caption = b.add_text_field("caption", text.clone());
        let subject = b.add_json_field("subject", json.clone());
        let signer = b.add_text_field("signer", text.clone());
        let classified_by = b.add_text_field("classified_by", text.clone());
        let declassify_day = b.add_i64_field("declassify_day", num);
        let declassify_code = b.add_text_field("declassify_code", STRING);
        let cites = b.add_text_field("cites", STRING);
        let has = b.add_text_field("has", STRING);
        let marking = b.add_text_field("marking", STRING);
        let body = b.add_json_field("body", json);
        let pairs = b.add_json_field(
            "pairs",
            JsonObjectOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(PAIRS_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let text_all = b.add_text_field("text", text.clone());
        let access = b.add_text_field("access", STRING);
        let facets = b.add_facet_field("facets", FacetOptions::default());
        let cable = b.add_text_field("cable", STORED);
        let original = b.add_text_field("original", STORED);
        let container = b.add_text_field("container", STORED);
        let release = b.add_text_field("release", STORED);
        let hit = b.add_bytes_field("hit", STORED);
        let hit_text = b.add_text_field("hit_text", STORED);
        Fields {
            schema: b.build(),
            id,
            hash,
            date_ts,
            day,
            year,
            class_rank,
            precedence_rank,
            classification,
            banner,
            origin,
            from,
            to,
            info,
            tag,
            caveat,
            caption,
            subject,
            signer,
            classified_by,
            declassify_day,
            declassify_code,
            cites,
            has,
            marking,
            body,
            pairs,
            text: text_all,
            access,
            facets,
            cable,
            original,
            container,
            release,
            hit,
            hit_text,
        }
    }

    /// The tantivy document of one cable version (`id` already decided, `hash` its version).
    /// `record` is the version's stored record (its `original` is `cable.text`).
    pub fn document(
        &self,
        id: &str,
        hash: &str,
        cable: &Cable,
        record: &crate::StoredVersion,
        release: Option<&Release>,
    ) -> TantivyDocument {
        let json: serde_json::Value = serde_json::from_str(&record.cable).unwrap_or_default();
        self.document_with_json(id, hash, cable, record, release, &json)
    }

    /// [`Fields::document`] given the Cable JSON as a value (`serde_json::to_value(cable)`, the
    /// same JSON `record.cable` holds as text), which spares reading the text back.
    pub fn document_with_json(
        &self,
        id: &str,
        hash: &str,
        cable: &Cable,
        record: &crate::StoredVersion,
        release: Option<&Release>,
        json: &serde_json::Value,
    ) -> TantivyDocument {
        // A cable without paragraphs is one portion: its whole normalised text, at the cable's
        // class (a damaged cable stays searchable).
        let body_text = json["paragraphs"]
            .as_array()
            .is_none_or(|p| p.is_empty())
            .then(|| cable_format::normalize::normalize(&cable.text).text);
        let hit = HitRecord::new(id, cable, json, body_text.as_deref(), release);
        let (head, texts) = hit.encode();
        // Portions by class, from the hit record (made from the stored JSON), so that the index,
        // every redaction and a hit read the same portions and texts.
        let mut subject: BTreeMap<String, String> = BTreeMap::new();
        let mut body: BTreeMap<String, String> = BTreeMap::new();
        let mut keys = std::collections::BTreeSet::new();
        for p in access::portions(&hit.marks, release) {
            let key = p.class.key();
            keys.insert(key.clone());
            match p.kind {
                PortionKind::Subject => {
                    if let Some(s) = hit.marks.subject {
                        subject.insert(key, s.to_string());
                    }
                }
                PortionKind::Paragraph(i) => {
                    let Some(para) = hit.paragraphs.get(i) else {
                        continue;
                    };
                    let slot = body.entry(key).or_default();
                    for part in [para.heading, Some(para.text)].into_iter().flatten() {
                        if !slot.is_empty() {
                            slot.push_str("\n\n");
                        }
                        slot.push_str(part);
                    }
                }
                PortionKind::Body => {
                    body.insert(key, hit.body.unwrap_or_default().to_string());
                }
            }
        }
        // Sized once for everything it holds: the stored texts, and the portions' texts three
        // times (the text, the subject or body object, the pairs); a document grown by doubling
        // cost an ingest a chain of copies.
        let portions: usize = subject.values().chain(body.values()).map(String::len).sum();
        let size = head.len() + texts.len() + record.cable.len() + record.original.len();
        let mut d = TantivyDocument::with_capacity(size + 3 * portions + DOC_SMALL_FIELDS);
        d.add_bytes(self.hit, &head);
        d.add_text(self.hit_text, texts);
        d.add_text(self.id, id);
        d.add_text(self.hash, hash);
        d.add_text(self.cable, &record.cable);
        d.add_text(self.original, &record.original);
        if record.container != crate::ContainerMeta::default() {
            d.add_text(
                self.container,
                serde_json::to_string(&record.container).unwrap_or_default(),
            );
        }
        if let Some(date) = cable.date.as_deref() {
            if let Ok(ts) = date.parse::<jiff::Timestamp>() {
                d.add_i64(self.date_ts, ts.as_second());
            }
            if let Some((y, day)) = day_number(date) {
                d.add_i64(self.day, day);
                d.add_u64(self.year, y as u64);
                d.add_facet(self.facets, Facet::from_path(["year", &y.to_string()]));
                d.add_facet(
                    self.facets,
                    Facet::from_path(["month", &format!("{y:04}-{:02}", (day / 100) % 100)]),
                );
            }
        }
        let level = cable_level(cable.classification.as_deref(), cable.banner.as_deref());
        if let Some(l) = level {
            d.add_u64(self.class_rank, rank(l));
        }
        if let Some(c) = cable.classification.as_deref() {
            d.add_text(self.classification, c);
        }
        // The facet names the rank (SBU for a FOUO banner), or the value as written.
        if let Some(name) = level.map(|l| l.name()).or(cable.classification.as_deref()) {
            d.add_facet(self.facets, Facet::from_path(["classification", name]));
        }
        if let Some(b) = cable.banner.as_deref() {
            d.add_text(self.banner, b);
        }
        if let Some(p) = cable.precedence.as_deref() {
            if let Some(p) = Precedence::parse(p) {
                d.add_u64(self.precedence_rank, rank(p));
            }
            d.add_facet(self.facets, Facet::from_path(["precedence", p]));
        }
        if let Some(o) = cable.origin.as_deref() {
            d.add_text(self.origin, o);
            d.add_text(self.from, o);
            d.add_facet(self.facets, Facet::from_path(["origin", o]));
        }
        if let Some(f) = cable.from.as_deref() {
            d.add_text(self.from, f);
        }
        for (field, list) in [(self.to, &cable.to), (self.info, &cable.info)] {
            for a in list {
                d.add_text(field, &a.name);
                for s in [&a.station, &a.ri].into_iter().flatten() {
                    d.add_text(field, s);
                }
            }
        }
        for t in &cable.tags {
            d.add_text(self.tag, &t.code);
            d.add_facet(self.facets, Facet::from_path(["tag", &t.code]));
        }
        for c in &cable.caveats {
            d.add_text(self.caveat, c);
            d.add_facet(self.facets, Facet::from_path(["caveat", c]));
        }
        for c in &cable.captions {
            d.add_text(self.caption, c);
        }
        for s in &cable.signature {
            d.add_text(self.signer, s);
        }
        if let Some(c) = &cable.classified_by {
            d.add_text(self.classified_by, &c.text);
        }
        if let Some(eo) = &cable.eo {
            if let Some((_, day)) = eo.declassify_on.as_deref().and_then(day_number) {
                d.add_i64(self.declassify_day, day);
            }
            if let Some(code) = eo.code.as_deref() {
                d.add_text(self.declassify_code, code.to_uppercase());
            }
        }
        for r in &cable.references {
            if let Some(rid) = r.id.as_deref() {
                d.add_text(self.cites, rid);
            }
        }
        for flag in flags(cable) {
            d.add_text(self.has, flag);
        }
        for term in marking_terms(cable.paragraphs.iter().filter_map(|p| p.marking.as_deref())) {
            d.add_text(self.marking, term);
        }
        for diag in &cable.diagnostics {
            d.add_facet(self.facets, Facet::from_path(["diagnostic", &diag.code]));
        }
        if let Some(r) = release {
            d.add_text(self.release, serde_json::to_string(r).unwrap_or_default());
        }
        for k in keys {
            d.add_text(self.access, k);
        }
        // The same values without keys, in the order of the keys, subjects first.
        for v in subject.values().chain(body.values()) {
            d.add_text(self.text, v);
        }
        // Each key's subject and body are two values of `pairs`, so that no pair spans them.
        let mut pairs: BTreeMap<String, Vec<OwnedValue>> = BTreeMap::new();
        for (k, v) in subject.iter().chain(body.iter()) {
            pairs
                .entry(k.clone())
                .or_default()
                .push(OwnedValue::Str(v.clone()));
        }
        let object = |map: BTreeMap<String, String>| -> BTreeMap<String, OwnedValue> {
            map.into_iter()
                .map(|(k, v)| (k, OwnedValue::Str(v)))
                .collect()
        };
        if !subject.is_empty() {
            d.add_object(self.subject, object(subject));
        }
        if !body.is_empty() {
            d.add_object(self.body, object(body));
        }
        if !pairs.is_empty() {
            d.add_object(
                self.pairs,
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, OwnedValue::Array(v)))
                    .collect(),
            );
        }
        d
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// A ranked value's position, lowest 0: what the `*_rank` fields hold.
pub fn rank<T: Ranked>(v: T) -> u64 {
    T::ALL.iter().position(|x| *x == v).unwrap_or(0) as u64
}

/// The highest level either names, so that a banner `UNCLASSIFIED//FOR OFFICIAL USE ONLY` (the
/// classification line says UNCLASSIFIED) ranks as SBU.
pub fn cable_level(classification: Option<&str>, banner: Option<&str>) -> Option<Level> {
    let from_banner = banner
        .into_iter()
        .flat_map(|b| b.split('/'))
        .filter_map(Level::parse);
    classification
        .and_then(Level::parse)
        .into_iter()
        .chain(from_banner)
        .max()
}

/// `(year, YYYYMMDD)` of a date written `YYYY-MM-DD…`.
pub fn day_number(date: &str) -> Option<(i32, i64)> {
    let b = date.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = date.get(0..4)?.parse().ok()?;
    let m: i64 = date.get(5..7)?.parse().ok()?;
    let d: i64 = date.get(8..10)?.parse().ok()?;
    Some((y, y as i64 * 10_000 + m * 100 + d))
}

/// The `has:` flags a cable has, by their query names.
pub fn flags(cable: &Cable) -> Vec<&'static str> {
    let mut v = Vec::new();
    let nonempty = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !cable.references.is_empty() {
        v.push("refs");
    }
    if nonempty(&cable.summary) {
        v.push("summary");
    }
    if nonempty(&cable.comment) {
        v.push("comment");
    }
    if !cable.signature.is_empty() {
        v.push("signature");
    }
    if nonempty(&cable.subject) {
        v.push("subject");
    }
    if !cable.tags.is_empty() {
        v.push("tags");
    }
    if cable.paragraphs.iter().any(|p| p.marking.is_some()) {
        v.push("markings");
    }
    if !cable.caveats.is_empty() {
        v.push("caveats");
    }
    if !cable.diagnostics.is_empty() {
        v.push("diagnostics");
    }
    v
}

/// The `marking` terms of a cable's paragraph markings: for each marking, its level with every
/// subset of its caveats (sorted), `S`, `S//NF`, `S//NF//REL`, … so that `marking:S//NF` is one
/// term lookup per level. Caveats beyond the fourth are only indexed singly and all together.
pub fn marking_terms<'a>(markings: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for m in markings {
        let Some(m) = Marking::parse(m) else { continue };
        let mut caveats = m.caveats.clone();
        caveats.sort();
        caveats.dedup();
        let subsets: Vec<Vec<&String>> = if caveats.len() <= 4 {
            (0u32..(1 << caveats.len()))
                .map(|mask| {
                    caveats
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| mask & (1 << i) != 0)
                        .map(|(_, c)| c)
                        .collect()
                })
                .collect()
        } else {
            let mut s: Vec<Vec<&String>> = vec![vec![], caveats.iter().collect()];
            s.extend(caveats.iter().map(|c| vec![c]));
            s
        };
        for subset in subsets {
            out.insert(marking_term(m.level, subset.iter().map(|s| s.as_str())));
        }
    }
    out.into_iter().collect()
}

/// One `marking` term: the level's short form and the caveats, which must come sorted.
pub fn marking_term<'a>(level: Level, sorted_caveats: impl Iterator<Item = &'a str>) -> String {
    let mut t = level.short().to_string();
    for c in sorted_caveats {
        t.push_str("//");
        t.push_str(c);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marking_terms_cover_caveat_subsets() {
        let t = marking_terms(["S//NF", "C"].into_iter());
        assert_eq!(t, vec!["C", "S", "S//NF"]);
    }

    #[test]
    fn day_numbers() {
        assert_eq!(day_number("2009-08-04T14:57:00Z"), Some((2009, 20090804)));
        assert_eq!(day_number("2009"), None);
    }

    fn pairs_of(text: &str) -> Vec<(String, usize, &str)> {
        let mut analyzer = super::pairs_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((
                t.text.clone(),
                t.position,
                &text[t.offset_from..t.offset_to],
            ));
        }
        out
    }

    #[test]
    fn word_pairs_are_adjacent_words() {
        for w in ["prime", "minister", "foreign", "government", "said"] {
            assert!(super::is_common(w), "{w}");
        }
        // Function words, numbers, single letters and rare words make no pairs.
        for w in [
            "the",
            "of",
            "2009",
            "s",
            "xylophone",
            "kidnapping",
            "Minister",
            "a b",
        ] {
            assert!(!super::is_common(w), "{w}");
        }
        assert_eq!(
            pairs_of("The Prime  Minister\nSAID, Gouvernement kidnapping the foreign government"),
            vec![
                ("prime minister".to_string(), 1, "Prime  Minister"),
                ("minister said".to_string(), 2, "Minister\nSAID"),
                ("foreign government".to_string(), 7, "foreign government"),
            ]
        );
        assert!(pairs_of("minister").is_empty());
        assert!(pairs_of(" ,; ").is_empty());
        // A word over 64 bytes is dropped from the index: the words around it are no pair.
        let long = "x".repeat(70);
        assert_eq!(
            pairs_of(&format!("foreign {long} prime minister")),
            vec![("prime minister".to_string(), 2, "prime minister")]
        );
        // The same analyzer again starts afresh: no pair spans two texts.
        let mut analyzer = super::pairs_analyzer();
        for (text, want) in [
            ("foreign minister", vec!["foreign minister"]),
            ("said", vec![]),
        ] {
            let mut stream = analyzer.token_stream(text);
            let mut got = Vec::new();
            while stream.advance() {
                got.push(stream.token().text.clone());
            }
            assert_eq!(got, want);
        }
    }

    #[test]
    fn common_pairs_pair_only_with_each_other() {
        for w in ["human", "rights", "enforcement"] {
            assert!(!super::is_common(w), "{w}");
        }
        assert_eq!(
            pairs_of("Human Rights and law enforcement: rights human, human government"),
            vec![
                ("human rights".to_string(), 0, "Human Rights"),
                ("law enforcement".to_string(), 3, "law enforcement"),
            ]
        );
        // A common pair's word still ends a pair of common words before it and starts none
        // with a common word after it, unless listed.
        assert_eq!(
            pairs_of("foreign minister human rights government said"),
            vec![
                ("foreign minister".to_string(), 0, "foreign minister"),
                ("human rights".to_string(), 2, "human rights"),
                ("government said".to_string(), 4, "government said"),
            ]
        );
        assert_eq!(
            super::pair("human", "rights").as_deref(),
            Some("human rights")
        );
        assert_eq!(super::pair("rights", "human"), None);
        assert_eq!(super::pair("human", "government"), None);
        assert_eq!(
            super::pair("prime", "minister").as_deref(),
            Some("prime minister")
        );
    }

    #[test]
    fn the_common_pairs_are_words_of_the_analyzer() {
        let pairs: Vec<(&str, &str)> = super::listed_common_pairs().collect();
        assert!(pairs.len() > 100, "{} common pairs", pairs.len());
        assert_eq!(
            pairs.len(),
            super::listed(super::COMMON_PAIRS).count(),
            "every line is two words"
        );
        assert!(pairs.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for (a, b) in pairs {
            assert!(!(super::is_common(a) && super::is_common(b)), "{a} {b}");
            assert_eq!(super::words(&format!("{a} {b}")), [a, b], "{a} {b}");
        }
    }

    #[test]
    fn the_common_words_are_words_of_the_analyzer() {
        let words: Vec<&str> = super::listed_common_words().collect();
        assert!(words.len() > 200, "{} common words", words.len());
        assert!(!words.contains(&"the") && words.contains(&"minister"));
        assert!(words.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        for w in words {
            assert_eq!(super::words(w), [w], "{w} is one word of the analyzer");
        }
    }
}
