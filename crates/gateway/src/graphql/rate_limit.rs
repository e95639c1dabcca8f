//! Applying the rate limits (rules.md §10) in resolvers: count a hit
//! before the work it guards, refuse past the limit, and take the hit back
//! when the attempt turns out not to be a guess (a right password, a token
//! that opens an invitation).

use async_graphql::Context;

use roster_domain::rate_limit::MAX_WINDOW;
use roster_domain::{DomainError, RateKey, RatePolicy, RateScope};

use super::context::{Services, services};
use crate::client_addr::ClientAddr;
use crate::error::ApiError;

/// A counted hit, to take back with [`refund`].
pub struct Hit {
    key: RateKey,
    window_start: i64,
}

/// Counts one hit on `scope`/`subject` under `policy`: `RATE_LIMITED`
/// (with the seconds until the window ends) once past the limit.
pub async fn hit(
    services: &Services,
    policy: RatePolicy,
    scope: RateScope,
    subject: &str,
) -> Result<Hit, DomainError> {
    let key = RateKey::new(scope, subject);
    let now = services.clock.now();
    let window_start = policy.window_at(now);
    let hits = count(services, &key, window_start).await?;
    if let Err(refused) = policy.check(hits, now) {
        tracing::info!(scope = ?scope, hits, "rate limited");
        crate::metrics::rate_limited(scope.as_str());
        return Err(refused);
    }
    Ok(Hit { key, window_start })
}

/// Counts one hit on `key` in the window starting at `window_start`; the
/// hits in that window so far.
pub async fn count(
    services: &Services,
    key: &RateKey,
    window_start: i64,
) -> Result<i64, DomainError> {
    let hits = services.store.hit_rate_limit(key, window_start).await?;
    if hits == 1 {
        // A key's new window is the moment to drop counters whose window
        // is long over, so the table holds only the last day's keys.
        purge_stale(services, services.clock.now()).await;
    }
    Ok(hits)
}

async fn purge_stale(services: &Services, now: chrono::DateTime<chrono::Utc>) {
    let horizon = i64::try_from(MAX_WINDOW.as_secs()).unwrap_or(i64::MAX);
    if let Err(e) = services
        .store
        .purge_rate_limits(now.timestamp() - horizon)
        .await
    {
        tracing::warn!(error = %e, "could not purge stale rate-limit counters");
    }
}

/// Takes `hit` back. Best effort: a failure only leaves the count one too
/// high until the window ends.
pub async fn refund(services: &Services, hit: Hit) {
    uncount(services, &hit.key, hit.window_start).await;
}

/// Takes back one hit on `key` in the window starting at `window_start`,
/// best effort.
pub async fn uncount(services: &Services, key: &RateKey, window_start: i64) {
    if let Err(e) = services.store.refund_rate_limit(key, window_start).await {
        tracing::warn!(error = %e, "could not take back a rate-limit hit");
    }
}

/// What per-address limits count the caller against.
pub fn client_subject(ctx: &Context<'_>) -> String {
    ctx.data_opt::<ClientAddr>()
        .copied()
        .unwrap_or(ClientAddr(std::net::IpAddr::from([0, 0, 0, 0])))
        .limit_subject()
}

/// Runs `attempt`, a use of an invitation token, counted against the
/// caller's address when the token opens nothing (`INVITATION_INVALID`):
/// guessing tokens is limited, using a real one is not.
pub async fn token_use<T>(
    ctx: &Context<'_>,
    attempt: impl Future<Output = Result<T, ApiError>>,
) -> Result<T, ApiError> {
    let s = services(ctx);
    let hit = hit(
        s,
        s.config.rate_limits.token_per_address,
        RateScope::TokenAddress,
        &client_subject(ctx),
    )
    .await?;
    let result = attempt.await;
    if !matches!(&result, Err(ApiError(DomainError::InvitationInvalid))) {
        refund(s, hit).await;
    }
    result
}
