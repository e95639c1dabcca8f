//! Token-signing keys (docs/operations/key-rotation.md): the first key is
//! added once however many gateways race to add it, and a rotation adds
//! the next generation and withdraws the keys before it, in one step.

use chrono::{Duration, SubsecRound};
use roster_domain::DomainError;
use roster_domain::signing_key::SigningKey;

use crate::on_both_backends;
use crate::support::Fixture;

fn key(f: &Fixture, kid: &str) -> SigningKey {
    SigningKey {
        kid: kid.to_owned(),
        generation: 0,
        algorithm: "EdDSA".to_owned(),
        public_jwk: r#"{"kty":"OKP","crv":"Ed25519","x":"AA"}"#.to_owned(),
        sealed_private: vec![1, 2, 3],
        created_at: f.now,
        publish_from: f.now,
        sign_from: f.now,
        retire_after: None,
    }
}

async fn the_first_key_is_added_once(f: &Fixture) {
    let candidates: Vec<SigningKey> = (0..6).map(|i| key(f, &format!("k{i}"))).collect();
    let added =
        futures::future::join_all(candidates.iter().map(|k| f.store.add_first_signing_key(k)))
            .await;
    let added: Vec<bool> = added.into_iter().map(|r| r.expect("insert")).collect();
    assert_eq!(added.iter().filter(|a| **a).count(), 1, "{added:?}");
    let stored = f.store.signing_keys().await.expect("keys");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].generation, 1);
    assert_eq!(stored[0].sealed_private, vec![1, 2, 3]);
}

async fn a_rotation_adds_the_next_generation_and_withdraws_the_rest(f: &Fixture) {
    assert!(
        f.store
            .add_first_signing_key(&key(f, "first"))
            .await
            .expect("first")
    );
    // Whole seconds: PostgreSQL keeps microseconds, the clock has nanoseconds.
    let retire = f.now.trunc_subsecs(0) + Duration::minutes(30);
    let second = f
        .store
        .add_rotated_signing_key(&key(f, "second"), retire)
        .await
        .expect("rotate");
    assert_eq!(second.generation, 2);
    let third = f
        .store
        .add_rotated_signing_key(&key(f, "third"), retire + Duration::minutes(5))
        .await
        .expect("rotate");
    assert_eq!(third.generation, 3);
    let stored = f.store.signing_keys().await.expect("keys");
    let times: Vec<(&str, Option<_>)> = stored
        .iter()
        .map(|k| (k.kid.as_str(), k.retire_after))
        .collect();
    // Each key keeps the withdrawal the first rotation after it gave it.
    assert_eq!(
        times,
        vec![
            ("first", Some(retire)),
            ("second", Some(retire + Duration::minutes(5))),
            ("third", None)
        ]
    );
    // The same kid again changes nothing.
    assert!(matches!(
        f.store
            .add_rotated_signing_key(&key(f, "third"), retire)
            .await,
        Err(DomainError::Internal(_) | DomainError::Conflict(_))
    ));
    assert_eq!(f.store.signing_keys().await.expect("keys").len(), 3);
}

on_both_backends!(
    the_first_key_is_added_once,
    a_rotation_adds_the_next_generation_and_withdraws_the_rest
);
