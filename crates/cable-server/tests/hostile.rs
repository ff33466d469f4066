//! Hostile HTTP: well over a thousand malformed or oversized requests, written byte for byte
//! over raw TCP to a real server (`127.0.0.1:0`, the crate's own router under `axum::serve`,
//! as `cables serve` runs it) over the access fixture of `tests/common` in controlled mode.
//!
//! The requests come from families, each generated deterministically with many variants:
//! broken query syntax, invalid UTF-8 and bad percent-encoding, deeply nested groups, huge
//! query strings, huge headers, oversized bodies, path traversal against the static assets,
//! bad paging, unknown methods, malformed cable ids, malformed credentials, and requests that
//! are not HTTP at all.
//!
//! The rule each answer is held to:
//!
//! - A request that is well-formed HTTP/1.1 (however hostile its target, headers or body) must
//!   get a complete response with a 4xx status: never a 5xx, never a closed connection without
//!   an answer, never silence (10 s without a complete answer is a hang).
//! - A request that is not valid HTTP/1.1 at all (a broken request line, a header line without a
//!   colon, bytes a URI may not hold, a malformed `Content-Length` or chunked body, a message
//!   cut short) may instead be refused before it reaches the application: hyper's 4xx (usually
//!   400, with an empty body), or the connection closed without a single byte. A 5xx, a partial
//!   answer or a hang are failures here too.
//! - When an answer has a body and the request's path is under `/api`, the body is JSON in the
//!   project's error shape: `{"error": {"code": "...", "message": "...", ...}}`. (hyper's own
//!   refusals of unparseable requests carry no body at all: the protocol would allow one, but
//!   the application never sees those requests.)
//! - After every 100 hostile requests, and at the end, a normal `GET /api/stats` still answers
//!   200 with JSON: the server keeps serving throughout.
//!
//! A summary (requests and statuses per family) is printed; run with `--nocapture` to see it.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use cable_archive::AccessMode;
use serde_json::Value;

/// Longer than this without a complete answer is a hang.
const PATIENCE: Duration = Duration::from_secs(10);
/// The server's default body limit (`ServerOptions::default().max_body_bytes`).
const MAX_BODY: usize = 64 * 1024;
/// The endpoints that take a query (`q`).
const QUERY_ENDPOINTS: [&str; 4] = ["/api/search", "/api/export", "/api/timeline", "/search"];

// ---------------------------------------------------------------------------------------------
// The server

/// A real server over the access fixture, in controlled mode, on a free port of loopback.
fn start() -> SocketAddr {
    let server = common::server(AccessMode::Controlled);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        // The whole fixture (its temporary directory too) lives as long as the server.
        let server = server;
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("address"))
                .expect("report the address");
            let app = server
                .router
                .clone()
                .into_make_service_with_connect_info::<SocketAddr>();
            axum::serve(listener, app).await.expect("serve");
        });
    });
    rx.recv().expect("server bound")
}

// ---------------------------------------------------------------------------------------------
// Requests

/// What a request may get (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Well-formed HTTP/1.1: a complete 4xx answer.
    Answer,
    /// Not valid HTTP/1.1: a 4xx answer or a close without a byte.
    AnswerOrClose,
}

struct Hostile {
    family: &'static str,
    /// A short description for failure messages.
    what: String,
    bytes: Vec<u8>,
    expect: Expect,
    /// Close our sending side once the request is written (for messages that are incomplete
    /// by design, so that the server sees the end instead of waiting for more).
    half_close: bool,
}

impl Hostile {
    /// The request target (between the method and the version), lossily as text.
    fn target(&self) -> String {
        let line_end = find(&self.bytes, b"\r\n").unwrap_or(self.bytes.len());
        let line = &self.bytes[..line_end];
        let mut parts = line.splitn(3, |b| *b == b' ');
        parts.next();
        String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned()
    }

    fn under_api(&self) -> bool {
        let t = self.target();
        t == "/api" || t.starts_with("/api/") || t.starts_with("/api?")
    }
}

/// A request: the request line, `Host` and `Connection: close`, then `headers`, then `body`
/// (no `Content-Length` is added: callers say what they mean to send).
fn request(method: &str, target: &[u8], headers: &[(&str, Vec<u8>)], body: &[u8]) -> Vec<u8> {
    let mut r = Vec::with_capacity(target.len() + body.len() + 128);
    r.extend_from_slice(method.as_bytes());
    r.push(b' ');
    r.extend_from_slice(target);
    r.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (name, value) in headers {
        r.extend_from_slice(name.as_bytes());
        r.extend_from_slice(b": ");
        r.extend_from_slice(value);
        r.extend_from_slice(b"\r\n");
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

fn get(target: impl AsRef<[u8]>) -> Vec<u8> {
    request("GET", target.as_ref(), &[], b"")
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Percent-encode everything but the unreserved characters.
fn enc(s: &str) -> String {
    common::enc(s)
}

/// The families, in order.
#[derive(Default)]
struct Families {
    all: Vec<Hostile>,
}

impl Families {
    fn push(&mut self, family: &'static str, what: String, bytes: Vec<u8>, expect: Expect) {
        self.all.push(Hostile {
            family,
            what,
            bytes,
            expect,
            half_close: false,
        });
    }

    /// A well-formed request that must be answered 4xx.
    fn answer(&mut self, family: &'static str, what: impl Into<String>, bytes: Vec<u8>) {
        self.push(family, what.into(), bytes, Expect::Answer);
    }

    /// A complete request that is not valid HTTP: a 4xx or a clean close.
    fn invalid(&mut self, family: &'static str, what: impl Into<String>, bytes: Vec<u8>) {
        self.push(family, what.into(), bytes, Expect::AnswerOrClose);
    }

    /// A request that is not valid HTTP and may be incomplete: a 4xx or a clean close. Sent
    /// with a half-close, so that a server waiting for the rest sees the end.
    fn cut_short(&mut self, family: &'static str, what: impl Into<String>, bytes: Vec<u8>) {
        self.invalid(family, what, bytes);
        if let Some(last) = self.all.last_mut() {
            last.half_close = true;
        }
    }

    /// `GET target`, to be answered 4xx.
    fn get(&mut self, family: &'static str, target: String) {
        let bytes = get(&target);
        self.answer(family, format!("GET {}", clip(&target)), bytes);
    }
}

/// At most 100 characters of `s`, for messages.
fn clip(s: &str) -> String {
    if s.chars().count() <= 100 {
        s.to_string()
    } else {
        let head: String = s.chars().take(100).collect();
        format!("{head}… ({} bytes)", s.len())
    }
}

/// A query that the query language must refuse (the families only hold broken ones).
fn broken(q: &str) -> bool {
    cable_query::parse(q).is_err()
}

// ---------------------------------------------------------------------------------------------
// The families

/// Broken query syntax: unbalanced quotes and parentheses, bad fields, bad ranges and values,
/// lone operators — each alone and in company — on every endpoint that takes a query.
fn query_syntax(f: &mut Families) {
    const FAMILY: &str = "query-syntax";
    let bases = [
        "\"unclosed phrase",
        "iran \"nuclear",
        "\"",
        "\"\"",
        "\"\"\"",
        "(iran",
        "((iran)",
        "iran)",
        ")",
        "()",
        "( )",
        "(()",
        "iran (tag:PREL",
        "frm:ISLAMABAD",
        "nosuchfield:x",
        "tag:",
        "from:",
        "class:",
        "date:[2009 TO]",
        "date:[TO 2009]",
        "date:[2009-13-01 TO 2010]",
        "date:2009-13",
        "date:2009-02-30",
        "date:[2010 TO 2009]",
        "date:[2009 2010]",
        "class:[SECRET TO]",
        "class>=BANANA",
        "class:BANANA",
        "date>=notadate",
        "date:[a TO b]",
        "tag>=PREL",
        "class:[C TO S",
        "[2009 TO 2010]",
        "AND",
        "OR",
        "NOT",
        "-",
        "iran AND",
        "OR iran",
        "iran OR",
        "iran AND AND iraq",
        "iran NOT",
        "iran -",
        "AND OR NOT",
        "iran and iraq",
        "tag:(PREL",
        "tag:()",
        "tag:(PREL OR)",
        "tag:(from:X)",
        "id:notanid",
        "precedence:BANANA",
        "*",
        "*iran",
        "ir*an",
        "\"iran*\"",
        "&&",
        "...",
        "iran\u{1}",
        "a\u{0}b",
        "cites:",
    ];
    let mut n = 0;
    for base in bases {
        assert!(broken(base), "{base:?} must be a broken query");
        for q in [
            base.to_string(),
            format!("iran {base}"),
            format!("{base} tag:PREL"),
        ] {
            if !broken(&q) {
                continue;
            }
            for ep in QUERY_ENDPOINTS {
                f.get(FAMILY, format!("{ep}?q={}", enc(&q)));
                n += 1;
            }
        }
    }
    assert!(n >= 400, "{n} broken-query requests");
}

/// Invalid UTF-8 and bad percent-encoding, in the query and in the path; and raw bytes a URI
/// may not hold (not valid HTTP).
fn bad_encoding(f: &mut Families) {
    const FAMILY: &str = "bad-encoding";
    let bad_utf8 = [
        "%FF",
        "%C3%28",
        "%E2%82",
        "%E2%28%A1",
        "%F0%28%8C%BC",
        "%ED%A0%80",
        "%C0%AF",
        "%80",
        "%FE%FF",
        "iran%FF",
        "iran%C3",
        "%F8%88%80%80%80",
    ];
    let bad_escapes = [
        "%", "%G1", "%1", "iran%", "%%", "%ZZ", "%%41", "%u0041", "%+1",
    ];
    for v in bad_utf8.iter().chain(bad_escapes.iter()) {
        for ep in QUERY_ENDPOINTS {
            f.get(FAMILY, format!("{ep}?q={v}"));
            f.get(FAMILY, format!("{ep}?q=iran&x={v}"));
            f.get(FAMILY, format!("{ep}?{v}=1&q=iran"));
        }
    }
    let routes = [
        "/api/cables/{}",
        "/api/cables/{}/raw",
        "/api/cables/{}/versions",
        "/api/cables/{}/graph",
        "/cables/{}",
        "/assets/{}",
    ];
    for v in [
        "%FF",
        "%C3%28",
        "%ED%A0%80",
        "%C0%AE%C0%AE",
        "%80abc",
        "abc%FE",
    ]
    .iter()
    .chain(bad_escapes.iter().take(6))
    {
        for r in routes {
            f.get(FAMILY, r.replace("{}", v));
        }
    }
    // Raw bytes that no URI may hold: refused by the HTTP layer.
    let raw: [&[u8]; 6] = [
        b"\xff",
        b"\xc3\x28",
        b"\xe2\x82",
        b"\xed\xa0\x80",
        b"\x80",
        b"\xfe\xff",
    ];
    let prefixes = [
        "/api/cables/",
        "/cables/",
        "/assets/",
        "/api/search?q=",
        "/search?q=",
        "/api/export?q=",
    ];
    for bytes in raw {
        for p in prefixes {
            let mut target = p.as_bytes().to_vec();
            target.extend_from_slice(bytes);
            f.invalid(FAMILY, format!("GET {p}{bytes:x?}"), get(&target));
        }
    }
}

/// Deeply nested groups and negations, 1,000 to 100,000 levels, raw and encoded.
fn deep_nesting(f: &mut Families) {
    const FAMILY: &str = "deep-nesting";
    for n in [
        1_000, 2_000, 4_096, 5_000, 10_000, 20_000, 30_000, 50_000, 75_000, 100_000,
    ] {
        let forms = [
            // Parentheses are allowed unencoded in a query string.
            format!("{}a{}", "(".repeat(n), ")".repeat(n)),
            enc(&format!("{}a{}", "(".repeat(n), ")".repeat(n))),
            "(".repeat(n),
            format!("{}a", "-".repeat(n)),
            enc(&format!("{}a", "NOT ".repeat(n))),
            format!("tag:{}PREL{}", "(".repeat(n), ")".repeat(n)),
        ];
        for q in forms {
            for ep in QUERY_ENDPOINTS {
                f.get(FAMILY, format!("{ep}?q={q}"));
            }
        }
    }
}

/// Query strings from just over the query length limit to a megabyte.
fn huge_query(f: &mut Families) {
    const FAMILY: &str = "huge-query";
    let sizes = [
        4_097, 5_000, 8_192, 16_384, 32_768, 60_000, 65_000, 66_000, 100_000, 200_000, 400_000,
        1_000_000,
    ];
    for size in sizes {
        let forms = [
            format!("q={}", "iran+".repeat(size / 5 + 1)),
            format!("q={}", "a".repeat(size)),
            format!("q={}", "%41".repeat(size / 3 + 1)),
            format!("q={}{}", "x".repeat(4_097), "&k=v".repeat(size / 4)),
        ];
        for qs in forms {
            for ep in QUERY_ENDPOINTS {
                f.get(FAMILY, format!("{ep}?{qs}"));
            }
        }
    }
}

/// One huge header, or very many headers.
fn huge_headers(f: &mut Families) {
    const FAMILY: &str = "huge-headers";
    let targets = ["/api/stats", "/", "/api/search?q=iran"];
    for size in [33_000, 50_000, 100_000, 200_000, 420_000, 1_000_000] {
        let headers: [(&str, Vec<u8>); 6] = [
            ("X-Junk", vec![b'x'; size]),
            ("Cookie", format!("a={}", "b".repeat(size)).into_bytes()),
            (
                "Authorization",
                format!("Bearer {}", "a".repeat(size)).into_bytes(),
            ),
            ("User-Agent", vec![b'U'; size]),
            (
                "Referer",
                format!("http://x/{}", "r".repeat(size)).into_bytes(),
            ),
            ("Accept-Language", "en,".repeat(size / 3).into_bytes()),
        ];
        for (name, value) in headers {
            for t in targets {
                let bytes = request("GET", t.as_bytes(), &[(name, value.clone())], b"");
                f.answer(FAMILY, format!("GET {t} with a {size}-byte {name}"), bytes);
            }
        }
    }
    // More headers than hyper parses (100), or many of a total size over the server's limit.
    for (count, size) in [
        (101, 8),
        (150, 8),
        (200, 8),
        (500, 8),
        (1_000, 8),
        (3_000, 8),
        (40, 1_000),
        (70, 1_000),
        (99, 1_000),
    ] {
        for t in targets {
            for name in ["X-Many", "Cookie"] {
                let headers: Vec<(&str, Vec<u8>)> = (0..count)
                    .map(|i| (name, format!("v{i}={}", "m".repeat(size)).into_bytes()))
                    .collect();
                let bytes = request("GET", t.as_bytes(), &headers, b"");
                f.answer(
                    FAMILY,
                    format!("GET {t} with {count} {name} headers of {size} bytes"),
                    bytes,
                );
            }
        }
    }
}

/// Bodies over the limit: on the POST routes (declared or chunked) and on GET routes
/// (declared); and a declared length with no body sent.
fn oversized_bodies(f: &mut Families) {
    const FAMILY: &str = "oversized-bodies";
    let sizes = [
        MAX_BODY + 1,
        100_000,
        256 * 1024,
        1024 * 1024,
        4 * 1024 * 1024,
    ];
    let types = [
        "application/x-www-form-urlencoded",
        "application/json",
        "application/octet-stream",
    ];
    let body_of = |size: usize, ty: &str| -> Vec<u8> {
        match ty {
            "application/x-www-form-urlencoded" => {
                let mut b = b"csrf=x&token=".to_vec();
                b.resize(size, b'a');
                b
            }
            "application/json" => {
                let mut b = b"{\"a\":\"".to_vec();
                b.resize(size - 2, b'j');
                b.extend_from_slice(b"\"}");
                b
            }
            _ => vec![0xAB; size],
        }
    };
    for route in ["/login", "/logout"] {
        for size in sizes {
            for ty in types {
                let body = body_of(size, ty);
                let declared = request(
                    "POST",
                    route.as_bytes(),
                    &[
                        ("Content-Type", ty.into()),
                        ("Content-Length", size.to_string().into_bytes()),
                    ],
                    &body,
                );
                f.answer(
                    FAMILY,
                    format!("POST {route} {size} bytes of {ty}"),
                    declared,
                );
                let mut chunked_body = Vec::with_capacity(size + 64);
                for chunk in body.chunks(16 * 1024) {
                    chunked_body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                    chunked_body.extend_from_slice(chunk);
                    chunked_body.extend_from_slice(b"\r\n");
                }
                chunked_body.extend_from_slice(b"0\r\n\r\n");
                let chunked = request(
                    "POST",
                    route.as_bytes(),
                    &[
                        ("Content-Type", ty.into()),
                        ("Transfer-Encoding", b"chunked".to_vec()),
                    ],
                    &chunked_body,
                );
                f.answer(
                    FAMILY,
                    format!("POST {route} {size} bytes of {ty}, chunked"),
                    chunked,
                );
            }
        }
    }
    let gets = [
        "/api/stats",
        "/api/search?q=iran",
        "/api/export",
        "/",
        "/search?q=iran",
        "/assets/style.css",
    ];
    for route in gets {
        for size in sizes {
            for ty in types {
                let bytes = request(
                    "GET",
                    route.as_bytes(),
                    &[
                        ("Content-Type", ty.into()),
                        ("Content-Length", size.to_string().into_bytes()),
                    ],
                    &body_of(size, ty),
                );
                f.answer(
                    FAMILY,
                    format!("GET {route} with {size} bytes of {ty}"),
                    bytes,
                );
            }
        }
    }
    // A declared length over the limit, and nothing sent: refused on the header alone.
    for route in ["/login", "/logout", "/api/stats", "/search"] {
        let method = if route.starts_with("/log") {
            "POST"
        } else {
            "GET"
        };
        for declared in [
            "65537",
            "1000000",
            "1000000000",
            "1000000000000",
            "18446744073709551615",
        ] {
            let bytes = request(
                method,
                route.as_bytes(),
                &[("Content-Length", declared.into())],
                b"",
            );
            f.answer(
                FAMILY,
                format!("{method} {route} declaring {declared} bytes"),
                bytes,
            );
        }
    }
}

/// Path traversal against the static assets: dot segments raw and encoded (once and twice),
/// backslashes, NUL, overlong UTF-8, asset names with more after them.
fn traversal(f: &mut Families) {
    const FAMILY: &str = "traversal";
    let files = [
        "etc/passwd",
        "etc/shadow",
        "proc/self/environ",
        "Cargo.toml",
        "src/lib.rs",
        "assets/style.css",
    ];
    let patterns = [
        "/assets/../../{}",
        "/assets/../../../../../../{}",
        "/assets/..%2F..%2F{}",
        "/assets/%2e%2e/%2e%2e/{}",
        "/assets/%2E%2E%2F%2E%2E%2F{}",
        "/assets/%252e%252e%252f{}",
        "/assets/....//....//{}",
        "/assets/..%5c..%5c{}",
        "/assets/%5c..%5c..%5c{}",
        "/assets/style.css/../../{}",
        "/assets/.%2e/.%2e/{}",
        "/assets//{}",
        "/assets/./{}",
        "/assets/%2F{}",
        "/assets/{}%00",
        "/assets/{}%00.css",
        "/assets/..;/..;/{}",
        "/assets/%u002e%u002e/{}",
        "/assets/..%c0%af..%c0%af{}",
        "/assets/%e0%80%ae%e0%80%ae/{}",
        "/assets/~/{}",
        "/assets/file:///{}",
    ];
    for p in patterns {
        for file in files {
            f.get(FAMILY, p.replace("{}", file));
        }
    }
    // Near misses of the real assets.
    for name in [
        "style.css%00",
        "style.css/",
        "style.css/.",
        "./style.css",
        "STYLE.CSS",
        "style.css.bak",
        "style.css~",
        "%73tyle.css%2F..",
        "app.js%2500",
        "favicon.svg/..%2F..%2Fetc%2Fpasswd",
    ] {
        f.get(FAMILY, format!("/assets/{name}"));
    }
    // Backslashes and NUL bytes sent raw: no URI may hold them.
    for file in files {
        for raw in [
            format!("/assets/..\\..\\{}", file.replace('/', "\\")),
            format!("/assets/\\..\\{file}"),
            format!("/assets/style.css\0/../../{file}"),
            format!("/assets/\0{file}"),
        ] {
            f.invalid(FAMILY, format!("GET {raw:?}"), get(raw.as_bytes()));
        }
    }
}

/// Negative, non-numeric, enormous and out-of-range paging; bad `sort`, `interval`, `format`.
fn paging(f: &mut Families) {
    const FAMILY: &str = "paging";
    let junk = [
        "-1",
        "-0",
        "-100000",
        "-9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999999999999999999999999",
        "1e3",
        "0x10",
        "1.5",
        "1,000",
        "1_000",
        "abc",
        "NaN",
        "inf",
        "null",
        "true",
        "[]",
        "%00",
        "%FF",
        "١٢",
        "1%2B1",
        "%20%2D1",
        "10%00",
        "",
    ];
    let too_big_limit = ["1001", "5000", "1000000", "4294967296"];
    let too_big_offset = ["100001", "1000000", "4294967296", "9223372036854775807"];
    let invalid = |v: &str, max: usize, trims: bool| {
        let decoded = percent_decode(v);
        let s = if trims {
            decoded.trim()
        } else {
            decoded.as_str()
        };
        // The HTML page reads an empty offset as 0.
        if trims && s.is_empty() {
            return false;
        }
        s.parse::<usize>().map_or(true, |n| n > max)
    };
    for v in junk.iter().chain(too_big_limit.iter()) {
        assert!(invalid(v, 1_000, false), "limit={v}");
        f.get(FAMILY, format!("/api/search?q=iran&limit={v}"));
    }
    for v in junk.iter().chain(too_big_offset.iter()) {
        assert!(invalid(v, 100_000, false), "offset={v}");
        f.get(FAMILY, format!("/api/search?q=iran&offset={v}"));
        f.get(FAMILY, format!("/api/search?offset={v}&limit=0"));
        if invalid(v, 100_000, true) {
            f.get(FAMILY, format!("/search?q=iran&offset={v}"));
            f.get(FAMILY, format!("/search?offset={v}"));
        }
    }
    // Repeated parameters.
    for p in [
        "limit=1&limit=2",
        "offset=1&offset=2",
        "q=a&q=b",
        "sort=date&sort=-date",
    ] {
        f.get(FAMILY, format!("/api/search?{p}"));
    }
    for v in [
        "bogus",
        "DATE",
        "%2Bdate",
        "--date",
        "relevance%00",
        "-relevance",
        "1",
    ] {
        f.get(FAMILY, format!("/api/search?q=iran&sort={v}"));
        f.get(FAMILY, format!("/search?q=iran&sort={v}"));
        f.get(FAMILY, format!("/api/timeline?q=iran&interval={v}"));
        f.get(FAMILY, format!("/api/export?q=iran&format={v}"));
    }
}

/// Unknown, misspelt and wrong methods on every kind of route; and method tokens that are not
/// tokens (not valid HTTP).
fn methods(f: &mut Families) {
    const FAMILY: &str = "methods";
    let targets = [
        "/api/stats",
        "/api/search?q=iran",
        "/api/cables/09STATE1",
        "/api/export",
        "/api/timeline",
        "/api/openapi.json",
        "/",
        "/search",
        "/stats",
        "/login",
        "/logout",
        "/assets/style.css",
    ];
    let long = "X".repeat(200);
    let methods = [
        "FOO",
        "PUT",
        "DELETE",
        "PATCH",
        "OPTIONS",
        "TRACE",
        "PROPFIND",
        "MKCOL",
        "get",
        "Get",
        "BREW",
        "M-SEARCH",
        long.as_str(),
    ];
    for m in methods {
        for t in targets {
            let mut headers = Vec::new();
            if matches!(m, "PUT" | "PATCH") {
                headers.push(("Content-Length", b"2".to_vec()));
            }
            let body: &[u8] = if headers.is_empty() { b"" } else { b"{}" };
            f.answer(
                FAMILY,
                format!("{} {t}", clip(m)),
                request(m, t.as_bytes(), &headers, body),
            );
        }
    }
    // POST on the GET-only routes.
    for t in targets.iter().filter(|t| !t.starts_with("/log")) {
        f.answer(
            FAMILY,
            format!("POST {t}"),
            request(
                "POST",
                t.as_bytes(),
                &[("Content-Length", b"0".to_vec())],
                b"",
            ),
        );
    }
    for m in [
        "G ET", "GE\tT", "(GET)", "GET/", "G\u{0}T", "GÉT", "\"GET\"",
    ] {
        for t in ["/api/stats", "/"] {
            f.invalid(
                FAMILY,
                format!("{m:?} {t}"),
                request(m, t.as_bytes(), &[], b""),
            );
        }
    }
}

/// Malformed cable ids: very long, control characters, odd Unicode, punctuation.
fn cable_ids(f: &mut Families) {
    const FAMILY: &str = "cable-ids";
    let mut ids: Vec<String> = vec![
        "A".repeat(300),
        "A".repeat(4_000),
        "A".repeat(30_000),
        format!("09STATE{}", "9".repeat(1_000)),
        format!("{}STATE1", "0".repeat(500)),
        "%20".into(),
        "%20%20%09".into(),
        "..".into(),
        "%2E%2E".into(),
        ".".into(),
        "%2F".into(),
        "..%2F..%2Fetc%2Fpasswd".into(),
        "%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E".into(),
        "%27%20OR%201%3D1%20--".into(),
        "*".into(),
        "%3F".into(),
        "%23".into(),
        "%25".into(),
        "id%3A09STATE1".into(),
        "09STATE1%20OR%20tag%3APREL".into(),
        "%E2%80%AE1ETATS90".into(),
        "%F0%9F%92%A3".into(),
        "%EF%BB%BF09STATE1".into(),
        "%C3%9F".into(),
        "%EF%AC%83".into(),
        "09STATE1%0D%0ASet-Cookie%3A%20x%3D1".into(),
    ];
    for c in (0u8..0x20).chain([0x7f]) {
        ids.push(format!("09STATE%{c:02X}1"));
    }
    for id in &ids {
        for route in [
            "/api/cables/{}",
            "/api/cables/{}/raw",
            "/api/cables/{}/versions",
            "/api/cables/{}/graph",
            "/cables/{}",
        ] {
            f.get(FAMILY, route.replace("{}", id));
        }
    }
}

/// Malformed `Authorization` headers and session cookies on API and page routes; CSRF and
/// cookie junk on the sign-in form.
fn credentials(f: &mut Families) {
    const FAMILY: &str = "credentials";
    let hex63 = "a".repeat(63);
    let hex64_bad = format!("{}g", "a".repeat(63));
    let auths: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"Bearer".to_vec(),
        b"Bearer ".to_vec(),
        b"Bearer x".to_vec(),
        format!("Bearer {hex63}").into_bytes(),
        format!("Bearer {hex64_bad}").into_bytes(),
        format!("Bearer {}", "a".repeat(65)).into_bytes(),
        format!("Bearer {}", "f".repeat(10_000)).into_bytes(),
        b"Basic dXNlcjpwYXNz".to_vec(),
        b"Digest username=\"x\", realm=\"cables\"".to_vec(),
        b"bearer\ttoken".to_vec(),
        b"Token abc".to_vec(),
        b"Bearer a b c".to_vec(),
        b"Bearer \xff\xfe\xfd".to_vec(),
        b"\x80\x81\x82".to_vec(),
        b"Bearer %00".to_vec(),
        b"NTLM TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA=".to_vec(),
        b"Negotiate".to_vec(),
        b"Bearer Bearer Bearer".to_vec(),
        b"Bearer \"quoted\"".to_vec(),
    ];
    let targets = [
        "/api/stats",
        "/api/search?q=iran",
        "/api/cables/09STATE1",
        "/",
        "/search?q=iran",
    ];
    for a in &auths {
        for t in targets {
            f.answer(
                FAMILY,
                format!(
                    "GET {t} with Authorization {:?}",
                    clip(&String::from_utf8_lossy(a))
                ),
                request("GET", t.as_bytes(), &[("Authorization", a.clone())], b""),
            );
        }
    }
    // A session cookie that names no session, in many shapes.
    let sessions: Vec<Vec<u8>> = vec![
        b"cables_session=x".to_vec(),
        b"cables_session=x; cables_session=y".to_vec(),
        b"a=1; cables_session=nosuchsession; b=2".to_vec(),
        b";;;;cables_session=z;;;;".to_vec(),
        b"cables_session=a=b=c".to_vec(),
        b"cables_session=%00".to_vec(),
        b"cables_session=\"quoted\"".to_vec(),
        format!("cables_session={}", "s".repeat(8_000)).into_bytes(),
        format!("cables_session={}", "0".repeat(64)).into_bytes(),
        b"cables_session=\xff\xfe; a=\xff".to_vec(),
    ];
    for c in &sessions {
        for t in targets {
            let what = format!(
                "GET {t} with Cookie {:?}",
                clip(&String::from_utf8_lossy(c))
            );
            let req = request("GET", t.as_bytes(), &[("Cookie", c.clone())], b"");
            // A Cookie header that is not text names no session: it reads as the public.
            if c.is_ascii() {
                f.answer(FAMILY, what, req);
            }
        }
    }
    // The sign-in form with junk CSRF cookies and fields (403, or past the CSRF check 401 or
    // 429); the sign-out form without its CSRF token (403). (Signing out with no session, or
    // an unknown one, is a harmless redirect home, so every sign-out here lacks the token.)
    let good = "0123456789abcdef".repeat(4);
    let csrfs: Vec<(Vec<u8>, String)> = vec![
        (b"cables_csrf=x".to_vec(), "csrf=x&token=t".into()),
        (
            format!("cables_csrf={good}").into_bytes(),
            "csrf=other&token=t".into(),
        ),
        (
            format!("cables_csrf={good}").into_bytes(),
            format!("csrf={}&token=t", good.to_uppercase()),
        ),
        (b"cables_csrf=".to_vec(), "csrf=&token=t".into()),
        (
            b"cables_csrf=\xff\xfe".to_vec(),
            "csrf=%FF%FE&token=t".into(),
        ),
        (
            format!("cables_csrf={}", "a".repeat(10_000)).into_bytes(),
            format!("csrf={}", "a".repeat(10_000)),
        ),
        (b"".to_vec(), "csrf=x".into()),
        (b"cables_csrf=x; cables_csrf=y".to_vec(), "csrf=y".into()),
        (
            format!("cables_csrf={good}").into_bytes(),
            format!("csrf={good}&token=%FF"),
        ),
        (
            format!("cables_csrf={good}").into_bytes(),
            format!("csrf={good}&token={}", "z".repeat(5_000)),
        ),
    ];
    let logouts: Vec<(Vec<u8>, String)> = vec![
        (b"cables_session=x".to_vec(), "csrf=".into()),
        (b"cables_session=x".to_vec(), "csrf=%20%09".into()),
        (b"cables_session=x".to_vec(), "".into()),
        (b"cables_session=x".to_vec(), "token=x".into()),
        (b"cables_session=x".to_vec(), "csrf".into()),
        (b"cables_session=x".to_vec(), "=&=&=".into()),
        (b"cables_session=x".to_vec(), "csrf=&csrf=".into()),
        (b"cables_session=x".to_vec(), "%FF=%FE".into()),
        (b"cables_session=x".to_vec(), "CSRF=abc".into()),
        (
            b"\xff\xfe".to_vec(),
            format!("csrf=&pad={}", "p".repeat(20_000)),
        ),
    ];
    let forms = csrfs
        .iter()
        .map(|c| ("/login", c))
        .chain(logouts.iter().map(|c| ("/logout", c)));
    for (route, (cookie, form)) in forms {
        {
            let mut headers = vec![
                (
                    "Content-Type",
                    b"application/x-www-form-urlencoded".to_vec(),
                ),
                ("Content-Length", form.len().to_string().into_bytes()),
            ];
            if !cookie.is_empty() {
                headers.push(("Cookie", cookie.clone()));
            }
            f.answer(
                FAMILY,
                format!(
                    "POST {route} cookie {:?} form {:?}",
                    clip(&String::from_utf8_lossy(cookie)),
                    clip(form)
                ),
                request("POST", route.as_bytes(), &headers, form.as_bytes()),
            );
        }
    }
}

/// Requests that are not HTTP/1.1: broken request lines and header lines, bad framing, other
/// protocols, messages cut short.
fn protocol(f: &mut Families) {
    const FAMILY: &str = "not-http";
    let lines: Vec<Vec<u8>> = vec![
        b"GET /api/stats HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1 extra\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1\r\n\r\n".to_vec(),
        b"GET /api/stats HTTPS/1.1\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /api/stats\r\n\r\n".to_vec(),
        b"/api/stats HTTP/1.1\r\n\r\n".to_vec(),
        b"\r\n\r\n\r\n".to_vec(),
        b"\x00\x01\x02\x03\r\n\r\n".to_vec(),
        b"GET  /api/stats  HTTP/1.1\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nBad Header\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\n: empty-name\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nX-A : b\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nX-A: a\x00b\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nX-A: a\r\n folded\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nX(A): b\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n".to_vec(),
        b"GET /api/stats HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 2\r\n\r\nab".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
            .to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n"
            .to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\nhello\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabc".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\nabc".to_vec(),
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec(),
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03".to_vec(),
        [b"GET /".as_slice(), &[b'A'; 100_000]].concat(),
        vec![b'A'; 1_000_000],
        b"\r\n".repeat(5_000),
        // Cut short: a head that never ends, a body shorter than declared.
        b"GET /api/stats HTTP/1.1\r\nHost: a\r\n".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncsrf=x".to_vec(),
        b"POST /login HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc".to_vec(),
    ];
    for bytes in lines {
        let what = clip(&format!("{:?}", String::from_utf8_lossy(&bytes)));
        f.cut_short(FAMILY, what, bytes);
    }
}

/// Decode `%XX` escapes (and `+`), lossily; for the generator's own checks.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn families() -> Vec<Hostile> {
    let mut f = Families::default();
    query_syntax(&mut f);
    bad_encoding(&mut f);
    deep_nesting(&mut f);
    huge_query(&mut f);
    huge_headers(&mut f);
    oversized_bodies(&mut f);
    traversal(&mut f);
    paging(&mut f);
    methods(&mut f);
    cable_ids(&mut f);
    credentials(&mut f);
    protocol(&mut f);
    f.all
}

// ---------------------------------------------------------------------------------------------
// Exchanges

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

enum Outcome {
    Answered(Response),
    /// The connection ended (closed or reset) before a single byte of answer.
    Closed,
    /// A partial or unreadable answer, or none in time.
    Broken(String),
}

/// Send `req` on a fresh connection (writing from a second thread, so that an early answer is
/// read while the rest of a large request is still being refused) and read one answer.
fn exchange(addr: SocketAddr, req: &Hostile) -> Outcome {
    let stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
    let mut writer = stream.try_clone().expect("clone the stream");
    std::thread::scope(|s| {
        let w = s.spawn(move || {
            // The server may refuse, answer and close before reading everything: a failed
            // write is expected then.
            let _ = writer.write_all(&req.bytes);
            if req.half_close {
                let _ = writer.shutdown(Shutdown::Write);
            }
        });
        let outcome = read_answer(&stream);
        let _ = stream.shutdown(Shutdown::Both);
        let _ = w.join();
        outcome
    })
}

fn read_answer(mut stream: &TcpStream) -> Outcome {
    let deadline = Instant::now() + PATIENCE;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        if Instant::now() > deadline {
            return Outcome::Broken(format!("no complete answer in {PATIENCE:?}"));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return at_end(&buf),
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                match parse_answer(&buf, false) {
                    Some(Ok(r)) => return Outcome::Answered(r),
                    Some(Err(e)) => return Outcome::Broken(e),
                    None => {}
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Outcome::Broken(format!(
                    "no complete answer in {PATIENCE:?} ({} bytes read)",
                    buf.len()
                ));
            }
            // A reset after (or instead of) the answer: judge what arrived.
            Err(_) => return at_end(&buf),
        }
    }
}

fn at_end(buf: &[u8]) -> Outcome {
    if buf.is_empty() {
        return Outcome::Closed;
    }
    match parse_answer(buf, true) {
        Some(Ok(r)) => Outcome::Answered(r),
        Some(Err(e)) => Outcome::Broken(e),
        None => Outcome::Broken(format!(
            "the connection ended inside an answer: {:?}",
            clip(&String::from_utf8_lossy(buf))
        )),
    }
}

/// One complete HTTP/1.1 answer from the start of `buf`: `None` while incomplete.
fn parse_answer(buf: &[u8], eof: bool) -> Option<Result<Response, String>> {
    let head_end = find(buf, b"\r\n\r\n")?;
    let head = match std::str::from_utf8(&buf[..head_end]) {
        Ok(h) => h,
        Err(_) => return Some(Err("an answer head that is not UTF-8".into())),
    };
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = match status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse::<u16>().ok())
    {
        Some(s) => s,
        None => return Some(Err(format!("a bad status line: {status_line:?}"))),
    };
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let rest = &buf[head_end + 4..];
    let value = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let body = if matches!(status, 100..=199 | 204 | 304) {
        Vec::new()
    } else if value("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        match dechunk(rest) {
            Some(Ok(b)) => b,
            Some(Err(e)) => return Some(Err(e)),
            None => return None,
        }
    } else if let Some(len) = value("content-length") {
        let Ok(len) = len.parse::<usize>() else {
            return Some(Err(format!("a bad Content-Length in the answer: {len:?}")));
        };
        if rest.len() < len {
            return None;
        }
        rest[..len].to_vec()
    } else if eof {
        rest.to_vec()
    } else {
        return None;
    };
    Some(Ok(Response {
        status,
        headers,
        body,
    }))
}

fn dechunk(mut rest: &[u8]) -> Option<Result<Vec<u8>, String>> {
    let mut body = Vec::new();
    loop {
        let line_end = find(rest, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&rest[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return Some(Err(format!(
                "a bad chunk size in the answer: {size_text:?}"
            )));
        };
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Some(Ok(body));
        }
        if rest.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

/// Judge one outcome: the status (or `closed`) on success, why not on failure.
fn judge(req: &Hostile, outcome: &Outcome) -> Result<String, String> {
    let r = match outcome {
        Outcome::Answered(r) => r,
        Outcome::Closed if req.expect == Expect::AnswerOrClose => return Ok("closed".into()),
        Outcome::Closed => return Err("the connection closed without an answer".into()),
        Outcome::Broken(why) => return Err(why.clone()),
    };
    if !(400..500).contains(&r.status) {
        return Err(format!(
            "status {}: {}",
            r.status,
            clip(&String::from_utf8_lossy(&r.body))
        ));
    }
    if !r.body.is_empty() && req.under_api() {
        check_error_json(r)?;
    }
    if req.family == "traversal" {
        let text = String::from_utf8_lossy(&r.body);
        for secret in ["root:", "[package]", "pub fn", "PATH="] {
            if text.contains(secret) {
                return Err(format!("the answer holds {secret:?}: a file leaked"));
            }
        }
    }
    Ok(r.status.to_string())
}

/// The project's error shape: `{"error": {"code": "kebab-case", "message": "...", ...}}`.
fn check_error_json(r: &Response) -> Result<(), String> {
    let ct = r.header("content-type").unwrap_or_default();
    if !ct.starts_with("application/json") {
        return Err(format!("an /api error answered as {ct:?}"));
    }
    let v: Value = serde_json::from_slice(&r.body).map_err(|e| {
        format!(
            "an /api error body that is not JSON ({e}): {}",
            clip(&String::from_utf8_lossy(&r.body))
        )
    })?;
    let shape_ok = v.as_object().is_some_and(|o| o.len() == 1)
        && v["error"]["code"].as_str().is_some_and(|c| {
            !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
        && v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty());
    if shape_ok {
        Ok(())
    } else {
        Err(format!("not the error shape: {}", clip(&v.to_string())))
    }
}

/// A normal request still works.
fn assert_serving(addr: SocketAddr, after: usize) {
    let probe = Hostile {
        family: "probe",
        what: "GET /api/stats".into(),
        bytes: get("/api/stats"),
        expect: Expect::Answer,
        half_close: false,
    };
    match exchange(addr, &probe) {
        Outcome::Answered(r) if r.status == 200 => {
            let v: Value = serde_json::from_slice(&r.body).expect("stats JSON");
            assert!(v.is_object(), "stats: {v}");
        }
        Outcome::Answered(r) => panic!(
            "after {after} hostile requests GET /api/stats answered {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        ),
        Outcome::Closed => panic!("after {after} hostile requests GET /api/stats got no answer"),
        Outcome::Broken(why) => panic!("after {after} hostile requests GET /api/stats: {why}"),
    }
}

#[test]
fn hostile_requests_get_4xx_and_the_server_keeps_serving() {
    let started = Instant::now();
    let addr = start();
    assert_serving(addr, 0);
    let all = families();
    assert!(all.len() >= 1_000, "{} hostile requests", all.len());

    // family -> status (or "closed") -> count
    let mut seen: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut closed = Vec::new();
    for (i, req) in all.iter().enumerate() {
        let outcome = exchange(addr, req);
        match judge(req, &outcome) {
            Ok(status) => {
                if status == "closed" {
                    closed.push(format!("[{}] {}", req.family, req.what));
                }
                *seen
                    .entry(req.family)
                    .or_default()
                    .entry(status)
                    .or_default() += 1
            }
            Err(why) => {
                *seen
                    .entry(req.family)
                    .or_default()
                    .entry("FAILED".into())
                    .or_default() += 1;
                failures.push(format!("[{}] {}: {why}", req.family, req.what));
            }
        }
        if (i + 1) % 100 == 0 {
            assert_serving(addr, i + 1);
        }
    }
    assert_serving(addr, all.len());

    let mut summary = format!(
        "{} hostile requests in {:.1?}\n",
        all.len(),
        started.elapsed()
    );
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    for (family, statuses) in &seen {
        let n: usize = statuses.values().sum();
        let list: Vec<String> = statuses.iter().map(|(s, c)| format!("{s}×{c}")).collect();
        let _ = writeln!(summary, "  {family:<18} {n:>5}  {}", list.join(" "));
        for (s, c) in statuses {
            *totals.entry(s.as_str()).or_default() += c;
        }
    }
    let list: Vec<String> = totals.iter().map(|(s, c)| format!("{s}×{c}")).collect();
    let _ = writeln!(
        summary,
        "  {:<18} {:>5}  {}",
        "all",
        all.len(),
        list.join(" ")
    );
    let _ = writeln!(summary, "closed without an answer (not valid HTTP):");
    for c in &closed {
        let _ = writeln!(summary, "  {c}");
    }
    println!("{summary}");
    assert!(
        failures.is_empty(),
        "{} of {} hostile requests were mishandled:\n{}\n\n{summary}",
        failures.len(),
        all.len(),
        failures
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The query parser refuses deep nesting with an error, never by overflowing the stack: on a
/// thread with a small stack, 1,000 to 100,000 levels of groups and negations.
#[test]
fn deep_nesting_does_not_overflow_the_parser() {
    let t = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            for n in [1_000, 2_000, 10_000, 100_000] {
                for q in [
                    format!("{}a{}", "(".repeat(n), ")".repeat(n)),
                    "(".repeat(n),
                    format!("{}a", "-".repeat(n)),
                    format!("{}a", "NOT ".repeat(n)),
                    format!("tag:{}PREL{}", "(".repeat(n), ")".repeat(n)),
                    format!("{}a{}", "(-".repeat(n), ")".repeat(n)),
                ] {
                    let e = cable_query::parse(&q).expect_err("too deep");
                    assert!(
                        matches!(
                            e.kind,
                            cable_query::ErrorKind::TooDeep | cable_query::ErrorKind::TooLong
                        ),
                        "{n} levels: {e}"
                    );
                    if q.len() <= cable_query::MAX_QUERY_LEN {
                        assert_eq!(e.kind, cable_query::ErrorKind::TooDeep, "{n} levels: {e}");
                    }
                }
            }
        })
        .expect("thread");
    t.join().expect("the parser did not overflow its stack");
}
