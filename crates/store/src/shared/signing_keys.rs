//! Token-signing keys (docs/operations/key-rotation.md): read whole, the
//! first one added once whichever gateway gets there first, a rotated one
//! added with the older keys' withdrawal in one transaction.

use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;

use crate::backend::Backend;
use crate::error::{OnViolation, PortResult, port};
use roster_domain::DomainError;
use roster_domain::signing_key::{SigningKey, SigningKeyStore};

use super::{BackendStore, Db};

const COLUMNS: &str = "kid, generation, algorithm, public_jwk, sealed_private, created_at, \
     publish_from, sign_from, retire_after";

#[derive(sqlx::FromRow)]
struct SigningKeyRow {
    kid: String,
    generation: i64,
    algorithm: String,
    public_jwk: String,
    sealed_private: Vec<u8>,
    created_at: DateTime<Utc>,
    publish_from: DateTime<Utc>,
    sign_from: DateTime<Utc>,
    retire_after: Option<DateTime<Utc>>,
}

impl From<SigningKeyRow> for SigningKey {
    fn from(r: SigningKeyRow) -> Self {
        Self {
            kid: r.kid,
            generation: r.generation,
            algorithm: r.algorithm,
            public_jwk: r.public_jwk,
            sealed_private: r.sealed_private,
            created_at: r.created_at,
            publish_from: r.publish_from,
            sign_from: r.sign_from,
            retire_after: r.retire_after,
        }
    }
}

/// The insert, with how its generation is made and what a conflict does
/// (both constants of this file).
fn insert(generation: &str, conflict: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!(
        "insert into signing_key ({COLUMNS}) \
         select $1, {generation}, $2, $3, $4, $5, $6, $7, null where true {conflict} returning {COLUMNS}"
    ))
}

#[async_trait::async_trait]
impl SigningKeyStore for BackendStore {
    #[tracing::instrument(skip_all)]
    async fn signing_keys(&self) -> PortResult<Vec<SigningKey>> {
        port(async {
            let rows: Vec<SigningKeyRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "select {COLUMNS} from signing_key order by generation"
            )))
            .fetch_all(&self.pool)
            .await?;
            Ok(rows.into_iter().map(SigningKey::from).collect())
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn add_first_signing_key(&self, key: &SigningKey) -> PortResult<bool> {
        port(async {
            // The unique generation settles a race between gateways: the
            // loser's insert does nothing.
            let added: Option<SigningKeyRow> =
                sqlx::query_as(insert("1", "on conflict (generation) do nothing"))
                    .bind(&key.kid)
                    .bind(&key.algorithm)
                    .bind(&key.public_jwk)
                    .bind(&key.sealed_private)
                    .bind(key.created_at)
                    .bind(key.publish_from)
                    .bind(key.sign_from)
                    .fetch_optional(&self.pool)
                    .await?;
            Ok(added.is_some())
        })
        .await
    }

    #[tracing::instrument(skip_all)]
    async fn add_rotated_signing_key(
        &self,
        key: &SigningKey,
        retire_previous_after: DateTime<Utc>,
    ) -> PortResult<SigningKey> {
        port(async {
            let mut tx = Db::begin_write(&self.pool).await?;
            let added: SigningKeyRow = sqlx::query_as(insert(
                "(select coalesce(max(generation), 0) + 1 from signing_key)",
                "",
            ))
            .bind(&key.kid)
            .bind(&key.algorithm)
            .bind(&key.public_jwk)
            .bind(&key.sealed_private)
            .bind(key.created_at)
            .bind(key.publish_from)
            .bind(key.sign_from)
            .fetch_one(&mut *tx)
            .await
            .on_violation(ErrorKind::UniqueViolation, || {
                DomainError::Conflict("another key was added at the same time".into())
            })?;
            sqlx::query(
                "update signing_key set retire_after = $1 \
                 where retire_after is null and generation < $2",
            )
            .bind(retire_previous_after)
            .bind(added.generation)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(added.into())
        })
        .await
    }
}
