//! The catalog: a redb database beside the index holding the ingest ledger (every version of
//! every cable: its hash, source, parser version), the stored records of versions that are not
//! current (the current one lives in the index), and the archive's settings.

use std::path::Path;

use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::{InternalError, Result, UserError};

/// id → [`LedgerEntry`] (JSON).
const LEDGER: TableDefinition<&str, &[u8]> = TableDefinition::new("ledger");
/// `ID\tHASH` → [`StoredVersion`] (JSON), for versions that are not (or no longer) current.
const VERSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("versions");
/// id → [`crate::access::Release`] (JSON): releases recorded by hand.
const RELEASES: TableDefinition<&str, &[u8]> = TableDefinition::new("releases");
/// Settings: `schema_version`, `parser_version`, `last_seq`, `access_mode`, `auto_declassify`.
const SETTINGS: TableDefinition<&str, &str> = TableDefinition::new("settings");

/// Every version of one cable, oldest first, and which one is current (in the index).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    pub versions: Vec<VersionMeta>,
    pub current: usize,
}

impl LedgerEntry {
    pub fn current(&self) -> &VersionMeta {
        &self.versions[self.current.min(self.versions.len() - 1)]
    }
}

/// One version of a cable, identified by the hash of its normalised text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionMeta {
    pub hash: String,
    /// Where this version was first read from (`path`, `row`, `container`).
    pub source: serde_json::Value,
    /// The parser version that produced the stored fields.
    pub parser_version: String,
    /// A partial extract (no transmission heading): never replaces a full text.
    pub partial: bool,
    /// The ingest chunk that recorded it.
    pub seq: u64,
}

/// A version's stored record: the Cable JSON, the original text and what its container said,
/// which together are enough to parse it again (`cables reindex`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredVersion {
    pub cable: String,
    pub original: String,
    #[serde(default)]
    pub container: ContainerMeta,
}

/// What a container (a Cablegate page, a `cables.csv` row) said about a cable besides its text:
/// the `container_*` fields of a `cable_sources::RawCable`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
}

impl ContainerMeta {
    /// The container fields of a raw cable.
    pub fn of(raw: &cable_sources::RawCable) -> ContainerMeta {
        ContainerMeta {
            id: raw.container_id.clone(),
            date: raw.container_date.clone(),
            classification: raw.container_classification.clone(),
            origin: raw.container_origin.clone(),
            references: raw.container_references.clone(),
        }
    }

    /// A raw cable again: this metadata, the original text and its source.
    pub fn raw(self, text: String, source: cable_sources::Source) -> cable_sources::RawCable {
        cable_sources::RawCable {
            text,
            source,
            container_id: self.id,
            container_date: self.date,
            container_classification: self.classification,
            container_origin: self.origin,
            container_references: self.references,
        }
    }
}

/// What one tantivy commit changed in the ledger; it travels in the commit's payload so the
/// catalog can be brought up to date if the process died between the two commits.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Payload {
    pub seq: u64,
    pub ledger: Vec<(String, LedgerEntry)>,
}

pub struct Catalog {
    db: Db,
    path: String,
}

/// The catalog open for writing, or read-only (a read-only mount).
enum Db {
    Write(Database),
    Read(redb::ReadOnlyDatabase),
}

impl Db {
    fn begin_read(&self) -> std::result::Result<redb::ReadTransaction, redb::TransactionError> {
        match self {
            Db::Write(db) => db.begin_read(),
            Db::Read(db) => db.begin_read(),
        }
    }
}

fn key(id: &str, hash: &str) -> String {
    format!("{id}\t{hash}")
}

impl Catalog {
    pub fn open(path: &Path) -> Result<Catalog> {
        let db = match Database::create(path) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                return Err(UserError::Busy {
                    path: path.display().to_string(),
                }
                .into())
            }
            Err(e) => return Err(e.into()),
        };
        let txn = db.begin_write()?;
        {
            txn.open_table(LEDGER)?;
            txn.open_table(VERSIONS)?;
            txn.open_table(SETTINGS)?;
            txn.open_table(RELEASES)?;
        }
        txn.commit()?;
        Ok(Catalog {
            db: Db::Write(db),
            path: path.display().to_string(),
        })
    }

    /// Open an existing catalog for reading only (the data directory is on a read-only mount);
    /// every write fails with [`UserError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Catalog> {
        let db = redb::ReadOnlyDatabase::open(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => UserError::Busy {
                path: path.display().to_string(),
            }
            .into(),
            e => crate::ArchiveError::from(InternalError::Catalog(e.into())),
        })?;
        Ok(Catalog {
            db: Db::Read(db),
            path: path.display().to_string(),
        })
    }

    pub fn is_read_only(&self) -> bool {
        matches!(self.db, Db::Read(_))
    }

    fn writable(&self) -> Result<&Database> {
        match &self.db {
            Db::Write(db) => Ok(db),
            Db::Read(_) => Err(UserError::ReadOnly {
                path: self.path.clone(),
                reason: "opened read-only".into(),
            }
            .into()),
        }
    }

    pub fn setting(&self, name: &str) -> Result<Option<String>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(SETTINGS)?;
        Ok(t.get(name)?.map(|v| v.value().to_string()))
    }

    pub fn set_settings(&self, pairs: &[(&str, &str)]) -> Result<()> {
        let txn = self.writable()?.begin_write()?;
        {
            let mut t = txn.open_table(SETTINGS)?;
            for (k, v) in pairs {
                t.insert(*k, *v)?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The sequence number of the last chunk whose ledger entries are in the catalog.
    pub fn last_seq(&self) -> Result<u64> {
        Ok(self
            .setting("last_seq")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    pub fn entry(&self, id: &str) -> Result<Option<LedgerEntry>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(LEDGER)?;
        match t.get(id)? {
            Some(v) => Ok(Some(serde_json::from_slice(v.value())?)),
            None => Ok(None),
        }
    }

    /// Store records of versions that are not current. Safe to repeat: a record is keyed by id
    /// and hash, and nothing points at it until the ledger does.
    pub fn put_versions(&self, records: &[(String, String, StoredVersion)]) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let txn = self.writable()?.begin_write()?;
        {
            let mut t = txn.open_table(VERSIONS)?;
            for (id, hash, rec) in records {
                t.insert(key(id, hash).as_str(), serde_json::to_vec(rec)?.as_slice())?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    pub fn version(&self, id: &str, hash: &str) -> Result<Option<StoredVersion>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(VERSIONS)?;
        match t.get(key(id, hash).as_str())? {
            Some(v) => Ok(Some(serde_json::from_slice(v.value())?)),
            None => Ok(None),
        }
    }

    /// Record a committed chunk's ledger entries and its sequence number, in one transaction.
    pub fn apply(&self, payload: &Payload) -> Result<()> {
        let txn = self.writable()?.begin_write()?;
        {
            let mut t = txn.open_table(LEDGER)?;
            for (id, entry) in &payload.ledger {
                t.insert(id.as_str(), serde_json::to_vec(entry)?.as_slice())?;
            }
            let mut s = txn.open_table(SETTINGS)?;
            s.insert("last_seq", payload.seq.to_string().as_str())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// `(cables, versions)` in the ledger.
    pub fn counts(&self) -> Result<(u64, u64)> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(LEDGER)?;
        let cables = t.len()?;
        let mut versions = 0u64;
        for item in t.iter()? {
            let (_, v) = item?;
            let e: LedgerEntry = serde_json::from_slice(v.value())?;
            versions += e.versions.len() as u64;
        }
        Ok((cables, versions))
    }

    /// Every stored record of a non-current version, as `(id, hash, record)`, for `reindex`.
    pub fn all_versions(&self) -> Result<Vec<(String, String)>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(VERSIONS)?;
        let mut out = Vec::new();
        for item in t.iter()? {
            let (k, _) = item?;
            if let Some((id, hash)) = k.value().split_once('\t') {
                out.push((id.to_string(), hash.to_string()));
            }
        }
        Ok(out)
    }

    /// The release recorded for a cable.
    pub fn release(&self, id: &str) -> Result<Option<crate::access::Release>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(RELEASES)?;
        match t.get(id)? {
            Some(v) => Ok(Some(serde_json::from_slice(v.value())?)),
            None => Ok(None),
        }
    }

    /// Every recorded release, by id.
    pub fn releases(&self) -> Result<Vec<(String, crate::access::Release)>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(RELEASES)?;
        let mut out = Vec::new();
        for item in t.iter()? {
            let (k, v) = item?;
            out.push((k.value().to_string(), serde_json::from_slice(v.value())?));
        }
        Ok(out)
    }

    pub fn put_release(&self, id: &str, release: &crate::access::Release) -> Result<()> {
        let txn = self.writable()?.begin_write()?;
        {
            let mut t = txn.open_table(RELEASES)?;
            t.insert(id, serde_json::to_vec(release)?.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }
}
