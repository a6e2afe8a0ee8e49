"""The board in a real browser (Debian's headless Chromium via Playwright): a live meeting's lines
are replaced in place by the refined reading of their span, pushed over the WebSocket."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from vori_testing import serve

from apps.board import create_app as create_board
from connectors.postgres import connect, migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from connectors.transcript_store import write_items
from domain.records import RevisionRecord
from domain.timeline import MeetingSeen
from domain.transcript import Segment, TranscribedWindow

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

TEAM, M = "acme", "standup-1"


def seg(start: int, end: int, text: str, source: str = "main") -> Segment:
    return Segment(M, source, None, start, end, text, "en", "tiny.en", 1_700_000_000_000, team=TEAM)


def write(dsn: str, items) -> None:
    with connect(dsn) as conn:
        write_items(conn, items)


@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required for the browser tests"
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=executable,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield b
        finally:
            b.close()


def test_live_lines_are_replaced_in_place_by_the_refined_ones(browser: Browser, pg_database_dsn: str) -> None:
    dsn = pg_database_dsn
    migrate(dsn)
    token = create_token(dsn, team=TEAM, role="board")
    write(dsn, [MeetingSeen(M, TEAM, "Standup", 1_700_000_000_000, {"main": None, "mic-2": None})])
    errors: list[str] = []
    with serve(create_board(Settings(database_url=dsn)), ws="websockets-sansio") as url:
        page = browser.new_page(viewport={"width": 1500, "height": 900})
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(url)
        page.fill("#token", token)
        page.click("#save-token")
        expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
        expect(page.locator("#live-meeting")).to_contain_text("Standup")
        lines = page.locator("#transcript li .text")

        write(dsn, [TranscribedWindow(M, "main", 0, 5000, (seg(200, 2400, "Bob will finish the my gration"),
                                                             seg(2600, 4900, "by fry day.")), TEAM),
                    TranscribedWindow(M, "mic-2", 0, 5000, (seg(3000, 4000, "Okay.", "mic-2"),), TEAM),
                    TranscribedWindow(M, "main", 5000, 9000, (seg(5100, 8000, "Alice will review it."),), TEAM)])
        expect(lines).to_have_text(["Bob will finish the my gration", "by fry day.", "Okay.",
                                    "Alice will review it."], timeout=10_000)

        # The refined reading of main's first 5 s: its two live lines become one, where they were;
        # mic-2's line and main's later line stay.
        write(dsn, [RevisionRecord(TEAM, M, "main", 0, 5000, (seg(180, 4880, "Bob will finish the migration by Friday."),))])
        expect(lines).to_have_text(["Bob will finish the migration by Friday.", "Okay.", "Alice will review it."],
                                   timeout=10_000)
        expect(page.locator("#transcript li.refined .text")).to_have_text(["Bob will finish the migration by Friday."])

        # A reload shows the same: the table holds what the page showed.
        page.reload()
        expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
        expect(lines).to_have_text(["Bob will finish the migration by Friday.", "Okay.", "Alice will review it."],
                                   timeout=10_000)
        expect(page.locator("#transcript li.refined .text")).to_have_text(["Bob will finish the migration by Friday."])
    assert errors == []
