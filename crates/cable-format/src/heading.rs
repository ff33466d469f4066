//! The transmission heading: ACP-127 format lines FL1–FL8 (VZCZC, routing, DE, ZNY, DTG, FM, TO,
//! INFO, XMT), and the date-time group.

use crate::lines::{collapse_ws, Line};
use crate::model::{Addressee, Span, Transmission};
use crate::tables;

/// A date-time group `DDHHMMZ MON YY`, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dtg {
    pub year: i32,
    pub month: i8,
    pub day: i8,
    pub hour: i8,
    pub minute: i8,
}

impl Dtg {
    pub fn rfc3339(&self) -> String {
        crate::lines::rfc3339_minutes(
            i64::from(self.year),
            i64::from(self.month),
            i64::from(self.day),
            i64::from(self.hour),
            i64::from(self.minute),
        )
    }
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

/// Two-digit years: 66–99 → 19YY, 00–65 → 20YY (State cables start in 1966).
pub fn expand_year(yy: i32) -> i32 {
    if yy >= 66 {
        1900 + yy
    } else {
        2000 + yy
    }
}

pub fn month_number(mon: &str) -> Option<i8> {
    if mon.len() < 3 {
        return None;
    }
    let head = &mon.as_bytes()[..3];
    MONTHS
        .iter()
        .position(|m| head.eq_ignore_ascii_case(m.as_bytes()))
        .map(|i| i as i8 + 1)
}

/// Parse `DDHHMMZ MON YY` from the start of `s`.
pub fn parse_dtg(s: &str) -> Option<(Dtg, usize)> {
    let b = s.as_bytes();
    if b.len() < 14 || !b[..6].iter().all(u8::is_ascii_digit) || !b[6].eq_ignore_ascii_case(&b'Z') {
        return None;
    }
    let num = |i: usize| ((b[i] - b'0') as i8) * 10 + (b[i + 1] - b'0') as i8;
    let (day, hour, minute) = (num(0), num(2), num(4));
    let rest = &s[7..];
    let mut words = rest.split_whitespace();
    let mon = words.next()?;
    let yy = words.next()?;
    if mon.len() != 3 {
        return None;
    }
    let month = month_number(mon)?;
    let yy_digits = &yy[..yy.bytes().take_while(u8::is_ascii_digit).count()];
    if yy_digits.len() != 2 && yy_digits.len() != 4 {
        return None;
    }
    let y: i32 = yy_digits.parse().ok()?;
    let year = if yy_digits.len() == 2 {
        expand_year(y)
    } else {
        y
    };
    if hour > 23 || minute > 59 {
        return None;
    }
    jiff::civil::Date::new(year as i16, month, day).ok()?;
    let consumed = s.find(yy).map(|i| i + yy_digits.len()).unwrap_or(s.len());
    Some((
        Dtg {
            year,
            month,
            day,
            hour,
            minute,
        },
        consumed,
    ))
}

/// A precedence prosign line with a DTG: `O 041457Z AUG 09`, `P R 281848Z DEC 66`, `O P 190243Z DEC 89`.
/// Returns the action precedence and the DTG with its span inside the line.
pub fn parse_dtg_line(line: &str) -> Option<(Option<&'static str>, Dtg, Span)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    let mut pos = 0;
    // The first prosign and how many there are (at most three).
    let mut first: Option<char> = None;
    let mut prosigns = 0;
    let b = t.as_bytes();
    while pos + 1 < b.len() && b[pos].is_ascii_uppercase() && b[pos + 1] == b' ' && prosigns < 3 {
        first.get_or_insert(b[pos] as char);
        prosigns += 1;
        pos += 2;
        while pos < b.len() && b[pos] == b' ' {
            pos += 1;
        }
    }
    if prosigns == 0 {
        // Two letters glued: `OO 041457Z`? Rare; accept a prosign pair without space.
        if b.len() > 3
            && tables::precedence(b[0] as char).is_some()
            && tables::precedence(b[1] as char).is_some()
            && b[2] == b' '
        {
            first = Some(b[0] as char);
            pos = 3;
        } else {
            return None;
        }
    }
    let (dtg, len) = parse_dtg(&t[pos..])?;
    let prec = first.and_then(tables::precedence);
    Some((prec, dtg, Span::new(lead + pos, lead + pos + len)))
}

/// Filing time from FL3 `jjjhhmm`, with the year taken from the DTG.
pub fn filing_time(julian: &str, year: i32) -> Option<String> {
    if julian.len() != 7 || !julian.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let day: i16 = julian[..3].parse().ok()?;
    let hour: i8 = julian[3..5].parse().ok()?;
    let minute: i8 = julian[5..7].parse().ok()?;
    if !(1..=366).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let date = jiff::civil::Date::new(year as i16, 1, 1)
        .ok()?
        .checked_add(jiff::Span::new().days(i64::from(day - 1)))
        .ok()?;
    if date.year() as i32 != year {
        return None;
    }
    Some(crate::lines::rfc3339_minutes(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
        i64::from(hour),
        i64::from(minute),
    ))
}

/// What the heading scan found. Offsets are into the normalised text.
#[derive(Debug, Default)]
pub struct Heading {
    pub transmission: Transmission,
    pub transmission_span: Option<Span>,
    pub julian: Option<String>,
    pub precedence: Option<String>,
    pub dtg: Option<Dtg>,
    pub dtg_span: Option<Span>,
    pub dtg_line: Option<usize>,
    pub from: Option<String>,
    pub from_span: Option<Span>,
    pub to: Vec<Addressee>,
    pub to_span: Option<Span>,
    pub info: Vec<Addressee>,
    pub info_span: Option<Span>,
    pub xmt: Vec<String>,
    /// Index of the first line after the heading.
    pub end_line: usize,
}

#[derive(PartialEq, Clone, Copy)]
enum Block {
    None,
    To,
    Info,
    Xmt,
}

/// Scan the transmission heading in `lines[..limit]`.
pub fn scan(lines: &[Line], limit: usize) -> Heading {
    let mut h = Heading::default();
    let mut block = Block::None;
    let mut after_vzczc = false;
    let limit = limit.min(lines.len());
    for (idx, line) in lines[..limit].iter().enumerate() {
        let (off, t) = line.trimmed();
        if t.is_empty() {
            if block != Block::None {
                block = Block::None;
            }
            continue;
        }
        let extend = |span: &mut Option<Span>, s: Span| {
            *span = Some(match span {
                Some(old) => Span::new(old.start.min(s.start), old.end.max(s.end)),
                None => s,
            })
        };
        if let Some(rest) = t.strip_prefix("VZCZC") {
            let id: String = rest.split_whitespace().next().unwrap_or("").to_string();
            let mut vz = String::with_capacity(5 + id.len());
            vz.push_str("VZCZC");
            vz.push_str(&id);
            h.transmission.id = Some(vz);
            extend(&mut h.transmission_span, Span::new(off, off + t.len()));
            after_vzczc = true;
            h.end_line = idx + 1;
            continue;
        }
        if after_vzczc && h.transmission.routing_precedence.is_none() && is_fl2(t) {
            let mut words = t.split_whitespace();
            h.transmission.routing_precedence = words.next().map(str::to_string);
            h.transmission.routing = words.map(str::to_string).collect();
            extend(&mut h.transmission_span, Span::new(off, off + t.len()));
            h.end_line = idx + 1;
            continue;
        }
        if let Some(rest) = t.strip_prefix("DE ") {
            if parse_fl3(rest, &mut h) {
                extend(&mut h.transmission_span, Span::new(off, off + t.len()));
                h.end_line = idx + 1;
                continue;
            }
        }
        if (t.starts_with("ZNY ") || t.starts_with("ZNR ")) && h.transmission.security.is_none() {
            h.transmission.security = Some(collapse_ws(t));
            extend(&mut h.transmission_span, Span::new(off, off + t.len()));
            h.end_line = idx + 1;
            continue;
        }
        if h.dtg.is_none() {
            if let Some((prec, dtg, span)) = parse_dtg_line(t) {
                h.precedence = prec.map(str::to_string);
                h.dtg = Some(dtg);
                h.dtg_span = Some(Span::new(off + span.start, off + span.end));
                h.dtg_line = Some(idx);
                h.end_line = idx + 1;
                block = Block::None;
                continue;
            }
        }
        if let Some(rest) = t.strip_prefix("FM ") {
            if h.from.is_none() {
                let from = collapse_ws(rest);
                if !from.is_empty() {
                    h.from_span = Some(Span::new(off + 3, off + t.len()));
                    h.from = Some(from);
                }
            }
            block = Block::None;
            h.end_line = idx + 1;
            continue;
        }
        if t == "BT" || t == "NNNN" {
            block = Block::None;
            h.end_line = idx + 1;
            continue;
        }
        let (kw, rest) = if let Some(r) = t.strip_prefix("TO ") {
            (Some(Block::To), r)
        } else if t == "TO" {
            (Some(Block::To), "")
        } else if let Some(r) = t.strip_prefix("INFO ") {
            (Some(Block::Info), r)
        } else if let Some(r) = t.strip_prefix("XMT ").or_else(|| t.strip_prefix("XMT/")) {
            (Some(Block::Xmt), r)
        } else {
            (None, t)
        };
        if let Some(b) = kw {
            // A cable repeats its TO block only after a pasted header; keep the first.
            let fresh = match b {
                Block::To => h.to.is_empty(),
                Block::Info => h.info.is_empty(),
                _ => true,
            };
            if !fresh && h.dtg.is_some() {
                // Second heading (e.g. after a distribution block): start again from this one.
                match b {
                    Block::To => {
                        h.to.clear();
                        h.to_span = None;
                    }
                    Block::Info => {
                        h.info.clear();
                        h.info_span = None;
                    }
                    _ => {}
                }
            }
            block = b;
            let rest = strip_page_header(rest);
            if !rest.trim().is_empty() {
                add_addressee(&mut h, block, rest, Span::new(off, off + t.len()));
            } else {
                let s = Span::new(off, off + t.len());
                match block {
                    Block::To => extend(&mut h.to_span, s),
                    Block::Info => extend(&mut h.info_span, s),
                    _ => {}
                }
            }
            h.end_line = idx + 1;
            continue;
        }
        if block != Block::None {
            if is_classification_like(rest) {
                break;
            }
            let rest = strip_page_header(rest);
            if rest.trim().is_empty() {
                continue;
            }
            if let Some(x) = rest
                .strip_prefix("XMT ")
                .or_else(|| rest.strip_prefix("XMT/"))
            {
                h.xmt.push(collapse_ws(x));
                h.end_line = idx + 1;
                continue;
            }
            add_addressee(&mut h, block, rest, Span::new(off, off + t.len()));
            h.end_line = idx + 1;
            continue;
        }
    }
    h
}

fn is_fl2(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let Some(p) = words.next() else { return false };
    p.len() == 2
        && p.bytes().all(|c| b"YZOPRM".contains(&c))
        && words.all(|w| {
            w.starts_with('R') && w.len() >= 4 && w.bytes().all(|c| c.is_ascii_alphanumeric())
        })
}

fn parse_fl3(rest: &str, h: &mut Heading) -> bool {
    let mut words = rest.split_whitespace();
    let Some(ri) = words.next() else { return false };
    if !ri.starts_with('R') || !ri.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    h.transmission.station = Some(ri.to_string());
    if let Some(ssn) = words.next().and_then(|w| w.strip_prefix('#')) {
        let (serial, section) = match ssn.split_once('/') {
            Some((a, b)) => (a, b.parse::<u32>().ok()),
            None => (ssn, None),
        };
        h.transmission.serial = Some(serial.to_string());
        h.transmission.section = section;
        if let Some(j) = words.next() {
            h.julian = Some(j.to_string());
        }
    }
    true
}

/// `PAGE 02 STATE 015113 182333Z` at the start of a TO/INFO continuation: drop it.
fn strip_page_header(s: &str) -> &str {
    let t = s.trim_start();
    if let Some(rest) = t.strip_prefix("PAGE ") {
        let words: Vec<&str> = rest.split_whitespace().collect();
        if let Some(z) = words.iter().position(|w| {
            w.len() == 7 && w.ends_with('Z') && w[..6].bytes().all(|c| c.is_ascii_digit())
        }) {
            let last = words[z];
            if let Some(i) = t.find(last) {
                return &t[i + last.len()..];
            }
        }
        return "";
    }
    s
}

fn is_classification_like(t: &str) -> bool {
    // An addressee line (`RUEHBK/AMEMBASSY BANGKOK`) is never one: skip the matching.
    if t.bytes()
        .take(9)
        .position(|c| c == b'/')
        .is_some_and(|i| i >= 4 && t.starts_with('R'))
    {
        return false;
    }
    crate::texthead::classification_line(t, true).is_some()
        || crate::texthead::classification_line(t, false).is_some()
}

const PRECEDENCE_WORDS: [&str; 6] = [
    "NIACT IMMEDIATE",
    "IMMEDIATE",
    "PRIORITY",
    "PIORITY",
    "ROUTINE",
    "FLASH",
];

/// Parse one addressee line `RUEHBK/AMEMBASSY BANGKOK IMMEDIATE 0022`.
pub fn parse_addressee(s: &str) -> Addressee {
    let full = collapse_ws(s);
    // The name is narrowed as a slice of `full`, which then becomes the name in place.
    let mut s: &str = &full;
    let mut a = Addressee::default();
    // Trailing message sequence number.
    if let Some((head, last)) = s.rsplit_once(' ') {
        if last.len() == 4 && last.bytes().all(|c| c.is_ascii_digit()) {
            a.mcn = Some(last.to_string());
            s = head;
        }
    }
    for w in PRECEDENCE_WORDS {
        if let Some(head) = s.strip_suffix(w) {
            if head.is_empty() || head.ends_with(' ') {
                a.precedence = tables::precedence_word(w)
                    .map(str::to_string)
                    .or(Some(w.to_string()));
                s = head.trim_end();
                break;
            }
        }
    }
    if let Some((ri, name)) = s.split_once('/') {
        let ri = ri.trim();
        if ri.starts_with('R')
            && ri.len() >= 4
            && ri.len() <= 8
            && ri
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            a.ri = Some(ri.to_string());
            a.station = tables::routing_indicator(ri).map(str::to_string);
            s = name.trim();
        }
    }
    let start = s.as_ptr() as usize - full.as_ptr() as usize;
    let end = start + s.len();
    let mut name = full;
    name.truncate(end);
    name.drain(..start);
    a.name = name;
    a
}

fn add_addressee(h: &mut Heading, block: Block, s: &str, line_span: Span) {
    let a = parse_addressee(s);
    if a.name.is_empty() && a.ri.is_none() {
        return;
    }
    let extend = |span: &mut Option<Span>| {
        *span = Some(match span {
            Some(old) => Span::new(old.start.min(line_span.start), old.end.max(line_span.end)),
            None => line_span,
        })
    };
    match block {
        Block::To => {
            h.to.push(a);
            extend(&mut h.to_span);
        }
        Block::Info => {
            h.info.push(a);
            extend(&mut h.info_span);
        }
        Block::Xmt => h.xmt.push(a.name),
        Block::None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtg_lines() {
        let (p, d, _) = parse_dtg_line("O 041457Z AUG 09").unwrap();
        assert_eq!(p, Some("IMMEDIATE"));
        assert_eq!(d.rfc3339(), "2009-08-04T14:57:00Z");
        let (p, d, _) = parse_dtg_line("P R 281848Z DEC 66").unwrap();
        assert_eq!(p, Some("PRIORITY"));
        assert_eq!(d.rfc3339(), "1966-12-28T18:48:00Z");
        assert!(parse_dtg_line("O 321457Z AUG 09").is_none());
        assert!(parse_dtg_line("ON 041457Z AUG 09 WE MET").is_none());
    }

    #[test]
    fn filing() {
        assert_eq!(
            filing_time("2161457", 2009).as_deref(),
            Some("2009-08-04T14:57:00Z")
        );
        assert_eq!(filing_time("3671457", 2009), None);
    }

    #[test]
    fn addressees() {
        let a = parse_addressee("RUEHC/SECSTATE WASHDC PRIORITY 3787");
        assert_eq!(a.ri.as_deref(), Some("RUEHC"));
        assert_eq!(a.name, "SECSTATE WASHDC");
        assert_eq!(a.precedence.as_deref(), Some("PRIORITY"));
        assert_eq!(a.mcn.as_deref(), Some("3787"));
        let a = parse_addressee("ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE IMMEDIATE");
        assert_eq!(a.ri, None);
        assert_eq!(a.name, "ALL DIPLOMATIC AND CONSULAR POSTS COLLECTIVE");
        let a = parse_addressee("SECSTATE WASHDC NIACT IMMEDIATE 1234");
        assert_eq!(a.precedence.as_deref(), Some("NIACT IMMEDIATE"));
    }
}
