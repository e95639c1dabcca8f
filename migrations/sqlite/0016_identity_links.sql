-- A product's own log-in (docs/api/own-log-in.md): each subject of a
-- trusted issuer is linked to one account, on the token's first use. An
-- account such a token created has the password hash '!issuer' (no
-- argon2 hash: nothing logs in with a password, and it is no invitee's
-- placeholder).
create table identity_link (
    issuer text not null,
    subject text not null,
    user_id blob not null references app_user (id) on delete cascade,
    created_at text not null,
    primary key (issuer, subject)
);
create index identity_link_user_idx on identity_link (user_id);
