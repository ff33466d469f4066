//! The inputs of a command as one stream of parsed cables, one record per cable or per input
//! that yielded none, in the order the paths were given.

use std::cell::Cell;
use std::path::PathBuf;

use cable_format::Cable;
use cable_sources::{error_record, parse_raw, read_path, SourceError};

/// Streams the records of `paths`: each cable parsed with its provenance checked
/// ([`parse_raw`]), and each file, entry or record that yielded no cable as an error record
/// ([`error_record`]). Lazy, so a `cables.csv` of any size is never held in memory.
pub struct Records<'a> {
    inner: Box<dyn Iterator<Item = Cable> + 'a>,
}

impl<'a> Records<'a> {
    /// `unreadable` is set when some path or folder entry could not be read at all.
    pub fn new(paths: &'a [PathBuf], unreadable: &'a Cell<bool>) -> Self {
        let inner = paths
            .iter()
            .flat_map(|path| read_path(path))
            .map(move |item| match item {
                Ok(raw) => parse_raw(raw),
                Err(err) => {
                    if matches!(
                        err,
                        SourceError::Io { .. } | SourceError::SymlinkLoop { .. }
                    ) {
                        unreadable.set(true);
                    }
                    error_record(&err)
                }
            });
        Records {
            inner: Box::new(inner),
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Cable;

    fn next(&mut self) -> Option<Cable> {
        self.inner.next()
    }
}
