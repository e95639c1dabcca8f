create table workspace (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    name text not null,
    created_at text not null,
    updated_at text not null
);
create index workspace_org_idx on workspace (organization_id);

create table member_workspace (
    membership_id blob not null references membership (id) on delete cascade,
    workspace_id blob not null references workspace (id) on delete cascade,
    primary key (membership_id, workspace_id)
);
create index member_workspace_workspace_idx on member_workspace (workspace_id);

create table assistant (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    name text not null,
    created_at text not null,
    updated_at text not null
);
create index assistant_org_idx on assistant (organization_id);

create table assistant_user (
    assistant_id blob not null references assistant (id) on delete cascade,
    membership_id blob not null references membership (id) on delete cascade,
    is_manager boolean not null default false,
    primary key (assistant_id, membership_id)
);
create index assistant_user_membership_idx on assistant_user (membership_id);

create table invitation (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    user_id blob not null references app_user (id),
    email text not null,
    role text not null check (role in ('ADMIN', 'BILLING_ADMIN', 'USER_ADMIN', 'MEMBER')),
    status text not null check (status in ('PENDING', 'ACCEPTED', 'DECLINED', 'REVOKED', 'EXPIRED')),
    delivery text not null check (delivery in ('LINK', 'TEMPORARY_PASSWORD')),
    invited_by blob references app_user (id),
    -- SHA-256 of the current link token; null until the worker mails it
    token_hash blob unique,
    sent_count integer not null,
    last_sent_at text,
    expires_at text not null,
    created_at text not null,
    updated_at text not null
);
create index invitation_org_idx on invitation (organization_id, id);
create index invitation_pending_expiry_idx on invitation (expires_at) where status = 'PENDING';

create table invitation_workspace (
    invitation_id blob not null references invitation (id) on delete cascade,
    workspace_id blob not null references workspace (id) on delete cascade,
    primary key (invitation_id, workspace_id)
);

create table invitation_assistant (
    invitation_id blob not null references invitation (id) on delete cascade,
    assistant_id blob not null references assistant (id) on delete cascade,
    primary key (invitation_id, assistant_id)
);

-- one row per send: the first and each resend (rate limit, delivery state)
create table invitation_send (
    invitation_id blob not null references invitation (id) on delete cascade,
    send_no integer not null,
    requested_at text not null,
    delivered_at text,
    primary key (invitation_id, send_no)
);
