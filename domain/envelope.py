"""The audio chunk envelope of ``audio.raw`` (docs/contract.md section 2): parsing and validation.

The gateway validates with these rules before anything reaches Kafka, and the flow validates
again (records may reach Kafka by other routes), so both speak of bad input in the same words.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from domain.errors import DomainError

CODECS = ("wav", "pcm_s16le", "flac", "ogg", "webm", "mp3")
Codec = Literal["wav", "pcm_s16le", "flac", "ogg", "webm", "mp3"]
STREAM_CODECS = ("webm", "ogg", "mp3")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$")
_SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$")
MIN_SAMPLE_RATE = 4000
MAX_SAMPLE_RATE = 192_000
MAX_CHANNELS = 8
MAX_SEQ = 2**31 - 1

ErrorKind = Literal["malformed", "invalid", "too_large"]


class EnvelopeError(DomainError):
    """A record is not a valid audio chunk envelope.

    ``kind`` tells the gateway which status to answer: ``malformed`` (400: not JSON, not an
    object), ``invalid`` (422: a field breaks the contract), ``too_large`` (413).
    """

    def __init__(self, reason: str, *, kind: ErrorKind = "invalid", field: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind: ErrorKind = kind
        self.field = field


@dataclass(frozen=True)
class EnvelopeLimits:
    max_audio_bytes: int = 1024 * 1024
    max_chunk_seconds: float = 60.0


@dataclass(frozen=True)
class AudioChunk:
    """One validated chunk of a meeting's audio, as posted by a producer."""

    meeting_id: str
    seq: int
    source: str
    speaker: str | None
    codec: Codec
    sample_rate: int | None
    channels: int | None
    audio: bytes
    final: bool
    title: str | None
    offset_ms: int | None = None  # where this source starts on the meeting timeline (seq 0)
    # Consecutive byte ranges of one WebM/Ogg/MP3 stream, split anywhere (docs/contract.md,
    # "Streams"): only seq 0 starts with the container's header.
    stream: bool = False

    @property
    def stream_key(self) -> tuple[str, str]:
        return (self.meeting_id, self.source)

    def to_json_dict(self) -> dict[str, Any]:
        """The envelope as producers send it (audio base64-encoded)."""
        return {
            "meeting_id": self.meeting_id,
            "seq": self.seq,
            "source": self.source,
            "speaker": self.speaker,
            "codec": self.codec,
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "audio": base64.b64encode(self.audio).decode("ascii"),
            "final": self.final,
            "title": self.title,
            "offset_ms": self.offset_ms,
            **({"stream": True} if self.stream else {}),
        }


def parse_record(
    key: bytes | None, value: bytes | None, limits: EnvelopeLimits = EnvelopeLimits()
) -> AudioChunk:
    """Parse one ``audio.raw`` record (raw Kafka key and value) into a chunk, or raise."""
    if value is None:
        raise EnvelopeError("record has no value", kind="malformed")
    try:
        obj = json.loads(value)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"value is not JSON: {exc}", kind="malformed") from exc
    key_text: str | None
    if key is None:
        key_text = None
    else:
        try:
            key_text = key.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EnvelopeError("record key is not UTF-8", field="key") from exc
    return validate_envelope(obj, key_text, limits)


def validate_envelope(
    obj: Any, key: str | None, limits: EnvelopeLimits = EnvelopeLimits()
) -> AudioChunk:
    """Check a decoded envelope against the contract; ``key`` is the record key, if any."""
    if not isinstance(obj, Mapping):
        raise EnvelopeError("envelope must be a JSON object", kind="malformed")

    meeting_id = obj.get("meeting_id")
    if not isinstance(meeting_id, str) or not _ID_RE.match(meeting_id):
        raise EnvelopeError(
            "meeting_id must be 1-128 characters of letters, digits and ._:@- "
            "starting with a letter or digit",
            field="meeting_id",
        )
    if key is not None and key != meeting_id:
        raise EnvelopeError(
            f"record key {key[:64]!r} differs from meeting_id {meeting_id!r}", field="key"
        )

    seq = obj.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0 or seq > MAX_SEQ:
        raise EnvelopeError("seq must be a non-negative integer", field="seq")

    source = obj.get("source", "main")
    if source is None:
        source = "main"
    if not isinstance(source, str) or not _SOURCE_RE.match(source):
        raise EnvelopeError(
            "source must be 1-64 characters of letters, digits and ._:@-", field="source"
        )

    speaker = obj.get("speaker")
    if speaker is not None and (not isinstance(speaker, str) or not 0 < len(speaker) <= 128):
        raise EnvelopeError("speaker must be null or a string of 1-128 characters", field="speaker")

    title = obj.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > 300):
        raise EnvelopeError("title must be null or a string of at most 300 characters", field="title")

    final = obj.get("final", False)
    if not isinstance(final, bool):
        raise EnvelopeError("final must be true or false", field="final")

    codec = obj.get("codec")
    if codec not in CODECS:
        raise EnvelopeError(f"codec must be one of {', '.join(CODECS)}", field="codec")

    sample_rate = _optional_int(obj, "sample_rate")
    channels = _optional_int(obj, "channels")
    if codec == "pcm_s16le" and (sample_rate is None or channels is None):
        raise EnvelopeError("pcm_s16le needs sample_rate and channels", field="sample_rate")
    if sample_rate is not None and not MIN_SAMPLE_RATE <= sample_rate <= MAX_SAMPLE_RATE:
        raise EnvelopeError(
            f"sample_rate must be between {MIN_SAMPLE_RATE} and {MAX_SAMPLE_RATE}",
            field="sample_rate",
        )
    if channels is not None and not 1 <= channels <= MAX_CHANNELS:
        raise EnvelopeError(f"channels must be between 1 and {MAX_CHANNELS}", field="channels")

    audio_b64 = obj.get("audio", "")
    if audio_b64 is None:
        audio_b64 = ""
    if not isinstance(audio_b64, str):
        raise EnvelopeError("audio must be a base64 string", field="audio")
    # Check the size before decoding so a huge string costs nothing more.
    if len(audio_b64) // 4 * 3 > limits.max_audio_bytes + 3:
        raise EnvelopeError(
            f"audio is over the limit of {limits.max_audio_bytes} bytes",
            kind="too_large",
            field="audio",
        )
    try:
        audio = base64.b64decode(audio_b64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError(f"audio is not valid base64: {exc}", field="audio") from exc
    if len(audio) > limits.max_audio_bytes:
        raise EnvelopeError(
            f"audio is over the limit of {limits.max_audio_bytes} bytes",
            kind="too_large",
            field="audio",
        )
    if not audio and not final:
        raise EnvelopeError("audio is empty and final is not set", field="audio")

    offset_ms = _optional_int(obj, "offset_ms")
    if offset_ms is not None and not 0 <= offset_ms <= 7 * 24 * 3600 * 1000:
        raise EnvelopeError("offset_ms must be between 0 and a week in milliseconds", field="offset_ms")

    stream = obj.get("stream", False)
    if stream is None:
        stream = False
    if not isinstance(stream, bool):
        raise EnvelopeError("stream must be true or false", field="stream")
    if stream and codec not in STREAM_CODECS:
        raise EnvelopeError(
            f"stream is for codecs {', '.join(STREAM_CODECS)} only, not {codec}", field="stream"
        )

    if stream:
        if seq == 0 and audio:
            check_stream_header(codec, audio)
        # Later byte ranges start anywhere in the stream: nothing to check but their size.
    elif audio:
        _check_audio_bytes(codec, audio, sample_rate, channels, limits)

    return AudioChunk(
        meeting_id=meeting_id,
        seq=seq,
        source=source,
        speaker=speaker,
        codec=codec,
        sample_rate=sample_rate,
        channels=channels,
        audio=audio,
        final=final,
        title=title,
        offset_ms=offset_ms,
        stream=stream,
    )


def check_stream_header(codec: str, audio: bytes) -> None:
    """Seq 0 of a stream must start with its container's magic (EBML, ``OggS``, ID3 or an MPEG
    frame sync); raise the envelope error otherwise."""
    sniffed = sniff_codec(audio)
    if sniffed != codec:
        found = f"the bytes are {sniffed}" if sniffed else "its header is unknown"
        raise EnvelopeError(
            f"seq 0 of a {codec} stream must start with the {codec} header; {found}",
            field="audio",
        )


def _optional_int(obj: Mapping[str, Any], name: str) -> int | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise EnvelopeError(f"{name} must be an integer", field=name)
    return value


def sniff_codec(audio: bytes) -> str | None:
    """Name the container the bytes look like, from their magic numbers; None if unknown."""
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE":
        return "wav"
    if audio[:4] == b"fLaC":
        return "flac"
    if audio[:4] == b"OggS":
        return "ogg"
    if audio[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if audio[:3] == b"ID3" or (len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0):
        return "mp3"
    return None


def _check_audio_bytes(
    codec: str,
    audio: bytes,
    sample_rate: int | None,
    channels: int | None,
    limits: EnvelopeLimits,
) -> None:
    if codec == "pcm_s16le":
        assert sample_rate is not None and channels is not None
        frame = 2 * channels
        if len(audio) % frame:
            raise EnvelopeError(
                f"pcm_s16le audio length {len(audio)} is not a multiple of {frame} "
                f"(2 bytes x {channels} channels)",
                field="audio",
            )
        seconds = len(audio) / (frame * sample_rate)
        if seconds > limits.max_chunk_seconds:
            raise EnvelopeError(
                f"chunk holds {seconds:.1f} s of audio, over the limit of "
                f"{limits.max_chunk_seconds:g} s",
                kind="too_large",
                field="audio",
            )
        return
    sniffed = sniff_codec(audio)
    if sniffed is None and codec != "mp3":
        raise EnvelopeError(f"audio bytes are not {codec}: unknown header", field="codec")
    if sniffed is not None and sniffed != codec:
        raise EnvelopeError(
            f"codec says {codec} but the audio bytes are {sniffed}", field="codec"
        )
    if codec == "wav":
        info = parse_wav_header(audio)
        if info.seconds > limits.max_chunk_seconds:
            raise EnvelopeError(
                f"WAV header claims {info.seconds:.1f} s of audio, over the limit of "
                f"{limits.max_chunk_seconds:g} s",
                kind="too_large",
                field="audio",
            )


@dataclass(frozen=True)
class WavInfo:
    format_tag: int
    channels: int
    sample_rate: int
    bits_per_sample: int
    data_offset: int
    data_bytes: int

    @property
    def seconds(self) -> float:
        block = max(1, self.channels * max(1, self.bits_per_sample // 8))
        return self.data_bytes / block / max(1, self.sample_rate)


# Writers that stream WAV put these in the size fields when the length is not known yet.
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)


def parse_wav_header(audio: bytes) -> WavInfo:
    """Walk the RIFF chunks of a WAV file and check that the header tells the truth."""
    if len(audio) < 12 or audio[:4] != b"RIFF" or audio[8:12] != b"WAVE":
        raise EnvelopeError("WAV audio does not start with a RIFF/WAVE header", field="audio")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(audio):
        chunk_id = audio[pos : pos + 4]
        (size,) = struct.unpack_from("<I", audio, pos + 4)
        body = pos + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(audio):
                raise EnvelopeError("WAV fmt chunk is truncated", field="audio")
            tag, ch, rate, _, _, bits = struct.unpack_from("<HHIIHH", audio, body)
            if not 1 <= ch <= MAX_CHANNELS:
                raise EnvelopeError(f"WAV header claims {ch} channels", field="audio")
            if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
                raise EnvelopeError(f"WAV header claims a sample rate of {rate}", field="audio")
            if bits not in (8, 16, 24, 32, 64):
                raise EnvelopeError(f"WAV header claims {bits} bits per sample", field="audio")
            fmt = (tag, ch, rate, bits)
        elif chunk_id == b"data":
            if fmt is None:
                raise EnvelopeError("WAV data chunk comes before its fmt chunk", field="audio")
            available = len(audio) - body
            declared = available if size in _UNKNOWN_SIZES else size
            info = WavInfo(fmt[0], fmt[1], fmt[2], fmt[3], body, declared)
            if declared > available:
                claimed = info.seconds
                raise EnvelopeError(
                    f"WAV header claims {declared} bytes of audio ({claimed:.1f} s) "
                    f"but only {available} are present (truncated or lying header)",
                    field="audio",
                )
            return info
        pos = body + size + (size & 1)
    raise EnvelopeError("WAV audio has no data chunk (truncated)", field="audio")
