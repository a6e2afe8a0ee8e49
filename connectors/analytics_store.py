"""The analytics sinks store: every PostgreSQL read and write of the Spark jobs (``analytics/``).

Keyword trends (``keyword_segment_counts``, ``keyword_trends``, ``analytics_rejects``), meeting
efficiency (``meeting_metrics``) and TF-IDF keywords (``meeting_keywords``), plus the reads they
need from ``meetings``, ``transcript_segments``, ``meeting_minutes`` and ``tickets``.

A meeting is (team, meeting_id): two teams may use the same id, so every meeting is named by
both (:class:`MeetingRef`) and every join on a meeting joins on both.

Functions take an open :data:`~connectors.postgres.Connection` and run inside the caller's
transaction (they never commit); :func:`sink_transaction` opens one connection and one transaction
for a micro-batch. psycopg errors are translated at this boundary into
:class:`~connectors.postgres.PostgresError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from psycopg import sql
from psycopg.types.json import Jsonb

from connectors.postgres import Connection, connect, translated

__all__ = [
    "TREND_GRANULARITIES",
    "AnalyticsReject",
    "MeetingMetricsRow",
    "MeetingRef",
    "MeetingSegment",
    "SegmentKey",
    "SegmentKeywordCount",
    "TicketTiming",
    "TrendScore",
    "closed_meetings_of_teams",
    "keyword_trend_exists",
    "lock_efficiency_sweep",
    "meeting_segments",
    "meeting_teams",
    "replace_segment_keyword_counts",
    "set_trend_scores",
    "sink_transaction",
    "stale_meetings",
    "store_meeting_keywords",
    "store_rejects",
    "team_corpus",
    "ticket_timings",
    "trend_series",
    "upsert_meeting_metrics",
]

# Window size of each granularity of ``keyword_trends`` and the ``keyword_segment_counts`` column
# holding a segment's window start for it.
TREND_GRANULARITIES: dict[str, tuple[timedelta, str]] = {
    "hour": (timedelta(hours=1), "hour_start"),
    "day": (timedelta(days=1), "day_start"),
}


@contextlib.contextmanager
def sink_transaction(dsn: str, what: str) -> Iterator[Connection]:
    """One connection and one transaction: committed when the block ends normally, discarded
    (the connection closed without a commit) when it raises. Errors come out as PostgresError."""
    conn = connect(dsn)
    try:
        yield conn
        with translated(what):
            conn.commit()
    finally:
        conn.close()


# --- keyword trends -----------------------------------------------------------------------------


class AnalyticsReject(NamedTuple):
    """A Kafka record a job skipped, kept with its reason and raw bytes (as text)."""

    topic: str
    partition: int
    offset: int
    reason: str
    raw: str | None


class MeetingRef(NamedTuple):
    """A meeting: its team and its id (an id alone may name meetings of several teams)."""

    team: str
    meeting_id: str


class SegmentKey(NamedTuple):
    """The natural key of a transcript segment."""

    team: str
    meeting_id: str
    source: str
    start_ms: int


class SegmentKeywordCount(NamedTuple):
    """How often one segment mentions one keyword, with the windows it falls in (UTC-aware)."""

    meeting_id: str
    source: str
    start_ms: int
    keyword: str
    team: str
    hour_start: datetime
    day_start: datetime
    mentions: int


class TrendScore(NamedTuple):
    """The trend score of one ``keyword_trends`` window."""

    team: str
    keyword: str
    window_start: datetime
    score: float


def meeting_teams(conn: Connection, meeting_ids: Collection[str]) -> dict[str, str]:
    """The team of each of ``meeting_ids`` that exactly one team has (for records without a
    team); an unknown id, or one several teams use, is left out."""
    if not meeting_ids:
        return {}
    with translated("reading meeting teams"):
        rows = conn.execute(
            "SELECT meeting_id, min(team) FROM meetings WHERE meeting_id = ANY(%s) "
            "GROUP BY meeting_id HAVING count(*) = 1",
            (list(meeting_ids),),
        ).fetchall()
    return {str(mid): str(team) for mid, team in rows}


def store_rejects(conn: Connection, job: str, rejects: Sequence[AnalyticsReject]) -> None:
    """Keep each skipped record once per (job, topic, partition, offset); a replay adds nothing."""
    if not rejects:
        return
    with translated(f"{job}: storing rejects"), conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO analytics_rejects (job, topic, partition, "offset", reason, raw)
               VALUES (%s, %s, %s, %s, %s, %s)
               ON CONFLICT (job, topic, partition, "offset") DO NOTHING""",
            [(job, *r) for r in rejects],
        )


def replace_segment_keyword_counts(
    conn: Connection, segments: Iterable[SegmentKey], counts: Sequence[SegmentKeywordCount]
) -> dict[str, dict[tuple[str, str], datetime]]:
    """Make ``counts`` the keyword counts of ``segments`` and rebuild the windows they touch.

    A segment seen again (replay, re-transcription) replaces its earlier counts, so nothing is
    counted twice. Every ``keyword_trends`` window (both granularities) that held or now holds one
    of these segments is rebuilt from ``keyword_segment_counts`` with a trend score of 0.

    Returns, per granularity, the first rebuilt window of each (team, keyword): the windows from
    there on need their trend score recomputed (:func:`trend_series`, :func:`set_trend_scores`).
    """
    with translated("storing keyword counts"), conn.cursor() as cur:
        cur.execute(
            """CREATE TEMP TABLE batch_segments
                   (team text, meeting_id text, source text, start_ms bigint) ON COMMIT DROP"""
        )
        with cur.copy("COPY batch_segments FROM STDIN") as copy:
            for seg in segments:
                copy.write_row(tuple(seg))
        # The windows the segments' old counts were in: they lose those counts.
        cur.execute(
            """CREATE TEMP TABLE touched ON COMMIT DROP AS
               SELECT DISTINCT k.team, k.hour_start, k.day_start FROM keyword_segment_counts k
               JOIN batch_segments b USING (team, meeting_id, source, start_ms)"""
        )
        cur.execute(
            """DELETE FROM keyword_segment_counts k USING batch_segments b
               WHERE k.team = b.team AND k.meeting_id = b.meeting_id AND k.source = b.source
                 AND k.start_ms = b.start_ms"""
        )
        cur.executemany(
            """INSERT INTO keyword_segment_counts
               (meeting_id, source, start_ms, keyword, team, hour_start, day_start, mentions)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            [tuple(c) for c in counts],
        )
        cur.executemany(
            "INSERT INTO touched VALUES (%s, %s, %s)",
            sorted({(c.team, c.hour_start, c.day_start) for c in counts}),
        )
        firsts: dict[str, dict[tuple[str, str], datetime]] = {}
        for granularity, (step, column) in TREND_GRANULARITIES.items():
            c = sql.Identifier(column)
            cur.execute(
                sql.SQL(
                    """DELETE FROM keyword_trends t
                    USING (SELECT DISTINCT team, {c} AS ws FROM touched) w
                    WHERE t.team = w.team AND t.granularity = %(g)s AND t.window_start = w.ws"""
                ).format(c=c),
                {"g": granularity},
            )
            cur.execute(
                sql.SQL(
                    """INSERT INTO keyword_trends
                      (team, granularity, window_start, window_end, keyword, mentions, meetings,
                       trend_score)
                    SELECT k.team, %(g)s, k.{c}, k.{c} + %(step)s, k.keyword, sum(k.mentions),
                           count(DISTINCT k.meeting_id), 0
                    FROM keyword_segment_counts k
                    JOIN (SELECT DISTINCT team, {c} AS ws FROM touched) w
                      ON k.team = w.team AND k.{c} = w.ws
                    GROUP BY k.team, k.{c}, k.keyword
                    RETURNING team, keyword, window_start"""
                ).format(c=c),
                {"g": granularity, "step": step},
            )
            first: dict[tuple[str, str], datetime] = {}
            for team, keyword, ws in cur.fetchall():
                key = (str(team), str(keyword))
                first[key] = min(ws, first.get(key, ws))
            firsts[granularity] = first
    return firsts


def trend_series(
    conn: Connection,
    granularity: str,
    firsts: Mapping[tuple[str, str], datetime],
    lookback: timedelta,
) -> dict[tuple[str, str], dict[datetime, int]]:
    """Mentions per window of each (team, keyword) in ``firsts``, from ``lookback`` before its
    first window on: the series its trend scores are computed from."""
    if not firsts:
        return {}
    keys = sorted(firsts)
    with translated("reading keyword trends"):
        rows = conn.execute(
            """SELECT t.team, t.keyword, t.window_start, t.mentions
               FROM keyword_trends t
               JOIN unnest(%s::text[], %s::text[], %s::timestamptz[]) AS f(team, keyword, first)
                 ON t.team = f.team AND t.keyword = f.keyword
               WHERE t.granularity = %s AND t.window_start >= f.first - %s
               ORDER BY t.team, t.keyword, t.window_start""",
            (
                [k[0] for k in keys], [k[1] for k in keys], [firsts[k] for k in keys],
                granularity, lookback,
            ),
        ).fetchall()
    series: dict[tuple[str, str], dict[datetime, int]] = {}
    for team, keyword, ws, mentions in rows:
        series.setdefault((str(team), str(keyword)), {})[ws] = int(mentions)
    return series


def set_trend_scores(conn: Connection, granularity: str, scores: Sequence[TrendScore]) -> None:
    """Store the trend score of each window in ``scores``."""
    if not scores:
        return
    with translated("storing trend scores"), conn.cursor() as cur:
        cur.executemany(
            """UPDATE keyword_trends SET trend_score = %s, updated_at = now()
               WHERE team = %s AND granularity = %s AND window_start = %s AND keyword = %s""",
            [(s.score, s.team, granularity, s.window_start, s.keyword) for s in scores],
        )


def keyword_trend_exists(conn: Connection, keyword: str) -> bool:
    """Whether any ``keyword_trends`` window holds ``keyword`` (freshness checks)."""
    with translated("reading keyword trends"):
        row = conn.execute(
            "SELECT 1 FROM keyword_trends WHERE keyword = %s LIMIT 1", (keyword,)
        ).fetchone()
    return row is not None


# --- meeting efficiency -------------------------------------------------------------------------


class MeetingSegment(NamedTuple):
    """A segment of a meeting to measure, with the counts of its meeting's final minutes."""

    team: str
    meeting_id: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    decisions: int
    action_items: int


class TicketTiming(NamedTuple):
    """A meeting's ticket: when it was created and first done (epoch seconds; None: not yet)."""

    team: str
    meeting_id: str
    created_s: float
    done_s: float | None


class MeetingMetricsRow(NamedTuple):
    """One ``meeting_metrics`` row (``computed_at`` is set by the store)."""

    team: str
    meeting_id: str
    duration_s: float
    words: int
    wpm: float
    speakers: int
    speaker_balance: float
    talk_share: Mapping[str, float]
    longest_monologue_s: float
    questions: int
    decisions: int
    action_items: int
    action_items_per_hour: float
    follow_through: float | None
    efficiency_score: float


_STALE = """
SELECT m.team, m.meeting_id
FROM meetings m LEFT JOIN meeting_metrics mm USING (team, meeting_id)
WHERE m.status = 'closed'
  AND (mm.meeting_id IS NULL
       OR mm.computed_at < m.updated_at
       OR EXISTS (SELECT 1 FROM meeting_minutes mn
                  WHERE mn.team = m.team AND mn.meeting_id = m.meeting_id AND mn.kind = 'final'
                    AND mn.updated_at > mm.computed_at)
       OR EXISTS (SELECT 1 FROM tickets t
                  WHERE t.team = m.team AND t.meeting_id = m.meeting_id
                    AND t.updated_at > mm.computed_at
                    AND t.created_at > mm.computed_at - %(days)s * interval '1 day'))
ORDER BY m.team, m.meeting_id
LIMIT %(limit)s
"""

# Both take the meetings asked for as two arrays: their teams and their ids.
_SEGMENTS = """
SELECT s.team, s.meeting_id, s.start_ms, s.end_ms, coalesce(sp.name, s.speaker), s.text,
       coalesce(jsonb_array_length(mn.decisions), 0),
       coalesce(jsonb_array_length(mn.action_items), 0)
FROM transcript_segments s
JOIN unnest(%s::text[], %s::text[]) AS w(team, meeting_id) USING (team, meeting_id)
LEFT JOIN meeting_minutes mn
  ON mn.team = s.team AND mn.meeting_id = s.meeting_id AND mn.kind = 'final'
-- A diarization label counts under the name it was given (sql/0010_roster.sql).
LEFT JOIN meeting_speakers sp
  ON sp.team = s.team AND sp.meeting_id = s.meeting_id AND sp.label = s.speaker
ORDER BY s.team, s.meeting_id, s.start_ms
"""

_TICKETS = """
SELECT t.team, t.meeting_id, extract(epoch FROM t.created_at)::float8,
       (SELECT extract(epoch FROM min(e.at))::float8 FROM ticket_events e
        WHERE e.ticket_id = t.ticket_id AND e.new_status = 'done')
FROM tickets t JOIN unnest(%s::text[], %s::text[]) AS w(team, meeting_id) USING (team, meeting_id)
"""

_UPSERT_METRICS = """
INSERT INTO meeting_metrics (team, meeting_id, duration_s, words, wpm, speakers, speaker_balance,
    talk_share, longest_monologue_s, questions, decisions, action_items, action_items_per_hour,
    follow_through, efficiency_score, computed_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, now())
ON CONFLICT (team, meeting_id) DO UPDATE SET
    duration_s = EXCLUDED.duration_s, words = EXCLUDED.words, wpm = EXCLUDED.wpm,
    speakers = EXCLUDED.speakers, speaker_balance = EXCLUDED.speaker_balance,
    talk_share = EXCLUDED.talk_share, longest_monologue_s = EXCLUDED.longest_monologue_s,
    questions = EXCLUDED.questions, decisions = EXCLUDED.decisions,
    action_items = EXCLUDED.action_items, action_items_per_hour = EXCLUDED.action_items_per_hour,
    follow_through = EXCLUDED.follow_through, efficiency_score = EXCLUDED.efficiency_score,
    computed_at = now()
"""


def lock_efficiency_sweep(conn: Connection) -> None:
    """Take the efficiency sweep's lock until the transaction ends: one sweep at a time across
    threads and processes (a timer and a micro-batch may both fire)."""
    with translated("efficiency: taking the sweep lock"):
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('vori:efficiency-sweep', 0))")


def stale_meetings(conn: Connection, *, ticket_window_days: int, limit: int) -> list[MeetingRef]:
    """Closed meetings without metrics, or whose meeting row or final minutes changed since, or
    with a ticket updated since that was created within ``ticket_window_days`` of them; sorted,
    at most ``limit``."""
    with translated("efficiency: finding stale meetings"):
        rows = conn.execute(_STALE, {"days": ticket_window_days, "limit": limit}).fetchall()
    return [MeetingRef(str(r[0]), str(r[1])) for r in rows]


def _pairs(meetings: Sequence[MeetingRef]) -> tuple[list[str], list[str]]:
    return [m.team for m in meetings], [m.meeting_id for m in meetings]


def meeting_segments(conn: Connection, meetings: Sequence[MeetingRef]) -> list[MeetingSegment]:
    """The segments of ``meetings`` in order, each with its meeting's final-minutes counts."""
    with translated("efficiency: reading segments"):
        rows = conn.execute(_SEGMENTS, _pairs(meetings)).fetchall()
    return [MeetingSegment(*r) for r in rows]


def ticket_timings(conn: Connection, meetings: Sequence[MeetingRef]) -> list[TicketTiming]:
    """The tickets born in ``meetings``: created and first-done times."""
    with translated("efficiency: reading tickets"):
        rows = conn.execute(_TICKETS, _pairs(meetings)).fetchall()
    return [TicketTiming(*r) for r in rows]


def upsert_meeting_metrics(conn: Connection, rows: Sequence[MeetingMetricsRow]) -> None:
    """Insert or replace the metrics of each meeting in ``rows`` (``computed_at = now()``)."""
    if not rows:
        return
    with translated("efficiency: storing metrics"), conn.cursor() as cur:
        cur.executemany(
            _UPSERT_METRICS,
            [(*r[:7], Jsonb(dict(r.talk_share)), *r[8:]) for r in rows],
        )


# --- TF-IDF keywords ----------------------------------------------------------------------------


def team_corpus(conn: Connection, teams: Sequence[str]) -> list[tuple[str, str, str]]:
    """(team, meeting_id, text) of every segment of the closed meetings of ``teams``."""
    with translated("tf-idf: reading the corpus"):
        rows = conn.execute(
            """SELECT m.team, s.meeting_id, s.text
               FROM transcript_segments s JOIN meetings m USING (team, meeting_id)
               WHERE m.status = 'closed' AND m.team = ANY(%s)""",
            (list(teams),),
        ).fetchall()
    return [(str(t), str(m), str(x)) for t, m, x in rows]


def closed_meetings_of_teams(conn: Connection, teams: Sequence[str]) -> list[MeetingRef]:
    """The closed meetings of ``teams``."""
    with translated("tf-idf: reading closed meetings"):
        rows = conn.execute(
            "SELECT team, meeting_id FROM meetings WHERE status = 'closed' AND team = ANY(%s)",
            (list(teams),),
        ).fetchall()
    return [MeetingRef(str(r[0]), str(r[1])) for r in rows]


def store_meeting_keywords(
    conn: Connection,
    meetings: Collection[MeetingRef],
    keywords: Sequence[tuple[str, str, str, float]],
) -> None:
    """Make the stored keywords of ``meetings`` exactly ``keywords`` (team, meeting_id, keyword,
    score).

    Runs in the caller's transaction. Keywords that dropped out are deleted, new ones inserted and
    changed scores updated; an unchanged row is not written at all (its ``computed_at`` stays), so
    storing the same result twice changes nothing.
    """
    refs = sorted(meetings)
    unknown = {(k[0], k[1]) for k in keywords} - set(refs)
    if unknown:
        raise ValueError(f"keywords for meetings not being replaced: {sorted(unknown)}")
    teams, ids = [m.team for m in refs], [m.meeting_id for m in refs]
    kw_teams = [k[0] for k in keywords]
    kw_ids = [k[1] for k in keywords]
    kw_words = [k[2] for k in keywords]
    with translated("tf-idf: storing keywords"):
        conn.execute(
            """DELETE FROM meeting_keywords k
               USING unnest(%s::text[], %s::text[]) AS w(team, meeting_id)
               WHERE k.team = w.team AND k.meeting_id = w.meeting_id
                 AND (k.team, k.meeting_id, k.keyword) NOT IN
                     (SELECT * FROM unnest(%s::text[], %s::text[], %s::text[]))""",
            (teams, ids, kw_teams, kw_ids, kw_words),
        )
        conn.execute(
            """INSERT INTO meeting_keywords (team, meeting_id, keyword, score)
               SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::float8[])
               ON CONFLICT (team, meeting_id, keyword) DO UPDATE
               SET score = EXCLUDED.score, computed_at = now()
               WHERE meeting_keywords.score IS DISTINCT FROM EXCLUDED.score""",
            (kw_teams, kw_ids, kw_words, [k[3] for k in keywords]),
        )
