"""The refined transcript: WER after refinement vs whole-file WER, and live latency with the refine
flow running vs off.

    python bench/refine.py                      # 3 meetings live at once, spoken twice over (≈3 min each)
    python bench/refine.py --meetings 1 --repeat 1 --only on   # a quick smoke run

Each phase starts its own private stack (Kafka, PostgreSQL, gateway, flow, board; the refine flow
at nice 19 in phase "on", as `vori up` starts it) in a temporary folder, streams the meetings in
real time in 5 s chunks (`vori send --realtime`), and stops it at the end. Latency is the live
rows' commit time − the post time of their last audio (as `bench/transcription.py latency`),
read while the rows are live (refined rows replace them later). Figures are printed; nothing is
asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The stack's processes run this checkout's code, whichever checkout the venv was installed from.
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)

from speech import SpokenMeeting
from transcription import pct, render_all, send_all, transcript, wait_closed, wer, whole_file

from apps.stack import up
from connectors.settings import Settings
from domain.records import MeetingRefinedRecord, RecordError, parse_record
from infra.stack import LocalStack


@contextmanager
def private_stack(*, refine: bool) -> Iterator[dict[str, str]]:
    root = Path(tempfile.mkdtemp(prefix="vori-bench-refine-"))
    root.chmod(0o711)
    (root / "cache").symlink_to(Path(__file__).resolve().parent.parent / ".vori" / "cache")
    settings = Settings.from_env(state_dir=root, analytics_enabled=False, refine=refine,
                                 gateway_port=18280, board_port=18281)
    stack = LocalStack(root)
    try:
        yield up(settings)
    finally:
        stack.stop_all()
        shutil.rmtree(root, ignore_errors=True)


class LiveLatency:
    """Reads the live rows as they are committed (before refined rows replace them)."""

    def __init__(self, dsn: str, ids: list[str]):
        self._dsn, self._ids = dsn, ids
        self.seen: dict[tuple[str, str, int], float] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LiveLatency:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def poll(self) -> None:
        with psycopg.connect(self._dsn) as conn:
            rows = conn.execute(
                "SELECT meeting_id, source, start_ms, extract(epoch FROM created_at - audio_posted_at) "
                "FROM transcript_segments WHERE meeting_id = ANY(%s) AND revision = 'live'", (self._ids,),
            ).fetchall()
        for mid, source, start, lat in rows:
            self.seen.setdefault((mid, source, int(start)), float(lat))

    def _run(self) -> None:
        while not self._done.is_set():
            self.poll()
            time.sleep(0.5)
        self.poll()


def wait_refined(bootstrap: str, topic: str, ids: list[str], timeout: float) -> float:
    """Until each meeting's ``meeting_refined`` record is in ``transcription.completed``."""
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    left = set(ids)
    deadline = time.monotonic() + timeout
    try:
        while left and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is None or msg.error() is not None:
                continue
            try:
                rec = parse_record(msg.value(), msg.key())
            except RecordError:
                continue
            if isinstance(rec, MeetingRefinedRecord):
                left.discard(rec.meeting_id)
    finally:
        consumer.close()
    if left:
        raise SystemExit(f"meetings not refined within {timeout:.0f}s: {sorted(left)}")
    return time.monotonic()


def revisions(dsn: str, ids: list[str]) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT revision, count(*) FROM transcript_segments WHERE meeting_id = ANY(%s) "
                            "GROUP BY 1", (ids,)).fetchall()
    return {r: int(n) for r, n in rows}


def phase(meetings: list[SpokenMeeting], *, refine: bool, timeout: float) -> dict[str, object]:
    suffix = "ref" if refine else "live"
    with private_stack(refine=refine) as env:
        dsn = env["VORI_DATABASE_URL"]
        ids = [f"{m.meeting_id}-{suffix}" for m in meetings]
        with LiveLatency(dsn, ids) as live:
            send_all(env, meetings, realtime=True, suffix=suffix)
            closed = wait_closed(dsn, ids, 300)
            refined_at = None
            if refine:
                refined_at = wait_refined(env["VORI_KAFKA_BOOTSTRAP"], "transcription.completed", ids, timeout)
        lat = list(live.seen.values())
        stored = " ".join(transcript(dsn, mid) for mid in ids)
        counts = revisions(dsn, ids)
    return {"latency": lat, "stored": stored, "revisions": counts,
            "refine_lag_s": None if refined_at is None else refined_at - closed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=2,
                        help="speak each meeting this many times over (longer than a long window: refined mid-way)")
    parser.add_argument("--only", choices=("on", "off"), help="run one phase: refine on, or off")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds to wait for the refinement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        meetings = render_all(Path(tmp), args.meetings, args.repeat)
        results = {}
        for name in ("on", "off"):
            if args.only in (None, name):
                results[name] = phase(meetings, refine=name == "on", timeout=args.timeout)
        refs = " ".join(m.reference for m in meetings)
        whole = wer(refs, " ".join(whole_file(Settings.from_env(), [m.mixed for m in meetings])))

    audio = sum(m.seconds for m in meetings)
    print(f"refine: {len(meetings)} meetings streamed in real time at once ({audio:.0f} s of audio, "
          f"{audio / len(meetings) / 60:.1f} min each, 5 s chunks); whole-file WER {whole:.3f}")
    for name, r in results.items():
        lat = r["latency"]
        assert isinstance(lat, list)
        stored = wer(refs, str(r["stored"]))
        label = "refine on " if name == "on" else "refine off"
        print(f"  {label}: stored-transcript WER {stored:.3f} (x{stored / max(whole, 1e-9):.3f} of whole-file), "
              f"rows {r['revisions']}")
        if lat:
            print(f"    live latency: segments {len(lat)}  p50 {pct(lat, 0.5):.2f} s  p95 {pct(lat, 0.95):.2f} s  "
                  f"max {max(lat):.2f} s")
        if r["refine_lag_s"] is not None:
            print(f"    refined {r['refine_lag_s']:.1f} s after the last meeting closed")


if __name__ == "__main__":
    main()
