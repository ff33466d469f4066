//! Credentials: API tokens (wrong, removed, rotated), the failure limit (429 with
//! `Retry-After`), the web sign-in (session cookie HttpOnly and SameSite=Strict, CSRF on every
//! form) and the open mode. Each test has its own server, so that failure counts do not cross.

mod common;

use axum::http::StatusCode;
use cable_archive::readers::Readers;
use cable_archive::AccessMode;
use cable_server::auth::{FAILURE_WINDOW, MAX_FAILURES};
use cable_testdata::access::READERS;
use common::{Answer, Req, Server};

const WRONG: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// How many cables `reader` may see, by the oracle.
fn visible(reader: &str) -> u64 {
    let r = READERS
        .iter()
        .find(|r| r.name == reader)
        .expect("a fixture reader");
    let ids: std::collections::BTreeSet<&str> = cable_testdata::access::CANARIES
        .iter()
        .map(|c| c.id)
        .filter(|id| r.sees_cable(id))
        .collect();
    ids.len() as u64
}

fn assert_401(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}: {}", a.body);
    assert!(
        a.header("www-authenticate").starts_with("Bearer"),
        "{what}: WWW-Authenticate"
    );
}

async fn cables_seen(s: &Server, token: Option<&str>) -> u64 {
    let a = s.get("/api/stats", token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.json()["cables"].as_u64().expect("cables")
}

#[tokio::test]
async fn tokens_give_their_readers_view_and_bad_ones_401() {
    let s = common::server(AccessMode::Controlled);
    assert_eq!(cables_seen(&s, None).await, visible("anonymous"));
    for r in ["conf", "secret", "secretnf"] {
        assert_eq!(cables_seen(&s, s.token(r)).await, visible(r), "{r}");
    }
    let a = s.get("/api/stats", Some(WRONG)).await;
    assert_401(&a, "a wrong token");
    assert_eq!(a.json()["error"]["code"], "unauthorized");
    assert_401(&s.get("/api/search", Some("short")).await, "a short token");
    assert_401(
        &s.send(Req::get("/api/stats").header("authorization", "Basic Zm9vOmJhcg=="))
            .await,
        "another scheme",
    );
    // A page asked with a wrong token is refused too (not shown as the public's).
    assert_401(&s.get("/", Some(WRONG)).await, "a page with a wrong token");
}

#[tokio::test]
async fn removed_and_rotated_tokens_stop_working_at_once() {
    let s = common::server(AccessMode::Controlled);
    let conf = s.token("conf").expect("token").to_string();
    let secret = s.token("secret").expect("token").to_string();
    assert_eq!(cables_seen(&s, Some(&conf)).await, visible("conf"));
    let mut readers = Readers::load(&s.data).expect("readers");
    readers.remove("conf").expect("remove");
    assert_401(&s.get("/api/stats", Some(&conf)).await, "a removed token");

    let new = readers.rotate("secret").expect("rotate");
    assert_401(&s.get("/api/stats", Some(&secret)).await, "a rotated token");
    assert_eq!(cables_seen(&s, Some(&new)).await, visible("secret"));
}

#[tokio::test]
async fn repeated_failures_get_429_with_retry_after() {
    let s = common::server(AccessMode::Controlled);
    let attacker = "192.0.2.7:5000";
    for _ in 0..MAX_FAILURES {
        let a = s
            .send(Req::get("/api/stats").token(Some(WRONG)).from(attacker))
            .await;
        assert_401(&a, "a wrong token");
    }
    let a = s
        .send(Req::get("/api/stats").token(Some(WRONG)).from(attacker))
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
    let retry: u64 = a
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!((1..=FAILURE_WINDOW.as_secs()).contains(&retry), "{retry}");
    assert_eq!(a.json()["error"]["code"], "too-many-failures");
    // Even a good token is refused from that address while the window lasts...
    let good = s.token("secret");
    let a = s
        .send(Req::get("/api/stats").token(good).from(attacker))
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    // ... and so is signing in; anonymous reading still works; other addresses are unaffected.
    let login = s.send(Req::get("/login").from(attacker)).await;
    let csrf = login.cookie("cables_csrf").expect("csrf cookie");
    let a = s
        .send(
            Req::post_form(
                "/login",
                &format!("csrf={csrf}&token={}", good.unwrap_or("")),
            )
            .header("cookie", &format!("cables_csrf={csrf}"))
            .from(attacker),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(!a.header("retry-after").is_empty());
    let a = s.send(Req::get("/api/stats").from(attacker)).await;
    assert_eq!(a.status, StatusCode::OK);
    let a = s
        .send(Req::get("/api/stats").token(good).from("192.0.2.8:5000"))
        .await;
    assert_eq!(a.status, StatusCode::OK);
}

/// Sign in through the form as `reader`; the session cookie's value and its `Set-Cookie` line.
async fn sign_in(s: &Server, token: &str) -> (String, String) {
    let form = s.get("/login", None).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.cookie("cables_csrf").expect("a CSRF cookie");
    assert!(
        form.body
            .contains(&format!("name=\"csrf\" value=\"{csrf}\"")),
        "the form carries the CSRF token"
    );
    let a = s
        .send(
            Req::post_form("/login", &format!("csrf={csrf}&token={token}"))
                .header("cookie", &format!("cables_csrf={csrf}")),
        )
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.header("location"), "/");
    let line = a
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("cables_session="))
        .expect("a session cookie");
    (a.cookie("cables_session").expect("session"), line)
}

#[tokio::test]
async fn the_session_cookie_is_httponly_strict_and_gives_the_readers_view() {
    let s = common::server(AccessMode::Controlled);
    let token = s.token("secretnf").expect("token").to_string();
    let (session, line) = sign_in(&s, &token).await;
    assert!(line.contains("HttpOnly"), "{line}");
    assert!(line.contains("SameSite=Strict"), "{line}");
    assert!(line.contains("Path=/"), "{line}");
    assert!(!line.contains(&token), "the cookie never holds the token");
    let cookie = format!("cables_session={session}");

    let a = s
        .send(Req::get("/api/stats").header("cookie", &cookie))
        .await;
    assert_eq!(a.json()["cables"], visible("secretnf"));
    let home = s.send(Req::get("/").header("cookie", &cookie)).await;
    assert!(
        home.body.contains("secretnf"),
        "the header names the reader"
    );
    assert!(
        home.body.contains("action=\"/logout\""),
        "a sign-out button"
    );
    let anon = s.get("/", None).await;
    assert!(anon.body.contains("href=\"/login\""), "a sign-in link");

    // Signing out needs the session's CSRF token.
    let a = s
        .send(Req::post_form("/logout", "").header("cookie", &cookie))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let a = s
        .send(Req::post_form("/logout", &format!("csrf={WRONG}")).header("cookie", &cookie))
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN);
    let csrf = home
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the sign-out form's CSRF token")
        .to_string();
    let a = s
        .send(Req::post_form("/logout", &format!("csrf={csrf}")).header("cookie", &cookie))
        .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert!(a
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("cables_session=;")));
    assert_401(
        &s.send(Req::get("/api/stats").header("cookie", &cookie))
            .await,
        "an ended session",
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let s = common::server(AccessMode::Controlled);
    let token = s.token("conf").expect("token").to_string();
    let form = s.get("/login", None).await;
    let csrf = form.cookie("cables_csrf").expect("csrf cookie");
    for (body, cookie) in [
        (format!("token={token}"), Some(csrf.clone())),
        (format!("csrf=&token={token}"), Some(csrf.clone())),
        (format!("csrf={WRONG}&token={token}"), Some(csrf.clone())),
        (format!("csrf={csrf}&token={token}"), None),
    ] {
        let mut req = Req::post_form("/login", &body);
        if let Some(c) = &cookie {
            req = req.header("cookie", &format!("cables_csrf={c}"));
        }
        let a = s.send(req).await;
        assert_eq!(a.status, StatusCode::FORBIDDEN, "{body} {cookie:?}");
        assert!(a.cookie("cables_session").is_none());
    }
    assert_eq!(
        s.send(Req::post_form("/logout", "")).await.status,
        StatusCode::FORBIDDEN
    );
    // A wrong token through the form: 401, the form again.
    let a = s
        .send(
            Req::post_form("/login", &format!("csrf={csrf}&token={WRONG}"))
                .header("cookie", &format!("cables_csrf={csrf}")),
        )
        .await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    assert!(a.body.contains("not valid"));
    assert!(a.cookie("cables_session").is_none());
}

#[tokio::test]
async fn sessions_end_when_the_reader_is_rotated_or_removed() {
    let s = common::server(AccessMode::Controlled);
    let secret = s.token("secret").expect("token").to_string();
    let conf = s.token("conf").expect("token").to_string();
    let (a, _) = sign_in(&s, &secret).await;
    let (b, _) = sign_in(&s, &conf).await;
    let mut readers = Readers::load(&s.data).expect("readers");
    readers.rotate("secret").expect("rotate");
    readers.remove("conf").expect("remove");
    for session in [a, b] {
        let cookie = format!("cables_session={session}");
        let r = s
            .send(Req::get("/api/stats").header("cookie", &cookie))
            .await;
        assert_401(&r, "a session of a rotated or removed reader");
        let page = s.send(Req::get("/").header("cookie", &cookie)).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(page
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("cables_session=;")));
    }
}

#[tokio::test]
async fn open_mode_shows_everything_and_still_refuses_bad_tokens() {
    let s = common::server(AccessMode::Open);
    let all = 6;
    assert_eq!(cables_seen(&s, None).await, all);
    assert_eq!(cables_seen(&s, s.token("conf")).await, all);
    assert_401(&s.get("/api/stats", Some(WRONG)).await, "a wrong token");
    let home = s.get("/", None).await;
    assert!(!home.body.contains("href=\"/login\""), "no sign-in link");
    // No source path, even when everything is shown.
    let doc = s.get("/api/cables/09OSLO101", None).await.json();
    assert!(doc["source"].get("path").is_none(), "{}", doc["source"]);
    let v = s.get("/api/cables/09OSLO101/versions", None).await.json();
    assert!(v["versions"][0]["source"].get("path").is_none());
}
