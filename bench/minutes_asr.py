"""The minutes writer on ASR output: eval meetings spoken by espeak-ng, transcribed by Whisper, scored.

    python bench/minutes_asr.py [--out DIR] [--model tiny.en|base|PATH] [--only MEETING_ID ...]

Each English meeting of eval/minutes is rendered with one espeak-ng voice per speaker
(``bench/speech.py``), and each speaker's track is transcribed in-process the way the flow does
it: cut into windows at pauses (``domain.windowing.find_cut``), silent windows skipped, one
utterance per Whisper segment, placed on the meeting's timeline. The utterances of all speakers,
merged by time, are written to DIR in the eval format, then ``bench/minutes_eval.py --asr DIR``
scores them against the clean labels. Prints the transcript WER per meeting too.

Korean meetings are not rendered: Whisper cannot read espeak-ng's Korean voice, so an ASR figure
for them would measure espeak, not VORI.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import minutes_eval
from speech import eval_meetings, render

from connectors.audio import pcm_to_float32, read_audio_file
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber
from domain.transcript import normalize_text, prompt_tail
from domain.windowing import RATE, WindowPolicy, find_cut, has_speech, leading_silence

POLICY = WindowPolicy.from_seconds(1.0, 20.0)  # the flow's defaults (Settings.min/max_window_s)


def windows(pcm: np.ndarray, policy: WindowPolicy = POLICY) -> list[tuple[int, np.ndarray]]:
    """(start sample, audio) of each window with speech, cut at pauses as the flow cuts them."""
    out: list[tuple[int, np.ndarray]] = []
    pos = 0
    n = len(pcm)
    while pos < n:
        pos += leading_silence(pcm[pos : pos + policy.max_samples])
        cut = find_cut(pcm[pos:], policy, flush=True)
        if not cut:
            break
        window = pcm[pos : pos + cut]
        if has_speech(window):
            out.append((pos, window))
        pos += cut
    return out


def transcribe_track(model: WhisperTranscriber, path: Path, speaker: str) -> list[dict[str, Any]]:
    pcm = read_audio_file(str(path))
    utterances: list[dict[str, Any]] = []
    prompt = ""
    for start, window in windows(pcm):
        spans, _ = model.transcribe(pcm_to_float32(window), prompt=prompt or None)
        offset_ms = start * 1000 // RATE
        said = []
        for span in spans:
            text = normalize_text(span.text)
            if not text:
                continue
            said.append(text)
            utterances.append({
                "speaker": speaker,
                "text": text,
                "start_ms": offset_ms + round(span.start_s * 1000),
                "end_ms": offset_ms + round(span.end_s * 1000),
            })
        if said:
            prompt = prompt_tail(prompt, " ".join(said))
    return utterances


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    norm = jiwer.Compose([jiwer.ToLowerCase(), jiwer.RemovePunctuation(), jiwer.RemoveMultipleSpaces(),
                          jiwer.Strip(), jiwer.ReduceToListOfListOfWords()])
    return float(jiwer.wer(reference, hypothesis, reference_transform=norm, hypothesis_transform=norm))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / ".vori" / "eval-asr",
                        help="where the ASR transcripts go (eval JSON format)")
    parser.add_argument("--model", default=None, help="whisper model (default: VORI_WHISPER_MODEL or tiny.en)")
    parser.add_argument("--only", nargs="*", default=None, help="meeting ids to run (default: all English)")
    parser.add_argument("--verbose", "-v", action="store_true", help="list the scorer's misses")
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.model:
        settings = settings.with_(whisper_model=args.model)
    meetings = [m for m in eval_meetings("en") if not args.only or m["meeting_id"] in args.only]
    if not meetings:
        print("no English meetings selected", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.json"):
        old.unlink()  # the scorer reads the whole folder: no stale meetings from an earlier run

    load_started = time.perf_counter()
    model = WhisperTranscriber(settings)
    print(f"model {model.model_name} on {model.spec.device}/{model.spec.compute_type}"
          f" loaded in {time.perf_counter() - load_started:.1f}s")
    print(f"{'meeting':<38}{'audio s':>9}{'asr s':>8}{'RTF':>7}{'utts':>6}{'WER':>7}")
    total_audio = total_asr = 0.0
    wers: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory(prefix="vori-minutes-asr-") as tmp:
        for meeting in meetings:
            spoken = render(meeting, Path(tmp))
            started = time.perf_counter()
            utterances: list[dict[str, Any]] = []
            for speaker, track in spoken.tracks.items():
                utterances += transcribe_track(model, track, speaker)
            asr_s = time.perf_counter() - started
            utterances.sort(key=lambda u: (u["start_ms"], u["end_ms"]))
            hypothesis = " ".join(u["text"] for u in utterances)
            w = wer(spoken.reference, hypothesis)
            words = len(spoken.reference.split())
            wers.append((w, words))
            total_audio += spoken.seconds
            total_asr += asr_s
            out = {
                "meeting_id": meeting["meeting_id"],
                "team": meeting.get("team", ""),
                "date": meeting["date"],
                "language": meeting["language"],
                "title": meeting.get("title", ""),
                "asr": {"model": model.model_name, "wer": round(w, 4), "audio_s": round(spoken.seconds, 1)},
                "utterances": utterances,
            }
            path = args.out / f"{meeting['meeting_id']}.json"
            path.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            print(f"{meeting['meeting_id']:<38}{spoken.seconds:>9.1f}{asr_s:>8.1f}"
                  f"{asr_s / spoken.seconds:>7.3f}{len(utterances):>6}{w:>7.3f}")
    pooled = sum(w * n for w, n in wers) / max(1, sum(n for _, n in wers))
    print(f"{'all':<38}{total_audio:>9.1f}{total_asr:>8.1f}{total_asr / total_audio:>7.3f}"
          f"{'':>6}{pooled:>7.3f}  (WER weighted by reference words)")
    print(f"\ntranscripts in {args.out}; Korean meetings skipped (espeak-ng Korean is unreadable for Whisper)")
    # Only the own set: the held-out set stays unseen while the rules are tuned on ASR output.
    scorer = ["--dir", str(ROOT / "eval" / "minutes"), "--asr", str(args.out)] + (["--verbose"] if args.verbose else [])
    return minutes_eval.main(scorer)


if __name__ == "__main__":
    raise SystemExit(main())
