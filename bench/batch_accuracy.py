"""Batched vs per-window transcription: WER over the same windows, and CPU throughput by batch size.

    python bench/batch_accuracy.py [--meetings 2] [--windows 5,60] [--batches 1,2,4,8] [--model tiny.en]
                                   [--contexts 30,auto]

The scripted eval meetings (espeak-ng, ``bench/speech.py``) and the LibriVox clips (joined into one
recording) are cut into windows of about 5 s (live chunks) and longer (uploads; over 30 s Whisper
seeks), each ending at the quietest 30 ms of its last 30 %, as the flow ends windows at pauses.
Each window is read once alone with ``WhisperTranscriber.transcribe`` and then, for each batch
size, with ``transcribe_batch`` over batches that mix recordings (round robin, as windows of
different meetings arrive). 5 s windows get the flow's live prompt (the tail of the recording's
earlier text, from the per-window pass, so both passes see the same input); longer ones none.
WER: each recording's window texts joined in order against its script. Throughput: audio seconds
per wall second, and this process's CPU seconds per audio second (less swayed by other work on the
machine). Figures are printed; the goal (issue 18) is batched WER within x1.02 of per-window.
``--contexts``: the whole run once per encoder context (``VORI_WHISPER_CONTEXT_S``); ``vs first``
is each pass's WER over the first context's per-window WER (goal <= 1.02).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from speech import RATE, eval_meetings, librivox_clips, render

from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber, WindowRequest
from domain.transcript import prompt_tail


def wer(ref: str, hyp: str) -> float:
    import jiwer

    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(),  # type: ignore[no-untyped-call]
                          jiwer.RemoveMultipleSpaces(),
                          jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return float(jiwer.wer(ref, hyp, reference_transform=norm, hypothesis_transform=norm))


def recordings(count: int, work: Path) -> list[tuple[str, np.ndarray, str]]:
    """(name, 16 kHz float32 audio, what was said)."""
    out = []
    for meeting in eval_meetings("en")[:count]:
        spoken = render(meeting, work)
        out.append((meeting["meeting_id"], pcm_to_float32(read_audio_file(str(spoken.mixed))), spoken.reference))
    clips = librivox_clips()
    pause = np.zeros(int(0.6 * RATE), np.float32)
    audio = np.concatenate([part for path, _ in clips
                            for part in (pcm_to_float32(read_audio_file(str(path))), pause)])
    out.append(("librivox", audio, " ".join(text for _, text in clips)))
    return out


def cut(audio: np.ndarray, seconds: float) -> list[np.ndarray]:
    """Windows of at most ``seconds``, each ending at the quietest 30 ms of its last 30 %."""
    frame, hop, length = 480, 160, int(seconds * RATE)
    energy = np.concatenate([[0.0], np.cumsum(audio.astype(np.float64) ** 2)])
    windows, start = [], 0
    while len(audio) - start > length:
        lo, hi = start + int(length * 0.7), start + length - frame
        starts = np.arange(lo, hi, hop)
        quietest = int(starts[np.argmin(energy[starts + frame] - energy[starts])]) + frame // 2
        windows.append(audio[start:quietest])
        start = quietest
    if len(audio) - start > RATE // 4:
        windows.append(audio[start:])
    return windows


def texts(result: object) -> str:
    if isinstance(result, Exception):
        raise result
    assert isinstance(result, tuple)
    return " ".join(s.text.strip() for s in result[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meetings", type=int, default=2, help="scripted eval meetings (plus LibriVox)")
    parser.add_argument("--windows", default="5,60", help="window lengths in seconds")
    parser.add_argument("--batches", default="1,2,4,8", help="batch sizes")
    parser.add_argument("--model", default=None, help="tiny.en (default setting), base, or a path")
    parser.add_argument("--contexts", default=None,
                        help="encoder contexts to compare, e.g. 30,auto (default: the setting)")
    args = parser.parse_args()
    settings = Settings.from_env() if args.model is None else Settings.from_env(whisper_model=args.model)
    contexts = args.contexts.split(",") if args.contexts else [settings.whisper_context_s]
    batches = [int(b) for b in args.batches.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        recs = recordings(args.meetings, Path(tmp))
    first: dict[float, float] = {}
    for context in contexts:
        model = WhisperTranscriber(settings.with_(whisper_context_s=context))
        run(model, settings, recs, [float(w) for w in args.windows.split(",")], batches, first)
    print("  ratio: batched WER / per-window WER (goal <= 1.02); vs first: WER / the first context's "
          "per-window WER; differ: windows whose text is not the per-window text")


def run(model: WhisperTranscriber, settings: Settings, recs: list[tuple[str, np.ndarray, str]],
        window_lengths: list[float], batches: list[int], first: dict[float, float]) -> None:
    model.transcribe(recs[0][1][: 5 * RATE])  # loading and first-call costs are not throughput
    total = sum(len(a) for _, a, _ in recs) / RATE
    print(f"batched vs per-window ({model.model_name}, {model.spec.device}/{model.spec.compute_type}, "
          f"beam {settings.whisper_beam_size}, {model._threads} CPU threads, encoder context "
          f"{'/'.join(str(f // 100) for f in model.context_sizes)} s): {len(recs)} recordings, "
          f"{total:.0f} s of audio")
    print(f"  {'window':>7} {'mode':>10} {'windows':>7} {'WER':>6} {'ratio':>6} {'vs first':>8} {'differ':>6} "
          f"{'audio-s/s':>9} {'cpu-s/audio-s':>13}")
    refs = " ".join(ref for _, _, ref in recs)
    for seconds in window_lengths:
        live = seconds <= 10
        cuts = [cut(audio, seconds) for _, audio, _ in recs]
        # Per window, in each recording's order: the prompts come from this pass, as in the flow.
        alone: list[list[str]] = []
        requests: list[list[WindowRequest]] = []
        start, cpu = time.perf_counter(), time.process_time()
        for windows in cuts:
            said, reqs, prompt = [], [], ""
            for w in windows:
                request = WindowRequest(w, prompt=(prompt or None) if live else None)
                said.append(texts(model.transcribe(request.audio, prompt=request.prompt)))
                reqs.append(request)
                if live:
                    prompt = prompt_tail(prompt, said[-1])
            alone.append(said)
            requests.append(reqs)
        per_window_rate = total / (time.perf_counter() - start)
        per_window_cpu = (time.process_time() - cpu) / total
        base = wer(refs, " ".join(" ".join(s) for s in alone))
        reference = first.setdefault(seconds, base)
        n = sum(len(w) for w in cuts)
        print(f"  {seconds:6.0f}s {'alone':>10} {n:7d} {base:6.3f} {1:6.3f} {base / max(reference, 1e-9):8.3f} "
              f"{0:6d} {per_window_rate:9.1f} {per_window_cpu:13.3f}")
        # Round robin over recordings: each batch holds windows of different meetings.
        order = [(r, i) for i in range(max(len(w) for w in cuts)) for r in range(len(cuts)) if i < len(cuts[r])]
        for size in batches:
            got: list[list[str]] = [[""] * len(w) for w in cuts]
            start, cpu = time.perf_counter(), time.process_time()
            for b in range(0, len(order), size):
                chunk = order[b : b + size]
                for (r, i), result in zip(chunk, model.transcribe_batch([requests[r][i] for r, i in chunk]),
                                          strict=True):
                    got[r][i] = texts(result)
            rate = total / (time.perf_counter() - start)
            cpu_rate = (time.process_time() - cpu) / total
            batched = wer(refs, " ".join(" ".join(s) for s in got))
            differ = sum(a != g for said, gave in zip(alone, got, strict=True)
                         for a, g in zip(said, gave, strict=True))
            print(f"  {seconds:6.0f}s {f'batch {size}':>10} {n:7d} {batched:6.3f} "
                  f"{batched / max(base, 1e-9):6.3f} {batched / max(reference, 1e-9):8.3f} {differ:6d} "
                  f"{rate:9.1f} {cpu_rate:13.3f}")


if __name__ == "__main__":
    main()
