//! The leak test of issue 5: the canary cables of `cable_testdata::access` served in
//! controlled mode, read by each of the four readers (the anonymous public, CONFIDENTIAL,
//! SECRET, SECRET//NOFORN) through EVERY route of the server's route table — the table the
//! router is built from, so that a new route cannot be left out — with every cable id and a
//! missing one in the path, and every canary word, an empty query and citation queries as the
//! query.
//!
//! No answer (JSON, HTML, CSV, JSON lines, raw text, error) may carry a canary the oracle says
//! the reader may not see, nor the source path of a cable; everything the reader may see is
//! found; counts, totals, facets and histograms count exactly the cables the reader may see;
//! and a cable the reader may see nothing of answers like a cable that is not there. Every
//! JSON answer is validated against the schema the server's OpenAPI document gives for it, so
//! that the redacted shapes (`withheld`, `release`, a null subject, no source path, no
//! version count) are documented.

mod common;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use cable_archive::AccessMode;
use cable_server::{route_table, RouteSpec};
use cable_testdata::access::{TestReader, CANARIES, CITED, IDS, READERS};
use common::{enc, Answer, Req, Server};
use serde_json::Value;

/// The caveats on the fixture's banners and the cables that carry them.
const CAVEAT_BANNERS: [(&str, &[&str]); 2] = [
    ("NOFORN", &["09OSLO101", "09OSLO106"]),
    ("NODIS", &["09OSLO102"]),
];

/// An id the archive does not hold (nor does any cable cite it).
const MISSING: &str = "09OSLO199";

/// The queries every route is sent with: none, each canary word, citation queries.
fn queries() -> Vec<String> {
    let mut q = vec![String::new()];
    q.extend(CANARIES.iter().map(|c| c.word.to_string()));
    q.push(format!("cited-by:{CITED}"));
    q.push(format!("cites:{CITED}"));
    q.push("cited-by:09OSLO101".to_string());
    q
}

/// The requests for one route: its path parameters filled with every fixture id and a missing
/// one (other parameters with a plain value), the query variants on routes without parameters.
fn requests(route: &RouteSpec) -> Vec<(String, Option<&'static str>, Option<String>)> {
    let mut out = Vec::new();
    if route.path.contains("{id}") {
        for id in IDS.into_iter().chain([MISSING]) {
            out.push((route.path.replace("{id}", id), Some(id), None));
        }
        return out;
    }
    if route.path.contains('{') {
        let base = route.path.split('{').next().unwrap_or_default();
        let fill = if base.starts_with("/assets") {
            "style.css"
        } else {
            "nope"
        };
        out.push((format!("{base}{fill}"), None, None));
        return out;
    }
    for q in queries() {
        out.push((
            format!("{}?q={}", route.path, enc(&q)),
            None,
            Some(q.clone()),
        ));
        if route.path == "/api/export" {
            out.push((
                format!("{}?q={}&format=csv", route.path, enc(&q)),
                None,
                Some(q.clone()),
            ));
        }
    }
    out
}

/// No canary above `reader`'s view in `a`, nor a source path. An HTML page may echo the
/// query the reader typed (the search box, links): that word is left to the hit checks.
fn check_no_leak(s: &Server, reader: &TestReader, what: &str, a: &Answer, typed: Option<&str>) {
    let body = a.body.to_lowercase();
    let html = a.content_type().starts_with("text/html");
    for c in CANARIES.iter().filter(|c| !reader.sees(c)) {
        if html && typed.is_some_and(|t| t.to_lowercase().contains(c.word)) {
            continue;
        }
        assert!(
            !body.contains(c.word),
            "{}: {what} ({}) leaks {} of {}:\n{}",
            reader.name,
            a.status,
            c.word,
            c.id,
            a.body
        );
    }
    let files = s.files.display().to_string();
    assert!(
        !a.body.contains(&files),
        "{}: {what} shows the source path",
        reader.name
    );
    for h in ["x-total-count", "content-disposition", "location"] {
        let v = a.header(h).to_lowercase();
        assert!(
            CANARIES
                .iter()
                .all(|c| reader.sees(c) || !v.contains(c.word)),
            "{}: {what}: header {h} leaks: {v}",
            reader.name
        );
    }
}

/// Validate a JSON answer of `method route.path` against the schema the OpenAPI document
/// gives for its status, when it gives one.
fn check_schema(doc: &Value, route: &RouteSpec, what: &str, a: &Answer) {
    if !a.content_type().starts_with("application/json") {
        return;
    }
    let op = &doc["paths"][route.path][route.method.to_lowercase()];
    let schema =
        &op["responses"][a.status.as_u16().to_string()]["content"]["application/json"]["schema"];
    if !schema.is_object() {
        return;
    }
    let mut root = schema.clone();
    if let Value::Object(map) = &mut root {
        map.insert("components".into(), doc["components"].clone());
    }
    let validator = jsonschema::validator_for(&root)
        .unwrap_or_else(|e| panic!("{what}: the schema does not compile: {e}"));
    let instance = a.json();
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .take(5)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the answer does not match its schema:\n{}\n{}",
        errors.join("\n"),
        a.body
    );
}

/// The ids of the hits of an HTML results page.
fn page_hits(body: &str) -> BTreeSet<String> {
    body.split("class=\"hit-id\" href=\"/cables/")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The total an HTML results page states.
fn page_total(body: &str) -> Option<u64> {
    let rest = body.split("<p class=\"count\"><strong>").nth(1)?;
    rest.split('<').next()?.trim().parse().ok()
}

fn sum(v: &Value) -> u64 {
    v.as_object()
        .map(|m| m.values().filter_map(Value::as_u64).sum())
        .unwrap_or(0)
}

/// The counts of `a` (answering `uri` with query `q`) agree with the oracle.
fn check_counts(reader: &TestReader, uri: &str, q: &str, a: &Answer) {
    let who = reader.name;
    let expected: Option<BTreeSet<&str>> = if q.is_empty() {
        Some(reader.visible_cables())
    } else if CANARIES.iter().any(|c| c.word == q) {
        Some(reader.finds(q))
    } else if q == format!("cites:{CITED}") {
        Some(
            ["09OSLO101"]
                .into_iter()
                .filter(|id| reader.sees_cable(id))
                .collect(),
        )
    } else {
        None
    };
    let Some(expected) = expected else {
        return;
    };
    let n = expected.len() as u64;
    let path = uri.split('?').next().unwrap_or_default();
    match path {
        "/api/search" => {
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}: {}", a.body);
            let v = a.json();
            assert_eq!(v["total"], n, "{who}: {uri}: total");
            let ids: BTreeSet<&str> = v["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["id"].as_str())
                .collect();
            assert_eq!(ids, expected, "{who}: {uri}: hits");
            for facet in ["classification", "year"] {
                assert_eq!(sum(&v["facets"][facet]), n, "{who}: {uri}: facet {facet}");
            }
            // The fixture's cables share their TAGS, origin and precedence: each value counts
            // every matched cable. Caveats count the matched cables whose banner carries them.
            for facet in ["tag", "origin", "precedence"] {
                let counts = v["facets"][facet].as_object().cloned().unwrap_or_default();
                assert_eq!(counts.is_empty(), n == 0, "{who}: {uri}: facet {facet}");
                for (value, count) in &counts {
                    assert_eq!(count, n, "{who}: {uri}: facet {facet} {value}");
                }
            }
            for (caveat, on) in CAVEAT_BANNERS {
                let want = expected.iter().filter(|id| on.contains(id)).count() as u64;
                let got = v["facets"]["caveat"][caveat].as_u64().unwrap_or(0);
                assert_eq!(got, want, "{who}: {uri}: facet caveat {caveat}");
            }
            let caveats = v["facets"]["caveat"].as_object().map_or(0, |m| m.len());
            assert!(
                caveats <= CAVEAT_BANNERS.len(),
                "{who}: {uri}: {}",
                v["facets"]
            );
        }
        "/api/timeline" => {
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}: {}", a.body);
            let total: u64 = a
                .json()
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["count"].as_u64())
                .sum();
            assert_eq!(total, n, "{who}: {uri}: timeline");
        }
        "/api/export" => {
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}: {}", a.body);
            assert_eq!(a.header("x-total-count"), n.to_string(), "{who}: {uri}");
            let ids: BTreeSet<String> = if uri.contains("format=csv") {
                let mut r = csv::Reader::from_reader(a.body.as_bytes());
                let headers = r.headers().expect("csv header").clone();
                let col = headers.iter().position(|h| h == "id").expect("id column");
                r.records()
                    .map(|rec| rec.expect("csv row")[col].to_string())
                    .collect()
            } else {
                a.body
                    .lines()
                    .map(|l| {
                        let v: Value = serde_json::from_str(l).expect("json line");
                        v["id"].as_str().unwrap_or_default().to_string()
                    })
                    .collect()
            };
            let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
            assert_eq!(ids, want, "{who}: {uri}: exported cables");
        }
        "/search" => {
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}");
            assert_eq!(page_total(&a.body), Some(n), "{who}: {uri}: total");
            let want: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
            assert_eq!(page_hits(&a.body), want, "{who}: {uri}: hits");
        }
        "/api/stats" if q.is_empty() => {
            let v = a.json();
            assert_eq!(v["cables"], n, "{who}: stats cables");
            assert!(v["versions"].is_null(), "{who}: versions count the archive");
            assert_eq!(sum(&v["by_classification"]), n, "{who}: stats levels");
            assert_eq!(sum(&v["by_year"]), n, "{who}: stats years");
        }
        _ => {}
    }
}

/// A cable `reader` may not see answers like `MISSING`: same status, same body but the id.
fn check_like_missing(reader: &TestReader, uri: &str, id: &str, a: &Answer, missing: &Answer) {
    let who = reader.name;
    if id == CITED && reader.sees_cable("09OSLO101") {
        // Cited by a cable the reader sees: a placeholder, as for a cited cable not held.
        if uri.ends_with("/graph") {
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}");
            let v = a.json();
            assert_eq!(v["in_archive"], false, "{who}: {uri}: a placeholder");
            assert_eq!(v["cites"], Value::Array(vec![]), "{who}: {uri}");
        } else {
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{who}: {uri}");
        }
        return;
    }
    assert_eq!(a.status, missing.status, "{who}: {uri} vs a missing cable");
    assert_eq!(
        a.body.replace(id, MISSING),
        missing.body,
        "{who}: {uri} answers unlike a missing cable"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_leaks_and_everything_visible_is_found() {
    let s = common::server(AccessMode::Controlled);
    let routes = route_table();
    assert!(routes.len() >= 15, "the route table: {routes:?}");
    let doc = s.get("/api/openapi.json", None).await.json();
    let mut requests_sent = 0;
    let mut validated = 0;
    for reader in READERS {
        let token = s.token(reader.name);
        let seen = reader.visible_cables();
        for route in &routes {
            for (uri, id, q) in requests(route) {
                let a = if route.method == "POST" {
                    s.send(Req::post_form(&uri, "").token(token)).await
                } else {
                    s.get(&uri, token).await
                };
                requests_sent += 1;
                let what = format!("{} {uri}", route.method);
                assert!(
                    !a.status.is_server_error(),
                    "{}: {what}: {}",
                    reader.name,
                    a.body
                );
                check_no_leak(&s, &reader, &what, &a, q.as_deref());
                if doc["paths"][route.path].is_object() {
                    check_schema(&doc, route, &format!("{}: {what}", reader.name), &a);
                    validated += 1;
                }
                if route.method == "POST" {
                    assert_eq!(a.status, StatusCode::FORBIDDEN, "{what} without CSRF");
                    continue;
                }
                if let Some(q) = &q {
                    check_counts(&reader, &uri, q, &a);
                }
                if let Some(id) = id {
                    if id != MISSING && !seen.contains(id) {
                        let missing = s.get(&uri.replace(id, MISSING), token).await;
                        check_like_missing(&reader, &uri, id, &a, &missing);
                    } else if id != MISSING {
                        assert_eq!(a.status, StatusCode::OK, "{}: {what}", reader.name);
                    }
                }
            }
        }
        check_found(&s, &reader).await;
    }
    assert!(requests_sent > 500, "{requests_sent} requests");
    assert!(validated > 100, "{validated} answers validated");
}

/// Every canary `reader` may see is found: by a search, in the cable's JSON, page and text.
async fn check_found(s: &Server, reader: &TestReader) {
    let token = s.token(reader.name);
    let who = reader.name;
    for c in CANARIES.iter().filter(|c| reader.sees(c)) {
        let a = s
            .get(&format!("/api/search?q={}&limit=100", c.word), token)
            .await;
        let v = a.json();
        let ids: Vec<&str> = v["hits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["id"].as_str())
            .collect();
        assert!(
            ids.contains(&c.id),
            "{who}: searching {} finds {}",
            c.word,
            c.id
        );
        for uri in [
            format!("/api/cables/{}", c.id),
            format!("/api/cables/{}/raw", c.id),
            format!("/cables/{}", c.id),
            format!("/api/export?q=id:{}", c.id),
        ] {
            let a = s.get(&uri, token).await;
            assert_eq!(a.status, StatusCode::OK, "{who}: {uri}");
            assert!(
                a.body.to_lowercase().contains(c.word),
                "{who}: {uri} shows {}:\n{}",
                c.word,
                a.body
            );
        }
    }
    // A hidden paragraph is shown as its note on the cable page.
    for id in reader.visible_cables() {
        let doc = s.get(&format!("/api/cables/{id}"), token).await.json();
        let page = s.get(&format!("/cables/{id}"), token).await.body;
        for w in doc["withheld"].as_array().into_iter().flatten() {
            let note = w["note"].as_str().unwrap_or_default();
            let shown = if w["portion"] == "subject" {
                "subject withheld".to_string()
            } else {
                note.to_string()
            };
            assert!(page.contains(&shown), "{who}: /cables/{id} shows {shown:?}");
        }
    }
}

#[tokio::test]
async fn the_openapi_paths_are_routes() {
    let s = common::server(AccessMode::Controlled);
    let doc = s.get("/api/openapi.json", None).await.json();
    let table = route_table();
    let paths = doc["paths"].as_object().expect("paths");
    assert!(!paths.is_empty());
    for (path, item) in paths {
        for method in item.as_object().expect("path item").keys() {
            let m = method.to_uppercase();
            if Method::from_bytes(m.as_bytes()).is_err() {
                continue;
            }
            assert!(
                table.iter().any(|r| r.path == path && r.method == m),
                "{m} {path} is documented but not in the route table"
            );
        }
    }
}

#[tokio::test]
async fn the_release_and_withheld_portions_are_shown() {
    let s = common::server(AccessMode::Controlled);
    let (id, paragraph, exemption) = cable_testdata::access::RELEASED;
    let page = s.get(&format!("/cables/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Released to"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("paragraph {paragraph} (exemption {exemption})")),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(&format!("paragraph {paragraph} withheld")));
    // The public sees OSLO101's (U) subject and first paragraph, not paragraph 2 (SBU).
    let page = s.get("/cables/09OSLO101", None).await.body;
    assert!(page.contains("paragraph 2 withheld (SBU)"), "{page}");
    // OSLO102's subject is SECRET: CONFIDENTIAL sees the cable with the subject withheld.
    let doc = s.get("/api/cables/09OSLO102", s.token("conf")).await.json();
    assert!(doc["subject"].is_null());
    let page = s.get("/cables/09OSLO102", s.token("conf")).await.body;
    assert!(page.contains("subject withheld"), "{page}");
}
