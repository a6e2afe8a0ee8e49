"""The flow's per-record steps, driven directly: a record that raises is dead-lettered, a window
the recogniser cannot read is dead-lettered with its span, and quotas bound what producers make
the flow hold (pure: no services; the timeline step is the one the flow runs)."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
from bytewax.connectors.kafka import KafkaSourceMessage
from vori_testing import envelope, speak

from connectors.audio import decode_chunk
from connectors.dlq import DeadLetter
from connectors.settings import Settings
from domain.envelope import AudioChunk, EnvelopeLimits
from domain.timeline import BYTES_PER_SECOND
from flows.transcription import (
    Accepted,
    HeldAudio,
    MeetingLogic,
    TranscriptionFailures,
    _LazyTranscriber,
    accept,
    timeline_config,
)

SETTINGS = Settings()
LIMITS = EnvelopeLimits(SETTINGS.max_audio_bytes, SETTINGS.max_chunk_seconds)


def record(env: dict, offset: int = 0, team: str = "team-a") -> KafkaSourceMessage:
    return KafkaSourceMessage(
        key=env["meeting_id"].encode(), value=json.dumps(env).encode(), topic="audio.raw",
        headers=[("vori-team", team.encode())], offset=offset, partition=0, timestamp=(1, 1_000),
    )


def test_a_record_whose_decoding_raises_anything_is_dead_lettered_and_the_next_is_decoded():
    def decode(chunk: AudioChunk, max_seconds: float) -> np.ndarray:
        if chunk.meeting_id == "poison":
            raise MemoryError("resampler ran out of memory")
        return decode_chunk(chunk, max_seconds=max_seconds)

    step = accept(LIMITS, decode=decode)
    dead = step(record(envelope("poison", 0, np.zeros(1600, np.int16)), offset=7))
    good = step(record(envelope("honest", 0, np.ones(1600, np.int16)), offset=8))

    assert isinstance(dead, DeadLetter)
    assert (dead.stage, dead.offset) == ("decode", 7)
    assert "MemoryError" in dead.reason and "resampler" in dead.reason
    assert dead.value == json.dumps(envelope("poison", 0, np.zeros(1600, np.int16))).encode()
    assert isinstance(good, Accepted) and len(good.pcm) == 3200


def test_a_meetings_state_is_keyed_by_the_gateways_team_header():
    step = accept(LIMITS)
    env = envelope("standup", 0, np.ones(1600, np.int16))
    alpha, beta = step(record(env, team="alpha")), step(record(env, team="beta"))
    assert isinstance(alpha, Accepted) and isinstance(beta, Accepted)
    assert (alpha.key, beta.key) == ("alpha/standup", "beta/standup")
    # Written to Kafka without the gateway: team "unassigned", which no token can speak for.
    bare = KafkaSourceMessage(key=b"standup", value=json.dumps(env).encode(), topic="audio.raw",
                              offset=3, partition=0, timestamp=(1, 1_000))
    unheaded = step(bare)
    assert isinstance(unheaded, Accepted) and unheaded.key == "unassigned/standup"
    # A header that is not a team name (it could forge another key) is dead-lettered.
    for forged in ("alpha/x", "", "\u00e9quipe"):
        dead = step(record(env, team=forged))
        assert isinstance(dead, DeadLetter) and dead.stage == "parse"
        assert "vori-team" in dead.reason


class _BrokenRecogniser:
    """A recogniser that fails on every window (a dead GPU, a corrupt model file)."""

    model_name = "broken"

    def transcribe(self, audio, *, prompt=None):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")


def _meeting(meeting_id: str, held: HeldAudio, failures: TranscriptionFailures | None = None,
             transcriber=None, settings: Settings = SETTINGS) -> MeetingLogic:
    clock = iter(range(10**6)).__next__
    return MeetingLogic(meeting_id, timeline_config(settings), transcriber or _LazyTranscriber(settings),
                        lambda: float(clock()) * 0.01, None, None, held, failures)


def accepted(env: dict, team: str = "team-a", pcm: bytes | None = None) -> Accepted:
    msg = record(env, team=team)
    chunk = AudioChunk(env["meeting_id"], env["seq"], env["source"], env.get("speaker"), "pcm_s16le",
                       16000, 1, b"", env["final"], None)
    return Accepted(chunk, pcm if pcm is not None else base64.b64decode(env["audio"]), 1_000, team, msg)


def test_a_window_the_recogniser_cannot_read_is_dead_lettered_with_its_span_then_repeated_failures_stop_the_flow():
    speech = speak("We will order the new laptops tomorrow morning.")
    failures = TranscriptionFailures(limit=2)
    logic = _meeting("win-1", HeldAudio(), failures, transcriber=lambda: _BrokenRecogniser())
    out, _ = logic.on_batch([accepted(envelope("win-1", 0, speech)),
                             accepted(envelope("win-1", 1, b"", final=True))])
    dead = [o for o in out if isinstance(o, DeadLetter)]
    assert len(dead) == 1
    body = json.loads(dead[0].value)
    assert dead[0].stage == "transcribe" and "illegal memory access" in dead[0].reason
    assert (body["meeting_id"], body["source"]) == ("win-1", "main")
    assert 0 <= body["start_ms"] < body["end_ms"] <= len(speech) * 1000 // 16000

    # A second window in a row fails too: not the audio's fault, so the flow stops (recovery
    # resumes it once the recogniser works) instead of throwing every meeting's audio away.
    other = _meeting("win-2", HeldAudio(), failures, transcriber=lambda: _BrokenRecogniser())
    with pytest.raises(RuntimeError, match="illegal memory access"):
        other.on_batch([accepted(envelope("win-2", 0, speech)), accepted(envelope("win-2", 1, b"", final=True))])


SIXTY_S = bytes(60 * BYTES_PER_SECOND)  # one chunk of a minute's silence (shared, not copied)


def attack(meeting_id: str, sources: int, team: str = "mallory") -> list[Accepted]:
    """Seq 1..119 of each source, seq 0 withheld: everything would wait for the gap timeout."""
    return [
        accepted(envelope(meeting_id, seq, b"", source=f"s{n}"), team=team, pcm=SIXTY_S)
        for n in range(sources) for seq in range(1, 120)
    ]


def test_the_gap_attack_is_refused_beyond_the_quotas_and_the_state_stays_bounded():
    held = HeldAudio()
    logic = _meeting("attack-1", held)
    out, _ = logic.on_batch(attack("attack-1", sources=40))

    refused = [o for o in out if isinstance(o, DeadLetter)]
    assert {d.stage for d in refused} == {"quota"}
    state = logic.state.timeline.held_bytes()
    # Unbounded, it would be 40 sources x 119 minutes (9 GB); the meeting's quota holds it.
    assert state <= SETTINGS.flow_max_pending_meeting_s * BYTES_PER_SECOND
    assert state == 30 * len(SIXTY_S)  # 10 minutes for each of 3 sources
    reasons = [d.reason for d in refused]
    assert sum("source 's0' hold" in r for r in reasons) == 109
    assert any("meeting attack-1 hold" in r for r in reasons)
    assert sum("at most 32" in r for r in reasons) == 8 * 119  # sources 33..40
    assert held.total() == state  # what the team quota sees


def test_the_team_quota_spans_meetings_and_another_team_keeps_flowing():
    held = HeldAudio()
    meetings = [_meeting(f"attack-{i}", held) for i in range(6)]
    for i, logic in enumerate(meetings):
        logic.on_batch(attack(f"attack-{i}", sources=3))
    total = held.total()
    assert total <= SETTINGS.flow_max_pending_team_s * BYTES_PER_SECOND
    assert meetings[4].state.timeline.held_bytes() == 0  # the team's 2 hours were already held

    honest = _meeting("honest-1", held)
    out, _ = honest.on_batch([
        accepted(envelope("honest-1", seq, b"", source="main"), team="team-b", pcm=SIXTY_S)
        for seq in (1, 2, 3)
    ])
    assert not [o for o in out if isinstance(o, DeadLetter)]
    assert honest.state.timeline.held_bytes() == 3 * len(SIXTY_S)
