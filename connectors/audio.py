"""Audio decoding with PyAV: any codec of the contract to 16 kHz mono signed 16-bit PCM."""

from __future__ import annotations

import io

import av
import numpy as np
import numpy.typing as npt

from domain.envelope import AudioChunk

TARGET_RATE = 16_000
# A chunk never holds more than this much audio once decoded, whatever its header says, so a
# lying header cannot make the decoder allocate hours of samples.
_HARD_LIMIT_SECONDS = 600.0

_FORMATS = {"wav": "wav", "flac": "flac", "ogg": "ogg", "webm": "matroska", "mp3": "mp3"}


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


def _decode_container(data: bytes, fmt: str, max_seconds: float) -> Pcm:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
    parts: list[Pcm] = []
    total = 0
    limit = int(max_seconds * TARGET_RATE)
    try:
        with av.open(io.BytesIO(data), mode="r", format=fmt) as container:
            if not container.streams.audio:
                raise AudioDecodeError(f"no audio stream in the {fmt} data")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pcm = out.to_ndarray().reshape(-1).astype(np.int16)
                    total += len(pcm)
                    if total > limit:
                        raise AudioDecodeError(f"chunk holds more than {max_seconds:g} s of audio")
                    parts.append(pcm)
            for out in resampler.resample(None):
                parts.append(out.to_ndarray().reshape(-1).astype(np.int16))
    except AudioDecodeError:
        raise
    except (av.error.FFmpegError, ValueError, EOFError, IndexError) as exc:
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
