"""Streamed sources: byte ranges of one WebM/Ogg/MP3 stream, cut anywhere, decode as the whole."""

from __future__ import annotations

import pickle
import random
import tempfile
from pathlib import Path

import numpy as np
import pytest
from vori_testing import speak

from apps.send import encode_stream
from connectors.audio import _FORMATS, _decode_container, decode_stream
from domain.envelope import EnvelopeError, validate_envelope
from domain.stream import StreamError, after_gap
from domain.timeline import MeetingTimeline, StreamFailed, TimelineConfig, Window

SENTENCE = "Good morning everyone. Bob will finish the database migration by Friday."


@pytest.fixture(scope="module")
def speech() -> np.ndarray:
    return np.concatenate([speak(SENTENCE)] * 2)


def _encoded(pcm: np.ndarray, codec: str) -> bytes:
    import wave

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.wav"
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(pcm.astype("<i2").tobytes())
        data, _ = encode_stream(path, codec)
    return data


def _cuts(n: int, seed: int) -> list[int]:
    r = random.Random(seed)
    # Inside the EBML/Ogg header, 1-byte ranges, and random cuts through the rest.
    cuts = {1, 2, 3, 17, 40, 41, 42, 43, 200} | {r.randrange(1, n) for _ in range(r.choice([5, 40]))}
    at = r.randrange(300, n - 10)
    cuts |= set(range(at, at + 6))  # a run of 1-byte ranges in the middle
    return sorted(c for c in cuts if 0 < c < n)


def _ranges(data: bytes, cuts: list[int]) -> list[bytes]:
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


def _stream(pieces: list[bytes], codec: str) -> np.ndarray:
    state = None
    out = []
    for i, piece in enumerate(pieces):
        state, pcm = decode_stream(state, codec, piece, final=i == len(pieces) - 1)
        # State is plain data: what a recovery snapshot pickles.
        state = pickle.loads(pickle.dumps(state))
        out.append(pcm)
    return np.frombuffer(b"".join(out), dtype=np.int16)


@pytest.mark.parametrize("codec", ["webm", "ogg"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_opus_stream_cut_anywhere_decodes_to_the_same_pcm_as_the_whole(speech, codec, seed):
    data = _encoded(speech, codec)
    whole = _decode_container(data, _FORMATS[codec], 600)
    got = _stream(_ranges(data, _cuts(len(data), seed)), codec)
    assert len(got) == len(whole)
    # Decoding again from a cluster or page (with a quarter second to settle) is not bit-exact
    # Opus, but the same sound: the error is far below the codec's own.
    diff = got.astype(float) - whole
    rel = np.sqrt(np.mean(diff**2)) / np.sqrt(np.mean(whole.astype(float) ** 2))
    print(codec, seed, rel, np.abs(diff).max())
    assert rel < 0.01, rel


def test_mp3_stream_cut_anywhere_matches_the_whole_within_codec_padding(speech):
    data = _encoded(speech, "mp3")
    whole = _decode_container(data, "mp3", 600).astype(float)
    got = _stream(_ranges(data, _cuts(len(data), 5)), "mp3").astype(float)
    assert abs(len(got) - len(whole)) <= 1152  # the encoder's end padding, which the whole trims
    n = min(len(got), len(whole))
    err = np.sqrt(np.mean((got[:n] - whole[:n]) ** 2)) / np.sqrt(np.mean(whole[:n] ** 2))
    assert err < 0.3, err  # the same sound: resampled on a grid a third of a sample apart


def test_a_missing_range_resumes_at_the_next_cluster(speech):
    data = _encoded(speech, "webm")
    pieces = _ranges(data, list(range(4000, len(data), 4000)))
    whole = _decode_container(data, "matroska", 600)
    state = None
    before, after = [], []
    for i, piece in enumerate(pieces):
        if i == 3:
            state = after_gap(state, "webm")  # what the timeline does when seq 3 never comes
            continue
        state, pcm = decode_stream(state, "webm", piece, final=i == len(pieces) - 1)
        (before if i < 3 else after).append(pcm)
    resumed = np.frombuffer(b"".join(after), dtype=np.int16)
    assert len(resumed) > 16000  # seconds of sound after the gap
    # What comes after the gap is the stream's own later audio, not noise.
    tail = whole[-len(resumed) :]
    corr = np.corrcoef(resumed[-8000:].astype(float), tail[-8000:].astype(float))[0, 1]
    assert corr > 0.95


def test_garbage_after_a_valid_header_is_refused(speech):
    data = _encoded(speech, "webm")
    header = data[:data.index(b"\x1f\x43\xb6\x75")]
    junk = random.Random(3).randbytes(64 * 1024)
    with pytest.raises(StreamError):
        state = None
        for i, piece in enumerate([header, junk[:30000], junk[30000:]]):
            state, _ = decode_stream(state, "webm", piece, final=i == 2)


def test_envelope_stream_flag_rules():
    base = {"meeting_id": "m1", "seq": 0, "codec": "webm", "audio": "GkXfow==", "stream": True}
    assert validate_envelope(base, None).stream
    later = {**base, "seq": 1, "audio": "AAECAw=="}  # raw bytes from mid-stream: not checked
    assert validate_envelope(later, None).stream
    for bad, words in [
        ({**base, "audio": "AAECAw=="}, "must start with the webm header"),
        ({**base, "codec": "wav"}, "stream is for codecs"),
        ({**base, "stream": "yes"}, "stream must be true or false"),
    ]:
        with pytest.raises(EnvelopeError, match=words):
            validate_envelope(bad, None)


def _chunks(meeting: str, data: bytes, cuts: list[int], source: str = "main"):
    from domain.envelope import AudioChunk

    pieces = _ranges(data, cuts)
    return [
        AudioChunk(meeting, i, source, None, "webm", None, None, p, i == len(pieces) - 1, None, stream=True)
        for i, p in enumerate(pieces)
    ]


def _windows_pcm(outs) -> bytes:
    return b"".join(o.pcm for o in outs if isinstance(o, Window))


def test_a_timeline_snapshot_mid_stream_continues_exactly(speech):
    config = TimelineConfig(stream_decoder=lambda s, c, d, *, final: decode_stream(s, c, d, final=final))
    data = _encoded(speech, "webm")
    chunks = _chunks("m1", data, _cuts(len(data), 9))
    half = len(chunks) // 2

    def feed(tl: MeetingTimeline, part, now: float) -> list:
        outs = []
        for c in part:
            outs += tl.add(c, b"", 1000, now, config)
            outs += tl.advance(now, config)
        return outs

    plain = MeetingTimeline("m1")
    expected = feed(plain, chunks, 0.0) + plain.advance(1e6, config)

    first = MeetingTimeline("m1")
    outs = feed(first, chunks[:half], 0.0)
    revived = pickle.loads(pickle.dumps(first.snapshot()))  # a crash: the flow resumes from here
    outs += feed(revived, chunks[half:], 0.0) + revived.advance(1e6, config)
    assert _windows_pcm(outs) == _windows_pcm(expected)
    assert len(_windows_pcm(outs)) // 2 >= len(speech) * 0.95


def test_a_failed_stream_stops_its_source_only():
    config = TimelineConfig(stream_decoder=lambda s, c, d, *, final: decode_stream(s, c, d, final=final))
    good = _encoded(speak("We will ship on Monday."), "webm")
    bad = good[:good.index(b"\x1f\x43\xb6\x75")] + random.Random(1).randbytes(600 * 1024)
    tl = MeetingTimeline("m2")
    outs = []
    for c in _chunks("m2", good, [3000, 9000]) + _chunks("m2", bad, [100_000, 300_000], source="bogus")[:-1]:
        outs += tl.add(c, b"", 1000, 0.0, config, tag=("raw", c.source, c.seq))
        outs += tl.advance(0.0, config)
    failed = [o for o in outs if isinstance(o, StreamFailed)]
    assert [(f.source, f.tag) for f in failed] == [("bogus", ("raw", "bogus", 1))]
    from domain.timeline import StreamFailedEarlier

    last = _chunks("m2", bad, [100_000, 300_000], source="bogus")[-1]
    with pytest.raises(StreamFailedEarlier, match="failed earlier"):
        tl.add(last, b"", 1000, 0.0, config)
    outs += tl.advance(1e6, config)
    assert len(_windows_pcm(outs)) > 16000  # the good source is still cut into windows
