"""Replay meetings through the flow's per-meeting logic without Kafka, in several arrival patterns.

    python bench/windowing_replay.py [--repeat 3] [--voice-shift N] [--patterns all,one,random,live]

Each espeak-ng meeting is cut into 5 s chunks and fed to ``MeetingLogic`` (the flow's stateful
step: timeline, windows, Whisper, re-reads) with a simulated clock, in one of these patterns:

- ``all``: every chunk in one batch (a flow that was behind);
- ``one``: one chunk per batch, 15 ms apart (an upload read as it arrives);
- ``first-alone``: the first chunk alone, then the rest;
- ``random``: batches of 1-5 chunks;
- ``live``: one chunk every 5 s (a live mic).

It prints the corpus WER of each pattern against the same model on the whole files. Uploads
should give the same figure in every pattern (windows depend on the audio, not on batching);
``live`` shows what short live windows cost. A quick way to try a windowing change: about 20 s
per pattern for the 8 meetings, 60 s with ``--repeat 3``.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speech import SpokenMeeting, eval_meetings, render
from transcription import wer, whole_file

from connectors.audio import read_audio_file
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber
from domain.envelope import AudioChunk
from domain.transcript import Segment
from flows.transcription import Accepted, IntakeClock, MeetingLogic, timeline_config

CHUNK = 5 * 16_000


class _Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


class _Msg:
    partition = 0


def _chunks(m: SpokenMeeting) -> list[tuple[AudioChunk, bytes]]:
    pcm = read_audio_file(str(m.mixed))
    out = []
    for i in range(0, len(pcm), CHUNK):
        out.append((AudioChunk(m.meeting_id, len(out), "main", None, "pcm_s16le", 16000, 1, b"", False, None),
                    pcm[i : i + CHUNK].tobytes()))
    out.append((AudioChunk(m.meeting_id, len(out), "main", None, "pcm_s16le", 16000, 1, b"", True, None), b""))
    return out


def _batches(chunks: list, pattern: str, rnd: random.Random) -> list[list]:
    if pattern == "all":
        return [chunks]
    if pattern in ("one", "live"):
        return [[c] for c in chunks]
    if pattern == "first-alone":
        return [chunks[:1], chunks[1:]]
    out, i = [], 0
    while i < len(chunks):
        k = rnd.randint(1, 5)
        out.append(chunks[i : i + k])
        i += k
    return out


def replay(m: SpokenMeeting, pattern: str, settings: Settings, model: WhisperTranscriber) -> str:
    clock = _Clock()
    intake = IntakeClock(clock)
    logic = MeetingLogic(m.meeting_id, timeline_config(settings), lambda: model, clock, None, intake)
    step_ms = 5000 if pattern == "live" else 15
    posted = int(clock.t * 1000)
    segments: list[Segment] = []
    for batch in _batches(_chunks(m), pattern, random.Random(7)):
        values = []
        for chunk, pcm in batch:
            posted += step_ms
            intake.observe(0, posted)
            values.append(Accepted(chunk, pcm, posted, None, _Msg()))  # type: ignore[arg-type]
        clock.t = posted / 1000 + 0.05
        out, _ = logic.on_batch(values)
        segments += [o for o in out if isinstance(o, Segment)]
    for _ in range(200):  # let quiet spells, probes and the close run their course
        clock.t += 3
        out, _ = logic.on_notify()
        segments += [o for o in out if isinstance(o, Segment)]
    return " ".join(s.text for s in sorted(segments, key=lambda s: s.start_ms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="speak each meeting this many times over")
    parser.add_argument("--voice-shift", type=int, default=0, help="give each speaker another espeak-ng voice")
    parser.add_argument("--patterns", default="all,one,first-alone,random,live")
    args = parser.parse_args()
    settings = Settings.from_env()
    model = WhisperTranscriber(settings)
    with tempfile.TemporaryDirectory() as tmp:
        meetings = [render(m, Path(tmp), repeat=args.repeat, voice_shift=args.voice_shift)
                    for m in eval_meetings("en")]
        refs = " ".join(m.reference for m in meetings)
        whole = wer(refs, " ".join(whole_file(settings, [m.mixed for m in meetings])))
        minutes = sum(m.seconds for m in meetings) / len(meetings) / 60
        print(f"windowing replay ({settings.whisper_model}): {len(meetings)} meetings, {minutes:.1f} min each, "
              f"voice shift {args.voice_shift}; whole-file WER {whole:.3f}")
        for pattern in args.patterns.split(","):
            started = time.monotonic()
            streamed = wer(refs, " ".join(replay(m, pattern, settings, model) for m in meetings))
            print(f"  {pattern:12} WER {streamed:.3f}  ratio {streamed / max(whole, 1e-9):.3f}  "
                  f"({time.monotonic() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
