create table app_user (
    id uuid primary key,
    email text not null,
    -- the email lowercased by the application: the case-insensitive key
    email_normalized text not null unique,
    display_name text not null,
    password_hash text,
    must_change_password boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table session (
    id uuid primary key,
    user_id uuid not null references app_user (id) on delete cascade,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    ended_at timestamptz
);
create index session_user_idx on session (user_id);

create table refresh_token (
    token_hash bytea primary key,
    session_id uuid not null references session (id) on delete cascade,
    created_at timestamptz not null,
    spent_at timestamptz
);
create index refresh_token_session_idx on refresh_token (session_id);

create table organization (
    id uuid primary key,
    name text not null,
    owner_id uuid not null references app_user (id),
    plan text not null default 'BASIC' check (plan in ('BASIC', 'PRO', 'ENTERPRISE')),
    invitation_delivery text not null default 'LINK'
        check (invitation_delivery in ('LINK', 'TEMPORARY_PASSWORD')),
    link_ttl_hours integer not null default 168,
    temporary_password_ttl_hours integer not null default 24,
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create table membership (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    user_id uuid not null references app_user (id),
    role text not null check (role in ('ADMIN', 'BILLING_ADMIN', 'USER_ADMIN', 'MEMBER')),
    status text not null check (status in ('INVITED', 'ACTIVE', 'BLOCKED')),
    joined_at timestamptz,
    last_active_at timestamptz,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (organization_id, user_id)
);
create index membership_user_idx on membership (user_id);

create table audit_event (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    actor_id uuid references app_user (id),
    action text not null,
    target_user_id uuid references app_user (id),
    target_email text,
    detail text not null,
    at timestamptz not null
);
create index audit_event_org_idx on audit_event (organization_id, id);
