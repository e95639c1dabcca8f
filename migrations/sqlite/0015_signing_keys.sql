-- Token-signing keys (rules.md §1, docs/operations/key-rotation.md), shared
-- by every gateway. The public half is kept as JWK fields; the private half
-- sealed (AES-256-GCM) under a key derived from ROSTER_JWT_SECRET. The
-- newest key whose sign_from has passed signs; a key is published from
-- publish_from until retire_after. generation is unique: two gateways
-- creating the first key at once make one.
create table signing_key (
    kid text primary key,
    generation integer not null unique,
    algorithm text not null check (algorithm in ('EdDSA')),
    public_jwk text not null,
    sealed_private blob not null,
    created_at text not null,
    publish_from text not null,
    sign_from text not null,
    retire_after text
);
