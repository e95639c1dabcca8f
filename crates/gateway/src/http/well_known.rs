//! `GET /.well-known/jwks.json` and `GET /.well-known/openid-configuration`
//! (docs/api/sessions.md, "Verifying Roster tokens in your service"): the
//! public halves of the published signing keys, and where to find them.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;
use crate::auth::keys::REFRESH;
use crate::auth::keys::material::ALGORITHM;

/// How long a verifier may keep the JWKS: a third of a token's lifetime, at
/// most five minutes. A new key is published one lifetime before it signs,
/// so a verifier's copy (plus a gateway's `REFRESH`) always has it in time
/// (docs/operations/key-rotation.md).
fn max_age(state: &AppState) -> u64 {
    let ttl = state.services.config.access_token_ttl.as_secs();
    (ttl / 3)
        .saturating_sub(REFRESH.num_seconds().unsigned_abs())
        .min(300)
}

pub(super) async fn jwks(State(state): State<AppState>) -> Response {
    let now = state.services.clock.now();
    match state.services.tokens.keys().current(now).await {
        Ok(keys) => (
            [
                (
                    header::CACHE_CONTROL,
                    format!("public, max-age={}", max_age(&state)),
                ),
                (header::CONTENT_TYPE, "application/jwk-set+json".to_owned()),
            ],
            keys.jwks(now).to_string(),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the token-signing keys");
            (StatusCode::SERVICE_UNAVAILABLE, "signing keys unavailable").into_response()
        }
    }
}

/// The discovery document's members that describe Roster's tokens; Roster
/// is not an OAuth authorization server, so it names no endpoints but the
/// JWKS.
pub(super) async fn openid_configuration(State(state): State<AppState>) -> Response {
    let issuer = &state.services.config.issuer;
    (
        [(header::CACHE_CONTROL, "public, max-age=3600")],
        Json(serde_json::json!({
            "issuer": issuer,
            "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["none"],
            "claims_supported": ["iss", "aud", "sub", "sid", "iat", "exp", "org_id", "org_role", "org_status"],
        })),
    )
        .into_response()
}
