-- Leads (contacts) of an organization (rules.md §6). A lead's owner is a
-- user, not a membership: a removed member's leads keep pointing at it
-- until the reassignment job has moved them.
create table lead (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    name text not null,
    email text,
    company text,
    status text not null default 'NEW',
    owner_id uuid references app_user (id),
    assistant_id uuid references assistant (id) on delete set null,
    workspace_id uuid references workspace (id) on delete set null,
    created_by uuid references app_user (id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index lead_org_idx on lead (organization_id, id);
create index lead_owner_idx on lead (organization_id, owner_id, id);
create index lead_assistant_idx on lead (organization_id, assistant_id, id);
