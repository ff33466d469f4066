//! The parser proper: normalise, find the three parts of a cable (transmission heading, text
//! heading, body), parse each field, map spans back to the original text, and collect
//! diagnostics. Total: every input yields a `Cable`.

use std::cell::Cell;

use crate::body::{self, Para};
use crate::heading::{self, parse_dtg_line};
use crate::lines::{
    collapse_ws, find_ci, line_col, lines_at, push_int, starts_with_ci, trim, Line,
};
use crate::model::*;
use crate::normalize::{normalize_into, Normalized, Scratch};
use crate::texthead::*;
use crate::{id, refs, tables, tags};

/// How far into a cable the transmission and text headings may reach, in lines.
const HEADING_LINES: usize = 400;

struct Ctx<'a> {
    norm: &'a Normalized,
    diags: Vec<(Severity, &'static str, String, Span)>,
}

impl Ctx<'_> {
    fn orig(&self, s: Span) -> Span {
        self.norm.span_to_original(s)
    }
    fn diag(&mut self, sev: Severity, code: &'static str, msg: impl Into<String>, span: Span) {
        self.diags.push((sev, code, msg.into(), span));
    }
}

#[derive(PartialEq, Clone, Copy, Debug)]
enum Field {
    None,
    Subject,
    Tags,
    Ref,
    ClassifiedBy,
}

#[derive(Default)]
struct TextHeading {
    class: Option<ClassLine>,
    caveats: Vec<String>,
    captions: Vec<String>,
    eo: Option<(ExecutiveOrder, Span)>,
    tags: Vec<(usize, usize)>,
    subject: Vec<(usize, usize)>,
    refs: Vec<(usize, usize)>,
    classified_by: Vec<(usize, usize)>,
    body_start: usize,
}

thread_local! {
    /// The normaliser's buffers, kept for the next cable this thread parses.
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
}

/// Keep the normaliser's buffers for the next cable, unless a huge input made them huge.
fn recycle(norm: Normalized) {
    let scratch = norm.into_scratch();
    if scratch.capacity() <= 4 << 20 {
        SCRATCH.with(|s| s.set(Some(scratch)));
    }
}

/// Parse a decoded cable text, which the returned `Cable` keeps as its `text`.
pub fn parse_text(text: String) -> Cable {
    parse_text_with(text, |_| ()).0
}

/// [`parse_text`], also handing the normalised text (`normalize::normalize(&text).text`) to
/// `on_normalized` while the parser holds it, for a caller that needs it too (an ingest hashes
/// it) and would otherwise normalise the text a second time.
pub fn parse_text_with<R>(text: String, on_normalized: impl FnOnce(&str) -> R) -> (Cable, R) {
    let scratch = SCRATCH.with(Cell::take).unwrap_or_default();
    let norm = normalize_into(&text, scratch);
    let r = on_normalized(&norm.text);
    (parse_normalized(text, norm), r)
}

/// The parse of `text`, whose normalisation is `norm`.
fn parse_normalized(text: String, norm: Normalized) -> Cable {
    let t = norm.text.as_str();
    let lines = lines_at(t, norm.newlines());
    let mut cx = Ctx {
        norm: &norm,
        diags: Vec::new(),
    };
    let mut cable = Cable {
        text,
        ..Cable::default()
    };
    if t.trim().is_empty() {
        cx.diag(
            Severity::Error,
            "empty",
            "the input holds no text",
            Span::new(0, 0),
        );
        finish_diagnostics(&mut cable, cx);
        recycle(norm);
        return cable;
    }

    // 1. Locate the classification line: the first one after the DTG when there is a DTG.
    let scan_to = lines.len().min(HEADING_LINES);
    let first_field = (0..scan_to).find(|&i| {
        let (_, lt) = lines[i].trimmed();
        subject_start(lt).is_some() || tags_start(lt).is_some() || eo_at_start(lt)
    });
    let dtg_limit = first_field.unwrap_or(scan_to.min(80));
    let dtg_idx = (0..dtg_limit).find(|&i| parse_dtg_line(lines[i].text).is_some());
    // The classification line comes before the first paragraph; pasted second headers may put
    // TAGS or SUBJECT lines before it, so search up to the first paragraph marker.
    let para_idx = (0..scan_to)
        .find(|&i| {
            body::paragraph_marker(lines[i].text).is_some_and(|(n, m, _)| n == 1 || m.is_some())
        })
        .unwrap_or(scan_to);
    // A pasted mail or distribution header may push the DTG below its own TAGS or SUBJECT lines.
    let dtg_idx = dtg_idx
        .or_else(|| (dtg_limit..para_idx).find(|&i| parse_dtg_line(lines[i].text).is_some()));
    let class_from = dtg_idx.map(|d| d + 1).unwrap_or(0);
    let class_to = para_idx.max(class_from);
    // The classification line names an origin and serial: the first one after the DTG wins,
    // else the first one before it; a line with the level alone is the last resort.
    let with_serial = |i: usize| {
        classification_line(lines[i].text, true)
            .filter(|c| c.serial.is_some())
            .map(|c| (i, c))
    };
    let class = (class_from..class_to)
        .find_map(with_serial)
        .or_else(|| (0..class_from.min(class_to)).find_map(with_serial))
        .or_else(|| {
            (class_from..dtg_limit.max(class_from))
                .find_map(|i| classification_line(lines[i].text, false).map(|c| (i, c)))
        })
        .map(|(i, mut c)| {
            c.line = i;
            c.span = lines[i].span();
            c
        });
    let class_idx = class.as_ref().map(|c| c.line);
    let heading_limit = class_idx.unwrap_or(dtg_limit);
    let mut h = heading::scan(&lines, heading_limit);

    // 2. Text heading. An unwrapped heading runs on after the serial on the classification
    // line itself: the rest of that line is scanned as the first heading line.
    let mut lines = lines;
    let mut th_start = class_idx.map(|i| i + 1).unwrap_or(h.end_line);
    if let Some(c) = &class {
        let l = lines[c.line];
        if c.rest > 0 && c.rest < l.text.len() && !l.text[c.rest..].trim().is_empty() {
            lines[c.line] = Line {
                start: l.start + c.rest,
                text: &l.text[c.rest..],
            };
            th_start = c.line;
        }
    }
    let mut th = scan_text_heading(&lines, th_start);
    th.class = class;

    // 3. Body.
    let b = body::parse_body(t, &lines, th.body_start.min(lines.len()));

    // --- Transmission heading fields.
    cable.transmission = std::mem::take(&mut h.transmission);
    cable.precedence = h.precedence.take();
    cable.spans.transmission = h.transmission_span.map(|s| cx.orig(s));
    if let (Some(j), Some(d)) = (&h.julian, &h.dtg) {
        cable.transmission.filed = heading::filing_time(j, d.year);
        if let Some(f) = &cable.transmission.filed {
            let dtg_day = &d.rfc3339()[..10];
            if &f[..10] != dtg_day {
                cx.diag(
                    Severity::Info,
                    "filing-time-differs",
                    format!("FL3 filing time {f} is not on the DTG's day {dtg_day}"),
                    h.transmission_span.unwrap_or_default(),
                );
            }
        }
    }
    if let Some(d) = &h.dtg {
        cable.date = Some(d.rfc3339());
        cable.date_source = Some("dtg".into());
        cable.spans.dtg = h.dtg_span.map(|s| cx.orig(s));
    }
    cable.from = h.from.take();
    cable.spans.from = h.from_span.map(|s| cx.orig(s));
    cable.to = std::mem::take(&mut h.to);
    cable.spans.to = h.to_span.map(|s| cx.orig(s));
    cable.info = std::mem::take(&mut h.info);
    cable.spans.info = h.info_span.map(|s| cx.orig(s));
    cable.xmt = std::mem::take(&mut h.xmt);

    // --- Classification.
    let mut caveats: Vec<String> = Vec::new();
    let push_unique = |v: &mut Vec<String>, x: &str| {
        if !v.iter().any(|y| y == x) {
            v.push(x.to_string());
        }
    };
    let mut sbu = false;
    if let Some(c) = &th.class {
        cable.classification = Some(c.level.clone());
        cable.spans.classification = Some(cx.orig(c.span));
        cable.section = c.section.clone();
        for cv in &c.caveats {
            push_unique(&mut caveats, cv);
        }
        sbu |= c.sbu;
    }
    for cv in &th.caveats {
        push_unique(&mut caveats, cv);
    }
    let mut captions = Vec::new();
    for cp in &th.captions {
        push_unique(&mut captions, cp);
    }
    if cable.classification.is_none() {
        // A `CLASSIFICATION: SECRET` field line (some redacted renderings).
        let field_line = lines.iter().take(HEADING_LINES).find_map(|l| {
            let (_, lt) = l.trimmed();
            let v = lt.strip_prefix("CLASSIFICATION:")?;
            let c = classification_line(v, false)?;
            Some((c, l.span()))
        });
        if let Some((c, span)) = field_line {
            cable.classification = Some(c.level.clone());
            cable.spans.classification = Some(cx.orig(span));
            for cv in &c.caveats {
                push_unique(&mut caveats, cv);
            }
            sbu |= c.sbu;
        } else if let Some(level) = level_from_security(cable.transmission.security.as_deref()) {
            cable.classification = Some(level.to_string());
            cx.diag(
                Severity::Warning,
                "no-classification-line",
                format!("no classification line; level {level} taken from the FL4 security line"),
                h.transmission_span.unwrap_or_default(),
            );
        } else {
            cx.diag(
                Severity::Warning,
                "no-classification",
                "no classification line found",
                Span::new(0, 0),
            );
        }
    }
    sbu |= captions.iter().any(|c| {
        c == "SENSITIVE"
            || c == "SBU"
            || c == "SENSITIVE BUT UNCLASSIFIED"
            || c == "FOR OFFICIAL USE ONLY"
    });
    cable.banner = cable
        .classification
        .as_deref()
        .map(|level| banner(level, &caveats, sbu));
    cable.caveats = caveats;
    cable.captions = captions;

    // --- Origin, serial, id. The text heading names the cable (`PARTO 000013`); the
    // transmission heading's FM line and FL3 serial confirm it. When the two disagree the page
    // holds another cable's text under this heading: the id follows the transmission heading,
    // which the DTG belongs to, and a diagnostic says so.
    let class_origin = th.class.as_ref().and_then(|c| c.origin.clone());
    let class_serial = th.class.as_ref().and_then(|c| c.serial.clone());
    let heading_serial = cable.transmission.serial.clone();
    let heading_origin = || {
        cable
            .from
            .as_deref()
            .and_then(|f| id::canonical_origin(strip_post_kind(f)))
            .or_else(|| {
                cable
                    .transmission
                    .station
                    .as_deref()
                    .and_then(tables::routing_indicator)
                    .and_then(|name| id::canonical_origin(strip_post_kind(name)))
            })
    };
    let text_origin = class_origin
        .as_deref()
        .and_then(id::canonical_origin)
        .or_else(|| class_origin.as_ref().map(|o| o.replace(' ', "")));
    let mismatch = match (&class_serial, &heading_serial) {
        // FL3 carries the serial modulo 10,000 (`#3812` for STATE 063812).
        (Some(c), Some(hs)) => serial_mod(c) != serial_mod(hs),
        _ => false,
    };
    let (origin, serial) = if mismatch {
        let ho = heading_origin();
        cx.diag(
            Severity::Warning,
            "heading-text-mismatch",
            format!(
                "the text heading names {} {} but the transmission heading is {} #{}; the id follows the transmission heading",
                class_origin.as_deref().unwrap_or("?"),
                class_serial.as_deref().unwrap_or("?"),
                ho.as_deref().unwrap_or("?"),
                heading_serial.as_deref().unwrap_or("?"),
            ),
            th.class.as_ref().map(|c| c.span).unwrap_or_default(),
        );
        (ho.or(text_origin), heading_serial.clone())
    } else {
        (
            text_origin.or_else(heading_origin),
            class_serial.or(heading_serial),
        )
    };
    cable.origin = origin.clone();

    // --- Date fallback when there is no DTG.
    if cable.date.is_none() {
        if let Some((date, source, span)) = fallback_date(&lines, &th) {
            cable.date = Some(date);
            cable.date_source = Some(source.to_string());
            cx.diag(
                Severity::Warning,
                "no-dtg",
                format!("no date-time group; date estimated from {source}"),
                span,
            );
        } else {
            cx.diag(
                Severity::Warning,
                "no-dtg",
                "no date-time group and no date to estimate from",
                Span::new(0, 0),
            );
        }
    }
    let year = cable
        .date
        .as_deref()
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse::<i32>().ok());
    if let (Some(y), Some(o), Some(s)) = (year, origin.as_deref(), serial.as_deref()) {
        cable.id = id::canonical_id(y, o, s);
        let raw_origin = class_origin
            .as_deref()
            .filter(|_| !mismatch)
            .map(|o| o.replace(' ', ""))
            .unwrap_or_else(|| o.to_string());
        let serial = s.trim_start_matches('0');
        let mut raw_id = String::with_capacity(2 + raw_origin.len() + serial.len());
        push_int(&mut raw_id, i64::from(y % 100), 2);
        raw_id.push_str(&raw_origin);
        raw_id.push_str(serial);
        cable.raw_id = Some(raw_id);
    } else {
        cx.diag(
            Severity::Warning,
            "no-id",
            "cannot derive the cable id: origin, serial or year missing",
            Span::new(0, 0),
        );
    }

    // --- E.O. line.
    if let Some((eo, span)) = th.eo.take() {
        cable.spans.eo = Some(cx.orig(span));
        cable.eo = Some(eo);
    }

    // --- TAGS.
    if let Some(span) = join_span(&th.tags) {
        let joined = join_parts(t, &th.tags);
        cable.tags = tags::parse_tags(&joined);
        cable.spans.tags = Some(cx.orig(span));
    } else {
        cx.diag(Severity::Info, "no-tags", "no TAGS line", Span::new(0, 0));
    }

    // --- SUBJECT.
    if let Some(span) = join_span(&th.subject) {
        let joined = collapse_ws(&join_parts(t, &th.subject));
        let (marking, subject) = match portion_mark_at(&joined) {
            Some((m, len)) => (Some(m.into_owned()), joined[len..].trim().to_string()),
            None => (None, joined),
        };
        cable.subject_marking = marking;
        if !subject.is_empty() {
            cable.subject = Some(subject);
        }
        cable.spans.subject = Some(cx.orig(span));
    } else {
        cx.diag(
            Severity::Info,
            "no-subject",
            "no SUBJECT line",
            Span::new(0, 0),
        );
    }

    // --- REF.
    if let Some(span) = join_span(&th.refs) {
        let joined = collapse_ws(&join_parts(t, &th.refs));
        cable.references = refs::parse_references(&joined, year);
        cable.spans.references = Some(cx.orig(span));
    }

    // --- Classified By: in the heading, or as the first paragraphs (09PARTO13).
    if let Some(span) = join_span(&th.classified_by) {
        cable.classified_by = Some(parse_classified_by(&join_parts(t, &th.classified_by)));
        cable.spans.classified_by = Some(cx.orig(span));
    } else {
        for p in b.paragraphs.iter().take(3) {
            let pt = &t[p.text_span.start..p.text_span.end];
            if let Some(off) = classified_by_start(pt) {
                cable.classified_by = Some(parse_classified_by(&pt[off..]));
                cable.spans.classified_by = Some(cx.orig(p.text_span));
                break;
            }
        }
    }

    // --- Body.
    let keywords = body::body_keywords(&body::upper_body(t, &b.paragraphs));
    if let Some(s) = body::find_summary(t, &b.paragraphs, &keywords) {
        cable.summary = Some(collapse_ws(&t[s.start..s.end]));
        cable.spans.summary = Some(cx.orig(s));
    }
    let comments = body::find_comments(t, &b.paragraphs, &keywords);
    if !comments.is_empty() {
        let text: Vec<String> = comments
            .iter()
            .map(|s| collapse_ws(&t[s.start..s.end]))
            .collect();
        cable.comment = Some(text.join("\n\n"));
        cable.spans.comment = Some(cx.orig(Span::new(
            comments[0].start,
            comments.last().map(|s| s.end).unwrap_or(0),
        )));
    }
    cable.signature = b.signature;
    cable.spans.signature = b.signature_span.map(|s| cx.orig(s));
    fill_body(&mut cable, &cx, t, b.paragraphs);

    finish_diagnostics(&mut cable, cx);
    recycle(norm);
    cable
}

fn fill_body(cable: &mut Cable, cx: &Ctx, t: &str, paras: Vec<Para>) {
    cable.paragraphs.reserve(paras.len());
    for p in paras {
        let text = trim(&t[p.text_span.start..p.text_span.end]).to_string();
        cable.paragraphs.push(Paragraph {
            number: p.number,
            marking: p.marking,
            heading: p.heading,
            text,
            span: cx.orig(p.span),
        });
    }
}

fn finish_diagnostics(cable: &mut Cable, cx: Ctx) {
    let Ctx { norm, diags } = cx;
    for (severity, code, message, span) in diags {
        let span = norm.span_to_original(span);
        let (line, column) = line_col(&cable.text, span.start);
        cable.diagnostics.push(Diagnostic {
            severity,
            code: code.to_string(),
            message,
            line,
            column,
            span,
        });
    }
}

fn serial_mod(s: &str) -> Option<u64> {
    s.parse::<u64>().ok().map(|n| n % 10_000)
}

/// `AMEMBASSY BANGKOK` → `BANGKOK`.
fn strip_post_kind(name: &str) -> &str {
    for p in [
        "AMEMBASSY ",
        "AMCONSUL ",
        "USMISSION ",
        "AMEMB ",
        "USDEL ",
        "USLO ",
        "AMCONGEN ",
    ] {
        if let Some(r) = name.strip_prefix(p) {
            return r;
        }
    }
    if name == "SECSTATE WASHDC" {
        return "STATE";
    }
    name
}

fn level_from_security(sec: Option<&str>) -> Option<&'static str> {
    let sec = sec?;
    if sec.contains("SSSSS") {
        Some("SECRET")
    } else if sec.contains("CCCCC") {
        Some("CONFIDENTIAL")
    } else if sec.contains("UUUUU") || sec.contains("EEEEE") {
        Some("UNCLASSIFIED")
    } else {
        None
    }
}

/// The overall marking as Cablegate wrote it.
pub fn banner(level: &str, caveats: &[String], sbu: bool) -> String {
    match level {
        "UNCLASSIFIED" if sbu => "UNCLASSIFIED//FOR OFFICIAL USE ONLY".to_string(),
        "LIMITED OFFICIAL USE" => "UNCLASSIFIED//FOR OFFICIAL USE ONLY".to_string(),
        "UNCLASSIFIED" => "UNCLASSIFIED".to_string(),
        _ if caveats.iter().any(|c| c == "NOFORN") => format!("{level}//NOFORN"),
        _ => level.to_string(),
    }
}

fn join_span(parts: &[(usize, usize)]) -> Option<Span> {
    let first = parts.first()?;
    let last = parts.last()?;
    Some(Span::new(first.0, last.1))
}

fn join_parts(t: &str, parts: &[(usize, usize)]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|(a, b)| b - a + 1).sum());
    for (a, b) in parts {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&t[*a..*b]);
    }
    s
}

/// A date for cables without a DTG, and how it was obtained.
fn fallback_date(lines: &[Line], th: &TextHeading) -> Option<(String, &'static str, Span)> {
    // A Cablegate date line such as `Friday, 23 February 2001, 15:53` in the heading.
    for l in lines.iter().take(th.body_start.max(1).min(lines.len())) {
        if let Some(d) = weekday_dateline(l.text) {
            return Some((d, "dateline", l.span()));
        }
    }
    // The E.O. declassification date is, by default, ten years after the cable's date.
    if let Some((eo, span)) = &th.eo {
        if let Some(d) = &eo.declassify_on {
            let y: i32 = d[..4].parse().ok()?;
            let date = format!("{:04}{}T00:00:00Z", y - 10, &d[4..]);
            let date = if date.get(5..10) == Some("02-29") {
                format!("{:04}-02-28T00:00:00Z", y - 10)
            } else {
                date
            };
            if (1966..=2010).contains(&(y - 10)) {
                return Some((date, "declassify-on-minus-10-years", *span));
            }
        }
    }
    None
}

fn weekday_dateline(s: &str) -> Option<String> {
    let s = s.trim();
    // `TELEGRAM    June 03, 2003` (a State mail-system print header).
    if let Some(rest) = s.strip_prefix("TELEGRAM") {
        let mut parts = rest.split([' ', ',']).filter(|x| !x.is_empty());
        let month = heading::month_number(parts.next()?)?;
        let day: i8 = parts.next()?.parse().ok()?;
        let year: i16 = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        jiff::civil::Date::new(year, month, day).ok()?;
        return Some(format!("{year:04}-{month:02}-{day:02}T00:00:00Z"));
    }
    let (wd, rest) = s.split_once(", ")?;
    if ![
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .contains(&wd)
    {
        return None;
    }
    let mut parts = rest.split([' ', ',']).filter(|x| !x.is_empty());
    let day: i8 = parts.next()?.parse().ok()?;
    let month = heading::month_number(parts.next()?)?;
    let year: i16 = parts.next()?.parse().ok()?;
    let time = parts.next().unwrap_or("00:00");
    let (hh, mm) = time.split_once(':')?;
    let (hh, mm): (i8, i8) = (hh.parse().ok()?, mm.parse().ok()?);
    jiff::civil::Date::new(year, month, day).ok()?;
    Some(format!("{year:04}-{month:02}-{day:02}T{hh:02}:{mm:02}:00Z"))
}

/// Split a heading line where another heading field starts inside it: unwrapped renderings put
/// `E.O. ... TAGS: ... SUBJECT: ...` on one line. The pieces go to `out`, which is cleared first
/// (the caller reuses one buffer for every line).
fn split_inline_fields<'a>(line: Line<'a>, out: &mut Vec<Line<'a>>) {
    const KEYWORDS: [&str; 11] = [
        "TAGS:",
        "TAGS ",
        "SUBJECT:",
        "SUBJ:",
        "REF:",
        "REFS:",
        "REFTEL:",
        "CLASSIFIED BY:",
        "CLASSIFIED BY ",
        "E.O. 1",
        "EO 1",
    ];
    out.clear();
    let t = line.text;
    let b = t.as_bytes();
    // The start of the piece not yet written, and whether any cut was found.
    let mut prev = 0;
    let mut cut = false;
    // Every cut follows a space (`  `, ` ` before a keyword with a colon, `. `), so only the
    // positions after a space are tried. No keyword overlaps itself and at most one matches at a
    // position, so this finds the same cuts as searching each keyword through the line.
    for sp in memchr::memchr_iter(b' ', b) {
        let at = sp + 1;
        if at >= b.len() || !matches!(b[at].to_ascii_uppercase(), b'T' | b'S' | b'R' | b'C' | b'E')
        {
            continue;
        }
        let rest = &t[at..];
        let Some(kw) = KEYWORDS.iter().find(|kw| starts_with_ci(rest, kw)) else {
            continue;
        };
        let before = &t[..at];
        let ok_before = before.ends_with("  ")
            || before.ends_with(' ') && kw.ends_with(':')
            || before.ends_with(". ");
        // `TAGS ` without a colon only right after an E.O. line's date.
        if ok_before && (*kw != "TAGS " || eo_start(before).is_some()) {
            // Cuts come in increasing order: the piece before this one is complete.
            if at > prev {
                out.push(Line {
                    start: line.start + prev,
                    text: &t[prev..at],
                });
            }
            prev = at;
            cut = true;
        }
    }
    if !cut {
        out.push(line);
    } else if t.len() > prev {
        out.push(Line {
            start: line.start + prev,
            text: &t[prev..],
        });
    }
}

/// Is `t` a line of TAGS codes only (a wrapped TAGS line without a trailing comma)?
fn is_tags_continuation(t: &str) -> bool {
    let words: Vec<&str> = t.split([' ', ',', ';']).filter(|w| !w.is_empty()).collect();
    !words.is_empty()
        && words.len() <= 12
        && words.iter().all(|w| {
            w.len() >= 2 && w.len() <= 6 && w.bytes().all(|c| c.is_ascii_uppercase())
                || crate::tables::tag(w).is_some()
        })
}

/// Does a heading keyword (SUBJECT, TAGS, E.O.) come within the next few lines, before any
/// paragraph marker? Then an unrecognised line is still part of the heading.
fn heading_keyword_ahead(lines: &[Line], from: usize) -> bool {
    let mut seen = 0;
    for l in lines.iter().skip(from) {
        let (_, t) = l.trimmed();
        if t.is_empty() {
            continue;
        }
        if body::paragraph_marker(l.text).is_some() {
            return false;
        }
        if subject_start(t).is_some() || tags_start(t).is_some() || eo_at_start(t) {
            return true;
        }
        seen += 1;
        if seen >= 60 {
            return false;
        }
    }
    false
}

/// Walk the text heading from `start`: captions, E.O., TAGS, SUBJECT, REF, Classified By, until
/// the body begins.
fn scan_text_heading(lines: &[Line], start: usize) -> TextHeading {
    let mut th = TextHeading::default();
    let mut field = Field::None;
    let mut seen_main = false; // E.O., TAGS or SUBJECT seen
    let limit = lines.len().min(start + HEADING_LINES);
    th.body_start = limit.min(lines.len());
    // The pieces of the current line, one buffer for all lines.
    let mut pieces: Vec<Line> = Vec::new();
    for i in start..limit {
        let line = lines[i];
        if line.is_blank() {
            match field {
                Field::Subject if !th.subject.is_empty() => field = Field::None,
                Field::Tags | Field::ClassifiedBy => field = Field::None,
                Field::Ref => {
                    // A REF list may continue after a blank line with its next letter.
                    let next = (i + 1..limit).find(|&j| !lines[j].is_blank());
                    if !next.is_some_and(|j| is_ref_continuation(lines[j].trimmed().1)) {
                        field = Field::None;
                    }
                }
                _ => {}
            }
            continue;
        }
        // Body starts at a paragraph marker (unless it is a REF letter list item).
        if let Some((n, marking, _)) = body::paragraph_marker(line.text) {
            let (_, t) = line.trimmed();
            let in_ref = field == Field::Ref && is_ref_continuation(t);
            if !in_ref && (n == 1 || marking.is_some()) && classified_by_start(t).is_none() {
                th.body_start = i;
                return th;
            }
        }
        split_inline_fields(line, &mut pieces);
        for &piece in &pieces {
            if !scan_piece(&mut th, &mut field, &mut seen_main, piece, lines, i, start) {
                th.body_start = i;
                return th;
            }
        }
    }
    th
}

/// Take one (piece of a) heading line. Returns false when the body begins here.
fn scan_piece(
    th: &mut TextHeading,
    field: &mut Field,
    seen_main: &mut bool,
    line: Line,
    lines: &[Line],
    i: usize,
    start: usize,
) -> bool {
    let (off, t) = line.trimmed();
    if t.is_empty() {
        return true;
    }
    if let Some((eo_at, content)) = eo_start(t) {
        if th.eo.is_none() && (eo_at == 0 || !*seen_main) {
            let eo = parse_eo(&t[content..]);
            th.eo = Some((eo, Span::new(off + eo_at, off + t.len())));
            *seen_main = true;
            *field = Field::None;
            return true;
        }
    }
    // A misspelt TAGS keyword without a colon (`TGS`, `TABS`) inside a wrapped SUBJECT is a word
    // of the subject, not a TAGS line.
    let tags = tags_start(t)
        .filter(|&c| *field != Field::Subject || starts_with_ci(t, "TAGS") || t[..c].contains(':'));
    if let Some(c) = tags {
        *field = Field::Tags;
        *seen_main = true;
        if c < t.len() {
            th.tags.push((off + c, off + t.len()));
        }
        return true;
    }
    if let Some(c) = subject_start(t) {
        if th.subject.is_empty() {
            *field = Field::Subject;
            *seen_main = true;
            push_subject_part(th, field, off, t, c);
            return true;
        }
    }
    if let Some(c) = ref_start(t) {
        if th.refs.is_empty() || *field == Field::Ref {
            *field = Field::Ref;
            if c < t.len() {
                th.refs.push((off + c, off + t.len()));
            }
            return true;
        }
    }
    if let Some(c) = classified_by_start(t) {
        *field = Field::ClassifiedBy;
        th.classified_by.push((off + c, off + t.len()));
        return true;
    }
    match *field {
        Field::Subject => {
            if !ends_subject(t) {
                push_subject_part(th, field, off, t, 0);
                return true;
            }
            *field = Field::None;
        }
        Field::Tags => {
            let prev_comma = i > 0 && lines[i - 1].text.trim_end().ends_with(',');
            if prev_comma
                || starts_with_code_comma(t)
                || (th.subject.is_empty() && is_tags_continuation(t))
            {
                th.tags.push((off, off + t.len()));
                return true;
            }
            *field = Field::None;
        }
        Field::Ref => {
            th.refs.push((off, off + t.len()));
            return true;
        }
        Field::ClassifiedBy => {
            th.classified_by.push((off, off + t.len()));
            return true;
        }
        Field::None => {}
    }
    if let Some((cav, cap)) = caption_line(t) {
        for c in cav {
            if !th.caveats.contains(&c) {
                th.caveats.push(c);
            }
        }
        for c in cap {
            if !th.captions.contains(&c) {
                th.captions.push(c);
            }
        }
        return true;
    }
    if classification_line(t, true).is_some() && !*seen_main {
        // A repeated classification line (corrected copies, pasted headers).
        return true;
    }
    if (!*seen_main && i < start + 12) || heading_keyword_ahead(lines, i + 1) {
        // "FOR" routing lines and other heading lines before the E.O. line.
        return true;
    }
    false
}

/// Add a subject line's content, splitting off run-ons into REF or Classified By.
fn push_subject_part(th: &mut TextHeading, field: &mut Field, off: usize, t: &str, c: usize) {
    let content = &t[c..];
    let mut cut = content.len();
    let mut next: Option<(Field, usize)> = None;
    const REF_KEYWORDS: [&str; 4] = ["REF:", "REFS:", "Ref:", "REFTEL:"];
    // The first occurrence of each keyword, all found in one pass over the `R`s: at most one
    // keyword matches at a position.
    let mut first: [Option<usize>; 4] = [None; 4];
    for p in memchr::memchr_iter(b'R', content.as_bytes()) {
        let rest = &content[p..];
        if let Some(k) = REF_KEYWORDS.iter().position(|kw| rest.starts_with(kw)) {
            if first[k].is_none() {
                first[k] = Some(p);
                if first.iter().all(Option::is_some) {
                    break;
                }
            }
        }
    }
    for (kw, found) in REF_KEYWORDS.iter().zip(first) {
        if let Some(p) = found {
            if p > 0 && p < cut {
                cut = p;
                next = Some((Field::Ref, p + kw.len()));
            }
        }
    }
    if let Some(p) = find_ci(content, "CLASSIFIED BY") {
        if p > 0 && p < cut {
            cut = p;
            next = Some((Field::ClassifiedBy, p + "CLASSIFIED BY".len()));
        }
    }
    if cut > 0 {
        let part = content[..cut].trim_end();
        if !part.is_empty() {
            th.subject.push((off + c, off + c + part.len()));
        }
    }
    if let Some((f, at)) = next {
        let rest_off = c + at;
        let rest = t[rest_off..].trim_start_matches([':', ' ']);
        let rest_start = t.len() - rest.len();
        match f {
            Field::Ref => th.refs.push((off + rest_start, off + t.len())),
            _ => th.classified_by.push((off + rest_start, off + t.len())),
        }
        *field = f;
    }
}

/// Lines that end a SUBJECT: summaries, dividers, action requests, classification lines.
fn ends_subject(t: &str) -> bool {
    // ASCII prefixes compared without case: no upper-case copy of the line.
    starts_with_ci(t, "SUMMARY")
        || starts_with_ci(t, "BEGIN SUMMARY")
        || t.starts_with("----")
        || starts_with_ci(t, "THIS IS AN ACTION REQUEST")
        || starts_with_ci(t, "SENSITIVE BUT UNCLASSIFIED")
        || starts_with_ci(t, "(U) SUMMARY")
        || classification_line(t, false).is_some()
        || eo_at_start(t)
}

/// `XXXX,` at the start of a line: a TAGS continuation.
fn starts_with_code_comma(t: &str) -> bool {
    let first = t.split_whitespace().next().unwrap_or("");
    first.ends_with(',')
        && first.len() >= 3
        && first.len() <= 6
        && first[..first.len() - 1]
            .bytes()
            .all(|c| c.is_ascii_uppercase())
}

/// A line that continues a REF list: starts with a reference letter or number marker.
fn is_ref_continuation(t: &str) -> bool {
    let b = t.as_bytes();
    let letter_dot = b.len() >= 2
        && b[0].is_ascii_uppercase()
        && matches!(b[1], b'.' | b')')
        && (b.len() == 2 || b[2] == b' ');
    let paren = b.len() >= 3
        && matches!(b[0], b'(' | b'[')
        && b[1].is_ascii_uppercase()
        && matches!(b[2], b')' | b']');
    letter_dot || paren
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_tags_keyword_inside_a_wrapped_subject_stays_in_the_subject() {
        let text = "C O N F I D E N T I A L STATE 000123\n\nE.O. 12958: DECL: 01/01/2019\n\
                    TAGS: PREL\nSUBJECT: TALKS ON\nTGS AND OTHER MATTERS\n\n1. (C) Text.\n";
        let c = parse_text(text.to_string());
        assert_eq!(c.subject.as_deref(), Some("TALKS ON TGS AND OTHER MATTERS"));
        let codes: Vec<&str> = c.tags.iter().map(|t| t.code.as_str()).collect();
        assert_eq!(codes, ["PREL"]);
    }
}
