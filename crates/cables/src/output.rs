//! Writing to stdout: locked and buffered, JSON streamed as it is produced, and a closed pipe
//! (`cables parse ... | head`) told apart from real write errors.

use std::cell::RefCell;
use std::io::{self, BufWriter, StdoutLock, Write};

use serde::ser::{Serialize, SerializeSeq, Serializer};

pub type Out = BufWriter<StdoutLock<'static>>;

/// Locked, buffered stdout.
pub fn stdout() -> Out {
    BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// Writes the items as JSON: nothing → `[]`, one item → that object, several → an array. The
/// items are serialised as they come, never collected; only the second is looked at before the
/// first is written, to choose between object and array.
pub fn write_json<T, I>(out: &mut impl Write, items: I) -> anyhow::Result<()>
where
    T: Serialize,
    I: Iterator<Item = T>,
{
    let mut items = items.peekable();
    match items.next() {
        None => out.write_all(b"[]")?,
        Some(first) if items.peek().is_none() => serde_json::to_writer_pretty(&mut *out, &first)?,
        Some(first) => {
            let all = Streamed(RefCell::new(Some(std::iter::once(first).chain(items))));
            serde_json::to_writer_pretty(&mut *out, &all)?;
        }
    }
    out.write_all(b"\n")?;
    Ok(())
}

/// Writes each item as one compact JSON object per line.
pub fn write_jsonl<T, I>(out: &mut impl Write, items: I) -> anyhow::Result<()>
where
    T: Serialize,
    I: Iterator<Item = T>,
{
    for item in items {
        serde_json::to_writer(&mut *out, &item)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// An iterator serialised as a JSON array, one element at a time. Serialising takes the
/// iterator out, so it serialises once.
struct Streamed<I>(RefCell<Option<I>>);

impl<T: Serialize, I: Iterator<Item = T>> Serialize for Streamed<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let items = self.0.borrow_mut().take();
        let mut seq = serializer.serialize_seq(None)?;
        for item in items.into_iter().flatten() {
            seq.serialize_element(&item)?;
        }
        seq.end()
    }
}

/// Whether the error is a write to a pipe whose reader has gone.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let kind = if let Some(io) = cause.downcast_ref::<io::Error>() {
            Some(io.kind())
        } else {
            cause
                .downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(items: Vec<u32>) -> String {
        let mut out = Vec::new();
        write_json(&mut out, items.into_iter()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn object_for_one_array_for_several() {
        assert_eq!(json(vec![]), "[]\n");
        assert_eq!(json(vec![7]), "7\n");
        let several: serde_json::Value = serde_json::from_str(&json(vec![1, 2, 3])).unwrap();
        assert_eq!(several, serde_json::json!([1, 2, 3]));
    }

    #[test]
    fn jsonl_one_per_line() {
        let mut out = Vec::new();
        write_jsonl(&mut out, ["a", "b"].into_iter()).unwrap();
        assert_eq!(out, b"\"a\"\n\"b\"\n");
    }

    #[test]
    fn broken_pipe_is_recognised_through_serde_json() {
        let io = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::from(serde_json::Error::io(
            io
        ))));
        let io = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(is_broken_pipe(&anyhow::Error::from(io).context("writing")));
        let other = io::Error::from(io::ErrorKind::PermissionDenied);
        assert!(!is_broken_pipe(&anyhow::Error::from(other)));
    }
}
