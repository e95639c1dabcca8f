-- Webhooks (rules.md §9): an organization's endpoints and the attempts
-- made to deliver its events to them. `events` is a JSON array of audit
-- actions (text, as SQLite keeps it), empty for all. `secret` is the
-- signing key, base64 (shown once as `whsec_` + it). `failing_since` is
-- when the endpoint's current run of failed attempts began (null after a
-- success): a day of it disables it.
create table webhook_endpoint (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    url text not null,
    events text not null default '[]',
    secret text not null,
    enabled boolean not null default true,
    failing_since timestamptz,
    created_at timestamptz not null
);
create index webhook_endpoint_organization_idx on webhook_endpoint (organization_id, created_at);

-- One row per attempt; the worker keeps the last 100 per endpoint.
create table webhook_delivery (
    id uuid primary key,
    endpoint_id uuid not null references webhook_endpoint (id) on delete cascade,
    event_id uuid not null,
    attempt integer not null,
    -- the HTTP status, null when no answer came
    status integer,
    duration_ms bigint,
    at timestamptz not null
);
create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, at desc, id desc);
