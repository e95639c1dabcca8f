-- Leads (contacts) of an organization (rules.md §6). A lead's owner is a
-- user, not a membership: a removed member's leads keep pointing at it
-- until the reassignment job has moved them.
create table lead (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    name text not null,
    email text,
    company text,
    status text not null default 'NEW',
    owner_id blob references app_user (id),
    assistant_id blob references assistant (id) on delete set null,
    workspace_id blob references workspace (id) on delete set null,
    created_by blob references app_user (id),
    created_at text not null,
    updated_at text not null
);
create index lead_org_idx on lead (organization_id, id);
create index lead_owner_idx on lead (organization_id, owner_id, id);
create index lead_assistant_idx on lead (organization_id, assistant_id, id);
