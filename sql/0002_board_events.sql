-- Board events: every committed change the board shows, in commit-visible order, with an id that a
-- reconnecting client passes back as ?since=. Triggers write the row and pg_notify('vori_events', id);
-- PostgreSQL delivers NOTIFY only when the transaction commits, so a rolled-back write never reaches
-- a board. Triggers stay cheap: one indexed lookup of the meeting's team and one insert.

CREATE TABLE events (
    id         bigserial PRIMARY KEY,
    team       text NOT NULL,
    meeting_id text,
    type       text NOT NULL CHECK (type IN ('segment', 'minutes', 'ticket.created',
                                              'ticket.updated', 'meeting.started',
                                              'meeting.closed')),
    payload    jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_team_id ON events (team, id);

CREATE FUNCTION vori_emit_event(p_team text, p_meeting_id text, p_type text, p_payload jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    new_id bigint;
BEGIN
    INSERT INTO events (team, meeting_id, type, payload)
    VALUES (COALESCE(p_team, 'unassigned'), p_meeting_id, p_type, p_payload)
    RETURNING id INTO new_id;
    PERFORM pg_notify('vori_events', new_id::text);
END;
$$;

CREATE FUNCTION vori_segment_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        (SELECT team FROM meetings WHERE meeting_id = NEW.meeting_id),
        NEW.meeting_id,
        'segment',
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'source', NEW.source, 'start_ms', NEW.start_ms,
            'end_ms', NEW.end_ms, 'speaker', NEW.speaker, 'text', NEW.text,
            'language', NEW.language, 'created_at', NEW.created_at));
    RETURN NULL;
END;
$$;

CREATE TRIGGER transcript_segments_board_event
    AFTER INSERT OR UPDATE ON transcript_segments
    FOR EACH ROW EXECUTE FUNCTION vori_segment_event();

CREATE FUNCTION vori_minutes_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        (SELECT team FROM meetings WHERE meeting_id = NEW.meeting_id),
        NEW.meeting_id,
        'minutes',
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'kind', NEW.kind, 'summary', NEW.summary,
            'decisions', NEW.decisions, 'action_items', NEW.action_items,
            'updated_at', NEW.updated_at));
    RETURN NULL;
END;
$$;

CREATE TRIGGER meeting_minutes_board_event
    AFTER INSERT OR UPDATE ON meeting_minutes
    FOR EACH ROW EXECUTE FUNCTION vori_minutes_event();

CREATE FUNCTION vori_ticket_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        NEW.team,
        NEW.meeting_id,
        CASE TG_OP WHEN 'INSERT' THEN 'ticket.created' ELSE 'ticket.updated' END,
        jsonb_build_object(
            'ticket_id', NEW.ticket_id, 'meeting_id', NEW.meeting_id, 'title', NEW.title,
            'assignee', NEW.assignee, 'due_date', NEW.due_date, 'status', NEW.status,
            'old_status', CASE TG_OP WHEN 'UPDATE' THEN OLD.status END,
            'source_quote', NEW.source_quote, 'source_start_ms', NEW.source_start_ms,
            'created_at', NEW.created_at, 'updated_at', NEW.updated_at));
    RETURN NULL;
END;
$$;

CREATE TRIGGER tickets_board_event_insert
    AFTER INSERT ON tickets
    FOR EACH ROW EXECUTE FUNCTION vori_ticket_event();

-- A no-op upsert (a replayed meeting) changes nothing and says nothing.
CREATE TRIGGER tickets_board_event_update
    AFTER UPDATE ON tickets
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*)
    EXECUTE FUNCTION vori_ticket_event();

CREATE FUNCTION vori_meeting_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        NEW.team,
        NEW.meeting_id,
        CASE WHEN NEW.status = 'closed' THEN 'meeting.closed' ELSE 'meeting.started' END,
        jsonb_build_object(
            'meeting_id', NEW.meeting_id, 'title', NEW.title, 'status', NEW.status,
            'started_at', NEW.started_at, 'ended_at', NEW.ended_at,
            'close_reason', NEW.close_reason));
    RETURN NULL;
END;
$$;

CREATE TRIGGER meetings_board_event_insert
    AFTER INSERT ON meetings
    FOR EACH ROW EXECUTE FUNCTION vori_meeting_event();

CREATE TRIGGER meetings_board_event_closed
    AFTER UPDATE OF status ON meetings
    FOR EACH ROW WHEN (NEW.status = 'closed' AND OLD.status IS DISTINCT FROM 'closed')
    EXECUTE FUNCTION vori_meeting_event();
