-- A refined transcript after the live one (flows/refine.py, docs/contract.md): a segment is
-- 'live' (short windows, written as speech arrives) or 'refined' (the same audio read again in
-- long windows). Refined rows replace live rows of their span and are never replaced by live rows:
-- the spans a refined window claimed are remembered, so a live window written after them (a live
-- flow behind the refiner in a backlog) neither brings live text back nor duplicates it, even
-- where the refined reading found no words. Forward-only.

ALTER TABLE transcript_segments
    ADD COLUMN revision text NOT NULL DEFAULT 'live' CHECK (revision IN ('live', 'refined'));

CREATE TABLE refined_spans (
    team       text NOT NULL,
    meeting_id text NOT NULL,
    source     text NOT NULL,
    start_ms   bigint NOT NULL,
    end_ms     bigint NOT NULL CHECK (end_ms >= start_ms),
    refined_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (team, meeting_id, source, start_ms, end_ms)
);

-- The board shows a refined window as one replacement ('segments.revised': the span and its new
-- lines) rather than a removal and an insert per line. The store sets vori.revising for the rows
-- it writes on a refined window's behalf; the per-row events stay quiet meanwhile.
ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check
    CHECK (type IN ('segment', 'segment.removed', 'segments.revised', 'minutes', 'ticket.created',
                    'ticket.updated', 'meeting.started', 'meeting.closed'));

CREATE OR REPLACE FUNCTION vori_segment_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('vori.revising', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM vori_emit_event(
        NEW.team,
        NEW.meeting_id,
        'segment',
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'source', NEW.source, 'start_ms', NEW.start_ms,
            'end_ms', NEW.end_ms, 'speaker', NEW.speaker, 'text', NEW.text,
            'language', NEW.language, 'created_at', NEW.created_at, 'revision', NEW.revision));
    RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION vori_segment_removed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('vori.revising', true) = 'on' THEN
        RETURN NULL;
    END IF;
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
