-- Retention (issue 10 item 5): what the worker's purge looks for, each
-- kind by its age, in batches.
create index session_expires_idx on session (expires_at);
create index session_ended_idx on session (ended_at);
create index refresh_token_spent_idx on refresh_token (spent_at);
create index job_finished_idx on job (finished_at);
create index invitation_send_requested_idx on invitation_send (requested_at);
create index webhook_delivery_at_idx on webhook_delivery (at);
