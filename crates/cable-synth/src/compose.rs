//! Writing one cable: the transmission heading (VZCZC, DTG-only or partial-extract style), the
//! text heading (classification line, captions, E.O., TAGS, SUBJECT, REF, Classified By), the
//! numbered paragraphs with their portion marks, summary, comment, section page breaks and the
//! signature, and the truth the text was written from.

use cable_format::tables;
use rand::RngExt;

use crate::data::{self, Origin, ORIGINS, VOCABULARY};
use crate::plan::{Identity, Plan, Wanted};
use crate::rng::{below, cable_rng, chance, quantile, stream, weighted, CableRng};
use crate::stats::{self, Banner};
use crate::text::{balance_last_line, sentence_length, wrap_units, Wrapper};
use crate::time::{is_leap, Minute, MONTHS};
use crate::{HeadingKind, SynthCable};

/// The first line of a partial extract, as the Cablegate site wrote it.
pub const PARTIAL_EXTRACT: &str = "This record is a partial extract of the original cable. The \
                                   full text of the original cable is not available.";

/// How far back a cable looks for the earlier cables it cites.
const CITE_WINDOW: usize = 400;

/// The layout choices of one cable that are not truth but make cables differ from each other.
struct Style {
    width: usize,
    /// Old cables: everything in capitals.
    caps: bool,
    /// Blank lines between the text heading's caption lines.
    spacious: bool,
    /// Paragraphs from this number on are written on one line each.
    unwrapped_from: Option<usize>,
    trailing_space: bool,
}

/// A reference as the REF list writes it.
enum Ref {
    Cable {
        id: String,
        written: String,
        index: Option<usize>,
    },
    Other(String),
}

pub fn compose(plan: &Plan, index: usize) -> SynthCable {
    let me = plan.identity(index);
    let origin = &ORIGINS[me.origin];
    let mut rng = cable_rng(plan.seed, index as u64, stream::TEXT);
    let old = me.year < stats::MODERN_FROM;
    let banner = weighted(&mut rng, stats::BANNERS);

    // The heading kind: old cables and posts without a routing indicator have no VZCZC
    // heading; a partial extract needs a declassification date to be dated by (and a day that
    // exists ten years on).
    let kinds = [
        (HeadingKind::Vzczc, stats::HEADING_VZCZC),
        (HeadingKind::PartialExtract, stats::HEADING_PARTIAL),
        (HeadingKind::DtgOnly, stats::HEADING_DTG_ONLY),
    ];
    let (_, month, day, _, _) = me.time.parts();
    let mut kind = weighted(&mut rng, &kinds);
    if old || origin.ri.is_none() {
        kind = HeadingKind::DtgOnly;
    } else if kind == HeadingKind::PartialExtract
        && (!banner.is_classified() || (month, day) == (2, 29))
    {
        kind = HeadingKind::Vzczc;
    }

    let style = Style {
        width: rng.random_range(stats::WRAP_MIN..=stats::WRAP_MAX),
        caps: old,
        spacious: chance(&mut rng, 0.7),
        // Older cables are hard-wrapped throughout.
        unwrapped_from: (chance(&mut rng, stats::UNWRAPPED_SHARE) && !old)
            .then(|| rng.random_range(1..6)),
        trailing_space: chance(&mut rng, stats::TRAILING_SPACE_SHARE),
    };
    let target = quantile(stats::SIZE_QUANTILES, rng.random::<f64>()) as usize;

    let mut cable = SynthCable {
        index,
        id: me.id(),
        text: String::new(),
        header_len: 0,
        heading: kind,
        date: match kind {
            HeadingKind::PartialExtract => me.time.midnight().rfc3339(),
            _ => me.time.rfc3339(),
        },
        date_source: match kind {
            HeadingKind::PartialExtract => "declassify-on-minus-10-years",
            _ => "dtg",
        },
        created: me.time,
        classification: banner.level().to_string(),
        banner: banner.as_str().to_string(),
        caveats: Vec::new(),
        captions: Vec::new(),
        origin: origin.station.to_string(),
        origin_name: origin.metadata.to_string(),
        precedence: None,
        from: None,
        to: Vec::new(),
        info: Vec::new(),
        section_of: None,
        declassify_on: None,
        tags: Vec::new(),
        subject: String::new(),
        subject_marking: None,
        references: Vec::new(),
        cited: Vec::new(),
        other_references: Vec::new(),
        classified_by: None,
        reasons: Vec::new(),
        paragraphs: Vec::new(),
        headings: Vec::new(),
        has_summary: false,
        has_comment: false,
        signature: Vec::new(),
    };

    // --- Transmission heading.
    let mut header = String::new();
    let prosign = weighted(&mut rng, stats::PRECEDENCES);
    match kind {
        HeadingKind::PartialExtract => header.push_str(PARTIAL_EXTRACT),
        HeadingKind::Vzczc | HeadingKind::DtgOnly => {
            cable.precedence = tables::precedence(prosign).map(str::to_string);
            transmission_heading(
                &mut header,
                &mut cable,
                &me,
                origin,
                banner,
                kind,
                prosign,
                &mut rng,
            );
        }
    }

    // --- Text heading (the classification line is written last: it needs the section count).
    let mut th = String::new();
    text_heading(
        &mut th, &mut cable, plan, &me, origin, banner, &style, &mut rng,
    );

    // --- Body.
    let budget = target.saturating_sub(header.len() + th.len() + 80).max(200);
    let mut paragraphs = body(&mut cable, origin, banner, &style, budget, &mut rng);
    let signature = signature_lines(&me, &mut rng);
    cable.signature = signature.clone();

    // --- Sections: one per SECTION_BYTES of text; long cables say so on the classification
    // line and keep page-break lines between sections.
    let size = header.len() + th.len() + paragraphs.iter().map(String::len).sum::<usize>();
    let sections = (size.saturating_sub(1000).div_ceil(stats::SECTION_BYTES) as u32).max(1);
    let section_line = sections > 1 && chance(&mut rng, stats::SECTION_LINE_SHARE);
    if section_line {
        cable.section_of = Some(sections);
        page_breaks(&mut paragraphs, origin, me.serial, sections, &mut rng);
    }
    if kind == HeadingKind::Vzczc {
        fill_fl3_section(&mut header, section_line, &mut rng);
    }

    // --- Assemble: header, blank line, classification line, text heading, body, signature,
    // in one copy (with the trailing spaces of the cables that have them).
    let mut class_line = String::new();
    classification_line(
        &mut class_line,
        banner,
        origin,
        me.serial,
        section_line,
        old,
        &mut cable,
        &mut rng,
    );
    let mut text = String::with_capacity(size + size / 16 + 200);
    let t = style.trailing_space;
    push_lines(&mut text, &header, t);
    cable.header_len = text.len();
    text.push_str("\n\n");
    push_lines(&mut text, &class_line, t);
    push_lines(&mut text, "\n", t);
    push_lines(&mut text, &th, t);
    for (k, p) in paragraphs.iter().enumerate() {
        if k > 0 {
            push_lines(&mut text, "\n\n", t);
        }
        push_lines(&mut text, p, t);
    }
    for (k, line) in signature.iter().enumerate() {
        // A blank line before the signature, then one surname a line.
        push_lines(&mut text, if k == 0 { "\n\n" } else { "\n" }, t);
        text.push_str(line);
    }
    text.push('\n');
    cable.text = text;
    cable
}

/// Appends `s`, with a space before each line break when `trailing` (Cablegate's rendering left
/// one at the end of most lines of about half the cables).
fn push_lines(out: &mut String, s: &str, trailing: bool) {
    if !trailing {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for nl in memchr::memchr_iter(b'\n', s.as_bytes()) {
        out.push_str(&s[start..nl]);
        out.push_str(" \n");
        start = nl + 1;
    }
    out.push_str(&s[start..]);
}

// ---------------------------------------------------------------------------------------------
// Transmission heading

/// A four-digit number as headings write serials and sequence numbers.
fn four(rng: &mut CableRng) -> String {
    let n = below(rng, 10_000);
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    digits.iter().map(|d| char::from(b'0' + *d as u8)).collect()
}

#[allow(clippy::too_many_arguments)]
fn transmission_heading(
    out: &mut String,
    cable: &mut SynthCable,
    me: &Identity,
    origin: &Origin,
    banner: Banner,
    kind: HeadingKind,
    prosign: char,
    rng: &mut CableRng,
) {
    let (y, m, d, hh, mm) = me.time.parts();
    let dtg = format!(
        "{d:02}{hh:02}{mm:02}Z {} {:02}",
        MONTHS[m as usize - 1],
        y.rem_euclid(100)
    );
    let with_ri = kind == HeadingKind::Vzczc;
    if with_ri {
        let ri = origin.ri.unwrap_or("RUEHC");
        let xro = !origin.relay.is_empty()
            && weighted(
                rng,
                &[(true, stats::CHANNEL_XRO), (false, stats::CHANNEL_XYZ)],
            );
        if xro {
            out.push_str(&format!("VZCZCXRO{}\n", four(rng)));
            out.push_str(&format!("{prosign}{prosign} {}\n", origin.relay.join(" ")));
        } else {
            let seq = if chance(rng, stats::XYZ_ZERO_SHARE) {
                "0000".to_string()
            } else {
                four(rng)
            };
            out.push_str(&format!("VZCZCXYZ{seq}\n{prosign}{prosign} RUEHWEB\n"));
            // The site's rendering left a blank line after the routing line of most of these.
            if chance(rng, 0.9) {
                out.push('\n');
            }
        }
        // The filing time: the DTG itself, or a few minutes before it on the same day.
        let filed = if chance(rng, stats::FILED_AT_DTG_SHARE) {
            me.time
        } else {
            Minute((me.time.0 - rng.random_range(1..26)).max(me.time.midnight().0))
        };
        let (_, _, _, fh, fm) = filed.parts();
        // `{SECTION}` is filled in once the section count is known.
        out.push_str(&format!(
            "DE {ri} #{:04}{{SECTION}} {:03}{fh:02}{fm:02}\n",
            me.serial % 10_000,
            filed.day_of_year()
        ));
        let security = match banner.level() {
            "SECRET" => "ZNY SSSSS ZZH",
            "CONFIDENTIAL" => "ZNY CCCCC ZZH",
            _ => "ZNR UUUUU ZZH",
        };
        out.push_str(security);
        out.push('\n');
        out.push_str(&format!("{prosign} {dtg}\n"));
    } else {
        // Old cables often give action and info precedence (`P R 281848Z DEC 66`).
        let info_prosign = if me.year < stats::MODERN_FROM && chance(rng, 0.3) {
            " R"
        } else {
            ""
        };
        out.push_str(&format!("{prosign}{info_prosign} {dtg}\n"));
    }
    cable.from = Some(origin.from.to_string());
    out.push_str(&format!("FM {}\n", origin.from));

    let word = match prosign {
        'O' => Some("IMMEDIATE"),
        'P' => Some("PRIORITY"),
        _ => None,
    };
    let to = to_addressees(me, origin, rng);
    let info = info_addressees(me, origin, &to, rng);
    for (k, (ri, name)) in to.iter().enumerate() {
        out.push_str(if k == 0 { "TO " } else { "" });
        push_addressee(
            out,
            with_ri.then_some(*ri),
            name,
            word,
            chance(rng, stats::TO_MCN_SHARE),
            rng,
        );
        cable.to.push(name.to_string());
    }
    for (k, (ri, name)) in info.iter().enumerate() {
        out.push_str(if k == 0 { "INFO " } else { "" });
        let word = if chance(rng, stats::INFO_PRECEDENCE_SHARE) {
            word
        } else {
            None
        };
        let mcn = chance(rng, stats::INFO_MCN_SHARE);
        push_addressee(out, with_ri.then_some(*ri), name, word, mcn, rng);
        cable.info.push(name.to_string());
    }
    // No newline after the last line: the header ends there.
    while out.ends_with('\n') {
        out.pop();
    }
}

fn push_addressee(
    out: &mut String,
    ri: Option<&str>,
    name: &str,
    word: Option<&str>,
    mcn: bool,
    rng: &mut CableRng,
) {
    if let Some(ri) = ri {
        out.push_str(ri);
        out.push('/');
    }
    out.push_str(name);
    if let Some(w) = word {
        out.push(' ');
        out.push_str(w);
    }
    if mcn {
        out.push(' ');
        out.push_str(&four(rng));
    }
    out.push('\n');
}

/// Action addressees: the Department for a post's cables, posts for the Department's.
fn to_addressees(
    me: &Identity,
    origin: &Origin,
    rng: &mut CableRng,
) -> Vec<(&'static str, &'static str)> {
    let n = weighted(rng, stats::TO_COUNTS);
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    if me.origin == *data::STATE {
        while out.len() < n {
            let o = &ORIGINS[random_post(rng)];
            if let Some(ri) = o.ri {
                if o.station != "STATE" && !out.iter().any(|(_, name)| *name == o.from) {
                    out.push((ri, o.from));
                }
            }
        }
    } else {
        out.push(("RUEHC", "SECSTATE WASHDC"));
        let mut k = 0;
        // Old cables went to the Department alone (the Washington agencies and commands of the
        // addressee lists below are those of the 2000s).
        let n = if me.year < stats::MODERN_FROM { 1 } else { n };
        while out.len() < n && k < 50 {
            let (ri, name) = data::WASHINGTON_INFO[below(rng, data::WASHINGTON_INFO.len())];
            if !out.iter().any(|(_, x)| *x == name) && Some(ri) != origin.ri {
                out.push((ri, name));
            }
            k += 1;
        }
    }
    out
}

/// Information addressees: the post's own usual ones first (measured), then Washington and
/// other posts.
fn info_addressees(
    me: &Identity,
    origin: &Origin,
    to: &[(&'static str, &'static str)],
    rng: &mut CableRng,
) -> Vec<(&'static str, &'static str)> {
    let n = weighted(rng, stats::INFO_COUNTS);
    let old = me.year < stats::MODERN_FROM;
    // Old cables: a few other posts only.
    let n = if old { n.min(4) } else { n };
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    let taken = |out: &[(&str, &str)], ri: &str, name: &str| {
        Some(ri) == origin.ri || out.iter().chain(to).any(|(_, x)| *x == name)
    };
    for &(ri, name) in origin.info.iter().filter(|_| !old) {
        if out.len() >= n {
            break;
        }
        if chance(rng, 0.75) && !taken(&out, ri, name) {
            out.push((ri, name));
        }
    }
    let mut tries = 0;
    while out.len() < n && tries < 200 {
        tries += 1;
        let (ri, name) = if !old && chance(rng, 0.4) {
            data::WASHINGTON_INFO[below(rng, data::WASHINGTON_INFO.len())]
        } else {
            let o = &ORIGINS[random_post(rng)];
            match o.ri {
                Some(ri) if o.station != "STATE" => (ri, o.from),
                _ => continue,
            }
        };
        let to_itself = me.origin == *data::STATE && name == "SECSTATE WASHDC";
        if !taken(&out, ri, name) && !to_itself {
            out.push((ri, name));
        }
    }
    out
}

/// An origin index drawn by weight.
fn random_post(rng: &mut CableRng) -> usize {
    let mut t = rng.random_range(0..*data::ORIGIN_WEIGHT);
    for (i, o) in ORIGINS.iter().enumerate() {
        if t < o.weight {
            return i;
        }
        t -= o.weight;
    }
    0
}

/// FL3's section (`#1187/01`): always on multi-section cables, on most others.
fn fill_fl3_section(header: &mut String, section_line: bool, rng: &mut CableRng) {
    let section = if section_line || chance(rng, stats::FL3_SECTION_SINGLE_SHARE) {
        "/01"
    } else {
        ""
    };
    *header = header.replacen("{SECTION}", section, 1);
}

// ---------------------------------------------------------------------------------------------
// Text heading

#[allow(clippy::too_many_arguments)]
fn classification_line(
    out: &mut String,
    banner: Banner,
    origin: &Origin,
    serial: u64,
    section_line: bool,
    old: bool,
    cable: &mut SynthCable,
    rng: &mut CableRng,
) {
    let spaced = !old || chance(rng, 0.5);
    let level = match banner.level() {
        "SECRET" if spaced => "S E C R E T",
        "CONFIDENTIAL" if spaced => "C O N F I D E N T I A L",
        "UNCLASSIFIED" if !chance(rng, 0.2) => "UNCLAS",
        other => other,
    };
    out.push_str(level);
    if banner.is_noforn() && cable.caveats.is_empty() {
        // NOFORN on the classification line rather than as a caption line.
        out.push_str("//NOFORN");
        cable.caveats.push("NOFORN".to_string());
    }
    if let Some(of) = cable.section_of.filter(|_| section_line) {
        out.push_str(&format!(" SECTION 01 OF {of:02}"));
    }
    let digits = if old { 4 + below(rng, 2) } else { 6 };
    out.push_str(&format!(" {} {:0digits$}", origin.class_line, serial));
}

#[allow(clippy::too_many_arguments)]
fn text_heading(
    out: &mut String,
    cable: &mut SynthCable,
    plan: &Plan,
    me: &Identity,
    origin: &Origin,
    banner: Banner,
    style: &Style,
    rng: &mut CableRng,
) {
    let old = style.caps;
    let gap = |out: &mut String| {
        if style.spacious {
            out.push('\n');
        }
    };
    gap(out);
    // Captions and caveats.
    if !old && chance(rng, stats::CORRECTED_COPY_SHARE) {
        out.push_str("C O R R E C T E D COPY CAPTION\n");
        cable.captions.push("CORRECTED COPY".into());
        gap(out);
    }
    if !old && chance(rng, stats::SIPDIS_SHARE) {
        out.push_str("SIPDIS\n");
        cable.captions.push("SIPDIS".into());
        gap(out);
    }
    let sensitive = banner == Banner::UnclassifiedFouo
        || (banner.is_classified() && !old && chance(rng, stats::SENSITIVE_CLASSIFIED_SHARE));
    if sensitive {
        if banner == Banner::UnclassifiedFouo && chance(rng, 0.1) {
            out.push_str("SENSITIVE BUT UNCLASSIFIED\n");
            cable.captions.push("SENSITIVE BUT UNCLASSIFIED".into());
        } else {
            out.push_str("SENSITIVE\n");
            cable.captions.push("SENSITIVE".into());
        }
        gap(out);
    }
    // NOFORN as a caption line on most NOFORN cables (else on the classification line).
    if banner.is_noforn() && chance(rng, 0.9) {
        out.push_str("NOFORN\n");
        cable.caveats.push("NOFORN".into());
        gap(out);
    }
    if !old && chance(rng, 0.3) {
        let who = if me.origin == *data::STATE {
            "USDOC"
        } else {
            "DEPT"
        };
        let a = data::OFFICES[below(rng, data::OFFICES.len())];
        let b = data::OFFICES[below(rng, data::OFFICES.len())];
        if a == b || chance(rng, 0.4) {
            out.push_str(&format!("{who} FOR {a}\n"));
        } else {
            out.push_str(&format!("{who} FOR {a} AND {b}\n"));
        }
        if chance(rng, 0.3) {
            let s = data::SURNAMES[below(rng, data::SURNAMES.len())];
            out.push_str(&format!("NSC FOR {s}\n"));
        }
        gap(out);
    }

    // E.O. line: E.O. 12958 (1995-2009) with a declassification date, N/A when unclassified;
    // the orders before it in older cables.
    let (y, m, d, _, _) = me.time.parts();
    if !banner.is_classified() {
        if me.year >= 1972 {
            let order = if me.year >= 1996 { "12958" } else { "11652" };
            out.push_str(&format!("E.O. {order}: N/A\n"));
        }
    } else if me.year >= 1996 {
        let years = if cable.heading == HeadingKind::PartialExtract {
            10
        } else {
            weighted(rng, stats::DECL_YEARS)
        };
        let dy = y + i32::from(years);
        let dd = if m == 2 && d == 29 && !is_leap(dy) {
            28
        } else {
            d
        };
        cable.declassify_on = Some(format!("{dy:04}-{m:02}-{dd:02}"));
        let date = format!("{m:02}/{dd:02}/{dy:04}");
        match weighted(rng, &[(0, 85), (1, 10), (2, 5)]) {
            0 => out.push_str(&format!("E.O. 12958: DECL: {date}\n")),
            1 => out.push_str(&format!("EO 12958 DECL: {date}\n")),
            _ => out.push_str(&format!("E.O. 12958: decl: {date}\n")),
        }
    } else if me.year >= 1982 {
        out.push_str("E.O. 12356: DECL: OADR\n");
    } else if me.year >= 1978 {
        out.push_str(&format!(
            "E.O. 12065: GDS {}/{}/{:02}\n",
            m,
            d,
            (y + 6) % 100
        ));
    } else if me.year >= 1972 {
        out.push_str("E.O. 11652: GDS\n");
    }

    tags_line(out, cable, me, origin, style, rng);
    subject_line(out, cable, origin, banner, style, rng);

    // REF.
    let refs = references(plan, me, rng);
    if !refs.is_empty() {
        gap(out);
        ref_lines(out, cable, &refs, style, rng);
    }

    // Classified By.
    if banner.is_classified() && !old && chance(rng, stats::CLASSIFIED_BY_SHARE) {
        out.push('\n');
        classified_by(out, cable, me, style, rng);
    }
    out.push('\n');
}

fn tags_line(
    out: &mut String,
    cable: &mut SynthCable,
    me: &Identity,
    origin: &Origin,
    style: &Style,
    rng: &mut CableRng,
) {
    let total = weighted(rng, stats::TAG_COUNTS);
    let geo_n = weighted(rng, stats::GEO_TAG_COUNTS)
        .min(total.saturating_sub(1))
        .max(1);
    let mut geo: Vec<&'static str> = Vec::new();
    if let Some(g) = origin.geo {
        geo.push(g);
    }
    let mut tries = 0;
    while geo.len() < geo_n && tries < 50 {
        tries += 1;
        if let Some(g) = ORIGINS[random_post(rng)].geo {
            if !geo.contains(&g) {
                geo.push(g);
            }
        }
    }
    let mut subject: Vec<&'static str> = Vec::new();
    let mut tries = 0;
    while subject.len() + geo.len() < total && tries < 100 {
        tries += 1;
        let t = weighted(rng, stats::SUBJECT_TAGS);
        if !subject.contains(&t) && !geo.contains(&t) {
            subject.push(t);
        }
    }
    let mut codes: Vec<String> = Vec::new();
    let mut written: Vec<String> = Vec::new();
    if me.year >= stats::MODERN_FROM && chance(rng, stats::PERSON_TAG_SHARE) {
        let surname = data::SURNAMES[below(rng, data::SURNAMES.len())];
        let given = data::GIVEN_NAMES[below(rng, data::GIVEN_NAMES.len())];
        written.push(format!("OVIP ({surname}, {given})"));
        codes.push("OVIP".into());
        codes.push(format!("{surname}, {given}"));
    }
    let geo_first = chance(rng, 0.1);
    let ordered: Vec<&str> = if geo_first {
        geo.iter().chain(subject.iter()).copied().collect()
    } else {
        subject.iter().chain(geo.iter()).copied().collect()
    };
    for t in ordered {
        written.push(t.to_string());
        codes.push(t.to_string());
    }
    cable.tags = codes;
    // Linked tags lost their commas on the Cablegate site; unlinked ones kept them. A line too
    // long for one line is written with commas, wrapped after one.
    let keyword = if chance(rng, 0.9) { "TAGS: " } else { "TAGS " };
    let plain = format!("{keyword}{}", written.join(" "));
    if plain.len() <= style.width && chance(rng, 0.65) {
        out.push_str(&plain);
    } else {
        out.push_str(keyword.trim_end());
        let with_commas: Vec<String> = written
            .iter()
            .enumerate()
            .map(|(k, t)| {
                if k + 1 < written.len() {
                    format!("{t},")
                } else {
                    t.clone()
                }
            })
            .collect();
        wrap_units(out, with_commas.iter().map(String::as_str), style.width, 0);
    }
    out.push('\n');
}

/// The country (or organization) a TAG names, as a subject prefix or a section heading.
fn tag_name(code: &str) -> Option<String> {
    let t = tables::tag(code)?;
    if t.kind == cable_format::TagKind::Geographic && !t.meaning.is_empty() {
        Some(
            t.meaning
                .split(" (")
                .next()
                .unwrap_or(t.meaning)
                .to_string(),
        )
    } else {
        Some(code.to_string())
    }
}

fn subject_line(
    out: &mut String,
    cable: &mut SynthCable,
    origin: &Origin,
    banner: Banner,
    style: &Style,
    rng: &mut CableRng,
) {
    let want = quantile(stats::SUBJECT_QUANTILES, rng.random::<f64>()) as usize;
    let mut subject = String::new();
    if chance(rng, 0.7) {
        if let Some(name) = origin.geo.and_then(tag_name) {
            subject.push_str(&name.to_uppercase());
            subject.push(':');
        }
    }
    while subject.len() < want {
        if !subject.is_empty() {
            subject.push(' ');
        }
        subject.push_str(&VOCABULARY.sample(rng).to_uppercase());
    }
    out.push_str("SUBJECT: ");
    if !style.caps && chance(rng, stats::SUBJECT_MARK_SHARE) {
        let mark = portion_mark(rng, banner);
        if let Some(m) = mark {
            out.push_str(&written_mark(m, rng));
            out.push(' ');
            cable.subject_marking = Some(m.to_string());
        }
    }
    wrap_units(out, subject.split(' '), style.width, 0);
    out.push('\n');
    cable.subject = subject;
}

/// The references of cable `me`: earlier cables of the set (the same post's, the Department's,
/// another post's), cables outside the set, and references that are no cable.
fn references(plan: &Plan, me: &Identity, rng: &mut CableRng) -> Vec<Ref> {
    #[derive(Clone, Copy, PartialEq)]
    enum Kind {
        SameOrigin,
        State,
        OtherOrigin,
        NotACable,
    }
    let n = weighted(rng, stats::REF_COUNTS);
    let kinds = [
        (Kind::SameOrigin, stats::REF_SAME_ORIGIN),
        (Kind::State, stats::REF_STATE),
        (Kind::OtherOrigin, stats::REF_OTHER_ORIGIN),
        (Kind::NotACable, stats::REF_NOT_A_CABLE),
    ];
    let mut out: Vec<Ref> = Vec::new();
    let mut cited: Vec<usize> = Vec::new();
    for _ in 0..n {
        let kind = weighted(rng, &kinds);
        if kind == Kind::NotACable {
            let template = data::OTHER_REFERENCES[below(rng, data::OTHER_REFERENCES.len())];
            let back = Minute(me.time.0 - rng.random_range(1..60) * 1440);
            let (y, m, d, _, _) = back.parts();
            let office = data::OFFICES[below(rng, data::OFFICES.len())];
            let text = template
                .replace("{date}", &format!("{m}/{d}/{y}"))
                .replace("{office}", office);
            out.push(Ref::Other(text));
            continue;
        }
        // A cable of the set: the nearest earlier ones of the kind, skipping a few so that
        // citations spread. A post's previous cable is on average as many cables back as there
        // are origins, so the search may go far back; it stops at the first match past the skip.
        let inside = if me.index > 0 && !chance(rng, stats::REF_OUTSIDE_SHARE) {
            let skip = below(rng, 3);
            let floor = me.index.saturating_sub(match kind {
                Kind::OtherOrigin => CITE_WINDOW,
                _ => CITE_WINDOW * 50,
            });
            let wanted = match kind {
                Kind::SameOrigin => Wanted::From(me.origin),
                Kind::State => Wanted::From(*data::STATE),
                _ => Wanted::NotFrom(me.origin, *data::STATE),
            };
            plan.find_before(me.index, floor, wanted, skip, &cited)
        } else {
            None
        };
        if let Some(j) = inside {
            cited.push(j);
            let other = plan.identity(j);
            let o = &ORIGINS[other.origin];
            out.push(Ref::Cable {
                written: written_ref(other.year, me.year, o.class_line, other.serial, rng),
                id: other.id(),
                index: Some(j),
            });
            continue;
        }
        // A cable the set does not hold (by choice, or because the set has none of the kind
        // before this one): of another post, or of this post or the Department with a serial
        // above any the set gives in that year.
        let year = if chance(rng, 0.25) && me.year > 1966 {
            me.year - 1
        } else {
            me.year
        };
        let (written, id) = match kind {
            Kind::OtherOrigin => {
                let post = data::OUTSIDE_POSTS[below(rng, data::OUTSIDE_POSTS.len())];
                let serial = rng.random_range(1..4000);
                let station: String = post.chars().filter(|c| *c != ' ').collect();
                let id = format!("{:02}{station}{serial}", year.rem_euclid(100));
                (written_ref(year, me.year, post, serial, rng), id)
            }
            _ => {
                let o = if kind == Kind::State {
                    *data::STATE
                } else {
                    me.origin
                };
                let serial = plan.serial_ceiling(year, o) + rng.random_range(1..500);
                let origin = &ORIGINS[o];
                let id = format!("{:02}{}{serial}", year.rem_euclid(100), origin.station);
                (
                    written_ref(year, me.year, origin.class_line, serial, rng),
                    id,
                )
            }
        };
        if !out
            .iter()
            .any(|r| matches!(r, Ref::Cable { id: x, .. } if *x == id))
        {
            out.push(Ref::Cable {
                written,
                id,
                index: None,
            });
        }
    }
    out
}

/// `MADRID 1234`, or `08 MADRID 1234` for a cable of another year than the citing one.
fn written_ref(year: i16, citing: i16, origin: &str, serial: u64, rng: &mut CableRng) -> String {
    if year != citing || chance(rng, 0.15) {
        format!("{:02} {origin} {serial}", year.rem_euclid(100))
    } else {
        format!("{origin} {serial}")
    }
}

fn ref_lines(
    out: &mut String,
    cable: &mut SynthCable,
    refs: &[Ref],
    style: &Style,
    rng: &mut CableRng,
) {
    for r in refs {
        match r {
            Ref::Cable { id, index, .. } => {
                cable.references.push(id.clone());
                cable.cited.push(*index);
            }
            Ref::Other(text) => cable.other_references.push(text.clone()),
        }
    }
    let written = |r: &Ref| match r {
        Ref::Cable { written, .. } => written.clone(),
        Ref::Other(text) => text.clone(),
    };
    if refs.len() == 1 {
        out.push_str("REF: ");
        out.push_str(&written(&refs[0]));
        out.push('\n');
        return;
    }
    let keyword = if chance(rng, 0.8) { "REF:" } else { "REFS:" };
    let paren = chance(rng, 0.2);
    let items: Vec<String> = refs
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let letter = (b'A' + k as u8) as char;
            if paren {
                format!("({letter}) {}", written(r))
            } else {
                format!("{letter}. {}", written(r))
            }
        })
        .collect();
    out.push_str(keyword);
    if chance(rng, 0.5) {
        // One per line, aligned under the first.
        let indent = " ".repeat(keyword.len() + 1);
        for (k, item) in items.iter().enumerate() {
            if k == 0 {
                out.push(' ');
            } else {
                out.push_str(&indent);
            }
            out.push_str(item);
            out.push('\n');
        }
    } else {
        wrap_units(out, items.iter().map(String::as_str), style.width, 0);
        out.push('\n');
    }
}

fn classified_by(
    out: &mut String,
    cable: &mut SynthCable,
    me: &Identity,
    style: &Style,
    rng: &mut CableRng,
) {
    let reasons: &[&str] = weighted(rng, stats::REASONS);
    cable.reasons = reasons.iter().map(|r| r.to_string()).collect();
    let given = data::GIVEN_NAMES[below(rng, data::GIVEN_NAMES.len())];
    let surname = data::SURNAMES[below(rng, data::SURNAMES.len())];
    let initial = (b'A' + below(rng, 26) as u8) as char;
    let name = format!(
        "{}{} {initial}. {}{}",
        &given[..1],
        given[1..].to_lowercase(),
        &surname[..1],
        surname[1..].to_lowercase()
    );
    let title = if me.origin == *data::STATE {
        format!(
            "{} Director",
            data::OFFICES[below(rng, data::OFFICES.len())]
        )
    } else {
        data::POST_TITLES[below(rng, data::POST_TITLES.len())].to_string()
    };
    let section = if reasons[0].starts_with("1.5") {
        "1.5"
    } else {
        "1.4"
    };
    let letters: Vec<char> = reasons.iter().filter_map(|r| r.chars().nth(4)).collect();
    let list = match letters.as_slice() {
        [a] => format!("({a})"),
        [a, b] if chance(rng, 0.3) => format!("({a}/{b})"),
        [a, b] if chance(rng, 0.3) => format!("({a},{b})"),
        [a, b] => format!("({a}) and ({b})"),
        [a, b, c] => format!("({a}), ({b}) and ({c})"),
        _ => String::new(),
    };
    let lead = weighted(
        rng,
        &[
            ("for reasons", 5),
            ("Reasons", 2),
            ("Reason:", 1),
            ("per", 1),
        ],
    );
    let text = format!("{title} {name}, {lead} {section} {list}.");
    cable.classified_by = Some(text.clone());
    out.push_str("Classified By: ");
    wrap_units(out, text.split(' '), style.width, 0);
    out.push('\n');
}

// ---------------------------------------------------------------------------------------------
// Body

/// A portion marking for a paragraph of a cable with this banner (measured mix).
fn portion_mark(rng: &mut CableRng, banner: Banner) -> Option<&'static str> {
    weighted(rng, stats::paragraph_markings(banner))
}

/// A marking as written inside parentheses: `S//NF` also as `S/NF`.
fn written_mark(mark: &str, rng: &mut CableRng) -> String {
    let inner = if mark.ends_with("//NF") && !mark.contains("FGI") && chance(rng, 0.3) {
        mark.replace("//NF", "/NF")
    } else {
        mark.to_string()
    };
    format!("({inner})")
}

/// The paragraphs, each a block of text (a section heading, if any, included); the truth's
/// paragraph markings, headings, summary and comment are filled in.
fn body(
    cable: &mut SynthCable,
    origin: &Origin,
    banner: Banner,
    style: &Style,
    budget: usize,
    rng: &mut CableRng,
) -> Vec<String> {
    let old = style.caps;
    let has_summary = chance(rng, stats::SUMMARY_SHARE);
    let summary_heading = has_summary && !old && chance(rng, 0.2);
    let wants_comment = chance(rng, stats::COMMENT_SHARE);
    let with_headings = !old && chance(rng, stats::HEADINGS_SHARE);
    let mut paras: Vec<String> = Vec::new();
    let mut used = 0;
    let mut n = 0;
    loop {
        n += 1;
        let remaining = budget.saturating_sub(used);
        let want = (quantile(stats::PARAGRAPH_QUANTILES, rng.random::<f64>()) as usize)
            .min(remaining.max(80))
            .max(80);
        let last = remaining <= want + 40;
        let comment = last && wants_comment && n >= 2;
        let mut block = String::with_capacity(want + 700);
        // A section heading before the paragraph.
        let mut heading = None;
        if n == 1 && summary_heading {
            heading = Some(
                if chance(rng, 0.5) {
                    "Summary"
                } else {
                    "SUMMARY"
                }
                .to_string(),
            );
        } else if with_headings && n >= 2 && !comment && chance(rng, stats::HEADING_PER_PARAGRAPH) {
            let h = if chance(rng, 0.3) {
                origin
                    .geo
                    .and_then(tag_name)
                    .unwrap_or_else(|| data::HEADINGS[0].to_string())
            } else {
                data::HEADINGS[below(rng, data::HEADINGS.len())].to_string()
            };
            heading = Some(if chance(rng, 0.3) {
                h.to_uppercase()
            } else {
                h
            });
        }
        if let Some(h) = &heading {
            block.push_str(h);
            if chance(rng, 0.2) {
                block.push('\n');
                block.push_str(&"-".repeat(h.len()));
            }
            block.push_str("\n\n");
        }
        cable.headings.push(heading);
        // Marker and portion mark.
        let mark = if old { None } else { portion_mark(rng, banner) };
        cable.paragraphs.push(mark.map(str::to_string));
        let para_start = block.len();
        block.push_str(&n.to_string());
        block.push('.');
        if !old && chance(rng, 0.03) {
            // `1.(C)`: no space.
        } else {
            block.push(' ');
            if chance(rng, 0.07) {
                block.push(' ');
            }
        }
        if let Some(m) = mark {
            block.push_str(&written_mark(m, rng));
        }
        let protect = block.len();
        let width = match style.unwrapped_from {
            Some(k) if n >= k => usize::MAX,
            _ => style.width,
        };
        {
            let mut w = Wrapper::new(&mut block, width, old);
            if n == 1 && has_summary {
                if !summary_heading {
                    let kw = weighted(
                        rng,
                        &[("Summary:", 6), ("SUMMARY:", 3), ("BEGIN SUMMARY:", 1)],
                    );
                    w.unit(kw);
                }
                w.sentences(rng, want);
                let end = weighted(
                    rng,
                    &[
                        ("End Summary.", 6),
                        ("END SUMMARY.", 3),
                        ("End summary.", 1),
                    ],
                );
                w.words(end);
                cable.has_summary = true;
            } else if comment {
                w.unit(if chance(rng, 0.6) {
                    "Comment:"
                } else {
                    "COMMENT:"
                });
                w.sentences(rng, want);
                w.words(if chance(rng, 0.6) {
                    "End Comment."
                } else {
                    "END COMMENT."
                });
                cable.has_comment = true;
            } else if chance(rng, 0.08) && want > 300 {
                // A paragraph with dash bullets after an introducing sentence.
                let k = sentence_length(rng);
                w.sentence(rng, k, b':');
                for _ in 0..rng.random_range(2..5) {
                    w.newline();
                    w.unit("--");
                    let k = sentence_length(rng).min(25);
                    w.sentence(rng, k, b'.');
                }
            } else {
                w.sentences(rng, want);
            }
        }
        if width != usize::MAX {
            balance_last_line(&mut block, para_start, protect, 4);
        }
        used += block.len() + 2;
        paras.push(block);
        if last || used >= budget {
            break;
        }
    }
    paras
}

/// Signature lines: the Secretary for the Department's cables, the post's chief (one invented
/// name per post and year) for the others.
fn signature_lines(me: &Identity, rng: &mut CableRng) -> Vec<String> {
    let lines = weighted(
        rng,
        &[
            (1, stats::SIGNATURE_ONE),
            (2, stats::SIGNATURE_TWO),
            (0, stats::SIGNATURE_NONE),
        ],
    );
    let chief = |salt: u64| {
        if me.origin == *data::STATE && salt == 0 {
            return data::secretary(me.year).to_string();
        }
        let h = crate::rng::hash(u64::from(me.year as u16), me.origin as u64, 77 + salt);
        data::SURNAMES[(h % data::SURNAMES.len() as u64) as usize].to_string()
    };
    match lines {
        0 => Vec::new(),
        1 => vec![chief(0)],
        _ => {
            let (a, b) = (chief(0), chief(1));
            if a == b {
                vec![a]
            } else {
                vec![a, b]
            }
        }
    }
}

/// Page-break lines between sections (`MADRID 00001187  002 OF 003`), at even intervals, inside
/// a paragraph where it has several lines (as the joined sections of a published cable keep
/// them), else after it.
fn page_breaks(paras: &mut [String], origin: &Origin, serial: u64, of: u32, rng: &mut CableRng) {
    let total: usize = paras.iter().map(String::len).sum();
    let dotted = chance(rng, 0.5);
    for k in 2..=of {
        let line = if dotted {
            format!(
                "{} {:08}  {:03}.2 OF {:03}",
                origin.class_line, serial, k, of
            )
        } else {
            format!("{} {:08} {:03} OF {:03}", origin.class_line, serial, k, of)
        };
        let at = total * (k as usize - 1) / of as usize;
        let mut acc = 0;
        for p in paras.iter_mut() {
            if acc + p.len() < at {
                acc += p.len();
                continue;
            }
            // Line breaks after the paragraph's marker line (a section heading may precede it;
            // the marker line is the first that starts with a digit).
            let marker = p
                .match_indices('\n')
                .map(|(i, _)| i + 1)
                .chain(std::iter::once(0))
                .filter(|&i| p[i..].starts_with(|c: char| c.is_ascii_digit()))
                .min()
                .unwrap_or(0);
            let local = at.saturating_sub(acc).clamp(marker, p.len());
            let nl = p[local..]
                .find('\n')
                .map(|i| local + i)
                .or_else(|| p[marker..local].rfind('\n').map(|i| marker + i));
            match nl {
                Some(i) => p.replace_range(i..i + 1, &format!("\n\n{line}\n\n\n")),
                None => {
                    p.push_str("\n\n");
                    p.push_str(&line);
                }
            }
            break;
        }
    }
}
