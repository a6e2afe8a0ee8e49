"""Windows of different meetings read together (flows/batching.py), with the real model and real
(espeak-ng) speech: the same text as one by one, a lone meeting never waits for batch-mates,
each meeting's outputs in its own order, a window that fails dead-lettered alone."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace

import numpy as np
import psycopg
import pytest
from bytewax.connectors.kafka import KafkaSourceMessage
from bytewax.testing import run_main
from vori_testing import meeting_envelopes, produce, silence, speak, to_record, wer

from connectors.dlq import DeadLetter
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.whisper import WhisperTranscriber, WindowRequest
from domain.envelope import AudioChunk
from domain.timeline import MeetingClosed, MeetingSeen
from domain.transcript import RecognizedSpan, Segment, TranscribedWindow
from flows.batching import WindowBatcher, shared_batcher
from flows.transcription import (
    Accepted,
    HeldAudio,
    MeetingLogic,
    TranscriptionFailures,
    build_flow,
    timeline_config,
)

SAID = {
    "batch-a": ("Good morning everyone. Bob will finish the database migration by Friday.", "en-us"),
    "batch-b": ("Alice agreed to review the budget report next week.", "en-us"),
    "batch-c": ("Carol will write the release notes before the launch on Monday.", "en-gb-x-rp"),
    "batch-d": ("The new office opens in March. We will move the servers in April.", "en-us+m3"),
    "batch-e": ("Please send the contract to the lawyers today.", "en-us"),
    "batch-f": ("The budget review is on Tuesday afternoon in the large room.", "en-us+klatt"),
}


def _rows(dsn: str) -> list[tuple[str, str, int, int, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT meeting_id, source, start_ms, end_ms, text FROM transcript_segments ORDER BY 1, 2, 3"
        ).fetchall()


def _text(rows: list[tuple[str, str, int, int, str]], meeting: str) -> str:
    return " ".join(r[4] for r in rows if r[0] == meeting)


def test_meetings_read_in_batches_store_the_same_text_as_one_by_one(flow_settings, postgres):
    records = []
    for meeting, (text, voice) in SAID.items():
        records += [to_record(e) for e in meeting_envelopes(meeting, speak(text, voice=voice), seconds=2.0)]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, records)

    batched = flow_settings.with_(whisper_max_batch=8)
    run_main(build_flow(batched))
    together = _rows(batched.database_url)

    other_db = f"{flow_settings.database_url.rsplit('/', 1)[1]}_one"
    postgres.create_database(other_db)
    try:
        one_by_one = flow_settings.with_(database_url=postgres.dsn(other_db), whisper_max_batch=1)
        migrate(one_by_one.database_url)
        run_main(build_flow(one_by_one))
        alone = _rows(one_by_one.database_url)
    finally:
        postgres.drop_database(other_db)

    assert {r[0] for r in together} == set(SAID)
    for meeting, (text, _) in SAID.items():
        assert wer(text, _text(together, meeting)) <= 0.25, _text(together, meeting)
    assert together == alone
    # Windows of several meetings were read together (the process's batcher ran the flow above).
    batcher = shared_batcher(batched, lambda: WhisperTranscriber(batched))
    assert batcher is not None and max(batcher.batch_sizes) > 1, batcher.batch_sizes


def test_a_lone_meeting_is_read_at_once_however_long_batch_mates_may_be_waited_for(flow_settings):
    text, voice = SAID["batch-a"]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic,
            [to_record(e) for e in meeting_envelopes("lone-1", speak(text, voice=voice), seconds=2.0)])
    # A window that waited for batch-mates would wait an hour here, past the test's timeout.
    patient = flow_settings.with_(whisper_max_batch=8, whisper_max_wait_ms=3_600_000.0)

    run_main(build_flow(patient))

    rows = _rows(patient.database_url)
    assert wer(text, _text(rows, "lone-1")) <= 0.2, rows
    batcher = shared_batcher(patient, lambda: WhisperTranscriber(patient))
    assert batcher is not None and set(batcher.batch_sizes) == {1}, batcher.batch_sizes


# -- MeetingLogic driven as bytewax drives it, with live chunks ---------------------------------

SETTINGS = Settings()
CHUNK_S = 2.0


class _Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


def _chunks(meeting: str, pcm: np.ndarray, start_ms: int) -> list[Accepted]:
    """A live source: 2 s chunks, each posted once spoken, then the final (empty) chunk."""
    step = int(CHUNK_S * 16000)
    pieces = [pcm[i : i + step] for i in range(0, len(pcm), step)] + [np.zeros(0, np.int16)]
    out = []
    for seq, piece in enumerate(pieces):
        final = seq == len(pieces) - 1
        chunk = AudioChunk(meeting, seq, "main", None, "pcm_s16le", 16000, 1, b"", final, None)
        posted = start_ms + int((seq + 1) * CHUNK_S * 1000)
        msg = KafkaSourceMessage(key=meeting.encode(), value=b"", topic="audio.raw", partition=0,
                                 offset=seq, timestamp=(1, posted))
        out.append(Accepted(chunk, piece.astype("<i2").tobytes(), posted, "team-a", msg))
    return out


# Two sentences apart by a pause: a live source is cut at it, so every meeting has several
# windows, each prompted by the text before it.
LIVE = {m: (SAID[m][0], SAID[n][0], SAID[m][1])
        for m, n in (("batch-a", "batch-d"), ("batch-b", "batch-e"), ("batch-c", "batch-f"))}


def _ending_at(pcm: np.ndarray, seconds: float) -> np.ndarray:
    """Quiet, then the sentence, ending 0.6 s before ``seconds`` (a chunk boundary)."""
    lead = int(seconds * 16000) - len(pcm) - int(0.6 * 16000)
    assert lead >= 0, "a sentence longer than its slot"
    return np.concatenate([silence(lead / 16000), pcm, silence(0.6)])


def _live_meetings() -> dict[str, list[Accepted]]:
    # Every meeting's sentences end at the same moments, so the meetings' windows are cut in
    # the same rounds, as many meetings' windows are at any moment on a busy flow.
    out = {}
    for meeting, (first, second, voice) in LIVE.items():
        pcm = np.concatenate([_ending_at(speak(first, voice=voice), 8.0), _ending_at(speak(second, voice=voice), 8.0)])
        out[meeting] = _chunks(meeting, pcm, 1_700_000_000_000)
    return out


def _drive(logics: dict[str, MeetingLogic], chunks: dict[str, list[Accepted]], clock: _Clock) -> dict[str, list]:
    """Each round, every meeting gets its next chunk (as live meetings send them); the worker
    then looks at the meetings again (on_notify) until their windows are read; at the end of
    the input, on_eof."""
    outs: dict[str, list] = {m: [] for m in logics}
    for k in range(max(len(c) for c in chunks.values())):
        clock.t += CHUNK_S
        for m, logic in logics.items():
            if k < len(chunks[m]):
                out, _ = logic.on_batch([chunks[m][k]])
                outs[m] += out
        while any(logic.queued for logic in logics.values()):
            time.sleep(0.005)
            for m, logic in logics.items():
                if logic.queued:
                    out, _ = logic.on_notify()
                    outs[m] += out
    for m, logic in logics.items():
        out, _ = logic.on_eof()
        outs[m] += out
    return outs


def _logics(clock: _Clock, batcher: WindowBatcher | None, model) -> dict[str, MeetingLogic]:
    config = replace(timeline_config(SETTINGS), probe_s=0.0)
    held, failures = HeldAudio(), TranscriptionFailures()
    return {m: MeetingLogic(m, config, model, clock, None, None, held, failures, None, batcher)
            for m in ("batch-a", "batch-b", "batch-c")}


def test_each_meeting_gets_its_windows_back_in_order_as_when_read_one_by_one():
    model = WhisperTranscriber(SETTINGS)
    chunks = _live_meetings()

    clock = _Clock()
    inline = _drive(_logics(clock, None, lambda: model), chunks, clock)
    batcher = WindowBatcher(lambda: model, max_batch=8, max_wait_s=0.01)
    clock = _Clock()
    batched = _drive(_logics(clock, batcher, lambda: model), chunks, clock)

    assert max(batcher.batch_sizes) > 1, batcher.batch_sizes
    for meeting, out in batched.items():
        windows = [o for o in out if isinstance(o, TranscribedWindow)]
        assert len(windows) >= 2, out  # prompted by the text before them
        assert isinstance(out[0], MeetingSeen) and isinstance(out[-1], MeetingClosed), out
        starts = [w.start_ms for w in windows]
        assert starts == sorted(starts)
        text = " ".join(o.text for o in out if isinstance(o, Segment))
        first, second, _ = LIVE[meeting]
        assert wer(f"{first} {second}", text) <= 0.4, text  # its own text, no other meeting's
        # The same outputs, in the same order, as each window read inline.
        assert out == inline[meeting]


class _FailsOnQuietSpeech:
    """The real model, except that it cannot read quiet speech (a window it chokes on): either
    that window's result is an error, or (``whole``) the whole batch holding it raises. The
    first batch waits for ``gate``, so the windows submitted meanwhile queue up together."""

    def __init__(self, model: WhisperTranscriber, whole: bool):
        self._model = model
        self._whole = whole
        self.model_name = model.model_name
        self.gate = threading.Event()
        self.calls: list[int] = []

    def transcribe_batch(
        self, requests: list[WindowRequest]
    ) -> list[tuple[list[RecognizedSpan], str | None] | Exception]:
        self.gate.wait()
        self.calls.append(len(requests))
        quiet = [float(np.abs(r.audio).max()) < 0.2 for r in requests]
        if self._whole and any(quiet) and len(requests) > 1:
            raise RuntimeError("cuDNN error: CUDNN_STATUS_EXECUTION_FAILED")
        results = self._model.transcribe_batch([r for r, q in zip(requests, quiet, strict=True) if not q])
        it = iter(results)
        return [RuntimeError("the decoder produced NaN logits") if q else next(it) for q in quiet]


@pytest.mark.parametrize("whole", [False, True], ids=["one-result-fails", "whole-batch-raises"])
def test_a_window_that_fails_is_dead_lettered_and_its_batch_mates_are_read(whole):
    model = WhisperTranscriber(SETTINGS)
    flaky = _FailsOnQuietSpeech(model, whole)
    batcher = WindowBatcher(lambda: flaky, max_batch=8, max_wait_s=0.0)
    clock = _Clock()
    config = timeline_config(SETTINGS)
    failures = TranscriptionFailures()
    said = {m: SAID[m][0] for m in ("batch-a", "batch-b", "batch-c")}
    logics = {m: MeetingLogic(m, config, lambda: flaky, clock, None, None, HeldAudio(), failures, None, batcher)
              for m in said}
    outs: dict[str, list] = {m: [] for m in said}
    for m, logic in logics.items():
        pcm = speak(said[m], voice=SAID[m][1])
        if m == "batch-b":
            pcm = (pcm // 8).astype(np.int16)  # quiet: the window the model chokes on
        # An upload: the whole meeting at once, read as one window.
        chunks = _chunks(m, pcm, 1_700_000_000_000)
        chunks = [replace(c, posted_ms=1_700_000_000_000) for c in chunks]
        out, _ = logic.on_batch(chunks)
        outs[m] += out
    flaky.gate.set()  # batch-a's window started alone; batch-b's and batch-c's wait together
    for m, logic in logics.items():
        out, _ = logic.on_eof()
        outs[m] += out

    # batch-a's window alone, then batch-b's and batch-c's together (read again one by one
    # when the batch as a whole raised).
    assert flaky.calls == ([1, 2, 1, 1] if whole else [1, 2])
    dead = [o for o in outs["batch-b"] if isinstance(o, DeadLetter)]
    assert len(dead) == 1 and dead[0].stage == "transcribe", outs["batch-b"]
    body = json.loads(dead[0].value)
    assert (body["meeting_id"], body["source"]) == ("batch-b", "main") and body["end_ms"] > body["start_ms"]
    assert not [o for o in outs["batch-b"] if isinstance(o, Segment)]
    for m in ("batch-a", "batch-c"):
        text = " ".join(o.text for o in outs[m] if isinstance(o, Segment))
        assert wer(said[m], text) <= 0.2, text
        assert not [o for o in outs[m] if isinstance(o, DeadLetter)]
        assert isinstance(outs[m][-1], MeetingClosed)


class _Stuck:
    """The real model behind a batcher whose process dies before the batch ends: it never returns."""

    def __init__(self, model: WhisperTranscriber):
        self.model_name = model.model_name
        self.release = threading.Event()

    def transcribe_batch(self, requests: list[WindowRequest]) -> list:
        self.release.wait()
        raise RuntimeError("the process was killed")


def test_windows_out_at_a_snapshot_are_read_again_after_a_resume():
    import pickle

    model = WhisperTranscriber(SETTINGS)
    text, voice = SAID["batch-c"]
    chunks = _chunks("crash-2", speak(text, voice=voice), 1_700_000_000_000)
    chunks = [replace(c, posted_ms=1_700_000_000_000) for c in chunks]
    config = timeline_config(SETTINGS)
    stuck = _Stuck(model)
    try:
        before = MeetingLogic("crash-2", config, lambda: stuck, _Clock(), None, None, HeldAudio(), None, None,
                              WindowBatcher(lambda: stuck, max_batch=8))
        out, _ = before.on_batch(chunks)
        assert not [o for o in out if isinstance(o, Segment)] and before.queued
        # What bytewax writes to the recovery store at the epoch's end, and reads back on resume.
        state = pickle.loads(pickle.dumps(before.snapshot()))
    finally:
        stuck.release.set()

    after = MeetingLogic("", config, lambda: model, _Clock(), state, None, HeldAudio(), None, None,
                         WindowBatcher(lambda: model, max_batch=8))
    assert after.notify_at() is not None  # woken at once to read them again
    resumed, _ = after.on_notify()
    resumed = list(resumed) + list(after.on_eof()[0])

    text_out = " ".join(o.text for o in resumed if isinstance(o, Segment))
    assert wer(text, text_out) <= 0.25, resumed
    assert [type(o) for o in resumed if isinstance(o, (TranscribedWindow, MeetingClosed))] == [
        TranscribedWindow, MeetingClosed]


def test_auto_batches_on_a_gpu_and_reads_inline_on_the_cpu(flow_settings):
    from flows.batching import GPU_MAX_BATCH, effective_max_batch

    auto = flow_settings.with_(whisper_max_batch=0)
    assert effective_max_batch(auto.with_(whisper_device="cpu")) == 1
    assert shared_batcher(auto.with_(whisper_device="cpu"), lambda: WhisperTranscriber(auto)) is None
    assert effective_max_batch(auto.with_(whisper_device="cuda")) == GPU_MAX_BATCH
    assert effective_max_batch(auto.with_(whisper_max_batch=4)) == 4
