//! The query AST: what a query means, with typed field values (dates as day ranges, levels as an
//! ordered enum, ids in upper case) and the byte span of every leaf in the query text.
//!
//! Invariants of a tree [`parse`](crate::parse) returns (and that [`Query::and`], [`Query::or`]
//! keep): [`Query::All`] only at the root; `And` and `Or` have at least two children and no child
//! of their own kind; ranges are never empty. For such trees the canonical text
//! (`Display`) parses back to the same tree, spans aside.

use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use serde::Serialize;

use crate::fields::Field;

/// A byte range `[start, end)` into the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for Range<usize> {
    fn from(s: Span) -> Self {
        s.range()
    }
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Query {
    /// Every cable: the empty query.
    All,
    /// Free text: a word, a `prefix*`, or a `"quoted phrase"`, searched in the whole cable.
    Text { text: Text, span: Span },
    /// A field condition, `from:ISLAMABAD`, `class>=SECRET`, `date:[2009-01 TO 2009-06]`.
    Field { filter: Filter, span: Span },
    /// Every child matches (`a b`, `a AND b`).
    And(Vec<Query>),
    /// At least one child matches (`a OR b`).
    Or(Vec<Query>),
    /// The child does not match (`-a`, `NOT a`).
    Not(Box<Query>),
}

/// A word or a phrase, as typed (matching is case- and accent-insensitive, so nothing is folded
/// here).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Text {
    /// One bare word. `prefix` when it was written `word*`: any word starting with `text`.
    /// `text` never contains whitespace or `*`.
    Word { text: String, prefix: bool },
    /// A quoted phrase, runs of whitespace collapsed to one space: these words in this order.
    Phrase { text: String },
}

impl Text {
    /// The words or the phrase, without `*` or quotes.
    pub fn as_str(&self) -> &str {
        match self {
            Text::Word { text, .. } | Text::Phrase { text } => text,
        }
    }
}

/// A condition on one field, with its value typed for that field. [`Filter::field`] names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filter {
    /// `id:09STATE12345`: the cable's canonical id (upper case, serial without leading zeros).
    Id(String),
    /// `tag:PREL`: a TAGS code (or a word of a person tag).
    Tag(Text),
    /// `from:ISLAMABAD`: the originating station (`origin`) or the FM line's name.
    From(Text),
    /// `to:`: a TO addressee, by name or station.
    To(Text),
    /// `info:`: an INFO addressee, by name or station.
    Info(Text),
    /// `classification:`/`class:`: the cable's level within these bounds (inclusive).
    Classification(Between<Level>),
    /// `caveat:NOFORN`.
    Caveat(Text),
    /// `caption:NODIS`: distribution and handling captions.
    Caption(Text),
    /// `precedence:IMMEDIATE`, `precedence>=PRIORITY`.
    Precedence(Between<Precedence>),
    /// `date:2009-08`: the cable's date (UTC day) within the range.
    Date(DateRange),
    /// `subject:"nuclear program"`.
    Subject(Text),
    /// `signer:CLINTON`: a word or phrase of the signature.
    Signer(Text),
    /// `classified-by:`: the "Classified By" line (officer, office, reasons).
    ClassifiedBy(Text),
    /// `declassify:2019`, `declassify:OADR`: the E.O. line's declassification date or code.
    Declassify(Declassify),
    /// `cites:ID`: cables whose REF list cites ID.
    Cites(String),
    /// `cited-by:ID`: cables that ID cites.
    CitedBy(String),
    /// `marking:S//NF`: cables with a paragraph at this portion marking.
    Marking(MarkingMatch),
    /// `has:refs`: cables that have this part.
    Has(Flag),
}

impl Filter {
    /// The field this filter is on.
    pub fn field(&self) -> Field {
        match self {
            Filter::Id(_) => Field::Id,
            Filter::Tag(_) => Field::Tag,
            Filter::From(_) => Field::From,
            Filter::To(_) => Field::To,
            Filter::Info(_) => Field::Info,
            Filter::Classification(_) => Field::Classification,
            Filter::Caveat(_) => Field::Caveat,
            Filter::Caption(_) => Field::Caption,
            Filter::Precedence(_) => Field::Precedence,
            Filter::Date(_) => Field::Date,
            Filter::Subject(_) => Field::Subject,
            Filter::Signer(_) => Field::Signer,
            Filter::ClassifiedBy(_) => Field::ClassifiedBy,
            Filter::Declassify(_) => Field::Declassify,
            Filter::Cites(_) => Field::Cites,
            Filter::CitedBy(_) => Field::CitedBy,
            Filter::Marking(_) => Field::Marking,
            Filter::Has(_) => Field::Has,
        }
    }
}

/// Values with a fixed order and a short list of members: [`Level`], [`Precedence`].
pub trait Ranked: Copy + Ord + fmt::Debug + 'static {
    /// Every member, lowest first.
    const ALL: &'static [Self];
    /// The canonical name, as the query language writes it.
    fn name(self) -> &'static str;
    /// The lowest member.
    fn lowest() -> Self {
        Self::ALL[0]
    }
    /// The highest member.
    fn highest() -> Self {
        Self::ALL[Self::ALL.len() - 1]
    }
    /// The next member up, if any.
    fn above(self) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| *x > self)
    }
    /// The next member down, if any.
    fn below(self) -> Option<Self> {
        Self::ALL.iter().rev().copied().find(|x| *x < self)
    }
}

/// An inclusive, never empty range `min..=max` of a [`Ranked`] value. `class>=SECRET` is
/// `Between { min: Secret, max: TopSecret }`; `class:SECRET` is `min == max == Secret`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Between<T> {
    pub min: T,
    pub max: T,
}

impl<T: Ranked> Between<T> {
    /// Exactly `v`.
    pub fn exactly(v: T) -> Self {
        Between { min: v, max: v }
    }
    pub fn contains(&self, v: T) -> bool {
        self.min <= v && v <= self.max
    }
}

/// A classification level, in order. SBU, LOU and FOUO share one rank, [`Level::Sensitive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// UNCLASSIFIED, UNCLAS, U.
    Unclassified,
    /// SENSITIVE BUT UNCLASSIFIED (SBU), LIMITED OFFICIAL USE (LOU), FOR OFFICIAL USE ONLY (FOUO).
    Sensitive,
    /// CONFIDENTIAL, C.
    Confidential,
    /// SECRET, S.
    Secret,
    /// TOP SECRET, TS.
    TopSecret,
}

impl Ranked for Level {
    const ALL: &'static [Level] = &[
        Level::Unclassified,
        Level::Sensitive,
        Level::Confidential,
        Level::Secret,
        Level::TopSecret,
    ];
    fn name(self) -> &'static str {
        match self {
            Level::Unclassified => "UNCLASSIFIED",
            Level::Sensitive => "SBU",
            Level::Confidential => "CONFIDENTIAL",
            Level::Secret => "SECRET",
            Level::TopSecret => "TOP SECRET",
        }
    }
}

/// Spellings of each level, compared after upper-casing and dropping spaces, `_`, `-` and `.`.
pub(crate) const LEVEL_FORMS: &[(&str, Level)] = &[
    ("U", Level::Unclassified),
    ("UNCLAS", Level::Unclassified),
    ("UNCLASSIFIED", Level::Unclassified),
    ("SBU", Level::Sensitive),
    ("LOU", Level::Sensitive),
    ("FOUO", Level::Sensitive),
    ("SENSITIVEBUTUNCLASSIFIED", Level::Sensitive),
    ("LIMITEDOFFICIALUSE", Level::Sensitive),
    ("FOROFFICIALUSEONLY", Level::Sensitive),
    ("C", Level::Confidential),
    ("CONFIDENTIAL", Level::Confidential),
    ("S", Level::Secret),
    ("SECRET", Level::Secret),
    ("TS", Level::TopSecret),
    ("TOPSECRET", Level::TopSecret),
];

impl Level {
    /// The portion-marking form: `U`, `SBU`, `C`, `S`, `TS`.
    pub fn short(self) -> &'static str {
        match self {
            Level::Unclassified => "U",
            Level::Sensitive => "SBU",
            Level::Confidential => "C",
            Level::Secret => "S",
            Level::TopSecret => "TS",
        }
    }

    /// A level from any of its names or short forms, case-insensitive, ignoring spaces, `_`,
    /// `-` and `.` (`top secret`, `TOP_SECRET`, `TS`, `Limited Official Use`, `U`).
    pub fn parse(s: &str) -> Option<Level> {
        let key = squash(s);
        LEVEL_FORMS.iter().find(|(f, _)| *f == key).map(|(_, l)| *l)
    }
}

/// Upper case without spaces, `_`, `-` and `.`: the key level and precedence names compare on.
pub(crate) fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !(c.is_whitespace() || matches!(c, '_' | '-' | '.')))
        .flat_map(char::to_uppercase)
        .collect()
}

/// A cable's precedence, in order (ACP-127 prosigns in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precedence {
    /// DEFERRED (M).
    Deferred,
    /// ROUTINE (R).
    Routine,
    /// PRIORITY (P).
    Priority,
    /// IMMEDIATE (O).
    Immediate,
    /// FLASH (Z).
    Flash,
    /// EMERGENCY COMMAND PRECEDENCE (Y), also ECP.
    Emergency,
}

impl Ranked for Precedence {
    const ALL: &'static [Precedence] = &[
        Precedence::Deferred,
        Precedence::Routine,
        Precedence::Priority,
        Precedence::Immediate,
        Precedence::Flash,
        Precedence::Emergency,
    ];
    fn name(self) -> &'static str {
        match self {
            Precedence::Deferred => "DEFERRED",
            Precedence::Routine => "ROUTINE",
            Precedence::Priority => "PRIORITY",
            Precedence::Immediate => "IMMEDIATE",
            Precedence::Flash => "FLASH",
            Precedence::Emergency => "EMERGENCY COMMAND PRECEDENCE",
        }
    }
}

pub(crate) const PRECEDENCE_FORMS: &[(&str, Precedence)] = &[
    ("M", Precedence::Deferred),
    ("DEFERRED", Precedence::Deferred),
    ("R", Precedence::Routine),
    ("ROUTINE", Precedence::Routine),
    ("P", Precedence::Priority),
    ("PRIORITY", Precedence::Priority),
    ("O", Precedence::Immediate),
    ("IMMEDIATE", Precedence::Immediate),
    ("Z", Precedence::Flash),
    ("FLASH", Precedence::Flash),
    ("Y", Precedence::Emergency),
    ("ECP", Precedence::Emergency),
    ("EMERGENCYCOMMANDPRECEDENCE", Precedence::Emergency),
];

impl Precedence {
    /// A precedence from its name or prosign letter, case-insensitive (`immediate`, `O`).
    pub fn parse(s: &str) -> Option<Precedence> {
        let key = squash(s);
        PRECEDENCE_FORMS
            .iter()
            .find(|(f, _)| *f == key)
            .map(|(_, p)| *p)
    }
}

/// An inclusive range of whole days; `None` is an open end. `date:2009` is
/// `2009-01-01..=2009-12-31`; `date>=2009-08` is `2009-08-01..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateRange {
    pub start: Option<Date>,
    pub end: Option<Date>,
}

impl DateRange {
    pub fn new(start: Option<Date>, end: Option<Date>) -> Self {
        DateRange { start, end }
    }
    /// The single day `d`.
    pub fn day(d: Date) -> Self {
        DateRange::new(Some(d), Some(d))
    }
    pub fn contains(&self, d: Date) -> bool {
        self.start.is_none_or(|s| s <= d) && self.end.is_none_or(|e| d <= e)
    }
}

/// The E.O. line's declassification: a date (range) or one of the codes written instead of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Declassify {
    /// `declassify:2019-08-04`, `declassify<=2025`.
    Date(DateRange),
    /// `declassify:OADR`: one of [`DECLASSIFY_CODES`](crate::DECLASSIFY_CODES), upper case.
    Code(String),
    /// `declassify:due`: the date has passed (on or before the day the reader judges by).
    Due,
}

/// A paragraph portion marking: a level and caveats in short form (`S//NF` is `Secret`, `["NF"]`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Marking {
    pub level: Level,
    pub caveats: Vec<String>,
}

impl Marking {
    /// Read a marking as the parser writes it (`S//NF`, `C`, `SBU`) or as cables spell it
    /// (`SECRET//NOFORN`, `C/NF`, `(S)`). Caveats come back upper case, with NOFORN as `NF` and
    /// ORCON as `OC`. `None` when the level is not a level or a caveat is empty or odd.
    pub fn parse(s: &str) -> Option<Marking> {
        let s = s.trim();
        let s = s
            .strip_prefix('(')
            .and_then(|x| x.strip_suffix(')'))
            .unwrap_or(s);
        let mut parts = s.split('/').filter(|p| !p.trim().is_empty());
        let level = Level::parse(parts.next()?)?;
        let mut caveats: Vec<String> = Vec::new();
        for p in parts {
            let c = normalize_caveat(p)?;
            if !caveats.contains(&c) {
                caveats.push(c);
            }
        }
        if s.ends_with('/') || s.starts_with('/') {
            return None;
        }
        Some(Marking { level, caveats })
    }
}

/// One caveat of a marking: upper case, spaces collapsed, long forms shortened.
pub(crate) fn normalize_caveat(p: &str) -> Option<String> {
    let c = p
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase();
    if c.is_empty()
        || !c
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == ' ' || ch == ',')
        || !c.chars().any(|ch| ch.is_ascii_alphanumeric())
    {
        return None;
    }
    Some(match c.as_str() {
        "NOFORN" => "NF".to_string(),
        "ORCON" => "OC".to_string(),
        _ => c,
    })
}

impl fmt::Display for Marking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.level.short())?;
        for c in &self.caveats {
            write!(f, "//{c}")?;
        }
        Ok(())
    }
}

/// `marking:` — a paragraph whose level is within `levels` and that carries at least `caveats`.
/// `marking:S` matches `S` and `S//NF` paragraphs; `marking:S//NF` only the latter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MarkingMatch {
    pub levels: Between<Level>,
    pub caveats: Vec<String>,
}

impl MarkingMatch {
    /// Whether a paragraph with this marking matches.
    pub fn matches(&self, m: &Marking) -> bool {
        self.levels.contains(m.level) && self.caveats.iter().all(|c| m.caveats.contains(c))
    }
}

/// What `has:` asks about: that a part of the cable is present (non-empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    /// `has:refs`: a REF list with at least one entry (`references`).
    Refs,
    /// `has:summary`: a summary paragraph (`summary`).
    Summary,
    /// `has:comment`: a comment section (`comment`).
    Comment,
    /// `has:signature`: a signature (`signature`).
    Signature,
    /// `has:subject`: a SUBJECT line (`subject`).
    Subject,
    /// `has:tags`: a TAGS line with at least one code (`tags`).
    Tags,
    /// `has:markings`: at least one paragraph with a portion marking (`paragraphs[].marking`).
    Markings,
    /// `has:caveats`: at least one caveat (`caveats`).
    Caveats,
    /// `has:diagnostics`: the parser reported something about this cable (`diagnostics`).
    Diagnostics,
}

impl Flag {
    pub const ALL: &'static [Flag] = &[
        Flag::Refs,
        Flag::Summary,
        Flag::Comment,
        Flag::Signature,
        Flag::Subject,
        Flag::Tags,
        Flag::Markings,
        Flag::Caveats,
        Flag::Diagnostics,
    ];

    /// The canonical name, `refs`, `summary`...
    pub fn name(self) -> &'static str {
        match self {
            Flag::Refs => "refs",
            Flag::Summary => "summary",
            Flag::Comment => "comment",
            Flag::Signature => "signature",
            Flag::Subject => "subject",
            Flag::Tags => "tags",
            Flag::Markings => "markings",
            Flag::Caveats => "caveats",
            Flag::Diagnostics => "diagnostics",
        }
    }

    /// Other accepted spellings.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Flag::Refs => &["ref", "references", "reference"],
            Flag::Summary => &[],
            Flag::Comment => &["comments"],
            Flag::Signature => &["signer"],
            Flag::Subject => &[],
            Flag::Tags => &["tag"],
            Flag::Markings => &["marking"],
            Flag::Caveats => &["caveat"],
            Flag::Diagnostics => &["diagnostic"],
        }
    }

    /// A flag from its name or an alias, case-insensitive.
    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.iter().copied().find(|f| {
            f.name().eq_ignore_ascii_case(s)
                || f.aliases().iter().any(|a| a.eq_ignore_ascii_case(s))
        })
    }
}

impl Query {
    /// All of `items`, flattening nested `And`s; one item is itself, none is [`Query::All`].
    /// `All` items are dropped (they constrain nothing).
    pub fn and(items: Vec<Query>) -> Query {
        Query::join(items, true)
    }

    /// Any of `items`, flattening nested `Or`s; one item is itself.
    /// An `All` item makes the whole `All`; no items is `All` too (nothing to constrain).
    pub fn or(items: Vec<Query>) -> Query {
        if items.iter().any(|q| matches!(q, Query::All)) {
            return Query::All;
        }
        Query::join(items, false)
    }

    /// Not `q`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(q: Query) -> Query {
        Query::Not(Box::new(q))
    }

    fn join(items: Vec<Query>, and: bool) -> Query {
        let mut out = Vec::with_capacity(items.len());
        for q in items {
            match q {
                Query::All => {}
                Query::And(v) if and => out.extend(v),
                Query::Or(v) if !and => out.extend(v),
                q => out.push(q),
            }
        }
        match out.len() {
            0 => Query::All,
            1 => out.pop().unwrap_or(Query::All),
            _ if and => Query::And(out),
            _ => Query::Or(out),
        }
    }

    /// The same tree with every span set to `0..0`: compare queries by meaning.
    pub fn without_spans(&self) -> Query {
        match self {
            Query::All => Query::All,
            Query::Text { text, .. } => Query::Text {
                text: text.clone(),
                span: Span::default(),
            },
            Query::Field { filter, .. } => Query::Field {
                filter: filter.clone(),
                span: Span::default(),
            },
            Query::And(v) => Query::And(v.iter().map(Query::without_spans).collect()),
            Query::Or(v) => Query::Or(v.iter().map(Query::without_spans).collect()),
            Query::Not(q) => Query::not(q.without_spans()),
        }
    }

    /// The span of the query in its text: from its first leaf to its last. `None` for `All`.
    pub fn span(&self) -> Option<Span> {
        match self {
            Query::All => None,
            Query::Text { span, .. } | Query::Field { span, .. } => Some(*span),
            Query::And(v) | Query::Or(v) => v.iter().filter_map(Query::span).reduce(Span::cover),
            Query::Not(q) => q.span(),
        }
    }

    /// Every leaf (text and field conditions), left to right, with whether it sits under an odd
    /// number of negations. Handy for highlighting and for checking ids exist.
    pub fn leaves(&self) -> Vec<(&Query, bool)> {
        fn walk<'a>(q: &'a Query, neg: bool, out: &mut Vec<(&'a Query, bool)>) {
            match q {
                Query::All => {}
                Query::Text { .. } | Query::Field { .. } => out.push((q, neg)),
                Query::And(v) | Query::Or(v) => v.iter().for_each(|c| walk(c, neg, out)),
                Query::Not(c) => walk(c, !neg, out),
            }
        }
        let mut out = Vec::new();
        walk(self, false, &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(s: &str) -> Query {
        Query::Text {
            text: Text::Word {
                text: s.into(),
                prefix: false,
            },
            span: Span::default(),
        }
    }

    #[test]
    fn levels_are_ordered_and_parse_every_form() {
        assert!(Level::Unclassified < Level::Sensitive);
        assert!(Level::Sensitive < Level::Confidential);
        assert!(Level::Secret < Level::TopSecret);
        for (s, l) in [
            ("u", Level::Unclassified),
            ("Unclas", Level::Unclassified),
            ("SBU", Level::Sensitive),
            ("lou", Level::Sensitive),
            ("Limited Official Use", Level::Sensitive),
            ("sensitive but unclassified", Level::Sensitive),
            ("c", Level::Confidential),
            ("secret", Level::Secret),
            ("TOP SECRET", Level::TopSecret),
            ("top_secret", Level::TopSecret),
            ("Top-Secret", Level::TopSecret),
            ("TS", Level::TopSecret),
        ] {
            assert_eq!(Level::parse(s), Some(l), "{s}");
        }
        assert_eq!(Level::parse("TOP"), None);
        assert_eq!(Level::parse(""), None);
        assert_eq!(Level::Secret.above(), Some(Level::TopSecret));
        assert_eq!(Level::TopSecret.above(), None);
        assert_eq!(Level::Unclassified.below(), None);
    }

    #[test]
    fn precedences_parse_names_and_prosigns() {
        assert_eq!(Precedence::parse("immediate"), Some(Precedence::Immediate));
        assert_eq!(Precedence::parse("O"), Some(Precedence::Immediate));
        assert_eq!(Precedence::parse("z"), Some(Precedence::Flash));
        assert_eq!(
            Precedence::parse("Emergency Command Precedence"),
            Some(Precedence::Emergency)
        );
        assert_eq!(Precedence::parse("NIACT"), None);
        assert!(Precedence::Routine < Precedence::Priority);
    }

    #[test]
    fn markings_parse_as_cables_write_them() {
        let m = Marking::parse("S//NF").unwrap();
        assert_eq!(
            (m.level, m.caveats.clone()),
            (Level::Secret, vec!["NF".into()])
        );
        assert_eq!(Marking::parse("SECRET//NOFORN"), Some(m.clone()));
        assert_eq!(Marking::parse("(C/NF)").unwrap().level, Level::Confidential);
        assert_eq!(Marking::parse("SBU").unwrap().caveats, Vec::<String>::new());
        assert_eq!(m.to_string(), "S//NF");
        assert_eq!(Marking::parse("X//NF"), None);
        assert_eq!(Marking::parse("S//"), None);
        assert_eq!(Marking::parse("S//N-F"), None);
        assert_eq!(Marking::parse(""), None);
        let q = MarkingMatch {
            levels: Between::exactly(Level::Secret),
            caveats: vec![],
        };
        assert!(q.matches(&m));
        let q = MarkingMatch {
            levels: Between::exactly(Level::Secret),
            caveats: vec!["NF".into()],
        };
        assert!(q.matches(&m));
        assert!(!q.matches(&Marking::parse("S").unwrap()));
    }

    #[test]
    fn flags_parse_names_and_aliases() {
        assert_eq!(Flag::parse("REFS"), Some(Flag::Refs));
        assert_eq!(Flag::parse("references"), Some(Flag::Refs));
        assert_eq!(Flag::parse("signer"), Some(Flag::Signature));
        assert_eq!(Flag::parse("nothing"), None);
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.name()), Some(*f));
        }
    }

    #[test]
    fn date_ranges_contain_their_ends() {
        let a = Date::constant(2009, 1, 1);
        let b = Date::constant(2009, 12, 31);
        let r = DateRange::new(Some(a), Some(b));
        assert!(r.contains(a) && r.contains(b));
        assert!(!r.contains(Date::constant(2010, 1, 1)));
        assert!(DateRange::new(None, None).contains(a));
        assert!(DateRange::day(a).contains(a));
    }

    #[test]
    fn and_or_flatten_and_collapse() {
        let q = Query::and(vec![word("a"), Query::and(vec![word("b"), word("c")])]);
        assert_eq!(q, Query::And(vec![word("a"), word("b"), word("c")]));
        assert_eq!(Query::and(vec![word("a")]), word("a"));
        assert_eq!(Query::and(vec![]), Query::All);
        assert_eq!(Query::and(vec![Query::All, word("a")]), word("a"));
        assert_eq!(Query::or(vec![Query::All, word("a")]), Query::All);
        let q = Query::or(vec![Query::or(vec![word("a"), word("b")]), word("c")]);
        assert_eq!(q, Query::Or(vec![word("a"), word("b"), word("c")]));
    }

    #[test]
    fn spans_and_leaves() {
        let leaf = |s, a, b| Query::Text {
            text: Text::Phrase { text: s },
            span: Span::new(a, b),
        };
        let q = Query::and(vec![
            leaf("x".into(), 2, 5),
            Query::not(leaf("y".into(), 7, 9)),
        ]);
        assert_eq!(q.span(), Some(Span::new(2, 9)));
        let leaves = q.leaves();
        assert_eq!(leaves.len(), 2);
        assert!(!leaves[0].1 && leaves[1].1);
        assert_eq!(q.without_spans().span(), Some(Span::default()));
        assert_eq!(Query::All.span(), None);
    }
}
