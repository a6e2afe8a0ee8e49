"""``vori send FILE --meeting ID``: decode any audio file and post it to the gateway in chunks.

Chunks are 16 kHz mono ``pcm_s16le``, posted in order through the REST Proxy v2 API; a failed
post is retried with the same seq (so a retry never duplicates), and a ``final`` chunk closes the
source. ``--realtime`` paces the chunks at wall-clock speed, like a live microphone.

``--stream-as webm|ogg|mp3`` sends the file as a browser's ``MediaRecorder`` does instead: the
audio encoded once as one stream (Opus in WebM or Ogg at 48 kHz mono, or MP3), posted as
consecutive byte ranges of about ``--chunk-seconds`` of sound each, cut at arbitrary bytes, with
``"stream": true`` (docs/contract.md, "Streams").
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from tqdm import tqdm

from connectors.settings import Settings, SettingsError

RATE = 16_000
V2_JSON = "application/vnd.kafka.json.v2+json"
RETRYABLE = {408, 425, 429, 500, 502, 503, 504}


class SendError(Exception):
    """The file cannot be read, or the gateway refused a chunk for good."""


@dataclass(frozen=True)
class Target:
    url: str
    token: str
    topic: str = "audio.raw"


def iter_pcm_chunks(path: str | Path, chunk_seconds: float) -> Iterator[bytes]:
    """Decode ``path`` with PyAV and yield 16 kHz mono s16le chunks of ``chunk_seconds``."""
    chunk_bytes = 2 * max(1, int(chunk_seconds * RATE))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    pending = bytearray()
    try:
        with av.open(str(path)) as container:
            if not container.streams.audio:
                raise SendError(f"{path}: no audio stream")
            stream = container.streams.audio[0]
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    pending += out.to_ndarray().astype("<i2").tobytes()
                while len(pending) >= chunk_bytes:
                    yield bytes(pending[:chunk_bytes])
                    del pending[:chunk_bytes]
            for out in resampler.resample(None):
                pending += out.to_ndarray().astype("<i2").tobytes()
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise SendError(f"cannot decode {path}: {exc}") from exc
    while pending:
        yield bytes(pending[:chunk_bytes])
        del pending[:chunk_bytes]


STREAM_FORMATS = {  # --stream-as -> (container, encoder, muxer options)
    "webm": ("webm", "libopus", {"live": "1"}),  # unknown sizes, no index: as MediaRecorder writes
    "ogg": ("ogg", "libopus", {}),
    "mp3": ("mp3", "libmp3lame", {}),
}


class _Sink:
    """A write-only (non-seekable) output: the muxer writes a live stream, never going back."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, b: bytes) -> int:
        self.data += b
        return len(b)


class StreamEncoder:
    """Encodes 16 kHz mono s16le PCM into one container stream; :meth:`take` hands out the
    bytes written so far, so a recorder can post them while it records."""

    def __init__(self, codec: str) -> None:
        container, encoder, options = STREAM_FORMATS[codec]
        self._sink = _Sink()
        self._out = av.open(self._sink, "w", format=container, options=options)
        stream = self._out.add_stream(encoder, rate=48_000, layout="mono")
        assert isinstance(stream, av.audio.stream.AudioStream)
        self._stream = stream
        fmt = self._stream.codec_context.format
        self._resampler = av.AudioResampler(format=fmt.name if fmt else "s16", layout="mono", rate=48_000)
        self._closed = False

    def write(self, pcm: bytes) -> None:
        samples = np.frombuffer(pcm, dtype="<i2").reshape(1, -1)
        if not samples.size:
            return
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = RATE
        for resampled in self._resampler.resample(frame):
            for packet in self._stream.encode(resampled):
                self._out.mux(packet)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for resampled in self._resampler.resample(None):
            for packet in self._stream.encode(resampled):
                self._out.mux(packet)
        for packet in self._stream.encode(None):
            self._out.mux(packet)
        self._out.close()

    def take(self) -> bytes:
        data = bytes(self._sink.data)
        self._sink.data.clear()
        return data


def encode_stream(path: str | Path, codec: str) -> tuple[bytes, float]:
    """The whole file as one ``codec`` stream, and the seconds of audio it holds."""
    enc = StreamEncoder(codec)
    seconds = 0.0
    for pcm in iter_pcm_chunks(path, 10.0):
        enc.write(pcm)
        seconds += len(pcm) / (2 * RATE)
    enc.close()
    return enc.take(), seconds


def stream_envelope(
    *, meeting: str, seq: int, data: bytes, codec: str, source: str, speaker: str | None,
    title: str | None, final: bool = False,
) -> dict[str, Any]:
    return {
        "meeting_id": meeting,
        "seq": seq,
        "source": source,
        "speaker": speaker,
        "codec": codec,
        "audio": base64.b64encode(data).decode("ascii"),
        "final": final,
        "title": title,
        "stream": True,
    }


def duration_s(path: str | Path) -> float | None:
    """The file's duration from its container header, if it states one."""
    try:
        with av.open(str(path)) as container:
            if container.duration:
                return float(container.duration) / 1_000_000
    except (av.FFmpegError, OSError, ValueError):
        return None
    return None


def envelope(
    *,
    meeting: str,
    seq: int,
    pcm: bytes,
    source: str,
    speaker: str | None,
    title: str | None,
    final: bool = False,
) -> dict[str, Any]:
    return {
        "meeting_id": meeting,
        "seq": seq,
        "source": source,
        "speaker": speaker,
        "codec": "pcm_s16le",
        "sample_rate": RATE,
        "channels": 1,
        "audio": base64.b64encode(pcm).decode("ascii"),
        "final": final,
        "title": title,
    }


def post_chunk(
    client: httpx.Client,
    target: Target,
    env: Mapping[str, Any],
    *,
    retries: int,
    sleep: Any = time.sleep,
) -> dict[str, Any]:
    """POST one envelope; retry transient failures with the very same body, then give up."""
    body = {"records": [{"key": env["meeting_id"], "value": dict(env)}]}
    headers = {"Authorization": f"Bearer {target.token}", "Content-Type": V2_JSON}
    url = f"{target.url.rstrip('/')}/topics/{target.topic}"
    delay = 0.5
    for attempt in range(retries + 1):
        wait = delay
        try:
            resp = client.post(url, json=body, headers=headers)
        except httpx.TransportError as exc:
            problem = f"cannot reach the gateway at {target.url}: {exc}"
        else:
            if resp.status_code == 200:
                result: dict[str, Any] = resp.json()
                return result
            problem = f"gateway answered {resp.status_code}: {_message(resp)}"
            if resp.status_code not in RETRYABLE:
                raise SendError(f"chunk seq {env['seq']}: {problem}")
            retry_after = resp.headers.get("retry-after", "")
            if retry_after.isdigit():
                wait = max(wait, float(retry_after))
        if attempt == retries:
            raise SendError(f"chunk seq {env['seq']}: {problem} (gave up after {retries} retries)")
        sleep(wait)
        delay = min(delay * 2, 10.0)
    raise AssertionError("unreachable")


def _message(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("message", resp.text))[:300]
    except ValueError:
        return resp.text[:300]


def send_file(
    path: str | Path,
    *,
    target: Target,
    meeting: str,
    source: str = "main",
    speaker: str | None = None,
    title: str | None = None,
    chunk_seconds: float = 5.0,
    realtime: bool = False,
    start_seq: int = 0,
    retries: int = 8,
    progress: bool | None = None,
    client: httpx.Client | None = None,
) -> int:
    """Send the whole file and then the ``final`` chunk; returns how many chunks were posted."""
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))
    show = sys.stderr.isatty() if progress is None else progress
    bar = tqdm(total=duration_s(path), unit="s", desc=meeting, disable=not show,
               bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]")
    seq = start_seq
    audio_s = 0.0
    started = time.monotonic()
    try:
        for pcm in iter_pcm_chunks(path, chunk_seconds):
            seconds = len(pcm) / (2 * RATE)
            audio_s += seconds
            if realtime:  # a live mic delivers a chunk once its last sample was spoken
                time.sleep(max(0.0, started + audio_s - time.monotonic()))
            env = envelope(meeting=meeting, seq=seq, pcm=pcm, source=source, speaker=speaker,
                           title=title)
            post_chunk(http, target, env, retries=retries)
            seq += 1
            bar.update(seconds)
        final = envelope(meeting=meeting, seq=seq, pcm=b"", source=source, speaker=speaker,
                         title=title, final=True)
        post_chunk(http, target, final, retries=retries)
        seq += 1
    finally:
        bar.close()
        if own:
            http.close()
    return seq - start_seq


def send_stream(
    path: str | Path,
    codec: str,
    *,
    target: Target,
    meeting: str,
    source: str = "main",
    speaker: str | None = None,
    title: str | None = None,
    chunk_seconds: float = 5.0,
    realtime: bool = False,
    start_seq: int = 0,
    retries: int = 8,
    client: httpx.Client | None = None,
) -> int:
    """Send the file as one ``codec`` stream in byte ranges of about ``chunk_seconds`` of sound,
    the last one ``final``; returns how many chunks were posted."""
    data, seconds = encode_stream(path, codec)
    step = max(1, int(len(data) / max(seconds, 1e-3) * chunk_seconds))
    own = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))
    started = time.monotonic()
    seq = start_seq
    try:
        for start in range(0, len(data), step):
            if realtime:  # the bytes exist once their sound was spoken
                time.sleep(max(0.0, started + (start + step) / len(data) * seconds - time.monotonic()))
            env = stream_envelope(meeting=meeting, seq=seq, data=data[start : start + step], codec=codec,
                                  source=source, speaker=speaker, title=title,
                                  final=start + step >= len(data))
            post_chunk(http, target, env, retries=retries)
            seq += 1
    finally:
        if own:
            http.close()
    return seq - start_seq


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "send", help="stream an audio file to the gateway in chunks"
    )
    p.add_argument("file", help="any audio or video file PyAV (FFmpeg) can read")
    p.add_argument("--meeting", required=True, help="meeting id (letters, digits, ._:@-)")
    p.add_argument("--source", default="main", help="audio source, e.g. one per microphone")
    p.add_argument("--speaker", help="who speaks on this source")
    p.add_argument("--title", help="meeting title (stored with the first chunk)")
    p.add_argument("--chunk-seconds", type=float, default=5.0, help="seconds per chunk (5)")
    p.add_argument("--realtime", action="store_true", help="pace chunks at wall-clock speed")
    p.add_argument("--start-seq", type=int, default=0, help="first seq (to resume a source)")
    p.add_argument("--retries", type=int, default=8, help="retries per chunk (8)")
    p.add_argument("--stream-as", choices=sorted(STREAM_FORMATS),
                   help="send as one encoded stream in byte ranges, as a browser's MediaRecorder does")
    add_gateway_options(p)
    p.set_defaults(handler=run)
    return p


def add_gateway_options(p: argparse.ArgumentParser) -> None:
    """``--url`` and ``--token`` of the commands that post audio (send, record)."""
    p.add_argument("--url", help="gateway URL (default: VORI_GATEWAY_URL, as `vori up` sets it)")
    p.add_argument("--token", help="producer token (default: VORI_PRODUCER_TOKEN, as `vori up` sets it)")


def gateway_of(args: argparse.Namespace, settings: Settings, prog: str) -> tuple[str, str] | None:
    """The gateway URL and producer token to post with; None (after one line on stderr) if no
    token is known."""
    token = args.token or settings.producer_token
    if not token:
        print(f"{prog}: no token: pass --token, set VORI_PRODUCER_TOKEN or run `vori up`", file=sys.stderr)
        return None
    return args.url or settings.gateway_base_url, token


def run(args: argparse.Namespace, settings: Settings) -> int:
    found = gateway_of(args, settings, "vori send")
    if found is None:
        return 2
    url, token = found
    if not 0.1 <= args.chunk_seconds <= 20:
        print("vori send: --chunk-seconds must be between 0.1 and 20", file=sys.stderr)
        return 2
    if not Path(args.file).is_file():
        print(f"vori send: no such file: {args.file}", file=sys.stderr)
        return 2
    try:
        if args.stream_as:
            sent = send_stream(
                args.file, args.stream_as,
                target=Target(url, token, settings.audio_topic),
                meeting=args.meeting, source=args.source, speaker=args.speaker, title=args.title,
                chunk_seconds=args.chunk_seconds, realtime=args.realtime, start_seq=args.start_seq,
                retries=args.retries,
            )
            print(f"sent {sent} chunks (the last one final) for meeting {args.meeting} to {url}")
            return 0
        sent = send_file(
            args.file,
            target=Target(url, token, settings.audio_topic),
            meeting=args.meeting,
            source=args.source,
            speaker=args.speaker,
            title=args.title,
            chunk_seconds=args.chunk_seconds,
            realtime=args.realtime,
            start_seq=args.start_seq,
            retries=args.retries,
        )
    except SendError as exc:
        print(f"vori send: {exc}", file=sys.stderr)
        return 1
    print(f"sent {sent} chunks (the last one final) for meeting {args.meeting} to {url}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="vori")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["send", *(sys.argv[1:] if argv is None else argv)])
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"vori send: {exc}", file=sys.stderr)
        return 2
    return run(args, settings)


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "SendError", "StreamEncoder", "Target", "add_parser", "encode_stream", "iter_pcm_chunks", "run",
    "send_file", "send_stream",
]
