//! The engines a user would otherwise pick, fed the same cables and asked the same queries:
//! SQLite FTS5 (rusqlite's bundled SQLite) and PostgreSQL full-text search (tsvector, GIN,
//! `websearch_to_tsquery`, `ts_rank`: the stack History Lab runs).

pub mod postgres;
pub mod sqlite;

/// One cable as the peers index it: the fields our own search page filters on, plain.
#[derive(Debug, Clone)]
pub struct PeerDoc {
    pub id: String,
    /// `YYYY-MM-DD`, when the cable has a date.
    pub date: Option<String>,
    /// The originating post as our `from:` field knows it (e.g. `PARIS` for `Embassy Paris`).
    pub origin: Option<String>,
    /// The level word our `class:` field uses: `UNCLASSIFIED`, `CONFIDENTIAL`, `SECRET`, ...
    pub classification: Option<String>,
    /// Caveats on the cable (`NOFORN`, ...).
    pub caveats: Vec<String>,
    /// TAGS codes (`PREL`, `PGOV`, `IR`, ...).
    pub tags: Vec<String>,
    pub subject: String,
    /// The body text (paragraphs), what our full-text search covers beside the subject.
    pub body: String,
}

/// What a peer is asked: a text condition in its own syntax, plus filters it applies in SQL.
#[derive(Debug, Clone, Default)]
pub struct PeerQuery {
    /// An FTS5 `MATCH` expression over subject and body; `None`: no text condition.
    pub fts5: Option<&'static str>,
    /// SQL producing the PostgreSQL `tsquery`, e.g. `websearch_to_tsquery('english', 'iran or
    /// iraq')`; `None`: no text condition.
    pub tsquery: Option<&'static str>,
    pub filter: PeerFilter,
}

/// Filters on the plain columns. Every set condition must hold.
#[derive(Debug, Clone, Default)]
pub struct PeerFilter {
    /// The cable carries this TAGS code.
    pub tag: Option<&'static str>,
    /// The cable does not carry this TAGS code.
    pub not_tag: Option<&'static str>,
    pub origin: Option<&'static str>,
    /// Inclusive `YYYY-MM-DD` bounds.
    pub date_from: Option<&'static str>,
    pub date_to: Option<&'static str>,
    /// The classification is one of these words.
    pub classification_in: &'static [&'static str],
    /// The cable carries this caveat.
    pub caveat: Option<&'static str>,
}

/// A peer's answer: how many cables match, and the ids of the 20 best ranked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerAnswer {
    pub total: u64,
    pub top: Vec<String>,
}

/// One search engine under comparison. Implementations own their storage (a temporary
/// directory) and clean it up on drop.
pub trait Peer {
    /// `"sqlite-fts5"` or `"postgresql"`.
    fn name(&self) -> &'static str;
    /// Load every document and build the full-text index, ready to query (the caller times it).
    fn ingest(&mut self, docs: &mut dyn Iterator<Item = PeerDoc>) -> anyhow::Result<()>;
    /// The total count and the top 20 by the engine's own rank (bm25 / ts_rank), best first.
    fn search(&mut self, query: &PeerQuery) -> anyhow::Result<PeerAnswer>;
    /// Bytes on disk of everything the engine stored (tables and indexes).
    fn size_bytes(&mut self) -> anyhow::Result<u64>;
}
