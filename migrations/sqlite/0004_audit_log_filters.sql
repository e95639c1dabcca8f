-- The audit log's filters (Organization.auditLog): by action and by target
-- user, each still walked newest first by id.
create index audit_event_org_action_idx on audit_event (organization_id, action, id);
create index audit_event_org_target_idx on audit_event (organization_id, target_user_id, id);
