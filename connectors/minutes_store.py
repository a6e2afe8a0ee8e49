"""PostgreSQL writes of the minutes branch: ``meeting_minutes``, ``tickets``, ``ticket_events``.

Every write is an upsert or an insert guarded by a natural key, so a replayed epoch changes
nothing: minutes are keyed by (meeting, kind), tickets by a deterministic id or by matching an
existing ticket of the team, events by (ticket, meeting, event, quote time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from bytewax.outputs import DynamicSink

from connectors.postgres import RetryingPostgresPartition
from domain.minutes import Minutes
from domain.tickets import TicketRef, find_matching_ticket, find_ticket_for_status, ticket_id_for, transition


@dataclass(frozen=True)
class MinutesOut:
    meeting_id: str
    kind: str  # 'rolling' | 'final'
    minutes: Minutes
    segments_seen: int
    usage: dict[str, int] | None = None


_UPSERT_MINUTES = """
INSERT INTO meeting_minutes (meeting_id, kind, summary, decisions, action_items, status_updates,
                             questions, keywords, language, writer, notes, usage, segments_seen)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (meeting_id, kind) DO UPDATE SET
    summary = EXCLUDED.summary, decisions = EXCLUDED.decisions,
    action_items = EXCLUDED.action_items, status_updates = EXCLUDED.status_updates,
    questions = EXCLUDED.questions, keywords = EXCLUDED.keywords, language = EXCLUDED.language,
    writer = EXCLUDED.writer, notes = EXCLUDED.notes, usage = EXCLUDED.usage,
    segments_seen = EXCLUDED.segments_seen, updated_at = now()
WHERE meeting_minutes.segments_seen <= EXCLUDED.segments_seen
"""

_EVENT = """
INSERT INTO ticket_events (ticket_id, meeting_id, event, old_status, new_status, quote,
                           quote_start_ms, actor)
VALUES (%s, %s, %s, %s, %s, %s, %s, 'pipeline')
ON CONFLICT (ticket_id, meeting_id, event, quote_start_ms) WHERE meeting_id IS NOT NULL DO NOTHING
"""


def write_minutes(conn: psycopg.Connection[Any], out: MinutesOut) -> None:
    body = out.minutes.to_json()
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            _UPSERT_MINUTES,
            (
                out.meeting_id, out.kind, body["summary"], json.dumps(body["decisions"]),
                json.dumps(body["action_items"]), json.dumps(body["status_updates"]),
                json.dumps(body["questions"]), json.dumps(body["keywords"]), body["language"],
                body["writer"], json.dumps(body["notes"]),
                None if out.usage is None else json.dumps(out.usage), out.segments_seen,
            ),
        )
        row = cur.execute("SELECT team FROM meetings WHERE meeting_id = %s", (out.meeting_id,)).fetchone()
        team = str(row[0]) if row else "unassigned"
        # One writer per team at a time: two workers must not both create the same task.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (team,))
        rows = cur.execute(
            "SELECT ticket_id, title, assignee, status FROM tickets WHERE team = %s", (team,)
        ).fetchall()
        refs = [TicketRef(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]
        now = datetime.now(UTC)
        for item in out.minutes.action_items:
            if find_matching_ticket(item, refs) is not None:
                continue  # the same task said again stays one ticket
            tid = ticket_id_for(team, item.assignee, item.task)
            cur.execute(
                "INSERT INTO tickets (ticket_id, team, meeting_id, title, assignee, due_date, status, "
                "source_quote, source_start_ms, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, 'todo', %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (tid, team, out.meeting_id, item.task, item.assignee, item.due_date, item.quote,
                 item.start_ms, now, now),
            )
            cur.execute(_EVENT, (tid, out.meeting_id, "created", None, "todo", item.quote, item.start_ms))
            refs.append(TicketRef(tid, item.task, item.assignee, "todo"))
        for update in out.minutes.status_updates:
            ticket = find_ticket_for_status(update, refs)
            if ticket is None or not transition(ticket.status, update.status):
                continue
            cur.execute(
                "UPDATE tickets SET status = %s, updated_at = now() WHERE ticket_id = %s",
                (update.status, ticket.ticket_id),
            )
            cur.execute(
                _EVENT,
                (ticket.ticket_id, out.meeting_id, "status", ticket.status, update.status,
                 update.quote, update.start_ms),
            )
            refs = [
                TicketRef(r.ticket_id, r.title, r.assignee, update.status)
                if r.ticket_id == ticket.ticket_id else r
                for r in refs
            ]


def write_all_minutes(conn: psycopg.Connection[Any], items: list[MinutesOut]) -> None:
    for item in items:
        write_minutes(conn, item)


class PostgresMinutesSink(DynamicSink[MinutesOut]):
    """Upserts minutes and turns their action items and status talk into tickets and events.

    Delivery: at-least-once; replays are harmless (see the module docstring). A failing batch is
    retried with backoff, then the error stops the flow rather than dropping minutes.
    """

    def __init__(self, dsn: str):
        self._dsn = dsn

    def build(
        self, step_id: str, worker_index: int, worker_count: int
    ) -> RetryingPostgresPartition[MinutesOut]:
        return RetryingPostgresPartition(self._dsn, write_all_minutes, "writing minutes and tickets")
