//! `/login` and `/logout`: the web UI's sign-in with an API token, for controlled archives.
//!
//! `GET /login` sets a random CSRF cookie (`cables_csrf`) and writes the same value into the
//! form; `POST /login` accepts the form only when both agree (a double-submit cookie: another
//! site can make a browser post the form, but cannot read or set the cookie), then checks the
//! token, starts a server-side session and sets the `cables_session` cookie (HttpOnly,
//! SameSite=Strict). `POST /logout` carries the session's own CSRF token. Failed tokens count
//! against the client's address like failed API tokens (see `auth.rs`).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::State;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Form;
use cable_archive::AccessMode;
use serde::Deserialize;

use super::{render, PageError};
use crate::auth::{
    clear_cookie, cookie, random_token, same_secret, set_cookie, AuthError, AuthView, ClientIp,
    CSRF_COOKIE, SESSION_COOKIE,
};
use crate::AppState;

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: String,
    q: String,
    auth: AuthView,
    csrf: String,
    /// Why the last attempt failed.
    error: String,
    /// Whether the archive is open (then signing in only names the reader).
    open: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LoginForm {
    csrf: String,
    token: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LogoutForm {
    csrf: String,
}

fn is_token(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn login_page(state: &AppState, status: StatusCode, csrf: String, error: &str) -> Response {
    let controlled = state.access.mode == AccessMode::Controlled;
    let mut resp = render(
        status,
        &LoginPage {
            title: "Sign in".into(),
            q: String::new(),
            auth: AuthView {
                controlled,
                ..AuthView::default()
            },
            error: error.to_string(),
            open: !controlled,
            csrf: csrf.clone(),
        },
    );
    resp.headers_mut()
        .append(SET_COOKIE, set_cookie(CSRF_COOKIE, &csrf));
    resp
}

fn forbidden() -> Response {
    PageError::new(
        StatusCode::FORBIDDEN,
        "Form refused",
        "The form did not carry this site's CSRF token (it may have expired, or come from \
         another site). Reload the page and try again.",
    )
    .into_response()
}

fn redirect_home(cookie: HeaderValue) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    resp.headers_mut()
        .insert(LOCATION, HeaderValue::from_static("/"));
    resp.headers_mut().append(SET_COOKIE, cookie);
    resp
}

/// `GET /login`: the sign-in form.
pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let csrf = match cookie(&headers, CSRF_COOKIE).filter(|c| is_token(c)) {
        Some(c) => c,
        None => random_token()?,
    };
    Ok(login_page(&state, StatusCode::OK, csrf, ""))
}

/// `POST /login`: check the CSRF token, then the API token; start a session.
pub(crate) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let form = form.map(|f| f.0).unwrap_or_default();
    let expected = cookie(&headers, CSRF_COOKIE).filter(|c| is_token(c));
    let Some(expected) = expected.filter(|c| same_secret(c, form.csrf.trim())) else {
        return Ok(forbidden());
    };
    if let Some(wait) = state.access.blocked(ip) {
        return Ok(AuthError::too_many(wait, true).into_response());
    }
    let token = form.token.trim();
    match state.access.verify(token)? {
        Some((name, _)) => {
            let (session, _) = state.access.start_session(token)?;
            tracing::info!(reader = %name, client = %ip, "signed in");
            Ok(redirect_home(set_cookie(SESSION_COOKIE, &session)))
        }
        None => {
            state.access.fail(ip);
            Ok(login_page(
                &state,
                StatusCode::UNAUTHORIZED,
                expected,
                "That token is not valid: it may be mistyped, or the reader removed or given a \
                 new token.",
            ))
        }
    }
}

/// `POST /logout`: end the session (the form carries the session's CSRF token).
pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let form = form.map(|f| f.0).unwrap_or_default();
    let csrf = form.csrf.trim();
    if csrf.is_empty() {
        return forbidden();
    }
    let Some(session) = cookie(&headers, SESSION_COOKIE).filter(|s| !s.is_empty()) else {
        return redirect_home(clear_cookie(SESSION_COOKIE));
    };
    match state.access.end_session(&session, csrf) {
        Some(false) => forbidden(),
        Some(true) | None => redirect_home(clear_cookie(SESSION_COOKIE)),
    }
}
