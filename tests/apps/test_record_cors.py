"""The board's Record page from a browser's point of view, below the browser: the gateway lets
exactly the board's origin post (CORS), and the board serves the page and where to post."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from apps.board import create_app as create_board
from apps.gateway import cors_origins
from apps.gateway import create_app as create_gateway
from connectors.postgres import migrate
from connectors.settings import Settings
from tests.apps.gateway_helpers import V2_JSON, Tokens, envelope, new_meeting, v2_body

pytestmark = pytest.mark.timeout(60)

BOARD = "http://127.0.0.1:8181"


def preflight(client: TestClient, topic: str, origin: str) -> tuple[int, dict[str, str]]:
    r = client.options(f"/topics/{topic}", headers={
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    })
    return r.status_code, {k.lower(): v for k, v in r.headers.items()}


def test_only_the_board_origin_may_post_from_a_browser(
    gateway_settings: Settings, tokens: Tokens
) -> None:
    settings = gateway_settings.with_(board_url=f"{BOARD}/")
    topic = settings.audio_topic
    with TestClient(create_gateway(settings)) as gw:
        status, headers = preflight(gw, topic, BOARD)
        assert status == 200
        assert headers["access-control-allow-origin"] == BOARD
        allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
        assert {"authorization", "content-type"} <= allowed
        assert "POST" in headers["access-control-allow-methods"]

        r = gw.post(f"/topics/{topic}", json=v2_body(envelope(new_meeting())),
                    headers={"Origin": BOARD, "Content-Type": V2_JSON, **tokens.auth()})
        assert r.status_code == 200, r.text
        assert r.headers["access-control-allow-origin"] == BOARD
        # The page reads Retry-After to pace its retries.
        assert "retry-after" in r.headers["access-control-expose-headers"].lower()
        # A refusal is readable by the page too, so it can say why.
        r = gw.post(f"/topics/{topic}", json=v2_body(envelope(new_meeting())),
                    headers={"Origin": BOARD, "Content-Type": V2_JSON, "Authorization": "Bearer x"})
        assert r.status_code == 401
        assert r.headers["access-control-allow-origin"] == BOARD

        for other in ("http://127.0.0.1:9999", "https://evil.example", "http://localhost:8181"):
            status, headers = preflight(gw, topic, other)
            assert status == 400 and "access-control-allow-origin" not in headers, other
            r = gw.post(f"/topics/{topic}", json=v2_body(envelope(new_meeting())),
                        headers={"Origin": other, "Content-Type": V2_JSON, **tokens.auth()})
            assert "access-control-allow-origin" not in r.headers, other


def test_the_allowed_origins_follow_the_settings() -> None:
    assert cors_origins(Settings()) == ["http://127.0.0.1:8081"]
    assert cors_origins(Settings(board_host="0.0.0.0", board_port=9000)) == ["http://0.0.0.0:9000"]
    assert cors_origins(Settings(board_url="HTTP://Board.Example:8443/path/")) == [
        "http://board.example:8443"]
    both = Settings(board_url=BOARD,
                    gateway_cors_origins="https://board.example.com, http://10.0.0.5:8081")
    assert cors_origins(both) == ["https://board.example.com", "http://10.0.0.5:8081"]
    assert Settings.from_env({"VORI_GATEWAY_CORS_ORIGINS": "https://a.example"}
                             ).gateway_cors_origins == "https://a.example"


def test_the_board_serves_the_record_page_and_the_gateway_url(pg_database_dsn: str) -> None:
    migrate(pg_database_dsn)
    settings = Settings(database_url=pg_database_dsn, gateway_url="http://127.0.0.1:8180")
    with TestClient(create_board(settings)) as board:
        r = board.get("/record")
        assert r.status_code == 200
        assert 'src="/static/record.js"' in r.text and 'id="level"' in r.text
        policy = r.headers["content-security-policy"]
        # Scripts stay the page's own; only connections may leave for a gateway.
        assert "script-src 'self'" in policy and "object-src 'none'" in policy
        assert re.search(r"connect-src 'self' http: https:;", policy)
        assert board.get("/").headers["content-security-policy"].count("connect-src 'self';") == 1
        # Public, like the page: it names no secret, only where to post.
        assert board.get("/api/config").json() == {"gateway_url": "http://127.0.0.1:8180"}
        assert board.get("/static/record.js").status_code == 200
        assert 'href="/record"' in board.get("/").text
