-- A person's memberships a page at a time, oldest first, by keyset
-- (`me.membershipsConnection`, docs/api/sessions.md).
create index membership_user_page_idx on membership (user_id, id);
