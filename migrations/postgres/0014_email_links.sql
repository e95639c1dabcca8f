-- Links mailed to an account's own address (rules.md §1): a password reset
-- or an email verification. Only the token's SHA-256 is kept; a link is
-- used at most once and not after expires_at. Both flows share this table
-- (docs/api/sessions.md).
create table email_link (
    id uuid primary key,
    user_id uuid not null references app_user (id) on delete cascade,
    purpose text not null check (purpose in ('RESET', 'VERIFY')),
    token_hash bytea not null unique,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index email_link_user_idx on email_link (user_id, purpose);
