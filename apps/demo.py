"""``vori demo``: render the bundled sample meeting with espeak-ng, stream it through the running
stack's gateway (one source per speaker), wait for the flow, and print the transcript and minutes."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from apps.report import ReportError, render_markdown
from apps.send import Target, send_file
from connectors.audio import read_audio_file
from connectors.board_store import (
    AmbiguousMeeting,
    meeting_progress,
    meeting_tickets,
    transcript_lines,
)
from connectors.settings import REPO_ROOT, Settings

SAMPLE = REPO_ROOT / "demo" / "sample_meeting.json"
RATE = 16_000
PAUSE_S = 0.6


def render_meeting(script: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """One WAV per speaker on a shared timeline: silence while the others talk."""
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is missing: run `make install` (infra/sysdeps.sh installs it)")
    voices: dict[str, str] = script["voices"]
    pieces: list[tuple[str, np.ndarray]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (speaker, text) in enumerate(script["lines"]):
            path = Path(tmp) / f"{i}.wav"
            subprocess.run(
                ["espeak-ng", "-v", voices[speaker], "-s", "150", "-w", str(path), text],
                check=True,
                capture_output=True,
            )
            pieces.append((speaker, read_audio_file(str(path))))
    pause = np.zeros(int(PAUSE_S * RATE), dtype=np.int16)
    tracks: dict[str, list[np.ndarray]] = {s: [] for s in voices}
    for speaker, pcm in pieces:
        for name in tracks:
            tracks[name].append(pcm if name == speaker else np.zeros_like(pcm))
            tracks[name].append(pause)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, parts in tracks.items():
        path = out_dir / f"{name.lower()}.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes(np.concatenate(parts).astype("<i2").tobytes())
        paths[name] = path
    return paths


def wait_closed(dsn: str, meeting_id: str, timeout: float) -> bool:
    """True once the meeting is closed and its final minutes are written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        progress = meeting_progress(dsn, meeting_id)
        if progress is not None and progress["status"] == "closed" and progress["has_final_minutes"]:
            return True
        time.sleep(0.5)
    return False


def print_results(dsn: str, meeting_id: str) -> None:
    lines = transcript_lines(dsn, meeting_id)
    tickets = meeting_tickets(dsn, meeting_id)
    print("\n== Transcript ==")
    for line in lines:
        start_ms = line["start_ms"]
        print(f"[{start_ms // 60000:02d}:{start_ms // 1000 % 60:02d}] {line['who']}: {line['text']}")
    print("\n== Minutes ==")
    print(render_markdown(dsn, meeting_id))
    if tickets:
        print("\n== Tickets ==")
        for t in tickets:
            print(f"  [{t['status']}] {t['title']} ({t['assignee'] or 'unassigned'}, "
                  f"due {t['due_date'] or '-'})")


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Settings found the stack: VORI_* variables first, then the state dir's stack.env.
    if not settings.gateway_url or not settings.producer_token:
        print("the stack is not running: run `make up` (or `vori up`) first")
        return 2
    gateway, token = settings.gateway_url, settings.producer_token
    dsn = settings.database_url
    script = json.loads(Path(args.script).read_text())
    meeting_id = script["meeting_id"] + (f"-{int(time.time())}" if not args.fixed_id else "")
    print(f"rendering the sample meeting with espeak-ng ({len(script['lines'])} lines)...")
    tracks = render_meeting(script, settings.state_dir / "demo")
    print(f"streaming {meeting_id} through {gateway} ({len(tracks)} sources)...")
    errors: list[BaseException] = []

    def send(name: str, path: Path) -> None:
        try:
            send_file(
                path,
                target=Target(gateway, token, settings.audio_topic),
                meeting=meeting_id,
                source=name.lower(),
                speaker=name,
                title=script["title"],
                chunk_seconds=5.0,
                realtime=args.realtime,
                progress=False,
            )
        except BaseException as exc:  # reported below, after the other senders finish
            errors.append(exc)

    threads = [threading.Thread(target=send, args=item) for item in tracks.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"sending failed: {errors[0]}")
        return 1
    print("waiting for the flow to transcribe and close the meeting...")
    try:
        if not wait_closed(dsn, meeting_id, args.timeout):
            print(f"the meeting did not close within {args.timeout:.0f}s; see .vori/run/flow.log")
            print_results(dsn, meeting_id)
            return 1
        print_results(dsn, meeting_id)
    except (AmbiguousMeeting, ReportError) as exc:
        # A meeting is (team, id): with --fixed-id another team may use the same id.
        print(f"cannot show the meeting: {exc}")
        return 1
    board = settings.board_url or "(board not installed)"
    print(f"\nboard:   {board}  (token: VORI_BOARD_TOKEN in .vori/stack.env)")
    print(f"gateway: {gateway}")
    print(f"report:  vori report {meeting_id}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "demo", help="stream the bundled sample meeting through the running stack"
    )
    p.add_argument("--script", default=str(SAMPLE))
    p.add_argument("--realtime", action="store_true", help="send at the speed of speech")
    p.add_argument("--fixed-id", action="store_true", help="use the script's meeting id as is")
    p.add_argument("--timeout", type=float, default=300.0)
    p.set_defaults(handler=run)
    return p
