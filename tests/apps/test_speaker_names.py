"""Speaker labels of a single-track meeting become names in the minutes path (tickets get owners),
and a person renaming a label on the board carries through tickets, minutes and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import psycopg
import pytest
from fastapi.testclient import TestClient

from apps.board import create_app
from connectors.analytics_store import MeetingRef, meeting_segments, stale_meetings
from connectors.minutes_store import write_minutes
from connectors.postgres import connect, migrate
from connectors.roster_store import add_member, add_terms, meeting_speakers, save_label_voices
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.voiceprint import VOICE_MODEL
from domain.timeline import MeetingClosed
from domain.transcript import Segment
from flows.minutes import MinutesLogic, offline_writer
from flows.team_context import SpeakerNamer, TeamContexts

pytestmark = pytest.mark.timeout(60)

MEETING = "m-1"
SAID = [
    ("S1", "Okay, let's start the payments sync."),
    ("S1", "Bob, can you update the invoice email template?"),
    ("S2", "Sure, I'll update the invoice email template by Friday."),
    ("S3", "I'll fix the Stripe webhook retries."),
    ("S1", "Thanks, Bob. Alice, anything from you?"),
    ("S3", "No, that's all from me."),
]


def rows(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def segments(said: list[tuple[str, str]], offset: int = 0) -> list[Segment]:
    return [
        Segment(MEETING, "main", who, offset + i * 4000, offset + i * 4000 + 3500, text, "en", "tiny.en",
                1_740_000_000_000 + i, team="acme")
        for i, (who, text) in enumerate(said)
    ]


def run_minutes(dsn: str, values: list[Any], namer: SpeakerNamer, logic: MinutesLogic | None = None,
                every_segments: int = 1000) -> MinutesLogic:
    logic = logic or MinutesLogic(every_segments, 3600.0, offline_writer, lambda: 0.0, None, namer=namer)
    outs, _ = logic.on_batch(values)
    with connect(dsn) as conn:
        for out in outs:
            write_minutes(conn, out)
        conn.commit()
    return logic


@pytest.fixture
def dsn(pg_database_dsn: str) -> str:
    migrate(pg_database_dsn)
    rows(pg_database_dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES (%s, 'acme', 'sync')",
         MEETING)
    rows(pg_database_dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES ('m-other', 'beta', 'x')")
    with connect(pg_database_dsn) as conn:
        for name in ("Bob", "Alice", "Carol"):
            add_member(conn, team="acme", name=name)
        add_terms(conn, team="acme", terms=["Stripe"])
        conn.commit()
    for i, (who, text) in enumerate(SAID):
        rows(pg_database_dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, speaker, "
             "text) VALUES ('acme', %s, %s, %s, %s, %s)", MEETING, i * 4000, i * 4000 + 3500, who, text)
    return pg_database_dsn


def tickets(dsn: str) -> dict[str, str | None]:
    return {str(t): a for t, a in rows(dsn, "SELECT title, assignee FROM tickets WHERE meeting_id = %s "
                                       "ORDER BY title", MEETING)}


def test_labels_are_named_before_the_minutes_and_the_naming_is_stored_and_stable(dsn: str) -> None:
    namer = SpeakerNamer(TeamContexts(dsn))
    run_minutes(dsn, [*segments(SAID), MeetingClosed(MEETING, "final", 30_000)], namer)
    owners = tickets(dsn)
    assert owners == {
        "fix the Stripe webhook retries": "Alice",
        "update the invoice email template": "Bob",
    }, owners
    with connect(dsn) as conn:
        stored = meeting_speakers(conn, "acme", MEETING)
    # S1 said both names, and Carol is the one member left: named so, with less confidence.
    assert [(r.label, r.name, r.how) for r in stored] == [
        ("S1", "Carol", "remaining"), ("S2", "Bob", "addressed"), ("S3", "Alice", "addressed")]
    assert stored[0].confidence < min(stored[1].confidence, stored[2].confidence)
    first = rows(dsn, "SELECT label, name, confidence, how, evidence FROM meeting_speakers ORDER BY label")
    events = rows(dsn, "SELECT count(*) FROM ticket_events")
    # A replay (a fresh process: nothing cached) gives the same mapping and changes nothing.
    run_minutes(dsn, [*segments(SAID), MeetingClosed(MEETING, "final", 30_000)],
                SpeakerNamer(TeamContexts(dsn)))
    assert rows(dsn, "SELECT label, name, confidence, how, evidence FROM meeting_speakers ORDER BY label") == first
    assert rows(dsn, "SELECT count(*) FROM ticket_events") == events
    assert tickets(dsn) == owners


@pytest.fixture
def board(dsn: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    token = create_token(dsn, team="acme", role="board")
    settings = Settings(database_url=dsn, token_cache_ttl_s=1.0, board_max_body_bytes=64 * 1024)
    with TestClient(create_app(settings)) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def test_a_person_renames_a_speaker_and_tickets_minutes_and_metrics_follow(
    dsn: str, board: tuple[TestClient, dict[str, str]]
) -> None:
    client, auth = board
    namer = SpeakerNamer(TeamContexts(dsn))
    logic = run_minutes(dsn, segments(SAID), namer, every_segments=2)  # rolling minutes while live
    rows(dsn, "UPDATE meetings SET status = 'closed'")
    rows(dsn, "INSERT INTO meeting_metrics (team, meeting_id, duration_s, words, wpm, speakers, "
         "speaker_balance, talk_share, questions, decisions, action_items, action_items_per_hour, "
         "efficiency_score, computed_at) VALUES ('acme', %s, 24, 50, 120, 3, 0.8, '{\"S1\": 0.5, \"Bob\": 0.2, \"Alice\": 0.3}', "
         "1, 0, 2, 300, 0.7, now())", MEETING)
    with connect(dsn) as conn:
        assert ("acme", MEETING) not in stale_meetings(conn, ticket_window_days=30, limit=10)

    listed = client.get(f"/api/meetings/{MEETING}/speakers", headers=auth).json()
    assert [(r["label"], r["name"], r["how"]) for r in listed] == [
        ("S1", "Carol", "remaining"), ("S2", "Bob", "addressed"), ("S3", "Alice", "addressed")]
    assert [m["name"] for m in client.get("/api/team/members", headers=auth).json()] == ["Alice", "Bob", "Carol"]
    assert [(m["voice"], m["learned_count"], m["learned"])
            for m in client.get("/api/team/members", headers=auth).json()] == [(False, 0, [])] * 3
    # What the diarization kept of each label's voice: a person's rename teaches it to the member.
    rng = np.random.default_rng(11)
    with connect(dsn) as conn:
        save_label_voices(conn, team="acme", meeting_id=MEETING, model=VOICE_MODEL, voices={
            label: (rng.normal(size=256), seconds) for label, seconds in (("S1", 9.0), ("S2", 4.5))})
        conn.commit()

    # S2 was really Carol; S1 (named Carol as the member left) is Dana, a guest.
    r = client.patch(f"/api/meetings/{MEETING}/speakers/S2", headers=auth, json={"name": "Carol"})
    assert r.status_code == 200, r.text
    assert r.json()["old_name"] == "Bob" and len(r.json()["tickets"]) == 1
    assert client.patch(f"/api/meetings/{MEETING}/speakers/S1", headers=auth,
                        json={"name": "Dana"}).status_code == 200
    assert tickets(dsn) == {"fix the Stripe webhook retries": "Alice",
                            "update the invoice email template": "Carol"}
    # The roster page shows where Carol's voice was learned; Dana is not on the roster: nothing kept.
    members = {m["name"]: m for m in client.get("/api/team/members", headers=auth).json()}
    assert list(members) == ["Alice", "Bob", "Carol"]
    assert members["Carol"]["learned"] == [{
        "meeting_id": MEETING, "label": "S2", "how": "person", "source": "rename", "confidence": 1.0,
        "seconds": 4.5, "voice_model": VOICE_MODEL}]
    assert (members["Carol"]["learned_count"], members["Carol"]["voice"]) == (1, False)
    assert [(members[n]["learned_count"], members[n]["learned"]) for n in ("Alice", "Bob")] == [(0, [])] * 2
    (tid,) = r.json()["tickets"]
    assert rows(dsn, "SELECT event, actor, changes FROM ticket_events WHERE ticket_id = %s ORDER BY event_id",
                tid) == [
        ("created", "pipeline", rows(dsn, "SELECT changes FROM ticket_events WHERE ticket_id = %s "
                                     "AND event = 'created'", tid)[0][0]),
        ("edited", "board", {"assignee": {"old": "Bob", "new": "Carol"}}),
    ]
    (items,) = rows(dsn, "SELECT action_items FROM meeting_minutes WHERE meeting_id = %s", MEETING)[0]
    assert sorted(a["assignee"] for a in items) == ["Alice", "Carol"]
    (share,) = rows(dsn, "SELECT talk_share FROM meeting_metrics WHERE meeting_id = %s", MEETING)[0]
    assert share == {"Dana": 0.5, "Carol": 0.2, "Alice": 0.3}
    with connect(dsn) as conn:
        assert ("acme", MEETING) in stale_meetings(conn, ticket_window_days=30, limit=10)  # recomputed next
        assert {s.speaker for s in meeting_segments(conn, [MeetingRef("acme", MEETING)])} == {"Dana", "Carol", "Alice"}

    # Later minutes of the meeting keep the person's names; inference does not take them back.
    more = [("S1", "Carol, can you also send the slides?"), ("S2", "Yes, I'll send the slides today.")]
    run_minutes(dsn, segments(more, offset=60_000), namer, logic)
    named = client.get(f"/api/meetings/{MEETING}/speakers", headers=auth).json()
    assert [(x["label"], x["name"], x["how"]) for x in named] == [
        ("S1", "Dana", "person"), ("S2", "Carol", "person"), ("S3", "Alice", "addressed")]
    assert tickets(dsn)["send the slides"] == "Carol"
    # renaming to the same name again records nothing more
    n = rows(dsn, "SELECT count(*) FROM ticket_events")
    assert client.patch(f"/api/meetings/{MEETING}/speakers/S2", headers=auth,
                        json={"name": "Carol"}).json()["tickets"] == []
    assert rows(dsn, "SELECT count(*) FROM ticket_events") == n


def test_renaming_is_the_teams_own(dsn: str, board: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = board
    assert client.patch("/api/meetings/m-other/speakers/S1", headers=auth,
                        json={"name": "X"}).status_code == 404
    assert client.get("/api/meetings/m-other/speakers", headers=auth).status_code == 404
    assert client.patch(f"/api/meetings/{MEETING}/speakers/S1", json={"name": "X"}).status_code == 401
    assert client.patch(f"/api/meetings/{MEETING}/speakers/S1", headers=auth,
                        json={"name": ""}).status_code == 422
    assert client.patch(f"/api/meetings/{MEETING}/speakers/S1", headers=auth,
                        json={"name": "X", "extra": 1}).status_code == 422
    assert rows(dsn, "SELECT count(*) FROM meeting_speakers") == [(0,)]


def test_enrolled_voices_name_labels_through_the_stored_label_voices(dsn: str) -> None:
    rng = np.random.default_rng(3)
    carol, bob = rng.normal(size=256), rng.normal(size=256)
    with connect(dsn) as conn:
        add_member(conn, team="acme", name="Carol", voiceprint=carol, voice_model=VOICE_MODEL)
        add_member(conn, team="acme", name="Bob", voiceprint=bob, voice_model=VOICE_MODEL)
        # what the diarization keeps per label (another model's centroid is never compared)
        save_label_voices(conn, team="acme", meeting_id=MEETING, model=VOICE_MODEL, voices={
            "S1": (carol + 0.2 * rng.normal(size=256), 12.0), "S2": (bob + 0.2 * rng.normal(size=256), 6.0)})
        save_label_voices(conn, team="acme", meeting_id=MEETING, model="other-model", voices={
            "S3": (carol, 3.0)})
        conn.commit()
    quiet = [("S1", "Let's look at the numbers."), ("S2", "They look fine."), ("S3", "Agreed.")]
    run_minutes(dsn, [*segments(quiet), MeetingClosed(MEETING, "final", 12_000)],
                SpeakerNamer(TeamContexts(dsn)))
    with connect(dsn) as conn:
        named = meeting_speakers(conn, "acme", MEETING)
    # S3's voice is compared with no print (another model's): it is only the member left.
    assert [(r.label, r.name, r.how) for r in named] == [
        ("S1", "Carol", "voice"), ("S2", "Bob", "voice"), ("S3", "Alice", "remaining")]
    assert all(0.6 <= r.confidence <= 1 for r in named[:2])
