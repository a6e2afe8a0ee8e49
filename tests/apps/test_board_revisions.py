"""The board replaces a span's live lines with the refined ones: one WebSocket message, and the
meeting's transcript reads refined afterwards (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from apps.board import create_app
from connectors.postgres import connect, migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.transcript_store import write_items
from domain.records import RevisionRecord
from domain.timeline import MeetingSeen
from domain.transcript import Segment, TranscribedWindow

pytestmark = pytest.mark.timeout(60)

M, TEAM = "m-live", "alpha"


def seg(start: int, end: int, text: str) -> Segment:
    return Segment(M, "main", None, start, end, text, "en", "tiny.en", 1_700_000_000_000, team=TEAM)


def write(dsn: str, items) -> None:
    with connect(dsn) as conn:
        write_items(conn, items)


@pytest.fixture
def board(pg_database_dsn: str) -> Iterator[tuple[TestClient, str, str]]:
    migrate(pg_database_dsn)
    write(pg_database_dsn, [MeetingSeen(M, TEAM, "Standup", 1_700_000_000_000, {"main": None})])
    token = create_token(pg_database_dsn, team=TEAM, role="board")
    with TestClient(create_app(Settings(database_url=pg_database_dsn))) as client:
        yield client, token, pg_database_dsn


def test_the_live_lines_of_a_span_are_replaced_by_the_refined_ones_in_one_message(board):
    client, token, dsn = board
    with client.websocket_connect(f"/ws?team={TEAM}") as ws:
        ws.send_json({"type": "auth", "token": token})
        assert ws.receive_json()["type"] == "ready"
        write(dsn, [TranscribedWindow(M, "main", 0, 5000, (seg(200, 2400, "Bob will finish the my gration"),
                                                             seg(2600, 4900, "by fry day.")), TEAM)])
        first, second = ws.receive_json(), ws.receive_json()
        assert [(e["type"], e["data"]["text"]) for e in (first, second)] == [
            ("segment", "Bob will finish the my gration"), ("segment", "by fry day.")]
        assert first["data"]["revision"] == "live"

        write(dsn, [RevisionRecord(TEAM, M, "main", 0, 90_000,
                                   (seg(180, 4880, "Bob will finish the migration by Friday."),))])
        revised = ws.receive_json()
        assert revised["type"] == "segments.revised"
        assert revised["meeting_id"] == M
        data = revised["data"]
        assert (data["source"], data["start_ms"], data["end_ms"], data["revision"]) == ("main", 0, 90_000, "refined")
        assert [(s["start_ms"], s["text"], s["revision"]) for s in data["segments"]] == [
            (180, "Bob will finish the migration by Friday.", "refined")]

        # A live line later in the meeting is announced as ever, after the replacement.
        write(dsn, [TranscribedWindow(M, "main", 90_000, 95_000, (seg(90_100, 94_000, "Next item."),), TEAM)])
        later = ws.receive_json()
        assert (later["type"], later["data"]["text"]) == ("segment", "Next item.")
        assert later["id"] > revised["id"]

    meeting = client.get(f"/api/meetings/{M}", headers={"Authorization": f"Bearer {token}"}).json()
    assert [(s["start_ms"], s["text"], s["revision"]) for s in meeting["segments"]] == [
        (180, "Bob will finish the migration by Friday.", "refined"), (90_100, "Next item.", "live")]


def test_a_reconnecting_board_catches_up_on_the_replacement(board):
    client, token, dsn = board
    write(dsn, [TranscribedWindow(M, "main", 0, 5000, (seg(200, 2400, "Bob will finish the my gration"),), TEAM)])
    with client.websocket_connect(f"/ws?team={TEAM}&since=0") as ws:
        ws.send_json({"type": "auth", "token": token})
        seen = []
        while (e := ws.receive_json())["type"] != "ready":
            seen.append(e)
        last = seen[-1]["id"]
    write(dsn, [RevisionRecord(TEAM, M, "main", 0, 5000, (seg(180, 2380, "Bob will finish the migration"),))])
    with client.websocket_connect(f"/ws?team={TEAM}&since={last}") as ws:
        ws.send_json({"type": "auth", "token": token})
        missed = ws.receive_json()
        assert missed["type"] == "segments.revised"
        assert [s["text"] for s in missed["data"]["segments"]] == ["Bob will finish the migration"]
        assert ws.receive_json()["type"] == "ready"
