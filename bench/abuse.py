"""Hostile producers against the whole pipeline: does an honest meeting of another team keep its latency?

    python bench/abuse.py [--seconds 60]

Starts a private stack (Kafka, PostgreSQL, gateway, flow; no analytics), then streams one scripted
meeting of team ``demo`` in real time twice: once quiet, once while team ``mallory`` runs the
attacks of issue 12 at the gateway for as long as the meeting lasts:

- 54 KB WebM chunks whose PCM runs at 1 Hz (resampling them first once cost ~530 MB);
- a few KB of FLAC that decode to minutes;
- the gap attack: many sources of one meeting posting seq 1..N of 5 s PCM and withholding seq 0;
- a flood of junk bearer tokens;
- one request creating thousands of meetings, and requests over the record limit.

It prints the honest meeting's commit latency (p50/p95, quiet vs under attack, goal: p95 within
1.5× of quiet), the flow's peak RSS in both runs, and how the gateway answered each attack. Figures
are printed; nothing is asserted. The attack loops are bounded in count and time and send only to
the private stack on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import av
import httpx
import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech import eval_meetings, render
from transcription import _rss_mb, pct, private_stack, wait_closed

from apps.send import Target, send_file
from connectors.tokens import create_token

JSON_V2 = "application/vnd.kafka.json.v2+json"


def _container(fmt: str, codec: str, rate: int, samples: int) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format=fmt) as out:
        stream = out.add_stream(codec, rate=rate, layout="mono")
        frame = av.AudioFrame.from_ndarray(np.zeros((1, samples), np.int16), format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def _record(meeting: str, seq: int, codec: str, audio: bytes, source: str = "main", **extra: object) -> dict:
    value = {"meeting_id": meeting, "seq": seq, "source": source, "codec": codec,
             "audio": base64.b64encode(audio).decode(), **extra}
    return {"key": meeting, "value": value}


class Attacker:
    """Team mallory's producers, each attack in its own thread until ``stop`` is set."""

    def __init__(self, url: str, token: str, stop: threading.Event) -> None:
        self.url = url.rstrip("/") + "/topics/audio.raw"
        self.token = token
        self.stop = stop
        self.answers: dict[str, Counter[int]] = {}
        self._lock = threading.Lock()
        self.webm_1hz = _container("matroska", "pcm_s16le", 1, 27_000)
        self.flac_bomb = _container("flac", "flac", 8000, 8000 * 600)
        self.pcm_5s = np.zeros(5 * 16000, np.int16).tobytes()

    def _post(self, client: httpx.Client, name: str, records: list[dict], token: str | None = None) -> None:
        try:
            r = client.post(self.url, json={"records": records},
                            headers={"Authorization": f"Bearer {token or self.token}", "Content-Type": JSON_V2})
            status = r.status_code
        except httpx.HTTPError:
            status = 0
        with self._lock:
            self.answers.setdefault(name, Counter())[status] += 1

    def _loop(self, name: str, make: Callable[[int], tuple[list[dict], str | None]], limit: int) -> None:
        with httpx.Client(timeout=10.0) as client:
            for i in range(limit):
                if self.stop.is_set():
                    return
                records, token = make(i)
                self._post(client, name, records, token)

    def run(self) -> list[threading.Thread]:
        attacks = {
            "webm at 1 Hz": (lambda i: ([_record(f"m-webm-{i}", 0, "webm", self.webm_1hz)], None), 300),
            "flac bomb": (lambda i: ([_record(f"m-flac-{i}", 0, "flac", self.flac_bomb)], None), 300),
            # 8 sources of one meeting, seq 1.. of 5 s each, seq 0 never sent.
            "gap attack": (lambda i: ([_record("m-gap", 1 + i // 8, "pcm_s16le", self.pcm_5s, source=f"s{i % 8}",
                                               sample_rate=16000, channels=1)], None), 8 * 119),
            "junk tokens": (lambda i: ([_record("m-junk", i, "wav", b"RIFF")],
                                       "vori_p_" + base64.urlsafe_b64encode(i.to_bytes(32, "big")).decode()[:43]), 2000),
            "meeting flood": (lambda i: ([_record(f"m-flood-{i}-{j}", 0, "pcm_s16le", b"\0\0", sample_rate=16000,
                                                  channels=1, final=True) for j in range(90)], None), 50),
            "too many records": (lambda i: ([_record(f"m-many-{i}", j, "pcm_s16le", b"\0\0", sample_rate=16000,
                                                     channels=1) for j in range(500)], None), 30),
        }
        threads = [threading.Thread(target=self._loop, args=(name, make, limit), name=name, daemon=True)
                   for name, (make, limit) in attacks.items()]
        for t in threads:
            t.start()
        return threads


def honest_run(env: dict[str, str], path: Path, meeting: str, flow_pid: int) -> tuple[list[float], float]:
    """Stream the honest meeting in real time; its segments' commit latency and the flow's peak RSS."""
    peak = 0.0
    done = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss_mb(flow_pid))
            time.sleep(0.25)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        send_file(path, target=Target(env["VORI_GATEWAY_URL"], env["VORI_PRODUCER_TOKEN"]), meeting=meeting,
                  chunk_seconds=5.0, realtime=True, progress=False)
        wait_closed(env["VORI_DATABASE_URL"], [meeting], 300)
    finally:
        done.set()
        watcher.join()
    with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM created_at - audio_posted_at) FROM transcript_segments "
            "WHERE meeting_id = %s", (meeting,),
        ).fetchall()
    return [float(r[0]) for r in rows], peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        meeting = render(eval_meetings("en")[0], Path(tmp) / "honest")
        with private_stack() as (_settings, env, stack):
            flow = stack.registry.get("flow")
            assert flow is not None
            mallory = create_token(env["VORI_DATABASE_URL"], team="mallory", role="producer")
            quiet, quiet_peak = honest_run(env, meeting.mixed, "honest-quiet", flow.pid)
            stop = threading.Event()
            attacker = Attacker(env["VORI_GATEWAY_URL"], mallory, stop)
            threads = attacker.run()
            try:
                loud, loud_peak = honest_run(env, meeting.mixed, "honest-attacked", flow.pid)
            finally:
                stop.set()
                for t in threads:
                    t.join(30)
    print(f"honest meeting: {meeting.seconds:.0f} s of speech streamed in real time, 5 s chunks")
    print(f"  quiet          segments {len(quiet):3d}  p50 {pct(quiet, 0.5):.2f} s  p95 {pct(quiet, 0.95):.2f} s"
          f"  flow peak RSS {quiet_peak:.0f} MB")
    print(f"  under attack   segments {len(loud):3d}  p50 {pct(loud, 0.5):.2f} s  p95 {pct(loud, 0.95):.2f} s"
          f"  flow peak RSS {loud_peak:.0f} MB")
    print(f"  p95 ratio {pct(loud, 0.95) / max(pct(quiet, 0.95), 1e-9):.2f} (goal ≤ 1.5)")
    print("gateway answers to team mallory (status: count; 0 = no answer):")
    for name, answers in attacker.answers.items():
        print(f"  {name:18} " + ", ".join(f"{s}: {n}" for s, n in sorted(answers.items())))


if __name__ == "__main__":
    main()
