-- One writer of tickets (connectors/minutes_store.py). Every change of a ticket has exactly one
-- ticket_events row: who made it (actor: 'pipeline', 'board', …), why (the quote heard, or the
-- actor), and what changed, field by field, as {"field": {"old": …, "new": …}}. Forward-only.

ALTER TABLE ticket_events ADD COLUMN changes jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A person's latest change of a ticket is looked up on every status remark heard in speech.
CREATE INDEX ticket_events_ticket_actor ON ticket_events (ticket_id, actor, at DESC);
