"""Minutes into tickets across a team's meetings, against the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import time

import psycopg
import pytest

from connectors.minutes_store import MinutesOut, change_ticket, write_minutes
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


TEAM_OF = {"plan-1": "acme", "standup-2": "acme", "other-1": "globex"}


def write(dsn: str, meeting_id: str, utterances: list[Utterance], kind: str = "final",
          team: str | None = None) -> None:
    minutes = extract_minutes(utterances, MEETING_DAY)
    with psycopg.connect(dsn) as conn:
        write_minutes(conn, MinutesOut(team or TEAM_OF[meeting_id], meeting_id, kind, minutes,
                                       len(utterances)))


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


def test_another_teams_meeting_of_the_same_id_is_not_ours(dsn):
    # globex has a "plan-1" too: its minutes, tickets and status talk stay globex's.
    with psycopg.connect(dsn) as conn:
        conn.execute("INSERT INTO meetings (meeting_id, team, status) VALUES ('plan-1', 'globex', 'closed')")
    write(dsn, "plan-1", PLANNING)
    write(dsn, "plan-1", STANDUP[:1], team="globex")
    write(dsn, "plan-1", PLANNING, kind="rolling", team="globex")
    with psycopg.connect(dsn) as conn:
        minutes = conn.execute(
            "SELECT team, kind, segments_seen FROM meeting_minutes ORDER BY team, kind").fetchall()
    assert minutes == [("acme", "final", 5), ("globex", "final", 1), ("globex", "rolling", 5)]
    assert {(t[0], t[1], t[3]) for t in tickets(dsn)} == {
        ("acme", "Bob", "todo"), ("acme", "Carol", "todo"),
        ("globex", "Bob", "todo"), ("globex", "Carol", "todo"),
    }


def test_empty_meeting_writes_empty_minutes_and_no_ticket(dsn):
    write(dsn, "plan-1", [])
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT summary, action_items FROM meeting_minutes").fetchone() == ("", [])
    assert tickets(dsn) == []


# --- the one ticket writer: a person's change is never undone by the pipeline -------------------


def ticket_of(dsn: str, assignee: str) -> tuple[str, str]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT ticket_id, status FROM tickets WHERE assignee = %s", (assignee,)).fetchone()
    assert row is not None
    return str(row[0]), str(row[1])


def events_of(dsn: str, ticket_id: str) -> list[tuple[str, str | None, str | None, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT event, old_status, new_status, actor FROM ticket_events WHERE ticket_id = %s "
            "ORDER BY event_id",
            (ticket_id,),
        ).fetchall()


def person_moves(dsn: str, ticket_id: str, status: str, **other: object) -> dict:
    with psycopg.connect(dsn) as conn:
        row = change_ticket(conn, team="acme", ticket_id=ticket_id, changes={"status": status, **other},
                            actor="board")
    assert row is not None
    return row


def transcribed(dsn: str, meeting_id: str, utterances: list[Utterance], at: str,
                team: str | None = None) -> None:
    """The segments the utterances came from, as the flow wrote them at ``at`` (SQL expression)."""
    with psycopg.connect(dsn) as conn:
        for u in utterances:
            conn.execute(
                "INSERT INTO transcript_segments (team, meeting_id, source, start_ms, end_ms, "
                f"speaker, text, created_at) VALUES (%s, %s, 'main', %s, %s, %s, %s, {at})",
                (team or TEAM_OF[meeting_id], meeting_id, u.start_ms, u.end_ms, u.speaker, u.text),
            )


def test_later_minutes_do_not_undo_a_persons_move_on_the_board(dsn):
    write(dsn, "plan-1", PLANNING)
    write(dsn, "standup-2", STANDUP[:1], kind="rolling")  # "I finished the database migration"
    bob, status = ticket_of(dsn, "Bob")
    assert status == "done"
    person_moves(dsn, bob, "in_progress")  # not quite: a person reopens it

    write(dsn, "standup-2", STANDUP, kind="rolling")  # the next rolling minutes of the same meeting
    write(dsn, "standup-2", STANDUP, kind="final")
    assert ticket_of(dsn, "Bob")[1] == "in_progress"
    assert events_of(dsn, bob) == [
        ("created", None, "todo", "pipeline"),
        ("status", "todo", "done", "pipeline"),
        ("status", "done", "in_progress", "board"),
    ]


def test_speech_heard_before_a_persons_change_does_not_override_it(dsn):
    write(dsn, "plan-1", PLANNING)
    bob, _ = ticket_of(dsn, "Bob")
    transcribed(dsn, "standup-2", STANDUP[:1], "now() - interval '1 minute'")
    person_moves(dsn, bob, "blocked")  # after the remark was transcribed, before minutes ran
    write(dsn, "standup-2", STANDUP[:1], kind="rolling")
    assert ticket_of(dsn, "Bob")[1] == "blocked"
    assert [e[3] for e in events_of(dsn, bob)] == ["pipeline", "board"]


def test_speech_heard_after_a_persons_change_moves_the_ticket(dsn):
    write(dsn, "plan-1", PLANNING)
    bob, _ = ticket_of(dsn, "Bob")
    person_moves(dsn, bob, "blocked")
    transcribed(dsn, "standup-2", STANDUP[:1], "now() + interval '1 second'")
    write(dsn, "standup-2", STANDUP[:1], kind="rolling")
    assert ticket_of(dsn, "Bob")[1] == "done"
    assert events_of(dsn, bob)[-1] == ("status", "blocked", "done", "pipeline")


def test_replaying_every_minutes_after_a_persons_changes_changes_nothing(dsn):
    write(dsn, "plan-1", PLANNING)
    write(dsn, "standup-2", STANDUP)
    bob, _ = ticket_of(dsn, "Bob")
    carol, _ = ticket_of(dsn, "Carol")
    person_moves(dsn, bob, "todo", title="Finish the database migration (prod)")
    person_moves(dsn, carol, "blocked", assignee="Carol")  # same assignee: only the status changes
    with psycopg.connect(dsn) as conn:
        before = conn.execute("SELECT * FROM tickets ORDER BY ticket_id").fetchall()
        n_events = conn.execute("SELECT count(*) FROM ticket_events").fetchone()
    for _ in range(2):
        for meeting, said_there in (("plan-1", PLANNING), ("standup-2", STANDUP)):
            write(dsn, meeting, said_there, kind="rolling")
            write(dsn, meeting, said_there, kind="final")
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT * FROM tickets ORDER BY ticket_id").fetchall() == before
        assert conn.execute("SELECT count(*) FROM ticket_events").fetchone() == n_events


def test_every_change_has_exactly_one_event_saying_who_why_and_what(dsn):
    write(dsn, "plan-1", PLANNING)
    bob, _ = ticket_of(dsn, "Bob")
    row = person_moves(dsn, bob, "in_progress", assignee="Robert", due_date=dt.date(2026, 12, 4))
    assert (row["status"], row["assignee"], row["due_date"]) == ("in_progress", "Robert", dt.date(2026, 12, 4))
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT event, actor, quote, changes FROM ticket_events WHERE ticket_id = %s ORDER BY event_id",
            (bob,),
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [("created", "pipeline"), ("status", "board")]
    assert "database migration" in rows[0][2]
    assert rows[1][3] == {
        "status": {"old": "todo", "new": "in_progress"},
        "assignee": {"old": "Bob", "new": "Robert"},
        "due_date": {"old": "2026-11-27", "new": "2026-12-04"},
    }
    # The same values again change nothing and record nothing.
    person_moves(dsn, bob, "in_progress", assignee="Robert")
    assert len(events_of(dsn, bob)) == 2
    with psycopg.connect(dsn) as conn:
        assert change_ticket(conn, team="globex", ticket_id=bob, changes={"status": "done"}, actor="board") is None
        with pytest.raises(ValueError, match="status"):
            change_ticket(conn, team="acme", ticket_id=bob, changes={"status": "archived"}, actor="board")
        with pytest.raises(ValueError, match="team"):
            change_ticket(conn, team="acme", ticket_id=bob, changes={"team": "globex"}, actor="board")


def test_a_board_change_racing_a_minutes_run_loses_nothing(dsn):
    write(dsn, "plan-1", PLANNING)
    bob, _ = ticket_of(dsn, "Bob")
    transcribed(dsn, "standup-2", STANDUP[:1], "now() - interval '1 minute'")
    failures: list[BaseException] = []

    def minutes_run() -> None:
        try:
            write(dsn, "standup-2", STANDUP[:1], kind="rolling")
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    with psycopg.connect(dsn) as person, psycopg.connect(dsn, autocommit=True) as watcher:
        with person.transaction():
            change_ticket(person, team="acme", ticket_id=bob, changes={"status": "blocked"}, actor="board")
            runner = threading.Thread(target=minutes_run)
            runner.start()
            # Hold the person's transaction open until the minutes run waits on the ticket's row lock.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.05)
            else:
                raise AssertionError("the minutes run never waited for the person's change")
        runner.join(30)
    assert not runner.is_alive() and failures == []
    # The remark was heard before the person's change: the person's status stands, and the event
    # history explains the ticket's status step by step.
    assert ticket_of(dsn, "Bob")[1] == "blocked"
    history = events_of(dsn, bob)
    assert history == [("created", None, "todo", "pipeline"), ("status", "todo", "blocked", "board")]


def test_an_items_owner_that_changes_at_close_moves_its_ticket_once_and_never_over_a_person(dsn):
    # Live, the "I will finish …" turn was given to S2; clustered again at close, it is S3's.
    live = said(("S1", "Let's plan the week."), ("S2", "I will finish the database migration by Friday."),
                ("S1", "Carol, can you write the release notes by Thursday?"), ("S3", "Sure."))
    write(dsn, "plan-1", live, kind="rolling")
    closed = [*live[:1], Utterance("S3", live[1].text, live[1].start_ms, live[1].end_ms), *live[2:]]
    write(dsn, "plan-1", closed)
    write(dsn, "plan-1", closed)  # a replay of the final minutes changes nothing
    rows = tickets(dsn)
    assert sorted((t[1], t[2]) for t in rows if "migration" in t[2]) == [("S3", "finish the database migration")]
    tid, _ = ticket_of(dsn, "S3")
    assert [e[0] for e in events_of(dsn, tid)] == ["created", "edited"]
    with psycopg.connect(dsn) as conn:
        (changes,) = conn.execute(
            "SELECT changes FROM ticket_events WHERE ticket_id = %s AND event = 'edited'", (tid,)).fetchone()
    assert changes == {"assignee": {"old": "S2", "new": "S3"}}

    # A person gives the ticket to Dana: the pipeline's next idea of its owner does not undo it,
    # nor does it make a second ticket of the same item.
    person_moves(dsn, tid, "todo", assignee="Dana")
    write(dsn, "plan-1", live)
    assert [t[1] for t in tickets(dsn) if "migration" in t[2]] == ["Dana"]
