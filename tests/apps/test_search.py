"""Search across meetings (``GET /api/search``, ``vori search``) against the real PostgreSQL: the rows
are written by the pipeline's own writers, which store the Korean morphemes beside the text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from vori_testing import only_vori_env

from apps.board import create_app
from apps.cli import main as vori
from connectors.minutes_store import MinutesOut, write_minutes
from connectors.postgres import connect, migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.transcript_store import write_items
from domain.minutes import ActionItem, Decision, Minutes
from domain.transcript import Segment

pytestmark = pytest.mark.timeout(90)


@dataclass(frozen=True)
class Db:
    dsn: str
    alpha: str  # board token of team alpha
    beta: str  # board token of team beta


def sql(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def meeting(dsn: str, meeting_id: str, team: str, title: str, started: str = "2026-03-01") -> None:
    sql(dsn, "INSERT INTO meetings (meeting_id, team, title, started_at) VALUES (%s, %s, %s, %s)",
        meeting_id, team, title, started)


def say(dsn: str, meeting_id: str, *lines: tuple[int, str], team: str = "alpha") -> None:
    """Transcript segments, written as the transcription flow writes them."""
    with connect(dsn) as conn:
        write_items(conn, [
            Segment(meeting_id=meeting_id, source="main", speaker="Ann", start_ms=ms,
                    end_ms=ms + 2000, text=text, language=None, model="test", posted_ms=0, team=team)
            for ms, text in lines
        ])
        conn.commit()


def minutes(dsn: str, meeting_id: str, summary: str, decisions: tuple[str, ...] = (),
            tasks: tuple[tuple[str, int], ...] = (), team: str = "alpha") -> None:
    """Final minutes, written as the minutes flow writes them (action items become tickets)."""
    body = Minutes(
        summary=summary,
        decisions=tuple(Decision(text=d, quote=d, start_ms=0) for d in decisions),
        action_items=tuple(ActionItem(assignee="Bob", task=t, due_date=date(2026, 4, 1),
                                      quote=f"Bob will {t}", start_ms=ms) for t, ms in tasks),
        status_updates=(), questions=(), keywords=(), language="en", writer="offline",
    )
    with connect(dsn) as conn:
        write_minutes(conn, MinutesOut(team, meeting_id, "final", body, segments_seen=1))
        conn.commit()


@pytest.fixture
def db(pg_database_dsn: str) -> Db:
    dsn = pg_database_dsn
    migrate(dsn)
    return Db(dsn, alpha=create_token(dsn, team="alpha", role="board"),
              beta=create_token(dsn, team="beta", role="board"))


@pytest.fixture
def client(db: Db) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=db.dsn, token_cache_ttl_s=1.0))) as c:
        yield c


def find(client: TestClient, token: str, q: str, **params: int) -> list[dict[str, Any]]:
    r = client.get("/api/search", params={"q": q, **params},
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def test_english_words_are_found_by_their_stem(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "Storage sync")
    say(db.dsn, "m1", (0, "Hello everyone."), (4000, "We will migrate the orders database on Friday."))
    hits = find(client, db.alpha, "migrations")
    assert [(h["kind"], h["meeting_id"], h["title"], h["start_ms"]) for h in hits] == [
        ("segment", "m1", "Storage sync", 4000)]
    assert "<mark>migrate</mark>" in hits[0]["snippet"]
    assert hits[0]["score"] > 0
    assert find(client, db.alpha, "migrating databases")[0]["start_ms"] == 4000
    assert find(client, db.alpha, "kubernetes") == []


def test_korean_is_found_without_its_particles(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "인프라 회의")
    say(db.dsn, "m1", (0, "데이터베이스 마이그레이션 계획을 세웠습니다"),
        (3000, "마이그레이션을 다음 주에 시작합니다"), (6000, "점심은 김밥으로 합시다"))
    # The query carries a particle (을) that neither the first line nor the query's noun has.
    hits = find(client, db.alpha, "마이그레이션을")
    assert sorted(h["start_ms"] for h in hits) == [0, 3000]
    snippets = {h["start_ms"]: h["snippet"] for h in hits}
    assert "<mark>마이그레이션</mark>" in snippets[0]
    assert "<mark>마이그레이션을</mark>" in snippets[3000]
    # Every morpheme must match: the plan line has 계획, the other does not.
    assert [h["start_ms"] for h in find(client, db.alpha, "마이그레이션 계획은")] == [0]
    # Mixed English and Korean in one query.
    say(db.dsn, "m1", (9000, "API 마이그레이션을 끝냈어요"))
    assert [h["start_ms"] for h in find(client, db.alpha, "API 마이그레이션")] == [9000]


def test_minutes_and_tickets_are_found_with_where_they_were_said(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "Release review")
    minutes(db.dsn, "m1", "The release slipped a week.", decisions=("Freeze the invoice service",),
            tasks=(("prepare the invoice export", 61_000),))
    hits = {h["kind"]: h for h in find(client, db.alpha, "invoices")}
    assert set(hits) == {"minutes", "ticket"}
    assert hits["minutes"]["meeting_id"] == "m1" and hits["minutes"]["start_ms"] is None
    assert hits["minutes"]["title"] == "Release review"
    assert hits["ticket"]["title"] == "prepare the invoice export"
    assert hits["ticket"]["start_ms"] == 61_000
    assert "<mark>invoice</mark>" in hits["ticket"]["snippet"]


def test_a_board_edit_of_a_ticket_title_is_searchable_in_korean(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "Plan")
    minutes(db.dsn, "m1", "Summary.", tasks=(("write the notes", 1000),))
    [(ticket_id,)] = sql(db.dsn, "SELECT ticket_id FROM tickets")
    r = client.patch(f"/api/tickets/{ticket_id}", json={"title": "배포 일정을 정리하기"},
                     headers={"Authorization": f"Bearer {db.alpha}"})
    assert r.status_code == 200, r.text
    assert [h["kind"] for h in find(client, db.alpha, "일정은")] == ["ticket"]


def test_better_matches_rank_first_and_newer_meetings_break_ties(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "old", "alpha", "Old", started="2026-01-01")
    meeting(db.dsn, "new", "alpha", "New", started="2026-02-01")
    say(db.dsn, "old", (0, "The budget forecast for the budget review, budget first."),
        (5000, "Lunch is at noon."))
    say(db.dsn, "new", (0, "A short budget note."), (5000, "Another short budget note."))
    hits = find(client, db.alpha, "budget")
    assert (hits[0]["meeting_id"], hits[0]["start_ms"]) == ("old", 0)
    assert hits[0]["score"] > hits[1]["score"]
    assert [h["meeting_id"] for h in hits[1:]] == ["new", "new"]
    # Two words: only the line that has both.
    assert [(h["meeting_id"], h["start_ms"]) for h in find(client, db.alpha, "budget forecast")] == [
        ("old", 0)]
    # Equal scores: the newer meeting first.
    meeting(db.dsn, "older", "alpha", "Older", started="2025-01-01")
    say(db.dsn, "older", (0, "Another short budget note."))
    same = find(client, db.alpha, "another short budget note")
    assert [h["meeting_id"] for h in same] == ["new", "older"]


def test_snippets_escape_the_text_and_mark_only_the_matches(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "<b>title</b>")
    evil = 'deploy <script>alert(1)</script> <img src=x onerror="alert(2)"> & friends'
    say(db.dsn, "m1", (0, evil))
    [hit] = find(client, db.alpha, "deploys")
    assert set(re.findall(r"<[^>]*>", hit["snippet"])) == {"<mark>", "</mark>"}
    assert "<mark>deploy</mark>" in hit["snippet"] and "&amp; friends" in hit["snippet"]
    assert hit["title"] == "<b>title</b>"  # JSON text: the page writes it with textContent


def test_another_teams_text_never_appears(db: Db, client: TestClient) -> None:
    # Both teams use the same meeting id: meetings are keyed by team, and so is search.
    for team in ("alpha", "beta"):
        meeting(db.dsn, "standup", team, f"{team} planning")
        say(db.dsn, "standup", (0, f"{team} will migrate the payroll 데이터베이스를"), team=team)
        minutes(db.dsn, "standup", f"{team} agreed the payroll migration",
                tasks=((f"{team} migrates payroll", 0),), team=team)
    for token, team in ((db.alpha, "alpha"), (db.beta, "beta")):
        other = "beta" if team == "alpha" else "alpha"
        for q in ("payroll", "migration", "데이터베이스", "beta", "alpha"):
            hits = find(client, token, q, limit=100)
            assert all(h["meeting_id"] == "standup" for h in hits), (team, q, hits)
            assert all(other not in h["snippet"] and other not in h["title"] for h in hits), (team, q, hits)
        assert {h["kind"] for h in find(client, token, team, limit=100)} == {"segment", "minutes", "ticket"}
        assert {h["kind"] for h in find(client, token, "payroll")} == {"segment", "minutes", "ticket"}
    assert find(client, db.alpha, "beta") == []


def test_limit_and_query_bounds(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "Many")
    say(db.dsn, "m1", *((i * 1000, f"status update number {i}") for i in range(30)))
    assert len(find(client, db.alpha, "status")) == 20  # the default
    assert len(find(client, db.alpha, "status", limit=3)) == 3
    assert len(find(client, db.alpha, "status", limit=100)) == 30
    auth = {"Authorization": f"Bearer {db.alpha}"}
    bad: list[dict[str, Any]] = [{"q": "status", "limit": 0}, {"q": "status", "limit": 101},
                                 {"q": "status", "limit": "x"}, {"q": ""}, {"q": "   "},
                                 {"q": "x" * 257}, {}]
    for params in bad:
        assert client.get("/api/search", params=params, headers=auth).status_code == 422, params
    assert client.get("/api/search", params={"q": "x" * 256}, headers=auth).status_code == 200
    assert find(client, db.alpha, "the") == []  # only a stop word: nothing to look for
    assert client.get("/api/search", params={"q": "status"}).status_code == 401
    producer = create_token(db.dsn, team="alpha", role="producer")
    assert client.get("/api/search", params={"q": "status"},
                      headers={"Authorization": f"Bearer {producer}"}).status_code == 401


def test_vori_search_and_reindex(db: Db, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    only_vori_env(monkeypatch, tmp_path, db.dsn)
    meeting(db.dsn, "m1", "alpha", "Ops")
    meeting(db.dsn, "m2", "beta", "Beta ops")
    say(db.dsn, "m1", (65_000, "We migrated the queue."))
    say(db.dsn, "m2", (0, "Beta migrated too."), team="beta")
    assert vori(["search", "migrations", "--team", "alpha"]) == 0
    out = capsys.readouterr().out
    assert 'segment  m1 "Ops" at 01:05' in out and "We **migrated** the queue." in out
    assert "Beta" not in out
    assert vori(["search", "migrations", "--team", "alpha", "--json", "--limit", "1"]) == 0
    [hit] = json.loads(capsys.readouterr().out)["results"]
    assert hit["meeting_id"] == "m1" and hit["start_ms"] == 65_000
    assert vori(["search", "migrations"]) == 2  # no team
    assert vori(["search", " ", "--team", "alpha"]) == 2
    with pytest.raises(SystemExit) as bad:
        vori(["search", "q", "--team", "alpha", "--limit", "0"])
    assert bad.value.code == 2
    capsys.readouterr()

    # A Korean row written before search existed (no morphemes): found by the exact word only,
    # until --reindex analyses it.
    sql(db.dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                "VALUES ('alpha', 'm1', 90000, 91000, '마이그레이션을 시작합니다')")
    assert vori(["search", "마이그레이션", "--team", "alpha"]) == 0
    assert "no results" in capsys.readouterr().err
    assert vori(["search", "--reindex"]) == 0
    assert "transcript_segments: 1 rows analysed" in capsys.readouterr().out
    assert vori(["search", "마이그레이션", "--team", "alpha"]) == 0
    assert "**마이그레이션을** 시작합니다" in capsys.readouterr().out


def test_a_changed_text_never_keeps_the_old_texts_morphemes(db: Db, client: TestClient) -> None:
    meeting(db.dsn, "m1", "alpha", "Lunch")
    say(db.dsn, "m1", (0, "마이그레이션을 시작합니다"))
    assert len(find(client, db.alpha, "마이그레이션")) == 1
    # A writer that knows nothing of search changes the text and sends no morphemes.
    sql(db.dsn, "UPDATE transcript_segments SET text = '점심 메뉴를 정했다' WHERE meeting_id = 'm1'")
    assert find(client, db.alpha, "마이그레이션") == []
    # Until it is analysed again, the new text is found by its words as written, not by stems.
    assert [h["start_ms"] for h in find(client, db.alpha, "메뉴를 정했다")] == [0]
    assert find(client, db.alpha, "메뉴는") == []
    # The flow writing the line again analyses it.
    say(db.dsn, "m1", (0, "점심 메뉴를 정했습니다"))
    assert [h["start_ms"] for h in find(client, db.alpha, "메뉴는")] == [0]
