//! Access control at the archive's API: the fixture's canaries, four readers, every read
//! method. Nothing above a reader's view may come back, and everything within it must.

use cable_archive::readers::Readers;
use cable_archive::{
    Archive, Clearance, ExportFormat, Interval, SearchOptions, View, Who, Withheld,
};
use cable_query::{Level, Ranked};
use cable_testdata::access::{self, TestReader, CANARIES, READERS};

struct Fixture {
    _tmp: tempfile::TempDir,
    archive: Archive,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = access::write_cables(tmp.path());
    let mut archive = Archive::open(&tmp.path().join("data")).expect("open");
    let summary = archive.ingest(&[src], &mut |_| {}).expect("ingest");
    assert_eq!(summary.new, 6, "{summary:?}");
    archive.set_auto_declassify(true).expect("policy");
    let (id, paragraph, exemption) = access::RELEASED;
    archive
        .record_release(
            id,
            Level::Unclassified,
            vec![Withheld {
                paragraph: paragraph.into(),
                exemption: exemption.into(),
            }],
            "records officer",
        )
        .expect("release");
    Fixture { _tmp: tmp, archive }
}

fn as_of() -> jiff::civil::Date {
    access::AS_OF.parse().expect("date")
}

fn view(a: &Archive, r: &TestReader) -> View {
    let level = <Level as Ranked>::ALL[r.level as usize];
    let who = if r.name == "anonymous" {
        Who::Anonymous
    } else {
        Who::Reader(r.name.into())
    };
    a.view(who, Some(Clearance::new(level, r.caveats)), Some(as_of()))
        .expect("view")
}

fn q(s: &str) -> cable_query::Query {
    cable_query::parse(s).expect("query")
}

fn visible_ids(r: &TestReader) -> Vec<&'static str> {
    let mut ids: Vec<&str> = CANARIES
        .iter()
        .map(|c| c.id)
        .filter(|id| r.sees_cable(id))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn no_reader_sees_above_their_view_and_each_sees_all_of_it() {
    let f = fixture();
    let a = &f.archive;
    let all = SearchOptions {
        limit: 100,
        ..SearchOptions::default()
    };
    for r in &READERS {
        let v = view(a, r);
        let expected = visible_ids(r);

        // Search: the empty query lists exactly the visible cables; facets and snippets leak
        // nothing.
        let res = a.search(&q(""), &all, &v).expect("search");
        let mut got: Vec<String> = res.hits.iter().map(|h| h.id.clone()).collect();
        got.sort();
        assert_eq!(got, expected, "{}: cables listed", r.name);
        assert_eq!(res.total as usize, expected.len(), "{}: total", r.name);
        let body = serde_json::to_string(&res).expect("json");
        assert_eq!(
            r.leaks(&body),
            Vec::<&str>::new(),
            "{}: search page",
            r.name
        );
        let facet_total: u64 = res.facets["classification"].values().sum();
        assert_eq!(
            facet_total as usize,
            expected.len(),
            "{}: facet counts",
            r.name
        );

        // Each canary as a query: found exactly when visible, in its own cable.
        for c in CANARIES {
            for query in [c.word.to_string(), format!("subject:{}", c.word)] {
                let res = a.search(&q(&query), &all, &v).expect("search");
                let body = serde_json::to_string(&res).expect("json");
                assert_eq!(r.leaks(&body), Vec::<&str>::new(), "{}: {query}", r.name);
                if !r.sees(c) {
                    assert_eq!(res.total, 0, "{}: {query} matched hidden text", r.name);
                }
            }
            let res = a.search(&q(c.word), &all, &v).expect("search");
            if r.sees(c) {
                assert_eq!(
                    res.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
                    vec![c.id],
                    "{}: {} should be found",
                    r.name,
                    c.word
                );
            }
        }

        // Reading each cable: JSON, raw text, versions, graph.
        for id in access::IDS {
            let rec = a.get(id, &v).expect("get");
            assert_eq!(
                rec.is_some(),
                expected.contains(&id),
                "{}: get {id}",
                r.name
            );
            if let Some(rec) = rec {
                let json = serde_json::to_string(&rec.cable).expect("json");
                assert_eq!(r.leaks(&json), Vec::<&str>::new(), "{}: {id} JSON", r.name);
                assert_eq!(
                    r.leaks(&rec.original),
                    Vec::<&str>::new(),
                    "{}: {id} raw",
                    r.name
                );
                assert!(
                    rec.cable["source"].get("path").is_none(),
                    "source path shown"
                );
                for c in CANARIES.iter().filter(|c| c.id == id && r.sees(c)) {
                    assert!(
                        json.to_lowercase().contains(c.word),
                        "{}: {}",
                        r.name,
                        c.word
                    );
                    assert!(rec.original.to_lowercase().contains(c.word));
                }
            }
            let doc = a.document(id, &v).expect("document");
            let body = serde_json::to_string(&doc).expect("json");
            assert_eq!(
                r.leaks(&body),
                Vec::<&str>::new(),
                "{}: {id} document",
                r.name
            );
            let graph = a.graph(id, &v).expect("graph");
            let body = serde_json::to_string(&graph).expect("json");
            assert_eq!(r.leaks(&body), Vec::<&str>::new(), "{}: {id} graph", r.name);
            let ledger = a.ledger(id, &v).expect("ledger");
            assert_eq!(ledger.is_some(), expected.contains(&id));
        }

        // The cited cable: a reader who cannot see it gets a placeholder, like a missing one.
        let g = a.graph("09OSLO101", &v).expect("graph");
        if let Some(g) = g {
            let cite = g
                .cites
                .iter()
                .find(|c| c.id.as_deref() == Some(access::CITED));
            let cite = cite.expect("the REF");
            assert_eq!(cite.in_archive, r.sees_cable(access::CITED), "{}", r.name);
        }

        // Export, timeline, stats: over the view.
        let mut out = Vec::new();
        let s = a
            .export(&q(""), ExportFormat::Jsonl, &v, &mut out, &mut |_, _| {})
            .expect("export");
        assert_eq!(s.cables as usize, expected.len());
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(r.leaks(&text), Vec::<&str>::new(), "{}: export", r.name);
        let tl = a.timeline(&q(""), Interval::Year, &v).expect("timeline");
        assert_eq!(
            tl.iter().map(|(_, n)| *n as usize).sum::<usize>(),
            expected.len()
        );
        let stats = a.stats(&v).expect("stats");
        assert_eq!(stats.cables as usize, expected.len());
        assert_eq!(stats.versions, None);
    }
}

#[test]
fn owner_sees_everything_and_without_the_policy_nothing_opens() {
    let f = fixture();
    let a = &f.archive;
    let owner = View::owner();
    let res = a
        .search(&q(""), &SearchOptions::default(), &owner)
        .expect("search");
    assert_eq!(res.total, 6);
    for c in CANARIES {
        assert_eq!(
            a.search(&q(c.word), &SearchOptions::default(), &owner)
                .expect("search")
                .total,
            1,
            "{}",
            c.word
        );
    }
    // Auto-declassification off: the declassified cable closes again for the public.
    a.set_auto_declassify(false).expect("policy");
    let anon = a
        .view(Who::Anonymous, Some(Clearance::public()), Some(as_of()))
        .expect("view");
    assert!(a.get("09OSLO104", &anon).expect("get").is_none());
    assert_eq!(
        a.search(&q("nebulacanary"), &SearchOptions::default(), &anon)
            .expect("search")
            .total,
        0
    );
    // ... and before its date it was closed anyway.
    a.set_auto_declassify(true).expect("policy");
    let early = a
        .view(
            Who::Anonymous,
            Some(Clearance::public()),
            Some("2010-01-01".parse().expect("date")),
        )
        .expect("view");
    assert!(a.get("09OSLO104", &early).expect("get").is_none());
}

#[test]
fn a_release_survives_reindex_and_the_audit_log_records_reads() {
    let f = fixture();
    let dir = f.archive.dir().to_path_buf();
    f.archive.audit(&View::owner(), "search", "x", "cli");
    drop(f.archive);
    let log = cable_archive::read_audit(&dir).expect("audit");
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].who.as_str(), log[0].what.as_str()),
        ("owner", "search")
    );
    Archive::reindex(&dir, &mut |_, _| {}).expect("reindex");
    let a = Archive::open(&dir).expect("open");
    let anon = a
        .view(Who::Anonymous, Some(Clearance::public()), Some(as_of()))
        .expect("view");
    let rec = a.get("09OSLO105", &anon).expect("get").expect("released");
    let json = serde_json::to_string(&rec.cable).expect("json");
    assert!(json.contains("rhodiumcanary"));
    assert!(!json.contains("saffroncanary"));
    assert!(json.contains("exemption B1"), "{json}");
    // Readers: tokens verify; unknown tokens do not.
    let mut readers = Readers::load(&dir).expect("readers");
    let token = readers
        .add("ana", Clearance::new(Level::Secret, ["NOFORN"]))
        .expect("add");
    let d = cable_archive::readers::Directory::open(&dir).expect("dir");
    assert_eq!(
        d.verify(&token).expect("verify").map(|(n, _)| n),
        Some("ana".into())
    );
    assert!(d.verify(&"f".repeat(64)).expect("verify").is_none());
}
