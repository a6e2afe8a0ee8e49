"""PostgreSQL writes of the transcription flow: segments, meetings, gaps (idempotent upserts)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bytewax.outputs import DynamicSink

from connectors.postgres import Connection, RetryingPostgresPartition
from domain.timeline import Gap, MeetingClosed, MeetingSeen
from domain.transcript import Segment

StoreItem = Segment | MeetingSeen | MeetingClosed | Gap

_UPSERT_SEGMENT = """
INSERT INTO transcript_segments
    (meeting_id, source, start_ms, end_ms, speaker, text, language, model,
     avg_logprob, no_speech_prob, audio_posted_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT ON CONSTRAINT transcript_segments_natural_key DO UPDATE SET
    end_ms = EXCLUDED.end_ms, speaker = EXCLUDED.speaker, text = EXCLUDED.text,
    language = EXCLUDED.language, model = EXCLUDED.model,
    avg_logprob = EXCLUDED.avg_logprob, no_speech_prob = EXCLUDED.no_speech_prob,
    updated_at = now()
WHERE (transcript_segments.text, transcript_segments.end_ms)
      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.end_ms)
"""

_UPSERT_MEETING = """
INSERT INTO meetings (meeting_id, team, title, status, started_at, sources)
VALUES (%s, %s, %s, 'live', %s, %s)
ON CONFLICT (meeting_id) DO UPDATE SET
    title = COALESCE(EXCLUDED.title, meetings.title),
    sources = meetings.sources || EXCLUDED.sources,
    started_at = LEAST(meetings.started_at, EXCLUDED.started_at),
    -- Only a live timeline says a meeting is seen: a track that came after the close reopened it.
    status = 'live', ended_at = NULL, close_reason = NULL,
    updated_at = now()
"""

_CLOSE_MEETING = """
INSERT INTO meetings (meeting_id, team, status, ended_at, close_reason)
VALUES (%s, 'unassigned', 'closed', now(), %s)
ON CONFLICT (meeting_id) DO UPDATE SET
    status = 'closed',
    ended_at = COALESCE(meetings.ended_at, now()),
    close_reason = COALESCE(meetings.close_reason, EXCLUDED.close_reason),
    updated_at = now()
"""

_INSERT_GAP = """
INSERT INTO audio_gaps (meeting_id, source, first_seq, last_seq, at_ms)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
"""


def _ts(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def write_items(conn: Connection, items: list[StoreItem]) -> None:
    """Write a batch in one transaction, in order (a meeting's close after its segments)."""
    with conn.transaction(), conn.cursor() as cur:
        for item in items:
            if isinstance(item, Segment):
                cur.execute(
                    _UPSERT_SEGMENT,
                    (
                        item.meeting_id, item.source, item.start_ms, item.end_ms, item.speaker,
                        item.text, item.language, item.model, item.avg_logprob,
                        item.no_speech_prob, _ts(item.posted_ms),
                    ),
                )
            elif isinstance(item, MeetingSeen):
                cur.execute(
                    _UPSERT_MEETING,
                    (
                        item.meeting_id, item.team or "unassigned", item.title,
                        _ts(item.started_ms),
                        json.dumps({k: {"speaker": v} for k, v in item.sources.items()}),
                    ),
                )
            elif isinstance(item, MeetingClosed):
                cur.execute(_CLOSE_MEETING, (item.meeting_id, item.reason))
            else:
                cur.execute(
                    _INSERT_GAP,
                    (item.meeting_id, item.source, item.first_seq, item.last_seq, item.at_ms),
                )


class PostgresTranscriptSink(DynamicSink[StoreItem]):
    """Upserts segments, meetings and gaps.

    Delivery: at-least-once. After a crash bytewax replays the last epoch; every write here is an
    upsert on a natural key, so a replay changes nothing. A batch is one transaction: if it fails
    after retries the error propagates and the flow stops rather than losing rows.
    """

    def __init__(self, dsn: str):
        self._dsn = dsn

    def build(
        self, step_id: str, worker_index: int, worker_count: int
    ) -> RetryingPostgresPartition[StoreItem]:
        return RetryingPostgresPartition(self._dsn, write_items, "writing transcript rows")
