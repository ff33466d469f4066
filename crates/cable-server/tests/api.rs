//! The JSON API end to end: a real server on `127.0.0.1:0` over a temporary archive of 500
//! generated cables and one cable full of markup, spoken to over HTTP with ureq. Every JSON
//! answer, success or failure, is validated against the schema the server's own OpenAPI
//! document gives for it.

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use cable_archive::Archive;
use serde_json::{json, Value};

const SEED: u64 = 11;
const COUNT: usize = 500;
/// The server's body limit in these tests (small, so a 413 needs only a small request).
const MAX_BODY: usize = 1024;
/// The marked-up cable: a word found nowhere else, markup in the subject, a REF list with a
/// cable the archive does not hold.
const XSS_ID: &str = "75PARIS4321";
const XSS_WORD: &str = "zanzibarquux";
const XSS_TEXT: &str = "VZCZCXYZ0000
OO RUEHWEB

DE RUEHFR #4321/01 2161457
ZNY CCCCC ZZH
O 041457Z AUG 75
FM AMEMBASSY PARIS
TO RUEHC/SECSTATE WASHDC IMMEDIATE 0001

C O N F I D E N T I A L PARIS 004321

E.O. 11652: GDS
TAGS: PREL FR
SUBJECT: <script>alert(1)</script> MARKUP IN A CABLE

REF: A. 75 ZAGREB 4242 B. <img src=x onerror=alert(1)>

1. (C) The text says <script>alert(1)</script> and
<img src=x onerror=alert(1)> about zanzibarquux.

2. (U) A second paragraph.

KISSINGER
";

struct Fixture {
    base: String,
    addr: SocketAddr,
}

/// The server, started once per test binary over an archive built once.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        // A fresh directory each run, under cargo's temporary directory for this target.
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cable-server-api");
        let _ = std::fs::remove_dir_all(&dir);
        let files = dir.join("files");
        std::fs::create_dir_all(&files).expect("fixture directory");
        let mut archive = Archive::open(&dir.join("data")).expect("open archive");
        let items = cable_synth::generate(SEED, COUNT).into_raw_cables().map(Ok);
        let summary = archive
            .ingest_stream(items, &mut |_| {})
            .expect("ingest generated");
        assert_eq!(summary.new as usize, COUNT, "every generated cable is new");
        let file = files.join(format!("{XSS_ID}.txt"));
        std::fs::write(&file, XSS_TEXT).expect("write cable");
        archive
            .ingest(std::slice::from_ref(&files), &mut |_| {})
            .expect("ingest file");

        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            let opts = cable_server::ServerOptions {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                max_body_bytes: MAX_BODY,
                ..Default::default()
            };
            runtime
                .block_on(cable_server::serve(
                    archive,
                    opts,
                    move |addr| {
                        let _ = tx.send(addr);
                    },
                    std::future::pending(),
                ))
                .expect("serve");
        });
        let addr = rx.recv().expect("server bound");
        Fixture {
            base: format!("http://{addr}"),
            addr,
        }
    })
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// An answer: status, content type, headers and body text.
struct Answer {
    status: u16,
    content_type: String,
    headers: ureq::http::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        assert!(
            self.content_type.starts_with("application/json"),
            "JSON content type, got {:?} ({}): {}",
            self.content_type,
            self.status,
            self.body
        );
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("JSON body ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

fn answer(mut resp: ureq::http::Response<ureq::Body>) -> Answer {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = resp
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .read_to_string()
        .expect("body");
    Answer {
        status,
        content_type,
        headers,
        body,
    }
}

fn get(path_and_query: &str) -> Answer {
    let url = format!("{}{path_and_query}", fixture().base);
    answer(agent().get(&url).call().expect("request"))
}

/// The server's OpenAPI document.
fn doc() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let a = get("/api/openapi.json");
        assert_eq!(a.status, 200);
        a.json()
    })
}

/// Validate `instance` against `schema`, a schema of the document (refs into its components).
fn validate(schema: &Value, instance: &Value, what: &str) {
    let mut root = schema.clone();
    let Value::Object(map) = &mut root else {
        panic!("{what}: schema is not an object: {schema}");
    };
    map.insert("components".into(), doc()["components"].clone());
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the answer does not match its schema:\n{}\n{}",
        errors.join("\n"),
        serde_json::to_string(instance)
            .unwrap_or_default()
            .chars()
            .take(2000)
            .collect::<String>()
    );
}

/// Check a JSON answer of the operation `GET template` against the schema the document gives
/// for its status, and return it.
fn checked(template: &str, a: &Answer) -> Value {
    let v = a.json();
    let response = &doc()["paths"][template]["get"]["responses"][a.status.to_string()];
    assert!(
        response.is_object(),
        "GET {template} answered {}, which the document does not list: {}",
        a.status,
        a.body
    );
    let schema = &response["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "GET {template} {}: no JSON schema in the document",
        a.status
    );
    validate(schema, &v, &format!("GET {template} {}", a.status));
    v
}

/// Check an error answer against the error schema: status and code as expected.
fn error(a: &Answer, status: u16, code: &str) -> Value {
    assert_eq!(a.status, status, "status of {}", a.body);
    let v = a.json();
    validate(
        &json!({"$ref": "#/components/schemas/ErrorBody"}),
        &v,
        "error body",
    );
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        !v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{v}"
    );
    v
}

fn search(query: &str) -> Value {
    let a = get(&format!("/api/search?{query}"));
    assert_eq!(a.status, 200, "{}", a.body);
    checked("/api/search", &a)
}

fn enc(s: &str) -> String {
    cable_server::encode_query_component(s)
}

/// Every cable as the JSONL export gives it.
fn export_all() -> &'static Vec<Value> {
    static ALL: OnceLock<Vec<Value>> = OnceLock::new();
    ALL.get_or_init(|| {
        let a = get("/api/export?format=jsonl");
        assert_eq!(a.status, 200);
        a.body
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect()
    })
}

/// A generated cable whose REF list cites both a cable in the archive and one not in it.
fn cable_with_references() -> &'static Value {
    let ids: BTreeSet<&str> = export_all()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    export_all()
        .iter()
        .find(|c| {
            let refs: Vec<&str> = c["references"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["id"].as_str())
                .collect();
            refs.iter().any(|r| ids.contains(r)) && refs.iter().any(|r| !ids.contains(r))
        })
        .expect("a generated cable citing cables in and out of the archive")
}

#[test]
fn the_document_describes_every_endpoint() {
    let a = get("/api/openapi.json");
    assert_eq!(a.status, 200);
    let d = a.json();
    assert!(d["openapi"].as_str().unwrap_or_default().starts_with("3."));
    let paths = [
        "/api/search",
        "/api/export",
        "/api/timeline",
        "/api/stats",
        "/api/cables/{id}",
        "/api/cables/{id}/raw",
        "/api/cables/{id}/versions",
        "/api/cables/{id}/graph",
    ];
    for path in paths {
        let op = &d["paths"][path]["get"];
        assert!(op.is_object(), "{path} documented");
        assert!(op["summary"].is_string(), "{path} has a summary");
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert!(
                p["description"].is_string(),
                "{path}: parameter {} described",
                p["name"]
            );
        }
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{path}: 200");
        assert!(responses.contains_key("500"), "{path}: 500");
        for (status, r) in responses {
            assert!(r["description"].is_string(), "{path} {status} described");
            if status != "200" {
                assert_eq!(
                    r["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{path} {status} is the error shape"
                );
            }
        }
    }
    // Every $ref points at a schema of the document.
    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&d, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(d["components"]["schemas"][name].is_object(), "{r} resolves");
    }
    // The parameters' limits are the server's.
    let params = d["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .expect("search parameters");
    let limit = params.iter().find(|p| p["name"] == "limit").expect("limit");
    assert_eq!(limit["schema"]["maximum"], 1000);
    let sort = params.iter().find(|p| p["name"] == "sort").expect("sort");
    assert_eq!(
        sort["schema"]["enum"],
        json!(["relevance", "date", "-date"])
    );
}

#[test]
fn search_gives_hits_total_and_facets() {
    let all = search("limit=5");
    assert_eq!(all["total"], COUNT as u64 + 1);
    assert_eq!(all["hits"].as_array().map(Vec::len), Some(5));
    let facets = all["facets"].as_object().expect("facets");
    let names: Vec<&str> = facets.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "caveat",
            "classification",
            "origin",
            "precedence",
            "tag",
            "year"
        ]
    );
    let by_class: u64 = facets["classification"]
        .as_object()
        .expect("classification facet")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(by_class, COUNT as u64 + 1, "every cable has a level");

    // limit=0: counts only.
    let counts = search("limit=0");
    assert_eq!(counts["total"], all["total"]);
    assert_eq!(counts["hits"], json!([]));
    assert_eq!(counts["facets"], all["facets"]);

    // The one cable with the word, with highlights inside its snippet.
    let one = search(&format!("q={XSS_WORD}"));
    assert_eq!(one["total"], 1);
    let hit = &one["hits"][0];
    assert_eq!(hit["id"], XSS_ID);
    let snippet = hit["snippet"].as_str().expect("snippet");
    let highlights = hit["highlights"].as_array().expect("highlights");
    assert!(!highlights.is_empty());
    for h in highlights {
        let (s, e) = (
            h[0].as_u64().unwrap_or(0) as usize,
            h[1].as_u64().unwrap_or(0) as usize,
        );
        assert_eq!(
            snippet.get(s..e).map(str::to_lowercase),
            Some(XSS_WORD.into())
        );
    }

    // A field query: its total agrees with its facet.
    let prel = search("q=tag:PREL&limit=0");
    let n = prel["total"].as_u64().unwrap_or(0);
    assert!(n > 0 && n < COUNT as u64);
    assert_eq!(prel["facets"]["tag"]["PREL"], n);
}

#[test]
fn search_sorts_and_pages() {
    let dates = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["date"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let asc = search("sort=date&limit=50");
    let d = dates(&asc);
    assert_eq!(d.len(), 50);
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "oldest first: {d:?}");
    let desc = search("sort=-date&limit=50");
    let d = dates(&desc);
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "newest first: {d:?}");

    let ids = |v: &Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let first = ids(&search("sort=-date&limit=20"));
    let second = ids(&search("sort=-date&limit=10&offset=10"));
    assert_eq!(first[10..], second[..]);
    // Past the end: no hits, the same total.
    let past = search("offset=100000&limit=1000");
    assert_eq!(past["hits"], json!([]));
    assert_eq!(past["total"], COUNT as u64 + 1);
    let max = search("limit=1000");
    assert_eq!(max["hits"].as_array().map(Vec::len), Some(COUNT + 1));
}

#[test]
fn bad_paging_is_400_json() {
    for query in [
        "limit=1001",
        "offset=100001",
        "limit=-1",
        "offset=-5",
        "limit=abc",
        "limit=",
        "limit=1e3",
        "limit=18446744073709551616",
        "sort=bogus",
        "sort=DATE",
    ] {
        let a = get(&format!("/api/search?{query}"));
        error(&a, 400, "bad-request");
        checked("/api/search", &a);
    }
    let a = get("/api/timeline?interval=week");
    error(&a, 400, "bad-request");
    checked("/api/timeline", &a);
    let a = get("/api/export?format=xml");
    error(&a, 400, "bad-request");
    checked("/api/export", &a);
}

#[test]
fn bad_queries_are_400_with_their_position() {
    for (q, start) in [
        ("tag:PREL )", 9),
        ("\"unclosed", 0),
        ("(tag:PREL", 0),
        ("tag:", 0),
    ] {
        for endpoint in ["/api/search", "/api/timeline", "/api/export"] {
            let a = get(&format!("{endpoint}?q={}", enc(q)));
            let v = error(&a, 400, "bad-query");
            checked(endpoint, &a);
            let pos = &v["error"]["position"];
            assert_eq!(pos["start"], start, "{q} on {endpoint}: {v}");
            assert!(pos["end"].as_u64() >= pos["start"].as_u64(), "{v}");
            assert!(v["error"]["kind"].is_string(), "{v}");
        }
    }
    // An unknown field: with a suggestion.
    let a = get(&format!("/api/search?q={}", enc("frm:ISLAMABAD")));
    let v = error(&a, 400, "bad-query");
    assert_eq!(v["error"]["kind"], "unknown-field");
    assert_eq!(v["error"]["position"], json!({"start": 0, "end": 3}));
    assert_eq!(v["error"]["suggestion"], "from");
    // cited-by: an id the archive does not hold is a mistake in the query, not a 404.
    let a = get(&format!("/api/search?q={}", enc("cited-by:99NOWHERE1")));
    error(&a, 400, "bad-query");
}

#[test]
fn a_cable_is_served_as_cables_show_json_gives_it() {
    let exported = cable_with_references();
    let id = exported["id"].as_str().expect("id");
    let a = get(&format!("/api/cables/{id}"));
    assert_eq!(a.status, 200, "{}", a.body);
    let v = checked("/api/cables/{id}", &a);
    assert_eq!(v["id"], id);
    assert_eq!(v["version"], exported["version"]);
    assert_eq!(v["subject"], exported["subject"]);
    assert_eq!(v["paragraphs"], exported["paragraphs"]);
    assert!(v.get("text").is_none(), "the text is served by /raw");
    // Each reference says whether the archive holds the cable it names.
    let graph = checked(
        "/api/cables/{id}/graph",
        &get(&format!("/api/cables/{id}/graph")),
    );
    let refs = v["references"].as_array().expect("references");
    let cites = graph["cites"].as_array().expect("cites");
    assert_eq!(refs.len(), cites.len());
    let mut held = 0;
    for (r, c) in refs.iter().zip(cites) {
        assert_eq!(r["id"], c["id"]);
        if r["id"].is_null() {
            assert!(r["in_archive"].is_null());
        } else {
            assert_eq!(r["in_archive"], c["in_archive"]);
            let status = get(&format!("/api/cables/{}", r["id"].as_str().unwrap_or(""))).status;
            assert_eq!(status == 200, c["in_archive"] == true);
            held += usize::from(c["in_archive"] == true);
        }
    }
    assert!(held > 0);
    assert_eq!(v["cited_by"], graph["cited_by"]);
    // Ids are case-insensitive, as on the command line.
    let lower = get(&format!("/api/cables/{}", id.to_lowercase()));
    assert_eq!(lower.status, 200);
    assert_eq!(lower.json(), v);
    // A cable someone cites lists them.
    let cited = cites
        .iter()
        .find(|c| c["in_archive"] == true)
        .and_then(|c| c["id"].as_str())
        .expect("a held citation");
    let target = checked("/api/cables/{id}", &get(&format!("/api/cables/{cited}")));
    assert!(target["cited_by"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|n| n["id"] == id));
}

#[test]
fn every_cable_validates_against_the_schema() {
    // The cable schema is written by hand (the parse is cable-format's): every cable in the
    // archive must match it.
    for c in export_all() {
        let id = c["id"].as_str().expect("id");
        let a = get(&format!("/api/cables/{id}"));
        assert_eq!(a.status, 200);
        checked("/api/cables/{id}", &a);
    }
}

#[test]
fn raw_is_the_original_text() {
    let a = get(&format!("/api/cables/{XSS_ID}/raw"));
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "text/plain; charset=utf-8");
    assert_eq!(a.header("x-content-type-options"), "nosniff");
    assert_eq!(a.body, XSS_TEXT);
    let generated = cable_with_references();
    let a = get(&format!(
        "/api/cables/{}/raw",
        generated["id"].as_str().unwrap_or_default()
    ));
    assert_eq!(a.status, 200);
    assert_eq!(a.body, generated["text"].as_str().unwrap_or_default());
}

#[test]
fn versions_list_the_ledger() {
    let a = get(&format!("/api/cables/{XSS_ID}/versions"));
    assert_eq!(a.status, 200);
    let v = checked("/api/cables/{id}/versions", &a);
    assert_eq!(v["id"], XSS_ID);
    assert_eq!(v["current"], 0);
    let versions = v["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 1);
    assert_eq!(versions[0]["hash"], v["current_version"]);
    assert_eq!(versions[0]["source"]["container"], "text");
    assert_eq!(versions[0]["partial"], false);
    let show = get(&format!("/api/cables/{XSS_ID}")).json();
    assert_eq!(show["version"], v["current_version"]);

    let generated = cable_with_references()["id"].as_str().unwrap_or_default();
    let v = checked(
        "/api/cables/{id}/versions",
        &get(&format!("/api/cables/{generated}/versions")),
    );
    assert_eq!(v["versions"][0]["source"]["container"], "generated");
}

#[test]
fn the_graph_serves_placeholders() {
    let a = get(&format!("/api/cables/{XSS_ID}/graph"));
    let g = checked("/api/cables/{id}/graph", &a);
    assert_eq!(g["in_archive"], true);
    let placeholder = g["cites"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["in_archive"] == false && c["id"].is_string())
        .and_then(|c| c["id"].as_str())
        .expect("a cited cable the archive does not hold")
        .to_string();
    let a = get(&format!("/api/cables/{placeholder}/graph"));
    assert_eq!(a.status, 200);
    let p = checked("/api/cables/{id}/graph", &a);
    assert_eq!(p["id"], placeholder.as_str());
    assert_eq!(p["in_archive"], false);
    assert_eq!(p["cites"], json!([]));
    assert!(p["cited_by"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|n| n["id"] == XSS_ID));
    // The placeholder is not a cable: 404 on the cable's own endpoints.
    for suffix in ["", "/raw", "/versions"] {
        let a = get(&format!("/api/cables/{placeholder}{suffix}"));
        error(&a, 404, "not-found");
        checked(&format!("/api/cables/{{id}}{suffix}"), &a);
    }
}

#[test]
fn unknown_ids_are_404_json() {
    for suffix in ["", "/raw", "/versions", "/graph"] {
        let a = get(&format!("/api/cables/99NOWHERE1{suffix}"));
        let v = error(&a, 404, "not-found");
        checked(&format!("/api/cables/{{id}}{suffix}"), &a);
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains("99NOWHERE1"),
            "{v}"
        );
    }
}

#[test]
fn export_streams_every_match() {
    for q in ["", "tag:PREL", "class>=C", XSS_WORD] {
        let total = search(&format!("q={}&limit=0", enc(q)))["total"]
            .as_u64()
            .expect("total");
        let a = get(&format!("/api/export?q={}", enc(q)));
        assert_eq!(a.status, 200);
        assert_eq!(a.content_type, "application/x-ndjson");
        assert_eq!(
            a.header("content-disposition"),
            "attachment; filename=\"cables.jsonl\""
        );
        assert_eq!(a.header("x-total-count"), total.to_string());
        let lines: Vec<Value> = a
            .body
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect();
        assert_eq!(lines.len() as u64, total, "jsonl lines for {q:?}");
        let ids: BTreeSet<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
        assert_eq!(ids.len() as u64, total, "distinct ids");
        for l in &lines {
            assert!(l["version"].is_string() && l["text"].is_string());
        }

        let a = get(&format!("/api/export?q={}&format=csv", enc(q)));
        assert_eq!(a.status, 200);
        assert_eq!(a.content_type, "text/csv; charset=utf-8");
        assert_eq!(
            a.header("content-disposition"),
            "attachment; filename=\"cables.csv\""
        );
        let mut reader = csv::Reader::from_reader(a.body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, cable_archive::CSV_COLUMNS);
        let mut rows = 0;
        for r in reader.records() {
            r.expect("a CSV row");
            rows += 1;
        }
        assert_eq!(rows as u64, total, "csv rows for {q:?}");
    }
    // The export carries the original text, markup and all, as data.
    let a = get(&format!("/api/export?q={XSS_WORD}"));
    let line: Value = serde_json::from_str(a.body.trim()).expect("one line");
    assert_eq!(line["text"], XSS_TEXT);
}

#[test]
fn export_is_read_as_a_stream() {
    // Read the whole archive's export through a reader, a small buffer at a time.
    let url = format!("{}/api/export?format=csv", fixture().base);
    let mut resp = agent().get(&url).call().expect("request");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.headers().get("content-length").is_none(), "streamed");
    let mut reader = resp.body_mut().with_config().limit(u64::MAX).reader();
    let mut buf = [0u8; 1024];
    let mut bytes = 0usize;
    loop {
        let n = reader.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        bytes += n;
    }
    assert!(bytes > 64 * 1024, "more than one chunk ({bytes} bytes)");
}

#[test]
fn timeline_counts_by_month_and_year() {
    let months = checked("/api/timeline", &get("/api/timeline"));
    let years = checked("/api/timeline", &get("/api/timeline?interval=year"));
    let sum = |v: &Value| -> u64 {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["count"].as_u64())
            .sum()
    };
    let dated = export_all()
        .iter()
        .filter(|c| c["date"].is_string())
        .count() as u64;
    assert_eq!(sum(&months), dated);
    assert_eq!(sum(&years), dated);
    let periods = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|e| e["period"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let m = periods(&months);
    assert!(m.windows(2).all(|w| w[0] < w[1]), "oldest first, distinct");
    assert!(
        m.iter().all(|p| p.len() == 7 && p.as_bytes()[4] == b'-'),
        "{m:?}"
    );
    assert!(m.contains(&"1975-08".to_string()), "the 1975 cable: {m:?}");
    let y = periods(&years);
    assert!(y.iter().all(|p| p.len() == 4), "{y:?}");
    // A query narrows it.
    let one = checked(
        "/api/timeline",
        &get(&format!("/api/timeline?q={XSS_WORD}&interval=year")),
    );
    assert_eq!(one, json!([{"period": "1975", "count": 1}]));
}

#[test]
fn stats_count_the_archive() {
    let v = checked("/api/stats", &get("/api/stats"));
    assert_eq!(v["cables"], COUNT as u64 + 1);
    assert_eq!(v["versions"], COUNT as u64 + 1);
    let by_year: u64 = v["by_year"]
        .as_object()
        .expect("by_year")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(by_year, COUNT as u64 + 1);
    assert!(v["schema_version"].is_string());
}

#[test]
fn unknown_api_paths_are_404_json() {
    for path in [
        "/api/nope",
        "/api/cables",
        "/api/cables/09PARTO13/nope",
        "/api/search/more",
        "/api/openapi.yaml",
    ] {
        error(&get(path), 404, "not-found");
    }
}

#[test]
fn wrong_methods_are_405_json() {
    let agent = agent();
    let base = &fixture().base;
    for (method, path) in [
        ("POST", "/api/search"),
        ("DELETE", "/api/cables/09PARTO13"),
        ("PUT", "/api/stats"),
        ("POST", "/api/openapi.json"),
    ] {
        let url = format!("{base}{path}");
        let resp = match method {
            "POST" => agent.post(&url).send_empty(),
            "PUT" => agent.put(&url).send_empty(),
            _ => agent.delete(&url).call(),
        }
        .expect("request");
        let a = answer(resp);
        let v = error(&a, 405, "method-not-allowed");
        assert!(
            v["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .contains(method),
            "{v}"
        );
        assert!(a.header("allow").contains("GET"), "Allow header kept");
    }
}

/// One HTTP/1.1 exchange over a raw socket, request written in one piece: (status, body).
fn raw_exchange(request: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(fixture().addr).expect("connect");
    s.write_all(request).expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn oversized_bodies_are_413_json() {
    for method in ["POST", "GET"] {
        let body = vec![b'x'; MAX_BODY * 2];
        let mut req = format!(
            "{method} /api/search HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             Content-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend_from_slice(&body);
        let (status, body) = raw_exchange(&req);
        assert_eq!(status, 413, "{body}");
        let v: Value = serde_json::from_str(&body).expect("JSON body");
        validate(
            &json!({"$ref": "#/components/schemas/ErrorBody"}),
            &v,
            "413",
        );
        assert_eq!(v["error"]["code"], "too-large");
    }
    // The same request within the limit is answered normally.
    let (status, _) = raw_exchange(
        b"GET /api/stats HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 10\r\n\r\n0123456789",
    );
    assert_eq!(status, 200);
}

#[test]
fn the_api_page_documents_every_endpoint() {
    let a = get("/api");
    assert_eq!(a.status, 200);
    assert!(
        a.content_type.starts_with("text/html"),
        "{}",
        a.content_type
    );
    let html = &a.body;
    for (path, item) in doc()["paths"].as_object().expect("paths") {
        assert!(html.contains(path.as_str()), "{path} on the page");
        for p in item["get"]["parameters"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default();
            assert!(
                html.contains(&format!("<code>{name}</code>")),
                "{path}: {name}"
            );
        }
    }
    assert!(html.contains("curl &#x27;http://"), "curl examples");
    assert!(html.contains("/api/openapi.json"));
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("src=\"http"), "no other host");
    // Every curl example works.
    let examples: Vec<String> = html
        .match_indices("<pre>curl &#x27;")
        .map(|(i, _)| {
            let rest = &html[i + "<pre>curl &#x27;".len()..];
            rest[..rest.find("&#x27;").unwrap_or(0)].replace("&amp;", "&")
        })
        .collect();
    assert_eq!(examples.len(), 8);
    for url in examples {
        let path = &url[url.find("/api").expect("an API URL")..];
        let status = get(path).status;
        // The example id (09PARTO13) is not in this generated archive.
        assert!(status == 200 || status == 404, "{path}: {status}");
    }
}

#[test]
fn markup_in_a_cable_is_only_ever_data() {
    let a = get(&format!("/api/cables/{XSS_ID}"));
    let v = checked("/api/cables/{id}", &a);
    assert_eq!(a.header("content-type"), "application/json");
    assert_eq!(v["id"], XSS_ID);
    // Search results carry it as JSON strings.
    let hits = search(&format!("q={XSS_WORD}"));
    assert_eq!(hits["hits"][0]["id"], XSS_ID);
}

#[test]
fn hostile_requests_get_4xx_not_a_crash() {
    let deep = format!("{}x{}", "(".repeat(500), ")".repeat(500));
    let long_id = "A".repeat(4000);
    let cases = [
        "/api/cables/%FF%FE".to_string(),
        format!("/api/cables/{long_id}"),
        format!("/api/cables/{long_id}/graph"),
        "/api/cables/%20%20".to_string(),
        "/api/cables/..%2F..%2Fetc%2Fpasswd/raw".to_string(),
        format!("/api/search?q={}", enc(&deep)),
        format!("/api/search?q={}", enc(&"x ".repeat(3000))),
        "/api/search?q=%00".to_string(),
        "/api/search?q=%FF".to_string(),
        "/api/search?q=*".to_string(),
        "/api/search?q=a*&limit=1000".to_string(),
        "/api/search?limit=1&limit=2".to_string(),
        "/api/timeline?q=%22%22".to_string(),
        format!("/api/export?q={}", enc("-(-(-x))")),
    ];
    for path in cases {
        let a = get(&path);
        assert!(
            a.status < 500,
            "{path}: {} {}",
            a.status,
            a.body.chars().take(300).collect::<String>()
        );
        if a.status >= 400 {
            let v = a.json();
            assert!(v["error"]["code"].is_string(), "{path}: {v}");
        }
    }
    assert_eq!(get("/api/stats").status, 200, "still serving");
}
