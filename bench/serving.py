"""How many live meetings one flow process serves: N meetings streamed in real time at once.

    python bench/serving.py                          # the transcription stage alone, N = 1,2,4,8
    python bench/serving.py --batch 1                # as before batching: each window read inline
    python bench/serving.py --context 30             # the encoder on Whisper's full 30 s, as before
    python bench/serving.py --mode pipeline          # gateway -> Kafka -> flow -> PostgreSQL
    python bench/serving.py --mode pipeline --whole-stack   # with the Spark jobs, as `make up`
    python bench/serving.py --device cuda --meetings 50,100,200,400 --duration 30

Each meeting is one of the scripted meetings bench/transcription.py uses (espeak-ng voices,
looped to ``--duration``), sent in 5 s chunks, each posted once spoken, the meetings starting at
random moments within the first chunk. For each N: p50/p95/max commit latency (a segment's
output time minus the post time of the newest chunk it comes from: for the stage, when the
step gives it out; for the pipeline, when PostgreSQL committed it), audio-seconds transcribed
per second, and the batches the batcher ran; then the largest N with p95 <= 1.5 s.

The stage alone runs the flow's own MeetingLogic, the process's batcher and the model in this
process, driven as one bytewax worker drives them (on_batch per chunk, on_notify at notify_at,
on_eof at the end), without Kafka or PostgreSQL. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech import eval_meetings, render, write_wav

from connectors.audio import read_audio_file
from connectors.settings import Settings
from domain.windowing import RATE

CHUNK_S = 5.0
TARGET_P95_S = 1.5


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


@dataclass
class Run:
    n: int
    latencies: list[float]
    audio_s: float
    wall_s: float
    batches: dict[int, int] | None  # None: the batcher ran in another process (the pipeline's flow)

    def line(self) -> str:
        lat = self.latencies
        batches = ""
        if self.batches is not None:
            sizes = sum(k * v for k, v in self.batches.items())
            count = sum(self.batches.values())
            batches = f"{count} batches, mean {sizes / count:.1f} windows" if count else "windows read inline"
        return (f"  N={self.n:<4} segments {len(lat):5}  p50 {pct(lat, 0.5):6.2f} s  p95 {pct(lat, 0.95):6.2f} s  "
                f"max {max(lat, default=float('nan')):6.2f} s  {self.audio_s / self.wall_s:7.1f} audio-s/s  {batches}")


def meeting_audio(work: Path, n: int, duration: float) -> list[np.ndarray]:
    """N meetings' audio (int16, 16 kHz): the scripted meetings in turn, looped to ``duration``."""
    scripts = eval_meetings("en")
    rendered = [read_audio_file(str(render(m, work / m["meeting_id"]).mixed)) for m in scripts[: min(n, len(scripts))]]
    want = int(duration * RATE)
    out = []
    for i in range(n):
        pcm = rendered[i % len(rendered)]
        reps = -(-want // len(pcm))
        out.append(np.tile(pcm, reps)[:want])
    return out


# -- the transcription stage alone ------------------------------------------------------------------


def stage(settings: Settings, audio: list[np.ndarray], seed: int) -> Run:
    from bytewax.connectors.kafka import KafkaSourceMessage

    from domain.envelope import AudioChunk
    from domain.transcript import Segment
    from flows.batching import WindowBatcher, shared_batcher
    from flows.speakers import Diarizer
    from flows.transcription import (
        Accepted,
        HeldAudio,
        IntakeClock,
        MeetingLogic,
        TranscriptionFailures,
        _LazyTranscriber,
        timeline_config,
    )

    transcriber = _LazyTranscriber(settings)
    transcriber().transcribe((audio[0][: 5 * RATE] / 32768).astype(np.float32))  # load and warm the model
    batcher = shared_batcher(settings, transcriber)
    before = dict(batcher.batch_sizes) if batcher is not None else {}
    config = timeline_config(settings)
    intake, held, failures = IntakeClock(), HeldAudio(), TranscriptionFailures()
    diarizer = Diarizer.from_settings(settings)
    logics = {f"serve-{i}": MeetingLogic(f"serve-{i}", config, transcriber, time.time, None, intake, held,
                                         failures, diarizer, batcher) for i in range(len(audio))}
    rng = random.Random(seed)
    start = time.time() + 0.5
    step = int(CHUNK_S * RATE)
    # (due, meeting, seq, pcm, final): a chunk is posted once its last sample was spoken.
    arrivals: list[tuple[float, str, int, np.ndarray | None]] = []
    for i, pcm in enumerate(audio):
        phase = rng.uniform(0, CHUNK_S)
        pieces = [pcm[j : j + step] for j in range(0, len(pcm), step)]
        for seq, part in enumerate(pieces):
            arrivals.append((start + phase + (seq + 1) * CHUNK_S, f"serve-{i}", seq, part))
        arrivals.append((start + phase + len(pieces) * CHUNK_S + 0.01, f"serve-{i}", len(pieces), None))
    arrivals.sort(key=lambda a: a[0])

    latencies: list[float] = []
    last_out = start

    def take(out: Iterable[object]) -> None:
        nonlocal last_out
        now = time.time()
        for o in out:
            if isinstance(o, Segment):
                latencies.append(now - o.posted_ms / 1000)
                last_out = now

    # One worker: meetings' steps run one after another in this thread, as bytewax runs them.
    sched: dict[str, float] = {}
    k = 0
    while k < len(arrivals) or any(logic.queued for logic in logics.values()):
        now = time.time()
        due: dict[str, list[Accepted]] = {}
        while k < len(arrivals) and arrivals[k][0] <= now:
            posted, mid, seq, piece = arrivals[k]
            # Kafka stamps a chunk when it is posted, however late the worker reads it.
            posted_ms = int(posted * 1000)
            raw = b"" if piece is None else piece.astype("<i2").tobytes()
            chunk = AudioChunk(mid, seq, "main", None, "pcm_s16le", RATE, 1, b"", piece is None, None)
            msg: KafkaSourceMessage[bytes | None, bytes | None] = KafkaSourceMessage(
                key=mid.encode(), value=b"", topic="audio.raw", partition=0, offset=seq, timestamp=(1, posted_ms))
            intake.observe(0, posted_ms)
            due.setdefault(mid, []).append(Accepted(chunk, raw, posted_ms, "bench", msg))
            k += 1
        awoken = list(due)
        for mid, values in due.items():
            out, _ = logics[mid].on_batch(values)
            take(out)
        for mid, at in list(sched.items()):
            if at <= now and mid not in due:
                del sched[mid]
                out, _ = logics[mid].on_notify()
                take(out)
                awoken.append(mid)
        for mid in awoken:
            at_dt = logics[mid].notify_at()
            if at_dt is not None:
                sched[mid] = at_dt.timestamp()
            else:
                sched.pop(mid, None)
        upcoming = [*sched.values(), *([arrivals[k][0]] if k < len(arrivals) else [])]
        time.sleep(min(0.05, max(0.0, min(upcoming, default=now + 0.05) - time.time())))
    for logic in logics.values():
        out, _ = logic.on_eof()
        take(out)
    after = dict(batcher.batch_sizes) if isinstance(batcher, WindowBatcher) else {}
    ran = {size: after.get(size, 0) - before.get(size, 0) for size in after}
    audio_s = sum(len(a) for a in audio) / RATE
    return Run(len(audio), latencies, audio_s, max(1e-9, last_out - start), {k: v for k, v in ran.items() if v})


# -- the whole pipeline ---------------------------------------------------------------------------


def pipeline(env: dict[str, str], audio: list[np.ndarray], work: Path, seed: int, tag: str) -> Run:
    import psycopg
    from transcription import wait_closed

    from apps.send import Target, send_file

    target = Target(env["VORI_GATEWAY_URL"], env["VORI_PRODUCER_TOKEN"])
    rng = random.Random(seed)
    ids = [f"serve-{tag}-{i}" for i in range(len(audio))]
    paths = []
    for mid, pcm in zip(ids, audio, strict=True):
        paths.append(work / f"{mid}.wav")
        write_wav(paths[-1], pcm)

    def go(path: Path, mid: str, phase: float) -> None:
        time.sleep(phase)
        send_file(path, target=target, meeting=mid, chunk_seconds=CHUNK_S, realtime=True, progress=False)

    start = time.time()
    threads = [threading.Thread(target=go, args=(p, mid, rng.uniform(0, CHUNK_S)))
               for p, mid in zip(paths, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_closed(env["VORI_DATABASE_URL"], ids, 600)
    with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM created_at - audio_posted_at), extract(epoch FROM created_at) "
            "FROM transcript_segments WHERE meeting_id = ANY(%s)", (ids,),
        ).fetchall()
    lat = [float(r[0]) for r in rows]
    end = max((float(r[1]) for r in rows), default=time.time())
    return Run(len(audio), lat, sum(len(a) for a in audio) / RATE, max(1e-9, end - start), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("stage", "pipeline", "both"), default="stage")
    parser.add_argument("--meetings", default="1,2,4,8", help="comma-separated N to run")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of audio per meeting")
    parser.add_argument("--batch", type=int, default=None,
                        help="VORI_WHISPER_MAX_BATCH (1: each window inline, as before batching)")
    parser.add_argument("--max-wait-ms", type=float, default=None, help="VORI_WHISPER_MAX_WAIT_MS")
    parser.add_argument("--device", default=None, help="VORI_WHISPER_DEVICE: cpu, cuda or auto")
    parser.add_argument("--model", default=None, help="VORI_WHISPER_MODEL")
    parser.add_argument("--context", default=None,
                        help="VORI_WHISPER_CONTEXT_S: auto, or seconds (30: always Whisper's full 30 s)")
    parser.add_argument("--whole-stack", action="store_true", help="pipeline: the Spark jobs too, as `make up`")
    parser.add_argument("--settle", type=float, default=0.0,
                        help="pipeline: seconds to wait after the stack is up (0: stream at once)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    ns = [int(x) for x in args.meetings.split(",") if x.strip()]
    # The pipeline's flow process reads the same variables.
    for name, value in (("VORI_WHISPER_MAX_BATCH", args.batch), ("VORI_WHISPER_MAX_WAIT_MS", args.max_wait_ms),
                        ("VORI_WHISPER_DEVICE", args.device), ("VORI_WHISPER_MODEL", args.model),
                        ("VORI_WHISPER_CONTEXT_S", args.context)):
        if value is not None:
            os.environ[name] = str(value)
    settings = Settings.from_env()
    from connectors.whisper import choose_device

    device, compute = choose_device(settings.whisper_device, settings.whisper_compute_type)
    from flows.batching import effective_max_batch

    head = (f"{settings.whisper_model} on {device}/{compute}, max batch {effective_max_batch(settings)}, "
            f"max wait {settings.whisper_max_wait_ms:g} ms, encoder context {settings.whisper_context_s} s, "
            f"diarization {'on' if settings.diarization else 'off'}, "
            f"{CHUNK_S:g} s chunks in real time, {args.duration:g} s per meeting")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        audio = meeting_audio(work, max(ns), args.duration)
        if args.mode in ("stage", "both"):
            runs = []
            print(f"serving, the transcription stage alone ({head})", flush=True)
            for n in ns:
                runs.append(stage(settings, audio[:n], args.seed))
                print(runs[-1].line(), flush=True)
            _verdict(runs)
        if args.mode in ("pipeline", "both"):
            from transcription import private_stack

            runs = []
            print(f"serving, the whole pipeline{' with the Spark jobs' if args.whole_stack else ''} ({head})",
                  flush=True)
            with private_stack(analytics=args.whole_stack) as (_, env, _stack):
                if args.settle:
                    time.sleep(args.settle)
                for n in ns:
                    runs.append(pipeline(env, audio[:n], work, args.seed, f"{n}"))
                    print(runs[-1].line(), flush=True)
            _verdict(runs)


def _verdict(runs: list[Run]) -> None:
    ok = [r.n for r in runs if r.latencies and pct(r.latencies, 0.95) <= TARGET_P95_S]
    print(f"  largest N with p95 <= {TARGET_P95_S:g} s: {max(ok) if ok else 'none'}", flush=True)


if __name__ == "__main__":
    main()
