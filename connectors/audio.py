"""Audio decoding with PyAV: any codec of the contract to 16 kHz mono signed 16-bit PCM."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

from domain.envelope import MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, AudioChunk

TARGET_RATE = 16_000
# A chunk never holds more than this much audio once decoded, whatever its header says, so a
# lying header cannot make the decoder allocate hours of samples.
_HARD_LIMIT_SECONDS = 600.0

_FORMATS = {"wav": "wav", "flac": "flac", "ogg": "ogg", "webm": "matroska", "mp3": "mp3"}
_CODEC_OF = {"matroska": "webm"}


class AudioDecodeError(ValueError):
    """The bytes of a chunk cannot be decoded as the codec it names (bad input: dead-letter it)."""


Pcm = npt.NDArray[np.int16]


def decode_chunk(chunk: AudioChunk, max_seconds: float = _HARD_LIMIT_SECONDS) -> Pcm:
    """Decode a chunk's audio to 16 kHz mono int16 samples."""
    if not chunk.audio:
        return np.zeros(0, dtype=np.int16)
    if chunk.codec == "pcm_s16le":
        assert chunk.sample_rate is not None and chunk.channels is not None
        return _pcm_to_16k_mono(chunk.audio, chunk.sample_rate, chunk.channels, max_seconds)
    return _decode_container(chunk.audio, _FORMATS[chunk.codec], max_seconds)


def _pcm_to_16k_mono(raw: bytes, rate: int, channels: int, max_seconds: float) -> Pcm:
    if len(raw) % (2 * channels):
        raise AudioDecodeError("pcm_s16le length is not a whole number of frames")
    samples = np.frombuffer(raw, dtype="<i2").reshape(-1, channels)
    if len(samples) / rate > max_seconds:
        raise AudioDecodeError(f"chunk holds more than {max_seconds:g} s of audio")
    mono = samples.mean(axis=1) if channels > 1 else samples[:, 0].astype(np.float64)
    if rate == TARGET_RATE:
        return np.asarray(np.round(mono), dtype=np.int16)
    return _resample(mono, rate)


def _resample(mono: npt.NDArray[np.float64], rate: int) -> Pcm:
    frame = av.AudioFrame.from_ndarray(
        np.asarray(np.round(mono), dtype=np.int16).reshape(1, -1), format="s16", layout="mono"
    )
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
    parts = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    parts += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(parts).astype(np.int16) if parts else np.zeros(0, dtype=np.int16)


@dataclass(frozen=True)
class AudioInfo:
    """What a container chunk holds, found by decoding it without resampling."""

    sample_rate: int
    channels: int
    seconds: float


def _check_shape(rate: int, channels: int, fmt: str) -> None:
    fmt = _CODEC_OF.get(fmt, fmt)
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioDecodeError(
            f"the {fmt} audio has a sample rate of {rate} Hz; "
            f"between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE} is accepted"
        )
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioDecodeError(
            f"the {fmt} audio has {channels} channels; between 1 and {MAX_CHANNELS} is accepted"
        )


def _checked_frames(
    container: av.container.InputContainer, fmt: str, max_seconds: float, deadline: float | None
) -> Iterator[av.AudioFrame]:
    """The audio frames of a container, each checked before anyone resamples it.

    A header may claim anything: rate and channels are checked on the stream and again on every
    frame (they may change mid-stream), and the decoded duration is added up frame by frame, so
    a tiny chunk that would decode to hours, or resample a 1 Hz stream to gigabytes, is refused
    before it costs memory.
    """
    if not container.streams.audio:
        raise AudioDecodeError(f"no audio stream in the {fmt} data")
    stream = container.streams.audio[0]
    ctx = stream.codec_context
    if ctx.sample_rate:
        _check_shape(ctx.sample_rate, ctx.channels or 1, fmt)
    # Exact sums: float steps of 1152/16000 s add up to a hair over 60 and would refuse an
    # honest 60 s chunk.
    seconds = Fraction(0)
    for frame in container.decode(stream):
        _check_shape(frame.sample_rate, len(frame.layout.channels), fmt)
        seconds += Fraction(frame.samples, frame.sample_rate)
        if seconds > max_seconds:
            raise AudioDecodeError(f"chunk holds more than {max_seconds:g} s of audio")
        if deadline is not None and time.monotonic() > deadline:
            raise AudioDecodeError(f"the {fmt} audio takes too long to decode")
        yield frame


def _opened(data: bytes, fmt: str) -> av.container.InputContainer:
    return av.open(io.BytesIO(data), mode="r", format=fmt)


_DECODE_ERRORS = (av.error.FFmpegError, ValueError, EOFError, IndexError, OverflowError)


def probe_chunk(chunk: AudioChunk, *, max_seconds: float, time_budget_s: float = 1.0) -> AudioInfo | None:
    """Decode a container chunk without resampling to check what it holds (the gateway's check).

    Raises :class:`AudioDecodeError` with the reason when the rate, the channels or the decoded
    duration are out of bounds, the data does not decode, or decoding takes longer than
    ``time_budget_s``. Raw PCM (checked from its envelope) and empty audio give None.
    """
    if not chunk.audio or chunk.codec == "pcm_s16le":
        return None
    fmt = _FORMATS[chunk.codec]
    deadline = time.monotonic() + time_budget_s
    rate = channels = 0
    seconds = Fraction(0)
    try:
        with _opened(chunk.audio, fmt) as container:
            for frame in _checked_frames(container, fmt, max_seconds, deadline):
                rate, channels = frame.sample_rate, len(frame.layout.channels)
                seconds += Fraction(frame.samples, frame.sample_rate)
    except AudioDecodeError:
        raise
    except _DECODE_ERRORS as exc:
        raise AudioDecodeError(f"cannot decode {fmt} audio: {exc}") from exc
    if not rate:
        raise AudioDecodeError(f"the {fmt} data holds no audio frames")
    return AudioInfo(rate, channels, float(seconds))


def _decode_container(data: bytes, fmt: str, max_seconds: float) -> Pcm:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
    parts: list[Pcm] = []
    try:
        with _opened(data, fmt) as container:
            for frame in _checked_frames(container, fmt, max_seconds, None):
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1).astype(np.int16))
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1).astype(np.int16))
    except AudioDecodeError:
        raise
    except _DECODE_ERRORS as exc:
        raise AudioDecodeError(f"cannot decode {fmt} audio: {exc}") from exc
    if not parts:
        raise AudioDecodeError(f"the {fmt} data holds no audio frames")
    return np.concatenate(parts)


def pcm_to_float32(pcm: Pcm) -> npt.NDArray[np.float32]:
    """Whisper wants float32 in [-1, 1]."""
    return (pcm.astype(np.float32) / 32768.0).astype(np.float32)


def read_audio_file(path: str) -> Pcm:
    """Decode any file PyAV can read into 16 kHz mono int16 (for `vori send` and benchmarks)."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            fmt = container.format.name.split(",")[0]
    except av.error.FFmpegError as exc:
        raise AudioDecodeError(f"cannot read {path}: {exc}") from exc
    return _decode_container(data, fmt, max_seconds=24 * 3600)
