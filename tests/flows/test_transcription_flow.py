"""The transcription flow against the real Kafka and PostgreSQL, with real (espeak-ng) speech."""

from __future__ import annotations

import base64
import itertools
import json
import random
import struct

import psycopg
from bytewax.testing import run_main
from vori_testing import (
    consume_all,
    envelope,
    meeting_envelopes,
    produce,
    silence,
    speak,
    to_record,
    wer,
)

from flows.transcription import build_flow

SENTENCE = (
    "Good morning everyone. Bob will finish the database migration by Friday. "
    "Alice agreed to review the budget report next week."
)


def rows(dsn: str, sql: str, *args):
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchall()


def transcript(dsn: str, meeting_id: str) -> str:
    return " ".join(
        r[0]
        for r in rows(
            dsn,
            "SELECT text FROM transcript_segments WHERE meeting_id = %s ORDER BY start_ms",
            meeting_id,
        )
    )


def test_shuffled_duplicated_chunks_become_one_ordered_transcript(flow_settings):
    pcm = speak(SENTENCE)
    envs = meeting_envelopes("team-a-planning", pcm, seconds=2.0, title="Planning")
    shuffled = envs[:-1]
    random.Random(7).shuffle(shuffled)
    records = [to_record(e) for e in shuffled + shuffled[:3] + [envs[-1]]]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, records)

    run_main(build_flow(flow_settings))

    text = transcript(flow_settings.database_url, "team-a-planning")
    assert wer(SENTENCE, text) <= 0.2, text
    (status, title, reason), = rows(
        flow_settings.database_url,
        "SELECT status, title, close_reason FROM meetings WHERE meeting_id = %s",
        "team-a-planning",
    )
    assert (status, title, reason) == ("closed", "Planning", "final")
    n_rows = rows(flow_settings.database_url, "SELECT count(*) FROM transcript_segments")[0][0]
    # Each segment, and the meeting's lifecycle around them, in order (docs/contract.md section 2).
    published = consume_all(flow_settings.kafka_bootstrap, flow_settings.transcript_topic, n_rows + 2)
    kinds = [json.loads(m.value())["kind"] for m in published]
    assert kinds == ["meeting_seen", *["segment"] * n_rows, "meeting_closed"], kinds
    segment = published[1]
    body = json.loads(segment.value())
    assert set(body) >= {"meeting_id", "source", "speaker", "start_ms", "end_ms", "text",
                         "language", "model", "transcribed_at", "team", "revision"}
    assert body["revision"] == "live"
    assert segment.key() == b"team-a-planning"
    closed = json.loads(published[-1].value())
    assert (closed["team"], closed["meeting_id"], closed["reason"]) == ("unassigned", "team-a-planning", "final")


def test_rerunning_the_same_input_changes_no_row(flow_settings):
    pcm = speak("The release is on Monday. Carol will write the release notes.")
    produce(
        flow_settings.kafka_bootstrap,
        flow_settings.audio_topic,
        [to_record(e) for e in meeting_envelopes("replay-1", pcm, seconds=3.0)],
    )
    run_main(build_flow(flow_settings))
    first = rows(flow_settings.database_url, "SELECT source, start_ms, text FROM transcript_segments ORDER BY 2")
    run_main(build_flow(flow_settings))  # no recovery store: reads the topic again from the start
    second = rows(flow_settings.database_url, "SELECT source, start_ms, text FROM transcript_segments ORDER BY 2")
    assert first and first == second


def _wav(pcm_bytes: bytes, rate: int = 16000) -> bytes:
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm_bytes)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(pcm_bytes)) + pcm_bytes


def test_bad_records_go_to_the_dlq_with_reasons_and_the_flow_goes_on(flow_settings):
    good = speak("We will order the new laptops tomorrow morning.")
    truncated = _wav(silence(1.0).tobytes())[:-8000]
    ten_hours = bytearray(_wav(silence(0.2).tobytes()))
    struct.pack_into("<I", ten_hours, 40, 10 * 3600 * 16000 * 2)
    lying = envelope("bad-2", 0, silence(0.5))
    lying.update(codec="mp3", audio=base64.b64encode(_wav(silence(0.5).tobytes())).decode())
    bad = [
        (b"bad-1", b"\x00\xffgarbage bytes"),
        to_record({**envelope("bad-3", 0, b"\0\0"), "codec": "wav", "audio": base64.b64encode(truncated).decode()}),
        to_record({**envelope("bad-4", 0, b"\0\0"), "codec": "wav", "audio": base64.b64encode(bytes(ten_hours)).decode()}),
        to_record(lying),
        to_record(envelope("bad-5", 1_000_000, silence(0.5))),
        to_record({**envelope("bad-6", 0, silence(0.5)), "codec": "flac", "audio": base64.b64encode(b"fLaC" + b"\x00" * 64).decode()}),
    ]
    records = [to_record(e) for e in meeting_envelopes("good-1", good, seconds=2.0)]
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, bad[:3] + records + bad[3:])

    run_main(build_flow(flow_settings))

    dead = consume_all(flow_settings.kafka_bootstrap, flow_settings.dlq_topic, len(bad))
    assert len(dead) == len(bad)
    by_key = {m.key(): m for m in dead}
    assert by_key[b"bad-1"].value() == b"\x00\xffgarbage bytes"  # byte for byte
    reasons = {m.key(): dict(m.headers())["vori.dlq.reason"].decode() for m in dead}
    assert "not JSON" in reasons[b"bad-1"]
    assert "truncated" in reasons[b"bad-3"]
    assert "claims" in reasons[b"bad-4"]
    assert "codec says mp3" in reasons[b"bad-2"]
    assert "too far ahead" in reasons[b"bad-5"]
    assert "flac" in reasons[b"bad-6"]
    for m in dead:
        headers = dict(m.headers())
        assert headers["vori.dlq.source.topic"].decode() == flow_settings.audio_topic
        assert int(headers["vori.dlq.source.offset"]) >= 0
    assert wer("We will order the new laptops tomorrow morning.", transcript(flow_settings.database_url, "good-1")) <= 0.2


def test_a_record_that_raises_and_a_gap_attack_are_dead_lettered_while_another_team_is_transcribed(flow_settings):
    from connectors.audio import decode_chunk

    settings = flow_settings.with_(
        gap_timeout_s=120.0,  # the attack's parked chunks must still be parked at the end
        flow_max_sources_per_meeting=4,
        flow_max_pending_source_s=20.0,
        flow_max_pending_meeting_s=60.0,
    )

    def decode(chunk, max_seconds):
        if chunk.meeting_id == "poison-1":
            raise MemoryError("the resampler asked for 40 GB")
        return decode_chunk(chunk, max_seconds=max_seconds)

    five_s = silence(5.0)
    # Six sources of one meeting, seq 1..8 each, seq 0 withheld.
    attack = [to_record(envelope("attack-1", seq, five_s, source=f"s{n}")) for n in range(6) for seq in range(1, 9)]
    poison = [to_record(envelope("poison-1", 0, five_s))]
    said = "We will order the new laptops tomorrow morning."
    honest = [to_record(e) for e in meeting_envelopes("honest-1", speak(said), seconds=2.0)]
    produce(settings.kafka_bootstrap, settings.audio_topic, attack + poison, "mallory")
    produce(settings.kafka_bootstrap, settings.audio_topic, honest, "team-b")

    run_main(build_flow(settings, decode=decode))

    # Source quota: 4 chunks (20 s) a source; meeting quota: 3 sources (60 s); sources 5 and 6 refused.
    expected = 3 * 4 + 8 + 2 * 8 + 1
    dead = consume_all(settings.kafka_bootstrap, settings.dlq_topic, expected)
    assert len(dead) == expected
    headers = [dict(m.headers()) for m in dead]
    stages = sorted(h["vori.dlq.stage"].decode() for h in headers)
    assert stages == ["decode"] + ["quota"] * (expected - 1)
    reasons = [h["vori.dlq.reason"].decode() for h in headers]
    assert sum("(at most 4)" in r for r in reasons) == 16
    assert sum("over its limit of 20 s" in r for r in reasons) == 12
    assert sum("over its limit of 60 s" in r for r in reasons) == 8
    assert any("MemoryError" in r and "40 GB" in r for r in reasons)
    assert wer(said, transcript(settings.database_url, "honest-1")) <= 0.2


def test_a_replay_cut_into_other_windows_leaves_one_copy_of_the_text(flow_settings):
    said = ("The first topic is hiring. We need two engineers before summer. "
            "The second topic is the website. The new design goes live next Monday.")
    envs = meeting_envelopes("recut-1", speak(said), seconds=2.0)
    # First reading: no final chunk yet, so at the end of the input the source is read live,
    # windows cut at each pause (the last sentence waits for more audio).
    live = flow_settings.with_(max_window_s=4.0)
    produce(live.kafka_bootstrap, live.audio_topic, [to_record(e) for e in envs[:-1]])
    run_main(build_flow(live))
    first = rows(live.database_url, "SELECT start_ms, text FROM transcript_segments ORDER BY 1")
    assert len(first) >= 2, first

    # The final chunk comes; the flow restarts without a recovery store and reads the whole
    # topic again: now one long window, its segments placed elsewhere.
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, [to_record(envs[-1])])
    run_main(build_flow(flow_settings))
    second = rows(flow_settings.database_url, "SELECT start_ms, end_ms, text FROM transcript_segments ORDER BY 1")
    assert {s for s, _ in first} - {s for s, _, _ in second}, "the two readings were cut alike"
    text = " ".join(t for *_, t in second)
    assert wer(said, text) <= 0.2, text
    for (_s1, e1, _), (s2, _, _) in itertools.pairwise(second):
        assert s2 >= e1 - 50, f"overlapping segments (a duplicate): {second}"
