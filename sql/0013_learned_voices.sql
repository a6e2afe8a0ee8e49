-- Voiceprints learned from a team's meetings (issue 13).
-- Forward-only.

-- A label's voice from one meeting kept as a roster member's: written when a person names the
-- label on the board (how = 'person', confidence 1) or when the conversation named it with high
-- confidence. Later meetings of the team name that voice by it; an enrolled voiceprint
-- (team_members.voiceprint) always wins over learned ones. One row per meeting label: a naming
-- that changes moves it, and a person's row is never replaced by an inferred one.
CREATE TABLE learned_voices (
    team        text NOT NULL,
    meeting_id  text NOT NULL,
    label       text NOT NULL,
    name        text NOT NULL,
    voiceprint  real[] NOT NULL,
    voice_model text NOT NULL,
    confidence  real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    how         text NOT NULL,
    seconds     double precision NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, meeting_id, label),
    -- Removing a member forgets what was learned of them.
    FOREIGN KEY (team, name) REFERENCES team_members (team, name) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX learned_voices_member ON learned_voices (team, name);
