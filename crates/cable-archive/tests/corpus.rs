//! The archive on the real corpus: the text files, the Cablegate pages and the `cables.csv`
//! rows of `../shared` ingested into one archive (once per test binary).

use cable_archive::View;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cable_archive::{Archive, IngestSummary, SearchOptions};

struct Shared {
    _dir: tempfile::TempDir,
    archive: Archive,
    first: IngestSummary,
    second: IngestSummary,
    shared: PathBuf,
}

fn inputs(shared: &Path) -> Vec<PathBuf> {
    vec![
        shared.join("corpus"),
        shared.join("cablegate-html"),
        shared.join("cables-csv/cables.csv"),
    ]
}

fn shared_archive(test: &str) -> Option<&'static Shared> {
    static ARCHIVE: OnceLock<Option<Shared>> = OnceLock::new();
    let shared = cable_testdata::require_shared(test)?;
    ARCHIVE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let mut archive = Archive::open(dir.path()).expect("open");
            let first = archive
                .ingest(&inputs(&shared), &mut |_| {})
                .expect("ingest");
            // Re-ingesting through a fresh open also checks the archive reopens.
            drop(archive);
            let mut archive = Archive::open(dir.path()).expect("reopen");
            let second = archive
                .ingest(&inputs(&shared), &mut |_| {})
                .expect("re-ingest");
            Some(Shared {
                _dir: dir,
                archive,
                first,
                second,
                shared,
            })
        })
        .as_ref()
}

fn query(s: &str) -> cable_query::Query {
    cable_query::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn total(a: &Archive, q: &str) -> u64 {
    let opts = SearchOptions {
        limit: 0,
        ..SearchOptions::default()
    };
    a.search(&query(q), &opts, &View::owner())
        .expect("search")
        .total
}

fn ids(a: &Archive, q: &str) -> Vec<String> {
    let opts = SearchOptions {
        limit: 10_000,
        ..SearchOptions::default()
    };
    let mut v: Vec<String> = a
        .search(&query(q), &opts, &View::owner())
        .expect("search")
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    v.sort();
    v
}

#[test]
fn one_archive_of_1092_cables_without_spurious_versions() {
    let Some(s) = shared_archive("one_archive_of_1092_cables") else {
        return;
    };
    let stats = s.archive.stats(&View::owner()).expect("stats");
    assert_eq!(stats.cables, 1092, "{:?}", s.first);
    assert_eq!(
        stats.versions,
        Some(1092),
        "no spurious versions: {:?}",
        s.first
    );
    assert_eq!(s.first.new, 1092);
    assert_eq!(s.first.changed, 0);
    // metadata.csv is read and reported as not a cable.
    assert!(
        s.first
            .problems
            .iter()
            .any(|p| p.path.ends_with("metadata.csv") && p.code == "not-a-cable"),
        "{:?}",
        s.first.problems
    );
    assert_eq!(total(&s.archive, ""), 1092);
}

#[test]
fn reingesting_changes_nothing() {
    let Some(s) = shared_archive("reingesting_changes_nothing") else {
        return;
    };
    assert_eq!(s.second.new, 0, "{:?}", s.second);
    assert_eq!(s.second.changed, 0, "{:?}", s.second);
    assert_eq!(s.second.unchanged, s.first.read);
    assert_eq!(s.second.unreadable, s.first.unreadable);
}

#[test]
fn classification_and_caveat_counts_match_the_metadata() {
    let Some(s) = shared_archive("classification_counts") else {
        return;
    };
    let meta = cable_testdata::corrected_metadata(&s.shared);
    assert_eq!(meta.len(), 1092);
    let mut levels: BTreeMap<&str, u64> = BTreeMap::new();
    let mut noforn = 0;
    for row in &meta {
        // Cablegate writes the banner: UNCLASSIFIED//FOR OFFICIAL USE ONLY is the SBU rank.
        let level = row.classification.split("//").next().unwrap_or_default();
        let level = match (level, row.classification.contains("FOR OFFICIAL USE ONLY")) {
            (_, true) => "SBU",
            ("UNCLASSIFIED", _) => "U",
            ("CONFIDENTIAL", _) => "C",
            ("SECRET", _) => "S",
            (other, _) => panic!("unexpected classification {other}"),
        };
        *levels.entry(level).or_default() += 1;
        noforn += u64::from(row.classification.contains("NOFORN"));
    }
    for (level, n) in &levels {
        assert_eq!(
            total(&s.archive, &format!("class:{level}")),
            *n,
            "class:{level}"
        );
    }
    assert_eq!(total(&s.archive, "caveat:NOFORN"), noforn);
    assert_eq!(total(&s.archive, "class>=C"), levels["C"] + levels["S"]);
}

/// Each cable's paragraph texts and headings, lower-cased, every run of characters other than
/// letters and digits one space: what a naive scan for a phrase reads, not our tokenizer.
fn naive_texts(a: &Archive) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for id in ids(a, "") {
        let rec = a.get(&id, &View::owner()).expect("get").expect("present");
        let mut text = String::new();
        for p in rec.cable["paragraphs"].as_array().into_iter().flatten() {
            for part in [&p["heading"], &p["text"]] {
                text.push(' ');
                text.push_str(part.as_str().unwrap_or_default());
            }
        }
        // Words are runs of letters and digits; everything else separates them.
        let text: String = text
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let text = format!(
            " {} ",
            text.split_whitespace().collect::<Vec<_>>().join(" ")
        )
        .to_lowercase();
        out.push((id, text));
    }
    out
}

/// The cables whose naive text holds `needle` (spaces included: `" prime minister "` for the
/// phrase, `" prime ministe"` for a phrase ending in a prefix), leaving out those in `skip`.
fn naive_ids(texts: &[(String, String)], needle: &str, skip: &[String]) -> Vec<String> {
    texts
        .iter()
        .filter(|(id, text)| text.contains(needle) && !skip.contains(id))
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn phrase_search_agrees_with_a_naive_scan() {
    let Some(s) = shared_archive("phrase_search") else {
        return;
    };
    let all = ids(&s.archive, "");
    let texts = naive_texts(&s.archive);
    // One phrase broken by a line wrap in the original text.
    let mut wrapped = None;
    'find: for id in &all {
        let rec = s
            .archive
            .get(id, &View::owner())
            .expect("get")
            .expect("present");
        for p in rec.cable["paragraphs"].as_array().into_iter().flatten() {
            let t = p["text"].as_str().unwrap_or_default();
            for line in t.lines().collect::<Vec<_>>().windows(2) {
                let a = line[0].split_whitespace().last();
                let b = line[1].split_whitespace().next();
                if let (Some(a), Some(b)) = (a, b) {
                    if a.len() > 5
                        && b.len() > 5
                        && a.chars().all(char::is_alphabetic)
                        && b.chars().all(char::is_alphabetic)
                    {
                        wrapped = Some(format!("{a} {b}"));
                        break 'find;
                    }
                }
            }
        }
    }
    let wrapped = wrapped.expect("a phrase across a line wrap");
    let mut phrases: Vec<String> = [
        "nuclear program",
        "human rights",
        "prime minister",
        "end summary",
        "the prime minister",
        "ministry of foreign affairs",
        wrapped.as_str(),
    ]
    .iter()
    .map(|p| p.to_lowercase())
    .collect();
    // Phrases of two to five words taken from the cables themselves, of words of letters only:
    // the pairs a phrase is narrowed by must never lose a cable the phrase is in.
    for (n, (_, text)) in texts.iter().enumerate().step_by(53) {
        let words: Vec<&str> = text.split_whitespace().collect();
        let len = 2 + n % 4;
        let start = words.len() / 3;
        if let Some(w) = words.get(start..start + len) {
            if w.iter().all(|w| w.chars().all(|c| c.is_ascii_alphabetic())) {
                phrases.push(w.join(" "));
            }
        }
    }
    assert!(phrases.len() >= 20, "too few phrases: {phrases:?}");
    // Some phrases are narrowed by indexed pairs, or the pairs would go untested.
    let narrowed = phrases
        .iter()
        .filter(|p| {
            let words: Vec<&str> = p.split(' ').collect();
            words
                .windows(2)
                .any(|w| cable_archive::schema::pair(w[0], w[1]).is_some())
        })
        .count();
    assert!(narrowed >= 3, "{narrowed} phrases have an indexed pair");
    for phrase in &phrases {
        let found = ids(&s.archive, &format!("\"{phrase}\" -subject:\"{phrase}\""));
        // Cables with the phrase only in the subject are left out on both sides.
        let in_subject = ids(&s.archive, &format!("subject:\"{phrase}\""));
        let expected = naive_ids(&texts, &format!(" {phrase} "), &in_subject);
        assert!(
            !expected.is_empty(),
            "{phrase}: the naive scan finds nothing"
        );
        assert_eq!(found, expected, "{phrase}");
    }
    // A punctuated word ending in a prefix (`prime-ministe*`) is a phrase whose last word is a
    // prefix: narrowed by the pairs of its whole words only.
    let mut prefixed = 0;
    for phrase in phrases.iter().filter(|p| {
        let words: Vec<&str> = p.split(' ').collect();
        words.len() >= 3 && words.last().is_some_and(|w| w.len() >= 3)
    }) {
        let cut = &phrase[..phrase.len() - 1];
        let word = cut.replace(' ', "-");
        let found = ids(&s.archive, &format!("{word}* -subject:{word}*"));
        let in_subject = ids(&s.archive, &format!("subject:{word}*"));
        let expected = naive_ids(&texts, &format!(" {cut}"), &in_subject);
        assert!(!expected.is_empty(), "{cut}*: the naive scan finds nothing");
        assert_eq!(found, expected, "{cut}*");
        prefixed += 1;
    }
    assert!(prefixed >= 5, "{prefixed} prefix phrases");
}

#[test]
fn facet_counts_are_exact() {
    let Some(s) = shared_archive("facet_counts") else {
        return;
    };
    // The counts below come from maps read ahead, as a server reads them at start.
    s.archive.warm().expect("reading the facet maps ahead");
    let opts = SearchOptions {
        limit: 5,
        ..SearchOptions::default()
    };
    for q in ["", "iran", "tag:PREL", "class>=S date:2009"] {
        let r = s
            .archive
            .search(&query(q), &opts, &View::owner())
            .expect("search");
        for (single, has) in [
            ("classification", "class:[U TO TS]"),
            ("year", "date:[* TO *]"),
            ("origin", ""),
        ] {
            let sum: u64 = r.facets[single].values().sum();
            let with = total(&s.archive, &format!("{q} {has}"));
            assert_eq!(
                sum, with,
                "{q}: the {single} facet sums to the hits with one"
            );
        }
        // Each year's count, exactly: the hits of the query within that year.
        for (year, n) in &r.facets["year"] {
            let with = format!("({q}) date:{year}").replace("() ", "");
            assert_eq!(total(&s.archive, &with), *n, "{with}");
        }
        // The histogram (timeline) and the page's year facet are the same counts.
        let timeline = s
            .archive
            .timeline(&query(q), cable_archive::Interval::Year, &View::owner())
            .expect("timeline");
        let years: Vec<(String, u64)> = r.facets["year"]
            .iter()
            .map(|(y, n)| (y.clone(), *n))
            .collect();
        assert_eq!(timeline, years, "{q}: timeline against the year facet");
        let classified: u64 = r.facets["classification"].values().sum();
        assert!(classified <= r.total);
        for (value, n) in &r.facets["tag"] {
            let with = if q.is_empty() {
                format!("tag:\"{value}\"")
            } else {
                format!("({q}) tag:\"{value}\"")
            };
            // Facet values are whole codes; tag: matches words, so it may find more (person
            // tags); never fewer.
            assert!(total(&s.archive, &with) >= *n, "{with}");
        }
        assert!(r.hits.len() <= 5);
    }
}

#[test]
fn fields_search() {
    let Some(s) = shared_archive("fields_search") else {
        return;
    };
    let a = &s.archive;
    let some = ids(a, "has:refs");
    assert!(!some.is_empty());
    let id = &some[0];
    assert_eq!(ids(a, &format!("id:{id}")), vec![id.clone()]);
    let rec = a.get(id, &View::owner()).expect("get").expect("present");
    let cited: Vec<String> = rec.cable["references"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    if let Some(c) = cited.first() {
        assert!(ids(a, &format!("cites:{c}")).contains(id));
        assert!(a
            .cited_by(c, &View::owner())
            .expect("cited by")
            .iter()
            .any(|n| &n.id == id));
    }
    assert_eq!(
        total(a, "has:refs") + total(a, "-has:refs"),
        1092,
        "a negation is the complement"
    );
    assert!(total(a, "marking:S") >= total(a, "marking:S//NF"));
    assert!(total(a, "date:[2009-01-01 TO 2009-06-30]") <= total(a, "date:2009"));
    assert!(total(a, "precedence>=PRIORITY") > 0);
    assert!(total(a, "nucl*") >= total(a, "nuclear"));
}

#[test]
fn export_of_class_secret_gives_every_secret_cable() {
    let Some(s) = shared_archive("export_class_secret") else {
        return;
    };
    let expected: std::collections::BTreeSet<String> =
        cable_testdata::corrected_metadata(&s.shared)
            .into_iter()
            .filter(|r| r.classification.split("//").next() == Some("SECRET"))
            .map(|r| r.text_id)
            .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    for format in [
        cable_archive::ExportFormat::Jsonl,
        cable_archive::ExportFormat::Csv,
    ] {
        let mut out = Vec::new();
        let mut last = (0, 0);
        let summary = s
            .archive
            .export(
                &query("class:SECRET"),
                format,
                &View::owner(),
                &mut out,
                &mut |d, t| last = (d, t),
            )
            .expect("export");
        assert_eq!(summary.bytes as usize, out.len());
        assert_eq!(last, (summary.cables, summary.cables));
        let mut got = std::collections::BTreeSet::new();
        match format {
            cable_archive::ExportFormat::Jsonl => {
                for line in String::from_utf8(out).expect("utf-8").lines() {
                    let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                    assert!(v["classification"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("SECRET")));
                    assert!(!v["text"].as_str().unwrap_or_default().is_empty());
                    assert_eq!(v["version"].as_str().map(str::len), Some(64));
                    got.insert(v["id"].as_str().expect("id").to_string());
                }
            }
            cable_archive::ExportFormat::Csv => {
                let mut r = csv::Reader::from_reader(out.as_slice());
                let header: Vec<String> = r
                    .headers()
                    .expect("header")
                    .iter()
                    .map(str::to_string)
                    .collect();
                assert_eq!(header, cable_archive::CSV_COLUMNS);
                for row in r.records() {
                    let row = row.expect("a CSV row");
                    assert_eq!(row.len(), header.len());
                    assert!(row[2].starts_with("SECRET"), "{:?}", &row[2]);
                    assert!(row[16].len() > 200, "the text column holds the cable");
                    got.insert(row[0].to_string());
                }
            }
        }
        assert_eq!(got.len() as u64, summary.cables, "no cable twice");
        assert_eq!(got, expected, "{format:?}");
    }
}

#[test]
fn export_streams_every_cable_for_the_empty_query() {
    let Some(s) = shared_archive("export_all") else {
        return;
    };
    let matches = s
        .archive
        .matches(&query(""), &View::owner())
        .expect("matches");
    assert_eq!(matches.total(), 1092);
    let ids: std::collections::BTreeSet<String> = matches.map(|r| r.expect("record").id).collect();
    assert_eq!(ids.len(), 1092);
    assert_eq!(
        s.archive
            .matches(&query("class:SECRET caveat:NOFORN"), &View::owner())
            .expect("matches")
            .count() as u64,
        total(&s.archive, "class:SECRET caveat:NOFORN")
    );
}

#[test]
fn the_citation_graph_resolves_references_and_keeps_placeholders() {
    let Some(s) = shared_archive("citation_graph") else {
        return;
    };
    let a = &s.archive;
    let mut present = 0;
    let mut placeholders = 0;
    // Every cable's REF list, resolved: each cited id is in the archive or a placeholder, and
    // either way the citing cable is among its "cited by".
    for rec in a
        .matches(&query("has:refs"), &View::owner())
        .expect("matches")
    {
        let rec = rec.expect("record");
        let graph = a
            .graph(&rec.id, &View::owner())
            .expect("graph")
            .expect("in the archive");
        assert!(graph.in_archive);
        for c in graph.cites.iter().filter(|c| c.id.is_some()) {
            let cited = c.id.as_deref().unwrap_or_default();
            assert_eq!(
                c.in_archive,
                a.ledger(cited, &View::owner()).expect("ledger").is_some(),
                "{cited}"
            );
            let other = a
                .graph(cited, &View::owner())
                .expect("graph")
                .expect("cited, so known");
            assert_eq!(other.in_archive, c.in_archive);
            assert!(
                other.cited_by.iter().any(|n| n.id == rec.id),
                "{cited} cited by {}",
                rec.id
            );
            if c.in_archive {
                present += 1;
            } else {
                placeholders += 1;
                assert!(other.cites.is_empty());
            }
        }
    }
    assert!(present > 0, "some references point inside the corpus");
    assert!(placeholders > 100, "{placeholders}");
    assert!(a
        .graph("99NOWHERE1", &View::owner())
        .expect("graph")
        .is_none());
}

#[test]
fn timelines_count_every_dated_match() {
    let Some(s) = shared_archive("timelines") else {
        return;
    };
    let a = &s.archive;
    for q in ["", "class:SECRET", "tag:PREL"] {
        let years = a
            .timeline(&query(q), cable_archive::Interval::Year, &View::owner())
            .expect("timeline");
        let months = a
            .timeline(&query(q), cable_archive::Interval::Month, &View::owner())
            .expect("timeline");
        let dated = total(a, &format!("({q}) date:[* TO *]").replace("() ", ""));
        assert_eq!(years.iter().map(|(_, n)| n).sum::<u64>(), dated, "{q}");
        assert_eq!(months.iter().map(|(_, n)| n).sum::<u64>(), dated, "{q}");
        assert!(months.windows(2).all(|w| w[0].0 < w[1].0));
        // Each year is the sum of its months.
        for (y, n) in &years {
            let m: u64 = months
                .iter()
                .filter(|(k, _)| k.starts_with(y.as_str()))
                .map(|(_, n)| n)
                .sum();
            assert_eq!(m, *n, "{q} {y}");
        }
    }
}

#[test]
fn examples_of_each_diagnostic() {
    let Some(s) = shared_archive("examples_of_each_diagnostic") else {
        return;
    };
    let stats = s.archive.stats(&View::owner()).expect("stats");
    assert!(!stats.diagnostics.is_empty());
    for (code, n) in &stats.diagnostics {
        let ex = s
            .archive
            .with_diagnostic(code, 3, &View::owner())
            .expect("examples");
        assert_eq!(ex.len() as u64, (*n).min(3), "{code}");
        for e in ex {
            let rec = s
                .archive
                .get(&e.id, &View::owner())
                .expect("get")
                .expect("present");
            assert!(rec.cable["diagnostics"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|d| d["code"] == code.as_str()));
        }
    }
}

#[test]
fn snippets_highlight_the_words_and_filters_show_the_start() {
    let Some(s) = shared_archive("snippets") else {
        return;
    };
    let a = &s.archive;
    let opts = SearchOptions {
        limit: 50,
        ..SearchOptions::default()
    };
    // A word: what is highlighted is the word.
    let r = a
        .search(&query("minister"), &opts, &View::owner())
        .expect("search");
    let mut highlighted = 0;
    for hit in &r.hits {
        for [from, to] in &hit.highlights {
            assert_eq!(
                hit.snippet[*from..*to].to_ascii_lowercase(),
                "minister",
                "{}: {:?}",
                hit.id,
                hit.snippet
            );
            highlighted += 1;
        }
    }
    assert!(highlighted >= 40, "{highlighted} highlights in 50 hits");
    // Filters only, or a lone prefix (tantivy lists no words for it): nothing to highlight;
    // each hit shows the start of its first paragraph.
    for q in ["tag:PREL", "minist*"] {
        let r = a.search(&query(q), &opts, &View::owner()).expect("search");
        let mut checked = 0;
        for hit in &r.hits {
            assert!(hit.highlights.is_empty(), "{q}: {}", hit.id);
            let rec = a
                .get(&hit.id, &View::owner())
                .expect("get")
                .expect("present");
            let Some(first) = rec.cable["paragraphs"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| match p["heading"].as_str() {
                    Some(h) => format!("{h}\n\n{}", p["text"].as_str().unwrap_or_default()),
                    None => p["text"].as_str().unwrap_or_default().to_string(),
                })
                .find(|t| !t.trim().is_empty())
            else {
                continue;
            };
            let start: String = first.chars().take(200).collect();
            let want = start.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(hit.snippet, want, "{q}: {}", hit.id);
            checked += 1;
        }
        assert!(checked >= 40, "{q}: {checked} of 50 hits had paragraphs");
    }
}
