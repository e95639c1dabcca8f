-- Background jobs a caller may poll (rules.md §5): a removal's lead
-- reassignment. `checkpoint` is the id of the last lead a batch moved,
-- written in that batch's transaction: a run after a crash resumes there.
create table job (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    kind text not null check (kind in ('lead_reassignment')),
    state text not null check (state in ('PENDING', 'RUNNING', 'DONE', 'FAILED')),
    done bigint not null default 0,
    total bigint not null,
    from_user_id uuid not null references app_user (id),
    -- null: the leads become unassigned
    to_user_id uuid references app_user (id),
    checkpoint uuid,
    created_by uuid references app_user (id),
    created_at timestamptz not null,
    updated_at timestamptz not null,
    finished_at timestamptz
);
create index job_org_idx on job (organization_id, id);
