"""PostgreSQL writes of the transcription flow: segments, meetings, gaps.

Every row carries its meeting's team: a meeting is (team, meeting_id), so two teams' meetings of
the same id never share a row. An item without a team (audio sent to Kafka without the gateway)
is team ``unassigned``. A later part of a long meeting links to the meeting (``part_of``,
``part``). Meetings and gaps are upserts on natural keys. A transcribed window
replaces its source's rows that start within its span, in the same transaction as its new rows,
so a replay that cuts the same audio into other windows leaves one copy of the text.

Revisions (``sql/0012_segment_revision.sql``): a :class:`RevisionRecord` (what the refine flow
publishes) replaces every row of its span, live or refined, and records the span in
``refined_spans``; a live window replaces only live rows, and leaves out its segments that start
inside a refined span, so refined text is never replaced by live text nor shown twice, whichever
flow writes first.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bytewax.outputs import DynamicSink
from psycopg import Cursor

from connectors.korean import search_terms
from connectors.postgres import Connection, RetryingPostgresPartition
from connectors.roster_store import save_label_voices
from connectors.tokens import UNASSIGNED_TEAM
from domain.records import RevisionRecord
from domain.revision import LiveLine
from domain.speakers import Relabel, SpeakerVoices
from domain.timeline import Gap, MeetingClosed, MeetingSeen
from domain.transcript import Segment, TranscribedWindow

StoreItem = (
    TranscribedWindow | RevisionRecord | Segment | MeetingSeen | MeetingClosed | Gap | SpeakerVoices | Relabel
)

_UPSERT_SEGMENT = """
INSERT INTO transcript_segments
    (team, meeting_id, source, start_ms, end_ms, speaker, text, language, model,
     avg_logprob, no_speech_prob, audio_posted_at, search_terms)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT ON CONSTRAINT transcript_segments_natural_key DO UPDATE SET
    end_ms = EXCLUDED.end_ms, speaker = EXCLUDED.speaker, text = EXCLUDED.text,
    language = EXCLUDED.language, model = EXCLUDED.model,
    avg_logprob = EXCLUDED.avg_logprob, no_speech_prob = EXCLUDED.no_speech_prob,
    search_terms = EXCLUDED.search_terms, updated_at = now()
WHERE transcript_segments.revision = 'live'
  AND (transcript_segments.text, transcript_segments.end_ms)
      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.end_ms)
"""

_UPSERT_REFINED = """
INSERT INTO transcript_segments
    (team, meeting_id, source, start_ms, end_ms, speaker, text, language, model,
     avg_logprob, no_speech_prob, audio_posted_at, search_terms, revision)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'refined')
ON CONFLICT ON CONSTRAINT transcript_segments_natural_key DO UPDATE SET
    end_ms = EXCLUDED.end_ms, speaker = EXCLUDED.speaker, text = EXCLUDED.text,
    language = EXCLUDED.language, model = EXCLUDED.model,
    avg_logprob = EXCLUDED.avg_logprob, no_speech_prob = EXCLUDED.no_speech_prob,
    search_terms = EXCLUDED.search_terms, revision = 'refined', updated_at = now()
WHERE (transcript_segments.text, transcript_segments.end_ms, transcript_segments.speaker,
       transcript_segments.revision)
      IS DISTINCT FROM (EXCLUDED.text, EXCLUDED.end_ms, EXCLUDED.speaker, 'refined')
"""

_REFINED_SPANS = """
SELECT start_ms, end_ms FROM refined_spans
WHERE team = %s AND meeting_id = %s AND source = %s AND start_ms < %s AND end_ms > %s
"""

_ADD_REFINED_SPAN = """
INSERT INTO refined_spans (team, meeting_id, source, start_ms, end_ms)
VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING
"""

_LIVE_LINES = """
SELECT start_ms, end_ms, speaker, text FROM transcript_segments
WHERE team = %s AND meeting_id = %s AND source = %s AND start_ms >= %s AND start_ms < %s
ORDER BY start_ms
"""

# The board's one message for a refined window (docs/contract.md section 5).
_REVISED_EVENT = "SELECT vori_emit_event(%s, %s, 'segments.revised', %s::jsonb)"

# Rows the window's own segments keep (same start) are upserted instead: replaying a window cut
# the same way changes no row and emits no board event.
_REPLACED_SEGMENTS = """
DELETE FROM transcript_segments
WHERE team = %s AND meeting_id = %s AND source = %s AND start_ms >= %s AND start_ms < %s
  AND NOT (start_ms = ANY(%s)) AND revision = ANY(%s)
"""

# Only a row that still has the label the flow gave it: a replayed relabel changes nothing.
_RELABEL_SEGMENT = """
UPDATE transcript_segments SET speaker = %s, updated_at = now()
WHERE team = %s AND meeting_id = %s AND source = %s AND start_ms = %s AND speaker = %s
"""
# The segment was refined already (a long meeting's windows before its last): the refined rows
# read from it follow, those with its old label that have at least half of their time in its
# speech (domain.speakers.follows_relabel).
_RELABEL_REFINED = """
UPDATE transcript_segments SET speaker = %(new)s, updated_at = now()
WHERE team = %(team)s AND meeting_id = %(meeting)s AND source = %(source)s AND revision = 'refined'
  AND speaker = %(old)s
  AND LEAST(end_ms, %(end)s) - GREATEST(start_ms, %(start)s) > 0
  AND 2 * (LEAST(end_ms, %(end)s) - GREATEST(start_ms, %(start)s)) >= end_ms - start_ms
"""

_UPSERT_MEETING = """
INSERT INTO meetings (team, meeting_id, title, status, started_at, sources, part_of, part)
VALUES (%s, %s, %s, 'live', %s, %s, %s, %s)
ON CONFLICT (team, meeting_id) DO UPDATE SET
    title = COALESCE(EXCLUDED.title, meetings.title),
    part_of = COALESCE(EXCLUDED.part_of, meetings.part_of), part = EXCLUDED.part,
    sources = meetings.sources || EXCLUDED.sources,
    started_at = LEAST(meetings.started_at, EXCLUDED.started_at),
    -- Only a live timeline says a meeting is seen: a track that came after the close reopened it.
    status = 'live', ended_at = NULL, close_reason = NULL,
    updated_at = now()
"""

_CLOSE_MEETING = """
INSERT INTO meetings (team, meeting_id, status, ended_at, close_reason)
VALUES (%s, %s, 'closed', now(), %s)
ON CONFLICT (team, meeting_id) DO UPDATE SET
    status = 'closed',
    ended_at = COALESCE(meetings.ended_at, now()),
    close_reason = COALESCE(meetings.close_reason, EXCLUDED.close_reason),
    updated_at = now()
"""

_INSERT_GAP = """
INSERT INTO audio_gaps (team, meeting_id, source, first_seq, last_seq, at_ms)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT DO NOTHING
"""


def _ts(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC)


def _team(team: str | None) -> str:
    return team or UNASSIGNED_TEAM


def _segment_row(s: Segment, team: str | None) -> tuple[object, ...]:
    return (
        _team(team), s.meeting_id, s.source, s.start_ms, s.end_ms, s.speaker, s.text, s.language, s.model,
        s.avg_logprob, s.no_speech_prob, _ts(s.posted_ms), search_terms(s.text),
    )


def _write_live(cur: Cursor[Any], item: TranscribedWindow) -> None:
    team = _team(item.team)
    key = (team, item.meeting_id, item.source)
    refined = cur.execute(_REFINED_SPANS, (*key, item.end_ms, item.start_ms)).fetchall()
    # A live flow behind the refiner: what was refined stays, live text joins only outside it.
    kept = [s for s in item.segments if not any(a <= s.start_ms < b for a, b in refined)]
    cur.execute(_REPLACED_SEGMENTS,
                (*key, item.start_ms, item.end_ms, [s.start_ms for s in kept], ["live"]))
    if kept:
        cur.executemany(_UPSERT_SEGMENT, [_segment_row(s, item.team) for s in kept])


def _write_refined(cur: Cursor[Any], item: RevisionRecord) -> None:
    team = _team(item.team)
    key = (team, item.meeting_id, item.source)
    # The per-row board events stay quiet: the board gets the window as one replacement below.
    cur.execute("SELECT set_config('vori.revising', 'on', true)")
    cur.execute(_REPLACED_SEGMENTS, (*key, item.start_ms, item.end_ms,
                                     [s.start_ms for s in item.segments], ["live", "refined"]))
    changed = cur.rowcount
    for s in item.segments:
        cur.execute(_UPSERT_REFINED, _segment_row(s, item.team))
        changed += cur.rowcount
    cur.execute(_ADD_REFINED_SPAN, (*key, item.start_ms, item.end_ms))
    cur.execute("SELECT set_config('vori.revising', 'off', true)")
    if changed:  # applying the same revision again says nothing
        payload = {
            "meeting_id": item.meeting_id, "source": item.source, "start_ms": item.start_ms,
            "end_ms": item.end_ms, "revision": "refined",
            "segments": [{"source": s.source, "start_ms": s.start_ms, "end_ms": s.end_ms,
                          "speaker": s.speaker, "text": s.text, "language": s.language,
                          "revision": "refined"} for s in item.segments],
        }
        cur.execute(_REVISED_EVENT, (team, item.meeting_id, json.dumps(payload, ensure_ascii=False)))


def live_lines(conn: Connection, team: str | None, meeting_id: str, source: str,
               start_ms: int, end_ms: int) -> list[LiveLine]:
    """The rows of a source that start within ``[start_ms, end_ms)``, their labels and text: the
    live rows a refined window replaces, or, when the refine flow reads a span again (a replay),
    the refined rows its first reading left, so their labels stay."""
    with conn.cursor() as cur:
        rows = cur.execute(_LIVE_LINES, (_team(team), meeting_id, source, start_ms, end_ms)).fetchall()
    return [LiveLine(int(a), int(b), c, t) for a, b, c, t in rows]


def write_items(conn: Connection, items: list[StoreItem]) -> None:
    """Write a batch in one transaction, in order (a meeting's close after its segments)."""
    with conn.transaction(), conn.cursor() as cur:
        for item in items:
            if isinstance(item, TranscribedWindow):
                _write_live(cur, item)
            elif isinstance(item, RevisionRecord):
                _write_refined(cur, item)
            elif isinstance(item, Segment):
                cur.execute(_UPSERT_SEGMENT, _segment_row(item, item.team))
            elif isinstance(item, MeetingSeen):
                cur.execute(
                    _UPSERT_MEETING,
                    (
                        _team(item.team), item.meeting_id, item.title,
                        _ts(item.started_ms),
                        json.dumps({k: {"speaker": v} for k, v in item.sources.items()}),
                        item.part_of, item.part,
                    ),
                )
            elif isinstance(item, MeetingClosed):
                cur.execute(_CLOSE_MEETING, (_team(item.team), item.meeting_id, item.reason))
            elif isinstance(item, SpeakerVoices):
                # For naming labels by enrolled voices (flows/team_context.py reads them back).
                save_label_voices(conn, team=_team(item.team), meeting_id=item.meeting_id,
                                  model=item.model, voices={label: (centroid, seconds)
                                                            for label, centroid, seconds in item.voices})
            elif isinstance(item, Relabel):
                cur.execute(_RELABEL_SEGMENT, (item.new, _team(item.team), item.meeting_id, item.source,
                                               item.start_ms, item.old))
                if cur.rowcount == 0 and item.end_ms is not None:
                    cur.execute(_RELABEL_REFINED, {
                        "new": item.new, "team": _team(item.team), "meeting": item.meeting_id,
                        "source": item.source, "old": item.old, "start": item.start_ms, "end": item.end_ms})
            else:
                cur.execute(
                    _INSERT_GAP,
                    (_team(item.team), item.meeting_id, item.source, item.first_seq,
                     item.last_seq, item.at_ms),
                )


class PostgresTranscriptSink(DynamicSink[StoreItem]):
    """Writes transcribed windows, meetings and gaps.

    Delivery: at-least-once. After a crash bytewax replays the last epoch, and without a recovery
    store the whole retained topic is read again; a window replaces what its source had in its
    span and everything else is an upsert on a natural key, so a replay duplicates nothing. A
    batch is one transaction: if it fails after retries the error propagates and the flow stops
    rather than losing rows.
    """

    def __init__(self, dsn: str):
        self._dsn = dsn

    def build(
        self, step_id: str, worker_index: int, worker_count: int
    ) -> RetryingPostgresPartition[StoreItem]:
        return RetryingPostgresPartition(self._dsn, write_items, "writing transcript rows")
