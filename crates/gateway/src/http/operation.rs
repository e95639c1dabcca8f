//! Running one operation over HTTP: the caller is authenticated when the
//! operation runs (so a batch's `logOut` ends the session for the
//! operations after it), its token verified before and its session checked
//! when first needed (`LazyViewer`); the engine runs it (`crate::engine`);
//! its errors are coded and it is observed in the metrics and logs.

use std::time::Instant;

use async_graphql::{Request, Response};
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};

use roster_domain::{DomainError, ErrorCode};

use super::state::AppState;
use crate::auth::issuers;
use crate::auth::tokens::TokenSubject;
use crate::auth::viewer::{LazyViewer, Viewer};
use crate::client_addr::ClientAddr;
use crate::engine::{self, Answer, OperationLabel, Outcome};
use crate::error::ApiError;
use crate::graphql::Services;

/// What the handler knows of the HTTP request that every operation of it
/// needs. Per-request facts (a client address, …) belong here.
pub(super) struct Caller<'a> {
    pub headers: &'a HeaderMap,
    pub client: ClientAddr,
}

/// Runs `request` as `caller`; `read_only` refuses mutations (a `GET`).
/// The answer is not yet capped in size: `respond` does it as it
/// serializes.
pub(super) async fn run(
    state: &AppState,
    caller: &Caller<'_>,
    request: Request,
    read_only: bool,
) -> Answer {
    let started = Instant::now();
    let viewer = match claim(&state.services, caller.headers).await {
        Ok(viewer) => viewer,
        Err(e) => {
            let answer = unanswered(e);
            observe(&answer, started);
            return answer;
        }
    };
    // The user a verified token names (its session is checked later).
    if let Some(user) = viewer.claimed_user() {
        tracing::Span::current().record("user_id", tracing::field::display(user));
    }
    let caller = engine::Caller {
        viewer,
        client: caller.client,
        connection: None,
    };
    let mut answer = state.engine.execute(request, caller, read_only).await;
    code_errors(&mut answer.response);
    observe(&answer, started);
    answer
}

/// Errors the schema raised itself (parse, validation, limits, bad
/// argument values) carry no code: they are the request's fault.
fn code_errors(response: &mut Response) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", ErrorCode::Validation.as_str());
        }
    }
}

/// The operation's latency and first error's code in the metrics, and its
/// name on the request's log lines (a batch's: the last operation's).
fn observe(answer: &Answer, started: Instant) {
    let code =
        answer
            .response
            .errors
            .first()
            .and_then(|e| match e.extensions.as_ref()?.get("code")? {
                async_graphql::Value::String(code) => Some(code.as_str()),
                async_graphql::Value::Enum(code) => Some(code.as_str()),
                _ => None,
            });
    let label = &answer.label;
    crate::metrics::graphql_operation(&label.root_field, code, started.elapsed());
    tracing::Span::current().record("operation", tracing::field::display(label));
}

/// An operation that did not run: the caller could not be looked up.
fn unanswered(e: DomainError) -> Answer {
    let error = async_graphql::Error::from(ApiError(e));
    Answer {
        response: Response::from_errors(vec![error.into_server_error(Default::default())]),
        outcome: Outcome::RequestError,
        label: OperationLabel::none(),
    }
}

/// The caller, from `Authorization: Bearer <token>`: the token must verify
/// now; its session is checked when the operation first needs the viewer.
/// A token Roster did not sign may be a trusted issuer's, whose account is
/// looked up (or made) now.
async fn claim(services: &Services, headers: &HeaderMap) -> Result<LazyViewer, DomainError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    Ok(match bearer_token(services, value).await {
        Ok(Some((subject, _))) => LazyViewer::token(subject)
            .requiring_verified_email(services.config.require_verified_email),
        Ok(None) => LazyViewer::resolved(Viewer::Anonymous),
        Err(rejected) => match issuer_viewer(services, value).await? {
            Some((viewer, _)) => LazyViewer::resolved(viewer),
            None => LazyViewer::resolved(rejected),
        },
    })
}

/// The viewer a trusted issuer's token signs in (docs/api/own-log-in.md:
/// no Roster session), and when the token expires; `None` when the value
/// is no such token, or the token is refused.
async fn issuer_viewer(
    services: &Services,
    value: Option<&str>,
) -> Result<Option<(Viewer, DateTime<Utc>)>, DomainError> {
    let Some(issuers) = &services.config.trusted_issuers else {
        return Ok(None);
    };
    let Some(token) = value.and_then(|v| v.strip_prefix("Bearer ")) else {
        return Ok(None);
    };
    let now = services.clock.now();
    let signed_in = issuers::sign_in(issuers, services.store.as_ref(), token.trim(), now).await?;
    Ok(signed_in.map(|(user, expires_at)| {
        // Made or linked only from an email the issuer verified.
        let viewer = Viewer::Authenticated {
            user,
            session: None,
            unverified: false,
        };
        (viewer, expires_at)
    }))
}

/// What an `Authorization` value (`Bearer <token>`) claims, and when its
/// token expires: no value, `None`; a token that does not verify,
/// `Err(Rejected)`.
async fn bearer_token(
    services: &Services,
    value: Option<&str>,
) -> Result<Option<(TokenSubject, DateTime<Utc>)>, Viewer> {
    let Some(value) = value else {
        return Ok(None);
    };
    let token = value.strip_prefix("Bearer ").ok_or(Viewer::Rejected)?;
    let now = services.clock.now();
    let verified = services.tokens.verify_until(token.trim(), now).await;
    verified.map(Some).ok_or(Viewer::Rejected)
}

/// The caller an `Authorization` value (`Bearer <token>`) names, and when
/// its token expires: the token must verify and its session must still be
/// open. No value: `Anonymous`; anything else that fails: `Rejected`.
pub(super) async fn bearer_viewer(
    services: &Services,
    value: Option<&str>,
) -> Result<(Viewer, Option<DateTime<Utc>>), DomainError> {
    let (subject, expires_at) = match bearer_token(services, value).await {
        Ok(Some(verified)) => verified,
        Ok(None) => return Ok((Viewer::Anonymous, None)),
        Err(rejected) => {
            return Ok(match issuer_viewer(services, value).await? {
                Some((viewer, expires_at)) => (viewer, Some(expires_at)),
                None => (rejected, None),
            });
        }
    };
    let now = services.clock.now();
    let session_user = services.store.session_user(subject.session, now).await?;
    let viewer = Viewer::of_session(subject, session_user)
        .requiring_verified_email(services.config.require_verified_email);
    let expires_at = matches!(viewer, Viewer::Authenticated { .. }).then_some(expires_at);
    Ok((viewer, expires_at))
}
