"""Minutes into tickets across a team's meetings, against the real PostgreSQL."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from connectors.minutes_store import MinutesOut, write_minutes
from connectors.postgres import migrate
from domain.extraction import extract_minutes
from domain.minutes import Utterance

MEETING_DAY = dt.date(2026, 11, 23)  # a Monday


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    with psycopg.connect(pg_database_dsn) as conn:
        conn.execute(
            "INSERT INTO meetings (meeting_id, team, status) VALUES "
            "('plan-1', 'acme', 'closed'), ('standup-2', 'acme', 'closed'), ('other-1', 'globex', 'closed')"
        )
    return pg_database_dsn


def said(*lines: tuple[str, str]) -> list[Utterance]:
    return [Utterance(who, text, i * 4000, i * 4000 + 3000) for i, (who, text) in enumerate(lines)]


PLANNING = said(
    ("Alice", "Let's plan the week."),
    ("Bob", "I will finish the database migration by Friday."),
    ("Alice", "Carol, can you write the release notes by Thursday?"),
    ("Carol", "Sure."),
    ("Bob", "If we had time we could rewrite the whole backend someday."),
)
STANDUP = said(
    ("Bob", "I finished the database migration yesterday."),
    ("Carol", "I am still working on the release notes."),
    ("Bob", "I will finish the database migration soon, it is my top item."),
)


def write(dsn: str, meeting_id: str, utterances: list[Utterance], kind: str = "final") -> None:
    minutes = extract_minutes(utterances, MEETING_DAY)
    with psycopg.connect(dsn) as conn:
        write_minutes(conn, MinutesOut(meeting_id, kind, minutes, len(utterances)))


def tickets(dsn: str):
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT team, assignee, title, status, due_date, meeting_id FROM tickets ORDER BY assignee"
        ).fetchall()


def test_action_items_become_tickets_and_status_talk_moves_them(dsn):
    write(dsn, "plan-1", PLANNING)
    born = tickets(dsn)
    assert [(t[1], t[3], t[4]) for t in born] == [
        ("Bob", "todo", dt.date(2026, 11, 27)),
        ("Carol", "todo", dt.date(2026, 11, 26)),
    ]
    assert all(t[0] == "acme" and t[5] == "plan-1" for t in born)

    write(dsn, "standup-2", STANDUP)
    after = {t[1]: t for t in tickets(dsn)}
    assert len(after) == 2, "the migration said again is still one ticket"
    assert after["Bob"][3] == "done"
    assert after["Carol"][3] == "in_progress"
    with psycopg.connect(dsn) as conn:
        events = conn.execute(
            "SELECT event, old_status, new_status, meeting_id, quote FROM ticket_events "
            "WHERE event = 'status' ORDER BY new_status"
        ).fetchall()
    assert [(e[1], e[2], e[3]) for e in events] == [("todo", "done", "standup-2"), ("todo", "in_progress", "standup-2")]
    assert "finished the database migration" in events[0][4]


def test_replaying_minutes_changes_nothing(dsn):
    for _ in range(3):
        write(dsn, "plan-1", PLANNING)
        write(dsn, "standup-2", STANDUP)
    with psycopg.connect(dsn) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events), "
            "(SELECT count(*) FROM meeting_minutes)"
        ).fetchone()
    assert counts == (2, 4, 2)


def test_another_teams_status_talk_does_not_move_our_tickets(dsn):
    write(dsn, "plan-1", PLANNING)
    write(dsn, "other-1", STANDUP)
    assert {t[3] for t in tickets(dsn) if t[0] == "acme"} == {"todo"}


def test_empty_meeting_writes_empty_minutes_and_no_ticket(dsn):
    write(dsn, "plan-1", [])
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT summary, action_items FROM meeting_minutes").fetchone() == ("", [])
    assert tickets(dsn) == []
