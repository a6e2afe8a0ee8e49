"""Where to cut a stream of 16 kHz speech into windows for Whisper: at pauses, never mid-word."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

RATE = 16_000
FRAME = 320  # 20 ms
_MIN_PAUSE_FRAMES = 12  # 240 ms of quiet counts as a pause between words or sentences
_LONG_PAUSE_FRAMES = 75  # 1.5 s: the speaker has stopped; never carry such silence inside a window
_MARGIN_FRAMES = 10  # 200 ms of quiet kept around speech at a cut
_ABS_FLOOR = 150.0  # RMS in int16 units (about -47 dBFS): below this is silence whatever the level


@dataclass(frozen=True)
class WindowPolicy:
    min_samples: int = RATE * 1
    max_samples: int = RATE * 20

    @classmethod
    def from_seconds(cls, min_s: float, max_s: float) -> WindowPolicy:
        if not 0 < min_s < max_s:
            raise ValueError("need 0 < min window < max window")
        return cls(int(min_s * RATE), int(max_s * RATE))


def frame_rms(pcm: npt.NDArray[np.int16]) -> npt.NDArray[np.float64]:
    n = len(pcm) // FRAME
    if n == 0:
        return np.zeros(0)
    frames = pcm[: n * FRAME].astype(np.float64).reshape(n, FRAME)
    return np.asarray(np.sqrt((frames**2).mean(axis=1)))


def silence_threshold(rms: npt.NDArray[np.float64]) -> float:
    if len(rms) == 0:
        return _ABS_FLOOR
    return float(max(_ABS_FLOOR, 0.12 * float(np.percentile(rms, 95))))


def _loud_frames(rms: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Frames clearly above silence (speech, not room noise)."""
    return np.asarray(rms > max(_ABS_FLOOR * 2, silence_threshold(rms)))


def has_speech(pcm: npt.NDArray[np.int16]) -> bool:
    """True when some 100 ms of the audio stands clearly above silence."""
    # five loud frames in total: a click is not speech
    return int(_loud_frames(frame_rms(pcm)).sum()) >= 5


def speech_seconds_after(pcm: npt.NDArray[np.int16], start_s: float) -> float:
    """Seconds of clearly loud 20 ms frames in ``pcm`` from ``start_s`` on (speech left there)."""
    first = max(0, int(start_s * RATE) // FRAME)
    return float(_loud_frames(frame_rms(pcm))[first:].sum()) * FRAME / RATE


def find_cut(pcm: npt.NDArray[np.int16], policy: WindowPolicy, *, flush: bool = False) -> int | None:
    """Sample index at which to end the next window, or None to wait for more audio.

    The cut goes in the middle of the last pause that leaves a window of at least
    ``min_samples`` and at most ``max_samples``. With no pause and a full window, it goes at the
    quietest frame. ``flush`` (end of a source) takes everything.
    """
    n = len(pcm)
    cut = _cut_at_pause(pcm, policy)
    if cut is None and flush:
        return n if n else None
    return cut


def _cut_at_pause(pcm: npt.NDArray[np.int16], policy: WindowPolicy) -> int | None:
    n = len(pcm)
    if n < policy.min_samples:
        return None
    all_rms = frame_rms(pcm)
    rms = all_rms[: policy.max_samples // FRAME]
    quiet = rms < silence_threshold(all_rms)
    if len(quiet) and bool(quiet.all()) and len(quiet) * FRAME >= policy.min_samples:
        return len(quiet) * FRAME  # nothing but silence: let it go at once
    long_cut = _first_long_pause_cut(quiet)
    if long_cut is not None:
        return long_cut
    best: int | None = None
    run_start: int | None = None
    for i, q in enumerate(np.append(quiet, False)):
        if q and run_start is None:
            run_start = i
        elif not q and run_start is not None:
            length = i - run_start
            touches_end = i == len(quiet) and len(quiet) * FRAME >= n - FRAME
            if length >= _MIN_PAUSE_FRAMES or (touches_end and length >= _MIN_PAUSE_FRAMES // 2):
                mid = (run_start + i) // 2 * FRAME
                if policy.min_samples <= mid <= policy.max_samples:
                    best = mid
            run_start = None
    if best is not None:
        return best
    if n >= policy.max_samples:
        window = rms[policy.min_samples // FRAME : policy.max_samples // FRAME]
        if len(window) == 0:
            return policy.max_samples
        return (policy.min_samples // FRAME + int(np.argmin(window))) * FRAME + FRAME // 2
    return None


def _first_long_pause_cut(quiet: npt.NDArray[np.bool_]) -> int | None:
    """End the window shortly after the first speech that a long pause follows.

    One speaker's track in a multi-source meeting is mostly silence between turns: cutting there
    gives one window per turn, so each turn gets its own segment and its own time.
    """
    loud = np.flatnonzero(~quiet)
    if len(loud) == 0:
        return None
    run = 0
    for i in range(int(loud[0]), len(quiet)):
        run = run + 1 if quiet[i] else 0
        if run >= _LONG_PAUSE_FRAMES:
            return (i - run + 1 + _MARGIN_FRAMES) * FRAME
    return None


def leading_silence(pcm: npt.NDArray[np.int16]) -> int:
    """Samples of quiet before the first speech, less a small margin (0 when there is none)."""
    rms = frame_rms(pcm)
    if len(rms) == 0:
        return 0
    loud = np.flatnonzero(rms >= silence_threshold(rms))
    if len(loud) == 0:
        return 0
    return max(0, int(loud[0]) - _MARGIN_FRAMES) * FRAME
