"""``vori record --meeting ID``: record the machine's microphone and stream it to the gateway.

The microphone is read through PyAV (FFmpeg's ``pulse`` input, else ``alsa``), encoded as one
Opus-in-WebM stream (or Ogg, MP3) as a browser's ``MediaRecorder`` does, and posted every
``--chunk-seconds`` as the next byte range with ``"stream": true`` (docs/contract.md, "Streams").
Ctrl-C (or ``--seconds``) ends the recording with a ``final`` chunk. With no microphone it exits 2
with one line saying so.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import av
import httpx

from apps.send import (
    RATE,
    STREAM_FORMATS,
    SendError,
    StreamEncoder,
    Target,
    add_gateway_options,
    gateway_of,
    post_chunk,
    stream_envelope,
)
from connectors.settings import Settings

INPUTS = ("pulse", "alsa")


class NoMicrophone(Exception):
    """No capture device could be opened."""


@contextmanager
def _quiet_stderr() -> Iterator[None]:
    """ALSA's library prints its own lines to the process's stderr when a device is missing;
    the user gets ours, one line, instead."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def open_microphone(device: str, formats: tuple[str, ...] = INPUTS) -> av.container.InputContainer:
    """The first capture input FFmpeg can open, or :class:`NoMicrophone` with every reason."""
    reasons = []
    for fmt in formats:
        try:
            with _quiet_stderr():
                container = av.open(device, mode="r", format=fmt)
        except (av.FFmpegError, OSError, ValueError) as exc:
            reasons.append(f"{fmt}: {' '.join(str(exc).split())}")
            continue
        if container.streams.audio:
            return container
        container.close()
        reasons.append(f"{fmt}: no audio stream")
    raise NoMicrophone(f"no microphone: cannot open capture device {device!r} ({'; '.join(reasons)})")


def record(
    mic: av.container.InputContainer,
    codec: str,
    *,
    target: Target,
    meeting: str,
    source: str = "main",
    speaker: str | None = None,
    title: str | None = None,
    chunk_seconds: float = 2.0,
    max_seconds: float | None = None,
    retries: int = 8,
) -> int:
    """Stream ``mic`` until Ctrl-C or ``max_seconds``; returns how many chunks were posted."""
    enc = StreamEncoder(codec)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    seq = 0
    recorded = 0.0
    last_post = time.monotonic()
    with httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0)) as http:

        def post(final: bool) -> None:
            nonlocal seq
            data = enc.take()
            if not data and not final:
                return
            env = stream_envelope(meeting=meeting, seq=seq, data=data, codec=codec, source=source,
                                  speaker=speaker, title=title, final=final)
            post_chunk(http, target, env, retries=retries)
            seq += 1

        try:
            for frame in mic.decode(mic.streams.audio[0]):
                for out in resampler.resample(frame):
                    pcm = out.to_ndarray().astype("<i2").tobytes()
                    enc.write(pcm)
                    recorded += len(pcm) / (2 * RATE)
                if time.monotonic() - last_post >= chunk_seconds:
                    post(final=False)
                    last_post = time.monotonic()
                if max_seconds is not None and recorded >= max_seconds:
                    break
        except KeyboardInterrupt:
            pass
        finally:
            mic.close()
        enc.close()
        post(final=True)
    return seq


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = subparsers.add_parser(
        "record", help="record the microphone and stream it to the gateway (Ctrl-C stops)"
    )
    p.add_argument("--meeting", required=True, help="meeting id (letters, digits, ._:@-)")
    p.add_argument("--source", default="main", help="audio source, e.g. one per microphone")
    p.add_argument("--speaker", help="who speaks on this source")
    p.add_argument("--title", help="meeting title (stored with the first chunk)")
    p.add_argument("--codec", choices=sorted(STREAM_FORMATS), default="webm", help="stream format (webm)")
    p.add_argument("--chunk-seconds", type=float, default=2.0, help="seconds between posts (2)")
    p.add_argument("--seconds", type=float, help="stop after this much audio")
    p.add_argument("--device", default="default", help="capture device (default)")
    p.add_argument("--input", choices=INPUTS, help="FFmpeg input (default: pulse, then alsa)")
    p.add_argument("--retries", type=int, default=8, help="retries per chunk (8)")
    add_gateway_options(p)
    p.set_defaults(handler=run)
    return p


def run(args: argparse.Namespace, settings: Settings) -> int:
    found = gateway_of(args, settings, "vori record")
    if found is None:
        return 2
    url, token = found
    if not 0.2 <= args.chunk_seconds <= 20:
        print("vori record: --chunk-seconds must be between 0.2 and 20", file=sys.stderr)
        return 2
    try:
        mic = open_microphone(args.device, (args.input,) if args.input else INPUTS)
    except NoMicrophone as exc:
        print(f"vori record: {exc}", file=sys.stderr)
        return 2
    try:
        sent = record(mic, args.codec, target=Target(url, token, settings.audio_topic),
                      meeting=args.meeting, source=args.source, speaker=args.speaker,
                      title=args.title, chunk_seconds=args.chunk_seconds, max_seconds=args.seconds,
                      retries=args.retries)
    except SendError as exc:
        print(f"vori record: {exc}", file=sys.stderr)
        return 1
    print(f"sent {sent} chunks (the last one final) for meeting {args.meeting} to {url}")
    return 0


__all__ = ["NoMicrophone", "add_parser", "open_microphone", "record", "run"]
