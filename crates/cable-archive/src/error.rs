//! Errors of the archive, split the way callers need them: [`UserError`] is the caller's mistake
//! (a query we cannot run, an unknown id: exit 1 / HTTP 4xx), [`InternalError`] is ours or the
//! machine's (I/O, a damaged index or catalog: exit 1 with context / HTTP 5xx).

/// Anything an archive operation can fail with.
#[derive(thiserror::Error, Debug)]
pub enum ArchiveError {
    /// The caller asked for something we cannot give; the message says what.
    #[error(transparent)]
    User(#[from] UserError),
    /// Something went wrong on our side.
    #[error(transparent)]
    Internal(#[from] InternalError),
}

impl ArchiveError {
    /// Whether this is the caller's mistake rather than ours.
    pub fn is_user_error(&self) -> bool {
        matches!(self, ArchiveError::User(_))
    }
}

/// The caller's mistakes.
#[derive(thiserror::Error, Debug)]
pub enum UserError {
    /// The query is well formed but uses a field the index cannot answer yet.
    #[error("field {field} is not searchable yet")]
    NotSearchable { field: String },
    /// No cable with this id is in the archive.
    #[error("no cable {id} in the archive")]
    UnknownId { id: String },
    /// No version with this hash (or hash prefix) for the cable.
    #[error("cable {id} has no version {version}")]
    UnknownVersion { id: String, version: String },
    /// A release names a paragraph the cable does not have.
    #[error("cable {id} has no paragraph numbered {paragraph} (its paragraphs: {numbers})")]
    NoParagraph {
        id: String,
        paragraph: String,
        numbers: String,
    },
    /// A reader name that is not registered.
    #[error("no reader named {name}; `cables user list` shows the readers")]
    UnknownReader { name: String },
    /// A reader name already taken.
    #[error("a reader named {name} already exists; `cables user rotate {name}` gives a new token")]
    ReaderExists { name: String },
    /// A reader name we do not accept.
    #[error("reader name {name:?}: use 1 to 64 letters, digits, '.', '_', '-' or '@'")]
    BadReaderName { name: String },
    /// The disk holding the data directory filled up during a write.
    #[error(
        "the disk holding {path} is full: free some space and run the command again (the \
         {committed} cables committed before are kept; nothing half-written is)"
    )]
    DiskFull { path: String, committed: u64 },
    /// The data directory cannot be written to (a read-only mount or file system).
    #[error(
        "the data directory {path} is read-only ({reason}): reading works, but ingest, \
         reindex, release and policy changes need a writable directory"
    )]
    ReadOnly { path: String, reason: String },
    /// Another process has the archive open for writing.
    #[error(
        "the archive catalog {path} is in use by another cables process; wait for it to finish \
         (only one process at a time may open an archive)"
    )]
    Busy { path: String },
    /// The archive was built by an older schema; `cables reindex` rebuilds it.
    #[error(
        "the archive in {path} was built with index schema {found}; this cables reads schema \
         {expected}: run `cables reindex` to rebuild the index from the stored cables"
    )]
    NeedsReindex {
        path: String,
        found: String,
        expected: String,
    },
}

/// Our failures: the engines underneath, the file system, a data directory in a state we do not
/// understand.
#[derive(thiserror::Error, Debug)]
pub enum InternalError {
    #[error("data directory {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("catalog: {0}")]
    Catalog(#[from] redb::Error),
    #[error("stored record: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "data directory {path} was built with schema version {found}; this build reads {expected}"
    )]
    SchemaVersion {
        path: String,
        found: String,
        expected: String,
    },
    #[error("the archive is inconsistent: {0}")]
    Inconsistent(String),
}

macro_rules! internal_from {
    ($($t:ty => $variant:ident),* $(,)?) => {$(
        impl From<$t> for ArchiveError {
            fn from(e: $t) -> Self {
                ArchiveError::Internal(InternalError::$variant(e.into()))
            }
        }
    )*};
}

internal_from!(
    tantivy::TantivyError => Index,
    tantivy::query::QueryParserError => Index,
    redb::Error => Catalog,
    redb::DatabaseError => Catalog,
    redb::TransactionError => Catalog,
    redb::TableError => Catalog,
    redb::StorageError => Catalog,
    redb::CommitError => Catalog,
    serde_json::Error => Json,
);

/// The archive's result type.
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;

/// Turn an error met while writing into the archive into one that says why, when the cause is
/// the machine's: a full disk or a read-only directory (tantivy reports both as a killed index
/// writer). The cause is found by trying to write a small probe file beside the index.
pub(crate) fn explain_write_error(
    err: ArchiveError,
    dir: &std::path::Path,
    committed: u64,
) -> ArchiveError {
    if err.is_user_error() {
        return err;
    }
    let probe = dir.join(".write-probe");
    let outcome = std::fs::write(&probe, vec![0u8; 256 * 1024]);
    let _ = std::fs::remove_file(&probe);
    match outcome {
        Err(e) if e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(28) => {
            UserError::DiskFull {
                path: dir.display().to_string(),
                committed,
            }
            .into()
        }
        Err(e)
            if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem
                || e.raw_os_error() == Some(30) =>
        {
            UserError::ReadOnly {
                path: dir.display().to_string(),
                reason: e.to_string(),
            }
            .into()
        }
        _ => err,
    }
}
