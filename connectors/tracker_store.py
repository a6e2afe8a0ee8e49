"""Tracker sync in PostgreSQL: teams' connections, the transactional outbox of ticket changes,
the one external issue of each ticket, proposal-mode approvals and webhook delivery ids.

The outbox row of a change is written by :func:`enqueue_change`, which the one ticket writer
(``connectors/minutes_store.py``) calls in the transaction of the change itself: a change is
committed with its row or not at all. A change made by the tracker (actor ``tracker``) gets no
row, so nothing comes back to the side it came from. The worker (``apps/tracker_worker.py``)
takes rows with :meth:`TrackerStore.claim`: the oldest due row of a ticket and every later
pending row of it, merged into one push of the ticket as it is now; rows of one ticket are
delivered in order, and two workers never take the same ticket at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from connectors.postgres import sync_pool, translated
from connectors.trackers.base import Connection, ExternalIssue, TicketSnapshot

# What is pushed; a change of anything else (none today) is not.
SYNCED_FIELDS = ("title", "assignee", "due_date", "status")
TRACKER_ACTOR = "tracker"

# No row unless the team has a connection; held in proposal mode until a person approves.
_ENQUEUE = """
INSERT INTO tracker_outbox (team, ticket_id, event_id, op, fields, held)
SELECT c.team, t.ticket_id, %(event_id)s, %(op)s, %(fields)s,
       c.proposal
       AND NOT EXISTS (SELECT 1 FROM tracker_links l WHERE l.ticket_id = t.ticket_id)
       AND NOT EXISTS (SELECT 1 FROM tracker_approvals a WHERE a.ticket_id = t.ticket_id)
FROM tickets t JOIN tracker_connections c ON c.team = t.team
WHERE t.ticket_id = %(ticket_id)s
"""

_CONNECTION_NAMES = ("team", "kind", "config", "token_env", "webhook_secret_env", "assignee_map", "proposal")
_CONNECTION_COLUMNS = sql.SQL(", ").join(sql.Identifier(c) for c in _CONNECTION_NAMES)

# The oldest due row whose ticket has no earlier pending row (held ones included: a held create
# holds its ticket's later changes too).
_CLAIM = sql.SQL("""
SELECT o.outbox_id, o.ticket_id, o.attempts, {columns}
FROM tracker_outbox o JOIN tracker_connections c ON c.team = o.team
WHERE o.delivered_at IS NULL AND o.failed_at IS NULL AND NOT o.held AND o.next_attempt_at <= now()
  AND NOT EXISTS (SELECT 1 FROM tracker_outbox p
                  WHERE p.ticket_id = o.ticket_id AND p.outbox_id < o.outbox_id
                    AND p.delivered_at IS NULL AND p.failed_at IS NULL)
ORDER BY o.next_attempt_at, o.outbox_id
LIMIT 1
FOR UPDATE OF o SKIP LOCKED
""").format(columns=sql.SQL(", ").join(sql.Identifier("c", c) for c in _CONNECTION_NAMES))

_MERGE = """
SELECT outbox_id, op, fields FROM tracker_outbox
WHERE ticket_id = %s AND outbox_id >= %s AND delivered_at IS NULL AND failed_at IS NULL AND NOT held
ORDER BY outbox_id FOR UPDATE
"""

_TICKET = """
SELECT ticket_id, title, assignee, due_date, status, source_quote,
       extract(epoch FROM created_at)::float8 AS created_epoch
FROM tickets WHERE ticket_id = %s
"""


def enqueue_change(
    cur: psycopg.Cursor[Any], *, ticket_id: str, event_id: int, event: str, actor: str | None,
    fields: Iterable[str],
) -> None:
    """Queue a ticket change for the team's tracker, in the caller's transaction.

    Nothing is queued for a change the tracker itself made, for a team with no connection, or
    for a change of no synced field.
    """
    synced = sorted(set(fields) & set(SYNCED_FIELDS))
    if actor == TRACKER_ACTOR or not synced:
        return
    cur.execute(_ENQUEUE, {"event_id": event_id, "op": "create" if event == "created" else "update",
                           "fields": Jsonb(synced), "ticket_id": ticket_id})


def _connection(row: dict[str, Any]) -> Connection:
    return Connection(
        team=row["team"], kind=row["kind"], config=dict(row["config"]), token_env=row["token_env"],
        webhook_secret_env=row["webhook_secret_env"], assignee_map=dict(row["assignee_map"] or {}),
        proposal=bool(row["proposal"]),
    )


# The team roster's logins on this tracker (sql/0010_roster.sql), by name and by alias.
_ROSTER_LOGINS = """
SELECT name, aliases, tracker_usernames ->> %(kind)s AS login FROM team_members
WHERE team = %(team)s AND tracker_usernames ? %(kind)s
"""


def _with_roster(cur: psycopg.Cursor[dict[str, Any]], connection: Connection) -> Connection:
    """Owners map through the team roster's tracker usernames (`vori team member add --tracker
    KIND=LOGIN`); the connection's own ``--assignee-map`` entries win over them."""
    logins: dict[str, str] = {}
    for row in cur.execute(_ROSTER_LOGINS, {"kind": connection.kind, "team": connection.team}).fetchall():
        for name in (row["name"], *(row["aliases"] or ())):
            logins[str(name)] = str(row["login"])
    if not logins:
        return connection
    return replace(connection, assignee_map={**logins, **connection.assignee_map})


@dataclass
class Job:
    """One claimed push: the ticket as it is now, its link, and the merged changed fields.

    The worker calls exactly one of :meth:`done`, :meth:`retry`, :meth:`fail`; the outcome is
    written when the claim's block ends. If the block raises (the worker dies), nothing is
    written and the rows are claimed again later.
    """

    connection: Connection
    ticket: TicketSnapshot
    ticket_created_epoch: float
    link: ExternalIssue | None
    fields: set[str]
    outbox_ids: list[int]
    attempts: int
    outcome: tuple[str, Any] | None = field(default=None)

    def done(self, created: ExternalIssue | None = None) -> None:
        self.outcome = ("done", created)

    def retry(self, error: str, delay_s: float) -> None:
        self.outcome = ("retry", (error, delay_s))

    def fail(self, error: str) -> None:
        self.outcome = ("fail", error)


class TrackerStore:
    """Connections, outbox, links and approvals over a small pool. Blocking: call it from a
    worker thread in async code."""

    def __init__(self, dsn: str, *, pool_size: int = 2) -> None:
        self._pool = sync_pool(dsn, min_size=1, max_size=pool_size, name="tracker-store")

    def open(self) -> None:
        with translated("opening the tracker store"):
            self._pool.open(wait=True, timeout=30)

    def close(self) -> None:
        self._pool.close()

    def __enter__(self) -> TrackerStore:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- connections --------------------------------------------------------------------
    def save_connection(self, connection: Connection) -> None:
        """Create or replace the team's connection."""
        with translated("saving a tracker connection"), self._pool.connection() as conn:
            conn.execute(
                sql.SQL(
                    "INSERT INTO tracker_connections ({}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (team) DO UPDATE SET "
                    "kind = EXCLUDED.kind, config = EXCLUDED.config, token_env = EXCLUDED.token_env, "
                    "webhook_secret_env = EXCLUDED.webhook_secret_env, "
                    "assignee_map = EXCLUDED.assignee_map, proposal = EXCLUDED.proposal, "
                    "updated_at = now()"
                ).format(_CONNECTION_COLUMNS),
                (connection.team, connection.kind, Jsonb(dict(connection.config)), connection.token_env,
                 connection.webhook_secret_env, Jsonb(dict(connection.assignee_map)), connection.proposal),
            )

    def connections(self) -> list[Connection]:
        with translated("listing tracker connections"), self._pool.connection() as conn, \
                conn.cursor(row_factory=dict_row) as cur:
            rows = cur.execute(
                sql.SQL("SELECT {} FROM tracker_connections ORDER BY team").format(_CONNECTION_COLUMNS)
            ).fetchall()
            return [_with_roster(cur, _connection(r)) for r in rows]

    def connection(self, team: str) -> Connection | None:
        with translated("reading a tracker connection"), self._pool.connection() as conn, \
                conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                sql.SQL("SELECT {} FROM tracker_connections WHERE team = %s").format(_CONNECTION_COLUMNS),
                (team,),
            ).fetchone()
            return None if row is None else _with_roster(cur, _connection(row))

    def disconnect(self, team: str) -> bool:
        """Remove the team's connection and its undelivered rows; links stay for the record."""
        with translated("removing a tracker connection"), self._pool.connection() as conn, \
                conn.transaction():
            conn.execute("DELETE FROM tracker_outbox WHERE team = %s AND delivered_at IS NULL", (team,))
            gone = conn.execute("DELETE FROM tracker_connections WHERE team = %s", (team,)).rowcount
        return gone > 0

    def set_proposal(self, team: str, on: bool) -> bool:
        """Turn proposal mode on or off; off releases every held row of the team."""
        with translated("changing proposal mode"), self._pool.connection() as conn, conn.transaction():
            found = conn.execute(
                "UPDATE tracker_connections SET proposal = %s, updated_at = now() WHERE team = %s",
                (on, team),
            ).rowcount
            if found and not on:
                conn.execute("UPDATE tracker_outbox SET held = false, next_attempt_at = now() "
                             "WHERE team = %s AND held", (team,))
        return found > 0

    # ---- proposal mode --------------------------------------------------------------------
    def approve(self, team: str, ticket_id: str, approved_by: str) -> bool:
        """A person approves a ticket for the tracker; False if the team has no such ticket."""
        with translated("approving a ticket"), self._pool.connection() as conn, conn.transaction():
            if conn.execute("SELECT 1 FROM tickets WHERE ticket_id = %s AND team = %s",
                            (ticket_id, team)).fetchone() is None:
                return False
            conn.execute("INSERT INTO tracker_approvals (ticket_id, approved_by) VALUES (%s, %s) "
                         "ON CONFLICT (ticket_id) DO NOTHING", (ticket_id, approved_by))
            conn.execute("UPDATE tracker_outbox SET held = false, next_attempt_at = now() "
                         "WHERE ticket_id = %s AND held", (ticket_id,))
        return True

    def proposed(self, team: str) -> list[str]:
        """Tickets of the team waiting for approval before they are pushed."""
        with translated("listing proposed tickets"), self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT ticket_id FROM tracker_outbox WHERE team = %s AND held "
                "AND delivered_at IS NULL AND failed_at IS NULL ORDER BY ticket_id", (team,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    # ---- links and webhooks ---------------------------------------------------------------
    def links(self, team: str) -> dict[str, dict[str, str]]:
        """Each linked ticket's external issue: ``{ticket_id: {kind, key, url}}``."""
        with translated("listing tracker links"), self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT ticket_id, kind, external_key, url FROM tracker_links WHERE team = %s", (team,)
            ).fetchall()
        return {str(r[0]): {"kind": str(r[1]), "key": str(r[2]), "url": str(r[3])} for r in rows}

    def ticket_for_issue(self, team: str, kind: str, external_id: str) -> tuple[str, str] | None:
        """(ticket id, status) of the ticket linked to an external issue."""
        with translated("finding a linked ticket"), self._pool.connection() as conn:
            row = conn.execute(
                "SELECT t.ticket_id, t.status FROM tracker_links l JOIN tickets t USING (ticket_id) "
                "WHERE l.team = %s AND l.kind = %s AND l.external_id = %s", (team, kind, external_id)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def remember_delivery(self, kind: str, team: str, delivery_id: str) -> bool:
        """Record a webhook delivery; False if it was seen before (a replay)."""
        with translated("recording a webhook delivery"), self._pool.connection() as conn:
            return conn.execute(
                "INSERT INTO tracker_deliveries (kind, team, delivery_id) VALUES (%s, %s, %s) "
                "ON CONFLICT DO NOTHING", (kind, team, delivery_id[:200])
            ).rowcount == 1

    def outbox(self, team: str) -> list[dict[str, Any]]:
        """The team's outbox rows, oldest first (for `vori tracker list --outbox` and tests)."""
        with translated("reading the outbox"), self._pool.connection() as conn, \
                conn.cursor(row_factory=dict_row) as cur:
            return cur.execute(
                "SELECT outbox_id, ticket_id, op, fields, held, attempts, last_error, "
                "delivered_at, failed_at FROM tracker_outbox WHERE team = %s ORDER BY outbox_id", (team,)
            ).fetchall()

    # ---- the worker's side ----------------------------------------------------------------
    @contextlib.contextmanager
    def claim(self) -> Iterator[Job | None]:
        """Lock the next due push (None when there is none) until the block ends; then write
        the outcome the block set on the job, in the same transaction."""
        with translated("claiming an outbox row"), self._pool.connection() as conn, \
                conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            head = cur.execute(_CLAIM).fetchone()
            if head is None:
                yield None
                return
            rows = cur.execute(_MERGE, (head["ticket_id"], head["outbox_id"])).fetchall()
            t = cur.execute(_TICKET, (head["ticket_id"],)).fetchone()
            assert t is not None  # tickets are never deleted
            connection = _with_roster(cur, _connection(head))
            link_row = cur.execute(
                "SELECT external_id, external_key, url FROM tracker_links WHERE ticket_id = %s AND kind = %s",
                (head["ticket_id"], connection.kind),
            ).fetchone()
            fields: set[str] = set()
            for r in rows:
                fields |= set(r["fields"])
            job = Job(
                connection=connection,
                ticket=TicketSnapshot(t["ticket_id"], t["title"], t["assignee"], t["due_date"],
                                      t["status"], t["source_quote"]),
                ticket_created_epoch=float(t["created_epoch"]),
                link=None if link_row is None else ExternalIssue(
                    link_row["external_id"], link_row["external_key"], link_row["url"]),
                fields=fields,
                outbox_ids=[int(r["outbox_id"]) for r in rows],
                attempts=int(head["attempts"]),
            )
            yield job
            self._settle(cur, job, int(head["outbox_id"]))

    @staticmethod
    def _settle(cur: psycopg.Cursor[Any], job: Job, head_id: int) -> None:
        if job.outcome is None:
            return
        kind, value = job.outcome
        if kind == "done":
            if value is not None:
                issue: ExternalIssue = value
                cur.execute(
                    "INSERT INTO tracker_links (ticket_id, team, kind, external_id, external_key, url) "
                    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (ticket_id) DO UPDATE SET "
                    "kind = EXCLUDED.kind, external_id = EXCLUDED.external_id, "
                    "external_key = EXCLUDED.external_key, url = EXCLUDED.url",
                    (job.ticket.ticket_id, job.connection.team, job.connection.kind, issue.external_id,
                     issue.external_key, issue.url),
                )
            cur.execute("UPDATE tracker_outbox SET delivered_at = now(), last_error = NULL "
                        "WHERE outbox_id = ANY(%s)", (job.outbox_ids,))
        elif kind == "retry":
            error, delay_s = value
            cur.execute(
                "UPDATE tracker_outbox SET attempts = attempts + 1, last_error = %s, "
                "next_attempt_at = now() + make_interval(secs => %s) WHERE outbox_id = %s",
                (error[:1000], float(delay_s), head_id),
            )
        else:
            cur.execute("UPDATE tracker_outbox SET attempts = attempts + 1, last_error = %s, "
                        "failed_at = now() WHERE outbox_id = %s", (str(value)[:1000], head_id))
