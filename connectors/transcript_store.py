"""PostgreSQL writes of the transcription flow: segments, meetings, gaps (idempotent upserts)."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import psycopg
from bytewax.outputs import DynamicSink, StatelessSinkPartition

from connectors.postgres import PostgresError, connect
from domain.timeline import Gap, MeetingClosed, MeetingSeen
from domain.transcript import Segment

log = logging.getLogger(__name__)

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


def write_items(conn: psycopg.Connection[Any], items: list[StoreItem]) -> None:
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


T = TypeVar("T")


def with_retries(action: Callable[[], T], *, attempts: int = 8, what: str = "PostgreSQL") -> T:
    """Retry an infrastructure fault with backoff; after the last try it raises (never drops)."""
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (psycopg.OperationalError, PostgresError) as exc:
            if attempt == attempts:
                raise PostgresError(f"{what} still failing after {attempts} tries: {exc}") from exc
            log.warning("%s failed (%s); retry %d in %.1fs", what, exc, attempt, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


X = TypeVar("X")


class RetryingPostgresPartition(StatelessSinkPartition[X]):
    """A sink partition that hands each batch to ``write(conn, items)`` on one connection.

    A dropped connection is reopened and the batch retried with backoff (``with_retries``); after
    the last try the error propagates and stops the flow, so nothing is silently lost. ``write``
    must be idempotent: a retried or replayed batch is written again.
    """

    def __init__(
        self, dsn: str, write: Callable[[psycopg.Connection[Any], list[X]], None], what: str
    ):
        self._dsn = dsn
        self._write_fn = write
        self._what = what
        self._conn: psycopg.Connection[Any] | None = None

    def _write(self, items: list[X]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn)
        try:
            self._write_fn(self._conn, items)
        except psycopg.OperationalError:
            self._conn.close()
            self._conn = None
            raise

    def write_batch(self, items: list[X]) -> None:
        if items:
            with_retries(lambda: self._write(items), what=self._what)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


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
