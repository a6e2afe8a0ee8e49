"""Inbound tracker webhooks on the board (POST /hooks/{kind}/{team}), approval in proposal mode,
and `vori tracker`: signatures verified, replays refused, a status change moves the card as
actor `tracker` and is not pushed back; secrets are only ever named."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from apps.board import create_app
from apps.cli import main as vori
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.tracker_store import TrackerStore
from connectors.trackers import Connection

SECRETS = {"GH_HOOK": "gh-hook-secret", "JIRA_HOOK": "jira-hook-secret", "LIN_HOOK": "lin-hook-secret"}


def sql(dsn: str, query: str, *args: object) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


@pytest.fixture
def dsn(pg_database_dsn: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    migrate(pg_database_dsn)
    teams = {"alpha": ("github", "#7", "7"), "beta": ("jira", "ENG-3", "ENG-3"),
             "gamma": ("linear", "ENG-9", "lin-uuid-9")}
    with TrackerStore(pg_database_dsn) as store:
        for team, (kind, key, external_id) in teams.items():
            sql(pg_database_dsn, "INSERT INTO meetings (meeting_id, team) VALUES (%s, %s)", f"m-{team}", team)
            sql(pg_database_dsn, "INSERT INTO tickets (ticket_id, team, meeting_id, title, status) "
                "VALUES (%s, %s, %s, 'ship it', 'in_progress')", f"t-{team}", team, f"m-{team}")
            config = {"github": {"repo": "acme/app"}, "jira": {"site": "https://x", "project": "ENG",
                                                               "email_env": "E"},
                      "linear": {"team_key": "ENG"}}[kind]
            store.save_connection(Connection(
                team=team, kind=kind, config=config, token_env="TOKEN",
                webhook_secret_env={"github": "GH_HOOK", "jira": "JIRA_HOOK", "linear": "LIN_HOOK"}[kind]))
            sql(pg_database_dsn, "INSERT INTO tracker_links (ticket_id, team, kind, external_id, external_key, url) "
                "VALUES (%s, %s, %s, %s, %s, 'https://tracker.example/x')", f"t-{team}", team, kind, external_id, key)
    return pg_database_dsn


@pytest.fixture
def client(dsn: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=dsn, token_cache_ttl_s=1.0))) as c:
        yield c


def status_of(dsn: str, team: str) -> str:
    return sql(dsn, "SELECT status FROM tickets WHERE ticket_id = %s", f"t-{team}")[0][0]


def tracker_events(dsn: str, team: str) -> list[tuple]:
    return sql(dsn, "SELECT actor, old_status, new_status, quote FROM ticket_events "
               "WHERE ticket_id = %s ORDER BY event_id", f"t-{team}")


def outbox(dsn: str) -> list[tuple]:
    return sql(dsn, "SELECT ticket_id, op FROM tracker_outbox")


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_hook(action: str, secret: str = SECRETS["GH_HOOK"], delivery: str | None = None,
                number: int = 7) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"action": action, "issue": {"number": number, "state": "closed"}}).encode()
    return body, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
                  "X-Hub-Signature-256": f"sha256={sign(secret, body)}", "Content-Type": "application/json"}


def test_a_signed_github_close_moves_the_card_once_and_is_not_pushed_back(client, dsn):
    body, headers = github_hook("closed")
    r = client.post("/hooks/github/alpha", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"ticket_id": "t-alpha", "status": "done"}
    assert status_of(dsn, "alpha") == "done"
    assert tracker_events(dsn, "alpha") == [("tracker", "in_progress", "done", "GitHub #7 closed")]
    assert outbox(dsn) == [], "a change from the tracker is not queued back to it"

    replay = client.post("/hooks/github/alpha", content=body, headers=headers)
    assert replay.status_code == 401 and "replay" in replay.text

    body, headers = github_hook("reopened")
    assert client.post("/hooks/github/alpha", content=body, headers=headers).status_code == 200
    assert status_of(dsn, "alpha") == "todo"
    assert len(tracker_events(dsn, "alpha")) == 2


@pytest.mark.parametrize("tamper", ["wrong_secret", "no_signature", "body_changed", "no_delivery_id"])
def test_github_deliveries_with_bad_signatures_are_refused(client, dsn, tamper):
    body, headers = github_hook("closed", secret="not-the-secret" if tamper == "wrong_secret" else SECRETS["GH_HOOK"])
    if tamper == "no_signature":
        del headers["X-Hub-Signature-256"]
    if tamper == "body_changed":
        body = body.replace(b'"number": 7', b'"number": 8')
    if tamper == "no_delivery_id":
        del headers["X-GitHub-Delivery"]
    r = client.post("/hooks/github/alpha", content=body, headers=headers)
    assert r.status_code == 401
    assert status_of(dsn, "alpha") == "in_progress" and tracker_events(dsn, "alpha") == []


def linear_hook(state: str, kind: str, at_ms: float, secret: str = SECRETS["LIN_HOOK"]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "Issue", "action": "update", "webhookTimestamp": at_ms,
                       "data": {"id": "lin-uuid-9", "identifier": "ENG-9", "state": {"name": state, "type": kind}},
                       "updatedFrom": {"stateId": "st-progress"}}).encode()
    return body, {"Linear-Signature": sign(secret, body), "Linear-Delivery": str(uuid.uuid4()),
                  "Content-Type": "application/json"}


def test_linear_signature_and_replay_window(client, dsn):
    now_ms = time.time() * 1000
    body, headers = linear_hook("Done", "completed", now_ms - 5 * 60 * 1000)
    assert client.post("/hooks/linear/gamma", content=body, headers=headers).status_code == 401, "stale"
    body, headers = linear_hook("Done", "completed", now_ms, secret="forged")
    assert client.post("/hooks/linear/gamma", content=body, headers=headers).status_code == 401
    assert status_of(dsn, "gamma") == "in_progress"

    body, headers = linear_hook("Done", "completed", now_ms)
    r = client.post("/hooks/linear/gamma", content=body, headers=headers)
    assert r.status_code == 200 and status_of(dsn, "gamma") == "done"
    assert tracker_events(dsn, "gamma")[0][0] == "tracker"
    assert client.post("/hooks/linear/gamma", content=body, headers=headers).status_code == 401, "replay"


def jira_hook(to: str, secret: str = SECRETS["JIRA_HOOK"], at_ms: float | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({
        "webhookEvent": "jira:issue_updated", "timestamp": at_ms or time.time() * 1000,
        "issue": {"key": "ENG-3", "fields": {"status": {"name": to, "statusCategory": {"key": "done"}}}},
        "changelog": {"items": [{"field": "status", "fromString": "In Progress", "toString": to}]},
    }).encode()
    return body, {"X-Hub-Signature": f"sha256={sign(secret, body)}",
                  "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()), "Content-Type": "application/json"}


def test_jira_shared_secret_is_required(client, dsn):
    body, headers = jira_hook("Done", secret="guess")
    assert client.post("/hooks/jira/beta", content=body, headers=headers).status_code == 401
    body, headers = jira_hook("Done", at_ms=time.time() * 1000 - 3600 * 1000)
    assert client.post("/hooks/jira/beta", content=body, headers=headers).status_code == 401, "stale"
    assert status_of(dsn, "beta") == "in_progress"
    body, headers = jira_hook("Done")
    assert client.post("/hooks/jira/beta", content=body, headers=headers).status_code == 200
    assert status_of(dsn, "beta") == "done"


def test_hooks_for_another_kind_or_without_a_configured_secret_are_refused(client, dsn, monkeypatch):
    body, headers = github_hook("closed")
    assert client.post("/hooks/github/beta", content=body, headers=headers).status_code == 404
    assert client.post("/hooks/github/nobody", content=body, headers=headers).status_code == 404
    monkeypatch.delenv("GH_HOOK")
    assert client.post("/hooks/github/alpha", content=body, headers=headers).status_code == 401
    assert status_of(dsn, "alpha") == "in_progress"


def test_proposal_mode_waits_for_approval_on_the_board(client, dsn):
    alpha, beta = (create_token(dsn, team=t, role="board") for t in ("alpha", "beta"))
    with TrackerStore(dsn) as store:
        assert store.set_proposal("alpha", True)
    sql(dsn, "DELETE FROM tracker_links WHERE ticket_id = 't-alpha'")
    r = client.patch("/api/tickets/t-alpha", json={"title": "ship it now"},
                     headers={"Authorization": f"Bearer {alpha}"})
    assert r.status_code == 200
    state = client.get("/api/tracker", headers={"Authorization": f"Bearer {alpha}"}).json()
    assert state["proposed"] == ["t-alpha"]
    assert sql(dsn, "SELECT held FROM tracker_outbox WHERE ticket_id = 't-alpha'") == [(True,)]

    assert client.post("/api/tickets/t-alpha/approve").status_code == 401
    assert client.post("/api/tickets/t-alpha/approve", headers={"Authorization": f"Bearer {beta}"}).status_code == 404
    r = client.post("/api/tickets/t-alpha/approve", headers={"Authorization": f"Bearer {alpha}"})
    assert r.status_code == 200
    assert sql(dsn, "SELECT held FROM tracker_outbox WHERE ticket_id = 't-alpha'") == [(False,)]
    state = client.get("/api/tracker", headers={"Authorization": f"Bearer {beta}"}).json()
    assert state == {"links": {"t-beta": {"kind": "jira", "key": "ENG-3", "url": "https://tracker.example/x"}},
                     "proposed": []}


def test_vori_tracker_commands_store_and_print_only_variable_names(dsn, monkeypatch, capsys):
    monkeypatch.setenv("VORI_DATABASE_URL", dsn)
    monkeypatch.setenv("DELTA_GH_TOKEN", "ghp_supersecretvalue")
    assert vori(["tracker", "connect", "--team", "delta", "--kind", "github", "--repo", "acme/app",
                 "--api-url", "http://127.0.0.1:9", "--token-env", "DELTA_GH_TOKEN",
                 "--assignee-map", '{"Bob": "bob-gh"}', "--proposal"]) == 0
    assert vori(["tracker", "connect", "--team", "epsilon", "--kind", "jira", "--site", "https://e.atlassian.net",
                 "--project", "ENG", "--email-env", "JIRA_EMAIL", "--token-env", "JIRA_TOKEN"]) == 0
    assert vori(["tracker", "connect", "--team", "zeta", "--kind", "linear", "--team-key", "ENG",
                 "--token-env", "LINEAR_KEY"]) == 0
    assert vori(["tracker", "list"]) == 0
    out = capsys.readouterr()
    assert "ghp_supersecretvalue" not in out.out + out.err
    listing = [line for line in out.out.splitlines() if line.startswith(("delta", "epsilon", "zeta"))]
    assert listing[0].split("\t") == ["delta", "github", "acme/app", "token_env=DELTA_GH_TOKEN",
                                      "webhook_secret_env=-", "proposal=on"]
    assert listing[1].split("\t")[:3] == ["epsilon", "jira", "https://e.atlassian.net ENG"]
    dump = sql(dsn, "SELECT row_to_json(c)::text FROM tracker_connections c")
    assert dump and not any("ghp_supersecretvalue" in row[0] for row in dump)

    assert vori(["tracker", "proposal", "--team", "delta", "off"]) == 0
    assert vori(["tracker", "connect", "--team", "x", "--kind", "jira", "--token-env", "T"]) == 2
    assert vori(["tracker", "connect", "--team", "x", "--kind", "github", "--repo", "a/b",
                 "--token-env", "ghp_not a name"]) == 2
    assert "NAME of an environment variable" in capsys.readouterr().err
    assert vori(["tracker", "disconnect", "--team", "delta"]) == 0
    assert vori(["tracker", "disconnect", "--team", "delta"]) == 1
