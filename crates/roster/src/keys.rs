//! `roster keys rotate` and `roster keys list` (docs/operations/key-rotation.md):
//! the token-signing keys in the database every gateway reads.

use roster_domain::signing_key::SigningKey;
use roster_domain::{Clock, SystemClock};
use roster_gateway::{GatewayConfig, KeyRing};
use roster_store::Database;

use crate::config::{ConfigError, KeysCommand, Settings};

/// The key ring as the gateways of this configuration hold it: the same
/// secret, the same access-token lifetime.
pub fn key_ring(settings: &Settings, db: &Database) -> Result<KeyRing, ConfigError> {
    let secret = settings.jwt_secret()?;
    let mut config = GatewayConfig::new(secret.clone(), settings.public_url()?);
    settings.tuning.apply_gateway(&mut config)?;
    Ok(KeyRing::new(db.store(), &secret, config.access_token_ttl))
}

pub async fn run(action: KeysCommand, keys: &KeyRing) -> Result<(), roster_domain::DomainError> {
    let now = SystemClock.now();
    match action {
        KeysCommand::Rotate => {
            let added = keys.rotate(now).await?;
            println!(
                "added key {} (published now, signs from {}); the keys before it leave the JWKS at {}",
                added.kid,
                added.sign_from.to_rfc3339(),
                (added.sign_from + (added.sign_from - added.publish_from)).to_rfc3339()
            );
        }
        KeysCommand::List => {
            for key in keys.list(now).await? {
                println!("{}", describe(&key));
            }
        }
    }
    Ok(())
}

fn describe(key: &SigningKey) -> String {
    let retire = key
        .retire_after
        .map_or_else(|| "-".to_owned(), |r| r.to_rfc3339());
    format!(
        "{}\t{}\tgeneration {}\tpublished {}\tsigns {}\twithdrawn {}",
        key.kid,
        key.algorithm,
        key.generation,
        key.publish_from.to_rfc3339(),
        key.sign_from.to_rfc3339(),
        retire
    )
}
