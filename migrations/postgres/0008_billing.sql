-- Billing (rules.md §8): the subscription on the organization and the
-- invoice ledger. The period columns are nullable like SQLite's (which
-- cannot add a NOT NULL column without a constant default): the store
-- always writes them, and reads a NULL as the first period from
-- created_at. Existing organizations start at their first period
-- (created_at .. created_at + 1 month); the roll-over catches them up.
alter table organization add column subscription_status text not null default 'ACTIVE'
    check (subscription_status in ('ACTIVE', 'CANCELED'));
alter table organization add column current_period_start timestamptz;
alter table organization add column current_period_end timestamptz;
alter table organization add column billing_email text;

update organization set
    current_period_start = created_at,
    current_period_end = created_at + interval '1 month';

-- What the roll-over looks for.
create index organization_period_end_idx on organization (current_period_end);

create table invoice (
    id uuid primary key,
    organization_id uuid not null references organization (id) on delete cascade,
    kind text not null check (kind in ('PERIOD', 'PLAN_CHANGE')),
    plan text not null check (plan in ('BASIC', 'PRO', 'ENTERPRISE')),
    -- negative for a credit (a downgrade within a period)
    amount_cents bigint not null,
    period_start timestamptz not null,
    period_end timestamptz not null,
    issued_at timestamptz not null
);
create index invoice_organization_idx on invoice (organization_id, issued_at desc, id desc);
-- One invoice per period, however many workers roll it over.
create unique index invoice_one_per_period on invoice (organization_id, period_start)
    where kind = 'PERIOD';
