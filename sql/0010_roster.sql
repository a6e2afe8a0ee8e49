-- Team rosters, team vocabulary and who the speaker labels of a meeting are (issue 13).
-- Forward-only. Meetings are referred to by (team, meeting_id), without a foreign key, so the
-- tables do not depend on how the meetings table is keyed.

-- A person of a team. A voiceprint is the L2-normed mean embedding of an enrolment sample
-- (connectors/voiceprint.py) together with the id of the model that made it: a voiceprint is only
-- ever compared with embeddings of the same model.
CREATE TABLE team_members (
    team              text NOT NULL,
    name              text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    aliases           text[] NOT NULL DEFAULT '{}',
    tracker_usernames jsonb NOT NULL DEFAULT '{}'::jsonb,   -- per tracker: the person's login there
    voiceprint        real[],
    voice_model       text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, name),
    CHECK ((voiceprint IS NULL) = (voice_model IS NULL))
);
-- "bob" and "Bob" are one member.
CREATE UNIQUE INDEX team_members_name_ci ON team_members (team, lower(name));

-- Words a team uses that the recogniser does not know (product names, services, jargon).
CREATE TABLE team_glossary (
    team       text NOT NULL,
    term       text NOT NULL CHECK (btrim(term) <> '' AND length(term) <= 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, term)
);
CREATE UNIQUE INDEX team_glossary_term_ci ON team_glossary (team, lower(term));

-- Who a diarization label (S1, S2, ...) of one meeting is. 'voice': the label's voice matched an
-- enrolled member; 'addressed', 'introduced', 'thanked': inferred from what was said; 'person': a
-- person named it on the board, which no later inference overwrites.
CREATE TABLE meeting_speakers (
    team        text NOT NULL,
    meeting_id  text NOT NULL,
    label       text NOT NULL,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    confidence  real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    how         text NOT NULL CHECK (how IN ('voice', 'addressed', 'introduced', 'thanked', 'person')),
    evidence    jsonb NOT NULL DEFAULT '[]'::jsonb,   -- the quotes (or similarity) behind it
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, meeting_id, label)
);

-- The voice of each label of a meeting (the diarization's centroid), for naming by voiceprint
-- after the fact: written by the flow that labels turns, read by the minutes step.
CREATE TABLE meeting_voices (
    team        text NOT NULL,
    meeting_id  text NOT NULL,
    label       text NOT NULL,
    centroid    real[] NOT NULL,
    voice_model text NOT NULL,
    seconds     double precision NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, meeting_id, label)
);
