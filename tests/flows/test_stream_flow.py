"""Streamed sources through the real flow (Kafka, PostgreSQL, Whisper): a WebM stream cut at
arbitrary bytes reads as well as the WAV; a lost range is a gap; a bogus stream is dead-lettered
while the meeting's other source is transcribed."""

from __future__ import annotations

import base64
import random
import tempfile
import wave
from pathlib import Path

import numpy as np
import psycopg
from bytewax.testing import run_main
from vori_testing import consume_all, meeting_envelopes, produce, silence, speak, to_record, wer

from apps.send import encode_stream, stream_envelope
from flows.transcription import build_flow

SENTENCES = [
    "Good morning everyone. Bob will finish the database migration by Friday.",
    "Alice agreed to review the budget report next week.",
    "Carol will write the release notes before the launch on Monday.",
]
TEXT = " ".join(SENTENCES)


def _rows(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def _transcript(dsn: str, meeting: str, source: str | None = None) -> str:
    rows = _rows(dsn, "SELECT source, text FROM transcript_segments WHERE meeting_id = %s ORDER BY start_ms", meeting)
    return " ".join(t for s, t in rows if source is None or s == source)


def _stream_bytes(pcm: np.ndarray, codec: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm.astype("<i2").tobytes())
        return encode_stream(path, codec)[0]


def _cut(data: bytes, seed: int, pieces: int) -> list[bytes]:
    cuts = sorted(random.Random(seed).sample(range(1, len(data)), pieces - 1))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def _records(meeting: str, ranges: list[bytes], codec: str, source: str, skip: set[int] = frozenset()):
    return [
        to_record(stream_envelope(meeting=meeting, seq=i, data=r, codec=codec, source=source, speaker=None,
                                  title=None, final=i == len(ranges) - 1))
        for i, r in enumerate(ranges) if i not in skip
    ]


def test_streams_read_like_the_wav_gaps_resume_and_bogus_streams_are_dead_lettered(flow_settings):
    pcm = np.concatenate([np.concatenate([speak(s), silence(0.8)]) for s in SENTENCES])
    webm = _stream_bytes(pcm, "webm")
    ogg = _stream_bytes(pcm, "ogg")
    dropped = 5
    bogus = webm[: webm.index(b"\x1f\x43\xb6\x75")] + random.Random(2).randbytes(300_000)
    records = (
        [to_record(e) for e in meeting_envelopes("wav-1", pcm, seconds=3.0)]
        + _records("webm-1", _cut(webm, 11, 12), "webm", "main")
        + _records("ogg-1", _cut(ogg, 12, 9), "ogg", "main")
        + _records("gap-1", _cut(webm, 13, 12), "webm", "main", skip={dropped})
        # One meeting: a good stream and a bogus one (a real header, then noise) side by side.
        + [r for pair in zip(_records("mixed-1", _cut(webm, 14, 8), "webm", "good"),
                             _records("mixed-1", _cut(bogus, 15, 8), "webm", "bogus"), strict=True)
           for r in pair]
    )
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, records)

    run_main(build_flow(flow_settings))

    dsn = flow_settings.database_url
    wav_wer = wer(TEXT, _transcript(dsn, "wav-1"))
    webm_wer = wer(TEXT, _transcript(dsn, "webm-1"))
    ogg_wer = wer(TEXT, _transcript(dsn, "ogg-1"))
    print(f"WER wav {wav_wer:.3f} webm stream {webm_wer:.3f} ogg stream {ogg_wer:.3f}")
    assert webm_wer <= max(0.1, 1.2 * wav_wer), _transcript(dsn, "webm-1")
    assert ogg_wer <= max(0.1, 1.2 * wav_wer), _transcript(dsn, "ogg-1")

    (gap,) = _rows(dsn, "SELECT first_seq, last_seq FROM audio_gaps WHERE meeting_id = %s", "gap-1")
    assert gap == (dropped, dropped)
    gap_text = _transcript(dsn, "gap-1")
    assert "carol" in gap_text.lower() and "release notes" in gap_text.lower(), gap_text  # after the gap

    assert wer(TEXT, _transcript(dsn, "mixed-1", "good")) <= max(0.1, 1.2 * wav_wer)
    assert _transcript(dsn, "mixed-1", "bogus") == ""
    dead = consume_all(flow_settings.kafka_bootstrap, flow_settings.dlq_topic, 8, timeout=20)
    bogus_dead = [m for m in dead if m.key() == b"mixed-1"]
    assert bogus_dead, [dict(m.headers()) for m in dead]
    heads = [dict(m.headers()) for m in bogus_dead]
    assert all(h["vori.dlq.stage"] == b"decode" for h in heads)
    reasons = [h["vori.dlq.reason"].decode() for h in heads]
    assert ("no webm audio" in reasons[0] or "cannot decode the webm stream" in reasons[0]) and "'bogus'" in reasons[0], reasons
    assert all("failed earlier" in r for r in reasons[1:]), reasons
    # The first dead letter is the byte range the stream failed at, byte for byte.
    import json

    body = json.loads(bogus_dead[0].value())
    assert body["stream"] is True and body["source"] == "bogus"
    assert base64.b64decode(body["audio"]) in bogus
