"""The minutes flow over real Kafka and PostgreSQL: records of ``transcription.completed`` in,
rolling and final minutes and tickets out; revisions re-derive them without duplicates; bad
records are dead-lettered with the reason; a replay changes nothing."""

from __future__ import annotations

import json
from typing import Any

import psycopg
from bytewax.testing import run_main
from vori_testing import consume_all, produce

from connectors.minutes_store import change_ticket
from connectors.settings import Settings
from domain.records import (
    MeetingClosedRecord,
    MeetingRefinedRecord,
    MeetingSeenRecord,
    RevisionRecord,
    SegmentRecord,
)
from domain.transcript import Segment
from flows.minutes import build_flow

MEETING = "plan-1"
DAY_MS = 1_764_547_200_000  # 2025-12-01 00:00 UTC


def rows(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def seg(start: int, speaker: str, text: str, *, meeting: str = MEETING, team: str = "acme") -> Segment:
    return Segment(meeting, "main", speaker, start, start + 3000, text, "en", "tiny.en", DAY_MS + start, team=team)


def publish(settings: Settings, *records: Any) -> None:
    produce(settings.kafka_bootstrap, settings.transcript_topic,
            [(r.meeting_id.encode(), r if isinstance(r, bytes) else r.to_record()) for r in records])


def run(settings: Settings) -> None:
    run_main(build_flow(settings, namer=lambda _t, _m, u: u))


LIVE = [
    seg(0, "Alice", "Good morning, let's plan the week."),
    seg(4000, "Bob", "I will finish the database migra shun by Friday."),
    seg(8000, "Alice", "Carol will write the release notes tomorrow."),
]


def test_final_minutes_and_tickets_then_refined_text_replaces_them_without_duplicates(flow_settings):
    s = flow_settings.with_(minutes_every_segments=2)
    dsn = s.database_url
    publish(s, MeetingSeenRecord("acme", MEETING, "Planning", DAY_MS, {"main": None}),
            *(SegmentRecord(x) for x in LIVE), MeetingClosedRecord("acme", MEETING, "final", 11_000))
    run(s)

    kinds = rows(dsn, "SELECT kind FROM meeting_minutes WHERE team = 'acme' AND meeting_id = %s", MEETING)
    assert kinds == [("final",)]  # read in one batch: the meeting was closed before a rolling was due
    tickets = dict(rows(dsn, "SELECT assignee, title FROM tickets WHERE team = 'acme'"))
    assert set(tickets) == {"Bob", "Carol"}, tickets
    assert "release notes" in tickets["Carol"]

    # A person moves Carol's ticket to done on the board.
    carol_id = rows(dsn, "SELECT ticket_id FROM tickets WHERE assignee = 'Carol'")[0][0]
    with psycopg.connect(dsn) as conn:
        change_ticket(conn, team="acme", ticket_id=carol_id, changes={"status": "done"}, actor="ana")

    # The refine flow's revision replaces Bob's misheard line; then the meeting is refined.
    refined = RevisionRecord("acme", MEETING, "main", 4000, 8000,
                             (seg(4000, "Bob", "I will finish the database migration by Friday."),))
    publish(s, refined, refined, MeetingRefinedRecord("acme", MEETING))  # the same revision twice
    run(s)  # no recovery store: the flow reads the topic again from the start (a replay)

    final = rows(dsn, "SELECT action_items FROM meeting_minutes WHERE meeting_id = %s AND kind = 'final'",
                 MEETING)[0][0]
    tasks = sorted((a["assignee"], a["task"]) for a in final)
    assert ("Bob", "finish the database migration") in tasks, tasks
    assert not any("migra shun" in t for _, t in tasks)
    # One ticket per task still; the person's move is kept.
    titles = rows(dsn, "SELECT assignee, status FROM tickets WHERE team = 'acme' ORDER BY assignee")
    assert [a for a, _ in titles].count("Carol") == 1
    assert ("Carol", "done") in titles
    events = rows(dsn, "SELECT count(*) FROM ticket_events")

    run(s)  # replay again: nothing changes
    assert rows(dsn, "SELECT count(*) FROM ticket_events") == events


def test_live_text_after_a_refined_span_is_ignored_and_two_teams_stay_apart(flow_settings):
    s = flow_settings
    dsn = s.database_url
    refined = RevisionRecord("acme", MEETING, "main", 0, 10_000,
                             (seg(0, "Bob", "I will update the invoice template by Friday."),))
    late = seg(5000, "Bob", "I will repaint the office by Friday.")
    other = seg(0, "Dee", "I will order new laptops tomorrow.", team="beta")
    publish(s, refined, SegmentRecord(late), SegmentRecord(other),
            MeetingClosedRecord("acme", MEETING, "final", 10_000), MeetingClosedRecord("beta", MEETING, "final", 3000))
    run(s)
    by_team = dict(rows(dsn, "SELECT team, action_items FROM meeting_minutes WHERE kind = 'final'"))
    assert [a["task"] for a in by_team["acme"]] == ["update the invoice template"]
    assert [a["task"] for a in by_team["beta"]] == ["order new laptops"]


def test_bad_records_are_dead_lettered_with_the_reason_and_the_rest_goes_on(flow_settings):
    s = flow_settings
    good = SegmentRecord(seg(0, "Bob", "I will fix the billing page by Friday."), transcribed_at="2025-12-01T00:00:01+00:00")
    bad = [
        (b"plan-1", b"not json"),
        (b"plan-1", json.dumps({"kind": "summary", "meeting_id": "plan-1"}).encode()),
        (b"plan-1", json.dumps({"kind": "revision", "meeting_id": "plan-1", "source": "main",
                                "start_ms": 9, "end_ms": 1, "revision": "refined", "segments": []}).encode()),
        (b"other-id", good.to_record()),
    ]
    produce(s.kafka_bootstrap, s.transcript_topic,
            [*bad, (b"plan-1", good.to_record()),
             (b"plan-1", MeetingClosedRecord("acme", MEETING, "final", 4000).to_record())])
    run(s)
    dead = consume_all(s.kafka_bootstrap, s.dlq_topic, len(bad))
    assert sorted(m.value() for m in dead) == sorted(v for _, v in bad)
    reasons = {m.value(): dict(m.headers())["vori.dlq.reason"].decode() for m in dead}
    assert "not a JSON record" in reasons[b"not json"]
    assert "unknown record kind 'summary'" in reasons[bad[1][1]]
    assert "is before 'start_ms'" in reasons[bad[2][1]]
    assert "not its meeting_id" in reasons[good.to_record()]
    assert all(dict(m.headers())["vori.dlq.stage"] == b"parse" for m in dead)
    assert rows(s.database_url, "SELECT assignee FROM tickets") == [("Bob",)]


def test_minutes_asked_for_before_a_restart_are_written_after_it():
    import pickle
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from domain.extraction import extract_minutes
    from flows.minutes import MinutesLogic

    stuck = threading.Event()

    def hanging_writer(said, day, language):  # an endpoint that never answers before the crash
        stuck.wait(30)
        return extract_minutes(said, day, language)

    with ThreadPoolExecutor(1) as calls:
        logic = MinutesLogic(100, 3600.0, hanging_writer, lambda: 0.0, None, calls=calls)
        out, _ = logic.on_batch([*(SegmentRecord(x) for x in LIVE),
                                 MeetingClosedRecord("acme", MEETING, "final", 11_000)])
        assert list(out) == []
        snapshot = pickle.loads(pickle.dumps(logic.snapshot()))  # what the recovery store keeps
        stuck.set()
    # A new process resumes from the snapshot: the final minutes it owed are asked for again.
    with ThreadPoolExecutor(1) as calls:
        resumed = MinutesLogic(100, 3600.0, lambda s, d, lang: extract_minutes(s, d, lang), lambda: 0.0,
                               snapshot, calls=calls)
        [final] = list(resumed.on_eof()[0])
    assert final.kind == "final" and final.meeting_id == MEETING
    assert {a.assignee for a in final.minutes.action_items} == {"Bob", "Carol"}
