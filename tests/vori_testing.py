"""Helpers shared by the tests: real speech from espeak-ng, chunk envelopes, word error rate."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import jiwer
import numpy as np

from connectors.audio import read_audio_file
from connectors.settings import Settings
from infra.procs import free_ports

RATE = 16_000


def speak(text: str, voice: str = "en-us", speed: int = 150) -> np.ndarray:
    """Render text with espeak-ng and return 16 kHz mono int16 samples."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text],
            check=True,
            capture_output=True,
        )
        return read_audio_file(str(path))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def split_chunks(pcm: np.ndarray, seconds: float) -> list[np.ndarray]:
    step = int(seconds * RATE)
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def envelope(
    meeting_id: str,
    seq: int,
    pcm: np.ndarray | bytes,
    *,
    source: str = "main",
    speaker: str | None = None,
    final: bool = False,
    title: str | None = None,
) -> dict:
    raw = pcm if isinstance(pcm, bytes) else pcm.astype("<i2").tobytes()
    return {
        "meeting_id": meeting_id,
        "seq": seq,
        "source": source,
        "speaker": speaker,
        "codec": "pcm_s16le",
        "sample_rate": RATE,
        "channels": 1,
        "audio": base64.b64encode(raw).decode(),
        "final": final,
        "title": title,
    }


def meeting_envelopes(meeting_id: str, pcm: np.ndarray, seconds: float = 5.0, **kw) -> list[dict]:
    chunks = split_chunks(pcm, seconds)
    out = [envelope(meeting_id, i, c, **kw) for i, c in enumerate(chunks)]
    out.append(envelope(meeting_id, len(chunks), b"", final=True, **kw))
    return out


def produce(bootstrap: str, topic: str, records: Iterable[tuple[bytes | None, bytes]],
            team: str | None = None) -> None:
    """``records`` onto ``topic``; with ``team``, each under the gateway's ``vori-team`` header."""
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap, "message.max.bytes": 4194304})
    headers = [("vori-team", team.encode())] if team is not None else None
    for key, value in records:
        producer.produce(topic, key=key, value=value, headers=headers)
    assert producer.flush(30) == 0


def to_record(env: dict) -> tuple[bytes, bytes]:
    return env["meeting_id"].encode(), json.dumps(env).encode()


def consume_all(bootstrap: str, topic: str, expect: int, timeout: float = 30.0) -> list:
    import time
    import uuid

    from confluent_kafka import Consumer

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    out = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(out) < expect:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                out.append(msg)
    finally:
        consumer.close()
    return out


_PUNCT = re.compile(r"[^\w\s']")


def normalize_words(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.lower()).split())


def wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(normalize_words(reference), normalize_words(hypothesis)))


def only_vori_env(monkeypatch: Any, state_dir: Path | str, database_url: str | None = None) -> None:
    """The process environment as a `vori` command would find it on a user's machine: no VORI_*
    variable but the state folder (and, given one, the database)."""
    for key in [k for k in os.environ if k.startswith("VORI_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("VORI_STATE_DIR", str(state_dir))
    if database_url is not None:
        monkeypatch.setenv("VORI_DATABASE_URL", database_url)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes ``Settings.from_env()`` equal ``settings`` (no other VORI_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    for f in fields(Settings):
        value = getattr(settings, f.name)
        if value is None:
            continue
        env[f"VORI_{f.name.upper()}"] = (
            ("true" if value else "false") if isinstance(value, bool) else str(value)
        )
    return env


@contextmanager
def serve(app: Any, **config: Any) -> Iterator[str]:
    """``app`` behind a real uvicorn server on a free port (or ``port=``), in a thread; yields
    its base URL."""
    import uvicorn

    port = config.pop("port", None) or free_ports(1)[0]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, **config)
    )
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
