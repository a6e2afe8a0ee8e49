"""The refine step driven directly with a simulated clock (no services; the real recogniser): a live
source is refined once it is a long window ahead and at its end, the audio held is freed as it is
refined, and a diarized source keeps its live labels."""

from __future__ import annotations

import base64
import itertools
import json

import numpy as np
import pytest
from bytewax.connectors.kafka import KafkaSourceMessage
from vori_testing import envelope, silence, speak, split_chunks, wer

from connectors.dlq import DeadLetter
from connectors.settings import Settings
from domain.envelope import AudioChunk
from domain.naming import Member
from domain.records import MeetingRefinedRecord, RevisionRecord
from domain.revision import MIN_COVERAGE, MIN_COVERAGE_OTHER_MODEL, LiveLine
from domain.timeline import BYTES_PER_SECOND
from flows import team_context
from flows.refine import RefineLogic, min_coverage, refine_config, refine_settings
from flows.transcription import Accepted, HeldAudio, IntakeClock, TranscriptionFailures, _LazyTranscriber

SETTINGS = Settings()
SENTENCES = [
    "Good morning everyone, let us start the weekly planning meeting.",
    "Bob will finish the database migration by Friday afternoon.",
    "Alice agreed to review the budget report early next week.",
    "Carol is writing the release notes for the launch on Monday.",
]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def accepted(env: dict, posted_ms: int) -> Accepted:
    msg = KafkaSourceMessage(key=env["meeting_id"].encode(), value=json.dumps(env).encode(), topic="audio.raw",
                             headers=[("vori-team", b"team-a")], offset=env["seq"], partition=0,
                             timestamp=(1, posted_ms))
    chunk = AudioChunk(env["meeting_id"], env["seq"], env["source"], env.get("speaker"), "pcm_s16le",
                       16000, 1, b"", env["final"], None)
    return Accepted(chunk, base64.b64decode(env["audio"]), posted_ms, "team-a", msg)


@pytest.fixture(scope="module")
def meeting() -> tuple[np.ndarray, str]:
    said = [(speak(s), s) for s in SENTENCES]
    parts, text = [], []
    for _ in range(9):  # about 170 s: longer than one long window
        for pcm, s in said:
            parts += [pcm, silence(0.8)]
            text.append(s)
    return np.concatenate(parts), " ".join(text)


def test_a_live_source_is_refined_a_long_window_behind_and_at_its_end(meeting):
    pcm, spoken = meeting
    clock, held = Clock(), HeldAudio()
    asked: list[tuple[str, int, int]] = []

    def labels(team, meeting_id, source, start_ms, end_ms):
        asked.append((source, start_ms, end_ms))
        # What the live rows of the span were labelled: the first half one voice, then another.
        mid = (start_ms + end_ms) // 2
        return [LiveLine(start_ms, mid, "Speaker 1"), LiveLine(mid, end_ms, "Speaker 2")]

    logic = RefineLogic(refine_config(SETTINGS, SETTINGS.max_chunk_seconds), _LazyTranscriber(SETTINGS), clock,
                        None, IntakeClock(clock), held, TranscriptionFailures(), labels)
    chunks = split_chunks(pcm, 5.0)
    outs: list[tuple[int, object]] = []
    most_held = 0
    for seq, chunk in enumerate(chunks):
        clock.now += 5.0  # real time: a 5 s chunk every 5 s
        env = envelope("standup", seq, chunk)
        out, _ = logic.on_batch([accepted(env, int(clock.now * 1000))])
        outs += [(seq, o) for o in out]
        most_held = max(most_held, held.total())
    clock.now += 1.0
    out, _ = logic.on_batch([accepted(envelope("standup", len(chunks), b"", final=True), int(clock.now * 1000))])
    outs += [(len(chunks), o) for o in out]
    out, _ = logic.on_eof()
    outs += [(len(chunks), o) for o in out]

    assert not [o for _, o in outs if isinstance(o, DeadLetter)]
    revisions = [(seq, o) for seq, o in outs if isinstance(o, RevisionRecord)]
    first_seq, first = revisions[0]
    # Nothing is refined until a long window (90–120 s) lies behind the live edge; then it is.
    assert (first_seq + 1) * 5 >= 120
    assert first_seq < len(chunks) - 1
    assert first.start_ms == 0 and 90_000 <= first.end_ms <= 120_000
    # The revisions tile the source's timeline, and the meeting is refined after the last one.
    spans = [(r.start_ms, r.end_ms) for _, r in revisions]
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))
    assert spans[-1][1] >= len(pcm) * 1000 // 16000 - 2000
    assert isinstance(outs[-1][1], MeetingRefinedRecord) and outs[-1][1].meeting_id == "standup"
    # Held audio is bounded by a long window's view, and freed once refined.
    assert most_held <= 125 * BYTES_PER_SECOND
    assert held.total() == 0
    # The whole meeting reads as it was said, with the live rows' labels kept.
    text = " ".join(s.text for _, r in revisions for s in r.segments)
    assert wer(spoken, text) <= 0.2, text
    # The live rows asked for are the window's, the tail it handed back to the next one included.
    assert asked[0][:2] == ("main", 0) and asked[0][2] >= first.end_ms
    assert {s.speaker for _, r in revisions for s in r.segments} == {"Speaker 1", "Speaker 2"}


class _OneTeam(team_context.TeamContexts):
    def __init__(self, ctx: team_context.TeamContext) -> None:
        super().__init__("unused")
        self._ctx = ctx

    def get(self, team: str | None) -> team_context.TeamContext:
        return self._ctx


# One room, three voices (an eval meeting): Whisper tiny.en, given the team's names as hotwords,
# read the whole of it as one 30 s step that left out the first four sentences and put the rest
# at its start, so the tail was handed back and read again: half of it gone, the rest twice.
PLANNING = [
    ("Pia", "en-us+klatt", "Sprint planning."),
    ("Pia", "en-us+klatt", "Nobody's going to touch the legacy API this quarter."),
    ("Pia", "en-us+klatt", "Quinn, you take the billing retry job, due next Tuesday."),
    ("Quinn", "en-us+f3", "Okay."),
    ("Quinn", "en-us+f3", "We're not going to migrate the billing DB this sprint, right?"),
    ("Pia", "en-us+klatt", "Right. Let's not touch the auth flow before the release."),
    ("Raj", "en-us+m7", "I'll add alerts for the queue depth by Wednesday."),
    ("Raj", "en-us+m7", "I'll get us some snacks for the demo."),
    ("Pia", "en-us+klatt", "Let's hope the vendor fixes the webhook delays."),
]


def test_a_reading_that_left_out_speech_for_the_hotwords_is_read_again_without_them(monkeypatch):
    monkeypatch.setattr(team_context, "_CONTEXTS", _OneTeam(team_context.TeamContext(
        (Member("Pia"), Member("Quinn"), Member("Raj")), ("API",))))
    parts, live, at = [], [], 0
    for who, voice, text in PLANNING:
        pcm = speak(text, voice)
        # The live rows: what the live flow heard, with the labels the room's voices were given.
        live.append(LiveLine(at * 1000 // 16000, (at + len(pcm)) * 1000 // 16000, who, text))
        parts += [pcm, silence(0.6)]
        at += len(pcm) + int(0.6 * 16000)
    clock = Clock()

    def labels(team, meeting_id, source, start_ms, end_ms):
        return [x for x in live if start_ms <= x.start_ms < end_ms]

    logic = RefineLogic(refine_config(SETTINGS, SETTINGS.max_chunk_seconds), _LazyTranscriber(SETTINGS), clock,
                        None, IntakeClock(clock), HeldAudio(), TranscriptionFailures(), labels)
    outs = []
    chunks = split_chunks(np.concatenate(parts), 5.0)
    for seq, chunk in enumerate(chunks):
        clock.now += 5.0
        outs += logic.on_batch([accepted(envelope("planning", seq, chunk), int(clock.now * 1000))])[0]
    clock.now += 1.0
    outs += logic.on_batch([accepted(envelope("planning", len(chunks), b"", final=True), int(clock.now * 1000))])[0]
    outs += logic.on_eof()[0]

    segments = [s for o in outs if isinstance(o, RevisionRecord) for s in o.segments]
    text = " ".join(s.text for s in segments)
    assert wer(" ".join(t for _, _, t in PLANNING), text) <= 0.35, text
    assert "planning" in text.lower() and text.lower().count("snacks") == 1, text
    # Each sentence keeps the voice it was heard in: the request and its reply are two speakers.
    assert [s.speaker for s in segments if "snacks" in s.text.lower()] == ["Raj"], segments
    assert {s.speaker for s in segments} == {"Pia", "Quinn", "Raj"}, segments


def test_the_refine_flow_reads_with_whisper_base_after_a_tiny_live_flow_unless_told_otherwise():
    # Default: the live flow reads fast with tiny.en; the second reading, off the live path, with
    # base, told the meetings are English as the live model's are.
    got = refine_settings(Settings.from_env({}))
    assert (got.whisper_model, got.language) == ("base", "en")
    # A team that set its language, or the live model, keeps it.
    got = refine_settings(Settings.from_env({"VORI_LANGUAGE": "ko", "VORI_WHISPER_MODEL": "base"}))
    assert (got.whisper_model, got.language) == ("base", "ko")
    got = refine_settings(Settings.from_env({"VORI_WHISPER_MODEL": "base"}))
    assert (got.whisper_model, got.language) == ("base", None)  # detected, as live
    got = refine_settings(Settings.from_env({"VORI_REFINE_MODEL": "tiny.en"}))
    assert (got.whisper_model, got.language) == ("tiny.en", None)
    # Another model's reading differs from the live words more without speech lost.
    assert min_coverage(Settings.from_env({})) == MIN_COVERAGE_OTHER_MODEL < MIN_COVERAGE
    assert min_coverage(Settings.from_env({"VORI_REFINE_MODEL": "tiny.en"})) == MIN_COVERAGE
