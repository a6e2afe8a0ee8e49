"""Minutes and tickets in PostgreSQL: ``meeting_minutes``, and the one writer of ``tickets`` and
``ticket_events`` that the minutes sink, the board and anything later that changes tickets use.

Every write of the pipeline is an upsert or an insert guarded by a natural key, so a replayed
epoch changes nothing: minutes are keyed by (team, meeting, kind), tickets by a deterministic id
or by matching an existing ticket of the team, events by (ticket, meeting, event, quote time). A
meeting is (team, meeting_id): its minutes, its tickets and the speech they quote are the team's,
and a ticket's events name meetings of the ticket's team only.

Tickets follow three rules (docs/contract.md, "Tickets"):

- every change of a ticket has exactly one ``ticket_events`` row: who (``actor``), why (the
  ``quote`` heard, or the actor), and what (``changes``: old and new value per field);
- a status heard in speech is applied once, when its event is first recorded, and only as a
  transition from the status the ticket had when it was heard;
- a person's change is never undone by speech heard before it (a later minutes run, or a replay,
  re-reads old remarks: they are skipped).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from bytewax.outputs import DynamicSink
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from connectors.korean import search_terms
from connectors.postgres import Connection, RetryingPostgresPartition, sync_pool, translated
from connectors.tracker_store import enqueue_change
from domain.minutes import ActionItem, Minutes, StatusUpdate
from domain.tickets import (
    TICKET_STATUSES,
    TicketRef,
    find_matching_ticket,
    find_ticket_for_status,
    ticket_id_for,
    transition,
)

# What a person (the board, a tracker) may change on a ticket.
EDITABLE_FIELDS = ("status", "title", "assignee", "due_date")
TICKET_COLUMNS = sql.SQL(", ").join(
    sql.Identifier(c) for c in (
        "ticket_id", "team", "meeting_id", "title", "assignee", "due_date", "status",
        "source_quote", "source_start_ms", "created_at", "updated_at",
    )
)


@dataclass(frozen=True)
class MinutesOut:
    team: str
    meeting_id: str
    kind: str  # 'rolling' | 'final'
    minutes: Minutes
    segments_seen: int
    usage: dict[str, int] | None = None


_UPSERT_MINUTES = """
INSERT INTO meeting_minutes (team, meeting_id, kind, summary, decisions, action_items,
                             status_updates, questions, keywords, language, writer, notes, usage,
                             segments_seen, search_terms)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (team, meeting_id, kind) DO UPDATE SET
    summary = EXCLUDED.summary, decisions = EXCLUDED.decisions,
    action_items = EXCLUDED.action_items, status_updates = EXCLUDED.status_updates,
    questions = EXCLUDED.questions, keywords = EXCLUDED.keywords, language = EXCLUDED.language,
    writer = EXCLUDED.writer, notes = EXCLUDED.notes, usage = EXCLUDED.usage,
    segments_seen = EXCLUDED.segments_seen, search_terms = EXCLUDED.search_terms,
    updated_at = now()
WHERE meeting_minutes.segments_seen <= EXCLUDED.segments_seen
"""

_LOCK_TICKET = sql.SQL(
    "SELECT {} FROM tickets WHERE ticket_id = %s AND team = %s FOR UPDATE"
).format(TICKET_COLUMNS)

_INSERT_EVENT = """
INSERT INTO ticket_events (ticket_id, meeting_id, event, old_status, new_status, quote,
                           quote_start_ms, actor, changes)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (ticket_id, meeting_id, event, quote_start_ms) WHERE meeting_id IS NOT NULL DO NOTHING
RETURNING event_id
"""

# When speech was first heard: the transcription time of the segment the remark comes from.
_HEARD_AT = """
SELECT coalesce(min(created_at), now()) FROM transcript_segments
WHERE team = %s AND meeting_id = %s AND start_ms <= %s AND end_ms >= %s
"""

# A remark moves at most one ticket, once: if it already moved one of the team's tickets (even
# another one, should the routing change between runs), it is done. Another team's meeting of the
# same id is another meeting: its remarks are not this one's.
_REMARK_APPLIED = """
SELECT 1 FROM ticket_events e JOIN tickets t ON t.ticket_id = e.ticket_id
WHERE t.team = %s AND e.meeting_id = %s AND e.quote_start_ms = %s AND e.event = 'status'
  AND e.actor = 'pipeline' AND e.new_status = %s AND e.quote IS NOT DISTINCT FROM %s
LIMIT 1
"""

# A person's change that came after the remark was heard wins over it.
_PERSON_CHANGED_SINCE = """
SELECT 1 FROM ticket_events
WHERE ticket_id = %s AND actor IS DISTINCT FROM 'pipeline' AND at > %s
LIMIT 1
"""


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _record(
    cur: psycopg.Cursor[Any], ticket_id: str, event: str, *, actor: str, old_status: str | None,
    new_status: str | None, changes: Mapping[str, tuple[object, object]],
    meeting_id: str | None = None, quote: str | None = None, quote_start_ms: int | None = None,
) -> bool:
    """Insert the one event row of a change; False when a replay already recorded it.

    Every change passes here, so here it is also queued for the team's tracker, in the same
    transaction (connectors/tracker_store.py).
    """
    body = {k: {"old": _jsonable(old), "new": _jsonable(new)} for k, (old, new) in changes.items()}
    row = cur.execute(
        _INSERT_EVENT,
        (ticket_id, meeting_id, event, old_status, new_status, quote, quote_start_ms, actor,
         Jsonb(body)),
    ).fetchone()
    if row is None:
        return False
    event_id = row["event_id"] if isinstance(row, dict) else row[0]  # callers' row factories differ
    enqueue_change(cur, ticket_id=ticket_id, event_id=int(event_id), event=event, actor=actor,
                   fields=changes)
    return True


def change_ticket(
    conn: Connection, *, team: str, ticket_id: str, changes: Mapping[str, object], actor: str,
    quote: str | None = None,
) -> dict[str, Any] | None:
    """Change fields of a team's ticket as ``actor`` (a person or a tracker), in one transaction.

    The row is locked while it changes, so a minutes run that wants to move the same ticket waits
    and then sees this change. Only fields that really change are written, and they get exactly
    one ``ticket_events`` row (``status`` when the status moved, else ``edited``); sending what is
    already there records nothing. Returns the ticket as it is now, or None if the team has no
    such ticket. Unknown fields or statuses raise ``ValueError``.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"tickets have no editable field {', '.join(sorted(unknown))}")
    if "status" in changes and changes["status"] not in TICKET_STATUSES:
        raise ValueError(f"unknown ticket status {changes['status']!r}")
    with translated("changing a ticket"), conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        old = cur.execute(_LOCK_TICKET, (ticket_id, team)).fetchone()
        if old is None:
            return None
        changed = {k: v for k, v in changes.items() if old[k] != v}
        if not changed:
            return old
        columns = dict(changed)
        if "title" in changed:  # the search index's morphemes follow the text
            columns["search_terms"] = search_terms(f"{changed['title']}\n{old['source_quote'] or ''}")
        assignments = sql.SQL(", ").join(
            sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in columns
        )
        new = cur.execute(
            sql.SQL("UPDATE tickets SET {}, updated_at = now() WHERE ticket_id = %(ticket_id)s "
                    "RETURNING {}").format(assignments, TICKET_COLUMNS),
            {**columns, "ticket_id": ticket_id},
        ).fetchone()
        assert new is not None  # the row is locked: it cannot have gone
        _record(
            cur, ticket_id, "status" if "status" in changed else "edited", actor=actor,
            old_status=old["status"], new_status=new["status"],
            changes={k: (old[k], v) for k, v in changed.items()}, quote=quote,
        )
        return new


def _create_heard_ticket(
    cur: psycopg.Cursor[Any], team: str, meeting_id: str, item: ActionItem, now: datetime
) -> TicketRef:
    tid = ticket_id_for(team, item.assignee, item.task)
    born = cur.execute(
        "INSERT INTO tickets (ticket_id, team, meeting_id, title, assignee, due_date, status, "
        "source_quote, source_start_ms, created_at, updated_at, search_terms) "
        "VALUES (%s, %s, %s, %s, %s, %s, 'todo', %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING "
        "RETURNING ticket_id",
        (tid, team, meeting_id, item.task, item.assignee, item.due_date, item.quote,
         item.start_ms, now, now, search_terms(f"{item.task}\n{item.quote or ''}")),
    ).fetchone()
    if born is not None:
        _record(
            cur, tid, "created", actor="pipeline", old_status=None, new_status="todo",
            changes={"status": (None, "todo"), "title": (None, item.task),
                     "assignee": (None, item.assignee), "due_date": (None, item.due_date)},
            meeting_id=meeting_id, quote=item.quote, quote_start_ms=item.start_ms,
        )
    return TicketRef(tid, item.task, item.assignee, "todo")


def _apply_heard_status(
    cur: psycopg.Cursor[Any], team: str, meeting_id: str, ticket_id: str, update: StatusUpdate
) -> str | None:
    """Move a ticket as status talk says, once; the ticket's status afterwards (None: untouched).

    Applied only when the remark is first recorded, only as a transition from the status the
    ticket has when it is heard, and never over a person's change made after it was heard.
    """
    if cur.execute(
        _REMARK_APPLIED, (team, meeting_id, update.start_ms, update.status, update.quote)
    ).fetchone():
        return None
    row = cur.execute(
        "SELECT status FROM tickets WHERE ticket_id = %s AND team = %s FOR UPDATE", (ticket_id, team)
    ).fetchone()
    if row is None or not transition(str(row[0]), update.status):
        return None
    heard_row = cur.execute(
        _HEARD_AT, (team, meeting_id, update.start_ms, update.start_ms)
    ).fetchone()
    heard_at = heard_row[0] if heard_row else None
    if heard_at is not None and cur.execute(_PERSON_CHANGED_SINCE, (ticket_id, heard_at)).fetchone():
        return None
    old = str(row[0])
    if not _record(
        cur, ticket_id, "status", actor="pipeline", old_status=old, new_status=update.status,
        changes={"status": (old, update.status)}, meeting_id=meeting_id, quote=update.quote,
        quote_start_ms=update.start_ms,
    ):
        return None
    cur.execute(
        "UPDATE tickets SET status = %s, updated_at = now() WHERE ticket_id = %s AND status = %s",
        (update.status, ticket_id, old),
    )
    return update.status


def _minutes_terms(minutes: Minutes) -> str:
    # The text sql/0009_search.sql's vori_minutes_text indexes: summary, decisions, tasks.
    return search_terms("\n".join([minutes.summary, *(d.text for d in minutes.decisions),
                                    *(a.task for a in minutes.action_items)]))


def _tickets_heard_in(cur: psycopg.Cursor[Any], team: str, meeting_id: str) -> dict[int, list[TicketRef]]:
    """The tickets a meeting's speech made, by where the item was heard."""
    out: dict[int, list[TicketRef]] = {}
    for r in cur.execute(
        "SELECT ticket_id, title, assignee, status, source_start_ms FROM tickets "
        "WHERE team = %s AND meeting_id = %s AND source_start_ms IS NOT NULL ORDER BY ticket_id",
        (team, meeting_id),
    ).fetchall():
        out.setdefault(int(r[4]), []).append(TicketRef(str(r[0]), str(r[1]), r[2], str(r[3])))
    return out


def _same_item(item: ActionItem, heard: list[TicketRef]) -> TicketRef | None:
    """The ticket made from this item (heard at the same moment, the same task) whoever owns it."""
    if item.assignee is None:
        return None
    return next((t for t in heard if find_matching_ticket(replace(item, assignee=t.assignee), [t])), None)


def _follow_owner(
    conn: Connection, cur: psycopg.Cursor[Any], team: str, ticket: TicketRef, item: ActionItem
) -> str | None:
    """The ticket's owner after the pipeline's owner for it changed: the item's, through
    :func:`change_ticket` (one ``ticket_events`` row), unless a person ever changed the ticket."""
    if cur.execute(
        "SELECT 1 FROM ticket_events WHERE ticket_id = %s AND actor IS DISTINCT FROM 'pipeline' LIMIT 1",
        (ticket.ticket_id,),
    ).fetchone():
        return ticket.assignee
    new = change_ticket(conn, team=team, ticket_id=ticket.ticket_id, changes={"assignee": item.assignee},
                        actor="pipeline", quote=item.quote)
    return ticket.assignee if new is None else new["assignee"]


def write_minutes(conn: Connection, out: MinutesOut) -> None:
    body = out.minutes.to_json()
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            _UPSERT_MINUTES,
            (
                out.team, out.meeting_id, out.kind, body["summary"], json.dumps(body["decisions"]),
                json.dumps(body["action_items"]), json.dumps(body["status_updates"]),
                json.dumps(body["questions"]), json.dumps(body["keywords"]), body["language"],
                body["writer"], json.dumps(body["notes"]),
                None if out.usage is None else json.dumps(out.usage), out.segments_seen,
                _minutes_terms(out.minutes),
            ),
        )
        team = out.team
        # One minutes writer per team at a time: two workers must not both create the same task.
        # A person's change on the board does not take this lock; it locks the ticket's row, as
        # a status move here does.
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (team,))
        rows = cur.execute(
            "SELECT ticket_id, title, assignee, status FROM tickets WHERE team = %s", (team,)
        ).fetchall()
        refs = [TicketRef(str(r[0]), str(r[1]), r[2], str(r[3])) for r in rows]
        now = datetime.now(UTC)
        heard = _tickets_heard_in(cur, team, out.meeting_id)
        for item in out.minutes.action_items:
            if find_matching_ticket(item, refs) is not None:
                continue  # the same task said again stays one ticket
            same = _same_item(item, heard.get(item.start_ms, []))
            if same is not None:
                # The item this meeting made a ticket of, with another owner now (its speaker was
                # named, or clustered again at close): the owner follows, unless a person set it.
                moved = _follow_owner(conn, cur, team, same, item)
                refs = [replace(r, assignee=moved) if r.ticket_id == same.ticket_id else r for r in refs]
                continue
            refs.append(_create_heard_ticket(cur, team, out.meeting_id, item, now))
        for update in out.minutes.status_updates:
            ticket = find_ticket_for_status(update, refs)
            if ticket is None:
                continue
            moved = _apply_heard_status(cur, team, out.meeting_id, ticket.ticket_id, update)
            if moved is not None:
                refs = [replace(r, status=moved) if r.ticket_id == ticket.ticket_id else r for r in refs]


class TicketWriter:
    """:func:`change_ticket` over a small pool of checked connections, for processes that are not
    a flow (the board). Blocking: call it from a worker thread in async code."""

    def __init__(self, dsn: str, *, pool_size: int = 2) -> None:
        self._pool = sync_pool(dsn, min_size=1, max_size=pool_size, name="ticket-writer")

    def open(self) -> None:
        with translated("opening the ticket writer"):
            self._pool.open(wait=True, timeout=30)

    def close(self) -> None:
        self._pool.close()

    def change(
        self, *, team: str, ticket_id: str, changes: Mapping[str, object], actor: str,
        quote: str | None = None,
    ) -> dict[str, Any] | None:
        with translated("changing a ticket"), self._pool.connection() as conn:
            return change_ticket(conn, team=team, ticket_id=ticket_id, changes=changes, actor=actor,
                                 quote=quote)


def write_all_minutes(conn: Connection, items: list[MinutesOut]) -> None:
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
