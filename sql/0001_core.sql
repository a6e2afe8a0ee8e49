-- VORI core schema: the tables of the public contract (CONTRACT.md section 4).
-- Forward-only. Every sink upserts on the natural keys declared here, so replays never duplicate.

CREATE TABLE meetings (
    meeting_id   text PRIMARY KEY,
    team         text NOT NULL,
    title        text,
    status       text NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'closed')),
    started_at   timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    close_reason text,                      -- 'final' (every source sent final) or 'idle'
    language     text,
    sources      jsonb NOT NULL DEFAULT '{}'::jsonb,   -- per source: speaker, last seq, gaps
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meetings_team_started ON meetings (team, started_at DESC);

CREATE TABLE transcript_segments (
    meeting_id      text NOT NULL,
    source          text NOT NULL DEFAULT 'main',
    start_ms        bigint NOT NULL CHECK (start_ms >= 0),
    end_ms          bigint NOT NULL,
    speaker         text,
    text            text NOT NULL,
    language        text,
    model           text,
    avg_logprob     real,
    no_speech_prob  real,
    audio_posted_at timestamptz,            -- when the last audio of this segment reached Kafka
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT transcript_segments_natural_key UNIQUE (meeting_id, source, start_ms),
    CHECK (end_ms >= start_ms)
);
CREATE INDEX transcript_segments_timeline ON transcript_segments (meeting_id, start_ms);

-- Gaps in a source's sequence that the flow stopped waiting for (the audio never came).
CREATE TABLE audio_gaps (
    meeting_id  text NOT NULL,
    source      text NOT NULL,
    first_seq   bigint NOT NULL,
    last_seq    bigint NOT NULL,
    at_ms       bigint NOT NULL,            -- where on the meeting timeline the gap sits
    recorded_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, source, first_seq)
);

CREATE TABLE meeting_minutes (
    meeting_id     text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('rolling', 'final')),
    summary        text NOT NULL DEFAULT '',
    decisions      jsonb NOT NULL DEFAULT '[]'::jsonb,
    action_items   jsonb NOT NULL DEFAULT '[]'::jsonb,
    status_updates jsonb NOT NULL DEFAULT '[]'::jsonb,
    questions      jsonb NOT NULL DEFAULT '[]'::jsonb,
    keywords       jsonb NOT NULL DEFAULT '[]'::jsonb,
    language       text,
    writer         text NOT NULL DEFAULT 'offline',   -- 'offline' or 'llm'
    notes          jsonb NOT NULL DEFAULT '[]'::jsonb,
    usage          jsonb,                              -- LLM token usage, when the LLM wrote it
    segments_seen  integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, kind)
);

CREATE TABLE tickets (
    ticket_id       text PRIMARY KEY,
    team            text NOT NULL,
    meeting_id      text NOT NULL,              -- the meeting where it was born
    title           text NOT NULL,
    assignee        text,
    due_date        date,
    status          text NOT NULL DEFAULT 'todo'
                    CHECK (status IN ('todo', 'in_progress', 'blocked', 'done')),
    source_quote    text,
    source_start_ms bigint,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_team_status ON tickets (team, status);

CREATE TABLE ticket_events (
    event_id        bigserial PRIMARY KEY,
    ticket_id       text NOT NULL REFERENCES tickets (ticket_id),
    meeting_id      text,                       -- null for a change made on the board
    event           text NOT NULL,              -- 'created', 'status', 'mentioned', 'edited'
    old_status      text,
    new_status      text,
    quote           text,
    quote_start_ms  bigint,
    actor           text,                       -- 'pipeline' or 'board'
    at              timestamptz NOT NULL DEFAULT now()
);
-- A replayed meeting must not write the same event twice.
CREATE UNIQUE INDEX ticket_events_replay_key
    ON ticket_events (ticket_id, meeting_id, event, quote_start_ms)
    WHERE meeting_id IS NOT NULL;

CREATE TABLE keyword_trends (
    team         text NOT NULL,
    granularity  text NOT NULL DEFAULT 'hour' CHECK (granularity IN ('hour', 'day')),
    window_start timestamptz NOT NULL,
    window_end   timestamptz NOT NULL,
    keyword      text NOT NULL,
    mentions     bigint NOT NULL,
    meetings     bigint NOT NULL,
    trend_score  double precision NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, granularity, window_start, keyword)
);

CREATE TABLE meeting_metrics (
    meeting_id            text PRIMARY KEY,
    duration_s            double precision NOT NULL,
    words                 integer NOT NULL,
    wpm                   double precision NOT NULL,
    speakers              integer NOT NULL,
    speaker_balance       double precision NOT NULL,
    talk_share            jsonb NOT NULL DEFAULT '{}'::jsonb,
    longest_monologue_s   double precision,
    questions             integer NOT NULL,
    decisions             integer NOT NULL,
    action_items          integer NOT NULL,
    action_items_per_hour double precision NOT NULL,
    follow_through        double precision,
    efficiency_score      double precision NOT NULL,
    computed_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE meeting_keywords (
    meeting_id text NOT NULL,
    keyword    text NOT NULL,
    score      double precision NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, keyword)
);

-- Per-team API tokens. Only a SHA-256 of the token is stored.
CREATE TABLE api_tokens (
    token_id    text PRIMARY KEY,
    team        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('producer', 'board')),
    token_hash  bytea NOT NULL UNIQUE,
    label       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
