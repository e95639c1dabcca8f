-- Webhooks (rules.md §9): an organization's endpoints and the attempts
-- made to deliver its events to them. `events` is a JSON array of audit
-- actions, empty for all. `secret` is the signing key, base64 (shown once
-- as `whsec_` + it). `failing_since` is when the endpoint's current run of
-- failed attempts began (null after a success): a day of it disables it.
create table webhook_endpoint (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    url text not null,
    events text not null default '[]',
    secret text not null,
    enabled integer not null default 1,
    failing_since text,
    created_at text not null
);
create index webhook_endpoint_organization_idx on webhook_endpoint (organization_id, created_at);

-- One row per attempt; the worker keeps the last 100 per endpoint.
create table webhook_delivery (
    id blob primary key,
    endpoint_id blob not null references webhook_endpoint (id) on delete cascade,
    event_id blob not null,
    attempt integer not null,
    -- the HTTP status, null when no answer came
    status integer,
    duration_ms integer,
    at text not null
);
create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, at desc, id desc);
