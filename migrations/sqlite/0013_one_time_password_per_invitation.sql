-- Each TEMPORARY_PASSWORD invitation's one-time password is its own
-- (rules.md §3): its SHA-256 is kept on the invitation, as the link
-- token's is, instead of being the invitee's account password.
alter table invitation add column temporary_password_hash blob;

-- When the account's owner proved the address (a mailed one-time
-- password or invitation link used); only then are its pending
-- invitations listed on `me` and accepted by id.
alter table app_user add column email_verified_at text;
update app_user set email_verified_at = updated_at
where exists (select 1 from invitation i where i.user_id = app_user.id and i.status = 'ACCEPTED');

-- One-time passwords mailed before this version were argon2 hashes on the
-- account, which name no invitation: they stop working (resend them).
update app_user set password_hash = null where must_change_password = true;

-- Log-in and `me { invitations }` read an account's pending invitations.
create index invitation_user_pending_idx on invitation (user_id) where status = 'PENDING';
