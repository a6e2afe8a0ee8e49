"""The board in a real browser (Debian's headless Chromium via Playwright) while a meeting streams
through the gateway and the transcription flow: live transcript lines, a ticket card that appears,
moves to Done by button and by drag and drop, survives a reload, and markup that stays inert."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import psycopg
import pytest
import uvicorn
from bytewax.testing import run_main
from fastapi import FastAPI
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from vori_testing import meeting_envelopes, silence, speak

from apps.board import create_app as create_board
from apps.gateway import create_app as create_gateway
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from flows.transcription import build_flow
from infra.procs import free_ports

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = (
    "Good morning everyone. Bob will finish the database migration by Friday. "
    "Alice agreed to review the budget report next week."
)
XSS_TITLE = '<script>window.__xss="script"</script>Fix <b>login</b>'
XSS_QUOTE = '<img src=x onerror="window.__xss=\'img\'">Bob said so'
XSS_LINE = '<img src=y onerror="window.__xss=\'line\'"><script>window.__xss="line2"</script>'


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """``app`` behind a real uvicorn server on a free port, in a thread; yields its base URL."""
    port = free_ports(1)[0]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, ws="websockets-sansio")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required for the browser tests"
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield b
        finally:
            b.close()


def sql(dsn: str, query: str, *args: object) -> list[tuple]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def open_board(browser: Browser, url: str, token: str | None, errors: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1500, "height": 900})
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    if token is not None:
        page.fill("#token", token)
        page.click("#save-token")
    expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
    return page


def card(page: Page, column: str, ticket_id: str) -> Locator:
    return page.locator(f'#col-{column} .card[data-ticket-id="{ticket_id}"]')


def test_board_follows_a_streamed_meeting_live_in_chromium(
    browser: Browser,
    pg_database_dsn: str,
    kafka_bootstrap: str,
    topic_factory: Callable[..., str],
    tmp_path: Path,
) -> None:
    dsn = pg_database_dsn
    migrate(dsn)
    producer = create_token(dsn, team="acme", role="producer")
    board_token = create_token(dsn, team="acme", role="board")
    settings = Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=dsn,
        audio_topic=topic_factory(1, "audio"),
        dlq_topic=topic_factory(1, "dlq"),
        transcript_topic=topic_factory(1, "transcripts"),
        input_tail=False,
        gap_timeout_s=2.0,
        model_cache_dir=tmp_path / "models",
    )
    meeting = "acme-standup"
    errors: list[str] = []

    with serve(create_board(settings)) as board_url, serve(create_gateway(settings)) as gw_url:
        page = open_board(browser, board_url, board_token, errors)
        other = open_board(browser, board_url, board_token, errors)  # a second open board
        expect(page.locator("#live-meeting")).to_have_text("No meeting in progress.")

        # Stream the scripted meeting through the gateway, as a producer would.
        pcm = speak(SCRIPT)
        envs = meeting_envelopes(meeting, np.concatenate([pcm, silence(1.0)]), seconds=2.0,
                                 title="Acme stand-up")
        with httpx.Client(base_url=gw_url, timeout=30) as http:
            for env in envs:
                r = http.post(
                    f"/topics/{settings.audio_topic}",
                    json={"records": [{"key": meeting, "value": env}]},
                    headers={"Authorization": f"Bearer {producer}",
                             "Content-Type": "application/vnd.kafka.json.v2+json"},
                )
                assert r.status_code == 200, r.text
        # The gateway opened the meeting for team acme; the page follows it at once.
        expect(page.locator("#live-meeting")).to_contain_text("Acme stand-up", timeout=10_000)

        flow = threading.Thread(target=run_main, args=(build_flow(settings),), daemon=True)
        flow.start()
        # Transcript lines arrive while the flow is still writing them.
        expect(page.locator("#transcript li").first).to_be_visible(timeout=120_000)
        lines_while_running = page.locator("#transcript li").count()
        flow.join(timeout=180)
        assert not flow.is_alive(), "the flow did not finish"
        assert lines_while_running >= 1

        stored = [r[0] for r in sql(dsn, "SELECT text FROM transcript_segments "
                                         "WHERE meeting_id = %s ORDER BY start_ms", meeting)]
        assert stored, "the flow wrote no transcript"
        expect(page.locator("#transcript li .text")).to_have_text(stored, timeout=10_000)
        shown = " ".join(stored).lower()
        assert "database" in shown or "budget" in shown, shown

        # Markup in a transcript line shows literally and never runs.
        sql(dsn, "INSERT INTO transcript_segments (meeting_id, start_ms, end_ms, text) "
                 "VALUES (%s, 900000, 901000, %s)", meeting, XSS_LINE)
        expect(page.locator("#transcript li .text").last).to_have_text(XSS_LINE)

        # A ticket written as the tickets sink would: its card appears in To do on both boards.
        sql(dsn,
            "INSERT INTO tickets (ticket_id, team, meeting_id, title, assignee, due_date, "
            "source_quote, source_start_ms) VALUES "
            "('acme-1', 'acme', %s, %s, 'Bob', '2026-12-04', %s, 2000), "
            "('acme-2', 'acme', %s, 'Review the budget report', 'Alice', NULL, "
            "'Alice agreed to review the budget report', 6000)",
            meeting, XSS_TITLE, XSS_QUOTE, meeting)
        first = card(page, "todo", "acme-1")
        expect(first).to_be_visible(timeout=10_000)
        expect(first.locator(".title")).to_have_text(XSS_TITLE)
        expect(first.locator(".quote")).to_have_text(XSS_QUOTE)
        expect(first.locator(".assignee")).to_have_text("@Bob")
        expect(first.locator(".due")).to_have_text("due 2026-12-04")
        expect(first.locator(".meeting")).to_have_text("Acme stand-up")
        expect(card(other, "todo", "acme-1")).to_be_visible(timeout=10_000)

        # Move one card by its button and the other by drag and drop.
        first.locator('button[data-move="done"]').click()
        expect(card(page, "done", "acme-1")).to_be_visible(timeout=10_000)
        expect(card(other, "done", "acme-1")).to_be_visible(timeout=10_000)
        card(page, "todo", "acme-2").drag_to(page.locator('.column[data-status="in_progress"]'))
        expect(card(page, "in_progress", "acme-2")).to_be_visible(timeout=10_000)
        expect(card(other, "in_progress", "acme-2")).to_be_visible(timeout=10_000)

        # Persisted: a reload (token kept in localStorage) shows both where they were put.
        page.reload()
        expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
        expect(card(page, "done", "acme-1")).to_be_visible()
        expect(card(page, "in_progress", "acme-2")).to_be_visible()
        assert sql(dsn, "SELECT ticket_id, old_status, new_status, actor FROM ticket_events "
                        "ORDER BY event_id") == [
            ("acme-1", "todo", "done", "board"), ("acme-2", "todo", "in_progress", "board")]

        # The minutes view renders the meeting's report as text.
        page.click('.tab[data-view="meetings"]')
        page.click(f'#meetings button[data-meeting-id="{meeting}"]')
        expect(page.locator("#report h2").first).to_have_text("Acme stand-up")
        expect(page.locator("#report")).to_contain_text("Fix <b>login</b>")
        page.click('.tab[data-view="analytics"]')
        expect(page.locator("#trends-chart")).to_contain_text("No keyword trends yet")
        page.click('.tab[data-view="board"]')

        # Nothing that came from data ran or became markup.
        for p in (page, other):
            assert p.evaluate("window.__xss") is None
            assert p.locator(".card img, .card script, #transcript img, #transcript script,"
                             " #report img, #report script, .card b").count() == 0
        assert errors == []

        artifacts = REPO_ROOT / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "board.png"), full_page=True)
