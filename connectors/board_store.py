"""Meetings and board reads: what the board's API, its live feed, ``vori report`` and ``vori demo``
read from PostgreSQL.

:class:`BoardStore` is the board process's store: one async pool (connections checked on
checkout) for the API's reads and the feed's event lookups, plus a dedicated ``LISTEN``
connection (:meth:`BoardStore.listen`) for the triggers' notifications. The module-level
functions are the synchronous reads of the command line (one connection per call).

Rows come back as TypedDicts whose keys are the selected columns in order: the board sends them
as JSON as they are, so a column's name, position and value are part of the board's API
(``docs/board.md``). Every error leaves as a :class:`connectors.postgres.PostgresError`.
Nothing here changes a ticket: ticket writes belong to ``connectors/minutes_store.py``.

A meeting is (team, meeting_id): every read of a meeting's rows names the team, so two teams'
meetings of the same id never mix. The command line's reads take ``team=None`` to mean "the one
team that has a meeting of this id", and raise :class:`AmbiguousMeeting` when several have.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, TypedDict, cast

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from connectors.korean import HANGUL, korean_terms
from connectors.minutes_store import TICKET_COLUMNS
from connectors.postgres import AsyncConnection, async_pool, connect, translated

__all__ = [
    "EVENTS_CHANNEL",
    "AmbiguousMeeting",
    "AnalyticsRows",
    "BoardStore",
    "EventRow",
    "KeywordTrendRow",
    "MeetingListRow",
    "MeetingMetricsRow",
    "MeetingProgress",
    "MeetingRow",
    "MetricsRow",
    "MinutesRow",
    "ReportMeetingRow",
    "ReportMinutesRow",
    "ReportRows",
    "ReportTicketRow",
    "SearchHit",
    "SearchQuery",
    "SegmentRow",
    "TicketChangeRow",
    "TicketRow",
    "TicketSummary",
    "TranscriptLine",
    "load_report_rows",
    "meeting_progress",
    "meeting_teams",
    "meeting_tickets",
    "search",
    "search_query",
    "transcript_lines",
]

EVENTS_CHANNEL = "vori_events"  # the channel sql/0002_board_events.sql notifies on


class AmbiguousMeeting(Exception):
    """A meeting id that several teams use, asked for without a team."""

    def __init__(self, meeting_id: str, teams: Sequence[str]) -> None:
        super().__init__(
            f"meeting {meeting_id!r} exists in teams {', '.join(teams)}; say which team"
        )
        self.meeting_id = meeting_id
        self.teams = list(teams)

# -- rows -------------------------------------------------------------------------------------


class MeetingRow(TypedDict):
    meeting_id: str
    team: str
    title: str | None
    status: str  # 'live' | 'closed'
    started_at: dt.datetime
    ended_at: dt.datetime | None
    close_reason: str | None
    language: str | None


class MeetingListRow(TypedDict):
    meeting_id: str
    title: str | None
    status: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    segments: int
    has_final_minutes: bool


class SegmentRow(TypedDict):
    source: str
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str
    language: str | None
    revision: str  # 'live' | 'refined' (sql/0012_segment_revision.sql)


class MinutesRow(TypedDict):
    kind: str  # 'rolling' | 'final'
    summary: str
    decisions: list[Any]
    action_items: list[Any]
    status_updates: list[Any]
    questions: list[Any]
    keywords: list[Any]
    writer: str
    updated_at: dt.datetime


class TicketRow(TypedDict):
    ticket_id: str
    team: str
    meeting_id: str
    title: str
    assignee: str | None
    due_date: dt.date | None
    status: str  # 'todo' | 'in_progress' | 'blocked' | 'done'
    source_quote: str | None
    source_start_ms: int | None
    created_at: dt.datetime
    updated_at: dt.datetime


class MetricsRow(TypedDict):
    """The columns of ``meeting_metrics`` in table order, but its ``team`` (the meeting's)."""

    meeting_id: str
    duration_s: float
    words: int
    wpm: float
    speakers: int
    speaker_balance: float
    talk_share: dict[str, Any]
    longest_monologue_s: float | None
    questions: int
    decisions: int
    action_items: int
    action_items_per_hour: float
    follow_through: float | None
    efficiency_score: float
    computed_at: dt.datetime


class KeywordTrendRow(TypedDict):
    keyword: str
    granularity: str  # 'hour' | 'day'
    window_start: dt.datetime
    window_end: dt.datetime
    mentions: int
    meetings: int
    trend_score: float


class MeetingMetricsRow(TypedDict):
    """A meeting's figures with its title and start, for the analytics page."""

    meeting_id: str
    title: str | None
    started_at: dt.datetime
    duration_s: float
    words: int
    wpm: float
    speakers: int
    speaker_balance: float
    questions: int
    decisions: int
    action_items: int
    action_items_per_hour: float
    efficiency_score: float
    computed_at: dt.datetime


class AnalyticsRows(TypedDict):
    keyword_trends: list[KeywordTrendRow]
    meeting_metrics: list[MeetingMetricsRow]


class EventRow(TypedDict):
    """One row of ``events``, written by the triggers of ``sql/0002_board_events.sql``."""

    id: int
    team: str
    meeting_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: dt.datetime


class ReportMeetingRow(TypedDict):
    meeting_id: str
    team: str
    title: str | None
    status: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None


class ReportMinutesRow(TypedDict):
    kind: str
    summary: str
    decisions: list[Any]
    action_items: list[Any]
    status_updates: list[Any]
    questions: list[Any]
    keywords: list[Any]
    writer: str
    notes: list[Any]


class ReportTicketRow(TypedDict):
    """A ticket born in the meeting."""

    ticket_id: str
    title: str
    assignee: str | None
    due_date: dt.date | None
    status: str


class TicketChangeRow(TypedDict):
    """Something the meeting did to a ticket other than creating it (a status change, a mention)."""

    ticket_id: str
    title: str
    assignee: str | None
    event: str
    old_status: str | None
    new_status: str | None
    quote: str | None


@dataclass(frozen=True)
class ReportRows:
    """Everything a meeting's report is made from, read in one transaction."""

    meeting: ReportMeetingRow
    minutes: ReportMinutesRow | None  # the final minutes, else the latest rolling ones
    born: list[ReportTicketRow]  # by where in the meeting they were said
    changes: list[TicketChangeRow]
    keywords: list[str]  # best first
    metrics: MetricsRow | None
    last_end_ms: int | None  # the end of the last transcript segment


class MeetingProgress(TypedDict):
    status: str
    has_final_minutes: bool


class TranscriptLine(TypedDict):
    start_ms: int
    who: str  # the speaker, else the source
    text: str


class TicketSummary(TypedDict):
    status: str
    title: str
    assignee: str | None
    due_date: dt.date | None


class SearchHit(TypedDict):
    """One search result (``GET /api/search``, ``vori search``)."""

    kind: Literal["segment", "minutes", "ticket"]
    meeting_id: str
    title: str | None  # the meeting's title; a ticket's own title for a ticket
    snippet: str  # HTML: the text escaped, the matched words in <mark>…</mark>
    start_ms: int | None  # where in the meeting it was said (None for minutes)
    score: float


# -- queries ----------------------------------------------------------------------------------

_EVENT_COLUMNS = sql.SQL("id, team, meeting_id, type, payload, created_at")

_MEETING = (
    "SELECT meeting_id, team, title, status, started_at, ended_at, close_reason, language "
    "FROM meetings WHERE team = %s AND meeting_id = %s"
)
_MEETINGS = (
    "SELECT m.meeting_id, m.title, m.status, m.started_at, m.ended_at, "
    "  (SELECT count(*) FROM transcript_segments s "
    "   WHERE s.team = m.team AND s.meeting_id = m.meeting_id) AS segments, "
    "  EXISTS (SELECT 1 FROM meeting_minutes n WHERE n.team = m.team "
    "          AND n.meeting_id = m.meeting_id AND n.kind = 'final') AS has_final_minutes "
    "FROM meetings m WHERE m.team = %s ORDER BY m.started_at DESC LIMIT %s"
)
_SEGMENTS = (
    "SELECT source, start_ms, end_ms, speaker, text, language, revision FROM transcript_segments "
    "WHERE team = %s AND meeting_id = %s ORDER BY start_ms, source"
)
_MINUTES = (
    "SELECT kind, summary, decisions, action_items, status_updates, questions, keywords, "
    "writer, updated_at FROM meeting_minutes WHERE team = %s AND meeting_id = %s ORDER BY kind"
)
_TICKETS = sql.SQL(
    "SELECT {} FROM tickets WHERE team = %s "
    "AND (%s::text IS NULL OR meeting_id = %s) ORDER BY created_at, ticket_id"
).format(TICKET_COLUMNS)
_METRICS = (
    "SELECT meeting_id, duration_s, words, wpm, speakers, speaker_balance, talk_share, "
    "longest_monologue_s, questions, decisions, action_items, action_items_per_hour, "
    "follow_through, efficiency_score, computed_at FROM meeting_metrics "
    "WHERE team = %s AND meeting_id = %s"
)
_KEYWORD_TRENDS = (
    "SELECT keyword, granularity, window_start, window_end, mentions, meetings, "
    "trend_score FROM keyword_trends WHERE team = %s "
    "AND window_start >= (SELECT max(window_start) - interval '30 days' "
    "                     FROM keyword_trends WHERE team = %s) "
    "ORDER BY window_start, keyword LIMIT 5000"
)
_TEAM_METRICS = (
    "SELECT m.meeting_id, m.title, m.started_at, x.duration_s, x.words, x.wpm, "
    "x.speakers, x.speaker_balance, x.questions, x.decisions, x.action_items, "
    "x.action_items_per_hour, x.efficiency_score, x.computed_at "
    "FROM meeting_metrics x JOIN meetings m USING (team, meeting_id) WHERE m.team = %s "
    "ORDER BY m.started_at DESC LIMIT 50"
)
_EVENTS_SINCE = sql.SQL(
    "SELECT {} FROM events WHERE team = %s AND id > %s ORDER BY id LIMIT %s"
).format(_EVENT_COLUMNS)
_EVENTS_BY_ID = sql.SQL("SELECT {} FROM events WHERE id = ANY(%s) ORDER BY id").format(_EVENT_COLUMNS)
_LATEST_EVENT = "SELECT COALESCE(max(id), 0) AS id FROM events WHERE team = %s"

_TEAMS_OF_MEETING = "SELECT team FROM meetings WHERE meeting_id = %s ORDER BY team"
_REPORT_MEETING = (
    "SELECT meeting_id, team, title, status, started_at, ended_at FROM meetings "
    "WHERE team = %s AND meeting_id = %s"
)
_REPORT_MINUTES = (
    "SELECT kind, summary, decisions, action_items, status_updates, questions, keywords, "
    "writer, notes FROM meeting_minutes WHERE team = %s AND meeting_id = %s "
    "ORDER BY (kind = 'final') DESC, updated_at DESC LIMIT 1"
)
_REPORT_BORN = (
    "SELECT ticket_id, title, assignee, due_date, status FROM tickets "
    "WHERE team = %s AND meeting_id = %s "
    "ORDER BY source_start_ms NULLS LAST, created_at, ticket_id"
)
_REPORT_CHANGES = (
    "SELECT e.ticket_id, t.title, t.assignee, e.event, e.old_status, e.new_status, e.quote "
    "FROM ticket_events e JOIN tickets t ON t.ticket_id = e.ticket_id "
    "WHERE t.team = %s AND e.meeting_id = %s AND e.event <> 'created' "
    "ORDER BY e.quote_start_ms NULLS LAST, e.event_id"
)
_REPORT_KEYWORDS = (
    "SELECT keyword FROM meeting_keywords WHERE team = %s AND meeting_id = %s "
    "ORDER BY score DESC, keyword LIMIT %s"
)
_REPORT_LAST_MS = (
    "SELECT max(end_ms) AS end_ms FROM transcript_segments WHERE team = %s AND meeting_id = %s"
)

_PROGRESS = (
    "SELECT m.status, EXISTS (SELECT 1 FROM meeting_minutes n WHERE n.team = m.team "
    "AND n.meeting_id = m.meeting_id AND n.kind = 'final') AS has_final_minutes "
    "FROM meetings m WHERE m.team = %s AND m.meeting_id = %s"
)
_TRANSCRIPT = (
    "SELECT start_ms, coalesce(speaker, source) AS who, text FROM transcript_segments "
    "WHERE team = %s AND meeting_id = %s ORDER BY start_ms, source"
)
_MEETING_TICKETS = (
    "SELECT status, title, assignee, due_date FROM tickets WHERE team = %s AND meeting_id = %s "
    "ORDER BY created_at"
)

# The three searched tables, each ranked and cut to the limit under its own GIN index, then merged;
# snippets are made for the merged page only. Minutes: the final ones when they exist. The query
# is written out in each branch rather than taken from a CTE: PostgreSQL then folds it into a
# constant and estimates how many rows it matches, which decides the plan. A team's segments and
# minutes are found through its meetings' ids, so a common word's rows of other teams are never
# read from the heap.
_SEARCH = sql.SQL("""
WITH team_meetings AS MATERIALIZED (
    SELECT meeting_id, title, started_at FROM meetings WHERE team = %(team)s),
hits AS (
    (SELECT 'segment' AS kind, s.meeting_id, m.title, s.text AS body, s.start_ms,
            ts_rank_cd(s.search_vec, {q}) AS score, m.started_at AS at
     FROM transcript_segments s JOIN team_meetings m ON m.meeting_id = s.meeting_id
     WHERE s.team = %(team)s
       AND s.meeting_id = ANY (ARRAY(SELECT meeting_id FROM team_meetings))
       AND s.search_vec @@ {q}
     ORDER BY score DESC, at DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT 'minutes', n.meeting_id, m.title,
            vori_minutes_text(n.summary, n.decisions, n.action_items), NULL::bigint,
            ts_rank_cd(n.search_vec, {q}) AS score, m.started_at AS at
     FROM meeting_minutes n JOIN team_meetings m ON m.meeting_id = n.meeting_id
     WHERE n.team = %(team)s
       AND n.meeting_id = ANY (ARRAY(SELECT meeting_id FROM team_meetings))
       AND n.search_vec @@ {q}
       AND (n.kind = 'final' OR NOT EXISTS (SELECT 1 FROM meeting_minutes f
                                            WHERE f.team = n.team AND f.meeting_id = n.meeting_id
                                              AND f.kind = 'final'))
     ORDER BY score DESC, at DESC LIMIT %(limit)s)
    UNION ALL
    (SELECT 'ticket', t.meeting_id, t.title, vori_ticket_text(t.title, t.source_quote),
            t.source_start_ms, ts_rank_cd(t.search_vec, {q}) AS score, t.created_at AS at
     FROM tickets t
     WHERE t.team = %(team)s AND t.search_vec @@ {q}
     ORDER BY score DESC, at DESC LIMIT %(limit)s)
),
page AS (SELECT * FROM hits ORDER BY score DESC, at DESC, meeting_id, start_ms LIMIT %(limit)s)
SELECT kind, meeting_id, title,
       ts_headline('english', translate(body, E'\\x01\\x02', ''),
                   websearch_to_tsquery('english', %(en)s) || to_tsquery('simple', %(ko_hl)s),
                   %(hl_options)s) AS snippet,
       start_ms, round(score::numeric, 4)::float8 AS score
FROM page ORDER BY page.score DESC, page.at DESC, page.meeting_id, page.start_ms
""").format(q=sql.SQL(
    "(websearch_to_tsquery('english', %(en)s) && (plainto_tsquery('simple', %(ko)s)"
    " || plainto_tsquery('simple', %(ko_words)s)))"))
_HL_START, _HL_STOP = "\x01", "\x02"  # what ts_headline marks with; they cannot be in the text
_HL_OPTIONS = (f'StartSel="{_HL_START}", StopSel="{_HL_STOP}", MaxWords=35, MinWords=15, '
               'ShortWord=0')


@dataclass(frozen=True)
class SearchQuery:
    """A search query as the index sees it (``sql/0009_search.sql``).

    ``english``: the query without its Korean, for the english configuration (websearch syntax:
    quotes, ``or``, ``-word``). ``korean``: the Korean content morphemes, all of which must match
    (kiwipiepy: the same analysis the writers store in ``search_terms``), or else all of
    ``korean_words``, the Korean words as typed, which only a row not yet analysed still holds
    whole (its ``search_terms`` is NULL).
    """

    english: str
    korean: tuple[str, ...]
    korean_words: tuple[str, ...] = ()

    def params(self, team: str, limit: int) -> dict[str, object]:
        return {
            "team": team, "limit": limit, "en": self.english, "ko": " ".join(self.korean),
            "ko_words": " ".join(self.korean_words),
            # Highlight words that start with a morpheme: the text keeps its particles
            # ("마이그레이션을"), the english parser sees whole words.
            "ko_hl": " | ".join(f"{t}:*" for t in self.korean),
            "hl_options": _HL_OPTIONS,
        }


def search_query(text: str) -> SearchQuery:
    """Tokenise a search the way the writers tokenise text (loads kiwipiepy for Korean)."""
    return SearchQuery(HANGUL.sub(" ", text).strip(), tuple(korean_terms(text)),
                       tuple(HANGUL.findall(text)))


def _search_hits(rows: Rows) -> list[SearchHit]:
    for row in rows:
        # Escape everything the text holds, then turn the index's markers into <mark>.
        row["snippet"] = (html.escape(str(row["snippet"] or ""), quote=True)
                          .replace(_HL_START, "<mark>").replace(_HL_STOP, "</mark>"))
    return cast(list[SearchHit], rows)


Query = str | sql.Composed
Rows = list[dict[str, Any]]


def _report_parts(team: str, meeting_id: str, max_keywords: int
                  ) -> list[tuple[Query, tuple[object, ...]]]:
    """The report's queries after the meeting's own, in :func:`_report_rows`'s order."""
    return [
        (_REPORT_MINUTES, (team, meeting_id)),
        (_REPORT_BORN, (team, meeting_id)),
        (_REPORT_CHANGES, (team, meeting_id)),
        (_REPORT_KEYWORDS, (team, meeting_id, max_keywords)),
        (_METRICS, (team, meeting_id)),
        (_REPORT_LAST_MS, (team, meeting_id)),
    ]


def _report_rows(meeting: dict[str, Any], parts: Sequence[Rows]) -> ReportRows:
    minutes, born, changes, keywords, metrics, last = parts
    last_ms = last[0]["end_ms"] if last else None
    return ReportRows(
        meeting=cast(ReportMeetingRow, meeting),
        minutes=cast(ReportMinutesRow, minutes[0]) if minutes else None,
        born=cast(list[ReportTicketRow], born),
        changes=cast(list[TicketChangeRow], changes),
        keywords=[str(r["keyword"]) for r in keywords],
        metrics=cast(MetricsRow, metrics[0]) if metrics else None,
        last_end_ms=None if last_ms is None else int(last_ms),
    )


# -- the board process's store ----------------------------------------------------------------


class BoardStore:
    """The board's reads over one async pool, and its ``LISTEN`` connection.

    Create it, ``await open()``, and ``await close()`` at the end; the pool is autocommit, so a
    read sees what was committed when it ran.
    """

    def __init__(self, dsn: str, *, min_size: int = 1, max_size: int = 8,
                 timeout_s: float = 10.0) -> None:
        self._dsn = dsn
        self._pool = async_pool(dsn, min_size=min_size, max_size=max_size, timeout_s=timeout_s,
                                name="board")

    async def open(self, timeout_s: float = 30.0) -> None:
        """Open the pool and wait for its first connection; PostgresUnavailable if none comes."""
        with translated("cannot connect to PostgreSQL"):
            await self._pool.open(wait=True, timeout=timeout_s)

    async def close(self) -> None:
        await self._pool.close()

    async def _rows(self, query: Query, params: tuple[object, ...]) -> Rows:
        with translated("board read"):
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(query, params)
                return await cur.fetchall()

    async def meeting(self, team: str, meeting_id: str) -> MeetingRow | None:
        """The team's meeting; None when it does not exist or belongs to another team."""
        rows = await self._rows(_MEETING, (team, meeting_id))
        return cast(MeetingRow, rows[0]) if rows else None

    async def meetings(self, team: str, limit: int) -> list[MeetingListRow]:
        """The team's meetings, newest first."""
        return cast(list[MeetingListRow], await self._rows(_MEETINGS, (team, limit)))

    async def segments(self, team: str, meeting_id: str) -> list[SegmentRow]:
        """The team's meeting's transcript, in timeline order."""
        return cast(list[SegmentRow], await self._rows(_SEGMENTS, (team, meeting_id)))

    async def minutes(self, team: str, meeting_id: str) -> list[MinutesRow]:
        """The team's meeting's minutes: the final ones and the rolling ones, whichever exist."""
        return cast(list[MinutesRow], await self._rows(_MINUTES, (team, meeting_id)))

    async def tickets(self, team: str, meeting_id: str | None = None) -> list[TicketRow]:
        """The team's tickets (those born in ``meeting_id`` when given), oldest first."""
        rows = await self._rows(_TICKETS, (team, meeting_id, meeting_id))
        return cast(list[TicketRow], rows)

    async def metrics(self, team: str, meeting_id: str) -> MetricsRow | None:
        """The team's meeting's figures, once the analytics job has computed them."""
        rows = await self._rows(_METRICS, (team, meeting_id))
        return cast(MetricsRow, rows[0]) if rows else None

    async def analytics(self, team: str) -> AnalyticsRows:
        """The team's keyword trends of the last 30 days of data and its latest meetings' figures."""
        trends = await self._rows(_KEYWORD_TRENDS, (team, team))
        metrics = await self._rows(_TEAM_METRICS, (team,))
        return {"keyword_trends": cast(list[KeywordTrendRow], trends),
                "meeting_metrics": cast(list[MeetingMetricsRow], metrics)}

    async def report_rows(self, team: str, meeting_id: str, *, max_keywords: int
                          ) -> ReportRows | None:
        """What :mod:`apps.report` needs for the team's meeting, read in one transaction; None
        if the team has no such meeting."""
        with translated("cannot read the meeting from PostgreSQL"):
            async with (self._pool.connection() as conn, conn.transaction(),
                        conn.cursor(row_factory=dict_row) as cur):
                await cur.execute(_REPORT_MEETING, (team, meeting_id))
                meeting = await cur.fetchone()
                if meeting is None:
                    return None
                parts: list[Rows] = []
                for query, params in _report_parts(team, meeting_id, max_keywords):
                    await cur.execute(query, params)
                    parts.append(await cur.fetchall())
                return _report_rows(meeting, parts)

    async def search(self, team: str, text: str, limit: int) -> list[SearchHit]:
        """The team's segments, minutes and tickets matching ``text``, best first (see
        :data:`SearchHit`); [] when the query has no searchable word."""
        query = (await asyncio.to_thread(search_query, text)) if HANGUL.search(text) \
            else search_query(text)
        if not query.english and not query.korean:
            return []
        with translated("board search"):
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
                await cur.execute(_SEARCH, query.params(team, limit))
                return _search_hits(await cur.fetchall())

    # -- the live feed --------------------------------------------------------------------------

    async def latest_event_id(self, team: str) -> int:
        """The team's newest event id, 0 before its first event."""
        rows = await self._rows(_LATEST_EVENT, (team,))
        return int(rows[0]["id"]) if rows else 0

    async def events_since(self, team: str, since: int, limit: int = 5000) -> list[EventRow]:
        """The team's events with ``id > since``, oldest first (a reconnecting client's catch-up)."""
        return cast(list[EventRow], await self._rows(_EVENTS_SINCE, (team, since, limit)))

    async def events(self, ids: Sequence[int]) -> list[EventRow]:
        """The events with these ids (any team), by id."""
        return cast(list[EventRow], await self._rows(_EVENTS_BY_ID, (list(ids),)))

    @asynccontextmanager
    async def listen(self, channel: str = EVENTS_CHANNEL) -> AsyncIterator[AsyncIterator[str]]:
        """A dedicated connection listening on ``channel``; yields its notifications' payloads.

        The ``LISTEN`` is in place when the block starts. PostgreSQL delivers a notification only
        once the transaction that sent it commits. A lost connection raises PostgresUnavailable
        from the iterator; the caller decides whether to listen again.
        """
        with translated("board listener cannot connect to PostgreSQL"):
            conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True,
                                                         connect_timeout=10)
        try:
            with translated("board listener"):
                await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            yield _payloads(conn)
        finally:
            await conn.close()


async def _payloads(conn: AsyncConnection) -> AsyncIterator[str]:
    with translated("board listener"):
        async for note in conn.notifies():
            yield note.payload


# -- synchronous reads (command line) ---------------------------------------------------------


def meeting_teams(dsn: str, meeting_id: str) -> list[str]:
    """The teams that have a meeting of this id, sorted (the command line's, not a team's, view)."""
    with translated("cannot read the meeting from PostgreSQL"), connect(dsn) as conn:
        return [str(r[0]) for r in conn.execute(_TEAMS_OF_MEETING, (meeting_id,)).fetchall()]


def _team_of(cur: psycopg.Cursor[dict[str, Any]], meeting_id: str, team: str | None
             ) -> str | None:
    """``team``, else the one team with a meeting of this id (None: no team has one)."""
    if team is not None:
        return team
    teams = [str(r["team"]) for r in cur.execute(_TEAMS_OF_MEETING, (meeting_id,)).fetchall()]
    if len(teams) > 1:
        raise AmbiguousMeeting(meeting_id, teams)
    return teams[0] if teams else None


def load_report_rows(dsn: str, meeting_id: str, *, team: str | None = None, max_keywords: int
                     ) -> ReportRows | None:
    """What :mod:`apps.report` needs for the meeting, read in one transaction; None if absent.

    ``team`` None: the one team with a meeting of this id (:class:`AmbiguousMeeting` if several).
    """
    with translated("cannot read the meeting from PostgreSQL"), connect(dsn) as conn, \
            conn.cursor(row_factory=dict_row) as cur:
        owner = _team_of(cur, meeting_id, team)
        if owner is None:
            return None
        meeting = cur.execute(_REPORT_MEETING, (owner, meeting_id)).fetchone()
        if meeting is None:
            return None
        parts = [cur.execute(query, params).fetchall()
                 for query, params in _report_parts(owner, meeting_id, max_keywords)]
        return _report_rows(meeting, parts)


def meeting_progress(dsn: str, meeting_id: str, team: str | None = None) -> MeetingProgress | None:
    """The meeting's status and whether its final minutes are written; None if it is unknown."""
    with translated("cannot read the meeting from PostgreSQL"), connect(dsn) as conn, \
            conn.cursor(row_factory=dict_row) as cur:
        owner = _team_of(cur, meeting_id, team)
        row = None if owner is None else cur.execute(_PROGRESS, (owner, meeting_id)).fetchone()
    return cast(MeetingProgress, row) if row is not None else None


def transcript_lines(dsn: str, meeting_id: str, team: str | None = None) -> list[TranscriptLine]:
    """The meeting's transcript in timeline order, each line with its speaker (else its source)."""
    with translated("cannot read the meeting from PostgreSQL"), connect(dsn) as conn, \
            conn.cursor(row_factory=dict_row) as cur:
        owner = _team_of(cur, meeting_id, team)
        if owner is None:
            return []
        return cast(list[TranscriptLine], cur.execute(_TRANSCRIPT, (owner, meeting_id)).fetchall())


def meeting_tickets(dsn: str, meeting_id: str, team: str | None = None) -> list[TicketSummary]:
    """The tickets born in the meeting, oldest first."""
    with translated("cannot read the meeting from PostgreSQL"), connect(dsn) as conn, \
            conn.cursor(row_factory=dict_row) as cur:
        owner = _team_of(cur, meeting_id, team)
        if owner is None:
            return []
        return cast(list[TicketSummary],
                    cur.execute(_MEETING_TICKETS, (owner, meeting_id)).fetchall())


def search(dsn: str, team: str, text: str, limit: int = 20) -> list[SearchHit]:
    """:meth:`BoardStore.search` for the command line (one connection)."""
    query = search_query(text)
    if not query.english and not query.korean:
        return []
    with translated("cannot search in PostgreSQL"), connect(dsn) as conn, \
            conn.cursor(row_factory=dict_row) as cur:
        return _search_hits(cur.execute(_SEARCH, query.params(team, limit)).fetchall())
