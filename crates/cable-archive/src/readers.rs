//! Readers: the people (or programs) a controlled archive lets in, each with a clearance and an
//! API token.
//!
//! Readers live in `readers.json` in the data directory, beside the catalog rather than in it,
//! so that `cables user add` works while a server holds the archive open; the server notices a
//! changed file on the next request ([`Directory`]). A token is 32 random bytes, written as 64
//! hex digits, shown once; the file keeps only its keyed BLAKE3 hash, under a key of 32 random
//! bytes kept in `readers.key`. Checking a token is one hash and one map look-up.
//! Writes go to a temporary file that is renamed over the old one, so a reader of the file
//! sees either the old or the new version.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::access::Clearance;
use crate::error::{InternalError, Result, UserError};

const FILE: &str = "readers.json";
const KEY_FILE: &str = "readers.key";

/// One reader as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reader {
    pub name: String,
    pub clearance: Clearance,
    /// Keyed BLAKE3 hash of the token, hex.
    token_hash: String,
    /// When the reader was added, and when the token was last replaced (RFC 3339).
    pub created: String,
    pub token_issued: String,
}

/// What `cables user list` shows of a reader.
#[derive(Debug, Clone, Serialize)]
pub struct ReaderInfo {
    pub name: String,
    pub clearance: String,
    pub level: String,
    pub caveats: Vec<String>,
    pub created: String,
    pub token_issued: String,
}

impl Reader {
    pub fn info(&self) -> ReaderInfo {
        ReaderInfo {
            name: self.name.clone(),
            clearance: self.clearance.describe(),
            level: cable_query::Ranked::name(self.clearance.level).to_string(),
            caveats: self
                .clearance
                .caveats
                .iter()
                .map(|c| c.to_ascii_uppercase().replace('_', " "))
                .collect(),
            created: self.created.clone(),
            token_issued: self.token_issued.clone(),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    readers: BTreeMap<String, Reader>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> crate::ArchiveError + '_ {
    move |source| {
        InternalError::Io {
            path: path.display().to_string(),
            source,
        }
        .into()
    }
}

fn random_bytes() -> Result<[u8; 32]> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| InternalError::Io {
        path: "the system's random source".into(),
        source: std::io::Error::other(e.to_string()),
    })?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The readers of one data directory.
pub struct Readers {
    dir: PathBuf,
    key: [u8; 32],
    file: File,
    /// token hash → reader name.
    by_hash: HashMap<String, String>,
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
    f.write_all(bytes).map_err(io(&tmp))?;
    f.sync_all().map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))?;
    Ok(())
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(UserError::BadReaderName {
            name: name.to_string(),
        }
        .into())
    }
}

impl Readers {
    /// The readers of the data directory `dir` (none when it has no readers file).
    pub fn load(dir: &Path) -> Result<Readers> {
        let key_path = dir.join(KEY_FILE);
        let key = match std::fs::read(&key_path) {
            Ok(k) if k.len() == 32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(&k);
                key
            }
            Ok(_) => {
                return Err(InternalError::Inconsistent(format!(
                    "{} is not a 32-byte key",
                    key_path.display()
                ))
                .into())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => [0u8; 32],
            Err(e) => return Err(io(&key_path)(e)),
        };
        let path = dir.join(FILE);
        let file: File = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| InternalError::Inconsistent(format!("{}: {e}", path.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(io(&path)(e)),
        };
        let by_hash = file
            .readers
            .values()
            .map(|r| (r.token_hash.clone(), r.name.clone()))
            .collect();
        Ok(Readers {
            dir: dir.to_path_buf(),
            key,
            file,
            by_hash,
        })
    }

    fn hash(&self, token: &str) -> String {
        hex(blake3::keyed_hash(&self.key, token.as_bytes()).as_bytes())
    }

    fn save(&mut self) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        write_atomic(
            &self.dir.join(FILE),
            &serde_json::to_vec_pretty(&self.file)?,
        )?;
        self.by_hash = self
            .file
            .readers
            .values()
            .map(|r| (r.token_hash.clone(), r.name.clone()))
            .collect();
        Ok(())
    }

    /// A new token for `name`: stored hashed, returned once.
    fn issue(&mut self) -> Result<(String, String)> {
        if !self.dir.join(KEY_FILE).exists() {
            self.key = random_bytes()?;
            std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
            write_atomic(&self.dir.join(KEY_FILE), &self.key)?;
        }
        let token = hex(&random_bytes()?);
        let hash = self.hash(&token);
        Ok((token, hash))
    }

    /// Add a reader; returns the token, which is not stored and cannot be shown again.
    pub fn add(&mut self, name: &str, clearance: Clearance) -> Result<String> {
        check_name(name)?;
        if self.file.readers.contains_key(name) {
            return Err(UserError::ReaderExists {
                name: name.to_string(),
            }
            .into());
        }
        let (token, hash) = self.issue()?;
        let now = jiff::Timestamp::now().to_string();
        self.file.readers.insert(
            name.to_string(),
            Reader {
                name: name.to_string(),
                clearance,
                token_hash: hash,
                created: now.clone(),
                token_issued: now,
            },
        );
        self.save()?;
        Ok(token)
    }

    /// Remove a reader: their token stops working at once.
    pub fn remove(&mut self, name: &str) -> Result<()> {
        if self.file.readers.remove(name).is_none() {
            return Err(UserError::UnknownReader {
                name: name.to_string(),
            }
            .into());
        }
        self.save()
    }

    /// Replace a reader's token; the old one stops working at once.
    pub fn rotate(&mut self, name: &str) -> Result<String> {
        if !self.file.readers.contains_key(name) {
            return Err(UserError::UnknownReader {
                name: name.to_string(),
            }
            .into());
        }
        let (token, hash) = self.issue()?;
        if let Some(r) = self.file.readers.get_mut(name) {
            r.token_hash = hash;
            r.token_issued = jiff::Timestamp::now().to_string();
        }
        self.save()?;
        Ok(token)
    }

    pub fn list(&self) -> Vec<&Reader> {
        self.file.readers.values().collect()
    }

    pub fn get(&self, name: &str) -> Option<&Reader> {
        self.file.readers.get(name)
    }

    pub fn is_empty(&self) -> bool {
        self.file.readers.is_empty()
    }

    /// The reader a token belongs to.
    pub fn verify(&self, token: &str) -> Option<&Reader> {
        if self.file.readers.is_empty() || token.len() != 64 {
            return None;
        }
        let name = self.by_hash.get(&self.hash(token))?;
        self.file.readers.get(name)
    }
}

/// The readers of a data directory for a long-running server: reloaded when `readers.json`
/// changes, so that readers added, removed or rotated by `cables user` take effect at once.
pub struct Directory {
    dir: PathBuf,
    state: Mutex<(Option<SystemTime>, Option<u64>, Readers)>,
}

fn stamp(dir: &Path) -> (Option<SystemTime>, Option<u64>) {
    match std::fs::metadata(dir.join(FILE)) {
        Ok(m) => (m.modified().ok(), Some(m.len())),
        Err(_) => (None, None),
    }
}

impl Directory {
    pub fn open(dir: &Path) -> Result<Directory> {
        let (t, n) = stamp(dir);
        Ok(Directory {
            dir: dir.to_path_buf(),
            state: Mutex::new((t, n, Readers::load(dir)?)),
        })
    }

    /// Run `f` on the current readers, reloading them first if the file changed.
    pub fn with<T>(&self, f: impl FnOnce(&Readers) -> T) -> Result<T> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (t, n) = stamp(&self.dir);
        if (t, n) != (state.0, state.1) {
            *state = (t, n, Readers::load(&self.dir)?);
        }
        Ok(f(&state.2))
    }

    /// The name and clearance of the reader a token belongs to.
    pub fn verify(&self, token: &str) -> Result<Option<(String, Clearance)>> {
        self.with(|r| {
            r.verify(token)
                .map(|r| (r.name.clone(), r.clearance.clone()))
        })
    }

    /// Whether a reader with this name still exists (for sessions).
    pub fn clearance_of(&self, name: &str) -> Result<Option<Clearance>> {
        self.with(|r| r.get(name).map(|r| r.clearance.clone()))
    }

    pub fn is_empty(&self) -> Result<bool> {
        self.with(|r| r.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cable_query::Level;

    #[test]
    fn tokens_verify_until_removed_or_rotated() -> Result<()> {
        let dir = tempfile::tempdir().map_err(io(Path::new("tmp")))?;
        let mut r = Readers::load(dir.path())?;
        let t1 = r.add("alice", Clearance::new(Level::Secret, ["NOFORN"]))?;
        assert_eq!(t1.len(), 64);
        let again = Readers::load(dir.path())?;
        assert_eq!(again.verify(&t1).map(|r| r.name.as_str()), Some("alice"));
        assert!(again.verify(&"0".repeat(64)).is_none());
        let t2 = r.rotate("alice")?;
        let again = Readers::load(dir.path())?;
        assert!(again.verify(&t1).is_none());
        assert!(again.verify(&t2).is_some());
        r.remove("alice")?;
        assert!(Readers::load(dir.path())?.verify(&t2).is_none());
        assert!(r.add("bad name", Clearance::public()).is_err());
        Ok(())
    }
}
