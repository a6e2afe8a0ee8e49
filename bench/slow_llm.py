"""Transcription latency while the LLM minutes endpoint is slow, against a fast one.

    python bench/slow_llm.py [--meetings 3] [--delay 20] [--every 2]

Starts a local OpenAI-compatible server (in this process) that answers every request with minutes
after ``--delay`` seconds, then a private stack (``vori up``: gateway, transcription flow, minutes
flow, board) pointed at it, and streams the English eval meetings in real time; then the same with
an endpoint that answers at once. Latency is a segment's commit time minus its post time
(bench/transcription.py's measure). Rolling minutes every ``--every`` segments keep the LLM busy
while the meetings are live. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from transcription import pct, private_stack, render_all, send_all, wait_closed

_MINUTES = {
    "summary": "The team talked.", "decisions": [], "action_items": [], "status_updates": [],
    "questions": [], "keywords": [], "language": "en",
}


class SlowOpenAI:
    """``POST /v1/chat/completions`` answered with empty minutes after ``delay_s``."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.requests = 0
        self.answered: list[float] = []  # seconds each request took
        bench = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                start = time.monotonic()
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                bench.requests += 1
                time.sleep(bench.delay_s)
                body = json.dumps({
                    "id": "bench", "object": "chat.completion", "created": 0, "model": "bench",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": json.dumps(_MINUTES)}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    return
                bench.answered.append(time.monotonic() - start)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(label: str, delay_s: float, args: argparse.Namespace, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    meetings = render_all(work, args.meetings)
    llm = SlowOpenAI(delay_s)
    # The stack's processes take their settings from the environment (plus stack.env).
    # PYTHONPATH: the stack's processes run from the state dir's parent, and must import this
    # checkout's code, not whatever the virtualenv has installed.
    root = str(Path(__file__).resolve().parent.parent)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    os.environ.update(VORI_LLM_BASE_URL=llm.base_url, VORI_LLM_TIMEOUT_S=str(delay_s + 30),
                      VORI_LLM_MAX_RETRIES="0", VORI_MINUTES_EVERY_SEGMENTS=str(args.every))
    try:
        with private_stack() as (_, env, _stack):
            dsn = env["VORI_DATABASE_URL"]
            ids = send_all(env, meetings, realtime=True, suffix=label)
            closed_at = wait_closed(dsn, ids, 600)
            with psycopg.connect(dsn) as conn:
                lat = [float(r[0]) for r in conn.execute(
                    "SELECT extract(epoch FROM created_at - audio_posted_at) FROM transcript_segments "
                    "WHERE meeting_id = ANY(%s)", (ids,)).fetchall()]
            # Final minutes come after the LLM answers: how long after the last meeting closed.
            deadline = time.monotonic() + delay_s * 4 + 120
            finals = 0
            while time.monotonic() < deadline:
                with psycopg.connect(dsn) as conn:
                    row = conn.execute("SELECT count(*) FROM meeting_minutes WHERE kind = 'final' "
                                       "AND meeting_id = ANY(%s)", (ids,)).fetchone()
                finals = int(row[0]) if row else 0
                if finals == len(ids):
                    break
                time.sleep(0.5)
            minutes_after = time.monotonic() - closed_at
    finally:
        llm.close()
    print(f"{label}: LLM answers in {delay_s:g} s; {len(meetings)} meetings streamed in real time at once")
    print(f"  transcription latency: segments {len(lat)}  p50 {pct(lat, 0.5):.2f} s  p95 {pct(lat, 0.95):.2f} s"
          f"  max {max(lat):.2f} s")
    print(f"  LLM requests {llm.requests}; final minutes {finals}/{len(ids)}, the last {minutes_after:.1f} s "
          "after the last meeting closed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=3)
    parser.add_argument("--delay", type=float, default=20.0, help="seconds the slow endpoint takes")
    parser.add_argument("--every", type=int, default=2, help="rolling minutes every N segments")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("slow", args.delay, args, Path(tmp) / "slow")
        run("fast", 0.0, args, Path(tmp) / "fast")


if __name__ == "__main__":
    main()
