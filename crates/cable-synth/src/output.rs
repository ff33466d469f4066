//! Writing generated cables out: one `<ID>.txt` per cable in a folder, or one `cables.csv` in the
//! layout of the Cablegate dump. Both stream: a cable is written as soon as it is generated.
//!
//! The `cables.csv` layout (see `../shared/cables-csv/README.md`): no header row; per cable one
//! record of 8 double-quoted, comma-separated fields (running number, created `M/D/YYYY H:MM`,
//! reference id, origin, classification, references `|`-separated, header, body); a backslash
//! goes before `"`, `'` and `\`; newlines inside fields are literal; each record ends with `"` +
//! LF. Reading a record back gives `header + "\n\n" + body + "\n"`, the same text as the `.txt`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::SynthCable;

/// Writes one cable as `<dir>/<ID>.txt`. Returns the bytes written.
pub fn write_txt(dir: &Path, cable: &SynthCable) -> io::Result<u64> {
    let path = dir.join(format!("{}.txt", cable.id));
    std::fs::write(&path, cable.text.as_bytes())?;
    Ok(cable.text.len() as u64)
}

/// Writes each cable as `<dir>/<ID>.txt` (the folder is created if missing). Returns the number
/// of cables and of bytes written.
pub fn write_txt_dir(
    dir: &Path,
    cables: impl IntoIterator<Item = SynthCable>,
) -> io::Result<(u64, u64)> {
    std::fs::create_dir_all(dir)?;
    let (mut n, mut bytes) = (0, 0);
    for c in cables {
        bytes += write_txt(dir, &c)?;
        n += 1;
    }
    Ok((n, bytes))
}

/// Writes the cables as one `cables.csv` stream to `out`. Returns the number of cables and of
/// bytes written.
pub fn write_cables_csv<W: Write>(
    out: W,
    cables: impl IntoIterator<Item = SynthCable>,
) -> io::Result<(u64, u64)> {
    let mut w = CablesCsvWriter::new(out);
    for c in cables {
        w.write(&c)?;
    }
    let (n, bytes) = (w.rows(), w.bytes());
    w.finish()?;
    Ok((n, bytes))
}

impl CablesCsvWriter<File> {
    /// Creates the file at `path` and writes to it.
    pub fn create(path: &Path) -> io::Result<CablesCsvWriter<File>> {
        Ok(CablesCsvWriter::new(File::create(path)?))
    }
}

/// Writes `cables.csv` records one at a time, numbering them from 1.
pub struct CablesCsvWriter<W: Write> {
    out: BufWriter<W>,
    rows: u64,
    bytes: u64,
}

impl<W: Write> CablesCsvWriter<W> {
    pub fn new(out: W) -> Self {
        CablesCsvWriter {
            out: BufWriter::with_capacity(256 * 1024, out),
            rows: 0,
            bytes: 0,
        }
    }

    /// Writes one record. Returns its size in bytes.
    pub fn write(&mut self, cable: &SynthCable) -> io::Result<u64> {
        self.rows += 1;
        let refs = cable.references.join("|");
        let fields: [&str; 8] = [
            &self.rows.to_string(),
            &cable.created(),
            &cable.id,
            &cable.origin_name,
            &cable.banner,
            &refs,
            cable.header(),
            cable.body(),
        ];
        let mut n = 0u64;
        for (k, f) in fields.iter().enumerate() {
            if k > 0 {
                self.out.write_all(b",")?;
                n += 1;
            }
            n += write_field(&mut self.out, f)?;
        }
        self.out.write_all(b"\n")?;
        n += 1;
        self.bytes += n;
        Ok(n)
    }

    /// Records written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}

/// One quoted field with the dump's backslash escapes. Returns the bytes written.
fn write_field(out: &mut impl Write, field: &str) -> io::Result<u64> {
    let bytes = field.as_bytes();
    out.write_all(b"\"")?;
    let mut n = 2u64;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(b, b'"' | b'\'' | b'\\') {
            out.write_all(&bytes[start..i])?;
            out.write_all(&[b'\\', b])?;
            n += (i - start) as u64 + 2;
            start = i + 1;
        }
    }
    out.write_all(&bytes[start..])?;
    n += (bytes.len() - start) as u64;
    out.write_all(b"\"")?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_escaped_like_the_dump() {
        let mut out = Vec::new();
        let n = write_field(&mut out, "a \"b\" c's \\d\nnext").unwrap();
        assert_eq!(out, b"\"a \\\"b\\\" c\\'s \\\\d\nnext\"");
        assert_eq!(n, out.len() as u64);
    }
}
