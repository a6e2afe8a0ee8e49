"""Flow memory against workers per process: one Whisper model per process, shared by its workers.

    .venv/bin/python bench/flow_memory.py [--workers 1 2 4] [--meetings 4] [--speed 2] [--max-seconds 60]

Starts its own Kafka and PostgreSQL. For each worker count it runs the flow as ops do
(``python -m bytewax.run "flows.transcription:main()" -w N``) on a fresh 8-partition audio topic,
waits until the model is loaded (idle RSS), streams ``--meetings`` scripted meetings (eval/minutes,
spoken by espeak-ng, one mixed track each, 5 s chunks) at ``--speed`` times real time, all at once,
samples the flow process's RSS every 0.2 s until every meeting is closed, then stops the flow.

Prints per worker count: model loads in the process (from its log), idle RSS, steady RSS (median
while meetings stream), peak RSS (the kernel's VmHWM), and the growth per extra worker against the
model file's size. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import psycopg
from confluent_kafka import Producer
from speech import SpokenMeeting, eval_meetings, render

from connectors.audio import read_audio_file
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.whisper import resolve_model_path

RATE = 16_000
CHUNK_S = 5.0
PARTITIONS = 8


def services(stack: ExitStack, tmp: Path) -> tuple[str, str]:
    from infra.kafka import LocalKafka
    from infra.maven import ensure_kafka_jars
    from infra.postgres import LocalPostgres

    kafka = LocalKafka(tmp / "kafka", ensure_kafka_jars(ROOT / ".vori/cache/maven"), die_with_parent=True)
    kafka.start()
    stack.callback(kafka.stop)
    # Not under a 0700 temp dir: the server runs as the `postgres` user.
    pg_root = Path(tempfile.mkdtemp(prefix="vori-bench-pg-"))
    pg_root.chmod(0o711)
    stack.callback(shutil.rmtree, pg_root, True)
    pg = LocalPostgres(pg_root / "data", fsync=False)
    pg.start()
    stack.callback(pg.stop)
    return kafka.bootstrap, pg.dsn()


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def record(meeting_id: str, seq: int, pcm: bytes, final: bool = False) -> bytes:
    return json.dumps({
        "meeting_id": meeting_id, "seq": seq, "source": "main", "codec": "pcm_s16le",
        "sample_rate": RATE, "channels": 1, "audio": base64.b64encode(pcm).decode(), "final": final,
    }).encode()


def stream(bootstrap: str, topic: str, meeting_id: str, pcm: bytes, speed: float) -> None:
    """The meeting in 5 s chunks, each sent when it would have ended in a sped-up live meeting."""
    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4194304, "linger.ms": 0})
    step = int(CHUNK_S * RATE) * 2
    start = time.monotonic()
    chunks = [pcm[i : i + step] for i in range(0, len(pcm), step)]
    for seq, chunk in enumerate(chunks):
        time.sleep(max(0.0, start + (seq + 1) * CHUNK_S / speed - time.monotonic()))
        producer.produce(topic, key=meeting_id.encode(), value=record(meeting_id, seq, chunk))
        producer.poll(0)
    producer.produce(topic, key=meeting_id.encode(), value=record(meeting_id, len(chunks), b"", final=True))
    if producer.flush(30):
        raise SystemExit(f"{meeting_id}: records not delivered")


def closed(dsn: str, ids: list[str]) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM meetings WHERE status = 'closed' AND meeting_id = ANY(%s)", (ids,)
        ).fetchone()
    return int(row[0]) if row else 0


def flow_env(bootstrap: str, dsn: str, topic: str, state: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    env.update({
        "VORI_STATE_DIR": str(state),
        "VORI_KAFKA_BOOTSTRAP": bootstrap,
        "VORI_DATABASE_URL": dsn,
        "VORI_AUDIO_TOPIC": topic,
        "VORI_DLQ_TOPIC": topic + ".dlq",
        "VORI_TRANSCRIPT_TOPIC": topic + ".transcripts",
        "VORI_MODEL_CACHE_DIR": str(state / "models"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
    })
    return env


def run(workers: int, bootstrap: str, dsn: str, meetings: list[tuple[str, bytes]], speed: float,
        tmp: Path) -> dict[str, float]:
    from infra.kafka import create_topics

    topic = f"bench.memory.w{workers}.{uuid.uuid4().hex[:6]}"
    create_topics(bootstrap, {topic: PARTITIONS, topic + ".dlq": 1, topic + ".transcripts": PARTITIONS})
    state = tmp / f"state-w{workers}"
    state.mkdir()
    log_path = tmp / f"flow-w{workers}.log"
    argv = [sys.executable, "-m", "bytewax.run", "flows.transcription:main()", "-w", str(workers)]
    with log_path.open("wb") as log:
        flow = subprocess.Popen(argv, env=flow_env(bootstrap, dsn, topic, state), cwd=ROOT, stdout=log,
                                stderr=subprocess.STDOUT)
    try:
        # The preload transcribes 1 s of silence once the model is in memory.
        deadline = time.monotonic() + 300
        while "Processing audio with duration 00:01.000" not in log_path.read_text(errors="replace"):
            if flow.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the flow did not load its model:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        time.sleep(2.0)
        idle_kb = status_kb(flow.pid, "VmRSS")

        ids = [f"{m}-w{workers}" for m, _ in meetings]
        senders = [threading.Thread(target=stream, args=(bootstrap, topic, mid, pcm, speed))
                   for mid, (_, pcm) in zip(ids, meetings, strict=True)]
        samples: list[int] = []
        for t in senders:
            t.start()
        while any(t.is_alive() for t in senders):
            samples.append(status_kb(flow.pid, "VmRSS"))
            time.sleep(0.2)
        deadline = time.monotonic() + 600
        while closed(dsn, ids) < len(ids):
            if flow.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"meetings did not close:\n{log_path.read_text()[-3000:]}")
            samples.append(status_kb(flow.pid, "VmRSS"))
            time.sleep(0.2)
        peak_kb = status_kb(flow.pid, "VmHWM")
    finally:
        flow.send_signal(signal.SIGINT)
        try:
            flow.wait(20)
        except subprocess.TimeoutExpired:
            flow.kill()
            flow.wait()
    text = log_path.read_text(errors="replace")
    # The first quarter of the streaming is the meetings starting up; the rest is steady.
    steady = samples[len(samples) // 4 :] or samples
    return {
        "loads": text.count("loading whisper model"),
        "held": text.count("transcribed here"),
        "idle": idle_kb / 1024,
        "steady": statistics.median(steady) / 1024,
        "peak": peak_kb / 1024,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--meetings", type=int, default=4)
    ap.add_argument("--speed", type=float, default=2.0, help="times real time (1: live)")
    ap.add_argument("--max-seconds", type=float, default=60.0, help="of each meeting's audio")
    args = ap.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="vori-flow-memory-") as tmp_s:
        tmp = Path(tmp_s)
        spoken: list[SpokenMeeting] = [render(m, tmp / "audio") for m in eval_meetings("en")[: args.meetings]]
        meetings = []
        for m in spoken:
            pcm = read_audio_file(str(m.mixed))[: int(args.max_seconds * RATE)]
            meetings.append((m.meeting_id, pcm.astype("<i2").tobytes()))
        audio_s = sum(len(p) / 2 / RATE for _, p in meetings)
        bootstrap, dsn = services(stack, tmp)
        migrate(dsn)
        results = {w: run(w, bootstrap, dsn, meetings, args.speed, tmp) for w in args.workers}
        tmp_models = tmp / "models"
        settings = Settings.from_env()
        model_mb = (resolve_model_path(settings.whisper_model, tmp_models) / "model.bin").stat().st_size / 2**20
    print(f"flow memory: {len(meetings)} meetings at once ({audio_s:.0f} s of audio), {args.speed:g}x real time,"
          f" {PARTITIONS} partitions, 1 process")
    print("  workers  model loads  meetings  idle RSS  steady RSS  peak RSS   (MB)")
    for w, r in results.items():
        print(f"  {w:7d}  {r['loads']:11.0f}  {r['held']:8.0f}  {r['idle']:8.0f}  {r['steady']:10.0f}  {r['peak']:8.0f}")
    base = results[min(results)]
    for w, r in results.items():
        if w > min(results):
            extra = w - min(results)
            print(f"  {min(results)}->{w} workers: steady {(r['steady'] - base['steady']) / extra:+.0f} MB,"
                  f" peak {(r['peak'] - base['peak']) / extra:+.0f} MB per extra worker")
    print(f"  ({settings.whisper_model} model.bin on disk: {model_mb:.0f} MB; a model per worker would add"
          " about that per extra worker)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
