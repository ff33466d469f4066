//! The HTML pages over HTTP: a real server on a free loopback port over a temporary archive of
//! 300 generated cables and one hostile corpus cable (a `<script>` and an `<img onerror>` in a
//! paragraph and the subject). Checks status codes, escaping on every page the hostile cable
//! appears on, facet links (their counts are exact: following one gives that many results), the
//! histogram, paging, and that no page or asset refers to another host.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;

use cable_archive::{Archive, SearchOptions};
use cable_server::ServerOptions;

const SEED: u64 = 4;
const COUNT: usize = 300;
const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "<img src=x onerror=alert(1)>";

/// A running server and what the tests need to know about its archive.
struct Fixture {
    addr: SocketAddr,
    /// The corpus cable with hostile markup in its text.
    hostile: String,
    /// A generated cable whose REF list cites another in the archive, and that one.
    citing: String,
    cited: String,
    /// An id cables cite that the archive does not hold.
    placeholder: String,
    /// Whether the hostile cable is among the stats page's examples of a diagnostic.
    hostile_on_stats: bool,
    _dir: tempfile::TempDir,
}

fn generated() -> impl Iterator<Item = Result<cable_sources::RawCable, cable_sources::SourceError>>
{
    cable_synth::generate(SEED, COUNT).into_raw_cables().map(Ok)
}

/// A corpus cable with the hostile markup inserted at the end of its first paragraph and after
/// `SUBJECT:`. Prefers a cable carrying a diagnostic no generated cable has, so that it is among
/// the stats page's examples.
fn hostile_text(shared: &std::path::Path) -> (String, String) {
    let generated_codes: std::collections::BTreeSet<String> = cable_synth::generate(SEED, COUNT)
        .flat_map(|c| cable_format::parse(c.text.as_bytes()).diagnostics)
        .map(|d| d.code)
        .collect();
    let mut first = None;
    for (_, path) in cable_testdata::corpus_files(shared) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let cable = cable_format::parse(&bytes);
        // Spans point into the decoded text.
        let text = &cable.text;
        let (Some(p), Some(subject_at)) = (cable.paragraphs.first(), text.find("SUBJECT: ")) else {
            continue;
        };
        let end = p.span.end;
        if cable.id.is_none() || end <= subject_at || !text.is_char_boundary(end) {
            continue;
        }
        let subject_at = subject_at + "SUBJECT: ".len();
        let hostile = format!(
            "{}{SCRIPT} {} {SCRIPT} & {IMG} {}",
            &text[..subject_at],
            &text[subject_at..end],
            &text[end..]
        );
        let parsed = cable_format::parse(hostile.as_bytes());
        let Some(id) = parsed.id.clone() else {
            continue;
        };
        let rare = parsed
            .diagnostics
            .iter()
            .any(|d| !generated_codes.contains(&d.code));
        if rare {
            return (id, hostile);
        }
        first.get_or_insert((id, hostile));
    }
    first.expect("a corpus cable with a paragraph and a subject")
}

fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE
        .get_or_init(|| {
            let shared = cable_testdata::require_shared("cable-server pages")?;
            Some(start(&shared))
        })
        .as_ref()
}

fn start(shared: &std::path::Path) -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut archive = Archive::open(&data).expect("open archive");
    let summary = archive
        .ingest_stream(generated(), &mut |_| {})
        .expect("ingest generated");
    assert_eq!(summary.new, COUNT as u64);

    let (hostile, text) = hostile_text(shared);
    let file: PathBuf = dir.path().join(format!("{hostile}.txt"));
    std::fs::write(&file, &text).expect("write hostile cable");
    archive
        .ingest(&[file], &mut |_| {})
        .expect("ingest hostile cable");
    let owner = cable_archive::View::owner();
    assert!(archive.get(&hostile, &owner).expect("get").is_some());

    // A citation inside the archive, and one to a cable it does not hold.
    let mut pair = None;
    let mut placeholder = None;
    for c in cable_synth::generate(SEED, COUNT) {
        let graph = archive
            .graph(&c.id, &owner)
            .expect("graph")
            .expect("in archive");
        for cite in &graph.cites {
            match (&cite.id, cite.in_archive) {
                (Some(id), true) if pair.is_none() => pair = Some((c.id.clone(), id.clone())),
                (Some(id), false) if placeholder.is_none() => placeholder = Some(id.clone()),
                _ => {}
            }
        }
        if pair.is_some() && placeholder.is_some() {
            break;
        }
    }
    let (citing, cited) = pair.expect("a generated cable citing another");
    let placeholder = placeholder.expect("a generated cable citing one outside the set");
    let stats = archive.stats(&owner).expect("stats");
    let hostile_on_stats = stats.diagnostics.keys().any(|code| {
        archive
            .with_diagnostic(code, 3, &owner)
            .expect("examples")
            .iter()
            .any(|n| n.id == hostile)
    });
    // The free-text search the hostile cable is found by must find it on the first page.
    let q = cable_query::parse("alert").expect("query");
    let found = archive
        .search(&q, &SearchOptions::default(), &owner)
        .expect("search");
    assert!(found.hits.iter().any(|h| h.id == hostile));

    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let opts = ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Default::default()
        };
        // Runs for the rest of the test process.
        rt.block_on(cable_server::serve(
            archive,
            opts,
            move |addr| {
                let _ = tx.send(addr);
            },
            std::future::pending(),
        ))
        .expect("serve");
    });
    let addr = rx.recv().expect("the server reports its address");
    Fixture {
        addr,
        hostile,
        citing,
        cited,
        placeholder,
        hostile_on_stats,
        _dir: dir,
    }
}

struct Page {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Page {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn get_with(f: &Fixture, path: &str, if_none_match: Option<&str>) -> Page {
    let url = format!("http://{}{path}", f.addr);
    let mut req = agent().get(&url);
    if let Some(tag) = if_none_match {
        req = req.header("If-None-Match", tag);
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect::<Vec<_>>();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    Page {
        status: resp.status().as_u16(),
        content_type,
        headers,
        body: resp.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn get(f: &Fixture, path: &str) -> Page {
    let page = get_with(f, path, None);
    check_self_contained(path, &page.body);
    page
}

fn html(f: &Fixture, path: &str, status: u16) -> String {
    let page = get(f, path);
    assert_eq!(page.status, status, "GET {path}:\n{}", page.body);
    assert!(
        page.content_type.starts_with("text/html"),
        "GET {path}: content type {}",
        page.content_type
    );
    assert!(page.body.starts_with("<!doctype html>"), "GET {path}");
    page.body
}

/// No reference to another host, and no markup the pages did not write themselves: every
/// link, source and form target is a path on this server, the one script is ours.
fn check_self_contained(path: &str, body: &str) {
    for attr in ["href=", "src=", "action=", "xlink:href="] {
        for quote in ['"', '\''] {
            let pat = format!("{attr}{quote}");
            for (i, _) in body.match_indices(&pat) {
                let value = &body[i + pat.len()..];
                let value = &value[..value.find(quote).unwrap_or(value.len())];
                assert!(
                    value.starts_with('/') || value.starts_with('#') || value.is_empty(),
                    "GET {path}: {attr}{value} is not a path on this server"
                );
                assert!(!value.starts_with("//"), "GET {path}: {value}");
            }
        }
    }
    assert!(!body.contains("url(http"), "GET {path}");
    assert!(!body.contains("@import"), "GET {path}");
    assert_eq!(
        body.matches("<script").count(),
        body.matches("<script src=\"/assets/app.js\" defer></script>")
            .count(),
        "GET {path}: a script element the page did not write"
    );
    assert!(!body.contains(SCRIPT), "GET {path}: unescaped <script>");
    assert!(!body.contains("<img"), "GET {path}: unescaped <img");
}

/// The `href` values inside `<aside class="facets">`, each with the count shown beside it.
fn facet_links(body: &str) -> Vec<(String, u64)> {
    let start = body.find("<aside class=\"facets\"").expect("facet sidebar");
    let end = start + body[start..].find("</aside>").expect("end of sidebar");
    let aside = &body[start..end];
    aside
        .split("<li><a href=\"")
        .skip(1)
        .map(|li| {
            let href = li[..li.find('"').expect("href end")].replace("&#38;", "&");
            let n = li
                .split("<span class=\"n\">")
                .nth(1)
                .and_then(|s| s.split('<').next())
                .and_then(|s| s.parse().ok())
                .expect("count");
            (href, n)
        })
        .collect()
}

fn total(body: &str) -> u64 {
    let at = body.find("<p class=\"count\"><strong>").expect("count") + 25;
    body[at..]
        .split('<')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a total")
}

/// `s` as the templates escape it (askama writes numeric character references: `<` is `&#60;`,
/// the same character as `&lt;`).
fn esc(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '<' | '>' | '&' | '"' | '\'' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn enc(s: &str) -> String {
    cable_server::encode_query_component(s)
}

#[test]
fn front_page_has_the_form_help_and_totals() {
    let Some(f) = fixture() else { return };
    let body = html(f, "/", 200);
    assert!(body.contains("action=\"/search\""));
    assert!(body.contains("name=\"q\""));
    for field in [
        "tag:PREL",
        "from:ISLAMABAD",
        "class&#62;=SECRET",
        "caveat:NOFORN",
        "date:[2009-01-01 TO 2009-06-30]",
        "cites:",
        "cited-by:",
        "has:refs",
        "&#34;nuclear program&#34;",
        "negotiat*",
        "id:",
        "subject:",
    ] {
        assert!(body.contains(field), "cheat-sheet lacks {field}");
    }
    assert!(body.contains(&format!("<strong>{}</strong> cables", COUNT + 1)));
}

#[test]
fn results_have_hits_highlights_facets_histogram_and_paging() {
    let Some(f) = fixture() else { return };
    let body = html(f, "/search?q=", 200);
    assert_eq!(total(&body), COUNT as u64 + 1);
    assert_eq!(body.matches("<li class=\"hit\">").count(), 20);
    assert!(body.contains("<svg class=\"chart\""), "histogram");
    assert!(body.contains("<rect "), "histogram bars");
    assert!(body.contains("<title>"), "bar tooltips");
    assert!(
        body.contains("href=\"/search?q=date%3A"),
        "bars refine by date"
    );
    assert!(body.contains("rel=\"next\" class=\"next\" href=\"/search?q=&#38;offset=20\""));
    assert!(!body.contains("rel=\"prev\""));
    assert!(body.contains("href=\"/api/export?q=&#38;format=csv\""));
    assert!(body.contains("href=\"/api/export?q=&#38;format=jsonl\""));
    assert!(body.contains(&format!("Export all {} results", COUNT + 1)));

    let second = html(f, "/search?q=&offset=20&sort=-date", 200);
    assert!(second.contains("rel=\"prev\" class=\"prev\" href=\"/search?q=&#38;sort=-date\""));
    assert!(second.contains("href=\"/search?q=&#38;offset=40&#38;sort=-date\""));
    assert!(second.contains("<ol class=\"hits\" start=\"21\">"));
    assert!(second.contains("<strong class=\"sort current\">newest first</strong>"));
    let last = html(f, "/search?q=&offset=300", 200);
    assert_eq!(last.matches("<li class=\"hit\">").count(), 1);
    assert!(!last.contains("rel=\"next\""));

    // A free-text query: the matched words wrapped in <mark>, the hostile cable escaped.
    let body = html(f, "/search?q=alert", 200);
    assert!(body.contains("<mark>alert</mark>"), "highlighted snippet");
    assert!(body.contains(&format!("href=\"/cables/{}\"", f.hostile)));
    // In its subject and snippet; the raw markup never (`get` checks every page for it).
    assert!(body.contains(&esc(SCRIPT)));
}

#[test]
fn facet_links_refine_the_query_with_exact_counts() {
    let Some(f) = fixture() else { return };
    // Every cable (a query of only negations), without characters HTML escapes.
    let q = "-id:00NOWHERE1";
    let body = html(f, &format!("/search?q={}", enc(q)), 200);
    let links = facet_links(&body);
    assert!(links.len() > 5, "{links:?}");
    let prefix = format!("/search?q={}%20", enc(q));
    for field in ["class", "tag", "from", "date", "precedence"] {
        assert!(
            links
                .iter()
                .any(|(h, _)| h.starts_with(&format!("{prefix}{field}%3A"))),
            "no {field}: facet link in {links:?}"
        );
    }
    for (href, _) in &links {
        assert!(href.starts_with(&prefix), "{href} does not refine {q}");
    }
    // Follow the first link of each field: the results are exactly the count shown.
    for field in ["class", "tag", "from", "date"] {
        let (href, n) = links
            .iter()
            .find(|(h, _)| h.starts_with(&format!("{prefix}{field}%3A")))
            .expect("link");
        let refined = html(f, href, 200);
        assert_eq!(total(&refined), *n, "{href}");
        assert!(refined.contains(&format!("value=\"{q} {field}:")), "{href}");
    }
    // Tags carry their meanings.
    assert!(body.contains("class=\"meaning\""));
    // An OR query is grouped before it is narrowed.
    let body = html(f, &format!("/search?q={}", enc("alert OR date:2009")), 200);
    let links = facet_links(&body);
    assert!(links
        .iter()
        .all(|(h, _)| h.starts_with(&format!("/search?q={}%20", enc("(alert OR date:2009)")))));
}

#[test]
fn malformed_queries_are_400_pages_with_the_position_underlined() {
    let Some(f) = fixture() else { return };
    let body = html(f, &format!("/search?q={}", enc("iran (sanctions")), 400);
    assert!(body.contains("Malformed query"));
    assert!(body.contains("<u class=\"err\">"));
    let body = html(f, &format!("/search?q={}", enc("frm:PARIS")), 400);
    assert!(body.contains("<u class=\"err\">frm</u>"), "{body}");
    assert!(body.contains("did you mean <code>from</code>"));
    let body = html(f, &format!("/search?q={}", enc("from:<script>")), 400);
    assert!(body.contains(&esc("<script>")));
    html(f, "/search?q=iran&offset=-3", 400);
    html(f, "/search?q=iran&sort=sideways", 400);
}

#[test]
fn cable_page_decodes_the_cable() {
    let Some(f) = fixture() else { return };
    let body = html(f, &format!("/cables/{}", f.citing), 200);
    assert_eq!(
        body.matches("<div class=\"banner").count(),
        2,
        "banner top and bottom"
    );
    for part in [
        "<dt>Date</dt>",
        "UTC",
        "<dt>From</dt>",
        "<dt>To</dt>",
        "<dt>Tags</dt>",
        "<dt>Subject</dt>",
        "References",
        "Versions",
        "<strong>current</strong>",
        "Text as received",
    ] {
        assert!(body.contains(part), "cable page lacks {part}");
    }
    assert!(body.contains(&format!("class=\"ref\" href=\"/cables/{}\"", f.cited)));
    assert!(body.contains(&format!("href=\"/api/cables/{}/raw\"", f.citing)));
    // The cited cable lists the citing one.
    let cited = html(f, &format!("/cables/{}", f.cited.to_lowercase()), 200);
    assert!(cited.contains(&format!("<a href=\"/cables/{0}\">{0}</a>", f.citing)));
}

#[test]
fn hostile_cable_renders_as_text() {
    let Some(f) = fixture() else { return };
    let body = html(f, &format!("/cables/{}", f.hostile), 200);
    assert!(body.contains(&esc(SCRIPT)));
    assert!(body.contains(&esc(IMG)));
    // Once in the subject heading, the subject row, the paragraph and the raw text at least.
    assert!(body.matches(&esc("<script>alert(1)")).count() >= 4);
    eprintln!(
        "hostile cable {} among the stats page's examples: {}",
        f.hostile, f.hostile_on_stats
    );
    let stats = html(f, "/stats", 200);
    assert!(stats.contains(&format!("href=\"/cables/{}\"", f.hostile)) || !f.hostile_on_stats);
    if f.hostile_on_stats {
        assert!(stats.contains(&esc(SCRIPT)));
    }
}

#[test]
fn unknown_and_placeholder_cables_are_404_pages() {
    let Some(f) = fixture() else { return };
    let body = html(f, "/cables/99NOWHERE12345", 404);
    assert!(body.contains("no cable 99NOWHERE12345"));
    let body = html(f, &format!("/cables/{}", f.placeholder), 404);
    assert!(body.contains("not in the archive"));
    assert!(body.contains("Cited by"));
    assert!(body.contains("<li><a href=\"/cables/"));
    let body = html(f, "/no/such/page", 404);
    assert!(body.contains("Not found"));
    html(f, "/cables/", 404);
}

#[test]
fn stats_page_shows_totals_chart_and_parse_quality() {
    let Some(f) = fixture() else { return };
    let body = html(f, "/stats", 200);
    assert!(body.contains(&format!("<strong>{}</strong> cables", COUNT + 1)));
    assert!(body.contains("<svg class=\"chart\""));
    assert!(body.contains("By classification"));
    assert!(body.contains("Parse quality"));
    assert!(body.contains("Index schema"));
    assert!(body.contains("<table class=\"diag\">"));
}

#[test]
fn assets_are_embedded_and_cached() {
    let Some(f) = fixture() else { return };
    for (path, ty) in [
        ("/assets/style.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
    ] {
        let page = get(f, path);
        assert_eq!(page.status, 200, "{path}");
        assert!(page.content_type.starts_with(ty), "{path}");
        assert!(page
            .header("cache-control")
            .is_some_and(|v| v.contains("max-age")));
        let tag = page.header("etag").expect("etag").to_string();
        // No other host in any asset (the SVG namespace is a name, not a request).
        let text = page.body.replace("http://www.w3.org/2000/svg", "");
        assert!(
            !text.contains("http://") && !text.contains("https://"),
            "{path}"
        );
        assert_eq!(get_with(f, path, Some(&tag)).status, 304, "{path}");
    }
    let missing = get(f, "/assets/nope.css");
    assert_eq!(missing.status, 404);
    // Every page links only its own assets.
    let body = html(f, "/", 200);
    assert!(body.contains("href=\"/assets/style.css\""));
}
