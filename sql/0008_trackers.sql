-- Two-way sync of tickets with outside trackers (GitHub Issues, Jira Cloud, Linear): docs/trackers.md.
-- Secrets are never stored: a connection keeps only the NAMES of the environment variables that hold
-- them. Forward-only.

-- One tracker per team.
CREATE TABLE tracker_connections (
    team               text PRIMARY KEY,
    kind               text NOT NULL CHECK (kind IN ('github', 'jira', 'linear')),
    -- Where issues go: github {repo, api_url}; jira {site, project, email_env}; linear {team_key, api_url}.
    config             jsonb NOT NULL,
    token_env          text NOT NULL,
    webhook_secret_env text,
    -- VORI assignee name -> the tracker's username (GitHub login, Jira/Linear e-mail or name).
    assignee_map       jsonb NOT NULL DEFAULT '{}'::jsonb,
    -- Proposal mode: a new ticket is pushed only once a person approved it on the board.
    proposal           boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: one row per ticket change of a connected team, written in the same
-- transaction as the change (connectors/minutes_store.py `_record`), delivered by apps/tracker_worker.
CREATE TABLE tracker_outbox (
    outbox_id       bigserial PRIMARY KEY,
    team            text NOT NULL,
    ticket_id       text NOT NULL REFERENCES tickets (ticket_id),
    event_id        bigint,                          -- the ticket_events row of the change
    op              text NOT NULL CHECK (op IN ('create', 'update')),
    fields          jsonb NOT NULL DEFAULT '[]'::jsonb,   -- names of the fields that changed
    held            boolean NOT NULL DEFAULT false,  -- proposal mode: waits for approval
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    delivered_at    timestamptz,
    failed_at       timestamptz,                     -- refused for good (401, 404, 422): see last_error
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracker_outbox_pending ON tracker_outbox (ticket_id, outbox_id)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- The one external issue of a ticket.
CREATE TABLE tracker_links (
    ticket_id    text PRIMARY KEY REFERENCES tickets (ticket_id),
    team         text NOT NULL,
    kind         text NOT NULL,
    external_id  text NOT NULL,   -- GitHub issue number, Jira issue key, Linear issue id
    external_key text NOT NULL,   -- what people read: #12, ENG-7
    url          text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (team, kind, external_id)
);

-- Proposal mode: who approved a ticket for the tracker, and when.
CREATE TABLE tracker_approvals (
    ticket_id   text PRIMARY KEY REFERENCES tickets (ticket_id),
    approved_by text NOT NULL,
    approved_at timestamptz NOT NULL DEFAULT now()
);

-- Webhook deliveries already accepted: the same delivery id again is a replay.
CREATE TABLE tracker_deliveries (
    kind        text NOT NULL,
    team        text NOT NULL,
    delivery_id text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, team, delivery_id)
);
