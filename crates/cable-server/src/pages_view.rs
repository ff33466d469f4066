//! What the page templates show, computed in Rust so that the templates only print escaped
//! text: highlighted snippets as segments, facet links that refine a query, the bars of an SVG
//! histogram, links with their query strings encoded.

use std::fmt::Write as _;

/// A piece of a snippet: plain text, or a matched word to wrap in `<mark>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seg {
    pub text: String,
    pub mark: bool,
}

/// `snippet` cut at the `highlights` byte ranges. Ranges out of order, overlapping, out of
/// bounds or not on character boundaries are skipped, never trusted.
pub fn highlight(snippet: &str, highlights: &[[usize; 2]]) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut at = 0;
    for &[a, b] in highlights {
        if a < at || a >= b || b > snippet.len() {
            continue;
        }
        let (Some(before), Some(word)) = (snippet.get(at..a), snippet.get(a..b)) else {
            continue;
        };
        if !before.is_empty() {
            out.push(Seg {
                text: before.to_string(),
                mark: false,
            });
        }
        out.push(Seg {
            text: word.to_string(),
            mark: true,
        });
        at = b;
    }
    if at < snippet.len() {
        out.push(Seg {
            text: snippet[at..].to_string(),
            mark: false,
        });
    }
    out
}

/// Bytes a query-string component keeps as they are: RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encode a query-string component (RFC 3986 unreserved characters stay).
pub fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// The result orders of `/search`, by their URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortParam {
    #[default]
    Relevance,
    Date,
    DateDesc,
}

impl SortParam {
    pub fn parse(s: Option<&str>) -> Option<SortParam> {
        match s.map(str::trim) {
            None | Some("") | Some("relevance") => Some(SortParam::Relevance),
            Some("date") => Some(SortParam::Date),
            Some("-date") => Some(SortParam::DateDesc),
            Some(_) => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SortParam::Relevance => "relevance",
            SortParam::Date => "date",
            SortParam::DateDesc => "-date",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortParam::Relevance => "best match",
            SortParam::Date => "oldest first",
            SortParam::DateDesc => "newest first",
        }
    }

    pub const ALL: [SortParam; 3] = [SortParam::Relevance, SortParam::Date, SortParam::DateDesc];
}

/// The permalink of a results page.
pub fn search_href(q: &str, offset: usize, sort: SortParam) -> String {
    let mut href = format!("/search?q={}", enc(q));
    if offset > 0 {
        let _ = write!(href, "&offset={offset}");
    }
    if sort != SortParam::Relevance {
        let _ = write!(href, "&sort={}", enc(sort.name()));
    }
    href
}

/// `field:value`, the value quoted when it holds anything but letters, digits, `-`, `.` and `/`.
pub fn field_term(field: &str, value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '.' | '/'));
    if plain {
        format!("{field}:{value}")
    } else {
        format!("{field}:\"{}\"", value.replace('"', ""))
    }
}

/// `q` narrowed by `term`. A query whose top level is an `OR` is put in parentheses first, since
/// `a OR b tag:X` would read as `a OR (b tag:X)`.
pub fn refine(q: &str, top_level_or: bool, term: &str) -> String {
    let q = q.trim();
    if q.is_empty() {
        term.to_string()
    } else if top_level_or {
        format!("({q}) {term}")
    } else {
        format!("{q} {term}")
    }
}

/// The query field a facet refines by (facet `origin` → `from:`, `year` → `date:`).
pub fn facet_field(facet: &str) -> &'static str {
    match facet {
        "classification" => "class",
        "caveat" => "caveat",
        "tag" => "tag",
        "origin" => "from",
        "year" => "date",
        "precedence" => "precedence",
        _ => "",
    }
}

/// The CSS class of a classification level: `u`, `sbu`, `c`, `s`, `ts`, or `unknown`.
pub fn level_class(classification: Option<&str>) -> &'static str {
    let Some(c) = classification else {
        return "unknown";
    };
    let c = c.to_ascii_uppercase();
    if c.contains("TOP SECRET") || c == "TS" {
        "ts"
    } else if c.contains("SECRET") || c == "S" {
        "s"
    } else if c.contains("CONFIDENTIAL") || c == "C" {
        "c"
    } else if c.contains("SBU")
        || c.contains("SENSITIVE")
        || c.contains("LIMITED OFFICIAL USE")
        || c.contains("FOUO")
        || c.contains("FOR OFFICIAL USE")
    {
        "sbu"
    } else if c.starts_with("UNCLAS") || c == "U" {
        "u"
    } else {
        "unknown"
    }
}

/// The rank of a classification facet value, for listing levels in order.
pub fn level_order(name: &str) -> usize {
    match level_class(Some(name)) {
        "u" => 0,
        "sbu" => 1,
        "c" => 2,
        "s" => 3,
        "ts" => 4,
        _ => 5,
    }
}

/// The rank of a portion marking (`S//NF` → `s`) for its badge colour.
pub fn marking_class(marking: &str) -> &'static str {
    let level = marking.split('/').next().unwrap_or_default().trim();
    match level.to_ascii_uppercase().as_str() {
        "U" => "u",
        "SBU" | "LOU" | "FOUO" => "sbu",
        "C" => "c",
        "S" => "s",
        "TS" => "ts",
        _ => "unknown",
    }
}

/// The day of an RFC 3339 date (`2009-08-04`), or `-`.
pub fn day(date: Option<&str>) -> String {
    match date {
        Some(d) => d.get(..10).unwrap_or(d).to_string(),
        None => "-".to_string(),
    }
}

/// An RFC 3339 UTC date as `2009-08-04 12:34 UTC`; anything else as it is.
pub fn datetime_utc(date: &str) -> String {
    let utc = date.ends_with('Z') || date.ends_with("+00:00");
    match (date.split_once('T'), utc) {
        (Some((d, t)), true) if d.len() == 10 => match t.get(..5) {
            Some(hm) => format!("{d} {hm} UTC"),
            None => date.to_string(),
        },
        _ => date.to_string(),
    }
}

/// A bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub label: String,
    pub count: u64,
    pub href: String,
}

/// An axis label of a chart.
#[derive(Debug, Clone)]
pub struct Tick {
    pub x: f64,
    pub text: String,
}

/// An SVG bar chart, laid out in its viewBox units.
#[derive(Debug, Clone)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    /// The baseline's y.
    pub base: f64,
    pub bars: Vec<Bar>,
    pub ticks: Vec<Tick>,
    /// `years` or `months`.
    pub unit: &'static str,
}

/// Buckets from the first to the last, gaps filled with zero: years (`2009`) or months
/// (`2009-08`).
pub fn fill_gaps(buckets: &[(String, u64)], months: bool) -> Vec<(String, u64)> {
    let key = |s: &str| -> Option<i64> {
        if months {
            let (y, m) = s.split_once('-')?;
            Some(y.parse::<i64>().ok()? * 12 + m.parse::<i64>().ok()? - 1)
        } else {
            s.parse().ok()
        }
    };
    let parsed: Option<Vec<(i64, u64)>> = buckets
        .iter()
        .map(|(k, n)| key(k).map(|k| (k, *n)))
        .collect();
    let Some(mut parsed) = parsed else {
        return buckets.to_vec();
    };
    parsed.sort();
    let (Some(first), Some(last)) = (parsed.first(), parsed.last()) else {
        return Vec::new();
    };
    // A corrupt date far away must not make a chart of ten thousand empty bars.
    if last.0 - first.0 > 600 {
        return buckets.to_vec();
    }
    let (first, last) = (first.0, last.0);
    let mut out = Vec::new();
    let mut it = parsed.iter().peekable();
    for k in first..=last {
        let mut n = 0;
        while let Some((pk, pn)) = it.peek() {
            if *pk == k {
                n += pn;
                it.next();
            } else {
                break;
            }
        }
        let label = if months {
            format!("{:04}-{:02}", k.div_euclid(12), k.rem_euclid(12) + 1)
        } else {
            k.to_string()
        };
        out.push((label, n));
    }
    out
}

/// Lay out `buckets` as bars, each linking to `href(label)`.
pub fn chart(buckets: &[(String, u64)], months: bool, href: impl Fn(&str) -> String) -> Chart {
    let (width, height, top, bottom) = (720.0, 160.0, 8.0, 22.0);
    let base = height - bottom;
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0);
    let n = buckets.len().max(1) as f64;
    let slot = width / n;
    let gap = if slot > 6.0 { slot * 0.15 } else { 0.0 };
    let bars = buckets
        .iter()
        .enumerate()
        .map(|(i, (label, count))| {
            let h = if max == 0 {
                0.0
            } else {
                // A bucket with any cable stays visible.
                ((*count as f64 / max as f64) * (base - top)).max(if *count > 0 {
                    1.5
                } else {
                    0.0
                })
            };
            Bar {
                x: round(i as f64 * slot + gap / 2.0),
                y: round(base - h),
                w: round(slot - gap),
                h: round(h),
                label: label.clone(),
                count: *count,
                href: href(label),
            }
        })
        .collect();
    // About eight labels at most, on bucket starts (January for months).
    let every = (buckets.len() as f64 / 8.0).ceil().max(1.0) as usize;
    let ticks = buckets
        .iter()
        .enumerate()
        .filter(|(i, (label, _))| {
            if months {
                label.ends_with("-01") || *i == 0
            } else {
                i % every == 0
            }
        })
        .map(|(i, (label, _))| Tick {
            x: round(i as f64 * slot + slot / 2.0),
            text: match label.get(..4) {
                Some(year) if months && label.ends_with("-01") => year.to_string(),
                _ => label.clone(),
            },
        })
        .collect();
    Chart {
        width,
        height,
        base,
        bars,
        ticks,
        unit: if months { "months" } else { "years" },
    }
}

fn round(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// A query string split at an error's span, for underlining.
#[derive(Debug, Clone)]
pub struct QueryErrorView {
    pub message: String,
    pub suggestion: Option<String>,
    pub before: String,
    pub at: String,
    pub after: String,
    /// The terminal rendering: the query and a line of carets under the span.
    pub caret: String,
}

impl QueryErrorView {
    pub fn new(q: &str, e: &cable_query::QueryError) -> QueryErrorView {
        let (start, end) = (e.span.start.min(q.len()), e.span.end.min(q.len()));
        let parts = (
            q.get(..start),
            q.get(start..end.max(start)),
            q.get(end.max(start)..),
        );
        let (before, at, after) = match parts {
            (Some(b), Some(a), Some(r)) => (b, a, r),
            _ => (q, "", ""),
        };
        QueryErrorView {
            message: e.message.clone(),
            suggestion: e.suggestion.clone(),
            before: before.to_string(),
            at: at.to_string(),
            after: after.to_string(),
            caret: e.render(q),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_wraps_ranges_and_skips_bad_ones() {
        let s = "the <b>human</b> rights é report";
        let a = s.find("human").unwrap_or_default();
        let e = s.find('é').unwrap_or_default();
        let segs = highlight(s, &[[a, a + 5], [e + 1, e + 2], [2, 4], [a + 10, a + 16]]);
        let marked: Vec<&str> = segs
            .iter()
            .filter(|s| s.mark)
            .map(|s| s.text.as_str())
            .collect();
        assert_eq!(marked, ["human", "rights"]);
        let all: String = segs.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(all, s);
        assert_eq!(highlight("abc", &[[1, 99]]).len(), 1);
    }

    #[test]
    fn refining_quotes_and_groups() {
        assert_eq!(field_term("from", "PARIS"), "from:PARIS");
        assert_eq!(field_term("from", "BUENOS AIRES"), "from:\"BUENOS AIRES\"");
        assert_eq!(refine("", false, "tag:PREL"), "tag:PREL");
        assert_eq!(refine("iran", false, "tag:PREL"), "iran tag:PREL");
        assert_eq!(refine("a OR b", true, "date:2009"), "(a OR b) date:2009");
        assert_eq!(enc("a b&c=\"d\""), "a%20b%26c%3D%22d%22");
        assert_eq!(
            search_href("tag:PREL", 20, SortParam::DateDesc),
            "/search?q=tag%3APREL&offset=20&sort=-date"
        );
    }

    #[test]
    fn gaps_are_filled() {
        let y = fill_gaps(&[("2007".into(), 2), ("2009".into(), 1)], false);
        assert_eq!(
            y,
            [("2007".into(), 2), ("2008".into(), 0), ("2009".into(), 1)]
        );
        let m = fill_gaps(&[("2008-11".into(), 2), ("2009-02".into(), 1)], true);
        let labels: Vec<&str> = m.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2008-11", "2008-12", "2009-01", "2009-02"]);
    }

    #[test]
    fn levels() {
        assert_eq!(level_class(Some("SECRET//NOFORN")), "s");
        assert_eq!(
            level_class(Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY")),
            "sbu"
        );
        assert_eq!(level_class(Some("UNCLASSIFIED")), "u");
        assert_eq!(level_class(Some("TOP SECRET")), "ts");
        assert_eq!(marking_class("S//NF"), "s");
        assert_eq!(datetime_utc("2009-08-04T12:34:00Z"), "2009-08-04 12:34 UTC");
    }
}
