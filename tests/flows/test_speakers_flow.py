"""Who speaks in a mixed track: diarization in the transcription flow, with real (espeak-ng) voices."""

from __future__ import annotations

import base64
import json
import pickle

import numpy as np
import psycopg
from bytewax.connectors.kafka import KafkaSourceMessage
from bytewax.testing import run_main
from vori_testing import (
    consume_all,
    envelope,
    meeting_envelopes,
    produce,
    silence,
    speak,
    split_chunks,
    to_record,
)

from connectors.settings import Settings
from domain.envelope import AudioChunk
from domain.transcript import Segment
from flows.minutes import build_flow as minutes_flow
from flows.speakers import DiarizationConfig, Diarizer, MeetingSpeakers, label_segments
from flows.transcription import Accepted, MeetingLogic, _LazyTranscriber, build_flow, timeline_config

RATE = 16_000
VOICES = {"A": "en-us+klatt", "B": "en-us+f3"}
TURNS = [
    ("A", "Good morning everyone, let's start with the release plan for this week."),
    ("B", "Thanks. I finished the database migration yesterday and the tests pass."),
    ("A", "Great. Can you also look at the billing page before Friday?"),
    ("B", "Sure, I'll fix the billing page tomorrow morning."),
    ("A", "Then I will write the release notes and send them to the team."),
    ("B", "Sounds good. I will review them on Thursday afternoon."),
]


def mixed_meeting() -> tuple[np.ndarray, list[tuple[int, int, str]]]:
    """Two voices taking turns in one track, and each turn's (start_ms, end_ms, who)."""
    parts, spans, at = [], [], 0
    for who, text in TURNS:
        pcm = speak(text, VOICES[who])
        spans.append((at * 1000 // RATE, (at + len(pcm)) * 1000 // RATE, who))
        parts += [pcm, silence(0.7)]
        at += len(pcm) + int(0.7 * RATE)
    return np.concatenate(parts), spans


def _who(seg_start: int, seg_end: int, spans: list[tuple[int, int, str]]) -> str:
    overlap = {who: 0 for who in VOICES}
    for a, b, who in spans:
        overlap[who] += max(0, min(b, seg_end) - max(a, seg_start))
    return max(overlap, key=lambda w: overlap[w])


def assert_two_speakers_labelled_consistently(
    segs: list[tuple[int, int, str | None]], spans: list[tuple[int, int, str]]
) -> dict[str, str]:
    """Each voice's segments carry one S-label (allowing one slip), the two labels differ."""
    labels: dict[str, list[str | None]] = {"A": [], "B": []}
    for start, end, speaker in segs:
        labels[_who(start, end, spans)].append(speaker)
    mapping = {}
    for who, got in labels.items():
        assert got, f"no segment of {who}: {segs}"
        top = max(set(got), key=lambda label: (got.count(label), str(label)))
        assert top is not None and top.startswith("S"), segs
        mapping[who] = top
    assert mapping["A"] != mapping["B"], segs
    wrong = sum(s != mapping[_who(a, b, spans)] for a, b, s in segs)
    assert wrong <= max(1, len(segs) // 8), segs
    return mapping


def test_a_mixed_track_of_two_voices_gets_two_speakers_and_a_named_track_keeps_its_name(flow_settings):
    pcm, spans = mixed_meeting()
    mixed = [to_record(e) for e in meeting_envelopes("mixed-1", pcm, seconds=2.0)]
    said = "We will order the new laptops tomorrow morning."
    named = [to_record(e) for e in meeting_envelopes("named-1", speak(said, VOICES["B"]), seconds=2.0,
                                                      speaker="Alice")]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, mixed + named, "acme")

    run_main(build_flow(flow_settings))
    run_main(minutes_flow(flow_settings))  # the minutes flow reads what the transcription published

    with psycopg.connect(flow_settings.database_url) as conn:
        segs = conn.execute(
            "SELECT start_ms, end_ms, speaker FROM transcript_segments WHERE meeting_id = 'mixed-1' ORDER BY 1"
        ).fetchall()
        named_speakers = conn.execute(
            "SELECT DISTINCT speaker FROM transcript_segments WHERE meeting_id = 'named-1'"
        ).fetchall()
        owners = conn.execute(
            "SELECT assignee, title FROM tickets WHERE meeting_id = 'mixed-1' ORDER BY source_start_ms"
        ).fetchall()
    assert len(segs) >= 5, segs
    mapping = assert_two_speakers_labelled_consistently(segs, spans)
    assert named_speakers == [("Alice",)]
    # "Sure, I'll fix the billing page" is B's: the ticket is B's label.
    assert any(who == mapping["B"] and "billing" in title.lower() for who, title in owners), owners

    n = len(segs) + 1 + 4  # and each meeting's meeting_seen and meeting_closed
    published = [json.loads(m.value()) for m in consume_all(flow_settings.kafka_bootstrap,
                                                             flow_settings.transcript_topic, n)]
    assert len(published) == n
    published = [b for b in published if b["kind"] == "segment"]
    by_start = {(b["meeting_id"], b["start_ms"]): b["speaker"] for b in published}
    assert all(by_start[("mixed-1", start)] == speaker for start, _, speaker in segs)
    assert {b["speaker"] for b in published if b["meeting_id"] == "named-1"} == {"Alice"}


def _accepted(env: dict, offset: int) -> Accepted:
    msg = KafkaSourceMessage(key=env["meeting_id"].encode(), value=b"", topic="audio.raw",
                             offset=offset, partition=0, timestamp=(1, 1_000))
    chunk = AudioChunk(env["meeting_id"], env["seq"], env["source"], env.get("speaker"), "pcm_s16le",
                       RATE, 1, b"", env["final"], None)
    return Accepted(chunk, base64.b64decode(env["audio"]), 1_000, "acme", msg)


class LiveClock:
    """Time as a live sender's: each 2 s chunk comes 2 s after the one before."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def _run(logic: MeetingLogic, clock: LiveClock, batches: list[Accepted], *, end: bool) -> list[Segment]:
    out: list[object] = []
    for item in batches:
        clock.now += 2.0
        got, _ = logic.on_batch([item])
        out += got
    if end:
        got, _ = logic.on_eof()
        out += got
    return [s for s in out if isinstance(s, Segment)]


def test_labels_after_a_crash_and_a_restart_from_the_snapshot_are_those_of_an_uninterrupted_run():
    pcm, spans = mixed_meeting()
    chunks = split_chunks(pcm, 2.0)
    envs = [envelope("replay-1", i, c) for i, c in enumerate(chunks)]
    envs.append(envelope("replay-1", len(chunks), b"", final=True))
    items = [_accepted(e, i) for i, e in enumerate(envs)]
    # Crash once A's second turn is in: the first voice heard after the restart is B's, so a
    # restart that forgot the meeting's speakers would call B "S1".
    cut = -(-(spans[2][1] + 700) * RATE // 1000 // len(chunks[0]))
    settings = Settings()
    transcriber = _LazyTranscriber(settings)
    diarizer = Diarizer(DiarizationConfig())

    def logic(clock: LiveClock, resume: object | None) -> MeetingLogic:
        return MeetingLogic("replay-1", timeline_config(settings), transcriber, clock,
                            resume, diarizer=diarizer)  # type: ignore[arg-type]

    clock = LiveClock()
    whole = _run(logic(clock, None), clock, items, end=True)
    clock = LiveClock()
    first = logic(clock, None)
    before = _run(first, clock, items[:cut], end=False)
    saved = pickle.dumps(first.snapshot())
    assert first.state.speakers.labels == ("S1",), before
    assert len(pickle.dumps(first.state.speakers)) < 8_000  # centroids, not audio
    after = _run(logic(clock, pickle.loads(saved)), clock, items[cut:], end=True)

    assert [(s.start_ms, s.speaker, s.text) for s in before + after] == [
        (s.start_ms, s.speaker, s.text) for s in whole
    ]
    assert_two_speakers_labelled_consistently([(s.start_ms, s.end_ms, s.speaker) for s in whole], spans)
    assert any(_who(s.start_ms, s.end_ms, spans) == "B" for s in after[:1]), after


def test_silence_and_a_missing_model_leave_segments_as_they_are():
    seg = Segment("m", "main", None, 0, 1000, "Hello.", "en", "tiny.en", 0)
    quiet = np.zeros(RATE, dtype=np.float32)

    def never(_: np.ndarray) -> np.ndarray:
        raise AssertionError("silence must not be embedded")

    labelled, state = label_segments(MeetingSpeakers(), [seg], quiet, 0, never, DiarizationConfig())
    assert labelled == [seg] and state == MeetingSpeakers()
    # A turn too short to embed keeps the speaker heard last.
    labelled, _ = label_segments(MeetingSpeakers(last="S2"), [seg], quiet, 0, never, DiarizationConfig())
    assert labelled[0].speaker == "S2"

    def missing() -> object:
        raise FileNotFoundError("pretrained.pt")

    broken = Diarizer(DiarizationConfig(), encoder=missing)  # type: ignore[arg-type]
    speech = speak("We will order the new laptops tomorrow morning.").astype(np.float32) / 32768
    assert broken.label(MeetingSpeakers(), [seg], speech, 0) == ([seg], MeetingSpeakers())
    assert Diarizer.from_settings(Settings(diarization=False)) is None
    assert Settings.from_env({"VORI_MAX_SPEAKERS": "3", "VORI_SPEAKER_THRESHOLD": "0.8"}).max_speakers == 3


def test_a_segment_that_runs_over_a_change_of_voice_is_split_at_the_sentence_end_there():
    first = "Good morning everyone, let's start with the release plan for this week."
    second = "Sure, I'll fix the billing page tomorrow morning before the review."
    a, b = speak(first, VOICES["A"]), speak(second, VOICES["B"])
    audio = np.concatenate([a, silence(0.7), b]).astype(np.float32) / 32768
    end_ms = len(audio) * 1000 // RATE
    seg = Segment("m", "main", None, 0, end_ms, f"{first} {second}", "en", "tiny.en", 0)
    encoder = Diarizer(DiarizationConfig())

    parts, state = encoder.label(MeetingSpeakers(), [seg], audio, 0)

    assert [(p.speaker, p.text) for p in parts] == [("S1", first), ("S2", second)]
    assert parts[0].start_ms == 0 and parts[1].end_ms == end_ms
    change = parts[1].start_ms
    assert len(a) * 1000 // RATE < change < (len(a) + int(0.7 * RATE)) * 1000 // RATE
    assert state.labels == ("S1", "S2") and state.last == "S2"


def test_enrolled_voices_give_a_single_track_meetings_tickets_named_owners(flow_settings):
    from connectors.audio import pcm_to_float32
    from connectors.roster_store import add_member
    from connectors.voiceprint import VOICE_MODEL, voiceprint_of

    # Enrol both voices from other sentences than the meeting's.
    samples = {
        "A": "Hello, this is a sample of my voice for the team roster. I lead the weekly planning.",
        "B": "Hi there, I am recording a voice sample for enrollment. I work on the billing code.",
    }
    names = {"A": "Adele", "B": "Bruno"}
    with psycopg.connect(flow_settings.database_url) as conn:
        for who, text in samples.items():
            pcm = np.concatenate([speak(text, VOICES[who]), speak(text, VOICES[who])])
            add_member(conn, team="acme", name=names[who], voiceprint=voiceprint_of(pcm_to_float32(pcm)),
                       voice_model=VOICE_MODEL)
        conn.commit()
    pcm, _ = mixed_meeting()
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic,
            [to_record(e) for e in meeting_envelopes("mixed-2", pcm, seconds=2.0)], "acme")

    run_main(build_flow(flow_settings))
    run_main(minutes_flow(flow_settings))  # minutes (and the naming before them) are their own flow

    with psycopg.connect(flow_settings.database_url) as conn:
        voices = conn.execute(
            "SELECT label, voice_model FROM meeting_voices WHERE team = 'acme' AND meeting_id = 'mixed-2' "
            "ORDER BY label").fetchall()
        named = dict(conn.execute(
            "SELECT label, name FROM meeting_speakers WHERE team = 'acme' AND meeting_id = 'mixed-2' "
            "AND how = 'voice'").fetchall())
        owners = conn.execute(
            "SELECT assignee, title FROM tickets WHERE meeting_id = 'mixed-2' ORDER BY source_start_ms"
        ).fetchall()
    assert [v[1] for v in voices] == [VOICE_MODEL, VOICE_MODEL], voices
    assert sorted(named.values()) == ["Adele", "Bruno"], named
    # "Sure, I'll fix the billing page" is Bruno's, by his enrolled voice.
    assert any(who == "Bruno" and "billing" in title.lower() for who, title in owners), owners


def test_at_close_the_turns_are_clustered_again_and_segments_and_minutes_follow_the_new_labels():
    from domain.speakers import Relabel
    from domain.timeline import MeetingClosed
    from flows.minutes import MinutesLogic, offline_writer

    # No team's hotwords (conftest.py's no_team_context_left_over): with the names as hotwords
    # Whisper reads B's replies into A's segment, which the close then splits
    # (tests/flows/test_split_at_close.py) rather than relabels.

    pcm, spans = mixed_meeting()
    chunks = split_chunks(pcm, 2.0)
    envs = [envelope("close-1", i, c) for i, c in enumerate(chunks)]
    envs.append(envelope("close-1", len(chunks), b"", final=True))
    items = [_accepted(e, i) for i, e in enumerate(envs)]
    settings = Settings()
    # Live, a turn shorter than 5 s never opens a speaker, so B's short turns are all taken for A;
    # at close B's turns together are long enough to be a speaker.
    diarizer = Diarizer(DiarizationConfig(min_open_s=5.0))

    def run(resume_at: int | None) -> list[object]:
        clock = LiveClock()
        logic = MeetingLogic("close-1", timeline_config(Settings()), _LazyTranscriber(settings), clock, None,
                             diarizer=diarizer)  # type: ignore[arg-type]
        out: list[object] = []
        for n, item in enumerate(items):
            if n == resume_at:  # a crash here, and a restart from the snapshot
                logic = MeetingLogic("close-1", timeline_config(Settings()), _LazyTranscriber(settings), clock,
                                     pickle.loads(pickle.dumps(logic.snapshot())), diarizer=diarizer)
            clock.now += 2.0
            out += logic.on_batch([item])[0]
        return out + list(logic.on_eof()[0])

    out = run(None)
    segs = [s for s in out if isinstance(s, Segment)]
    relabels = [r for r in out if isinstance(r, Relabel)]
    closed_at = next(i for i, x in enumerate(out) if isinstance(x, MeetingClosed))
    assert relabels and all(out.index(r) < closed_at for r in relabels)
    assert {s.speaker for s in segs} == {"S1"}, segs  # what the live labels said
    new = {(r.source, r.start_ms): r.new for r in relabels}
    after = [(s.start_ms, s.end_ms, new.get((s.source, s.start_ms), s.speaker)) for s in segs]
    mapping = assert_two_speakers_labelled_consistently(after, spans)
    assert mapping == {"A": "S1", "B": "S2"}
    # The same audio, with a crash and a restart on the way, closes with the same relabels.
    assert [r for r in run(len(items) // 2) if isinstance(r, Relabel)] == relabels

    minutes = MinutesLogic(100, 3600.0, offline_writer, lambda: 5_000.0, None)
    written, _ = minutes.on_batch([x for x in out if isinstance(x, (Segment, Relabel, MeetingClosed))])
    (final,) = [m for m in written if m.kind == "final"]
    # B's "I will review them on Thursday" and the page A asked B to look at are S2's now.
    owned = [a.assignee for a in final.minutes.action_items if "review" in a.quote or "page" in a.quote]
    assert owned and set(owned) == {"S2"}, final.minutes.action_items


def test_a_meetings_kept_turns_are_bounded_and_say_where_the_speech_is():
    pcm, spans = mixed_meeting()
    audio = pcm.astype(np.float32) / 32768
    end_ms = len(audio) * 1000 // RATE
    segs = [Segment("m", "main", None, a, b, "Words.", "en", "tiny.en", 0) for a, b, _ in spans]
    diarizer = Diarizer(DiarizationConfig(max_turns=3))

    _, state = diarizer.label(MeetingSpeakers(), segs, audio, 0)

    assert len(state.turns) == 3
    # The last three turns are the last three utterances' speech, inside their spans.
    for turn, (a, b, _) in zip(state.turns, spans[-3:], strict=True):
        assert a <= turn.start_ms < turn.end_ms <= min(b + 10, end_ms)
        assert turn.embedding is not None and turn.segment_ms == a
