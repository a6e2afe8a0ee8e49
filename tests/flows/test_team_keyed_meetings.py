"""Two teams use the same meeting id at once: through the gateway, the flow and the board, each
team gets its own meeting, and neither sees the other's (real Kafka, PostgreSQL and speech)."""

from __future__ import annotations

import itertools
import json

import psycopg
from bytewax.testing import run_main
from fastapi.testclient import TestClient
from vori_testing import consume_all, meeting_envelopes, produce, speak, to_record, wer

from apps.board import create_app as board_app
from apps.gateway import create_app as gateway_app
from connectors.tokens import create_token
from flows.minutes import build_flow as minutes_flow
from flows.transcription import build_flow

MEETING = "standup-2026-12-01"
SAID = {
    "alpha": "Good morning everyone. Bob will finish the database migration by Friday.",
    "beta": "The release is on Monday. Carol will write the release notes.",
}
UNHEADED = "We will order the new laptops tomorrow morning."


def rows(dsn: str, sql: str, *args: object) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def test_two_teams_meetings_of_one_id_stay_apart_from_gateway_to_board(flow_settings):
    settings = flow_settings.with_(max_body_bytes=1_000_000, cluster_id="test-cluster")
    dsn = settings.database_url
    producers = {t: create_token(dsn, team=t, role="producer") for t in SAID}
    boards = {t: create_token(dsn, team=t, role="board") for t in SAID}
    chunks = {t: meeting_envelopes(MEETING, speak(s), seconds=2.0, title=f"{t} stand-up")
              for t, s in SAID.items()}

    # Both teams stream the same meeting id at the same time, chunk for chunk.
    with TestClient(gateway_app(settings)) as gw:
        for pair in itertools.zip_longest(chunks["alpha"], chunks["beta"]):
            for team, env in zip(SAID, pair, strict=True):
                if env is None:
                    continue
                resp = gw.post(
                    f"/topics/{settings.audio_topic}",
                    headers={"Authorization": f"Bearer {producers[team]}",
                             "Content-Type": "application/vnd.kafka.json.v2+json"},
                    json={"records": [{"key": MEETING, "value": env}]},
                )
                assert resp.status_code == 200, resp.text
    # Someone with access to the broker writes the same id without the gateway (no team).
    produce(settings.kafka_bootstrap, settings.audio_topic,
            [to_record(e) for e in meeting_envelopes(MEETING, speak(UNHEADED), seconds=2.0)])

    run_main(build_flow(settings))
    run_main(minutes_flow(settings))  # the minutes flow reads what the transcription published

    assert rows(dsn, "SELECT team, title, status, close_reason FROM meetings "
                     "WHERE meeting_id = %s ORDER BY team", MEETING) == [
        ("alpha", "alpha stand-up", "closed", "final"),
        ("beta", "beta stand-up", "closed", "final"),
        ("unassigned", None, "closed", "final"),
    ]
    texts = {
        team: " ".join(r[0] for r in rows(
            dsn, "SELECT text FROM transcript_segments WHERE team = %s AND meeting_id = %s "
                 "ORDER BY start_ms", team, MEETING))
        for team in (*SAID, "unassigned")
    }
    for team, said in (*SAID.items(), ("unassigned", UNHEADED)):
        assert wer(said, texts[team]) <= 0.25, (team, texts)
    assert "migration" not in texts["beta"] and "release" not in texts["alpha"]
    assert sorted(rows(dsn, "SELECT team FROM meeting_minutes WHERE kind = 'final'")) == [
        ("alpha",), ("beta",), ("unassigned",)]

    n_rows = rows(dsn, "SELECT count(*) FROM transcript_segments")[0][0]
    # Each team's meeting publishes its meeting_seen and meeting_closed around its segments.
    published = [json.loads(m.value())
                 for m in consume_all(settings.kafka_bootstrap, settings.transcript_topic, n_rows + 6)]
    assert len(published) == n_rows + 6
    assert sorted((p["team"], p["kind"]) for p in published if p["kind"] != "segment") == sorted(
        (t, k) for t in (*SAID, "unassigned") for k in ("meeting_seen", "meeting_closed"))
    published = [p for p in published if p["kind"] == "segment"]
    for team in (*SAID, "unassigned"):
        mine = sorted((p["start_ms"], p["text"]) for p in published if p["team"] == team)
        assert " ".join(t for _, t in mine) == texts[team]

    # Each team's board shows its own meeting of that id, and nothing of the other's.
    with TestClient(board_app(settings)) as board:
        for team, other in (("alpha", "beta"), ("beta", "alpha")):
            h = {"Authorization": f"Bearer {boards[team]}"}
            listed = [m["meeting_id"] for m in board.get("/api/meetings", headers=h).json()]
            assert listed == [MEETING]
            detail = board.get(f"/api/meetings/{MEETING}", headers=h).json()
            assert (detail["team"], detail["title"]) == (team, f"{team} stand-up")
            shown = " ".join(s["text"] for s in detail["segments"])
            assert shown == texts[team]
            report = board.get(f"/api/meetings/{MEETING}/report.md", headers=h).text
            assert f"{other} stand-up" not in report
            assert {t["team"] for t in board.get("/api/tickets", headers=h).json()} <= {team}
            feed = rows(dsn, "SELECT DISTINCT payload->>'text' FROM events "
                             "WHERE team = %s AND type = 'segment'", team)
            assert {r[0] for r in feed} == {s["text"] for s in detail["segments"]}
