"""The board's REST API, WebSocket feed and event triggers against the real PostgreSQL."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from apps.board import STATIC_DIR, create_app
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import TokenStore, create_token, issue_token, revoke_token
from infra.procs import free_ports

pytestmark = pytest.mark.timeout(60)

XSS = "<script>window.__xss=1</script><img src=x onerror=\"window.__xss=2\">"


@dataclass(frozen=True)
class Seeded:
    dsn: str
    alpha: str  # board token of team alpha
    beta: str  # board token of team beta
    producer: str  # producer token of team alpha


def execute(dsn: str, query: str, *args: object) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def add_ticket(dsn: str, ticket_id: str, team: str, meeting_id: str, title: str,
               status: str = "todo") -> None:
    execute(
        dsn,
        "INSERT INTO tickets (ticket_id, team, meeting_id, title, assignee, due_date, status, "
        "source_quote, source_start_ms) VALUES (%s, %s, %s, %s, 'Bob', '2026-12-04', %s, %s, 1200)",
        ticket_id, team, meeting_id, title, status, f"quote for {title}",
    )


@pytest.fixture
def seeded(pg_database_dsn: str) -> Seeded:
    dsn = pg_database_dsn
    migrate(dsn)
    for mid, team in (("m-alpha", "alpha"), ("m-beta", "beta")):
        execute(dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES (%s, %s, %s)",
                mid, team, f"{team} planning")
        execute(
            dsn,
            "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
            "VALUES (%s, %s, 0, 1500, %s)",
            team, mid, f"hello from {team} {XSS}",
        )
        execute(
            dsn,
            "INSERT INTO meeting_minutes (team, meeting_id, kind, summary, decisions) "
            "VALUES (%s, %s, 'final', %s, '[\"ship it\"]')",
            team, mid, f"{team} summary {XSS}",
        )
    add_ticket(dsn, "t-alpha", "alpha", "m-alpha", f"alpha task {XSS}")
    add_ticket(dsn, "t-beta", "beta", "m-beta", "beta task")
    return Seeded(
        dsn,
        alpha=create_token(dsn, team="alpha", role="board"),
        beta=create_token(dsn, team="beta", role="board"),
        producer=create_token(dsn, team="alpha", role="producer"),
    )


TTL_S = 1.0  # the token-cache TTL of these tests' board: open sockets are re-checked this often


def board_settings(dsn: str) -> Settings:
    return Settings(database_url=dsn, token_cache_ttl_s=TTL_S, board_ws_auth_timeout_s=1.0,
                    board_max_body_bytes=64 * 1024)


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(board_settings(seeded.dsn))) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@contextmanager
def feed(client: TestClient, token: str | None, query: str = "team=alpha"
         ) -> Iterator[WebSocketTestSession]:
    """The live feed as the page opens it: no token in the URL, the token in the first message."""
    with client.websocket_connect(f"/ws?{query}") as ws:
        if token is not None:
            ws.send_json({"type": "auth", "token": token})
        yield ws


def closed_with(ws: WebSocketTestSession) -> tuple[int, str]:
    """Read until the server closes the socket; its close code and reason."""
    with pytest.raises(WebSocketDisconnect) as closed:
        while True:
            ws.receive_json()
    return closed.value.code, closed.value.reason


READS = [
    "/api/meetings",
    "/api/meetings/m-alpha",
    "/api/meetings/m-alpha/report.md",
    "/api/tickets",
    "/api/analytics",
    "/api/whoami",
]


def test_missing_invalid_or_non_board_tokens_are_401(client: TestClient, seeded: Seeded) -> None:
    for path in READS:
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=auth("vori_b_not-a-real-token")).status_code == 401
        assert client.get(path, headers=auth(seeded.producer)).status_code == 401, path
        assert client.get(path, headers={"Authorization": seeded.alpha}).status_code == 401
    patch = client.patch("/api/tickets/t-alpha", json={"status": "done"})
    assert patch.status_code == 401
    assert client.get("/healthz").json() == {"status": "ok"}


def test_each_team_sees_and_changes_only_its_own(client: TestClient, seeded: Seeded) -> None:
    for mine, other, token in (("alpha", "beta", seeded.alpha), ("beta", "alpha", seeded.beta)):
        h = auth(token)
        meetings = client.get("/api/meetings", headers=h).json()
        assert [m["meeting_id"] for m in meetings] == [f"m-{mine}"]
        assert client.get(f"/api/meetings?team={mine}", headers=h).status_code == 200
        assert client.get(f"/api/meetings?team={other}", headers=h).status_code == 403
        detail = client.get(f"/api/meetings/m-{mine}", headers=h).json()
        assert [t["ticket_id"] for t in detail["tickets"]] == [f"t-{mine}"]
        assert detail["segments"][0]["text"].startswith(f"hello from {mine}")
        # Another team's meeting answers exactly like one that does not exist.
        for path in (f"/api/meetings/m-{other}", f"/api/meetings/m-{other}/report.md"):
            other_resp = client.get(path, headers=h)
            ghost = client.get(path.replace(f"m-{other}", "m-nobody"), headers=h)
            assert other_resp.status_code == ghost.status_code == 404
            assert other_resp.json() == ghost.json()
        tickets = client.get("/api/tickets", headers=h).json()
        assert [t["ticket_id"] for t in tickets] == [f"t-{mine}"]
        assert client.get(f"/api/tickets?team={mine}", headers=h).status_code == 200
        assert client.get(f"/api/tickets?team={other}", headers=h).status_code == 403
        assert client.get(f"/api/analytics?team={other}", headers=h).status_code == 403
        assert client.patch(f"/api/tickets/t-{other}", json={"status": "done"},
                            headers=h).status_code == 404
        assert client.get("/api/whoami", headers=h).json()["team"] == mine
    assert execute(seeded.dsn, "SELECT ticket_id, status FROM tickets ORDER BY 1") == [
        ("t-alpha", "todo"), ("t-beta", "todo")]
    assert execute(seeded.dsn, "SELECT count(*) FROM ticket_events") == [(0,)]


def test_two_teams_meetings_of_one_id_are_each_teams_own(client: TestClient, seeded: Seeded) -> None:
    dsn = seeded.dsn
    for team in ("alpha", "beta"):
        execute(dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES ('standup', %s, %s)",
                team, f"{team} standup")
        execute(dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                     "VALUES (%s, 'standup', 0, 1000, %s)", team, f"{team} said this")
        execute(dsn, "INSERT INTO meeting_minutes (team, meeting_id, kind, summary) "
                     "VALUES (%s, 'standup', 'final', %s)", team, f"{team} minutes")
        execute(dsn, "INSERT INTO meeting_metrics (team, meeting_id, duration_s, words, wpm, "
                     "speakers, speaker_balance, questions, decisions, action_items, "
                     "action_items_per_hour, efficiency_score) "
                     "VALUES (%s, 'standup', %s, 1, 1, 1, 1, 0, 0, 0, 0, 0.5)",
                     team, 60.0 if team == "alpha" else 120.0)
        add_ticket(dsn, f"t-{team}-standup", team, "standup", f"{team} standup task")
    for team, token, duration in (("alpha", seeded.alpha, 60.0), ("beta", seeded.beta, 120.0)):
        h = auth(token)
        listed = [m for m in client.get("/api/meetings", headers=h).json()
                  if m["meeting_id"] == "standup"]
        assert [(m["title"], m["segments"], m["has_final_minutes"]) for m in listed] == [
            (f"{team} standup", 1, True)]
        detail = client.get("/api/meetings/standup", headers=h).json()
        assert (detail["team"], detail["title"]) == (team, f"{team} standup")
        assert [s["text"] for s in detail["segments"]] == [f"{team} said this"]
        assert [m["summary"] for m in detail["minutes"]] == [f"{team} minutes"]
        assert [t["ticket_id"] for t in detail["tickets"]] == [f"t-{team}-standup"]
        assert detail["metrics"]["duration_s"] == duration
        report = client.get("/api/meetings/standup/report.md", headers=h).text
        assert f"{team} minutes" in report
        other = "beta" if team == "alpha" else "alpha"
        assert f"{other} minutes" not in report and f"{other} standup" not in report
        analytics = client.get("/api/analytics", headers=h).json()
        assert [m["duration_s"] for m in analytics["meeting_metrics"]] == [duration]
    events = execute(dsn, "SELECT team, type FROM events WHERE meeting_id = 'standup' "
                          "AND type IN ('segment', 'minutes') ORDER BY id")
    assert events == [("alpha", "segment"), ("alpha", "minutes"),
                      ("beta", "segment"), ("beta", "minutes")]


def test_patch_accepts_the_four_statuses_and_known_fields_only(
    client: TestClient, seeded: Seeded
) -> None:
    h = auth(seeded.alpha)
    for bad in ({"status": "archived"}, {"status": None}, {"team": "beta"}, {"ticket_id": "x"},
                {}, {"title": ""}, {"due_date": "next friday"}, {"status": "done", "extra": 1}):
        assert client.patch("/api/tickets/t-alpha", json=bad, headers=h).status_code == 422, bad
    assert execute(seeded.dsn, "SELECT status FROM tickets WHERE ticket_id = 't-alpha'") == [
        ("todo",)]
    for status in ("in_progress", "blocked", "done", "todo"):
        r = client.patch("/api/tickets/t-alpha", json={"status": status}, headers=h)
        assert r.status_code == 200 and r.json()["status"] == status
    r = client.patch("/api/tickets/t-alpha",
                     json={"status": "done", "assignee": "Carol", "due_date": "2027-01-15"},
                     headers=h)
    assert r.status_code == 200
    assert (r.json()["assignee"], r.json()["due_date"]) == ("Carol", "2027-01-15")
    events = execute(
        seeded.dsn,
        "SELECT event, old_status, new_status, actor, meeting_id FROM ticket_events "
        "ORDER BY event_id",
    )
    # One change, one row: the last PATCH moved the status and edited two fields at once.
    assert events == [
        ("status", "todo", "in_progress", "board", None),
        ("status", "in_progress", "blocked", "board", None),
        ("status", "blocked", "done", "board", None),
        ("status", "done", "todo", "board", None),
        ("status", "todo", "done", "board", None),
    ]
    last = execute(seeded.dsn, "SELECT changes FROM ticket_events ORDER BY event_id DESC LIMIT 1")[0][0]
    assert last["status"] == {"old": "todo", "new": "done"}
    assert last["assignee"]["new"] == "Carol" and last["due_date"]["new"] == "2027-01-15"
    r = client.patch("/api/tickets/t-alpha", json={"title": "Renamed"}, headers=h)
    assert r.status_code == 200 and r.json()["title"] == "Renamed"
    assert execute(seeded.dsn, "SELECT event, old_status, new_status FROM ticket_events "
                               "ORDER BY event_id DESC LIMIT 1") == [("edited", "done", "done")]
    # Sending what is already there changes nothing and records nothing.
    same = client.patch("/api/tickets/t-alpha", json={"status": "done"}, headers=h)
    assert same.status_code == 200
    assert execute(seeded.dsn, "SELECT count(*) FROM ticket_events") == [(6,)]


def test_websocket_auth_matrix(client: TestClient, seeded: Seeded) -> None:
    # Refused before the socket opens: a bad since=, and a token in the URL (servers log URLs).
    denied = [
        (f"/ws?team=alpha&token={seeded.alpha}", 400),
        ("/ws?team=alpha&since=-1", 422),
        ("/ws?team=alpha&since=abc", 422),
    ]
    for url, status in denied:
        with pytest.raises(WebSocketDenialResponse) as denial, client.websocket_connect(url):
            pass
        assert denial.value.status_code == status, url
    # Opened, then closed by the first message's token: 4401 unknown / not a board token / no
    # auth message, 4403 another team's.
    closed: list[tuple[str | None, str, int]] = [
        ("vori_b_bogus", "team=alpha", 4401),
        ("vori_b_" + "A" * 43, "team=alpha", 4401),
        (seeded.producer, "team=alpha", 4401),
        (seeded.alpha, "team=beta", 4403),
        (seeded.beta, "team=alpha", 4403),
        (None, "team=alpha", 4401),  # says nothing: closed after board_ws_auth_timeout_s
    ]
    for token, query, code in closed:
        with feed(client, token, query) as ws:
            assert closed_with(ws)[0] == code, (token, query)
    for first in (json.dumps({"token": seeded.alpha}), seeded.alpha, "{oops",
                  json.dumps({"type": "auth", "token": seeded.alpha, "pad": "x" * 2000})):
        with client.websocket_connect("/ws?team=alpha") as ws:
            ws.send_text(first)
            assert closed_with(ws)[0] == 4401, first
    # The right token in the first message opens the feed, with or without ?team=.
    for query in ("team=alpha", "", "since=0"):
        with feed(client, seeded.alpha, query) as ws:
            message = ws.receive_json()
            while message["type"] != "ready":
                message = ws.receive_json()
            assert message["team"] == "alpha"


def test_websocket_pushes_only_the_tokens_team_live(client: TestClient, seeded: Seeded) -> None:
    with feed(client, seeded.alpha) as ws:
        assert ws.receive_json()["type"] == "ready"
        add_ticket(seeded.dsn, "t-beta-2", "beta", "m-beta", "secret beta work")
        execute(seeded.dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                            "VALUES ('beta', 'm-beta', 5000, 6000, 'beta only')")
        add_ticket(seeded.dsn, "t-alpha-2", "alpha", "m-alpha", "alpha work")
        created = ws.receive_json()
        assert (created["type"], created["data"]["ticket_id"]) == ("ticket.created", "t-alpha-2")
        assert created["team"] == "alpha"
        execute(seeded.dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                            "VALUES ('alpha', 'm-alpha', 5000, 6000, 'alpha line')")
        segment = ws.receive_json()
        assert (segment["type"], segment["data"]["text"]) == ("segment", "alpha line")
        assert segment["id"] > created["id"]
        r = client.patch("/api/tickets/t-alpha-2", json={"status": "done"},
                         headers=auth(seeded.alpha))
        assert r.status_code == 200
        updated = ws.receive_json()
        assert updated["type"] == "ticket.updated"
        assert (updated["data"]["old_status"], updated["data"]["status"]) == ("todo", "done")
        execute(seeded.dsn, "UPDATE meetings SET status = 'closed', ended_at = now() "
                            "WHERE meeting_id IN ('m-beta', 'm-alpha')")
        closed = ws.receive_json()
        assert (closed["type"], closed["meeting_id"]) == ("meeting.closed", "m-alpha")


def test_reconnect_with_since_catches_up_then_goes_live(client: TestClient, seeded: Seeded) -> None:
    alpha_ids = [r[0] for r in execute(seeded.dsn,
                                       "SELECT id FROM events WHERE team = 'alpha' ORDER BY id")]
    assert len(alpha_ids) == 4  # meeting.started, segment, minutes, ticket.created
    with feed(client, seeded.alpha, "team=alpha&since=0") as ws:
        backlog = [ws.receive_json() for _ in alpha_ids]
        assert [e["id"] for e in backlog] == alpha_ids
        assert [e["type"] for e in backlog] == [
            "meeting.started", "segment", "minutes", "ticket.created"]
        assert all(e["team"] == "alpha" for e in backlog)
        ready = ws.receive_json()
        assert (ready["type"], ready["last_id"]) == ("ready", alpha_ids[-1])
        add_ticket(seeded.dsn, "t-alpha-3", "alpha", "m-alpha", "after catch-up")
        assert ws.receive_json()["data"]["ticket_id"] == "t-alpha-3"
    with feed(client, seeded.alpha, f"team=alpha&since={alpha_ids[1]}") as ws:
        types = [ws.receive_json()["type"] for _ in range(4)]
        assert types == ["minutes", "ticket.created", "ticket.created", "ready"]


def test_rolled_back_writes_emit_nothing(client: TestClient, seeded: Seeded) -> None:
    with feed(client, seeded.alpha) as ws:
        assert ws.receive_json()["type"] == "ready"
        with psycopg.connect(seeded.dsn) as conn:
            conn.execute("INSERT INTO tickets (ticket_id, team, meeting_id, title) "
                         "VALUES ('t-ghost', 'alpha', 'm-alpha', 'never happened')")
            conn.execute("UPDATE tickets SET status = 'done' WHERE ticket_id = 't-alpha'")
            conn.rollback()
        add_ticket(seeded.dsn, "t-real", "alpha", "m-alpha", "committed")
        event = ws.receive_json()
        assert event["data"]["ticket_id"] == "t-real"
    assert execute(seeded.dsn,
                   "SELECT count(*) FROM events WHERE payload->>'ticket_id' = 't-ghost'") == [(0,)]


def test_triggers_label_events_with_the_meetings_team(seeded: Seeded) -> None:
    dsn = seeded.dsn
    execute(dsn, "UPDATE tickets SET title = title WHERE ticket_id = 't-alpha'")  # no-op: silent
    execute(dsn, "UPDATE meetings SET title = 'renamed' WHERE meeting_id = 'm-beta'")  # not shown
    execute(dsn, "INSERT INTO meetings (meeting_id, team, status) "
                 "VALUES ('m-gone', 'beta', 'closed')")
    rows = execute(dsn, "SELECT team, meeting_id, type FROM events ORDER BY id")
    assert rows == [
        ("alpha", "m-alpha", "meeting.started"),
        ("alpha", "m-alpha", "segment"),
        ("alpha", "m-alpha", "minutes"),
        ("beta", "m-beta", "meeting.started"),
        ("beta", "m-beta", "segment"),
        ("beta", "m-beta", "minutes"),
        ("alpha", "m-alpha", "ticket.created"),
        ("beta", "m-beta", "ticket.created"),
        ("beta", "m-gone", "meeting.closed"),
    ]


def test_report_markdown_is_the_teams_minutes_with_markup_escaped(
    client: TestClient, seeded: Seeded
) -> None:
    r = client.get("/api/meetings/m-alpha/report.md", headers=auth(seeded.alpha))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/markdown")
    assert "alpha summary" in r.text and "ship it" in r.text and "alpha task" in r.text
    assert "beta" not in r.text
    assert "<script>" not in r.text


def test_page_and_assets_are_served_with_a_strict_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    script = (Path(STATIC_DIR) / "app.js").read_text()
    # Data reaches the DOM only through textContent/attributes.
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink


def test_a_revoked_tokens_open_socket_is_closed_within_the_ttl(
    client: TestClient, seeded: Seeded
) -> None:
    issued = issue_token(seeded.dsn, team="alpha", role="board")
    with feed(client, issued.token) as ws, feed(client, seeded.alpha) as other:
        assert ws.receive_json()["type"] == "ready"
        assert other.receive_json()["type"] == "ready"
        assert client.get("/api/whoami", headers=auth(issued.token)).status_code == 200
        assert revoke_token(seeded.dsn, issued.token_id)
        revoked_at = time.monotonic()
        assert closed_with(ws) == (4401, "token revoked or expired")
        assert time.monotonic() - revoked_at < TTL_S + 0.5
        # The re-check also dropped it from the cache: REST refuses it at once, not a TTL later.
        assert client.get("/api/whoami", headers=auth(issued.token)).status_code == 401
        # Another token's socket is untouched and still live.
        add_ticket(seeded.dsn, "t-after", "alpha", "m-alpha", "after the revocation")
        assert other.receive_json()["data"]["ticket_id"] == "t-after"


def test_an_expiring_tokens_socket_is_closed_when_it_expires(
    client: TestClient, seeded: Seeded
) -> None:
    issued = issue_token(seeded.dsn, team="alpha", role="board", expires_in=timedelta(seconds=2))
    with feed(client, issued.token) as ws:
        opened = time.monotonic()
        assert ws.receive_json()["type"] == "ready"
        assert closed_with(ws)[0] == 4401
        assert 1.0 < time.monotonic() - opened < 2 + TTL_S + 0.5
    assert client.get("/api/whoami", headers=auth(issued.token)).status_code == 401
    with feed(client, issued.token) as ws:
        assert closed_with(ws)[0] == 4401


def test_the_page_never_puts_the_token_in_a_url(client: TestClient) -> None:
    script = client.get("/static/app.js").text
    # Every URL the page builds for the socket or an API call, and how it authenticates.
    assert re.search(r"new WebSocket\(`[^`]*\?\$\{q\}`\)", script)
    params = re.search(r"const q = new URLSearchParams\(\{([^}]*)\}\)", script)
    assert params is not None and "token" not in params.group(1)
    assert 'JSON.stringify({ type: "auth", token: state.token })' in script
    assert "token=" not in script
    assert "Authorization: `Bearer ${state.token}`" in script


def test_body_is_capped_before_it_is_read_and_parsed_only_after_the_token(
    client: TestClient, seeded: Seeded
) -> None:
    h = {**auth(seeded.alpha), "Content-Type": "application/json"}
    big = b'{"title": "' + b"x" * (64 * 1024) + b'"}'
    # Declared length over the cap: 413, token or not, and the ticket is untouched.
    for headers in (h, {"Content-Type": "application/json"}):
        r = client.patch("/api/tickets/t-alpha", content=big, headers=headers)
        assert r.status_code == 413 and "body over 65536 bytes" in r.json()["detail"]
    # No declared length (chunked): counted as it arrives, refused once past the cap.
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(100):
            yield b"y" * 4096
        yield b'"}'

    r = client.patch("/api/tickets/t-alpha", content=chunks(), headers=h)
    assert r.status_code == 413
    assert client.post("/api/tickets", content=big, headers=h).status_code == 413
    assert execute(seeded.dsn, "SELECT title FROM tickets WHERE ticket_id = 't-alpha'")[0][0] \
        .startswith("alpha task")
    # Under the cap, a body nobody may parse yet: the missing or wrong token answers first.
    for headers in ({"Content-Type": "application/json"},
                    {**auth("vori_b_" + "A" * 43), "Content-Type": "application/json"}):
        r = client.patch("/api/tickets/t-alpha", content=b"{not json", headers=headers)
        assert r.status_code == 401, headers
    # With the token it is parsed: malformed JSON is 422, a body just under the cap works.
    assert client.patch("/api/tickets/t-alpha", content=b"{not json", headers=h).status_code == 422
    title = "z" * 400
    r = client.patch("/api/tickets/t-alpha", json={"title": title}, headers=auth(seeded.alpha))
    assert r.status_code == 200 and r.json()["title"] == title


def test_a_database_outage_answers_only_temporarily_unavailable(
    client: TestClient, seeded: Seeded
) -> None:
    port = free_ports(1)[0]
    board: Any = client.app.state.board  # type: ignore[attr-defined]
    live_tokens = board.tokens
    dead = TokenStore(f"postgresql://postgres@127.0.0.1:{port}/vori", timeout_s=0.5)
    client.portal.call(dead.open)  # type: ignore[union-attr]
    board.tokens = dead
    try:
        r = client.get("/api/whoami", headers=auth(seeded.alpha))
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert r.json() == {"detail": "temporarily unavailable"}
        assert str(port) not in r.text and "127.0.0.1" not in r.text
        with feed(client, seeded.alpha) as ws:
            assert closed_with(ws) == (1013, "temporarily unavailable")
        # Junk tokens are still refused without the database: 401, not 503.
        assert client.get("/api/whoami", headers=auth("vori_b_junk")).status_code == 401
    finally:
        board.tokens = live_tokens
        client.portal.call(dead.close)  # type: ignore[union-attr]
