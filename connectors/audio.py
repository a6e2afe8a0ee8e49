"""Audio decoding with PyAV: any codec of the contract to 16 kHz mono signed 16-bit PCM."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction

import av
import numpy as np
import numpy.typing as npt

from domain.envelope import MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, AudioChunk
from domain.stream import StreamError, StreamState

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


# -- streams: consecutive byte ranges of one container (docs/contract.md, "Streams") ---------

# Decoding a tail again starts this far (16 kHz samples) before what is still to be emitted:
# the codec (Opus, the MP3 bit reservoir) and the resampler settle within it, so what is
# emitted matches decoding the whole stream at once.
_WARMUP = TARGET_RATE // 4
# The resampler's last few samples are guessed from zero padding: held back until more comes.
_MARGIN = TARGET_RATE // 100
# Bytes after the header that may arrive without one audio packet before the stream is refused.
_STALL_BYTES = 256 * 1024
_CLUSTER_ID = b"\x1f\x43\xb6\x75"


class _Reader:
    """Bytes as a non-seekable input: the demuxer reads on, as from a live stream, and never
    seeks to an index (Cues) that a spliced header+tail would place in the wrong bytes."""

    def __init__(self, data: bytes) -> None:
        self._buf = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._buf.read(n)


@dataclass
class _Run:
    """One decode of header + tail + new bytes."""

    pcm: Pcm  # 16 kHz mono from the first decoded frame on (flushed)
    first_frame: float  # seconds, the stream's clock
    first_packet: float
    last_packet: float
    packets: list[tuple[int, float]]  # (byte position, seconds) of each packet


def _decode_run(data: bytes, fmt: str) -> _Run | None:
    """Decode what ``data`` holds; None when it holds no complete audio packet yet."""
    resampler = av.AudioResampler(format="s16", layout="mono", rate=TARGET_RATE)
    parts: list[Pcm] = []
    packets: list[tuple[int, float]] = []
    first_frame: float | None = None
    with av.open(_Reader(data), mode="r", format=fmt) as container:
        if not container.streams.audio:
            raise AudioDecodeError(f"no audio stream in the {fmt} data")
        stream = container.streams.audio[0]
        for packet in container.demux(stream):
            if not packet.size or packet.pts is None:
                continue
            pos = packet.pos if packet.pos is not None else -1
            packets.append((pos, float(packet.pts * packet.time_base)))
            try:
                frames = packet.decode()
            except av.error.InvalidDataError:
                # An MP3 frame cut short at the end, or one whose bit reservoir lies before
                # the cut the tail starts at: the frames around it decode, this one cannot.
                if fmt != "mp3":
                    raise
                continue
            for frame in frames:
                _check_shape(frame.sample_rate, len(frame.layout.channels), fmt)
                if first_frame is None and frame.pts is not None and frame.time_base is not None:
                    first_frame = float(frame.pts * frame.time_base)
                for out in resampler.resample(frame):
                    parts.append(out.to_ndarray().reshape(-1).astype(np.int16))
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1).astype(np.int16))
    if not packets:
        return None
    pcm = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
    first = packets[0][1]
    return _Run(pcm, first if first_frame is None else first_frame, first, packets[-1][1], packets)


def _valid_cluster(data: bytes, pos: int) -> bool:
    """A Cluster ID followed by a size (EBML vint) and its Timecode element (0xE7)."""
    at = pos + 4
    if at >= len(data) or not data[at]:
        return False
    width = 8 - data[at].bit_length() + 1
    return data[at + width : at + width + 1] == b"\xe7"


def _valid_mp3_frame(data: bytes, pos: int) -> bool:
    if pos + 4 > len(data):
        return False
    b1, b2 = data[pos + 1], data[pos + 2]
    return (
        data[pos] == 0xFF and b1 & 0xE0 == 0xE0 and b1 & 0x06 != 0  # sync, a layer
        and b2 >> 4 not in (0, 15) and (b2 >> 2) & 3 != 3  # a bitrate, a sample rate
    )


def _boundaries(codec: str, data: bytes, start: int) -> list[int]:
    """Byte positions in ``data`` (from ``start``) where decoding can begin afresh."""
    out: list[int] = []
    if codec == "webm":
        pos = data.find(_CLUSTER_ID, start)
        while pos >= 0:
            if _valid_cluster(data, pos):
                out.append(pos)
            pos = data.find(_CLUSTER_ID, pos + 1)
    elif codec == "ogg":
        pos = data.find(b"OggS\x00", start)
        while pos >= 0:
            out.append(pos)
            pos = data.find(b"OggS\x00", pos + 1)
    else:
        pos = data.find(b"\xff", start)
        while pos >= 0:
            if _valid_mp3_frame(data, pos):
                out.append(pos)
            pos = data.find(b"\xff", pos + 1)
    return out


def _samples(seconds: float) -> int:
    return round(seconds * TARGET_RATE)


def decode_stream(
    state: StreamState | None,
    codec: str,
    data: bytes,
    *,
    final: bool,
    max_seconds: float = _HARD_LIMIT_SECONDS,
) -> tuple[StreamState, bytes]:
    """Decode the next byte range of a streamed source; returns the new state and the PCM
    (16 kHz mono s16le) that these bytes added. Deterministic in (state, data, final).

    Raises :class:`StreamError` when the stream is not what ``codec`` claims, its rate or
    channels are out of bounds, or the range adds more than ``max_seconds`` of audio.
    """
    try:
        return _decode_stream(state or StreamState(codec), codec, data, final, max_seconds)
    except AudioDecodeError as exc:
        raise StreamError(str(exc)) from exc


def _decode_stream(
    st: StreamState, codec: str, data: bytes, final: bool, max_seconds: float
) -> tuple[StreamState, bytes]:
    fmt = _FORMATS[codec]
    if st.resync:
        buf = st.tail + data
        found = _boundaries(codec, buf, 0)
        if not found:  # keep a few bytes: the next boundary's magic may straddle two ranges
            return replace(st, tail=buf[-8:]), b""
        st = replace(st, tail=buf[found[0] :], resync=False, origin=st.emitted)
        data = b""
    header = st.header or b""
    buf = header + st.tail + data
    try:
        run = _decode_run(buf, fmt)
    except AudioDecodeError:
        raise
    except _DECODE_ERRORS as exc:
        # Too few bytes for the demuxer to start (a header cut short) is no error yet.
        if st.header is None and not final and len(buf) < _STALL_BYTES:
            return replace(st, tail=st.tail + data), b""
        raise AudioDecodeError(f"cannot decode the {codec} stream: {exc}") from exc
    if run is None:
        if final:
            if st.emitted == 0 and st.header is None:
                raise AudioDecodeError(f"the {codec} stream holds no audio frames")
            return replace(st, tail=b""), b""
        if len(buf) - len(header) > _STALL_BYTES:
            raise AudioDecodeError(
                f"no {codec} audio in {len(buf) - len(header)} bytes of the stream"
            )
        return replace(st, tail=st.tail + data), b""

    if st.header is None:
        if codec == "webm":
            clusters = _boundaries(codec, buf, 0)
            first = run.packets[0][0]
            before = [c for c in clusters if c <= first]
            header = buf[: before[-1]] if before else b""
        elif codec == "ogg":
            header = buf[: max(0, run.packets[0][0])]
        st = replace(st, header=header)

    # Positions on the stream's axis: the tail's first packet sits at ``origin``.
    def at(seconds: float) -> int:
        return st.origin + _samples(seconds - run.first_packet)

    run_start = at(run.first_frame)
    end = run_start + len(run.pcm)
    safe = end if final else min(end, at(run.last_packet) - _MARGIN)
    lo = max(st.emitted, run_start)
    pcm = run.pcm[lo - run_start : max(lo, safe) - run_start]
    if len(pcm) > max_seconds * TARGET_RATE:
        raise AudioDecodeError(f"chunk holds more than {max_seconds:g} s of audio")
    emitted = max(st.emitted, safe)

    # Keep only what must be decoded again: from the last boundary early enough that the codec
    # has settled by ``emitted``.
    tail_at = len(header)
    origin = st.origin
    if final:
        tail_at, origin = len(buf), emitted
    else:
        starts = _packet_boundaries(codec, buf, len(header), run.packets)
        for pos, seconds in starts:
            if at(seconds) <= emitted - _WARMUP and pos > tail_at:
                tail_at, origin = pos, at(seconds)
    return replace(st, tail=buf[tail_at:], origin=origin, emitted=emitted), pcm.tobytes()


def _packet_boundaries(
    codec: str, buf: bytes, start: int, packets: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """Boundaries with the stream time of the first packet after each."""
    if codec != "webm":  # an Ogg packet's position is its page's, an MP3 packet's its frame's
        seen: dict[int, float] = {}
        for pos, seconds in packets:
            if pos >= start and pos not in seen:
                seen[pos] = seconds
        return sorted(seen.items())
    out: list[tuple[int, float]] = []
    clusters = _boundaries(codec, buf, start)
    i = 0
    for c in clusters:
        while i < len(packets) and packets[i][0] <= c:
            i += 1
        if i < len(packets):
            out.append((c, packets[i][1]))
    return out
