-- Billing (rules.md §8): the subscription on the organization and the
-- invoice ledger. The period columns are nullable only because SQLite
-- cannot add a NOT NULL column without a constant default: the store
-- always writes them, and reads a NULL as the first period from
-- created_at. Existing organizations start at their first period
-- (created_at .. created_at + 1 month); the roll-over catches them up.
alter table organization add column subscription_status text not null default 'ACTIVE'
    check (subscription_status in ('ACTIVE', 'CANCELED'));
alter table organization add column current_period_start text;
alter table organization add column current_period_end text;
alter table organization add column billing_email text;

update organization set
    current_period_start = created_at,
    -- created_at + 1 month, clamped to the month's last day as chrono's
    -- Months are (SQLite's '+1 month' runs Jan 31 into March).
    current_period_end = strftime('%Y-%m-%dT%H:%M:%f+00:00', min(
        julianday(created_at, '+1 month'),
        julianday(created_at, 'start of month', '+2 months', '-1 day')
            + (julianday(created_at) - julianday(created_at, 'start of day'))));

-- What the roll-over looks for.
create index organization_period_end_idx on organization (current_period_end);

create table invoice (
    id blob primary key,
    organization_id blob not null references organization (id) on delete cascade,
    kind text not null check (kind in ('PERIOD', 'PLAN_CHANGE')),
    plan text not null check (plan in ('BASIC', 'PRO', 'ENTERPRISE')),
    -- negative for a credit (a downgrade within a period)
    amount_cents integer not null,
    period_start text not null,
    period_end text not null,
    issued_at text not null
);
create index invoice_organization_idx on invoice (organization_id, issued_at desc, id desc);
-- One invoice per period, however many workers roll it over.
create unique index invoice_one_per_period on invoice (organization_id, period_start)
    where kind = 'PERIOD';
