"""The refine flow against the real Kafka and PostgreSQL, with real (espeak-ng) speech: the live
transcript is replaced by the long-window reading, and never comes back."""

from __future__ import annotations

import json

import numpy as np
import psycopg
from bytewax.testing import run_main
from vori_testing import consume_all, meeting_envelopes, produce, silence, speak, to_record, wer

from domain.records import RevisionRecord, parse_record
from flows import refine, transcription

SENTENCES = [
    "Good morning everyone. Bob will finish the database migration by Friday.",
    "Alice agreed to review the budget report next week.",
    "Carol will write the release notes before the launch on Monday.",
]
SPOKEN = " ".join(SENTENCES)


def rows(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def stored(dsn: str, meeting_id: str) -> list[tuple]:
    return rows(dsn, "SELECT source, start_ms, end_ms, text, revision FROM transcript_segments "
                     "WHERE meeting_id = %s ORDER BY start_ms, source", meeting_id)


def meeting_audio() -> np.ndarray:
    parts = []
    for s in SENTENCES:
        parts += [speak(s), silence(0.8)]
    return np.concatenate(parts)


def test_the_refined_reading_replaces_the_live_one_and_a_replay_of_either_changes_nothing(flow_settings):
    envs = meeting_envelopes("refine-1", meeting_audio(), seconds=5.0, title="Planning")
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, [to_record(e) for e in envs])

    run_main(transcription.build_flow(flow_settings))
    assert {r[4] for r in stored(flow_settings.database_url, "refine-1")} == {"live"}
    live_labels = {r[0] for r in rows(flow_settings.database_url,
                                      "SELECT speaker FROM transcript_segments WHERE meeting_id = 'refine-1'")}

    run_main(refine.build_flow(flow_settings))
    refined = stored(flow_settings.database_url, "refine-1")
    assert refined and {r[4] for r in refined} == {"refined"}
    assert wer(SPOKEN, " ".join(r[3] for r in refined)) <= 0.2, refined
    # The source names no speaker: the refined rows keep the labels diarization gave the live ones.
    assert None not in live_labels
    labels_refined = {r[0] for r in rows(flow_settings.database_url, "SELECT speaker FROM transcript_segments "
                                                                   "WHERE meeting_id = 'refine-1'")}
    assert labels_refined <= live_labels

    # Replays without a recovery store read the whole topic again: the refiner writes the same
    # rows, and the live flow's windows of a refined span bring no live text back.
    run_main(refine.build_flow(flow_settings))
    assert stored(flow_settings.database_url, "refine-1") == refined
    # The replay read the span again after its live rows were gone: the labels stay.
    assert {r[0] for r in rows(flow_settings.database_url, "SELECT speaker FROM transcript_segments "
                                                         "WHERE meeting_id = 'refine-1'")} == labels_refined
    run_main(transcription.build_flow(flow_settings))
    assert stored(flow_settings.database_url, "refine-1") == refined

    published = consume_all(flow_settings.kafka_bootstrap, flow_settings.transcript_topic, 10_000, timeout=10)
    bodies = [json.loads(m.value()) for m in published]
    parsed = [parse_record(m.value(), m.key()) for m in published]  # every record is the contract's
    assert sum(isinstance(p, RevisionRecord) for p in parsed) == sum(b.get("kind") == "revision" for b in bodies)
    # After the meeting's last window: meeting_refined, once per run.
    marks = [i for i, b in enumerate(bodies) if b.get("kind") == "meeting_refined"]
    assert [bodies[i] for i in marks] == [{"kind": "meeting_refined", "team": "unassigned",
                                           "meeting_id": "refine-1"}] * 2
    first_run = [b for b in bodies[: marks[0]] if b.get("kind") == "revision"]
    assert first_run, bodies
    for r in first_run:
        assert (r["team"], r["meeting_id"], r["source"], r["revision"]) == ("unassigned", "refine-1", "main", "refined")
        assert r["start_ms"] < r["end_ms"]
        for s in r["segments"]:
            assert (s["kind"], s["revision"]) == ("segment", "refined")
            assert r["start_ms"] <= s["start_ms"] < r["end_ms"]
    # The records say what the table holds, and cover the meeting before it is called refined.
    assert [(s["start_ms"], s["text"]) for r in first_run for s in r["segments"]] == \
        [(r[1], r[3]) for r in refined]
    assert max(r["end_ms"] for r in first_run) >= max(r[2] for r in refined)

def test_the_refine_flow_dead_letters_bad_chunks_like_the_live_flow(flow_settings):
    good = meeting_envelopes("refine-good", speak("We will order the new laptops tomorrow."), seconds=2.0)
    bad = [
        (b"bad-1", b"\x00\xffgarbage bytes"),
        to_record({**good[0], "meeting_id": "bad-2", "seq": 1_000_000}),
    ]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic,
            bad[:1] + [to_record(e) for e in good] + bad[1:])

    run_main(refine.build_flow(flow_settings))

    dead = consume_all(flow_settings.kafka_bootstrap, flow_settings.dlq_topic, len(bad))
    assert len(dead) == len(bad)
    by_key = {m.key(): dict(m.headers()) for m in dead}
    assert "not JSON" in by_key[b"bad-1"]["vori.dlq.reason"].decode()
    assert "too far ahead" in by_key[b"bad-2"]["vori.dlq.reason"].decode()
    assert {h["vori.dlq.flow"] for h in by_key.values()} == {b"refine"}
    assert [m.value() for m in dead if m.key() == b"bad-1"] == [b"\x00\xffgarbage bytes"]
    text = " ".join(r[3] for r in stored(flow_settings.database_url, "refine-good"))
    # Read (by Whisper base, the refine flow's default): one word in seven may be misheard.
    assert wer("We will order the new laptops tomorrow.", text) <= 0.3, text
