"""The board in a real browser (Debian's headless Chromium via Playwright) while meetings stream
through the gateway into the running transcription flow.

What issue 7 asks, literally: open the board, stream a scripted meeting through the gateway, see
transcript lines appear live and a NEW ticket card appear in To do (made by the pipeline from what
a speaker said, not by the test), move it to Done, reload, see it stay. Then a later meeting of the
same team where Bob reports his task done moves his card to Done on the open board, pushed over
the WebSocket, without a reload. Last, clearly apart, rows inserted by the test check that markup
in ticket and transcript text stays inert.

A lighter test, the board alone, checks that no URL the page requests carries the token (the
socket gets it in its first message) and that revoking the token closes the open page's socket
and asks for another token.
"""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from vori_testing import meeting_envelopes, serve, settings_env, silence, speak

from apps.board import create_app as create_board
from apps.gateway import create_app as create_gateway
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token, issue_token, revoke_token

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

REPO_ROOT = Path(__file__).resolve().parents[2]
TEAM = "acme"
# espeak-ng en-us at 150 wpm, each sentence said by a labelled speaker (its own source); tiny.en
# reads all three whatever lead-in silence the windowing leaves ("I finished the database
# migration" came out as "beta base" when speech starts the window). 2 s of quiet after each is a
# pause long enough for the flow to cut the window while the meeting is still open.
BOB_PLAN = "I will finish the database migration by Friday."
ALICE_PLAN = "I will check the budget report next week."
BOB_DONE = "I have finished the database migration."
XSS_TITLE = '<script>window.__xss="script"</script>Fix <b>login</b>'
XSS_QUOTE = '<img src=x onerror="window.__xss=\'img\'">Bob said so'
XSS_LINE = '<img src=y onerror="window.__xss=\'line\'"><script>window.__xss="line2"</script>'


@contextmanager
def live_flow(settings: Settings, log_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """The transcription flow and the minutes flow as ops run them (``bytewax.run``), tailing their
    topics, so meetings can open, talk and close while they run; stopped at the end. Yields the
    transcription flow's process."""
    assert settings.input_tail
    flows = (("flows.transcription:main()", log_path),
             ("flows.minutes:main()", log_path.with_name(f"{log_path.stem}-minutes.log")))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for entry, path in flows:
            with path.open("wb") as log:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "bytewax.run", entry, "-w", "1"], env=settings_env(settings),
                    cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT))
        yield procs[0]
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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


def sql(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
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


def said(speaker: str, text: str, *, lead_s: float = 0.5) -> tuple[str, np.ndarray]:
    """One speaker's own source: a little silence, the sentence, then a pause the flow cuts at."""
    return speaker, np.concatenate([silence(lead_s), speak(text), silence(2.0)])


def meeting_chunks(meeting: str, title: str, voices: list[tuple[str, np.ndarray]]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Envelopes of each speaker's source, interleaved in time; and their final (closing) chunks."""
    per_source = []
    for speaker, pcm in voices:
        envs = meeting_envelopes(meeting, pcm, seconds=1.0, source=speaker.lower(),
                                 speaker=speaker, title=title)
        per_source.append(envs)
    chunks = [e for i in range(max(map(len, per_source)))
              for envs in per_source for e in envs[i:i + 1] if not e["final"]]
    finals = [envs[-1] for envs in per_source]
    return chunks, finals


def test_pipeline_ticket_appears_live_moves_persist_and_status_talk_moves_it(
    browser: Browser,
    pg_database_dsn: str,
    kafka_bootstrap: str,
    topic_factory: Callable[..., str],
    tmp_path: Path,
) -> None:
    dsn = pg_database_dsn
    migrate(dsn)
    producer = create_token(dsn, team=TEAM, role="producer")
    board_token = create_token(dsn, team=TEAM, role="board")
    settings = Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=dsn,
        audio_topic=topic_factory(1, "audio"),
        dlq_topic=topic_factory(1, "dlq"),
        transcript_topic=topic_factory(1, "transcripts"),
        input_tail=True,
        gap_timeout_s=2.0,
        # Minutes after every segment, so tickets appear while the meeting is still live.
        minutes_every_segments=1,
        model_cache_dir=tmp_path / "models",
    )
    first, second = "acme-standup-1", "acme-standup-2"
    errors: list[str] = []

    def post(http: httpx.Client, envs: list[dict[str, Any]]) -> None:
        for env in envs:
            r = http.post(
                f"/topics/{settings.audio_topic}",
                json={"records": [{"key": env["meeting_id"], "value": env}]},
                headers={"Authorization": f"Bearer {producer}",
                         "Content-Type": "application/vnd.kafka.json.v2+json"},
            )
            assert r.status_code == 200, r.text

    def tickets() -> dict[str, tuple[Any, ...]]:
        rows = sql(dsn, "SELECT title, ticket_id, assignee, due_date, status, meeting_id, "
                        "source_quote FROM tickets WHERE team = %s", TEAM)
        return {r[0]: r[1:] for r in rows}

    flow_log = tmp_path / "flow.log"
    with (live_flow(settings, flow_log) as flow,
          serve(create_board(settings), ws="websockets-sansio") as board_url,
          serve(create_gateway(settings), ws="websockets-sansio") as gw_url,
          httpx.Client(base_url=gw_url, timeout=30) as http):
        try:
            page = open_board(browser, board_url, board_token, errors)
            other = open_board(browser, board_url, board_token, errors)  # a second open board
            expect(page.locator("#live-meeting")).to_have_text("No meeting in progress.")
            expect(page.locator(".card")).to_have_count(0)

            # -- Meeting 1 streams through the gateway; its closing chunks are held back. --------
            chunks, finals = meeting_chunks(first, "Acme stand-up", [
                said("Bob", BOB_PLAN), said("Alice", ALICE_PLAN, lead_s=4.0)])
            post(http, chunks)
            # The gateway opened the meeting for team acme; the page follows it at once.
            expect(page.locator("#live-meeting")).to_contain_text("Acme stand-up", timeout=10_000)

            # Transcript lines appear live, labelled with their speaker.
            bob_line = page.locator("#transcript li", has=page.locator(".who", has_text="Bob"))
            expect(bob_line.first).to_contain_text("database migration", timeout=60_000)

            # The pipeline turns what was said into two new cards in To do, on both boards.
            todo = page.locator("#col-todo .card")
            expect(todo).to_have_count(2, timeout=60_000)
            made = tickets()
            assert set(made) == {"finish the database migration", "check the budget report"}, made
            migration_id, assignee, due, status, meeting_id, quote = made[
                "finish the database migration"]
            assert (assignee, status, meeting_id, quote) == ("Bob", "todo", first, BOB_PLAN)
            assert due.weekday() == 4 and 0 <= (due - dt.datetime.now(dt.UTC).date()).days <= 7
            budget_id = made["check the budget report"][0]
            assert made["check the budget report"][1] == "Alice"
            # ... while the meeting was still live: rolling minutes made them, no final minutes yet.
            assert sql(dsn, "SELECT status FROM meetings WHERE meeting_id = %s", first) == [("live",)]
            assert sql(dsn, "SELECT kind FROM meeting_minutes WHERE meeting_id = %s",
                       first) == [("rolling",)]

            migration = card(page, "todo", migration_id)
            expect(migration.locator(".title")).to_have_text("finish the database migration")
            expect(migration.locator(".assignee")).to_have_text("@Bob")
            expect(migration.locator(".due")).to_have_text(f"due {due.isoformat()}")
            expect(migration.locator(".quote")).to_have_text(BOB_PLAN)
            expect(migration.locator(".meeting")).to_have_text("Acme stand-up")
            expect(card(page, "todo", budget_id).locator(".assignee")).to_have_text("@Alice")
            expect(card(other, "todo", migration_id)).to_be_visible(timeout=10_000)
            expect(card(other, "todo", budget_id)).to_be_visible(timeout=10_000)

            # Move Alice's card to Done by its button, Bob's to In progress by drag and drop;
            # the other open board follows both.
            card(page, "todo", budget_id).locator('button[data-move="done"]').click()
            expect(card(page, "done", budget_id)).to_be_visible(timeout=10_000)
            migration.drag_to(page.locator('.column[data-status="in_progress"]'))
            expect(card(page, "in_progress", migration_id)).to_be_visible(timeout=10_000)
            expect(card(other, "done", budget_id)).to_be_visible(timeout=10_000)
            expect(card(other, "in_progress", migration_id)).to_be_visible(timeout=10_000)

            # Persisted: a reload (token kept in localStorage) shows both where they were put.
            page.reload()
            expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
            expect(card(page, "done", budget_id)).to_be_visible()
            expect(card(page, "in_progress", migration_id)).to_be_visible()

            # The meeting closes; its final minutes repeat the plans but make no new tickets.
            post(http, finals)
            expect(page.locator("#live-meeting")).to_contain_text("closed", timeout=30_000)
            deadline = time.monotonic() + 15
            while not sql(dsn, "SELECT 1 FROM meeting_minutes WHERE meeting_id = %s "
                               "AND kind = 'final'", first):
                assert time.monotonic() < deadline, "no final minutes for the first meeting"
                time.sleep(0.2)
            assert len(tickets()) == 2
            # The page showed every line the flow stored, in order (the sinks commit apart, so
            # compare once the meeting is over).
            stored = [r[0] for r in sql(dsn, "SELECT text FROM transcript_segments "
                                             "WHERE meeting_id = %s ORDER BY start_ms", first)]
            assert len(stored) >= 2, stored
            expect(page.locator("#transcript li .text")).to_have_text(stored, timeout=10_000)

            # -- Meeting 2, a later one of the same team: Bob's status talk moves his card. ------
            chunks2, finals2 = meeting_chunks(second, "Acme stand-up, day 2", [said("Bob", BOB_DONE)])
            post(http, chunks2 + finals2)
            expect(page.locator("#live-meeting")).to_contain_text("day 2", timeout=10_000)
            expect(card(page, "done", migration_id)).to_be_visible(timeout=60_000)  # no reload
            expect(card(other, "done", migration_id)).to_be_visible(timeout=10_000)
            expect(page.locator("#transcript li .text").first).to_contain_text("database migration")
            events = sql(dsn, "SELECT ticket_id, meeting_id, event, old_status, new_status, actor "
                              "FROM ticket_events ORDER BY event_id")
            assert set(events[:2]) == {(migration_id, first, "created", None, "todo", "pipeline"),
                                       (budget_id, first, "created", None, "todo", "pipeline")}
            assert events[2:] == [
                (budget_id, None, "status", "todo", "done", "board"),
                (migration_id, None, "status", "todo", "in_progress", "board"),
                (migration_id, second, "status", "in_progress", "done", "pipeline"),
            ]
            assert flow.poll() is None, "the flow stopped"
        except BaseException:
            sys.stderr.write(flow_log.read_text(errors="replace")[-4000:])
            raise

        # -- Apart from the pipeline: rows inserted by the test, with markup in their text. -------
        sql(dsn, "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                 "VALUES (%s, %s, 900000, 901000, %s)", TEAM, second, XSS_LINE)
        expect(page.locator("#transcript li .text").last).to_have_text(XSS_LINE)
        sql(dsn, "INSERT INTO tickets (ticket_id, team, meeting_id, title, assignee, due_date, "
                 "source_quote, source_start_ms) VALUES ('acme-xss', %s, %s, %s, 'Bob', "
                 "'2026-12-04', %s, 2000)", TEAM, first, XSS_TITLE, XSS_QUOTE)
        marked = card(page, "todo", "acme-xss")
        expect(marked.locator(".title")).to_have_text(XSS_TITLE, timeout=10_000)
        expect(marked.locator(".quote")).to_have_text(XSS_QUOTE)
        expect(card(other, "todo", "acme-xss")).to_be_visible(timeout=10_000)

        # The minutes view renders the first meeting's report as text.
        page.click('.tab[data-view="meetings"]')
        page.click(f'#meetings button[data-meeting-id="{first}"]')
        expect(page.locator("#report h2").first).to_have_text("Acme stand-up")
        expect(page.locator("#report")).to_contain_text("finish the database migration")
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


def test_the_token_stays_out_of_urls_and_revoking_it_closes_the_open_page(
    browser: Browser, pg_database_dsn: str
) -> None:
    dsn = pg_database_dsn
    migrate(dsn)
    issued = issue_token(dsn, team=TEAM, role="board")
    sql(dsn, "INSERT INTO meetings (meeting_id, team, title) VALUES ('m1', %s, 'Planning')", TEAM)
    settings = Settings(database_url=dsn, token_cache_ttl_s=1.0)
    errors: list[str] = []
    urls: list[str] = []
    with serve(create_board(settings), ws="websockets-sansio") as board_url:
        page = browser.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda request: urls.append(request.url))
        page.on("websocket", lambda ws: urls.append(ws.url))
        page.goto(board_url)
        page.fill("#token", issued.token)
        page.click("#save-token")
        expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
        expect(page.locator("#live-meeting")).to_contain_text("Planning")
        # Live events arrive over the socket that authenticated by its first message.
        sql(dsn, "INSERT INTO tickets (ticket_id, team, meeting_id, title) "
                 "VALUES ('t1', %s, 'm1', 'Pushed live')", TEAM)
        expect(card(page, "todo", "t1").locator(".title")).to_have_text("Pushed live",
                                                                        timeout=10_000)
        sockets = [u for u in urls if u.startswith("ws://")]
        assert len(sockets) == 1 and "/ws?" in sockets[0], urls
        assert all(issued.token not in u and "token=" not in u for u in urls), urls

        assert revoke_token(dsn, issued.token_id)
        expect(page.locator("#token-form")).to_be_visible(timeout=5_000)
        expect(page.locator("#error")).to_contain_text("revoked or has expired")
        expect(page.locator("#conn")).to_have_text("offline")
        # It does not keep reconnecting with a token that will not work.
        page.wait_for_timeout(1500)
        assert len([u for u in urls if u.startswith("ws://")]) == 1, urls
    assert errors == []
