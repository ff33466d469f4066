//! Container detection by content, never by file name: which reader a file's first bytes call
//! for, and, when none does, a reason a person can act on.

use memchr::memmem;

use crate::ContainerKind;
use cable_format::decode::strip_bom;

/// How many leading bytes [`detect`] looks at; longer input is cut to this length.
pub const DETECT_LEN: usize = 8 * 1024;

/// Which container `head` (the first [`DETECT_LEN`] bytes of a file, or fewer) starts.
///
/// - `CablesCsv`: the first record starts `"<number>","<M/D/YYYY H:MM>",` (quotes optional).
/// - `CablegateHtml`: an HTML document with the Cablegate cable page's markers (the
///   `Cable Viewer` title, the `cable` metadata table or a `<code><pre>` block).
/// - `Plusd`: text with Markdown link debris (`[1](#)`, `[PREL](#)`) or an escaped `\$`.
/// - `Text`: any other text.
/// - `Unknown`: empty or blank input, binary data, UTF-16, another HTML page, another CSV layout.
pub fn detect(head: &[u8]) -> ContainerKind {
    let head = strip_bom(&head[..head.len().min(DETECT_LEN)]);
    if head.trim_ascii().is_empty() || binary_reason(head).is_some() {
        ContainerKind::Unknown
    } else if is_html(head) {
        if is_cablegate_html(head) {
            ContainerKind::CablegateHtml
        } else {
            ContainerKind::Unknown
        }
    } else if is_cables_csv(head) {
        ContainerKind::CablesCsv
    } else if is_other_csv(head) {
        ContainerKind::Unknown
    } else if has_plusd_markers(head) {
        ContainerKind::Plusd
    } else {
        ContainerKind::Text
    }
}

/// [`detect`] refined with the whole file: a Cablegate page whose markers all lie beyond the
/// head, or PlusD debris that first appears late in a text file.
pub(crate) fn detect_whole(bytes: &[u8]) -> ContainerKind {
    let head = &bytes[..bytes.len().min(DETECT_LEN)];
    match detect(head) {
        ContainerKind::Unknown if is_html(strip_bom(head)) && has_code_pre(bytes) => {
            ContainerKind::CablegateHtml
        }
        ContainerKind::Text if has_plusd_markers(bytes) => ContainerKind::Plusd,
        kind => kind,
    }
}

/// Why [`detect`] found no container in `head`.
pub(crate) fn explain(head: &[u8]) -> String {
    let head = strip_bom(&head[..head.len().min(DETECT_LEN)]);
    if head.is_empty() {
        "empty file".into()
    } else if head.trim_ascii().is_empty() {
        "the file holds only whitespace".into()
    } else if let Some(reason) = binary_reason(head) {
        reason.into()
    } else if is_html(head) {
        "an HTML page that is not a Cablegate cable page (no <code><pre> blocks)".into()
    } else if is_other_csv(head) {
        "a CSV file not in the cables.csv layout (8 quoted fields, no header row)".into()
    } else {
        "unrecognised content".into()
    }
}

/// A reason when `head` is binary data rather than text.
fn binary_reason(head: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (
            b"\x1F\x8B",
            "gzip data (an archive inside an archive is not read)",
        ),
        (
            b"PK\x03\x04",
            "zip archive (an archive inside an archive is not read)",
        ),
        (b"PK\x05\x06", "empty zip archive"),
        (
            b"BZh",
            "bzip2 data (only gzip, tar and zip archives are read)",
        ),
        (
            b"\xFD7zXZ\x00",
            "xz data (only gzip, tar and zip archives are read)",
        ),
        (
            b"\x28\xB5\x2F\xFD",
            "zstd data (only gzip, tar and zip archives are read)",
        ),
        (b"%PDF-", "a PDF document"),
        (b"\xFF\xFE", "UTF-16 text (save it as UTF-8)"),
        (b"\xFE\xFF", "UTF-16 text (save it as UTF-8)"),
    ];
    for (magic, reason) in MAGIC {
        // `BZh` alone could start a word; require the block-size digit too.
        let matches = head.starts_with(magic)
            && (*magic != b"BZh" || head.get(3).is_some_and(u8::is_ascii_digit));
        if matches {
            return Some(reason);
        }
    }
    if head.get(257..262) == Some(b"ustar") {
        return Some("tar archive (an archive inside an archive is not read)");
    }
    if head.contains(&0) {
        return Some("binary data (NUL bytes)");
    }
    let controls = head
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)) || b == 0x7F)
        .count();
    (controls * 10 > head.len()).then_some("binary data (control bytes)")
}

/// An HTML or XHTML document, judged by its first tag and an `<html>`/`<body>` element.
pub(crate) fn is_html(head: &[u8]) -> bool {
    let trimmed = head.trim_ascii_start();
    if !trimmed.starts_with(b"<") {
        return false;
    }
    let lower = trimmed.to_ascii_lowercase();
    ["<html", "<!doctype html", "<head", "<body"]
        .iter()
        .any(|tag| memmem::find(&lower, tag.as_bytes()).is_some())
}

fn is_cablegate_html(head: &[u8]) -> bool {
    [
        "<title>Cable Viewer</title>",
        "<table class='cable'>",
        "<table class=\"cable\">",
    ]
    .iter()
    .any(|marker| memmem::find(head, marker.as_bytes()).is_some())
        || has_code_pre(head)
}

pub(crate) fn has_code_pre(bytes: &[u8]) -> bool {
    memmem::find(bytes, b"<code><pre").is_some()
}

/// The first record starts with a running number and an `M/D/YYYY H:MM` date.
fn is_cables_csv(head: &[u8]) -> bool {
    let mut cur = Cursor {
        bytes: head,
        pos: 0,
    };
    cur.field(|c| c.digits(1, 12)) && cur.field(|c| c.csv_date())
}

/// A CSV file in some other layout: a first line of quoted fields, or a header line of at
/// least four plain names (`id,created,released,...`).
fn is_other_csv(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.starts_with(b"\"") && memmem::find(line, b"\",\"").is_some() {
        return true;
    }
    let fields: Vec<&[u8]> = line.split(|&b| b == b',').collect();
    fields.len() >= 4
        && fields.iter().all(|f| {
            !f.is_empty()
                && f.len() <= 64
                && f.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        })
}

/// PlusD/Markdown debris: a short `[x](#)` link or an escaped dollar sign.
pub(crate) fn has_plusd_markers(bytes: &[u8]) -> bool {
    if memmem::find(bytes, b"\\$").is_some() {
        return true;
    }
    memmem::find_iter(bytes, b"](#)").any(|end| {
        let before = &bytes[end.saturating_sub(64)..end];
        match before
            .iter()
            .rposition(|&b| matches!(b, b'[' | b']' | b'\n'))
        {
            Some(i) => before[i] == b'[' && i + 1 < before.len(),
            None => false,
        }
    })
}

/// A tiny forward scanner for the start of a `cables.csv` record.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn digits(&mut self, min: usize, max: usize) -> bool {
        let start = self.pos;
        while self.pos - start < max && self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start >= min && !self.peek().is_some_and(|b| b.is_ascii_digit())
    }

    /// A field, quoted or not, whose content `inner` accepts, then a comma.
    fn field(&mut self, inner: impl FnOnce(&mut Self) -> bool) -> bool {
        let quoted = self.eat(b'"');
        inner(self) && (!quoted || self.eat(b'"')) && self.eat(b',')
    }

    fn csv_date(&mut self) -> bool {
        self.digits(1, 2)
            && self.eat(b'/')
            && self.digits(1, 2)
            && self.eat(b'/')
            && self.digits(4, 4)
            && self.eat(b' ')
            && self.digits(1, 2)
            && self.eat(b':')
            && self.digits(2, 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ContainerKind::*;

    #[test]
    fn text_cables() {
        assert_eq!(
            detect(b"VZCZCXYZ0000\nOO RUEHWEB\n\nDE RUEHXX #0001\n"),
            Text
        );
        assert_eq!(detect(b"P R 281848Z DEC 66\r\nFM AMEMBASSY X\r\n"), Text);
        assert_eq!(detect(b"\xEF\xBB\xBFUNCLAS SECTION 01 OF 02\n"), Text);
        // Latin-1 text is still text.
        assert_eq!(detect(b"SUBJECT: CAF\xC9 \xB61.\n"), Text);
        // Commas with spaces are prose, not a CSV header.
        assert_eq!(detect(b"TAGS PREL, PGOV, SF, XX\n"), Text);
        // Stray HTML inside a text cable does not make it a page.
        assert_eq!(detect(b"1. TEXT<br>\n</td></tr></table>\n"), Text);
    }

    #[test]
    fn plusd_markers() {
        assert_eq!(detect(b"TAGS: [OVIP](#) [PREL](#)\n"), Plusd);
        assert_eq!(detect(b"SUBJECT: X\n\n[1](#)1. (U) Text\n"), Plusd);
        assert_eq!(detect(b"it would cost some \\$2.5 billion\n"), Plusd);
        assert_eq!(detect(b"see (#) and [] (#) and ](#) alone\n"), Text);
        assert_eq!(detect(b"[\n](#)\n"), Text);
    }

    #[test]
    fn cablegate_pages() {
        let page = b"<?xml version='1.0' encoding='utf-8' ?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"x\">\n<html><head>\n<title>Cable Viewer</title>\n";
        assert_eq!(detect(page), CablegateHtml);
        assert_eq!(
            detect(b"<html><body><code><pre>X</pre></code></body></html>"),
            CablegateHtml
        );
        assert_eq!(
            detect(b"<!DOCTYPE html>\n<html><title>News</title></html>"),
            Unknown
        );
    }

    #[test]
    fn whole_file_refinement() {
        let mut page = b"<html><head><title>Mirror</title></head><body>".to_vec();
        page.resize(DETECT_LEN + 100, b' ');
        page.extend_from_slice(b"<code><pre>X</pre></code></body></html>");
        assert_eq!(detect(&page), Unknown);
        assert_eq!(detect_whole(&page), CablegateHtml);

        let mut text = b"UNCLAS\n".to_vec();
        text.resize(DETECT_LEN + 100, b'x');
        text.extend_from_slice(b"\n[2](#)2. Text\n");
        assert_eq!(detect(&text), Text);
        assert_eq!(detect_whole(&text), Plusd);
    }

    #[test]
    fn cables_csv_layouts() {
        assert_eq!(
            detect(b"\"1\",\"12/28/1966 18:06\",\"66BUENOSAIRES2481\",\"Embassy\""),
            CablesCsv
        );
        assert_eq!(
            detect(b"\xEF\xBB\xBF\"250\",\"1/2/2010 9:05\",\"10X1\""),
            CablesCsv
        );
        assert_eq!(detect(b"7,1/2/2010 9:05,10X1,Embassy"), CablesCsv);
        // Another CSV layout.
        assert_eq!(
            detect(b"id,created,released,classification,origin\r\n"),
            Unknown
        );
        assert_eq!(detect(b"\"id\",\"created\"\n"), Unknown);
        // Wrong date layout.
        assert_eq!(detect(b"\"1\",\"1966-12-28 18:06\",\"X\""), Unknown);
    }

    #[test]
    fn not_cables() {
        assert_eq!(detect(b""), Unknown);
        assert_eq!(detect(b" \n\t\r\n"), Unknown);
        assert_eq!(detect(b"\x1F\x8B\x08\x00rest"), Unknown);
        assert_eq!(detect(b"PK\x03\x04rest"), Unknown);
        assert_eq!(detect(b"%PDF-1.4\n"), Unknown);
        assert_eq!(detect(b"ab\x00cd"), Unknown);
        assert_eq!(detect(b"\xFF\xFEU\x00N\x00"), Unknown);
        assert_eq!(detect(b"\x01\x02\x03\x04abc"), Unknown);
        let mut tar = vec![b'a'; 600];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(detect(&tar), Unknown);
        // "BZh" only counts with its block-size digit.
        assert_eq!(detect(b"BZhX is not bzip2\n"), Text);
    }

    #[test]
    fn explanations() {
        assert_eq!(explain(b""), "empty file");
        assert!(explain(b"  \n").contains("whitespace"));
        assert!(explain(b"\x1F\x8B\x08").contains("gzip"));
        assert!(explain(b"a\x00b").contains("binary"));
        assert!(explain(b"<html><body>hi</body></html>").contains("HTML"));
        assert!(explain(b"id,created,released,origin\n").contains("CSV"));
    }

    #[test]
    fn head_is_cut_to_detect_len() {
        let mut text = b"UNCLAS\n".to_vec();
        text.resize(DETECT_LEN, b'x');
        text.extend_from_slice(b"\x00\x00\x00");
        assert_eq!(detect(&text), Text);
    }
}
