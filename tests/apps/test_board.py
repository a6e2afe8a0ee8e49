"""The board's REST API, WebSocket feed and event triggers against the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketDenialResponse

from apps.board import STATIC_DIR, create_app
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token

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
            "INSERT INTO transcript_segments (meeting_id, start_ms, end_ms, text) "
            "VALUES (%s, 0, 1500, %s)",
            mid, f"hello from {team} {XSS}",
        )
        execute(
            dsn,
            "INSERT INTO meeting_minutes (meeting_id, kind, summary, decisions) "
            "VALUES (%s, 'final', %s, '[\"ship it\"]')",
            mid, f"{team} summary {XSS}",
        )
    add_ticket(dsn, "t-alpha", "alpha", "m-alpha", f"alpha task {XSS}")
    add_ticket(dsn, "t-beta", "beta", "m-beta", "beta task")
    return Seeded(
        dsn,
        alpha=create_token(dsn, team="alpha", role="board"),
        beta=create_token(dsn, team="beta", role="board"),
        producer=create_token(dsn, team="alpha", role="producer"),
    )


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=seeded.dsn))) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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
    cases = [
        ("/ws?team=alpha", 401),
        ("/ws?team=alpha&token=vori_b_bogus", 401),
        (f"/ws?team=alpha&token={seeded.producer}", 401),
        (f"/ws?team=beta&token={seeded.alpha}", 403),
        (f"/ws?team=alpha&token={seeded.beta}", 403),
        (f"/ws?team=alpha&token={seeded.alpha}&since=-1", 422),
        (f"/ws?team=alpha&token={seeded.alpha}&since=abc", 422),
    ]
    for url, status in cases:
        with pytest.raises(WebSocketDenialResponse) as denied, client.websocket_connect(url):
            pass
        assert denied.value.status_code == status, url


def test_websocket_pushes_only_the_tokens_team_live(client: TestClient, seeded: Seeded) -> None:
    with client.websocket_connect(f"/ws?team=alpha&token={seeded.alpha}") as ws:
        assert ws.receive_json()["type"] == "ready"
        add_ticket(seeded.dsn, "t-beta-2", "beta", "m-beta", "secret beta work")
        execute(seeded.dsn, "INSERT INTO transcript_segments (meeting_id, start_ms, end_ms, text) "
                            "VALUES ('m-beta', 5000, 6000, 'beta only')")
        add_ticket(seeded.dsn, "t-alpha-2", "alpha", "m-alpha", "alpha work")
        created = ws.receive_json()
        assert (created["type"], created["data"]["ticket_id"]) == ("ticket.created", "t-alpha-2")
        assert created["team"] == "alpha"
        execute(seeded.dsn, "INSERT INTO transcript_segments (meeting_id, start_ms, end_ms, text) "
                            "VALUES ('m-alpha', 5000, 6000, 'alpha line')")
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
    with client.websocket_connect(f"/ws?team=alpha&token={seeded.alpha}&since=0") as ws:
        backlog = [ws.receive_json() for _ in alpha_ids]
        assert [e["id"] for e in backlog] == alpha_ids
        assert [e["type"] for e in backlog] == [
            "meeting.started", "segment", "minutes", "ticket.created"]
        assert all(e["team"] == "alpha" for e in backlog)
        ready = ws.receive_json()
        assert (ready["type"], ready["last_id"]) == ("ready", alpha_ids[-1])
        add_ticket(seeded.dsn, "t-alpha-3", "alpha", "m-alpha", "after catch-up")
        assert ws.receive_json()["data"]["ticket_id"] == "t-alpha-3"
    with client.websocket_connect(
        f"/ws?team=alpha&token={seeded.alpha}&since={alpha_ids[1]}"
    ) as ws:
        types = [ws.receive_json()["type"] for _ in range(4)]
        assert types == ["minutes", "ticket.created", "ticket.created", "ready"]


def test_rolled_back_writes_emit_nothing(client: TestClient, seeded: Seeded) -> None:
    with client.websocket_connect(f"/ws?team=alpha&token={seeded.alpha}") as ws:
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
