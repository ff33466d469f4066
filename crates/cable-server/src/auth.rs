//! Who is reading: every request's [`View`] of the archive, from its credentials and the
//! server's access mode, and the web UI's sign-in (sessions, CSRF).
//!
//! Credentials, in this order: an `Authorization: Bearer TOKEN` header (API clients), else a
//! `cables_session` cookie (the web UI). A request with neither reads as the anonymous public
//! (`Clearance::public()` in controlled mode, everything in open mode). A credential that does
//! not verify — a wrong, removed or rotated token, a session whose token no longer verifies —
//! is answered 401, never read as anonymous, and counts as a failure of the client's address:
//! after [`MAX_FAILURES`] failures within [`FAILURE_WINDOW`], every credentialed request and
//! sign-in from that address is answered 429 with `Retry-After` until the window has passed
//! (anonymous reads still work).
//!
//! Sessions live in the server's memory only: the cookie holds a random session id, the map
//! holds the reader's token, verified again on every request against the readers file
//! (reloaded when `cables user` changes it), so that removing a reader or rotating their token
//! ends their sessions at once. Forms carry a CSRF token: the sign-in form a double-submit
//! cookie (`cables_csrf`), the sign-out form the session's own token.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::{AUTHORIZATION, COOKIE, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cable_archive::readers::Directory;
use cable_archive::{AccessMode, Archive, Clearance, View, Who};

use crate::{ApiError, AppState};

/// Failed credentials from one address before it is refused.
pub const MAX_FAILURES: u32 = 10;
/// The window failures are counted in, and how long an address stays refused.
pub const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How long a web session lasts at most.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// The session cookie.
pub const SESSION_COOKIE: &str = "cables_session";
/// The sign-in form's double-submit cookie.
pub const CSRF_COOKIE: &str = "cables_csrf";
/// Addresses whose failures are remembered at most (older windows are dropped first).
const MAX_TRACKED: usize = 100_000;

/// One web session.
struct Session {
    /// The reader's token, verified again on every request.
    token: String,
    /// The token the session's forms (sign-out) carry.
    csrf: String,
    created: Instant,
}

/// Failures of one address in the current window.
struct Failures {
    since: Instant,
    count: u32,
}

/// The server's access state: its mode, the readers, the sessions and the failure counts.
pub struct Access {
    pub mode: AccessMode,
    /// The day views are computed on (`--as-of`); today when `None`.
    pub as_of: Option<jiff::civil::Date>,
    readers: Directory,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<IpAddr, Failures>>,
}

/// 32 random bytes as 64 hex digits; without randomness no session or CSRF token may be made,
/// and the request fails.
pub fn random_token() -> Result<String, ApiError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| {
        tracing::error!(error = %e, "the system's random source failed");
        ApiError::internal("the server could not make a random token")
    })?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// Compare two secrets in time independent of where they differ.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a request presented.
enum Credential {
    Bearer(String),
    Session(String),
}

impl Access {
    pub fn new(
        dir: &std::path::Path,
        mode: AccessMode,
        as_of: Option<jiff::civil::Date>,
    ) -> cable_archive::Result<Access> {
        Ok(Access {
            mode,
            as_of,
            readers: Directory::open(dir)?,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
        })
    }

    /// Seconds until `ip` may try again, when it is refused.
    pub fn blocked(&self, ip: IpAddr) -> Option<u64> {
        let mut map = lock(&self.failures);
        let f = map.get(&ip)?;
        let elapsed = f.since.elapsed();
        if elapsed >= FAILURE_WINDOW {
            map.remove(&ip);
            return None;
        }
        (f.count >= MAX_FAILURES).then(|| (FAILURE_WINDOW - elapsed).as_secs().max(1))
    }

    /// Count a failed credential from `ip`.
    pub fn fail(&self, ip: IpAddr) {
        let mut map = lock(&self.failures);
        if map.len() >= MAX_TRACKED {
            map.retain(|_, f| f.since.elapsed() < FAILURE_WINDOW);
        }
        let f = map.entry(ip).or_insert(Failures {
            since: Instant::now(),
            count: 0,
        });
        if f.since.elapsed() >= FAILURE_WINDOW {
            *f = Failures {
                since: Instant::now(),
                count: 0,
            };
        }
        f.count = f.count.saturating_add(1);
        tracing::warn!(client = %ip, failures = f.count, "a credential failed");
    }

    /// The reader a token belongs to.
    pub fn verify(&self, token: &str) -> Result<Option<(String, Clearance)>, ApiError> {
        Ok(self.readers.verify(token.trim())?)
    }

    /// Start a session for a verified token; returns its id and CSRF token.
    pub fn start_session(&self, token: &str) -> Result<(String, String), ApiError> {
        let id = random_token()?;
        let csrf = random_token()?;
        let mut map = lock(&self.sessions);
        map.retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        map.insert(
            id.clone(),
            Session {
                token: token.trim().to_string(),
                csrf: csrf.clone(),
                created: Instant::now(),
            },
        );
        Ok((id, csrf))
    }

    /// The token and CSRF token of a live session.
    fn session(&self, id: &str) -> Option<(String, String)> {
        let mut map = lock(&self.sessions);
        match map.get(id) {
            Some(s) if s.created.elapsed() < SESSION_LIFETIME => {
                Some((s.token.clone(), s.csrf.clone()))
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// End a session when `csrf` is its token; `Some(false)` when it is not, `None` when there
    /// is no such session.
    pub fn end_session(&self, id: &str, csrf: &str) -> Option<bool> {
        let mut map = lock(&self.sessions);
        let s = map.get(id)?;
        if !same_secret(&s.csrf, csrf) {
            return Some(false);
        }
        map.remove(id);
        Some(true)
    }

    fn drop_session(&self, id: &str) {
        lock(&self.sessions).remove(id);
    }

    /// Whether the archive has readers (for the start-up check).
    pub fn has_readers(&self) -> cable_archive::Result<bool> {
        Ok(!self.readers.is_empty()?)
    }

    /// The view of `who` cleared for `clearance`, under the server's mode.
    fn view(&self, archive: &Archive, who: Who, clearance: Clearance) -> Result<View, ApiError> {
        let clearance = match self.mode {
            AccessMode::Open => None,
            AccessMode::Controlled => Some(clearance),
        };
        Ok(archive.view(who, clearance, self.as_of)?)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, the whole site.
pub fn set_cookie(name: &str, value: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// A `Set-Cookie` value that removes cookie `name`.
pub fn clear_cookie(name: &str) -> HeaderValue {
    HeaderValue::from_str(&format!(
        "{name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The client's address: the connection's peer, or loopback when the router runs without
/// connection info (in-process tests).
pub fn client_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The client's address as an extractor (never fails).
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientIp, Self::Rejection> {
        Ok(ClientIp(client_ip(parts)))
    }
}

/// What the page header shows of the reader.
#[derive(Debug, Clone, Default)]
pub struct AuthView {
    /// Whether the server is in controlled mode (a sign-in link is shown).
    pub controlled: bool,
    /// The signed-in reader's name, empty when anonymous.
    pub name: String,
    /// Their clearance (`SECRET//NOFORN`), in controlled mode.
    pub clearance: String,
    /// The session's CSRF token, when signed in through a session (the sign-out form).
    pub csrf: String,
}

impl AuthView {
    pub fn signed_in(&self) -> bool {
        !self.csrf.is_empty()
    }
}

/// The reader of one request: how it sees the archive and where it comes from.
pub struct Reader {
    pub(crate) view: View,
    /// The client's address, for the audit log.
    pub(crate) from: String,
    pub(crate) auth: AuthView,
}

impl Reader {
    /// How this request sees the archive.
    pub fn view(&self) -> &View {
        &self.view
    }
}

/// Why a request's credentials were refused.
#[derive(Debug)]
pub struct AuthError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
    /// Answer with an HTML page (a page request) rather than JSON.
    html: bool,
    /// Remove the session cookie.
    clear_session: bool,
}

impl AuthError {
    fn unauthorized(message: &str, html: bool) -> AuthError {
        AuthError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: message.to_string(),
            retry_after: None,
            html,
            clear_session: false,
        }
    }

    pub fn too_many(retry_after: u64, html: bool) -> AuthError {
        AuthError {
            status: StatusCode::TOO_MANY_REQUESTS,
            code: "too-many-failures",
            message: format!(
                "too many failed credentials from this address; try again in {retry_after} seconds"
            ),
            retry_after: Some(retry_after),
            html,
            clear_session: false,
        }
    }

    fn internal(e: ApiError, html: bool) -> AuthError {
        AuthError {
            status: e.status,
            code: e.code,
            message: e.message,
            retry_after: None,
            html,
            clear_session: false,
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let mut resp = if self.html {
            let title = match self.status {
                StatusCode::UNAUTHORIZED => "Not signed in",
                StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
                _ => "Server error",
            };
            crate::pages::error_page(self.status, title, &self.message)
        } else {
            ApiError::new(self.status, self.code, self.message).into_response()
        };
        let h = resp.headers_mut();
        if self.status == StatusCode::UNAUTHORIZED {
            h.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"cables\", error=\"invalid_token\""),
            );
        }
        if let Some(s) = self.retry_after {
            h.insert(RETRY_AFTER, HeaderValue::from(s));
        }
        if self.clear_session {
            h.append(SET_COOKIE, clear_cookie(SESSION_COOKIE));
        }
        resp
    }
}

fn credential(headers: &HeaderMap) -> Option<Credential> {
    if let Some(v) = headers.get(AUTHORIZATION) {
        let v = v.to_str().unwrap_or_default().trim();
        let token = match v.split_once(' ') {
            Some((scheme, t)) if scheme.eq_ignore_ascii_case("bearer") => t.trim(),
            // A malformed header is a failed credential, not an anonymous request.
            _ => "",
        };
        return Some(Credential::Bearer(token.to_string()));
    }
    cookie(headers, SESSION_COOKIE)
        .filter(|s| !s.is_empty())
        .map(Credential::Session)
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Reader, AuthError> {
        let html = !(parts.uri.path() == "/api" || parts.uri.path().starts_with("/api/"));
        let ip = client_ip(parts);
        let access = &state.access;
        let archive = &state.archive;
        let controlled = access.mode == AccessMode::Controlled;
        let internal = |e: ApiError| AuthError::internal(e, html);
        let Some(cred) = credential(&parts.headers) else {
            let view = access
                .view(archive, Who::Anonymous, Clearance::public())
                .map_err(internal)?;
            return Ok(Reader {
                view,
                from: ip.to_string(),
                auth: AuthView {
                    controlled,
                    ..AuthView::default()
                },
            });
        };
        if let Some(wait) = access.blocked(ip) {
            return Err(AuthError::too_many(wait, html));
        }
        let (token, session) = match cred {
            Credential::Bearer(t) => (t, None),
            Credential::Session(id) => match access.session(&id) {
                Some((token, csrf)) => (token, Some((id, csrf))),
                None => {
                    access.fail(ip);
                    let mut e = AuthError::unauthorized(
                        "your session has ended; sign in again at /login",
                        html,
                    );
                    e.clear_session = true;
                    return Err(e);
                }
            },
        };
        let Some((name, clearance)) = access.verify(&token).map_err(internal)? else {
            access.fail(ip);
            return Err(match session {
                Some((id, _)) => {
                    access.drop_session(&id);
                    let mut e = AuthError::unauthorized(
                        "your session has ended: the reader was removed or their token \
                         replaced; sign in again at /login",
                        html,
                    );
                    e.clear_session = true;
                    e
                }
                None => AuthError::unauthorized(
                    "the token is not valid (wrong, removed or replaced); send \
                     `Authorization: Bearer TOKEN` with a current token, or none to read as \
                     the public",
                    false,
                ),
            });
        };
        let auth = AuthView {
            controlled,
            name: name.clone(),
            clearance: if controlled {
                clearance.describe()
            } else {
                String::new()
            },
            csrf: session.map(|(_, csrf)| csrf).unwrap_or_default(),
        };
        let view = access
            .view(archive, Who::Reader(name), clearance)
            .map_err(internal)?;
        Ok(Reader {
            view,
            from: ip.to_string(),
            auth,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; cables_session=abc"));
        h.append(COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert_eq!(random_token().map(|t| t.len()).ok(), Some(64));
    }

    #[test]
    fn failures_block_an_address_for_the_window() -> cable_archive::Result<()> {
        let dir = tempfile::tempdir().map_err(|e| {
            cable_archive::ArchiveError::Internal(cable_archive::InternalError::Io {
                path: "tmp".into(),
                source: e,
            })
        })?;
        let a = Access::new(dir.path(), AccessMode::Controlled, None)?;
        let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        for _ in 0..MAX_FAILURES - 1 {
            a.fail(ip);
        }
        assert_eq!(a.blocked(ip), None);
        a.fail(ip);
        let wait = a.blocked(ip).expect("blocked");
        assert!((1..=FAILURE_WINDOW.as_secs()).contains(&wait));
        assert_eq!(a.blocked(IpAddr::V4(Ipv4Addr::LOCALHOST)), None);
        Ok(())
    }
}
