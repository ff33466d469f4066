//! The `cables.csv` dump, streamed record by record (the real file is 1.7 GB).
//!
//! Layout: no header row; 8 double-quoted fields per record (running number, created as
//! `M/D/YYYY H:MM`, reference id, origin, classification, references, header, body). Quotes,
//! apostrophes and backslashes inside fields are escaped with a backslash and quotes are never
//! doubled; newlines inside fields are literal. The `csv` crate's escape handling copies whatever
//! follows the backslash, so `\'` and `\\` come out right as well as `\"`.
//!
//! The csv crate accepts any bytes, so the damage to watch for is an unescaped quote: it flips
//! the quoting of the rest of its field, which then splits at commas and newlines. A record
//! without 8 fields is reported, and the records split off after it are folded into that one
//! error until a record starts cleanly again.

use std::io::Read;

use crate::{RawCable, Source, SourceError};
use cable_format::decode::decode as decode_text;

const FIELDS: usize = 8;

/// The records of one `cables.csv` stream, decoded one at a time.
///
/// Generic over its input so that an archive reader can take its stream back
/// ([`CsvRecords::into_inner`]) once the records of one entry are read.
pub(crate) struct CsvRecords<R> {
    reader: csv::Reader<R>,
    record: csv::ByteRecord,
    path: String,
    /// Bytes before the reader's input (a stripped BOM), added back to record offsets.
    base_offset: u64,
    row: u64,
    /// What the last malformed run read past its end, to hand out next.
    held: Held,
    done: bool,
}

enum Held {
    Nothing,
    Record,
    Io(std::io::Error),
}

/// One read from the csv reader.
enum Step {
    Eof,
    Io(std::io::Error),
    /// A record is in `CsvRecords::record`.
    Record,
    /// The csv crate refused a record (not seen with flexible byte records, handled anyway).
    Refused {
        line: u64,
        reason: String,
    },
}

impl<R: Read> CsvRecords<R> {
    /// `input` starts at the first record; `base_offset` is where that is in the file.
    pub(crate) fn new(input: R, base_offset: u64, path: String) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .escape(Some(b'\\'))
            .double_quote(false)
            .flexible(true)
            .buffer_capacity(64 * 1024)
            .from_reader(input);
        CsvRecords {
            reader,
            record: csv::ByteRecord::new(),
            path,
            base_offset,
            row: 0,
            held: Held::Nothing,
            done: false,
        }
    }

    /// The input, for what follows it (the next archive entry). Bytes the csv reader had
    /// buffered are dropped; call it only once the records are exhausted.
    pub(crate) fn into_inner(self) -> R {
        self.reader.into_inner()
    }

    fn step(&mut self) -> Step {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => Step::Eof,
            Ok(true) => Step::Record,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                match err.into_kind() {
                    csv::ErrorKind::Io(source) => Step::Io(source),
                    kind => Step::Refused {
                        line,
                        reason: format!("{kind:?}"),
                    },
                }
            }
        }
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    /// A record that starts like one of the dump: 8 fields and a running number. Only such a
    /// record ends a run of malformed ones.
    fn starts_clean(&self) -> bool {
        self.record.len() == FIELDS && self.numbered()
    }

    /// The record's first field is a running number.
    fn numbered(&self) -> bool {
        self.record
            .get(0)
            .is_some_and(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
    }

    /// Report a malformed record as one error, swallowing the records the csv crate splits
    /// after it until one starts clean again. One unescaped quote flips the quoting of the rest
    /// of its cable, which then falls apart into a "record" per line; counting each of those
    /// would bury the one real problem and shift the row numbers of every later cable.
    fn malformed(&mut self, line: u64, what: String) -> SourceError {
        let (mut swallowed, mut last_line) = (0u64, line);
        loop {
            match self.step() {
                Step::Eof => {
                    self.done = true;
                    break;
                }
                Step::Io(source) => {
                    self.held = Held::Io(source);
                    break;
                }
                Step::Record if self.starts_clean() => {
                    self.held = Held::Record;
                    break;
                }
                Step::Record => {
                    swallowed += 1;
                    last_line = self.line();
                }
                Step::Refused { line, .. } => {
                    swallowed += 1;
                    last_line = line;
                }
            }
        }
        let tail = if swallowed == 0 {
            String::new()
        } else {
            format!(
                "; the next {swallowed} split record(s), up to line {last_line}, are part of \
                 the damage and are not reported separately"
            )
        };
        SourceError::Malformed {
            path: self.path.clone(),
            row: self.row,
            line,
            reason: format!("{what}{tail}"),
        }
    }

    /// Why the record in `self.record` is not a cable record, if it is not.
    fn defect(&self) -> Option<String> {
        let record = &self.record;
        if record.len() == FIELDS {
            return None;
        }
        let id = record.get(2).map(decode_text).unwrap_or_default();
        let id = if record.len() > 2 && !id.trim().is_empty() {
            format!(" (reference id {})", id.trim())
        } else {
            String::new()
        };
        Some(format!(
            "expected {FIELDS} fields, found {}{id} (an unescaped quote, or a cut record)",
            record.len()
        ))
    }

    /// The cable in a well-formed `self.record`.
    fn convert(&self) -> RawCable {
        let offset = self.record.position().map(|p| p.byte() + self.base_offset);
        let record = &self.record;
        let field = |i: usize| decode_text(&record[i]);
        let non_empty = |i: usize| Some(field(i).trim().to_owned()).filter(|s| !s.is_empty());
        let header = field(6);
        let body = field(7);
        let text = if header.is_empty() {
            format!("{body}\n")
        } else {
            format!("{header}\n\n{body}\n")
        };
        RawCable {
            text,
            source: Source {
                path: self.path.clone(),
                row: Some(self.row),
                offset,
                container: "cables-csv".into(),
            },
            container_id: non_empty(2),
            container_date: non_empty(1).map(|date| normalise_date(&date)),
            container_classification: non_empty(4),
            container_origin: non_empty(3),
            container_references: field(5)
                .split('|')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect(),
        }
    }
}

impl<R: Read> Iterator for CsvRecords<R> {
    type Item = Result<RawCable, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        let step = match std::mem::replace(&mut self.held, Held::Nothing) {
            Held::Record => Step::Record,
            Held::Io(source) => Step::Io(source),
            Held::Nothing if self.done => return None,
            Held::Nothing => self.step(),
        };
        match step {
            Step::Eof => {
                self.done = true;
                None
            }
            // Reading failed: nothing sensible follows.
            Step::Io(source) => {
                self.done = true;
                Some(Err(SourceError::Io {
                    path: self.path.clone(),
                    source,
                }))
            }
            Step::Record => match self.defect() {
                None => {
                    self.row += 1;
                    Some(Ok(self.convert()))
                }
                // A bad record of its own: it has a row number of its own.
                Some(what) if self.numbered() || self.row == 0 => {
                    self.row += 1;
                    Some(Err(self.malformed(self.line(), what)))
                }
                // Lines with no running number after a record that looked whole: the tail of
                // that record, cut short by an unescaped quote. Report it under that record's
                // row, so later rows still match the running numbers.
                Some(what) => {
                    let row = self.row;
                    let what = format!(
                        "text after record {row} that belongs to no record ({what}): record \
                         {row} probably holds an unescaped quote and is cut short there"
                    );
                    Some(Err(self.malformed(self.line(), what)))
                }
            },
            Step::Refused { line, reason } => {
                self.row += 1;
                Some(Err(self.malformed(line, reason)))
            }
        }
    }
}

/// `M/D/YYYY H:MM` (the dump) or `YYYY-MM-DD HH:MM` (the site) as `YYYY-MM-DD HH:MM`; any
/// other value is returned trimmed but otherwise as written.
pub(crate) fn normalise_date(value: &str) -> String {
    let value = value.trim();
    parse_date(value)
        .map(|(y, mo, d, h, mi)| format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}"))
        .unwrap_or_else(|| value.to_owned())
}

fn parse_date(value: &str) -> Option<(u32, u32, u32, u32, u32)> {
    let (date, time) = value.split_once(' ')?;
    let (hour, minute) = time.split_once(':')?;
    let num = |s: &str, min_len: usize, max_len: usize| {
        (s.len() >= min_len && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    let (year, month, day) = if let Some((m, rest)) = date.split_once('/') {
        let (d, y) = rest.split_once('/')?;
        (num(y, 4, 4)?, num(m, 1, 2)?, num(d, 1, 2)?)
    } else {
        let mut parts = date.split('-');
        let y = num(parts.next()?, 4, 4)?;
        let m = num(parts.next()?, 2, 2)?;
        let d = num(parts.next()?, 2, 2)?;
        if parts.next().is_some() {
            return None;
        }
        (y, m, d)
    };
    let (hour, minute) = (num(hour, 1, 2)?, num(minute, 2, 2)?);
    let valid = (1..=12).contains(&month) && (1..=31).contains(&day) && hour < 24 && minute < 60;
    valid.then_some((year, month, day, hour, minute))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &'static [u8]) -> Vec<Result<RawCable, SourceError>> {
        CsvRecords::new(Box::new(input), 0, "c.csv".into()).collect()
    }

    #[test]
    fn escapes_and_fields() {
        let input = b"\"1\",\"12/28/1966 18:06\",\"66X1\",\"Embassy X\",\"UNCLASSIFIED\",\"\",\"P R 281848Z DEC 66\nFM X\",\"OF \\\"PREFERENTIAL\\\" X\\'S C:\\\\D, E\n\"\n\
\"2\",\"1/2/2010 9:05\",\"10Y2\",\"Embassy Y\",\"SECRET//NOFORN\",\"09Y1|09Y2\",\"\",\"Body only\"\n";
        let out = records(input);
        assert_eq!(out.len(), 2);
        let a = out[0].as_ref().unwrap();
        assert_eq!(
            a.text,
            "P R 281848Z DEC 66\nFM X\n\nOF \"PREFERENTIAL\" X'S C:\\D, E\n\n"
        );
        assert_eq!(a.source.row, Some(1));
        assert_eq!(a.source.offset, Some(0));
        assert_eq!(a.source.container, "cables-csv");
        assert_eq!(a.container_id.as_deref(), Some("66X1"));
        assert_eq!(a.container_date.as_deref(), Some("1966-12-28 18:06"));
        assert_eq!(a.container_origin.as_deref(), Some("Embassy X"));
        assert_eq!(a.container_classification.as_deref(), Some("UNCLASSIFIED"));
        assert!(a.container_references.is_empty());
        let b = out[1].as_ref().unwrap();
        assert_eq!(b.text, "Body only\n");
        assert_eq!(b.source.row, Some(2));
        assert_eq!(b.container_date.as_deref(), Some("2010-01-02 09:05"));
        assert_eq!(b.container_references, ["09Y1", "09Y2"]);
        let offset = b.source.offset.unwrap() as usize;
        assert!(input[offset..].starts_with(b"\"2\""));
    }

    #[test]
    fn malformed_record_then_the_stream_goes_on() {
        let input = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\
\"2\",\"1/1/2009 1:01\",\"09A2\",\"O\",\"C\",\"H\"\n\
\"3\",\"1/1/2009 1:01\",\"09A3\",\"O\",\"C\",\"\",\"H\",\"B\"\n";
        let out = records(input);
        assert_eq!(out.len(), 3);
        assert!(out[0].is_ok());
        match &out[1] {
            Err(SourceError::Malformed {
                path,
                row,
                line,
                reason,
            }) => {
                assert_eq!((path.as_str(), *row, *line), ("c.csv", 2, 2));
                assert!(
                    reason.contains("found 6") && reason.contains("09A2"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
        let third = out[2].as_ref().unwrap();
        assert_eq!(third.container_id.as_deref(), Some("09A3"));
        assert_eq!(third.source.row, Some(3));
    }

    #[test]
    fn an_unescaped_quote_is_one_error_and_rows_stay_aligned() {
        // The stray quote in record 2 splits its body at commas: 10 fields, and the quoting of
        // every later line is flipped until the next record.
        let input = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\
\"2\",\"1/1/2009 1:01\",\"09A2\",\"O\",\"C\",\"\",\"H\",\"a \"Q, b, c\nd\ne\nf \\\"g\\\"\"\n\
\"3\",\"1/1/2009 1:01\",\"09A3\",\"O\",\"C\",\"\",\"H\",\"B\"\n";
        let out = records(input);
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].is_ok());
        match &out[1] {
            Err(SourceError::Malformed {
                row, line, reason, ..
            }) => {
                assert_eq!((*row, *line), (2, 2));
                assert!(
                    reason.contains("found 10") && reason.contains("09A2"),
                    "{reason}"
                );
                assert!(reason.contains("up to line 5"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let third = out[2].as_ref().unwrap();
        assert_eq!(third.container_id.as_deref(), Some("09A3"));
        assert_eq!(third.source.row, Some(3));
    }

    #[test]
    fn a_cut_record_is_reported_under_its_own_row() {
        // Here the stray quote leaves record 2 with 8 fields, cut at the end of its first line.
        let input = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B\"\n\
\"2\",\"1/1/2009 1:01\",\"09A2\",\"O\",\"C\",\"\",\"H\",\"a \"Q\nd\ne\"\n\
\"3\",\"1/1/2009 1:01\",\"09A3\",\"O\",\"C\",\"\",\"H\",\"B\"\n";
        let out = records(input);
        assert_eq!(out.len(), 4, "{out:?}");
        assert_eq!(out[1].as_ref().unwrap().text, "H\n\na Q\n");
        match &out[2] {
            Err(SourceError::Malformed { row, reason, .. }) => {
                assert_eq!(*row, 2);
                assert!(reason.contains("record 2 probably"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(out[3].as_ref().unwrap().source.row, Some(3));
    }

    #[test]
    fn malformed_at_the_end_then_nothing() {
        let out = records(b"\"1\",\"1/1/2009 1:01\",\"09A1\"\nx\ny\n");
        assert_eq!(out.len(), 1);
        assert!(matches!(
            &out[0],
            Err(SourceError::Malformed {
                row: 1,
                line: 1,
                ..
            })
        ));
    }

    #[test]
    fn crlf_records_and_latin1_fields() {
        let input = b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\r\nX\",\"CAF\xC9\"\r\n";
        let out = records(input);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].as_ref().unwrap().text, "H\r\nX\n\nCAFÉ\n");
    }

    #[test]
    fn unterminated_last_field_is_kept() {
        let out = records(b"\"1\",\"1/1/2009 1:01\",\"09A1\",\"O\",\"C\",\"\",\"H\",\"B");
        assert_eq!(out.len(), 1);
        // The csv crate accepts the cut field; the record still has its 8 fields.
        assert_eq!(out[0].as_ref().unwrap().text, "H\n\nB\n");
    }

    #[test]
    fn io_error_stops_the_stream() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let out: Vec<_> = CsvRecords::new(Box::new(Failing), 0, "c.csv".into()).collect();
        assert_eq!(out.len(), 1);
        assert!(matches!(&out[0], Err(SourceError::Io { path, .. }) if path == "c.csv"));
    }

    #[test]
    fn dates() {
        assert_eq!(normalise_date("12/28/1966 18:06"), "1966-12-28 18:06");
        assert_eq!(normalise_date("1/2/2010 9:05"), "2010-01-02 09:05");
        assert_eq!(normalise_date("2001-02-23 15:03"), "2001-02-23 15:03");
        assert_eq!(normalise_date(" 13/2/2010 9:05 "), "13/2/2010 9:05");
        assert_eq!(normalise_date("yesterday"), "yesterday");
        assert_eq!(normalise_date("1/2/2010 24:00"), "1/2/2010 24:00");
        assert_eq!(normalise_date("2001-2-23 15:03"), "2001-2-23 15:03");
    }
}
