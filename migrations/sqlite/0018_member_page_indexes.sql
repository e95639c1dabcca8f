-- The member page by keyset within one organization, whatever its size
-- (docs/operations/performance.md, "Large organizations"): the page walks
-- `membership_org_id_idx` from its cursor; a role or status filter, or both,
-- walks an index of its own in the same order. Overdue invitations, expired before a
-- seat is counted, are found among the organization's own.
create index membership_org_id_idx on membership (organization_id, id);
create index membership_org_role_idx on membership (organization_id, role, id);
create index membership_org_status_idx on membership (organization_id, status, id);
create index membership_org_role_status_idx on membership (organization_id, role, status, id);
create index invitation_org_pending_expiry_idx on invitation (organization_id, expires_at)
    where status = 'PENDING';
