//! From what a container gave to a [`Cable`] that says where it came from.
//!
//! The parser reads only the cable text; a container (a Cablegate page, a `cables.csv` record)
//! may also state the cable's id, classification and date. Those statements are provenance, not
//! parse results: they are kept beside the parse and checked against it, so that a page holding
//! another cable's text, or a classification the text contradicts, is flagged rather than
//! silently believed either way. A file or record that yields no cable becomes a record too, so
//! that nothing read is ever silent. The binary and the archive share these functions.

use cable_format::{Cable, Diagnostic, Severity, Source, Span};

use crate::{RawCable, SourceError};

/// Parses one raw cable and records its provenance: [`cable_format::parse_string`] on the text
/// (moved, not copied), `source` set from the container, then [`apply_container`].
pub fn parse_raw(raw: RawCable) -> Cable {
    parse_raw_with(raw, |_| ()).0
}

/// [`parse_raw`], also handing the normalised text to `on_normalized`
/// ([`cable_format::parse_string_with`]).
pub fn parse_raw_with<R>(mut raw: RawCable, on_normalized: impl FnOnce(&str) -> R) -> (Cable, R) {
    let (mut cable, r) =
        cable_format::parse_string_with(std::mem::take(&mut raw.text), on_normalized);
    apply_container(&mut cable, &raw);
    (cable, r)
}

/// Records what the container says about `cable` and checks it against the parse:
///
/// - `source` becomes the container's [`Source`];
/// - a container id becomes `raw_id` (the id as found), and a warning
///   `container-id-mismatch` is added when the text's id differs from it;
/// - a warning `container-classification-mismatch` is added when the container's classification
///   differs from the text's `banner`;
/// - when the text gives no date at all, the container's date (`YYYY-MM-DD HH:MM`) becomes
///   `date`, with `date_source` `container`.
///
/// The parsed `id`, `banner` and `classification` are never overwritten: the text is the
/// evidence, and the container is known to be wrong now and then. The one exception is what the
/// parser had to guess: a date taken from the declassification date minus ten years (the
/// `date_source` [`GUESSED_DATE`]) is replaced by the container's date, and the id's year, which
/// came from that guess, by the container id's when the two ids differ only in the year.
pub fn apply_container(cable: &mut Cable, raw: &RawCable) {
    cable.source = Some(raw.source.clone());

    if let Some(container_id) = non_empty(raw.container_id.as_deref()) {
        cable.raw_id = Some(container_id.to_owned());
        if let Some(id) = cable.id.as_deref() {
            if !id.eq_ignore_ascii_case(container_id) {
                let message =
                    format!("the container says this is {container_id}, the text says {id}");
                let span = cable
                    .spans
                    .classification
                    .or(cable.spans.dtg)
                    .or(cable.spans.transmission)
                    .unwrap_or_default();
                push_warning(cable, "container-id-mismatch", message, span);
            }
        }
    }

    if let Some(container_class) = non_empty(raw.container_classification.as_deref()) {
        if let Some(banner) = cable.banner.as_deref() {
            if !same_marking(banner, container_class) {
                let message =
                    format!("the container says this is {container_class}, the text says {banner}");
                let span = cable.spans.classification.unwrap_or_default();
                push_warning(cable, "container-classification-mismatch", message, span);
            }
        }
    }

    // A date the parser could only guess (its declassification date minus ten years) gives
    // way to the date the container records; so does the year of an id built from that guess.
    let guessed = cable.date_source.as_deref() == Some(GUESSED_DATE);
    if cable.date.is_none() || guessed {
        if let Some(date) = raw.container_date.as_deref().and_then(container_date) {
            cable.date = Some(date);
            cable.date_source = Some("container".into());
        }
    }
    if guessed {
        if let (Some(id), Some(container_id)) =
            (cable.id.as_deref(), non_empty(raw.container_id.as_deref()))
        {
            if same_but_year(id, container_id) {
                cable.id = Some(container_id.to_ascii_uppercase());
                cable
                    .diagnostics
                    .retain(|d| d.code != "container-id-mismatch");
            }
        }
    }
}

/// The `date_source` of a date guessed from the declassification date.
pub const GUESSED_DATE: &str = "declassify-on-minus-10-years";

/// Whether two cable ids differ at most in their two-digit year (`00SANAA923`, `05SANAA923`).
pub fn same_but_year(a: &str, b: &str) -> bool {
    let year = |s: &str| s.len() > 2 && s.as_bytes()[..2].iter().all(u8::is_ascii_digit);
    year(a) && year(b) && a[2..].eq_ignore_ascii_case(&b[2..])
}

/// The record for a file, entry or `cables.csv` record that yielded no cable: no fields, `source`
/// naming the path (and row), and one error diagnostic whose code says why: `unreadable` (I/O
/// error, symlink loop), `not-a-cable`, or `malformed-record`.
pub fn error_record(err: &SourceError) -> Cable {
    let (container, code, message) = match err {
        SourceError::Io { source, .. } => {
            ("unknown", "unreadable", format!("cannot read: {source}"))
        }
        SourceError::SymlinkLoop { ancestor, .. } => (
            "unknown",
            "unreadable",
            format!("symlink loop back to {ancestor}, not followed"),
        ),
        SourceError::NotACable { reason, .. } => {
            ("unknown", "not-a-cable", format!("not a cable: {reason}"))
        }
        SourceError::Malformed {
            row, line, reason, ..
        } => (
            "cables-csv",
            "malformed-record",
            format!("record {row} (line {line}): {reason}"),
        ),
    };
    Cable {
        source: Some(Source {
            path: err.path().to_owned(),
            row: err.row(),
            offset: None,
            container: container.into(),
        }),
        diagnostics: vec![Diagnostic {
            severity: Severity::Error,
            code: code.into(),
            message,
            line: 1,
            column: 1,
            span: Span::default(),
        }],
        ..Cable::default()
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

fn push_warning(cable: &mut Cable, code: &str, message: String, span: Span) {
    let (line, column) = line_col(&cable.text, span.start);
    cable.diagnostics.push(Diagnostic {
        severity: Severity::Warning,
        code: code.into(),
        message,
        line,
        column,
        span,
    });
}

/// Markings compare equal ignoring case and spaces around `//` (`SECRET // NOFORN`).
fn same_marking(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.split("//")
            .map(|part| part.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("//")
            .to_ascii_uppercase()
    };
    norm(a) == norm(b)
}

/// `YYYY-MM-DD HH:MM` (the form [`RawCable::container_date`] normalises to) as RFC 3339 UTC.
fn container_date(s: &str) -> Option<String> {
    let b = s.trim().as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let ok = b.len() == 16
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b' '
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16);
    ok.then(|| format!("{}T{}:00Z", &s.trim()[..10], &s.trim()[11..16]))
}

/// 1-based line and column (in characters) of byte `pos` in `text`.
fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let before = &text[..pos];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CABLE: &str =
        "C O N F I D E N T I A L PARTO 000013\n\nSIPDIS\n\nSUBJECT: TEST\n\n1. (C) Text.\n";

    fn raw(id: Option<&str>, class: Option<&str>, date: Option<&str>) -> RawCable {
        RawCable {
            text: CABLE.into(),
            source: Source {
                path: "p.html".into(),
                container: "cablegate-html".into(),
                ..Source::default()
            },
            container_id: id.map(Into::into),
            container_classification: class.map(Into::into),
            container_date: date.map(Into::into),
            ..RawCable::default()
        }
    }

    fn codes(cable: &Cable) -> Vec<&str> {
        cable.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn agreeing_container_adds_nothing_but_provenance() {
        let parsed = cable_format::parse_str(CABLE);
        let cable = parse_raw(raw(
            parsed.id.as_deref(),
            parsed.banner.as_deref(),
            Some("2009-08-04 14:00"),
        ));
        assert_eq!(cable.source.as_ref().unwrap().path, "p.html");
        assert_eq!(cable.raw_id, parsed.id);
        assert_eq!(cable.diagnostics, parsed.diagnostics);
    }

    #[test]
    fn disagreeing_container_is_flagged() {
        let parsed = cable_format::parse_str(CABLE);
        let cable = parse_raw(raw(Some("09STATE1"), Some("SECRET//NOFORN"), None));
        assert_eq!(cable.raw_id.as_deref(), Some("09STATE1"));
        assert_eq!(cable.id, parsed.id, "the text's id is kept");
        assert_eq!(cable.banner, parsed.banner, "the text's banner is kept");
        let mut expected = codes(&parsed);
        if parsed.id.is_some() {
            expected.push("container-id-mismatch");
        }
        if parsed.banner.is_some() {
            expected.push("container-classification-mismatch");
        }
        assert_eq!(codes(&cable), expected);
        for d in &cable.diagnostics[parsed.diagnostics.len()..] {
            assert_eq!(d.severity, Severity::Warning);
            assert!(d.message.contains("09STATE1") || d.message.contains("SECRET//NOFORN"));
            assert!(d.line >= 1 && d.column >= 1);
        }
    }

    #[test]
    fn container_date_fills_only_a_missing_date() {
        let mut cable = Cable::default();
        apply_container(&mut cable, &raw(None, None, Some("1966-12-28 18:48")));
        assert_eq!(cable.date.as_deref(), Some("1966-12-28T18:48:00Z"));
        assert_eq!(cable.date_source.as_deref(), Some("container"));

        let mut cable = Cable {
            date: Some("2009-08-04T14:57:00Z".into()),
            date_source: Some("dtg".into()),
            ..Cable::default()
        };
        apply_container(&mut cable, &raw(None, None, Some("2009-08-05 00:00")));
        assert_eq!(cable.date.as_deref(), Some("2009-08-04T14:57:00Z"));

        assert_eq!(container_date("12/28/1966 18:48"), None);
    }

    #[test]
    fn markings_compare_loosely() {
        assert!(same_marking("SECRET//NOFORN", "secret // noforn"));
        assert!(!same_marking("SECRET", "SECRET//NOFORN"));
    }

    #[test]
    fn errors_become_records() {
        let err = SourceError::Malformed {
            path: "c.csv".into(),
            row: 3,
            line: 57,
            reason: "7 fields".into(),
        };
        let cable = error_record(&err);
        let source = cable.source.as_ref().unwrap();
        assert_eq!((source.path.as_str(), source.row), ("c.csv", Some(3)));
        assert_eq!(cable.id, None);
        assert_eq!(cable.diagnostics.len(), 1);
        let d = &cable.diagnostics[0];
        assert_eq!(
            (d.severity, d.code.as_str()),
            (Severity::Error, "malformed-record")
        );
        assert!(d.message.contains("record 3 (line 57): 7 fields"));

        let io = SourceError::Io {
            path: "x".into(),
            source: std::io::Error::from(std::io::ErrorKind::NotFound),
        };
        assert_eq!(error_record(&io).diagnostics[0].code, "unreadable");
        let junk = SourceError::NotACable {
            path: "x".into(),
            reason: "binary data".into(),
        };
        assert_eq!(error_record(&junk).diagnostics[0].code, "not-a-cable");
    }
}
