"""A question and its short reply read as one segment: at the meeting's close, when the turns are
clustered again and the reply's turn gets its own speaker, the segment is split into rows."""

from __future__ import annotations

import itertools
import pickle
from dataclasses import replace

import numpy as np
import psycopg
from bytewax.testing import run_main
from vori_testing import meeting_envelopes, produce, silence, speak, to_record

from domain.speakers import Relabel, SpeakerState, Turn, quantised
from domain.transcript import Segment, TranscribedWindow
from flows.speakers import DiarizationConfig, MeetingSpeakers, label_segments, recluster, split_segment
from flows.transcription import build_flow

RATE = 16_000
QUESTION = "Can you draft the data retention FAQ by Thursday?"


def _axis(i: int, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    v = np.zeros(16)
    v[i] = 1.0
    return v + noise * np.random.default_rng(seed).standard_normal(16)


def _turn(seg_ms: int, start: int, end: int, label: str, voice: int | None, seed: int = 0) -> Turn:
    vector = None if voice is None else quantised(_axis(voice, 0.05, seed))
    return Turn("main", seg_ms, start, end, label, (end - start) / 1000, vector, label)


def _seg(start: int, end: int, text: str, speaker: str = "S1") -> Segment:
    return Segment("m-1", "main", speaker, start, end, text, "en", "tiny.en", 5_000, team="acme")


def test_a_segment_is_cut_where_its_turns_speakers_change_and_only_at_a_sentence_end_there():
    seg = _seg(9_000, 14_500, f"{QUESTION} Sure.")
    asked, reply = _turn(9_000, 9_220, 12_540, "S1", 0), _turn(9_000, 13_410, 14_060, "S4", 1)

    parts = split_segment(seg, [reply, asked])  # in any order

    assert parts is not None
    assert [(p.speaker, p.text, p.start_ms, p.end_ms) for p, _ in parts] == [
        ("S1", QUESTION, 9_000, 12_975), ("S4", "Sure.", 12_975, 14_500)]
    assert [turns for _, turns in parts] == [(asked,), (reply,)]
    assert all((p.meeting_id, p.team, p.model, p.posted_ms) == ("m-1", "acme", "tiny.en", 5_000) for p, _ in parts)
    # One speaker: the segment is left alone.
    assert split_segment(seg, [asked, replace(reply, label="S1")]) is None
    # No sentence end where the voice changes: the segment stays whole (a relabel by majority).
    assert split_segment(replace(seg, text="Can you draft the data retention FAQ by Thursday sure"),
                         [asked, reply]) is None
    assert split_segment(replace(seg, text="Right. Can you draft the data retention FAQ by Thursday sure"),
                         [asked, reply]) is None
    # A breath too short to embed that the close put with the other voice says nothing on its own.
    breath = _turn(9_000, 9_000, 9_200, "S4", None)
    assert split_segment(seg, [breath, asked, replace(reply, label="S1")]) is None


def _meeting() -> tuple[MeetingSpeakers, Segment]:
    """A's question and B's reply (live, the reply went to A: B had not opened a speaker yet),
    then B's own segments; the question's segment is one the close may split."""
    question = _seg(9_000, 14_500, f"{QUESTION} Sure.")
    turns = (
        _turn(0, 200, 4_000, "S1", 0, 1),
        _turn(4_500, 4_600, 8_500, "S1", 0, 2),
        _turn(9_000, 9_220, 12_540, "S1", 0, 3),
        _turn(9_000, 13_410, 14_060, "S1", 1, 4),
        _turn(15_000, 15_100, 19_000, "S2", 1, 5),
        _turn(19_500, 19_600, 23_000, "S2", 1, 6),
    )
    live = SpeakerState()
    state = MeetingSpeakers(live, "S2", turns, (question,))
    return state, question


def test_at_close_the_split_replaces_the_relabel_and_the_state_follows_the_parts():
    state, question = _meeting()
    config = DiarizationConfig(min_open_s=2.0)

    changes, after = recluster(state, "m-1", "acme", config)

    windows = [c for c in changes if isinstance(c, TranscribedWindow)]
    assert [c for c in changes if isinstance(c, Relabel) and c.start_ms == question.start_ms] == []
    (window,) = windows
    assert [(p.speaker, p.text) for p in window.segments] == [("S1", QUESTION), ("S2", "Sure.")]
    # The window replaces the segment's row and nothing after its last part.
    assert (window.start_ms, window.end_ms) == (question.start_ms, window.segments[-1].start_ms + 1)
    # The reply's turn now belongs to the reply's part.
    reply = next(t for t in after.turns if t.start_ms == 13_410)
    assert (reply.segment_ms, reply.segment_label, reply.label) == (window.segments[1].start_ms, "S2", "S2")
    assert after.splittable == ()  # each part has one turn: nothing left to split
    # The same state gives the same close, also from a snapshot.
    assert recluster(pickle.loads(pickle.dumps(state)), "m-1", "acme", config) == (changes, after)
    # Closing again (a late track reopened the meeting) changes nothing more.
    assert recluster(after, "m-1", "acme", config)[0] == []


def test_a_state_snapshotted_before_splits_were_kept_loads_and_closes_with_relabels_only():
    state, _ = _meeting()
    old = MeetingSpeakers.__new__(MeetingSpeakers)
    for name in ("clusters", "last", "turns"):  # what a snapshot from before held
        object.__setattr__(old, name, getattr(state, name))

    loaded = pickle.loads(pickle.dumps(old))

    assert loaded.splittable == ()
    changes, _ = recluster(loaded, "m-1", "acme", DiarizationConfig())
    # Whole segments only: the question's speech outweighs the reply's, so the segment stays S1.
    assert changes == [], changes
    assert any(isinstance(c, TranscribedWindow) for c in recluster(state, "m-1", "acme", DiarizationConfig())[0])


def test_only_segments_with_all_their_turns_kept_and_a_sentence_end_inside_are_kept_for_the_close():
    said = ["The release plan is ready.", "We ship on Friday.", "Thanks everyone."]
    pcm = np.concatenate([x for t in said for x in (speak(t), silence(0.8))] * 3).astype(np.float32) / 32768
    third = len(pcm) * 1000 // RATE // 3
    segs = [_seg(i * third, (i + 1) * third, " ".join(said)) for i in range(3)]

    def one_voice(_: np.ndarray) -> np.ndarray:
        return np.asarray(_axis(0), dtype=np.float32)

    _, state = label_segments(MeetingSpeakers(), segs, pcm, 0, one_voice, DiarizationConfig(max_turns=5))

    # Three turns each (a pause after each sentence), the last five kept: the first segment's
    # turns are gone and the second has lost one (its text could no longer be cut by its turns),
    # so only the third can still be split.
    assert [t.segment_ms for t in state.turns] == [third, third, 2 * third, 2 * third, 2 * third]
    assert state.splittable == (segs[2],)
    # A segment without a sentence end inside is never kept, whatever its turns.
    _, state = label_segments(MeetingSpeakers(), [replace(segs[0], text="The release plan is ready, we ship")],
                              pcm, 0, one_voice, DiarizationConfig())
    assert len(state.turns) == 3 and state.splittable == ()


def test_the_minutes_transcript_takes_the_parts_in_place_of_the_segment_but_not_over_refined_text():
    from domain.records import RevisionRecord
    from domain.rolling_minutes import MeetingTranscript

    question = _seg(9_000, 14_500, f"{QUESTION} Sure.")
    parts = [_seg(9_000, 12_975, QUESTION), _seg(12_975, 14_500, "Sure.", speaker="S2")]
    transcript = MeetingTranscript()
    transcript.add_live(question)
    assert all(transcript.add_live(p) for p in parts)
    said = [(u.start_ms, u.speaker, u.text) for u in transcript.utterances()]
    assert said == [(9_000, "S1", QUESTION), (12_975, "S2", "Sure.")]
    assert not any(transcript.add_live(p) for p in parts)  # a replay changes nothing
    refined = _seg(8_900, 14_400, f"{QUESTION} Sure, I will.", speaker=None)
    transcript.apply_revision(RevisionRecord("acme", "m-1", "main", 8_000, 16_000, (refined,)))
    assert not any(transcript.add_live(p) for p in parts)
    assert [u.text for u in transcript.utterances()] == [refined.text]



def test_refined_text_read_before_the_close_follows_the_split_parts_speakers():
    from domain.records import RevisionRecord
    from domain.rolling_minutes import MeetingTranscript

    state, question = _meeting()
    changes, _ = recluster(state, "m-1", "acme", DiarizationConfig(min_open_s=2.0))
    (window,) = [c for c in changes if isinstance(c, TranscribedWindow)]
    reply = window.segments[1]
    # The part of another speaker gets a relabel, from the segment's label, over its own time.
    assert [(r.start_ms, r.old, r.new, r.end_ms) for r in changes if isinstance(r, Relabel)] == [
        (reply.start_ms, "S1", "S2", reply.end_ms)]
    # A long meeting's window was refined before the close, its labels the live ones (all S1).
    transcript = MeetingTranscript()
    transcript.add_live(question)
    transcript.apply_revision(RevisionRecord("acme", "m-1", "main", 8_000, 16_000, (
        _seg(8_950, 12_900, QUESTION), _seg(12_900, 14_450, "Sure, I will."))))
    for c in changes:
        if isinstance(c, TranscribedWindow):
            assert not any(transcript.add_live(p) for p in c.segments)  # refined text stays
        elif isinstance(c, Relabel):
            assert transcript.relabel(c)
    assert [(u.speaker, u.text) for u in transcript.utterances()] == [("S1", QUESTION), ("S2", "Sure, I will.")]

# --- through the flow: Kafka in, PostgreSQL rows out -----------------------------------------------

VOICES = {"Nora": "en-us+m7", "Felix": "en-us+klatt", "Iris": "en-us+f3"}
SCRIPT = [
    ("Nora", "Morning all. I'll put the agenda in the chat so everyone can follow."),
    ("Nora", "First, the export bug. Felix, can you fix the CSV export by Thursday?"),
    ("Felix", "Sure, I'll do it."),
    ("Nora", "If the vendor ever opens their API, we could build a proper sync for it."),
    ("Iris", "In an ideal world I'd rewrite the scheduler from scratch."),
    ("Iris", "For this sprint I'll update the onboarding emails by Friday."),
    ("Felix", "I'm taking Friday off, just so you know."),
    ("Nora", "Someday we should really document the build system. Okay, that's it for planning."),
]


def test_a_short_reply_read_with_the_question_gets_its_own_row_under_its_own_label_at_close(flow_settings):
    from vori_testing import consume_all

    from connectors.roster_store import add_member, add_terms
    from domain.records import RelabelRecord, SegmentRecord, parse_record
    from domain.rolling_minutes import MeetingTranscript

    team, meeting = "aspen", "aspen-split"
    # The team's names and words as hotwords: Whisper then reads Nora's question and Felix's
    # "Sure, I'll do it." as one segment (as it does in bench/diarization_flow.py's meetings).
    with psycopg.connect(flow_settings.database_url) as conn:
        for name in ("Felix", "Iris", "Nora", "Omar"):
            add_member(conn, team=team, name=name)
        add_terms(conn, team=team, terms=["API", "CSV"])
        conn.commit()
    pcm = np.concatenate([x for who, text in SCRIPT for x in (speak(text, VOICES[who]), silence(0.6))])
    records = [to_record(e) for e in meeting_envelopes(meeting, pcm, seconds=5.0)]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, records, team)

    def rows() -> list[tuple[int, int, str, str]]:
        with psycopg.connect(flow_settings.database_url) as conn:
            return conn.execute(
                "SELECT start_ms, end_ms, speaker, text FROM transcript_segments WHERE team = %s "
                "AND meeting_id = %s ORDER BY start_ms", (team, meeting)).fetchall()

    run_main(build_flow(flow_settings))

    got = rows()
    (asked,) = [r for r in got if "CSV" in r[3]]
    (reply,) = [r for r in got if r[3].startswith("Sure")]
    (felix,) = [r for r in got if "Friday off" in r[3]]
    assert "do it" in reply[3] and "CSV" not in reply[3] and "Sure" not in asked[3], got
    assert asked[1] <= reply[0] and asked[2] != reply[2], got
    assert reply[2] == felix[2], got  # the reply is under Felix's label
    # The rows tile the transcript: no text twice.
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(got)), got

    # The same audio read again (no recovery store: the whole topic is replayed) leaves the same rows.
    run_main(build_flow(flow_settings))
    assert rows() == got

    # A consumer of transcription.completed (as the minutes flow's transcript) ends with the same.
    transcript = MeetingTranscript()
    published = consume_all(flow_settings.kafka_bootstrap, flow_settings.transcript_topic, 10_000, timeout=10)
    for rec in (parse_record(m.value()) for m in published):
        if isinstance(rec, SegmentRecord):
            transcript.add_live(rec.segment)
        elif isinstance(rec, RelabelRecord):
            transcript.relabel(rec.event())
    assert [(u.start_ms, u.end_ms, u.speaker, u.text) for u in transcript.utterances()] == got
