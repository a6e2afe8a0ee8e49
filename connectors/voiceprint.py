"""Enrolment: a voice sample (any file FFmpeg reads) to a voiceprint for the team roster.

The sample is decoded to 16 kHz mono, its silence dropped, cut into windows of 3-6 s, each window
embedded with the diarization encoder (:class:`connectors.diarization.VoiceEncoder`), and the
embeddings averaged and L2-normalised. Several windows make the print steadier than one embedding
of the whole sample, and it is compared with the label centroids of the same encoder.
"""

from __future__ import annotations

import threading

import numpy as np
import numpy.typing as npt

from connectors.audio import AudioDecodeError, pcm_to_float32, read_audio_file
from connectors.diarization import RATE, SpeakerModelError, VoiceEncoder

# Stored with every voiceprint: only prints of the same model are compared.
VOICE_MODEL = "resemblyzer-ge2e-0.1.4"
WINDOW_S = 5.0
MIN_WINDOW_S = 3.0
MAX_WINDOW_S = 6.0
MIN_SPEECH_S = 1.5
_FRAME = RATE // 100  # 10 ms

__all__ = ["VOICE_MODEL", "EnrollmentError", "encoder", "voiceprint_of", "voiceprint_of_file"]


class EnrollmentError(ValueError):
    """A voice sample that cannot be read, holds too little speech, or no encoder to embed it."""


_ENCODER: VoiceEncoder | None = None
_LOCK = threading.Lock()


def encoder() -> VoiceEncoder:
    """The process's encoder, loaded once (its weights take a second to read)."""
    global _ENCODER
    with _LOCK:
        if _ENCODER is None:
            try:
                _ENCODER = VoiceEncoder()
            except SpeakerModelError as exc:
                raise EnrollmentError(str(exc)) from exc
        return _ENCODER


def speech_only(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """The 10 ms frames within 40 dB of the loudest one (pauses and room tone dropped)."""
    n = len(audio) // _FRAME
    if n == 0:
        return audio[:0]
    frames = audio[: n * _FRAME].reshape(n, _FRAME)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    loudest = float(rms.max())
    if loudest <= 1e-5:
        return audio[:0]
    return np.asarray(frames[rms >= loudest * 0.01].reshape(-1), dtype=np.float32)


def windows(audio: npt.NDArray[np.float32]) -> list[npt.NDArray[np.float32]]:
    """Windows of about 5 s; a tail shorter than 3 s joins the window before it (at most 6 s)
    or, with no room there, is left out unless it is all there is."""
    step = int(WINDOW_S * RATE)
    out = [audio[i : i + step] for i in range(0, len(audio), step)]
    if len(out) > 1 and len(out[-1]) < MIN_WINDOW_S * RATE:
        tail = out.pop()
        if len(out[-1]) + len(tail) <= MAX_WINDOW_S * RATE:
            out[-1] = np.concatenate([out[-1], tail])
    return out


def voiceprint_of(audio: npt.NDArray[np.float32], enc: VoiceEncoder | None = None) -> npt.NDArray[np.float32]:
    """The voiceprint of 16 kHz mono float32 speech."""
    speech = speech_only(audio)
    if len(speech) < MIN_SPEECH_S * RATE:
        raise EnrollmentError(
            f"the sample holds {len(speech) / RATE:.1f} s of speech; at least {MIN_SPEECH_S:.0f} s "
            "(better 10-30 s) is needed"
        )
    model = enc or encoder()
    embeddings = np.stack([model.embed(w) for w in windows(speech)])
    mean = embeddings.mean(axis=0)
    return np.asarray(mean / max(float(np.linalg.norm(mean)), 1e-12), dtype=np.float32)


def voiceprint_of_file(path: str, enc: VoiceEncoder | None = None) -> npt.NDArray[np.float32]:
    try:
        pcm = read_audio_file(path)
    except FileNotFoundError as exc:
        raise EnrollmentError(f"no such file: {path}") from exc
    except (AudioDecodeError, OSError) as exc:
        raise EnrollmentError(f"cannot read the voice sample {path}: {exc}") from exc
    return voiceprint_of(pcm_to_float32(pcm), enc)
