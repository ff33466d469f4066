//! SQLite FTS5 peer: rusqlite's bundled SQLite, one database file in a private directory.
//!
//! Layout:
//!
//! - `cables(rowid, id, date, origin, classification, caveats, tags, subject, body)`, a plain
//!   table. `tags` and `caveats` are space-padded lists (` PREL PGOV IR `), so that a filter is
//!   an exact, case-sensitive `instr(tags, ' PREL ') > 0`.
//! - `fts`, an FTS5 external-content table over `cables(subject, body)` with the default
//!   `unicode61` tokenizer; ranked by `bm25(fts)`.
//! - `cables_filters(date, origin, classification, tags, caveats)`, a covering index: ordered by
//!   date for "newest first", and a fraction of the table's bytes to scan when a filter has no
//!   index of its own. Queries without text and without an origin name it (`INDEXED BY`): left
//!   to itself the planner counts a tag or a caveat by scanning the table, whose rows hold most
//!   of a 7 KB body on their first page (10x slower at 20,000 cables).
//! - `cables_origin(origin, date)`: the origin filter, already in date order.
//!
//! Why no `cable_tags(tag, rowid)` side table: measured on 50,000 synthetic 7 KB cables, the
//! padded column was as fast or faster for every query shape. An `IN (SELECT rowid FROM
//! cable_tags ...)` list is built in full before the first row comes out, so "newest 20 with
//! tag X" took 20-90 ms against 0.1 ms for walking the date index and testing `instr`, and a
//! rare word with a common tag took 27 ms against 1.5 ms. Counting a tag with no text took
//! 44-83 ms with the side table against 24 ms scanning the covering index.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rusqlite::{params, params_from_iter, Connection};

use super::{Peer, PeerAnswer, PeerDoc, PeerFilter, PeerQuery};

/// How many ranked ids a search returns.
const TOP: usize = 20;

/// The SQLite FTS5 peer. Owns a temporary directory holding the database, removed on drop.
pub struct Sqlite {
    conn: Connection,
    path: PathBuf,
    // Dropped after `conn` (fields drop in declaration order), so the file is closed first.
    _dir: tempfile::TempDir,
}

impl Sqlite {
    /// Creates an empty database in a new directory inside `dir`.
    pub fn create(dir: &Path) -> anyhow::Result<Sqlite> {
        let tmp = tempfile::Builder::new()
            .prefix("sqlite-fts5-")
            .tempdir_in(dir)
            .with_context(|| format!("creating a directory for SQLite in {}", dir.display()))?;
        let path = tmp.path().join("cables.db");
        let conn = Connection::open(&path)
            .with_context(|| format!("opening SQLite database {}", path.display()))?;
        conn.execute_batch(
            "
            -- A bulk load: no rollback journal and no fsync (PostgreSQL runs with fsync=off
            -- too; durability is off on both sides of the benchmark).
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            -- 1 GiB of page cache, the memory PostgreSQL gets as shared_buffers.
            PRAGMA cache_size = -1048576;
            PRAGMA temp_store = MEMORY;

            CREATE TABLE cables(
                rowid INTEGER PRIMARY KEY,
                id TEXT NOT NULL,
                date TEXT,
                origin TEXT,
                classification TEXT,
                caveats TEXT NOT NULL,
                tags TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL
            );
            CREATE VIRTUAL TABLE fts USING fts5(
                subject, body,
                content = 'cables', content_rowid = 'rowid',
                tokenize = 'unicode61'
            );
            ",
        )
        .context("creating the SQLite schema")?;
        Ok(Sqlite {
            conn,
            path,
            _dir: tmp,
        })
    }
}

/// ` A B C `: a list as a space-padded string, so that ` B ` finds exactly the element `B`.
fn padded(items: &[String]) -> String {
    let mut s = String::with_capacity(2 + items.iter().map(|t| t.len() + 1).sum::<usize>());
    s.push(' ');
    for item in items {
        s.push_str(item);
        s.push(' ');
    }
    s
}

/// Appends one condition, its `?` numbered after the parameters already bound.
fn bind(sql: &mut String, params: &mut Vec<String>, cond: &str, value: String) {
    params.push(value);
    sql.push_str(" AND ");
    sql.push_str(&cond.replace('?', &format!("?{}", params.len())));
}

/// Appends the filter conditions (`AND ...`, on table alias `c`) and their parameters.
fn push_filters(filter: &PeerFilter, sql: &mut String, params: &mut Vec<String>) {
    if let Some(tag) = filter.tag {
        bind(sql, params, "instr(c.tags, ?) > 0", format!(" {tag} "));
    }
    if let Some(tag) = filter.not_tag {
        bind(sql, params, "instr(c.tags, ?) = 0", format!(" {tag} "));
    }
    if let Some(origin) = filter.origin {
        bind(sql, params, "c.origin = ?", origin.to_owned());
    }
    if let Some(from) = filter.date_from {
        bind(sql, params, "c.date >= ?", from.to_owned());
    }
    if let Some(to) = filter.date_to {
        bind(sql, params, "c.date <= ?", to.to_owned());
    }
    if !filter.classification_in.is_empty() {
        let first = params.len() + 1;
        params.extend(filter.classification_in.iter().map(|c| c.to_string()));
        let marks: Vec<String> = (first..=params.len()).map(|i| format!("?{i}")).collect();
        sql.push_str(&format!(" AND c.classification IN ({})", marks.join(", ")));
    }
    if let Some(caveat) = filter.caveat {
        bind(
            sql,
            params,
            "instr(c.caveats, ?) > 0",
            format!(" {caveat} "),
        );
    }
}

fn has_filter(f: &PeerFilter) -> bool {
    f.tag.is_some()
        || f.not_tag.is_some()
        || f.origin.is_some()
        || f.date_from.is_some()
        || f.date_to.is_some()
        || !f.classification_in.is_empty()
        || f.caveat.is_some()
}

impl Peer for Sqlite {
    fn name(&self) -> &'static str {
        "sqlite-fts5"
    }

    fn ingest(&mut self, docs: &mut dyn Iterator<Item = PeerDoc>) -> anyhow::Result<()> {
        let tx = self
            .conn
            .transaction()
            .context("SQLite: beginning the ingest transaction")?;
        {
            let mut cable = tx
                .prepare(
                    "INSERT INTO cables(rowid, id, date, origin, classification, caveats, tags, \
                     subject, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .context("SQLite: preparing the cables insert")?;
            // External content: FTS5 indexes what it is given and reads `cables` only when a
            // query asks for column values (bm25 needs none).
            let mut fts = tx
                .prepare("INSERT INTO fts(rowid, subject, body) VALUES (?1, ?2, ?3)")
                .context("SQLite: preparing the fts insert")?;
            for (rowid, doc) in (1i64..).zip(docs) {
                cable
                    .execute(params![
                        rowid,
                        doc.id,
                        doc.date,
                        doc.origin,
                        doc.classification,
                        padded(&doc.caveats),
                        padded(&doc.tags),
                        doc.subject,
                        doc.body,
                    ])
                    .with_context(|| format!("SQLite: inserting cable {}", doc.id))?;
                fts.execute(params![rowid, doc.subject, doc.body])
                    .with_context(|| format!("SQLite: indexing cable {}", doc.id))?;
            }
        }
        tx.execute_batch(
            "
            CREATE INDEX cables_filters ON cables(date, origin, classification, tags, caveats);
            CREATE INDEX cables_origin ON cables(origin, date);
            INSERT INTO fts(fts) VALUES ('optimize');
            ",
        )
        .context("SQLite: building indexes")?;
        tx.commit().context("SQLite: committing the ingest")?;
        // Planner statistics, as PostgreSQL gets ANALYZE.
        self.conn
            .execute_batch("ANALYZE;")
            .context("SQLite: ANALYZE")?;
        Ok(())
    }

    fn search(&mut self, query: &PeerQuery) -> anyhow::Result<PeerAnswer> {
        let mut params: Vec<String> = Vec::new();
        let (count_sql, top_sql) = match query.fts5 {
            Some(matching) => {
                params.push(matching.to_owned());
                let mut filters = String::new();
                push_filters(&query.filter, &mut filters, &mut params);
                // CROSS JOIN keeps fts as the outer loop: SQLite never probes the MATCH per row.
                let from = "FROM fts CROSS JOIN cables c ON c.rowid = fts.rowid \
                            WHERE fts MATCH ?1";
                let count = if has_filter(&query.filter) {
                    format!("SELECT count(*) {from}{filters}")
                } else {
                    // No column to test: count from the index alone.
                    "SELECT count(*) FROM fts WHERE fts MATCH ?1".to_owned()
                };
                let top =
                    format!("SELECT c.id {from}{filters} ORDER BY bm25(fts), c.id LIMIT {TOP}");
                (count, top)
            }
            None => {
                let mut filters = String::new();
                push_filters(&query.filter, &mut filters, &mut params);
                // Without an origin (which has its own index), walk the covering index: in date
                // order for the newest, and a fraction of the table's bytes for a count. Left to
                // itself the planner scans the table for a count over a tag or a caveat, rows
                // whose first page holds most of a 7 KB body.
                let index = if query.filter.origin.is_some() {
                    ""
                } else {
                    " INDEXED BY cables_filters"
                };
                let from = format!("FROM cables c{index} WHERE 1");
                (
                    format!("SELECT count(*) {from}{filters}"),
                    // NULL dates sort last in descending order.
                    format!("SELECT c.id {from}{filters} ORDER BY c.date DESC, c.id LIMIT {TOP}"),
                )
            }
        };
        let total: i64 = self
            .conn
            .prepare_cached(&count_sql)
            .and_then(|mut st| st.query_row(params_from_iter(&params), |row| row.get(0)))
            .with_context(|| format!("SQLite count failed: {count_sql}"))?;
        let top = self
            .conn
            .prepare_cached(&top_sql)
            .and_then(|mut st| {
                st.query_map(params_from_iter(&params), |row| row.get::<_, String>(0))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .with_context(|| format!("SQLite top {TOP} failed: {top_sql}"))?;
        Ok(PeerAnswer {
            total: u64::try_from(total)?,
            top,
        })
    }

    fn size_bytes(&mut self) -> anyhow::Result<u64> {
        // The database file plus any journal or WAL beside it (none with journal_mode=OFF).
        let name = self.path.file_name().unwrap_or_default().to_owned();
        let dir = self
            .path
            .parent()
            .context("database path has no directory")?;
        let mut total = 0;
        for entry in std::fs::read_dir(dir).context("listing the SQLite directory")? {
            let entry = entry?;
            if entry
                .file_name()
                .as_encoded_bytes()
                .starts_with(name.as_encoded_bytes())
            {
                total += entry.metadata()?.len();
            }
        }
        Ok(total)
    }
}
