//! Search: a [`cable_query::Query`] becomes a tantivy query; results come back with exact facet
//! counts over the whole result set (a facet collector, not a sample) and snippets.

use std::cell::RefCell;
use std::collections::BTreeMap;

use cable_query::{DateRange, Declassify, Filter, Level, Query, Ranked, Text};
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Bm25StatisticsProvider;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, ExistsQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query as TQuery, RegexQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Order, Searcher, Term};

use crate::access::{Class, View};
use crate::error::{InternalError, Result, UserError};
use crate::hitrecord::{HitDoc, HitRecord};
use crate::ranges::{Numbers, RangeOfQuery};
use crate::rank::{InIndexOrder, Matches, TopWithin};
use crate::schema::{self, marking_term, rank};
use crate::snippet::{lead, Snippets};
use crate::within::Within;
use crate::Archive;

/// The facets every search counts, by their JSON names.
pub const FACETS: [&str; 6] = [
    "classification",
    "caveat",
    "tag",
    "origin",
    "year",
    "precedence",
];

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first: words rank, fields only narrow (a query of fields alone, or the empty
    /// query: index order).
    #[default]
    Relevance,
    /// Oldest first.
    DateAsc,
    /// Newest first.
    DateDesc,
}

/// The buckets of a timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Month,
    Year,
}

/// Which page of results to return, in which order.
#[derive(Debug, Clone, Copy)]
pub struct SearchOptions {
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            offset: 0,
            sort: Sort::Relevance,
        }
    }
}

/// One search hit: the fields a result list shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hit {
    pub id: String,
    pub date: Option<String>,
    pub classification: Option<String>,
    pub banner: Option<String>,
    pub origin: Option<String>,
    pub from: Option<String>,
    pub subject: Option<String>,
    pub tags: Vec<String>,
    /// A fragment of the text around the matched words, plain text, whitespace collapsed.
    pub snippet: String,
    /// The matched words in `snippet`: `[start, end)` byte ranges, in order.
    pub highlights: Vec<[usize; 2]>,
}

/// A page of hits, the total and exact facet counts over every matching cable.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<String, BTreeMap<String, u64>>,
}

/// What `cables stats` reports.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stats {
    pub cables: u64,
    /// Versions recorded in the ledger; given to the owner only (it counts every cable).
    pub versions: Option<u64>,
    pub by_classification: BTreeMap<String, u64>,
    pub by_year: BTreeMap<String, u64>,
    /// Cables with at least one diagnostic of this code.
    pub diagnostics: BTreeMap<String, u64>,
    /// The index schema and the parser version the archive was built (or last reindexed) with.
    pub schema_version: String,
    pub parser_version: String,
}

fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if !c.is_alphanumeric() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn should(queries: Vec<Box<dyn TQuery>>) -> Box<dyn TQuery> {
    if queries.len() == 1 {
        return queries
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(AllQuery));
    }
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// How many words the prefix at the end of a phrase may stand for, in each segment. tantivy's
/// default, 50, silently missed matches of a short prefix (`with-the-wa*`); tantivy reserves
/// room for this many words up front (about 1.8 KB each, untouched unless used).
const PHRASE_PREFIX_WORDS: u32 = 10_000;

/// A phrase whose last word is a prefix.
fn phrase_prefix(terms: Vec<Term>) -> PhrasePrefixQuery {
    let mut q = PhrasePrefixQuery::new(terms);
    q.set_max_expansions(PHRASE_PREFIX_WORDS);
    q
}

fn raw_term(field: Field, value: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn day(d: jiff::civil::Date) -> i64 {
    d.year() as i64 * 10_000 + d.month() as i64 * 100 + d.day() as i64
}

/// The numeric field a range filter reads (a filter of another kind reads none: "").
fn day_field(filter: &Filter) -> &'static str {
    match filter {
        Filter::Classification(_) => "class_rank",
        Filter::Precedence(_) => "precedence_rank",
        Filter::Date(_) => "day",
        Filter::Declassify(Declassify::Date(_)) => "declassify_day",
        _ => "",
    }
}

/// What one request may search: the class keys whose text it may match, and under automatic
/// declassification the further keys open in cables whose date has passed.
pub(crate) struct Scope {
    /// Keys visible by clearance; `None` for a view that sees everything.
    visible: Option<Vec<String>>,
    /// Keys of portions that automatic declassification opens (not withheld, not visible).
    opened: Vec<String>,
    /// The `YYYYMMDD` day on or before which a declassification date opens a cable.
    as_of: Option<i64>,
    /// Every key in the index.
    all: Vec<String>,
    /// The view the scope was made for.
    pub(crate) view: View,
}

impl Scope {
    /// The keys a text query names outright.
    fn keys(&self) -> &[String] {
        self.visible.as_deref().unwrap_or(&self.all)
    }

    /// Whether the view sees the text under every key in the index.
    fn sees_every_key(&self) -> bool {
        self.visible
            .as_ref()
            .is_none_or(|v| v.len() == self.all.len())
    }

    /// The visible keys of a restricted view that sees exactly their cables: no automatic
    /// declassification opens more. `None` for a view that sees everything, or more.
    fn exact_keys(&self) -> Option<&[String]> {
        let visible = self.visible.as_deref()?;
        (self.as_of.is_none() || self.opened.is_empty()).then_some(visible)
    }
}

/// The searcher's BM25 statistics, each answer remembered for the one search: its scoring looks
/// up every scored word's document frequency (a term look-up per segment), and the snippets
/// weigh the words by the same counts without looking them up again.
struct Statistics<'s> {
    searcher: &'s Searcher,
    doc_freqs: RefCell<FxHashMap<Term, u64>>,
    tokens: RefCell<FxHashMap<Field, u64>>,
}

impl<'s> Statistics<'s> {
    fn new(searcher: &'s Searcher) -> Statistics<'s> {
        Statistics {
            searcher,
            doc_freqs: RefCell::default(),
            tokens: RefCell::default(),
        }
    }
}

impl Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.borrow().get(&field) {
            return Ok(*n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.doc_freqs.borrow().get(term) {
            return Ok(*n);
        }
        let n = self.searcher.doc_freq(term)?;
        self.doc_freqs.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

/// The segments `searcher` reads, for pruning what is kept per segment.
fn live_segments(searcher: &Searcher) -> Vec<tantivy::index::SegmentId> {
    searcher
        .segment_readers()
        .iter()
        .map(|s| s.segment_id())
        .collect()
}

/// The word of a JSON string term: after the path, its end byte (0) and the type byte.
fn json_word(term: &Term) -> Option<&str> {
    let bytes = term.serialized_value_bytes();
    let end = bytes.iter().position(|b| *b == 0)?;
    std::str::from_utf8(bytes.get(end + 2..)?).ok()
}

fn json_term(field: Field, key: &str, word: &str) -> Term {
    let mut t = Term::from_field_json_path(field, key, false);
    t.append_type_and_str(word);
    t
}

impl Archive {
    /// The scope of `view` over the index `searcher` reads.
    pub(crate) fn scope(&self, searcher: &Searcher, view: &View) -> Result<Scope> {
        let all = self.index_keys(searcher)?;
        let Some(clearance) = &view.clearance else {
            return Ok(Scope {
                visible: None,
                opened: Vec::new(),
                as_of: None,
                all,
                view: view.clone(),
            });
        };
        let mut visible = Vec::new();
        let mut opened = Vec::new();
        for k in &all {
            // A key we cannot read is treated as visible to nobody.
            let Some(c) = Class::from_key(k) else {
                continue;
            };
            if clearance.allows(&c) {
                visible.push(k.clone());
            } else if view.auto_declassify && !c.withheld {
                opened.push(k.clone());
            }
        }
        Ok(Scope {
            visible: Some(visible),
            as_of: view.auto_declassify.then(|| view.as_of_day()),
            opened,
            all,
            view: view.clone(),
        })
    }

    /// Cables whose declassification date has passed, under the scope's policy.
    fn declassified(&self, scope: &Scope) -> Option<Box<dyn TQuery>> {
        scope.as_of.map(|day| self.declassify_by(day))
    }

    /// Cables whose declassification date is `day` or before.
    fn declassify_by(&self, day: i64) -> Box<dyn TQuery> {
        Box::new(RangeOfQuery::new(
            self.fields.declassify_day,
            "declassify_day",
            Numbers::Signed,
            None,
            Some(day),
            self.range_cache.clone(),
        ))
    }

    /// `tq` limited to the cables the scope may see (unchanged for a view that sees all).
    /// A view that sees exactly its visible keys' cables (no automatic declassification
    /// opening more) tests each match against the keys' cached doc set ([`Within`]); the
    /// whole archive for such a view is that set itself.
    pub(crate) fn restrict(&self, tq: Box<dyn TQuery>, scope: &Scope) -> Box<dyn TQuery> {
        let Some(visible) = &scope.visible else {
            return tq;
        };
        let term_set = |keys: &[String]| {
            crate::keyset::KeySetQuery::new(self.fields.access, keys, self.keyset_cache.clone())
        };
        if scope.exact_keys().is_some() {
            if tq.is::<AllQuery>() {
                return Box::new(term_set(visible));
            }
            return Box::new(Within::new(tq, Box::new(term_set(visible))));
        }
        // Automatic declassification opens further keys in cables whose date has passed.
        let mut filter = vec![(
            Occur::Should,
            Box::new(term_set(visible)) as Box<dyn TQuery>,
        )];
        if let Some(declass) = self.declassified(scope) {
            filter.push((
                Occur::Should,
                Box::new(BooleanQuery::new(vec![
                    (
                        Occur::Must,
                        Box::new(term_set(&scope.opened)) as Box<dyn TQuery>,
                    ),
                    (Occur::Must, declass),
                ])),
            ));
        }
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, tq),
            // The filter adds nothing to a score (a cable matching both of its branches would
            // otherwise rank above one matching either).
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(
                    Box::new(BooleanQuery::new(filter)),
                    0.0,
                )),
            ),
        ]))
    }

    /// Every class key in the index `searcher` reads, sorted: read from each segment's terms
    /// once for a set of segments (a small page spent 6% of its time reading them again).
    fn index_keys(&self, searcher: &Searcher) -> Result<Vec<String>> {
        let live = live_segments(searcher);
        let mut cached = self
            .index_keys
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((segments, keys)) = cached.as_ref() {
            if *segments == live {
                return Ok(keys.clone());
            }
        }
        let mut all = std::collections::BTreeSet::new();
        for seg in searcher.segment_readers() {
            let inv = seg.inverted_index(self.fields.access)?;
            let mut stream = inv.terms().stream().map_err(tantivy::TantivyError::from)?;
            while stream.advance() {
                if let Ok(k) = std::str::from_utf8(stream.key()) {
                    all.insert(k.to_string());
                }
            }
        }
        let keys: Vec<String> = all.into_iter().collect();
        *cached = Some((live, keys.clone()));
        Ok(keys)
    }

    /// A word, prefix or phrase in the JSON `fields` (subject, body) under the scope's keys,
    /// and under automatic declassification also under the opened keys of declassified cables;
    /// or, when the scope sees every key, in `unkeyed` (the same portions without keys).
    fn portion_text(
        &self,
        fields: &[Field],
        unkeyed: Option<Field>,
        text: &Text,
        scope: &Scope,
    ) -> Result<Box<dyn TQuery>> {
        let toks = schema::words(text.as_str());
        if toks.is_empty() {
            return Err(UserError::NotSearchable {
                field: format!("'{}' (no letters or digits)", text.as_str()),
            }
            .into());
        }
        let prefix = matches!(text, Text::Word { prefix: true, .. });
        // The word, phrase or phrase prefix over the terms `term` makes of the query's words.
        let phrase = |term: &dyn Fn(&str) -> Term| -> Box<dyn TQuery> {
            let terms: Vec<Term> = toks.iter().map(|t| term(t)).collect();
            match (prefix, terms.len()) {
                (false, 1) => Box::new(TermQuery::new(
                    terms[0].clone(),
                    IndexRecordOption::WithFreqs,
                )),
                (false, _) => Box::new(PhraseQuery::new(terms)),
                (true, _) => Box::new(phrase_prefix(terms)),
            }
        };
        // The indexed pairs of adjacent whole words (a prefix's last word is not whole yet): a
        // cable must hold each of them, under the same key, before a phrase query reads its
        // positions. A phrase with no such pair has a rarer word to lead it. Each phrase query
        // is narrowed on its own: under a union, a phrase would read every position in a window
        // of cables to fill the union's buffer. So a key's pair postings are read once per field
        // (subject, body): short lists, cheaper than that window.
        let whole = if prefix { toks.len() - 1 } else { toks.len() };
        let pairs: Vec<String> = toks[..whole]
            .windows(2)
            .filter_map(|w| schema::pair(&w[0], &w[1]))
            .collect();
        // `phrase` narrowed by the query `pair` makes for each pair, scored zero: the pairs only
        // narrow which cables are read.
        let narrowed =
            |phrase: Box<dyn TQuery>, pair: &dyn Fn(&str) -> Box<dyn TQuery>| -> Box<dyn TQuery> {
                if pairs.is_empty() {
                    return phrase;
                }
                let mut must: Vec<(Occur, Box<dyn TQuery>)> = pairs
                    .iter()
                    .map(|p| -> (Occur, Box<dyn TQuery>) {
                        (Occur::Must, Box::new(ConstScoreQuery::new(pair(p), 0.0)))
                    })
                    .collect();
                must.push((Occur::Must, phrase));
                Box::new(BooleanQuery::new(must))
            };
        let pair_under = |key: &str, p: &str| -> Box<dyn TQuery> {
            Box::new(TermQuery::new(
                json_term(self.fields.pairs, key, p),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(field) = unkeyed.filter(|_| scope.sees_every_key()) {
            // One field instead of a union of every key's: the same cables match (each key's
            // texts are values of their own there, as they are fields of their own here), and
            // a cable that holds the phrase holds each of its pairs under some key.
            return Ok(narrowed(
                phrase(&|t| Term::from_field_text(field, t)),
                &|p| should(scope.all.iter().map(|k| pair_under(k, p)).collect()),
            ));
        }
        let keyed = |field: Field, key: &String| -> Box<dyn TQuery> {
            narrowed(phrase(&|t| json_term(field, key, t)), &|p| {
                pair_under(key, p)
            })
        };
        let over = |keys: &[String]| -> Vec<Box<dyn TQuery>> {
            fields
                .iter()
                .flat_map(|f| keys.iter().map(move |k| keyed(*f, k)))
                .collect()
        };
        let mut parts = over(scope.keys());
        if let Some(declass) = self.declassified(scope) {
            let opened = over(&scope.opened);
            if !opened.is_empty() {
                parts.push(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, should(opened)),
                    (Occur::Must, declass),
                ])));
            }
        }
        if parts.is_empty() {
            return Ok(Box::new(EmptyQuery));
        }
        Ok(should(parts))
    }

    /// A tantivy query on `field` for a word, prefix or phrase, tokenised like the index.
    fn text_query(&self, field: Field, text: &Text) -> Result<Box<dyn TQuery>> {
        let toks = schema::words(text.as_str());
        let terms: Vec<Term> = toks
            .iter()
            .map(|t| Term::from_field_text(field, t))
            .collect();
        if terms.is_empty() {
            return Err(UserError::NotSearchable {
                field: format!("'{}' (no letters or digits)", text.as_str()),
            }
            .into());
        }
        let prefix = matches!(text, Text::Word { prefix: true, .. });
        Ok(match (prefix, terms.len()) {
            (false, 1) => Box::new(TermQuery::new(
                terms[0].clone(),
                IndexRecordOption::WithFreqs,
            )),
            (false, _) => Box::new(PhraseQuery::new(terms)),
            (true, 1) => Box::new(RegexQuery::from_pattern(
                &format!("{}.*", regex_escape(&toks[0])),
                field,
            )?),
            (true, _) => Box::new(phrase_prefix(terms)),
        })
    }

    fn text_in(&self, fields: &[Field], text: &Text) -> Result<Box<dyn TQuery>> {
        let qs = fields
            .iter()
            .map(|f| self.text_query(*f, text))
            .collect::<Result<Vec<_>>>()?;
        Ok(should(qs))
    }

    /// Translate a query; every AST variant has a translation.
    pub(crate) fn translate(&self, q: &Query, scope: &Scope) -> Result<Box<dyn TQuery>> {
        let f = &self.fields;
        Ok(match q {
            Query::All => Box::new(AllQuery),
            Query::Text { text, .. } => {
                self.portion_text(&[f.subject, f.body], Some(f.text), text, scope)?
            }
            Query::And(v) => {
                // Negated children exclude; a conjunction of negations alone starts from all.
                // Ranges test the matches of the other children ([`Within`]) when there are
                // any to test.
                let mut clauses = Vec::with_capacity(v.len() + 1);
                let mut ranges = Vec::new();
                for c in v {
                    let range = match c {
                        Query::Field { filter, .. } => self.range_of(filter),
                        _ => None,
                    };
                    match (c, range) {
                        (_, Some(r)) => ranges.push(r),
                        (Query::Not(inner), None) => {
                            clauses.push((Occur::MustNot, self.translate(inner, scope)?))
                        }
                        (c, None) => clauses.push((Occur::Must, self.translate(c, scope)?)),
                    }
                }
                if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
                    for r in ranges.drain(..) {
                        clauses.push((
                            Occur::Must,
                            Box::new(ConstScoreQuery::new(Box::new(r), 0.0)),
                        ));
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                let mut q: Box<dyn TQuery> = Box::new(BooleanQuery::new(clauses));
                for r in ranges {
                    q = Box::new(Within::new(q, Box::new(r)));
                }
                q
            }
            Query::Or(v) => should(
                v.iter()
                    .map(|c| self.translate(c, scope))
                    .collect::<Result<_>>()?,
            ),
            // Everything but: adds nothing to a score, as a field does not.
            Query::Not(c) => Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn TQuery>),
                    (Occur::MustNot, self.translate(c, scope)?),
                ])),
                0.0,
            )),
            // `subject:` searches text and ranks as words do; every other field narrows and
            // adds nothing to a score (a tag's or a station's term frequencies say nothing of
            // how well a cable answers).
            Query::Field {
                filter: Filter::Subject(t),
                ..
            } => self.portion_text(&[f.subject], None, t, scope)?,
            Query::Field { filter, .. } => {
                Box::new(ConstScoreQuery::new(self.filter(filter, scope)?, 0.0))
            }
        })
    }

    /// The query of a field's filter (any but `subject:`), scored as tantivy scores it.
    fn filter(&self, filter: &Filter, scope: &Scope) -> Result<Box<dyn TQuery>> {
        let f = &self.fields;
        Ok(match filter {
            Filter::Id(id) => raw_term(f.id, id),
            Filter::Tag(t) => self.text_in(&[f.tag], t)?,
            Filter::From(t) => self.text_in(&[f.from], t)?,
            Filter::To(t) => self.text_in(&[f.to], t)?,
            Filter::Info(t) => self.text_in(&[f.info], t)?,
            Filter::Caveat(t) => self.text_in(&[f.caveat], t)?,
            Filter::Caption(t) => self.text_in(&[f.caption], t)?,
            Filter::Subject(t) => self.portion_text(&[f.subject], None, t, scope)?,
            Filter::Signer(t) => self.text_in(&[f.signer], t)?,
            Filter::ClassifiedBy(t) => self.text_in(&[f.classified_by], t)?,
            Filter::Classification(_)
            | Filter::Precedence(_)
            | Filter::Date(_)
            | Filter::Declassify(Declassify::Date(_)) => match self.range_of(filter) {
                Some(range) => Box::new(range),
                // A date with neither end: every cable with a day.
                None => Box::new(ExistsQuery::new(day_field(filter).to_string(), false)),
            },
            Filter::Declassify(Declassify::Code(c)) => raw_term(f.declassify_code, c),
            Filter::Declassify(Declassify::Due) => self.declassify_by(scope.view.as_of_day()),
            Filter::Cites(id) => raw_term(f.cites, id),
            Filter::CitedBy(id) => {
                // A cable the scope may not see is as unknown as one the archive lacks.
                let rec = self
                    .get(id, &scope.view)?
                    .ok_or_else(|| UserError::UnknownId { id: id.clone() })?;
                let cited: Vec<Term> = rec.cable["references"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|r| r["id"].as_str())
                    .map(|rid| Term::from_field_text(f.id, rid))
                    .collect();
                Box::new(TermSetQuery::new(cited))
            }
            Filter::Marking(m) => {
                let mut caveats = m.caveats.clone();
                caveats.sort();
                caveats.dedup();
                let terms = Level::ALL
                    .iter()
                    .filter(|l| m.levels.contains(**l))
                    .map(|l| {
                        Term::from_field_text(
                            f.marking,
                            &marking_term(*l, caveats.iter().map(String::as_str)),
                        )
                    });
                Box::new(TermSetQuery::new(terms))
            }
            Filter::Has(flag) => raw_term(f.has, flag.name()),
        })
    }

    /// The range a filter is ([`RangeOfQuery`]): a classification, a precedence, a date or a
    /// declassification date with at least one end (with none, it is every cable with a day:
    /// [`Self::filter`]).
    fn range_of(&self, filter: &Filter) -> Option<RangeOfQuery> {
        let f = &self.fields;
        let range = |field: Field, numbers, lo, hi| {
            RangeOfQuery::new(
                field,
                day_field(filter),
                numbers,
                lo,
                hi,
                self.range_cache.clone(),
            )
        };
        let ranks = |field: Field, min: u64, max: u64| {
            let rank = |r: u64| i64::try_from(r).unwrap_or(i64::MAX);
            range(field, Numbers::Unsigned, Some(rank(min)), Some(rank(max)))
        };
        let days = |field: Field, r: &DateRange| {
            (r.start.is_some() || r.end.is_some())
                .then(|| range(field, Numbers::Signed, r.start.map(day), r.end.map(day)))
        };
        match filter {
            Filter::Classification(b) => Some(ranks(f.class_rank, rank(b.min), rank(b.max))),
            Filter::Precedence(b) => Some(ranks(f.precedence_rank, rank(b.min), rank(b.max))),
            Filter::Date(r) => days(f.day, r),
            Filter::Declassify(Declassify::Date(r)) => days(f.declassify_day, r),
            _ => None,
        }
    }

    /// Translate `query` for `view` over `searcher`'s index: only the cables and the text the
    /// view may see can match.
    pub(crate) fn scoped_query(
        &self,
        searcher: &Searcher,
        query: &Query,
        view: &View,
    ) -> Result<(Box<dyn TQuery>, Scope)> {
        let scope = self.scope(searcher, view)?;
        if scope.visible.is_some() {
            self.keyset_cache.retain(&live_segments(searcher));
        }
        let tq = self.translate(query, &scope)?;
        if scoped_by_text(query) {
            return Ok((tq, scope));
        }
        Ok((self.restrict(tq, &scope), scope))
    }

    /// Run a query as `view`: a page of hits, the total and exact facet counts, all over the
    /// cables and portions the view may see.
    pub fn search(
        &self,
        query: &Query,
        opts: &SearchOptions,
        view: &View,
    ) -> Result<SearchResults> {
        self.search_page(query, opts, view, true)
    }

    /// [`Archive::search`]; `two_passes` lets a query that is [`ranked_apart`] be ranked apart
    /// from its count and facets (tests compare both ways).
    fn search_page(
        &self,
        query: &Query,
        opts: &SearchOptions,
        view: &View,
        two_passes: bool,
    ) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let (tq, scope) = self.scoped_query(&searcher, query, view)?;
        let facets = self.facet_counter(&searcher, &FACETS, &scope);
        let top = TopDocs::with_limit(opts.limit.max(1)).and_offset(opts.offset);
        let stats = Statistics::new(&searcher);
        let apart = match opts.sort {
            Sort::Relevance if two_passes => ranked_apart(query, &scope),
            _ => None,
        };
        let (total, counts, addrs): (usize, _, Vec<DocAddress>) = match opts.sort {
            Sort::Relevance => match apart {
                // Every match once without scores for the count and the facets, then the top
                // alone, which tantivy finds by skipping blocks of postings that cannot enter it.
                Some(Apart::Whole) => {
                    let (n, c) = searcher.search(&tq, &(Count, facets))?;
                    let d = searcher.search_with_statistics_provider(
                        &tq,
                        &top.order_by_score(),
                        &stats,
                    )?;
                    (n, c, d.into_iter().map(|(_, a)| a).collect())
                }
                Some(Apart::Unranked) => {
                    let in_order = InIndexOrder {
                        offset: opts.offset,
                        limit: opts.limit.max(1),
                    };
                    searcher.search(&tq, &(Count, facets, in_order))?
                }
                // The same, the top taken from the ranking part's among the first pass's
                // matches.
                Some(Apart::Part(part)) => {
                    let (n, c, within) = searcher.search(&tq, &(Count, facets, Matches))?;
                    let ranked = self.translate(part, &scope)?;
                    let top_within = TopWithin {
                        offset: opts.offset,
                        limit: opts.limit.max(1),
                        within: within.into(),
                    };
                    let d =
                        searcher.search_with_statistics_provider(&ranked, &top_within, &stats)?;
                    (n, c, d.into_iter().map(|(_, a)| a).collect())
                }
                None => {
                    let (n, c, d) = searcher.search_with_statistics_provider(
                        &tq,
                        &(Count, facets, top.order_by_score()),
                        &stats,
                    )?;
                    (n, c, d.into_iter().map(|(_, a)| a).collect())
                }
            },
            Sort::DateAsc | Sort::DateDesc => {
                let order = if opts.sort == Sort::DateAsc {
                    Order::Asc
                } else {
                    Order::Desc
                };
                let (n, c, d) = searcher.search(
                    &tq,
                    &(
                        Count,
                        facets,
                        top.order_by_fast_field::<i64>("date_ts", order),
                    ),
                )?;
                (n, c, d.into_iter().map(|(_, a)| a).collect())
            }
        };
        let facet_map = counts;
        let addrs = if opts.limit == 0 { Vec::new() } else { addrs };
        let hits = self.hits(&stats, &*tq, &addrs, &scope)?;
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets: facet_map,
        })
    }

    fn hits(
        &self,
        stats: &Statistics,
        tq: &dyn TQuery,
        addrs: &[DocAddress],
        scope: &Scope,
    ) -> Result<Vec<Hit>> {
        if addrs.is_empty() {
            return Ok(Vec::new());
        }
        let f = &self.fields;
        // The query's words, weighted like tantivy's snippet generator weighs them.
        let mut words: BTreeMap<String, f32> = BTreeMap::new();
        let mut doc_freqs = Vec::new();
        tq.query_terms(&mut |term, _| {
            if term.field() == f.body || term.field() == f.subject || term.field() == f.text {
                doc_freqs.push(term.clone());
            }
        });
        // The word of a term of the unkeyed text, or of a keyed (JSON) field.
        fn word(text: Field, term: &Term) -> Option<&str> {
            if term.field() == text {
                std::str::from_utf8(term.serialized_value_bytes()).ok()
            } else {
                json_word(term)
            }
        }
        let distinct: std::collections::BTreeSet<&str> =
            doc_freqs.iter().filter_map(|t| word(f.text, t)).collect();
        if distinct.len() == 1 {
            // One word: its weight ranks nothing against another, so no document frequency
            // is looked up (a term look-up per key and segment).
            words.extend(distinct.into_iter().map(|w| (w.to_string(), 1.0)));
        } else {
            for term in &doc_freqs {
                let df = stats.doc_freq(term)?;
                if let Some(w) = word(f.text, term) {
                    let score = 1.0 / (1.0 + df as f32);
                    let e = words.entry(w.to_string()).or_insert(0.0);
                    *e = e.max(score);
                }
            }
        }
        let snippets = Snippets::new(words, f.body, 200);
        let mut hits = Vec::with_capacity(addrs.len());
        for addr in addrs {
            // The hit record alone, read in place: the rest of the stored document is not
            // read. A document in another layout goes through tantivy's deserializer.
            let segment = stats.searcher.segment_reader(addr.segment_ord);
            let bytes = self.hit_store.get(segment, addr.doc_id)?;
            let slow;
            let (head, text) = match bytes.hit(f.hit, f.hit_text) {
                Some(found) => found,
                None => {
                    let HitDoc(Some(stored)) = bytes.hit_doc()? else {
                        return Err(InternalError::Inconsistent(format!(
                            "a stored document without its hit record ({addr:?})"
                        ))
                        .into());
                    };
                    if stored.head_field != f.hit || stored.text_field != f.hit_text {
                        return Err(InternalError::Inconsistent(format!(
                            "a stored document starts with other fields than its hit record \
                             ({addr:?})"
                        ))
                        .into());
                    }
                    slow = stored;
                    (&slow.head[..], &slow.text[..])
                }
            };
            let record = HitRecord::decode(head, text).map_err(|e| {
                InternalError::Inconsistent(format!("an unreadable hit record ({addr:?}): {e}"))
            })?;
            let Some(shown) = record.portions(&scope.view) else {
                // Cannot happen: the query only matches visible cables. Never show it.
                continue;
            };
            let texts = shown.texts;
            let (snippet, highlights) = snippets.first_highlight(&texts).unwrap_or_else(|| {
                let lead = texts
                    .iter()
                    .find(|t| !t.is_blank())
                    .map(|t| lead(t, 200))
                    .unwrap_or_default();
                (lead, Vec::new())
            });
            let s = |v: Option<&str>| v.map(str::to_string);
            hits.push(Hit {
                id: record.id.to_string(),
                date: s(record.date),
                classification: s(record.marks.classification),
                banner: s(record.marks.banner),
                origin: s(record.origin),
                from: s(record.from),
                subject: s(record.marks.subject).filter(|_| shown.subject),
                tags: record.tags.iter().map(|t| t.to_string()).collect(),
                snippet,
                highlights,
            });
        }
        Ok(hits)
    }

    /// How many cables `query` matches in each month (`2009-08`) or year (`2009`) that has
    /// any, oldest first, over what `view` may see. Cables without a date are not counted.
    pub fn timeline(
        &self,
        query: &Query,
        interval: Interval,
        view: &View,
    ) -> Result<Vec<(String, u64)>> {
        let searcher = self.reader.searcher();
        let (tq, scope) = self.scoped_query(&searcher, query, view)?;
        let name = match interval {
            Interval::Month => "month",
            Interval::Year => "year",
        };
        let names = [name];
        let mut counts = searcher.search(&tq, &self.facet_counter(&searcher, &names, &scope))?;
        Ok(counts
            .remove(name)
            .unwrap_or_default()
            .into_iter()
            .collect())
    }

    /// Counts over the cables `view` may see.
    pub fn stats(&self, view: &View) -> Result<Stats> {
        let searcher = self.reader.searcher();
        let (tq, scope) = self.scoped_query(&searcher, &Query::All, view)?;
        let names = ["classification", "year", "diagnostic"];
        let counter = self.facet_counter(&searcher, &names, &scope);
        let (n, counts) = searcher.search(&tq, &(Count, counter))?;
        let map =
            |name: &str| -> BTreeMap<String, u64> { counts.get(name).cloned().unwrap_or_default() };
        let (cables, versions) = if view.is_unrestricted() {
            let (c, v) = self.catalog.counts()?;
            (c, Some(v))
        } else {
            (n as u64, None)
        };
        Ok(Stats {
            cables,
            versions,
            by_classification: map("classification"),
            by_year: map("year"),
            diagnostics: map("diagnostic"),
            schema_version: self.catalog.setting("schema_version")?.unwrap_or_default(),
            parser_version: self.catalog.setting("parser_version")?.unwrap_or_default(),
        })
    }
}

impl Archive {
    /// Read what exact facet counts need from every segment now (a server calls this at start,
    /// so that its first searches do not pay for it).
    pub fn warm(&self) -> Result<()> {
        Ok(self.facet_cache.warm(&self.reader.searcher())?)
    }

    /// Exact counts of the facets `names` over a search's matches, with the per-segment maps
    /// kept between searches (pruned to the searcher's live segments when they change).
    /// The counter is told the documents of a restricted view when they are exactly those of
    /// its visible keys (no automatic declassification opening more): a search's matches are
    /// then among them, and a broad one's complement is counted within them.
    fn facet_counter<'a>(
        &self,
        searcher: &tantivy::Searcher,
        names: &'a [&'a str],
        scope: &Scope,
    ) -> crate::facets::FacetCounter<'a> {
        let live = live_segments(searcher);
        self.facet_cache.retain(&live);
        self.range_cache.retain(&live);
        self.hit_store.retain(&live);
        let within = scope.exact_keys().map(|keys| {
            crate::keyset::KeySetQuery::new(self.fields.access, keys, self.keyset_cache.clone())
        });
        crate::facets::FacetCounter {
            names,
            cache: self.facet_cache.clone(),
            within,
        }
    }
}

/// How a page may be ranked apart from its count and facets.
#[derive(Debug, PartialEq)]
enum Apart<'q> {
    /// Nothing in the query ranks (no words: fields only narrow), so every match scores the
    /// same and the page is the first matches in index order, as a scored pass would order
    /// them; they are taken in the unscored pass that counts.
    Unranked,
    /// The whole query ranks the page.
    Whole,
    /// This part of the query ranks the page; the rest only excludes (negations add nothing to
    /// a score).
    Part(&'q Query),
}

/// Whether `query`'s page, for `scope`, is ranked by terms of the unkeyed text alone that
/// tantivy ranks by block-max WAND: one word (a view that sees every key searches it as one
/// term), or a disjunction of such words, alone or with negations. Matching twice (once for
/// the count and the facets, without scores; once for the top, skipping blocks) costs less than
/// scoring every match (`government` as the owner: 24.5 M → 16.6 M instructions a page). A
/// union over keys, a phrase or a prefix gains nothing from the second pass, nor does a
/// conjunction, whose matches are few already (`Interpol kidnapping`: 2.8 M → 3.7 M). Words
/// beside fields (`iran tag:PREL`) are ranked by the words alone too, since fields add nothing
/// to a score, but stay one scored pass: the second pass is not measured for them yet. A query
/// with nothing that ranks is [`Apart::Unranked`], in any view.
fn ranked_apart<'q>(query: &'q Query, scope: &Scope) -> Option<Apart<'q>> {
    fn one_word(q: &Query) -> bool {
        matches!(q, Query::Text { text: Text::Word { text, prefix: false }, .. }
            if schema::words(text).len() == 1)
    }
    fn words_only(q: &Query) -> bool {
        match q {
            Query::Or(v) => v.len() > 1 && v.iter().all(one_word),
            q => one_word(q),
        }
    }
    if !ranks(query) {
        return Some(Apart::Unranked);
    }
    if !scope.sees_every_key() {
        return None;
    }
    if words_only(query) {
        return Some(Apart::Whole);
    }
    let Query::And(v) = query else {
        return None;
    };
    let mut ranking = v.iter().filter(|c| !matches!(c, Query::Not(_)));
    match (ranking.next(), ranking.next()) {
        (Some(part), None) if words_only(part) => Some(Apart::Part(part)),
        _ => None,
    }
}

/// Whether anything in `query` adds to a match's score: words or `subject:` outside a
/// negation (fields narrow, negations exclude).
fn ranks(query: &Query) -> bool {
    match query {
        Query::Text { .. }
        | Query::Field {
            filter: Filter::Subject(_),
            ..
        } => true,
        Query::And(v) | Query::Or(v) => v.iter().any(ranks),
        Query::Not(_) | Query::All | Query::Field { .. } => false,
    }
}

/// Whether every cable `query` matches must match one of its free-text or `subject:` clauses.
/// Those name only the keys the scope may read (an opened key only together with the
/// declassification filter), and a cable holds text under a key only when its `access` field
/// holds the key, so such a query already matches only what the access filter would let
/// through and needs no filter around it: a restricted reader's word is then the same union
/// of terms as the owner's, not an intersection with the filter (`scoped_text_needs_no_filter`).
fn scoped_by_text(query: &Query) -> bool {
    match query {
        Query::Text { .. }
        | Query::Field {
            filter: Filter::Subject(_),
            ..
        } => true,
        Query::And(v) => v
            .iter()
            .any(|c| !matches!(c, Query::Not(_)) && scoped_by_text(c)),
        Query::Or(v) => !v.is_empty() && v.iter().all(scoped_by_text),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::scoped_by_text;
    use crate::hitrecord::HitDoc;
    use crate::keyset::KeySetQuery;
    use crate::within::Within;
    use crate::{Archive, Clearance, View, Who};
    use cable_query::{Level, Ranked};
    use cable_testdata::access;
    use tantivy::collector::{Count, DocSetCollector, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, Query as TQuery};
    use tantivy::DocAddress;

    /// The access fixture's cables ingested into an archive in a temporary folder (kept alive
    /// by the returned guard).
    fn fixture_archive() -> (tempfile::TempDir, Archive) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let src = access::write_cables(tmp.path());
        let mut archive = Archive::open(&tmp.path().join("data")).expect("open");
        archive.ingest(&[src], &mut |_| {}).expect("ingest");
        (tmp, archive)
    }

    /// Record the access fixture's hand-made release ([`access::RELEASED`]).
    fn record_fixture_release(archive: &mut Archive) {
        let (id, paragraph, exemption) = access::RELEASED;
        archive
            .record_release(
                id,
                Level::Unclassified,
                vec![crate::Withheld {
                    paragraph: paragraph.into(),
                    exemption: exemption.into(),
                }],
                "records officer",
            )
            .expect("release");
    }

    /// The view of fixture reader `r`, judged on `as_of` (else today).
    fn reader_view(
        archive: &Archive,
        r: &access::TestReader,
        as_of: Option<jiff::civil::Date>,
    ) -> View {
        let level = <Level as Ranked>::ALL[r.level as usize];
        archive
            .view(
                Who::Anonymous,
                Some(Clearance::new(level, r.caveats)),
                as_of,
            )
            .expect("view")
    }

    /// The real corpus's cables in one archive, ingested once for the tests that only read it;
    /// `None` (the test skips) without `../shared`.
    fn corpus_archive(test: &str) -> Option<&'static Archive> {
        static ARCHIVE: std::sync::OnceLock<Option<(tempfile::TempDir, Archive)>> =
            std::sync::OnceLock::new();
        let shared = cable_testdata::require_shared(test)?;
        ARCHIVE
            .get_or_init(|| {
                let tmp = tempfile::tempdir().expect("tempdir");
                let mut archive = Archive::open(tmp.path()).expect("open");
                archive
                    .ingest(&[shared.join("corpus")], &mut |_| {})
                    .expect("ingest");
                Some((tmp, archive))
            })
            .as_ref()
            .map(|(_, archive)| archive)
    }

    /// A query `scoped_by_text` leaves without the access filter matches exactly what it
    /// matches with the filter, for every reader of the access fixture, under
    /// auto-declassification (opened keys) and with a hand-made release; and the rule holds
    /// for the queries it must not skip.
    #[test]
    fn scoped_text_needs_no_filter() {
        let (_tmp, mut archive) = fixture_archive();
        record_fixture_release(&mut archive);
        let words: Vec<&str> = access::CANARIES.iter().map(|c| c.word).collect();
        let mut queries: Vec<String> = words.clone().into_iter().map(String::from).collect();
        for w in &words {
            queries.push(format!("subject:{w}"));
            queries.push(format!("{w} OR {}", words[0]));
            queries.push(format!("{w} -{}", words[1]));
            queries.push(format!("{w} class>=SECRET"));
        }
        queries.push("\"delegation arrived\"".into());
        queries.push("minist* OR canary*".into());
        // Not scoped by text: the rule must leave these filtered.
        queries.extend(["PREL", "-harborcanary", "tag:PREL"].map(String::from));
        let as_of: jiff::civil::Date = access::AS_OF.parse().expect("date");
        let mut compared = 0;
        for declassify in [false, true] {
            archive.set_auto_declassify(declassify).expect("policy");
            let searcher = archive.reader.searcher();
            for r in &access::READERS {
                let view = reader_view(&archive, r, Some(as_of));
                let scope = archive.scope(&searcher, &view).expect("scope");
                for text in &queries {
                    let query = cable_query::parse(text).expect("query");
                    if !scoped_by_text(&query) {
                        continue;
                    }
                    let bare = archive.translate(&query, &scope).expect("translate");
                    let filtered = archive.restrict(bare.box_clone(), &scope);
                    let a = searcher.search(&bare, &DocSetCollector).expect("search");
                    let b = searcher
                        .search(&filtered, &DocSetCollector)
                        .expect("search");
                    assert_eq!(a, b, "{text} as {}, declassify {declassify}", r.name);
                    compared += 1;
                }
            }
        }
        assert!(compared > 100, "{compared} compared");
        for text in ["-harborcanary", "tag:PREL", "a OR tag:PREL", "-a -b", ""] {
            let query = cable_query::parse(text).expect("query");
            assert!(!scoped_by_text(&query), "{text}");
        }
    }

    /// The keys in the index are read again when its segments change: a reader cleared for
    /// every key of a first ingest must stop searching the text without keys once a cable with
    /// a key above them arrives, and every reader finds exactly the canaries they may see.
    #[test]
    fn index_keys_follow_new_segments() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (early, late) = (tmp.path().join("early"), tmp.path().join("late"));
        for (name, text) in access::cables() {
            let dir = if name == "09OSLO102.txt" {
                &late
            } else {
                &early
            };
            std::fs::create_dir_all(dir).expect("mkdir");
            std::fs::write(dir.join(name), text).expect("write");
        }
        let mut archive = Archive::open(&tmp.path().join("data")).expect("open");
        // As the fixture's readers read: OSLO104's declassification date has passed.
        archive.set_auto_declassify(true).expect("policy");
        let as_of: jiff::civil::Date = access::AS_OF.parse().expect("date");
        let views: Vec<(&access::TestReader, View)> = access::READERS
            .iter()
            .map(|r| (r, reader_view(&archive, r, Some(as_of))))
            .collect();
        let search = |archive: &Archive, view: &View, word: &str| -> Vec<String> {
            let query = cable_query::parse(word).expect("query");
            let opts = super::SearchOptions::default();
            let page = archive.search(&query, &opts, view).expect("search");
            let mut ids: Vec<String> = page.hits.into_iter().map(|h| h.id).collect();
            ids.sort();
            ids
        };
        archive.ingest(&[early], &mut |_| {}).expect("ingest");
        record_fixture_release(&mut archive);
        let before = archive
            .index_keys(&archive.reader.searcher())
            .expect("keys");
        let mut saw_every_key = 0;
        for (_, view) in &views {
            let scope = archive
                .scope(&archive.reader.searcher(), view)
                .expect("scope");
            saw_every_key += usize::from(scope.sees_every_key());
            for c in access::CANARIES {
                search(&archive, view, c.word);
            }
        }
        assert!(
            saw_every_key > 0,
            "some reader sees every key of the first ingest"
        );
        archive.ingest(&[late], &mut |_| {}).expect("ingest");
        let after = archive
            .index_keys(&archive.reader.searcher())
            .expect("keys");
        assert!(after.len() > before.len(), "{before:?} then {after:?}");
        for (r, view) in &views {
            for c in access::CANARIES {
                let want: Vec<String> = r.finds(c.word).into_iter().map(String::from).collect();
                assert_eq!(
                    search(&archive, view, c.word),
                    want,
                    "{} {}",
                    r.name,
                    c.word
                );
            }
        }
    }

    /// A view that sees every key searches the unkeyed `text` field; it matches exactly the
    /// cables the union of every key's terms matches, for words, phrases (narrowed by pairs or
    /// not), prefixes and phrase prefixes, taken from the real corpus's own words.
    #[test]
    fn unkeyed_text_matches_what_every_key_matches() {
        use tantivy::schema::Value;
        let Some(archive) = corpus_archive("unkeyed_text") else {
            return;
        };
        let searcher = archive.reader.searcher();
        let f = &archive.fields;
        let scope = archive.scope(&searcher, &View::owner()).expect("scope");
        assert!(scope.sees_every_key());
        assert!(scope.all.len() >= 4, "keys: {:?}", scope.all);
        // Words of the index, every 41st, and each one's first three letters as a prefix.
        let mut queries: Vec<String> = Vec::new();
        let seg = &searcher.segment_readers()[0];
        let inv = seg.inverted_index(f.text).expect("text index");
        let mut stream = inv.terms().stream().expect("terms");
        let mut n = 0;
        while stream.advance() {
            n += 1;
            let Ok(w) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if n % 41 == 0 && w.chars().all(|c| c.is_ascii_alphanumeric()) {
                queries.push(w.to_string());
                if w.len() > 3 && w.chars().all(|c| c.is_ascii_alphabetic()) {
                    queries.push(format!("{}*", &w[..3]));
                }
            }
        }
        // Phrases of two to four words from the subjects and paragraphs, a phrase prefix of each.
        let ids: Vec<String> = searcher
            .search(&tantivy::query::AllQuery, &DocSetCollector)
            .expect("all")
            .into_iter()
            .step_by(37)
            .filter_map(|a| {
                let d: tantivy::TantivyDocument = searcher.doc(a).ok()?;
                Some(d.get_first(f.id)?.as_str()?.to_string())
            })
            .collect();
        for (i, id) in ids.iter().enumerate() {
            let rec = archive
                .get(id, &View::owner())
                .expect("get")
                .expect("there");
            let mut texts = vec![rec.cable["subject"]
                .as_str()
                .unwrap_or_default()
                .to_string()];
            for p in rec.cable["paragraphs"].as_array().into_iter().flatten() {
                texts.push(p["text"].as_str().unwrap_or_default().to_string());
            }
            for t in texts {
                let words: Vec<&str> = t
                    .split_whitespace()
                    .filter(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
                    .collect();
                let len = 2 + i % 3;
                if let Some(w) = words.get(words.len() / 2..words.len() / 2 + len) {
                    queries.push(format!("\"{}\"", w.join(" ")));
                    queries.push(format!("\"{}*\"", w.join(" ")));
                }
            }
        }
        queries.extend(
            [
                "\"prime minister\"",
                "\"the prime minister\"",
                "\"human rights\"",
                "minist*",
            ]
            .map(String::from),
        );
        let mut with_matches = 0;
        for text in &queries {
            let Ok(cable_query::Query::Text { text: t, .. }) = cable_query::parse(text) else {
                continue;
            };
            let keyed = archive
                .portion_text(&[f.subject, f.body], None, &t, &scope)
                .expect("keyed");
            let unkeyed = archive
                .portion_text(&[f.subject, f.body], Some(f.text), &t, &scope)
                .expect("unkeyed");
            let mut fields = std::collections::BTreeSet::new();
            unkeyed.query_terms(&mut |term, _| {
                fields.insert(term.field());
            });
            assert!(
                !fields.contains(&f.body),
                "{text}: the unkeyed query names keys"
            );
            let a = searcher.search(&keyed, &DocSetCollector).expect("keyed");
            let b = searcher
                .search(&unkeyed, &DocSetCollector)
                .expect("unkeyed");
            assert_eq!(a, b, "{text}");
            with_matches += usize::from(!a.is_empty());
        }
        assert!(
            with_matches >= 100,
            "{with_matches} queries with matches of {}",
            queries.len()
        );
    }

    /// A page of fields alone, taken in index order in the pass that counts, is the page of one
    /// scored pass in every reader's view, with and without automatic declassification (whose
    /// access filter has two branches a cable may match both of).
    #[test]
    fn unranked_pages_in_every_view() {
        let (_tmp, archive) = fixture_archive();
        let queries = [
            "",
            "tag:PREL",
            "-tag:PREL",
            "class>=SECRET",
            "class<=CONFIDENTIAL -tag:PREL",
            "date:[2000-01-01 TO 2030-12-31]",
        ];
        let as_of: jiff::civil::Date = access::AS_OF.parse().expect("date");
        let later = jiff::civil::date(2099, 1, 1);
        let mut compared = 0;
        for r in &access::READERS {
            for as_of in [None, Some(as_of), Some(later)] {
                let mut view = reader_view(&archive, r, as_of);
                view.auto_declassify = as_of.is_some();
                let searcher = archive.reader.searcher();
                let scope = archive.scope(&searcher, &view).expect("scope");
                for text in queries {
                    let query = cable_query::parse(text).expect("query");
                    assert_eq!(
                        super::ranked_apart(&query, &scope),
                        Some(super::Apart::Unranked),
                        "{text}"
                    );
                    for offset in [0, 2] {
                        let opts = super::SearchOptions {
                            limit: 3,
                            offset,
                            ..Default::default()
                        };
                        let page = |two| {
                            archive
                                .search_page(&query, &opts, &view, two)
                                .expect("page")
                        };
                        let (a, b) = (page(true), page(false));
                        let what = format!("{text:?} as {} ({as_of:?}) from {offset}", r.name);
                        assert_eq!(a.total, b.total, "{what}");
                        assert_eq!(a.facets, b.facets, "{what}");
                        let ids = |r: &super::SearchResults| -> Vec<String> {
                            r.hits.iter().map(|h| h.id.clone()).collect()
                        };
                        assert_eq!(ids(&a), ids(&b), "{what}");
                        compared += a.hits.len();
                    }
                }
            }
        }
        assert!(compared >= 100, "{compared} hits compared");
    }

    /// A page ranked apart from its count and facets (block-max WAND) is the page of one
    /// scored pass: the same total, facets and hits in the same order, on the real corpus.
    #[test]
    fn ranking_apart_gives_the_same_page() {
        let Some(archive) = corpus_archive("ranking_apart") else {
            return;
        };
        let owner = View::owner();
        let searcher = archive.reader.searcher();
        let scope = archive.scope(&searcher, &owner).expect("scope");
        let queries = [
            "government",
            "nuclear",
            "embassy",
            "breakfast",
            "kidnapping",
            "iran OR iraq",
            "minister OR president OR ambassador",
            "zzzznotaword",
            "iran -iraq",
            "nuclear -sanctions",
            "(iran OR iraq) -tag:PREL",
            "-tag:PREL government -subject:embassy",
            "(minister OR president) -class>=SECRET",
        ];
        let unranked = [
            "",
            "tag:PREL",
            "-tag:PREL",
            "tag:PREL OR tag:PGOV",
            "tag:PREL OR -tag:PGOV",
            "class>=SECRET caveat:NOFORN",
            "date:[2005-01-01 TO 2008-12-31] -class:SECRET",
            "from:ISLAMABAD OR date:2009",
        ];
        let mut compared = 0;
        for text in queries.into_iter().chain(unranked) {
            let query = cable_query::parse(text).expect("query");
            let apart = super::ranked_apart(&query, &scope);
            assert!(apart.is_some(), "{text}");
            assert_eq!(
                apart == Some(super::Apart::Unranked),
                unranked.contains(&text),
                "{text}"
            );
            for offset in [0, 20] {
                let opts = super::SearchOptions {
                    limit: 20,
                    offset,
                    ..Default::default()
                };
                let a = archive
                    .search_page(&query, &opts, &owner, true)
                    .expect("two");
                let b = archive
                    .search_page(&query, &opts, &owner, false)
                    .expect("one");
                assert_eq!(a.total, b.total, "{text}");
                assert_eq!(a.facets, b.facets, "{text}");
                let ids = |r: &super::SearchResults| -> Vec<String> {
                    r.hits.iter().map(|h| h.id.clone()).collect()
                };
                assert_eq!(ids(&a), ids(&b), "{text} from {offset}");
                compared += a.hits.len();
            }
        }
        assert!(compared >= 300, "{compared} hits compared");
        for text in [
            "\"human rights\"",
            "minist*",
            "iran iraq",
            "iran tag:PREL",
            "iran iraq -tag:PREL",
            "iran OR -tag:PREL",
            "subject:nuclear",
            // `iran OR (iraq -tag:PREL)`: iraq adds to the score only outside PREL.
            "iran OR iraq -tag:PREL",
        ] {
            let query = cable_query::parse(text).expect("query");
            assert_eq!(super::ranked_apart(&query, &scope), None, "{text}");
        }
    }

    /// Every stored document's hit record, read in place from its segment's store, is the
    /// one tantivy's document deserializer reads (a change to tantivy's stored layout shows
    /// here, not as pages going the slow way): each cable of the real corpus.
    #[test]
    fn hit_records_read_in_place() {
        let Some(archive) = corpus_archive("hit_records_read_in_place") else {
            return;
        };
        let searcher = archive.reader.searcher();
        let f = &archive.fields;
        let (mut read, mut long) = (0, 0);
        for segment in searcher.segment_readers() {
            for doc in 0..segment.max_doc() {
                let bytes = archive.hit_store.get(segment, doc).expect("stored");
                let fast = bytes.hit(f.hit, f.hit_text).expect("read in place");
                let HitDoc(Some(slow)) = bytes.hit_doc().expect("deserialized") else {
                    panic!("document {doc}: no hit record");
                };
                assert_eq!(fast, (&slow.head[..], &slow.text[..]), "document {doc}");
                long += usize::from(slow.text.len() > 127);
                // Other fields than the record's are not taken for it.
                assert_eq!(bytes.hit(f.hit_text, f.hit), None, "document {doc}");
                read += 1;
            }
        }
        assert!(read >= 1000, "{read} read");
        assert!(
            long > 500,
            "{long} texts long enough for a length of two bytes"
        );
    }

    /// The access filter as a bit test ([`crate::within::Within`]) answers exactly as the
    /// conjunction with the key set it replaces, for every reader of the access fixture and
    /// filter queries of every shape (a field, a negation, a disjunction with text, everything),
    /// through each way tantivy visits matches: the doc set (no scores), the count, the top
    /// hits (block-max pruning) and a scored pass over every match (top hits with a count).
    #[test]
    fn within_answers_as_the_conjunction() {
        let (_tmp, archive) = fixture_archive();
        let queries = [
            "tag:PREL",
            "-harborcanary",
            "",
            "PREL OR tag:PREL",
            "class>=SECRET",
            "class<=CONFIDENTIAL -tag:PREL",
            "date:[2000-01-01 TO 2030-12-31]",
        ];
        let searcher = archive.reader.searcher();
        let order = |hits: Vec<(f32, DocAddress)>| -> Vec<DocAddress> {
            hits.into_iter().map(|(_, a)| a).collect()
        };
        let mut compared = 0;
        for r in &access::READERS {
            let view = reader_view(&archive, r, None);
            let scope = archive.scope(&searcher, &view).expect("scope");
            let Some(visible) = &scope.visible else {
                continue;
            };
            for text in queries {
                let query = cable_query::parse(text).expect("query");
                let bare = archive.translate(&query, &scope).expect("translate");
                let within = archive.restrict(bare.box_clone(), &scope);
                assert!(
                    within.is::<Within>() || within.is::<KeySetQuery>(),
                    "{text:?} as {}: the bit test, not a conjunction",
                    r.name
                );
                let keys =
                    KeySetQuery::new(archive.fields.access, visible, archive.keyset_cache.clone());
                let both: Box<dyn TQuery> = Box::new(BooleanQuery::new(vec![
                    (Occur::Must, bare),
                    (Occur::Must, Box::new(keys)),
                ]));
                let what = format!("{text:?} as {}", r.name);
                let docs = |q: &dyn TQuery| searcher.search(q, &DocSetCollector).expect("docs");
                assert_eq!(docs(&*within), docs(&*both), "{what}: matches");
                let count = |q: &dyn TQuery| searcher.search(q, &Count).expect("count");
                assert_eq!(count(&*within), count(&*both), "{what}: count");
                let top = |q: &dyn TQuery| {
                    order(
                        searcher
                            .search(q, &TopDocs::with_limit(3).order_by_score())
                            .expect("top"),
                    )
                };
                assert_eq!(top(&*within), top(&*both), "{what}: top hits");
                let scored = |q: &dyn TQuery| {
                    let (n, hits) = searcher
                        .search(q, &(Count, TopDocs::with_limit(3).order_by_score()))
                        .expect("scored");
                    (n, order(hits))
                };
                assert_eq!(scored(&*within), scored(&*both), "{what}: scored pass");
                compared += 1;
            }
        }
        assert!(compared >= 20, "{compared} compared");
    }
}
