//! The access-control fixture as a server: the six canary cables of `cable_testdata::access`
//! in a temporary archive with automatic declassification on and the hand release recorded,
//! the fixture's readers added, and the router of a server over it, spoken to in process.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use cable_archive::readers::Readers;
use cable_archive::{AccessMode, Archive, Clearance, Withheld};
use cable_query::Level;
use cable_server::{AppState, ServerOptions};
use cable_testdata::access::{self, TestReader, READERS};
use tower::ServiceExt;

/// A server over the fixture archive.
pub struct Server {
    pub router: Router,
    /// Each reader's token (`None` for the anonymous public).
    pub tokens: BTreeMap<&'static str, Option<String>>,
    pub data: PathBuf,
    /// Where the cable files were read from: no answer may name it.
    pub files: PathBuf,
    _dir: tempfile::TempDir,
}

pub fn level(name: &str) -> Level {
    Level::parse(name).unwrap_or_else(|| panic!("level {name}"))
}

pub fn clearance(r: &TestReader) -> Clearance {
    Clearance::new(level(r.clearance), r.caveats.iter().copied())
}

/// The fixture archive served in `mode`.
pub fn server(mode: AccessMode) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = access::write_cables(dir.path());
    let data = dir.path().join("data");
    let mut archive = Archive::open(&data).expect("open archive");
    archive
        .ingest(std::slice::from_ref(&files), &mut |_| {})
        .expect("ingest");
    archive.set_auto_declassify(true).expect("auto-declassify");
    let (id, paragraph, exemption) = access::RELEASED;
    archive
        .record_release(
            id,
            Level::Unclassified,
            vec![Withheld {
                paragraph: paragraph.into(),
                exemption: exemption.into(),
            }],
            "owner",
        )
        .expect("release");
    let mut readers = Readers::load(&data).expect("readers");
    let mut tokens = BTreeMap::new();
    for r in READERS {
        let token = (r.name != "anonymous")
            .then(|| readers.add(r.name, clearance(&r)).expect("add reader"));
        tokens.insert(r.name, token);
    }
    let opts = ServerOptions {
        access: mode,
        as_of: Some(access::AS_OF.parse().expect("as-of date")),
        ..ServerOptions::default()
    };
    let state = AppState::new(archive, &opts).expect("state");
    Server {
        router: cable_server::router(state, &opts),
        tokens,
        data,
        files,
        _dir: dir,
    }
}

/// An answer, its body as text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("JSON body ({e}): {}", self.body))
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type")
    }

    /// Every `Set-Cookie` value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect()
    }

    /// The value a `Set-Cookie` header gives cookie `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            let (k, v) = c.split(';').next()?.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_string())
        })
    }
}

/// A request to send.
pub struct Req {
    pub method: Method,
    pub uri: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub from: Option<SocketAddr>,
}

impl Req {
    pub fn get(uri: &str) -> Req {
        Req {
            method: Method::GET,
            uri: uri.to_string(),
            headers: Vec::new(),
            body: String::new(),
            from: None,
        }
    }

    pub fn post_form(uri: &str, form: &str) -> Req {
        Req {
            method: Method::POST,
            uri: uri.to_string(),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: form.to_string(),
            from: None,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Req {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn token(self, token: Option<&str>) -> Req {
        match token {
            Some(t) => self.header("authorization", &format!("Bearer {t}")),
            None => self,
        }
    }

    pub fn from(mut self, addr: &str) -> Req {
        self.from = Some(addr.parse().expect("socket address"));
        self
    }
}

impl Server {
    pub async fn send(&self, req: Req) -> Answer {
        let mut b = Request::builder().method(req.method).uri(&req.uri);
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let mut request = b.body(Body::from(req.body)).expect("request");
        if let Some(addr) = req.from {
            request.extensions_mut().insert(ConnectInfo(addr));
        }
        let resp = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Answer {
        self.send(Req::get(uri).token(token)).await
    }

    pub fn token(&self, reader: &str) -> Option<&str> {
        self.tokens.get(reader).and_then(|t| t.as_deref())
    }
}

/// Percent-encode a query-string value, as the server's own links do.
pub fn enc(s: &str) -> String {
    cable_server::encode_query_component(s)
}
