//! The audit log: one JSON line per read (who, what, when, from where), appended to
//! `audit.log` in the data directory by a background thread, so that a read only pays for
//! sending a line down a channel. Lines are flushed when the channel is idle and when the
//! archive is closed; the file is only ever appended to.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::access::View;
use crate::error::{InternalError, Result};

pub const FILE: &str = "audit.log";

/// One read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditEntry {
    /// RFC 3339 time.
    pub at: String,
    /// `owner`, `anonymous` or a reader's name.
    pub who: String,
    /// The clearance the read was made with (`SECRET//NF`), or `all`.
    pub clearance: String,
    /// What was read: `search`, `cable`, `export`, ...
    pub what: String,
    /// The query, id or path read.
    pub detail: String,
    /// `cli`, or the client's address.
    pub from: String,
}

pub(crate) struct AuditLog {
    tx: Option<Sender<AuditEntry>>,
    thread: Option<JoinHandle<()>>,
}

impl AuditLog {
    pub(crate) fn start(dir: &Path) -> AuditLog {
        let (tx, rx) = channel::<AuditEntry>();
        let path = dir.join(FILE);
        let thread = std::thread::Builder::new()
            .name("audit-log".into())
            .spawn(move || {
                let mut out: Option<std::io::BufWriter<std::fs::File>> = None;
                loop {
                    match rx.recv_timeout(Duration::from_millis(200)) {
                        Ok(entry) => {
                            if out.is_none() {
                                out = std::fs::OpenOptions::new()
                                    .create(true)
                                    .append(true)
                                    .open(&path)
                                    .map(std::io::BufWriter::new)
                                    .map_err(|e| {
                                        eprintln!(
                                            "warning: cannot write the audit log {}: {e}",
                                            path.display()
                                        )
                                    })
                                    .ok();
                            }
                            if let (Some(w), Ok(line)) = (&mut out, serde_json::to_string(&entry)) {
                                let _ = writeln!(w, "{line}");
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            if let Some(w) = &mut out {
                                let _ = w.flush();
                            }
                        }
                        Err(RecvTimeoutError::Disconnected) => {
                            if let Some(w) = &mut out {
                                let _ = w.flush();
                            }
                            return;
                        }
                    }
                }
            })
            .ok();
        AuditLog {
            tx: Some(tx),
            thread,
        }
    }

    /// No log: a read-only data directory cannot hold one.
    pub(crate) fn disabled() -> AuditLog {
        AuditLog {
            tx: None,
            thread: None,
        }
    }

    pub(crate) fn record(&self, view: &View, what: &str, detail: &str, from: &str) {
        let entry = AuditEntry {
            at: jiff::Timestamp::now().to_string(),
            who: view.who.label(),
            clearance: view
                .clearance
                .as_ref()
                .map(|c| c.describe())
                .unwrap_or_else(|| "all".to_string()),
            what: what.to_string(),
            detail: detail.chars().take(2000).collect(),
            from: from.to_string(),
        };
        if let Some(tx) = &self.tx {
            let _ = tx.send(entry);
        }
    }
}

impl Drop for AuditLog {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The audit log of the data directory `dir`, oldest first (empty when none was written).
/// Lines that do not read as entries are reported as errors with their line number.
pub fn read_audit(dir: &Path) -> Result<Vec<AuditEntry>> {
    let path: PathBuf = dir.join(FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(InternalError::Io {
                path: path.display().to_string(),
                source,
            }
            .into())
        }
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(serde_json::from_str(line).map_err(|e| {
            InternalError::Inconsistent(format!("{}:{}: {e}", path.display(), i + 1))
        })?);
    }
    Ok(out)
}
