-- A transcribed window replaces its source's rows that start within its span (a replay cut into
-- other windows: connectors/transcript_store.py). The board page keys a line by
-- (source, start_ms), so a removed row is announced too ('segment.removed'), in the same
-- transaction as the rows that replace it, and therefore ahead of them. Forward-only.

ALTER TABLE events DROP CONSTRAINT events_type_check;
ALTER TABLE events ADD CONSTRAINT events_type_check
    CHECK (type IN ('segment', 'segment.removed', 'minutes', 'ticket.created', 'ticket.updated',
                    'meeting.started', 'meeting.closed'));

CREATE FUNCTION vori_segment_removed_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM vori_emit_event(
        (SELECT team FROM meetings WHERE meeting_id = OLD.meeting_id),
        OLD.meeting_id,
        'segment.removed',
        jsonb_build_object(
            'meeting_id', OLD.meeting_id, 'source', OLD.source, 'start_ms', OLD.start_ms,
            'end_ms', OLD.end_ms));
    RETURN NULL;
END;
$$;

CREATE TRIGGER transcript_segments_board_event_removed
    AFTER DELETE ON transcript_segments
    FOR EACH ROW EXECUTE FUNCTION vori_segment_removed_event();
