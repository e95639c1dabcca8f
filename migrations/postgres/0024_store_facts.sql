-- Facts about the stored data that `migrate` consults, by name. One so
-- far: `email_key_version`, the version of the email comparison key the
-- stored keys were computed with (docs/operations/upgrades.md, "Email keys
-- after an upgrade"); the keys are recomputed only when it changes.
create table store_fact (
    name text primary key,
    value text not null
);
