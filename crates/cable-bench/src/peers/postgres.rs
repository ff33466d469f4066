//! PostgreSQL peer: a private cluster (Debian's packaged server, `initdb` + `pg_ctl`) in a
//! temporary directory, reachable only through a Unix socket in that directory, queried with the
//! `postgres` crate. The classic full-text stack: a `tsvector` column (subject weighted `A`),
//! a GIN index, `websearch_to_tsquery`, `ts_rank`.
//!
//! The `tsvector` is a stored generated column, filled as `COPY` inserts each row. Measured
//! against `COPY` then `UPDATE cables SET tsv = ...` on 20,000 synthetic 6 KB cables: the same
//! time (12.0 s against 1.1 s + 10.9 s; `to_tsvector` dominates either way), but the `UPDATE`
//! writes every row a second time and leaves the old versions behind (43% more bytes on disk
//! until a `VACUUM FULL`), so the generated column is what is timed.

use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{anyhow, bail, Context as _};
use postgres::types::ToSql;
use postgres::{Client, NoTls};

use super::{Peer, PeerAnswer, PeerDoc, PeerFilter, PeerQuery};

/// How many ranked ids a search returns.
const TOP: usize = 20;
/// The port only names the socket file (`.s.PGSQL.5432`) in our private directory: with no TCP
/// listener it cannot collide with another server.
const PORT: u16 = 5432;
/// Where Debian installs server versions, one directory each (`/usr/lib/postgresql/15/bin`).
const PG_ROOT: &str = "/usr/lib/postgresql";
/// COPY data is sent in chunks of about this size.
const COPY_CHUNK: usize = 1 << 20;

/// The `bin` directory of the newest PostgreSQL server installed under `/usr/lib/postgresql`
/// (one with both `initdb` and `pg_ctl`), if any.
pub fn bin_dir() -> Option<PathBuf> {
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    for entry in std::fs::read_dir(PG_ROOT).ok()?.flatten() {
        let bin = entry.path().join("bin");
        if !bin.join("initdb").is_file() || !bin.join("pg_ctl").is_file() {
            continue;
        }
        let name = entry.file_name();
        let version: Vec<u32> = name
            .to_string_lossy()
            .split('.')
            .map(|part| part.parse().unwrap_or(0))
            .collect();
        if best.as_ref().is_none_or(|(v, _)| version > *v) {
            best = Some((version, bin));
        }
    }
    best.map(|(_, bin)| bin)
}

/// The PostgreSQL peer. Owns a temporary directory holding the cluster and its socket; on drop
/// the server is stopped (`pg_ctl -m immediate stop`) and the directory removed.
pub struct Postgres {
    client: Option<Client>,
    bin: PathBuf,
    /// The cluster's data directory, `<base>/data`.
    data: PathBuf,
    /// Run `initdb`/`pg_ctl` as the `postgres` user (we are root, which PostgreSQL refuses).
    as_postgres: bool,
    /// Whether `pg_ctl start` was attempted, so drop knows to stop the server.
    started: bool,
    // Dropped after `Drop::drop` has stopped the server.
    base: tempfile::TempDir,
}

impl Postgres {
    /// Initialises a cluster in a new directory inside `dir`, starts it and connects.
    ///
    /// When running as root, `dir` and the new directory are given to the `postgres` system user:
    /// every directory above `dir` must be searchable by that user (`/tmp` is).
    pub fn start(dir: &Path) -> anyhow::Result<Postgres> {
        let bin = bin_dir().ok_or_else(|| {
            anyhow!("PostgreSQL not found under {PG_ROOT}: apt-get install postgresql")
        })?;
        let base = tempfile::Builder::new()
            .prefix("postgres-")
            .tempdir_in(dir)
            .with_context(|| format!("creating a directory for PostgreSQL in {}", dir.display()))?;
        let socket = base.path().join(format!(".s.PGSQL.{PORT}"));
        // sun_path holds 108 bytes including the terminating NUL.
        if socket.as_os_str().len() > 107 {
            bail!(
                "PostgreSQL socket path {} is longer than a Unix socket allows: use a shorter \
                 directory",
                socket.display()
            );
        }
        // A directory we just created is owned by our effective uid.
        let as_postgres = std::fs::metadata(base.path())?.uid() == 0;
        if as_postgres {
            // `dir` itself so that the server can reach its directory inside it (tempdirs are
            // mode 0700), and everything of ours below it.
            run(
                "chown",
                Command::new("chown").arg("postgres:postgres").arg(dir),
            )?;
            run(
                "chown",
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(base.path()),
            )?;
            let mut test = Command::new("runuser");
            test.args(["-u", "postgres", "--", "test", "-w"])
                .arg(base.path());
            if !test.status().is_ok_and(|s| s.success()) {
                bail!(
                    "the postgres user cannot write to {}: every directory above it must be \
                     searchable by that user",
                    base.path().display()
                );
            }
        }
        let mut pg = Postgres {
            client: None,
            data: base.path().join("data"),
            bin,
            as_postgres,
            started: false,
            base,
        };
        pg.initdb()?;
        pg.started = true;
        let log = pg.base.path().join("server.log");
        let started = pg.run_tool(
            "pg_ctl start",
            "pg_ctl",
            &[
                "-D".as_ref(),
                pg.data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "120".as_ref(),
                "start".as_ref(),
            ],
        );
        if let Err(err) = started {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(err.context(format!("server log:\n{log}")));
        }
        let client = postgres::Config::new()
            .host_path(pg.base.path())
            .port(PORT)
            .user("postgres")
            .dbname("postgres")
            .connect(NoTls)
            .with_context(|| format!("connecting to PostgreSQL at {}", pg.base.path().display()))?;
        pg.client = Some(client);
        Ok(pg)
    }

    fn initdb(&self) -> anyhow::Result<()> {
        self.run_tool(
            "initdb",
            "initdb",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                // The superuser is `postgres` whoever runs initdb; the socket is private, so
                // trust is the whole of authentication.
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                // Byte order for text, as SQLite compares: the `id` tie-break sorts alike.
                // Text search uses the 'english' configuration named in every query.
                "--locale=C".as_ref(),
                "--no-sync".as_ref(),
            ],
        )?;
        let socket_dir = self.base.path().to_string_lossy().replace('\'', "''");
        let settings = format!(
            "
# cable-bench: a private server for one benchmark run.
# Unix socket only, in the run's own directory: nothing else can connect.
listen_addresses = ''
unix_socket_directories = '{socket_dir}'
port = {PORT}
# Memory for a single-machine benchmark: 1 GB of buffer cache (SQLite gets a 1 GiB page
# cache), room for sorts/bitmaps per query, and for building the GIN index in one pass.
shared_buffers = 1GB
work_mem = 64MB
maintenance_work_mem = 1GB
# Durability off, as on the SQLite side (journal_mode=OFF, synchronous=OFF): a crash may lose
# or corrupt the data, which a benchmark re-creates anyway.
#   fsync: never wait for the disk.
fsync = off
#   synchronous_commit: a commit returns before its WAL is written out.
synchronous_commit = off
#   full_page_writes: no full page images in the WAL after each checkpoint.
full_page_writes = off
# Bulk load: with minimal WAL, a table created in the loading transaction (COPY, CREATE INDEX)
# is written straight to its files instead of also to the WAL. Needs no WAL senders.
wal_level = minimal
max_wal_senders = 0
# Up to two workers beside the leader for a large scan (the count of a common word).
max_parallel_workers_per_gather = 2
# JIT compiles expressions for plans costed above 100,000, which counts over the whole archive
# reach, and costs tens of milliseconds per query to save less: off, as usual for short queries.
jit = off
"
        );
        let conf = self.data.join("postgresql.conf");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&conf)
            .and_then(|mut f| f.write_all(settings.as_bytes()))
            .with_context(|| format!("writing {}", conf.display()))?;
        Ok(())
    }

    /// Runs a PostgreSQL tool from `self.bin`, as the `postgres` user when we are root.
    fn run_tool(
        &self,
        what: &str,
        tool: &str,
        args: &[&std::ffi::OsStr],
    ) -> anyhow::Result<Output> {
        let program = self.bin.join(tool);
        let mut cmd = if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(&program);
            cmd
        } else {
            Command::new(&program)
        };
        // A working directory the postgres user can enter (not /root).
        cmd.args(args).current_dir(self.base.path());
        run(what, &mut cmd)
    }

    fn client(&mut self) -> &mut Client {
        self.client
            .as_mut()
            .expect("a started Postgres has a client")
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        drop(self.client.take());
        if self.started {
            // Immediate: the data is thrown away with the directory, nothing to flush.
            let stopped = self.run_tool(
                "pg_ctl stop",
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    self.data.as_os_str(),
                    "-m".as_ref(),
                    "immediate".as_ref(),
                    "-w".as_ref(),
                    "stop".as_ref(),
                ],
            );
            if let Err(err) = stopped {
                eprintln!("cable-bench: stopping PostgreSQL failed: {err:#}");
            }
        }
    }
}

/// Runs `cmd`; an error names `what` and carries the tool's output.
fn run(what: &str, cmd: &mut Command) -> anyhow::Result<Output> {
    let out = cmd
        .output()
        .with_context(|| format!("{what} failed to run: {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim(),
            match String::from_utf8_lossy(&out.stdout).trim() {
                "" => String::new(),
                stdout => format!("\n{stdout}"),
            }
        );
    }
    Ok(out)
}

/// Appends `s` as a field of COPY's text format: backslash, tab, newline and carriage return
/// escaped; NUL dropped (PostgreSQL text cannot hold it).
fn push_text(buf: &mut Vec<u8>, s: &str) {
    let mut rest = s.as_bytes();
    while let Some(i) = rest
        .iter()
        .position(|&b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r' | 0))
    {
        buf.extend_from_slice(&rest[..i]);
        match rest[i] {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            _ => {}
        }
        rest = &rest[i + 1..];
    }
    buf.extend_from_slice(rest);
}

fn push_opt(buf: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_text(buf, s),
        None => buf.extend_from_slice(b"\\N"),
    }
}

/// Appends a `text[]` field: the array literal `{"A","B"}` (elements quoted, `"` and `\`
/// backslash-escaped), itself escaped as a COPY text field.
fn push_array(buf: &mut Vec<u8>, items: &[String]) {
    let mut literal = String::from("{");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            literal.push(',');
        }
        literal.push('"');
        for c in item.chars() {
            if c == '"' || c == '\\' {
                literal.push('\\');
            }
            literal.push(c);
        }
        literal.push('"');
    }
    literal.push('}');
    push_text(buf, &literal);
}

/// One COPY row: id, date, origin, classification, caveats, tags, subject, body.
fn push_row(buf: &mut Vec<u8>, doc: &PeerDoc) {
    push_text(buf, &doc.id);
    buf.push(b'\t');
    push_opt(buf, doc.date.as_deref());
    buf.push(b'\t');
    push_opt(buf, doc.origin.as_deref());
    buf.push(b'\t');
    push_opt(buf, doc.classification.as_deref());
    buf.push(b'\t');
    push_array(buf, &doc.caveats);
    buf.push(b'\t');
    push_array(buf, &doc.tags);
    buf.push(b'\t');
    push_text(buf, &doc.subject);
    buf.push(b'\t');
    push_text(buf, &doc.body);
    buf.push(b'\n');
}

type Params = Vec<Box<dyn ToSql + Sync>>;

/// Appends `AND cond` with its `$n` numbered after the parameters already bound.
fn bind(sql: &mut String, params: &mut Params, cond: &str, value: Box<dyn ToSql + Sync>) {
    params.push(value);
    sql.push_str(" AND ");
    sql.push_str(&cond.replace('$', &format!("${}", params.len())));
}

/// The filter conditions (`AND ...` on alias `c`), values as bind parameters.
fn filters(filter: &PeerFilter, params: &mut Params) -> String {
    let mut sql = String::new();
    if let Some(tag) = filter.tag {
        bind(&mut sql, params, "c.tags @> ARRAY[$::text]", Box::new(tag));
    }
    if let Some(tag) = filter.not_tag {
        bind(
            &mut sql,
            params,
            "NOT c.tags @> ARRAY[$::text]",
            Box::new(tag),
        );
    }
    if let Some(origin) = filter.origin {
        bind(&mut sql, params, "c.origin = $::text", Box::new(origin));
    }
    if let Some(from) = filter.date_from {
        bind(&mut sql, params, "c.date >= $::text::date", Box::new(from));
    }
    if let Some(to) = filter.date_to {
        bind(&mut sql, params, "c.date <= $::text::date", Box::new(to));
    }
    if !filter.classification_in.is_empty() {
        bind(
            &mut sql,
            params,
            "c.classification = ANY($::text[])",
            Box::new(filter.classification_in),
        );
    }
    if let Some(caveat) = filter.caveat {
        bind(
            &mut sql,
            params,
            "c.caveats @> ARRAY[$::text]",
            Box::new(caveat),
        );
    }
    sql
}

impl Peer for Postgres {
    fn name(&self) -> &'static str {
        "postgresql"
    }

    fn ingest(&mut self, docs: &mut dyn Iterator<Item = PeerDoc>) -> anyhow::Result<()> {
        let mut tx = self
            .client()
            .transaction()
            .context("PostgreSQL: beginning the ingest transaction")?;
        // Created in the loading transaction: with wal_level=minimal, the COPY and the index
        // builds skip the WAL, and COPY FREEZE writes the rows already frozen and all-visible.
        tx.batch_execute(
            "CREATE TABLE cables (
                id text NOT NULL,
                date date,
                origin text,
                classification text,
                caveats text[] NOT NULL,
                tags text[] NOT NULL,
                subject text NOT NULL,
                body text NOT NULL,
                tsv tsvector GENERATED ALWAYS AS
                    (setweight(to_tsvector('english', subject), 'A')
                     || to_tsvector('english', body)) STORED
            )",
        )
        .context("PostgreSQL: creating the table")?;
        {
            let mut copy = tx
                .copy_in(
                    "COPY cables (id, date, origin, classification, caveats, tags, subject, body) \
                     FROM STDIN WITH (FREEZE)",
                )
                .context("PostgreSQL: starting COPY")?;
            let mut buf = Vec::with_capacity(COPY_CHUNK + 64 * 1024);
            for doc in docs {
                push_row(&mut buf, &doc);
                if buf.len() >= COPY_CHUNK {
                    copy.write_all(&buf)
                        .context("PostgreSQL: sending COPY data")?;
                    buf.clear();
                }
            }
            copy.write_all(&buf)
                .context("PostgreSQL: sending COPY data")?;
            copy.finish().context("PostgreSQL: COPY failed")?;
        }
        tx.batch_execute(
            "CREATE INDEX cables_tsv ON cables USING gin (tsv);
             CREATE INDEX cables_date ON cables (date DESC NULLS LAST);
             CREATE INDEX cables_origin ON cables (origin, date DESC NULLS LAST);
             CREATE INDEX cables_tags ON cables USING gin (tags);",
        )
        .context("PostgreSQL: building indexes")?;
        tx.commit().context("PostgreSQL: committing the ingest")?;
        self.client()
            .batch_execute("ANALYZE cables")
            .context("PostgreSQL: ANALYZE")?;
        Ok(())
    }

    fn search(&mut self, query: &PeerQuery) -> anyhow::Result<PeerAnswer> {
        let mut params: Params = Vec::new();
        let filters = filters(&query.filter, &mut params);
        let (count_sql, top_sql) = match query.tsquery {
            // The tsquery is immutable SQL over constants: written twice, it is folded to one
            // constant at planning.
            Some(tsq) => (
                format!("SELECT count(*) FROM cables c WHERE c.tsv @@ ({tsq}){filters}"),
                format!(
                    "SELECT c.id FROM cables c WHERE c.tsv @@ ({tsq}){filters} \
                     ORDER BY ts_rank(c.tsv, ({tsq})) DESC, c.id LIMIT {TOP}"
                ),
            ),
            None => (
                format!("SELECT count(*) FROM cables c WHERE true{filters}"),
                format!(
                    "SELECT c.id FROM cables c WHERE true{filters} \
                     ORDER BY c.date DESC NULLS LAST, c.id LIMIT {TOP}"
                ),
            ),
        };
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
        let client = self.client();
        let total: i64 = client
            .query_one(&count_sql, &refs)
            .with_context(|| format!("PostgreSQL count failed: {count_sql}"))?
            .get(0);
        let top = client
            .query(&top_sql, &refs)
            .with_context(|| format!("PostgreSQL top {TOP} failed: {top_sql}"))?
            .iter()
            .map(|row| row.get::<_, String>(0))
            .collect();
        Ok(PeerAnswer {
            total: u64::try_from(total)?,
            top,
        })
    }

    fn size_bytes(&mut self) -> anyhow::Result<u64> {
        let bytes: i64 = self
            .client()
            .query_one("SELECT pg_total_relation_size('cables')", &[])
            .context("PostgreSQL: pg_total_relation_size")?
            .get(0);
        Ok(u64::try_from(bytes)?)
    }
}
