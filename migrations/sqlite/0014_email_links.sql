-- Links mailed to an account's own address (rules.md §1): a password reset
-- or an email verification. Only the token's SHA-256 is kept; a link is
-- used at most once and not after expires_at. Both flows share this table
-- (docs/api/sessions.md).
create table email_link (
    id blob primary key,
    user_id blob not null references app_user (id) on delete cascade,
    purpose text not null check (purpose in ('RESET', 'VERIFY')),
    token_hash blob not null unique,
    created_at text not null,
    expires_at text not null,
    used_at text
);
create index email_link_user_idx on email_link (user_id, purpose);
