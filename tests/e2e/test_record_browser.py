"""The Record page in a real browser (Debian's headless Chromium via Playwright): a scripted
meeting, played into Chromium's fake microphone, recorded by ``MediaRecorder`` and posted to the
gateway as one WebM stream, lands in ``transcript_segments`` about as well as the same WAV sent
by ``vori send`` through the same stack.

On the way the page shows its microphone level, the elapsed time, the live transcript and the
ticket the meeting makes; a gateway outage in the middle (the page's requests aborted for a few
seconds) shows the warning, and the held chunks go out afterwards under their own seqs, so
nothing is lost. A screenshot of the page while recording is saved as artifacts/record.png.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest
from playwright.sync_api import Browser, Request, expect, sync_playwright
from vori_testing import RATE, serve, settings_env, silence, speak, wer

from apps.board import create_app as create_board
from apps.gateway import create_app as create_gateway
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import create_token
from infra.procs import free_ports
from tests.e2e.test_board_browser import live_flow

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(420)]

REPO_ROOT = Path(__file__).resolve().parents[2]
TEAM = "acme"
TITLE = "Weekly planning"
# espeak-ng en-us at 150 wpm with 2 s pauses, each long enough for the flow to cut its window.
SCRIPT = [
    "Good morning everyone, let us start the weekly planning meeting.",
    "I will finish the database migration by Friday.",
    "The new login page is ready for review.",
    "We should check the budget report next week.",
]
LEAD_S, PAUSE_S = 1.0, 2.0
OUTAGE_S = 6.0


def write_meeting_wav(path: Path) -> float:
    """The scripted meeting as 16 kHz mono 16-bit PCM WAV (what Chromium's fake capture reads);
    returns its seconds."""
    parts = [silence(LEAD_S)]
    for sentence in SCRIPT:
        parts += [speak(sentence), silence(PAUSE_S)]
    pcm = np.concatenate(parts).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return len(pcm) / RATE


@pytest.fixture
def recording_browser(tmp_path: Path) -> Iterator[tuple[Browser, float]]:
    """Chromium whose microphone plays the meeting once (``%noloop``), then silence."""
    wav = tmp_path / "meeting.wav"
    seconds = write_meeting_wav(wav)
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required for the browser tests"
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}%noloop",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield b, seconds
        finally:
            b.close()


def sql(dsn: str, query: str, *args: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        cur = conn.execute(query, args)
        return cur.fetchall() if cur.description else []


def wait_for(what: str, check: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def transcript(dsn: str, meeting: str) -> str:
    rows = sql(dsn, "SELECT text FROM transcript_segments WHERE meeting_id = %s ORDER BY start_ms",
               meeting)
    return " ".join(r[0] for r in rows)


def test_record_page_streams_the_microphone_as_well_as_vori_send(
    recording_browser: tuple[Browser, float],
    pg_database_dsn: str,
    kafka_bootstrap: str,
    topic_factory: Callable[..., str],
    tmp_path: Path,
) -> None:
    browser, wav_seconds = recording_browser
    wav = tmp_path / "meeting.wav"
    dsn = pg_database_dsn
    migrate(dsn)
    producer = create_token(dsn, team=TEAM, role="producer")
    board_token = create_token(dsn, team=TEAM, role="board")
    # The baseline meeting belongs to another team, so its ticket is not the recorded one's.
    baseline_producer = create_token(dsn, team="globex", role="producer")
    board_port, gateway_port = free_ports(2)
    board_origin = f"http://127.0.0.1:{board_port}"
    gateway_url = f"http://127.0.0.1:{gateway_port}"
    settings = Settings(
        kafka_bootstrap=kafka_bootstrap,
        database_url=dsn,
        audio_topic=topic_factory(1, "audio"),
        dlq_topic=topic_factory(1, "dlq"),
        transcript_topic=topic_factory(1, "transcripts"),
        input_tail=True,
        gap_timeout_s=2.0,
        minutes_every_segments=1,
        model_cache_dir=tmp_path / "models",
        # What `vori up` writes to stack.env: the gateway then lets the board's origin post.
        board_url=board_origin,
        gateway_url=gateway_url,
    )
    errors: list[str] = []
    posted: list[tuple[int, bool]] = []  # (seq, delivered) of each post the page made, in order

    def track(request: Request, delivered: bool) -> None:
        if request.method == "POST" and "/topics/" in request.url:
            posted.append((json.loads(request.post_data or "{}")["records"][0]["value"]["seq"],
                           delivered))

    flow_log = tmp_path / "flow.log"
    with (live_flow(settings, flow_log) as flow,
          serve(create_board(settings), port=board_port, ws="websockets-sansio"),
          serve(create_gateway(settings), port=gateway_port)):
        try:
            # The baseline: the same WAV through `vori send`, as another meeting.
            sent = subprocess.run(
                [sys.executable, "-m", "apps.cli", "send", str(wav), "--meeting", "acme-sent",
                 "--title", TITLE, "--url", gateway_url, "--token", baseline_producer],
                env=settings_env(settings), cwd=REPO_ROOT, capture_output=True, text=True,
                timeout=120,
            )
            assert sent.returncode == 0, sent.stderr

            page = browser.new_page(viewport={"width": 1400, "height": 800})
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("requestfinished", lambda r: track(r, r.response().status == 200
                                                       if r.response() else False))
            page.on("requestfailed", lambda r: track(r, False))
            page.goto(f"{board_origin}/record")
            # The page asks for both tokens; the gateway URL comes from the board's config.
            expect(page.locator("#gateway-url")).to_have_value(gateway_url, timeout=10_000)
            page.fill("#producer-token", producer)
            page.fill("#board-token", board_token)
            page.click("#save-tokens")
            expect(page.locator("#conn")).to_have_text("live", timeout=15_000)
            expect(page.locator("#team")).to_have_text(f"team {TEAM}")

            page.fill("#title", TITLE)
            page.click("#start")
            started = time.monotonic()
            expect(page.locator("#state")).to_have_text("recording", timeout=10_000)
            meeting = page.locator("#meeting-id").inner_text()
            assert meeting.startswith("rec-"), meeting
            # The meter follows the voice (espeak is loud: well above -30 dBFS).
            level = page.locator("#level")
            wait_for("the level meter to move",
                     lambda: float(level.evaluate("e => e.value")) > 0.5, 15)
            expect(page.locator("#sent")).not_to_have_text("0", timeout=20_000)

            # The gateway goes away for a few seconds: chunks are held, with a warning ...
            page.route(f"{gateway_url}/topics/**", lambda route: route.abort("connectionrefused"))
            expect(page.locator("#warning")).to_contain_text("unreachable", timeout=15_000)
            expect(page.locator("#warning")).to_contain_text("holding")
            page.wait_for_timeout(OUTAGE_S * 1000)
            held = page.locator("#warning").inner_text()
            page.unroute(f"{gateway_url}/topics/**")
            # ... and sent once it is back.
            expect(page.locator("#warning")).to_be_hidden(timeout=30_000)
            assert "chunks" in held, held  # more than one was held

            # Live while recording: the transcript appears and the meeting's ticket with it.
            expect(page.locator("#transcript li .text").first).to_be_visible(timeout=120_000)
            expect(page.locator("#tickets li .title")).to_contain_text(
                ["finish the database migration"], timeout=120_000)
            # The whole file has played (the microphone gives silence after it).
            time.sleep(max(0.0, started + wav_seconds + 1 - time.monotonic()))
            elapsed = page.locator("#elapsed").inner_text()
            assert int(elapsed[:2]) * 60 + int(elapsed[3:]) >= int(wav_seconds), elapsed
            expect(page.locator("#state")).to_have_text("recording")
            artifacts = REPO_ROOT / "artifacts"
            artifacts.mkdir(exist_ok=True)
            page.screenshot(path=str(artifacts / "record.png"), full_page=True)

            page.click("#stop")
            expect(page.locator("#state")).to_contain_text("closed", timeout=60_000)
            expect(page.locator("#level")).to_have_js_property("value", 0)
            assert page.locator("#warning").is_hidden()

            for m in (meeting, "acme-sent"):
                wait_for(f"meeting {m} to close",
                         lambda m=m: sql(dsn, "SELECT status FROM meetings WHERE meeting_id = %s",
                                         m) == [("closed",)], 60)
            assert sql(dsn, "SELECT team, title FROM meetings WHERE meeting_id = %s",
                       meeting) == [(TEAM, TITLE)]
            # Every chunk went out under its own seq, a refused one again under the same seq,
            # and none is missing: no gap, nothing dead-lettered.
            delivered = [seq for seq, ok in posted if ok]
            failed = {seq for seq, ok in posted if not ok}
            assert delivered == list(range(len(delivered))), posted
            assert failed and failed <= set(delivered), posted
            assert sql(dsn, "SELECT count(*) FROM audio_gaps WHERE meeting_id = %s",
                       meeting) == [(0,)]

            reference = " ".join(SCRIPT)
            recorded, baseline = transcript(dsn, meeting), transcript(dsn, "acme-sent")
            recorded_wer, baseline_wer = wer(reference, recorded), wer(reference, baseline)
            print(f"\nWER record page {recorded_wer:.3f} ({recorded!r})"
                  f"\nWER vori send   {baseline_wer:.3f} ({baseline!r})")
            # The page's audio went through the browser's Opus encoder: within a fifth of the
            # file's WER, and one word of slack, since a ratio alone allows no word when the file
            # is read perfectly (one run read "budget" as "magic" after Opus).
            assert recorded_wer <= 1.2 * baseline_wer + 1 / len(reference.split()), (recorded_wer, baseline_wer)
            # The page showed every line the flow stored for its meeting, in order.
            stored = [r[0] for r in sql(dsn, "SELECT text FROM transcript_segments "
                                             "WHERE meeting_id = %s ORDER BY start_ms", meeting)]
            expect(page.locator("#transcript li .text")).to_have_text(stored, timeout=10_000)
            assert flow.poll() is None, "the flow stopped"
        except BaseException:
            sys.stderr.write(flow_log.read_text(errors="replace")[-4000:])
            raise
    assert errors == []
