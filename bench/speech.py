"""Real speech for the benchmarks: eval meetings rendered with espeak-ng, and LibriVox clips.

Imported by the bench scripts (``python bench/<name>.py``); nothing here is a benchmark itself.
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from connectors.audio import read_audio_file

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT / "eval" / "minutes"
LIBRIVOX = Path("/usr/share/pocketsphinx/test/data/librivox")
RATE = 16_000
# Voices Whisper tiny.en reads well (checked by hand); several per meeting, one per speaker.
VOICES = ["en-us+klatt", "en-us", "en-gb-x-rp", "en-us+m3"]
PAUSE_S = 0.6


@dataclass(frozen=True)
class SpokenMeeting:
    meeting_id: str
    reference: str  # what was said, in order
    mixed: Path  # one track, everyone (source "main")
    tracks: dict[str, Path]  # one track per speaker, silence while others talk
    seconds: float


def write_wav(path: Path, pcm: np.ndarray) -> None:
    """16 kHz mono 16-bit WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.astype("<i2").tobytes())


def speak(text: str, voice: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "-w", str(path), text], check=True)
        return read_audio_file(str(path))


def render(meeting: dict, out_dir: Path, repeat: int = 1, voice_shift: int = 0) -> SpokenMeeting:
    """Render an eval meeting (eval/minutes/*.json format); ``repeat`` loops it for long tests,
    ``voice_shift`` gives each speaker another voice (a second test set from the same script)."""
    speakers = sorted({u["speaker"] for u in meeting["utterances"]})
    voice = {s: VOICES[(i + voice_shift) % len(VOICES)] for i, s in enumerate(speakers)}
    pause = np.zeros(int(PAUSE_S * RATE), dtype=np.int16)
    said = [(u["speaker"], speak(u["text"], voice[u["speaker"]]), u["text"]) for u in meeting["utterances"]]
    mixed: list[np.ndarray] = []
    tracks: dict[str, list[np.ndarray]] = {s: [] for s in speakers}
    texts: list[str] = []
    for _ in range(repeat):
        for who, pcm, text in said:
            mixed += [pcm, pause]
            texts.append(text)
            for s in speakers:
                tracks[s] += [pcm if s == who else np.zeros_like(pcm), pause]
    out_dir.mkdir(parents=True, exist_ok=True)
    mid = meeting["meeting_id"]
    mixed_path = out_dir / f"{mid}.wav"
    whole = np.concatenate(mixed)
    write_wav(mixed_path, whole)
    track_paths = {}
    for s, parts in tracks.items():
        p = out_dir / f"{mid}.{re.sub(r'[^a-z0-9]+', '-', s.lower())}.wav"
        write_wav(p, np.concatenate(parts))
        track_paths[s] = p
    return SpokenMeeting(mid, " ".join(texts), mixed_path, track_paths, len(whole) / RATE)


def eval_meetings(language: str = "en") -> list[dict]:
    out = []
    for path in sorted(EVAL_DIR.glob("*.json")):
        m = json.loads(path.read_text())
        if m.get("language") == language:
            out.append(m)
    return out


def librivox_clips() -> list[tuple[Path, str]]:
    """(wav, transcript) pairs from Debian's pocketsphinx-testdata (public-domain LibriVox)."""
    lines = (LIBRIVOX / "transcription").read_text().splitlines()
    out = []
    for line in lines:
        m = re.match(r"<s>\s*(.*?)\s*</s>\s*\((.+)\)", line)
        if m:
            out.append((LIBRIVOX / f"{m.group(2)}.wav", m.group(1)))
    return out
