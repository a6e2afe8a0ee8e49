-- Meetings keyed by team (issue 12): a meeting is (team, meeting_id), so two teams may both have a
-- meeting 'standup-2026-12-01' and neither can claim, probe or read the other's. Every table keyed
-- by meeting gets a plain `team` column (filled from meetings.team; 'unassigned' for rows whose
-- meeting row is missing) and keys that start with it, so analysts join on (team, meeting_id).
-- tickets and events already had a team; ticket_events reaches its team through its ticket (a
-- ticket only ever hears meetings of its own team). Forward-only.

-- Filling the new columns rewrites rows whose triggers would announce every old segment and
-- minutes to the board again: the triggers stay quiet while this migration runs.
ALTER TABLE transcript_segments DISABLE TRIGGER USER;
ALTER TABLE meeting_minutes DISABLE TRIGGER USER;

-- meetings ----------------------------------------------------------------------------------------
ALTER TABLE meetings DROP CONSTRAINT meetings_pkey;
ALTER TABLE meetings ADD CONSTRAINT meetings_pkey PRIMARY KEY (team, meeting_id);
-- For the command line's lookups by id alone (`vori report MEETING` without --team).
CREATE INDEX meetings_meeting_id ON meetings (meeting_id);

-- transcript_segments ---------------------------------------------------------------------------
ALTER TABLE transcript_segments ADD COLUMN team text;
UPDATE transcript_segments s SET team = m.team FROM meetings m WHERE m.meeting_id = s.meeting_id;
UPDATE transcript_segments SET team = 'unassigned' WHERE team IS NULL;
ALTER TABLE transcript_segments ALTER COLUMN team SET NOT NULL;
ALTER TABLE transcript_segments DROP CONSTRAINT transcript_segments_natural_key;
ALTER TABLE transcript_segments ADD CONSTRAINT transcript_segments_natural_key
    UNIQUE (team, meeting_id, source, start_ms);
DROP INDEX transcript_segments_timeline;
CREATE INDEX transcript_segments_timeline ON transcript_segments (team, meeting_id, start_ms);

-- audio_gaps --------------------------------------------------------------------------------------
ALTER TABLE audio_gaps ADD COLUMN team text;
UPDATE audio_gaps g SET team = m.team FROM meetings m WHERE m.meeting_id = g.meeting_id;
UPDATE audio_gaps SET team = 'unassigned' WHERE team IS NULL;
ALTER TABLE audio_gaps ALTER COLUMN team SET NOT NULL;
ALTER TABLE audio_gaps DROP CONSTRAINT audio_gaps_pkey;
ALTER TABLE audio_gaps ADD CONSTRAINT audio_gaps_pkey PRIMARY KEY (team, meeting_id, source, first_seq);

-- meeting_minutes ---------------------------------------------------------------------------------
ALTER TABLE meeting_minutes ADD COLUMN team text;
UPDATE meeting_minutes n SET team = m.team FROM meetings m WHERE m.meeting_id = n.meeting_id;
UPDATE meeting_minutes SET team = 'unassigned' WHERE team IS NULL;
ALTER TABLE meeting_minutes ALTER COLUMN team SET NOT NULL;
ALTER TABLE meeting_minutes DROP CONSTRAINT meeting_minutes_pkey;
ALTER TABLE meeting_minutes ADD CONSTRAINT meeting_minutes_pkey PRIMARY KEY (team, meeting_id, kind);

-- tickets: already (team, meeting_id); the report reads a meeting's tickets by both.
CREATE INDEX tickets_team_meeting ON tickets (team, meeting_id);

-- meeting_metrics ---------------------------------------------------------------------------------
ALTER TABLE meeting_metrics ADD COLUMN team text;
UPDATE meeting_metrics x SET team = m.team FROM meetings m WHERE m.meeting_id = x.meeting_id;
UPDATE meeting_metrics SET team = 'unassigned' WHERE team IS NULL;
ALTER TABLE meeting_metrics ALTER COLUMN team SET NOT NULL;
ALTER TABLE meeting_metrics DROP CONSTRAINT meeting_metrics_pkey;
ALTER TABLE meeting_metrics ADD CONSTRAINT meeting_metrics_pkey PRIMARY KEY (team, meeting_id);

-- meeting_keywords --------------------------------------------------------------------------------
ALTER TABLE meeting_keywords ADD COLUMN team text;
UPDATE meeting_keywords k SET team = m.team FROM meetings m WHERE m.meeting_id = k.meeting_id;
UPDATE meeting_keywords SET team = 'unassigned' WHERE team IS NULL;
ALTER TABLE meeting_keywords ALTER COLUMN team SET NOT NULL;
ALTER TABLE meeting_keywords DROP CONSTRAINT meeting_keywords_pkey;
ALTER TABLE meeting_keywords ADD CONSTRAINT meeting_keywords_pkey PRIMARY KEY (team, meeting_id, keyword);

-- keyword_segment_counts: the team was already there, now part of the segment's key.
ALTER TABLE keyword_segment_counts DROP CONSTRAINT keyword_segment_counts_pkey;
ALTER TABLE keyword_segment_counts ADD CONSTRAINT keyword_segment_counts_pkey
    PRIMARY KEY (team, meeting_id, source, start_ms, keyword);

ALTER TABLE transcript_segments ENABLE TRIGGER USER;
ALTER TABLE meeting_minutes ENABLE TRIGGER USER;

-- Board events: the row says its team; no lookup by meeting id (which is no longer unique).
CREATE OR REPLACE FUNCTION vori_segment_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        NEW.team,
        NEW.meeting_id,
        'segment',
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'source', NEW.source, 'start_ms', NEW.start_ms,
            'end_ms', NEW.end_ms, 'speaker', NEW.speaker, 'text', NEW.text,
            'language', NEW.language, 'created_at', NEW.created_at));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION vori_segment_removed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        OLD.team,
        OLD.meeting_id,
        'segment.removed',
        jsonb_build_object(
            'meeting_id', OLD.meeting_id, 'source', OLD.source, 'start_ms', OLD.start_ms,
            'end_ms', OLD.end_ms));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION vori_minutes_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        NEW.team,
        NEW.meeting_id,
        'minutes',
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'kind', NEW.kind, 'summary', NEW.summary,
            'decisions', NEW.decisions, 'action_items', NEW.action_items,
            'updated_at', NEW.updated_at));
    RETURN NULL;
END;
$$;

-- Weekly efficiency per team: metrics join their meeting on (team, meeting_id).
CREATE OR REPLACE VIEW team_efficiency_weekly AS
SELECT m.team,
       (date_trunc('week', m.started_at AT TIME ZONE 'UTC'))::date AS week,
       count(*)                                  AS meetings,
       round(sum(mm.duration_s)::numeric / 3600, 2) AS hours,
       avg(mm.efficiency_score)                  AS avg_efficiency_score,
       avg(mm.wpm)                               AS avg_wpm,
       avg(mm.speaker_balance)                   AS avg_speaker_balance,
       sum(mm.decisions)                         AS decisions,
       sum(mm.action_items)                      AS action_items,
       sum(mm.action_items) / nullif(sum(mm.duration_s) / 3600, 0) AS action_items_per_hour,
       avg(mm.follow_through)                    AS avg_follow_through
FROM meeting_metrics mm
JOIN meetings m USING (team, meeting_id)
GROUP BY m.team, week;
