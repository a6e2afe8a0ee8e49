"""Transcription benchmarks through the whole pipeline (gateway → Kafka → flow → PostgreSQL).

    python bench/transcription.py latency      # real-time streaming: commit time − post time per segment
    python bench/transcription.py accuracy [--repeat 3] [--voice-shift 1]   # WER streamed vs reference and whole-file
    python bench/transcription.py throughput   # meetings pushed as fast as possible vs raw faster-whisper
    python bench/transcription.py memory [--hours 2]   # flow RSS over one long meeting

Each starts its own private stack (Kafka, PostgreSQL, gateway, flow) in a temporary folder and
stops it at the end. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech import SpokenMeeting, eval_meetings, librivox_clips, render

from apps.send import Target, send_file
from apps.stack import up
from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from infra.stack import LocalStack


def wer(ref: str | list[str], hyp: str | list[str]) -> float:
    """Word error rate of ``hyp`` against ``ref``; lists: over all of them (corpus WER)."""
    import jiwer

    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                          jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return float(jiwer.wer(ref, hyp, reference_transform=norm, hypothesis_transform=norm))


@contextmanager
def private_stack(analytics: bool = False) -> Iterator[tuple[Settings, dict[str, str], LocalStack]]:
    root = Path(tempfile.mkdtemp(prefix="vori-bench-"))
    root.chmod(0o711)
    (root / "cache").symlink_to(Path(__file__).resolve().parent.parent / ".vori" / "cache")
    # --whole-stack: the Spark jobs too, as `make up` starts them (what users run).
    # The refine flow off: these figures are the live flow's (its rows would be replaced by refined
    # ones mid-measurement); bench/refine.py measures with it on.
    settings = Settings.from_env(state_dir=root, analytics_enabled=analytics, refine=False,
                                 gateway_port=18180, board_port=18181)
    stack = LocalStack(root)
    try:
        env = up(settings)
        yield settings, env, stack
    finally:
        stack.stop_all()
        shutil.rmtree(root, ignore_errors=True)


def wait_closed(dsn: str, ids: list[str], timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as conn:
            n = conn.execute(
                "SELECT count(*) FROM meetings WHERE status = 'closed' AND meeting_id = ANY(%s)", (ids,)
            ).fetchone()
        if n and n[0] == len(ids):
            return time.monotonic()
        time.sleep(0.2)
    raise SystemExit(f"meetings did not close within {timeout:.0f}s")


def send_all(env: dict[str, str], meetings: list[SpokenMeeting], *, realtime: bool, suffix: str) -> list[str]:
    target = Target(env["VORI_GATEWAY_URL"], env["VORI_PRODUCER_TOKEN"])
    ids = [f"{m.meeting_id}-{suffix}" for m in meetings]

    def go(m: SpokenMeeting, mid: str) -> None:
        send_file(m.mixed, target=target, meeting=mid, chunk_seconds=5.0, realtime=realtime, progress=False)

    threads = [threading.Thread(target=go, args=(m, mid)) for m, mid in zip(meetings, ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ids


def transcript(dsn: str, meeting_id: str) -> str:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT text FROM transcript_segments WHERE meeting_id = %s ORDER BY start_ms", (meeting_id,)
        ).fetchall()
    return " ".join(r[0] for r in rows)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def render_all(work: Path, limit: int | None = None, repeat: int = 1, voice_shift: int = 0) -> list[SpokenMeeting]:
    meetings = eval_meetings("en")[:limit]
    return [render(m, work, repeat=repeat, voice_shift=voice_shift) for m in meetings]


def whole_file(settings: Settings, paths: list[Path]) -> list[str]:
    """The same model on each whole file at once: what streaming is compared with."""
    from connectors.whisper import WhisperTranscriber

    model = WhisperTranscriber(settings)
    out = []
    for path in paths:
        spans, _ = model.transcribe(pcm_to_float32(read_audio_file(str(path))))
        out.append(" ".join(s.text for s in spans))
    return out


def cmd_latency(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        meetings = render_all(Path(tmp), args.meetings)
        with private_stack(analytics=args.whole_stack) as (_, env, _stack):
            if args.whole_stack:
                time.sleep(args.settle)  # `make up` has returned; the Spark JVMs are still starting
            ids = send_all(env, meetings, realtime=True, suffix="rt")
            wait_closed(env["VORI_DATABASE_URL"], ids, 300)
            with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
                rows = conn.execute(
                    "SELECT extract(epoch FROM created_at - audio_posted_at), meeting_id, start_ms "
                    "FROM transcript_segments WHERE meeting_id = ANY(%s) ORDER BY 1 DESC",
                    (ids,),
                ).fetchall()
                lat = [float(r[0]) for r in rows]
            refs = " ".join(m.reference for m in meetings)
            live = wer(refs, " ".join(transcript(env["VORI_DATABASE_URL"], mid) for mid in ids))
        whole = wer(refs, " ".join(whole_file(Settings.from_env(), [m.mixed for m in meetings])))
    audio = sum(m.seconds for m in meetings)
    print(f"latency: {len(meetings)} meetings streamed in real time at once ({audio:.0f} s of audio, 5 s chunks)")
    print(f"  segments {len(lat)}  p50 {pct(lat, 0.5):.2f} s  p95 {pct(lat, 0.95):.2f} s  max {max(lat):.2f} s")
    print("  slowest: " + ", ".join(f"{float(r[0]):.2f} s ({r[1]} at {r[2] / 1000:.0f} s)" for r in rows[:4]))
    print(f"  WER of the live transcript {live:.3f}, whole files {whole:.3f}, ratio {live / max(whole, 1e-9):.3f}")


def cmd_accuracy(args: argparse.Namespace) -> None:
    """Meetings pushed faster than real time (an upload, or a flow catching up).

    ``--repeat N`` speaks each meeting N times over: a meeting longer than one long window (120 s)
    is read in several, so their boundaries and re-reads are what is measured.
    """
    with tempfile.TemporaryDirectory() as tmp:
        meetings = render_all(Path(tmp), args.meetings, args.repeat, args.voice_shift)
        clips = librivox_clips()
        with private_stack() as (settings, env, _stack):
            ids = send_all(env, meetings, realtime=False, suffix="acc")
            target = Target(env["VORI_GATEWAY_URL"], env["VORI_PRODUCER_TOKEN"])
            clip_ids = []
            for i, (path, _) in enumerate(clips):
                clip_ids.append(f"librivox-{i}")
                send_file(path, target=target, meeting=clip_ids[-1], chunk_seconds=5.0, progress=False)
            wait_closed(env["VORI_DATABASE_URL"], ids + clip_ids, 600)
            streamed = {mid: transcript(env["VORI_DATABASE_URL"], mid) for mid in ids + clip_ids}
            if args.dump:
                with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
                    rows = conn.execute(
                        "SELECT meeting_id, start_ms, end_ms, text FROM transcript_segments "
                        "WHERE meeting_id = ANY(%s) ORDER BY meeting_id, start_ms", (ids + clip_ids,)
                    ).fetchall()
                Path(args.dump).write_text("".join(f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n" for r in rows))
        wholes = whole_file(settings, [m.mixed for m in meetings] + [path for path, _ in clips])
        rows = []
        for m, mid, whole in zip(meetings, ids, wholes, strict=False):
            rows.append(("espeak " + m.meeting_id, m.reference, streamed[mid], whole))
        for (path, ref), mid, whole in zip(clips, clip_ids, wholes[len(meetings):], strict=True):
            rows.append(("librivox " + path.stem[-4:], ref, streamed[mid], whole))
    minutes = sum(m.seconds for m in meetings) / len(meetings) / 60
    print(f"accuracy ({settings.whisper_model}, beam {settings.whisper_beam_size}): WER streamed vs whole file; "
          f"meetings spoken {args.repeat}x, {minutes:.1f} min each, voice shift {args.voice_shift}")
    for name, ref, s, w in rows:
        print(f"  {name:45} streamed {wer(ref, s):.3f}  whole {wer(ref, w):.3f}")
    for label, subset in (("espeak", [r for r in rows if r[0].startswith("espeak")]),
                          ("librivox", [r for r in rows if r[0].startswith("librivox")])):
        refs = " ".join(r[1] for r in subset)
        ws = wer(refs, " ".join(r[2] for r in subset))
        ww = wer(refs, " ".join(r[3] for r in subset))
        print(f"  {label:10} corpus WER streamed {ws:.3f}  whole-file {ww:.3f}  ratio {ws / max(ww, 1e-9):.3f}")


def cmd_throughput(args: argparse.Namespace) -> None:
    from connectors.whisper import WhisperTranscriber

    with tempfile.TemporaryDirectory() as tmp:
        meetings = render_all(Path(tmp), args.meetings)
        audio = sum(m.seconds for m in meetings)
        with private_stack() as (settings, env, _stack):
            # Warm the flow's model with a tiny meeting first: loading it is not throughput.
            warm = send_all(env, meetings[:1], realtime=False, suffix="warm")
            wait_closed(env["VORI_DATABASE_URL"], warm, 300)
            start = time.monotonic()
            ids = send_all(env, meetings, realtime=False, suffix="tp")
            end = wait_closed(env["VORI_DATABASE_URL"], ids, 900)
        pipeline = audio / (end - start)
        model = WhisperTranscriber(settings)
        model.transcribe(pcm_to_float32(read_audio_file(str(meetings[0].mixed)))[: 16000 * 5])
        start = time.monotonic()
        for m in meetings:
            model.transcribe(pcm_to_float32(read_audio_file(str(m.mixed))))
        raw = audio / (time.monotonic() - start)
    print(f"throughput: {len(meetings)} meetings, {audio:.0f} s of audio pushed at once")
    print(f"  pipeline {pipeline:.1f} audio-s/s   raw faster-whisper {raw:.1f} audio-s/s   ratio {pipeline / raw:.2f}")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cmd_memory(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = eval_meetings("en")[0]
        one = render(base, Path(tmp) / "one")
        repeat = max(1, int(args.hours * 3600 / one.seconds))
        long = render(base, Path(tmp) / "long", repeat=repeat)
        with private_stack() as (_, env, stack):
            record = stack.registry.get("flow")
            assert record is not None
            samples: list[tuple[float, float, float]] = []
            done = threading.Event()

            def watch() -> None:
                t0 = time.monotonic()
                while not done.is_set():
                    with psycopg.connect(env["VORI_DATABASE_URL"]) as conn:
                        row = conn.execute("SELECT coalesce(max(end_ms), 0) FROM transcript_segments").fetchone()
                    samples.append((time.monotonic() - t0, (row[0] if row else 0) / 60000, _rss_mb(record.pid)))
                    time.sleep(5)

            watcher = threading.Thread(target=watch)
            watcher.start()
            ids = send_all(env, [long], realtime=False, suffix="mem")
            wait_closed(env["VORI_DATABASE_URL"], ids, 4 * 3600)
            done.set()
            watcher.join()
    print(f"memory: one meeting of {long.seconds / 3600:.2f} h; flow RSS (MB) against minutes transcribed")
    step = max(1, len(samples) // 12)
    for t, minutes, rss in samples[::step]:
        print(f"  t={t:6.0f}s  audio {minutes:6.1f} min  RSS {rss:7.1f} MB")
    # Flat means the second half of the meeting needs no more memory than the first.
    half = long.seconds / 120
    for label, part in (("first half", [s for s in samples if 5 < s[1] <= half]),
                        ("second half", [s for s in samples if s[1] > half])):
        if part:
            rss = [s[2] for s in part]
            print(f"  {label:11} RSS {min(rss):6.0f}-{max(rss):4.0f} MB, median {statistics.median(rss):.0f} MB")
    print(f"  peak {max(s[2] for s in samples):.0f} MB")
    print(f"  median RSS {statistics.median(s[2] for s in samples):.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    for name, fn in (("latency", cmd_latency), ("accuracy", cmd_accuracy), ("throughput", cmd_throughput),
                     ("memory", cmd_memory)):
        p = sub.add_parser(name)
        p.add_argument("--meetings", type=int, default=3 if name == "latency" else None)
        p.add_argument("--hours", type=float, default=2.0)
        p.add_argument("--repeat", type=int, default=1, help="speak each meeting this many times over")
        p.add_argument("--voice-shift", type=int, default=0, help="give each speaker another espeak-ng voice")
        p.add_argument("--dump", help="write the streamed segments to this file (tab-separated)")
        p.add_argument("--whole-stack", action="store_true",
                       help="latency: run the analytics jobs too, as `make up` does")
        p.add_argument("--settle", type=float, default=0.0,
                       help="with --whole-stack: seconds to wait after the stack is up (0: stream at once)")
        p.set_defaults(fn=fn)
    args = parser.parse_args()
    args.fn(args)


if __name__ == "__main__":
    main()
