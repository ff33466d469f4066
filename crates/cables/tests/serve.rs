//! `cables serve` as a process: it prints the URL it bound (port 0 picks one), answers, builds
//! and reuses the demo archive, and stops cleanly on SIGTERM and SIGINT.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

fn start(data: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cables"))
        .env_remove("CABLES_DATA")
        .arg("--data")
        .arg(data)
        .args(["serve", "--json", "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn cables serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the URL line");
    let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    let url = v["url"].as_str().expect("url").to_string();
    (child, url)
}

/// Send a bare HTTP/1.1 GET of `path` to the server at `url`: the connection, to read the
/// answer from.
fn send_get(url: &str, path: &str) -> TcpStream {
    let host = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = TcpStream::connect(&host).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    s
}

/// GET `path` with a bare HTTP/1.1 request: (status, body).
fn get(url: &str, path: &str) -> (u16, String) {
    let mut s = send_get(url, path);
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("response");
    let status = resp
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    let body = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

#[cfg(unix)]
fn signal(child: &Child, name: &str) {
    let ok = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

#[cfg(unix)]
#[test]
fn serve_answers_and_stops_cleanly_on_sigterm_and_sigint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    for sig in ["TERM", "INT"] {
        let (mut child, url) = start(&data, &[]);
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert!(!url.ends_with(":0/"), "the bound port is printed: {url}");
        let (status, body) = get(&url, "/api/stats");
        assert_eq!(status, 200, "{body}");
        signal(&child, sig);
        let status = child.wait().expect("wait");
        assert!(status.success(), "SIG{sig}: {status:?}");
    }
}

#[cfg(unix)]
#[test]
fn the_demo_archive_is_built_once_and_reused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let (mut child, url) = start(&data, &["--demo", "--demo-count", "300"]);
    let (status, body) = get(&url, "/api/stats");
    assert_eq!(status, 200, "{body}");
    let stats_body = body
        .find('{')
        .map(|i| &body[i..])
        .and_then(|b| b.rfind('}').map(|j| &b[..=j]))
        .unwrap_or_default();
    let stats: Value = serde_json::from_str(stats_body).expect("stats JSON");
    assert_eq!(stats["cables"], 300, "{stats}");
    signal(&child, "TERM");
    assert!(child.wait().expect("wait").success());
    assert!(
        data.join("demo/catalog.redb").exists(),
        "kept under DATA/demo"
    );

    // Reused: a second start does not generate again, even when asked for another count.
    let (mut child, url) = start(&data, &["--demo", "--demo-count", "500"]);
    let (_, body) = get(&url, "/api/stats");
    assert!(body.contains("\"cables\":300"), "{body}");
    signal(&child, "TERM");
    assert!(child.wait().expect("wait").success());
}

/// The access mode: stored in the archive, and an archive with readers is not served open
/// unless that is asked for explicitly.
#[cfg(unix)]
#[test]
fn an_archive_with_readers_is_not_served_open_by_accident() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let cables = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cables"))
            .env_remove("CABLES_DATA")
            .arg("--data")
            .arg(&data)
            .args(args)
            .output()
            .expect("run cables")
    };
    assert!(cables(&["gen", "--count", "20", "--seed", "2", "--ingest"])
        .status
        .success());
    let out = cables(&["user", "add", "ana", "--clearance", "SECRET"]);
    assert!(out.status.success());
    let token = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    // No mode given, none stored: open by default, refused because of the reader.
    let out = cables(&["serve", "--addr", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has readers"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Controlled: stored, so the next start needs no flag; anonymous is the public, the
    // token the reader.
    let (mut child, url) = start(&data, &["--access", "controlled"]);
    let (status, body) = get(&url, "/api/stats");
    assert_eq!(status, 200, "{body}");
    signal(&child, "TERM");
    child.wait().expect("wait");
    let (mut child, url) = start(&data, &[]);
    let (status, body) = get(&url, "/api/stats");
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert!(v["versions"].is_null(), "a restricted view: {v}");
    signal(&child, "TERM");
    child.wait().expect("wait");
    assert_eq!(token.len(), 64);
    // Explicitly open: served.
    let (mut child, url) = start(&data, &["--access", "open"]);
    let (status, _) = get(&url, "/api/stats");
    assert_eq!(status, 200);
    signal(&child, "TERM");
    child.wait().expect("wait");
}

/// SIGTERM while a long answer is being sent: the server stops taking new connections but
/// finishes the answer in flight, then exits cleanly.
#[cfg(unix)]
#[test]
fn sigterm_drains_the_requests_in_flight() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_cables"))
        .env_remove("CABLES_DATA")
        .arg("--data")
        .arg(&data)
        .args(["gen", "--count", "3000", "--seed", "8", "--ingest"])
        .output()
        .expect("gen");
    assert!(out.status.success());
    let (mut child, url) = start(&data, &[]);
    let s = send_get(&url, "/api/export?format=jsonl");
    // The answer has started: its status line is here.
    let mut reader = BufReader::new(s);
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    assert!(status.contains(" 200 "), "{status}");
    signal(&child, "TERM");
    let mut chunked = false;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).expect("header");
        if line.trim().is_empty() {
            break;
        }
        chunked |= line
            .to_ascii_lowercase()
            .starts_with("transfer-encoding: chunked");
    }
    let mut rest = Vec::new();
    reader
        .read_to_end(&mut rest)
        .expect("the rest of the answer");
    let body = if chunked { dechunk(&rest) } else { rest };
    let text = String::from_utf8_lossy(&body);
    let records = text
        .lines()
        .filter(|l| serde_json::from_str::<Value>(l).is_ok_and(|v| v["version"].is_string()))
        .count();
    assert_eq!(records, 3000, "every cable of the export arrived");
    assert!(child.wait().expect("wait").success());
}

/// The body of a chunked HTTP/1.1 answer.
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = raw.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&raw[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = eol + 2;
        let end = (start + size).min(raw.len());
        out.extend_from_slice(&raw[start..end]);
        raw = raw.get(end + 2..).unwrap_or_default();
    }
}
