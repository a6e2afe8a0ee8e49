"""Limits at the edge, on the real Kafka and PostgreSQL: audio that decodes to more than it looks
(422 with the reason, nothing produced), per-team quotas (429 with Retry-After, refused whole,
other teams unaffected), 503 bodies that say nothing about the database, and a flood of junk
tokens that does not crowd out a real producer."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re

import av
import httpx
import numpy as np
import psycopg
from fastapi.testclient import TestClient
from vori_testing import serve

from apps.gateway import create_app
from connectors.tokens import TokenStore
from tests.apps.gateway_helpers import V2_JSON, envelope, new_meeting, pcm, v2_body

V3 = "/v3/clusters/test-cluster/topics/{topic}/records"


def webm_at_1_hz() -> bytes:
    """The issue's 54 KB WebM: PCM at a sample rate of 1 Hz (27000 samples: 7.5 hours)."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="matroska") as out:
        stream = out.add_stream("pcm_s16le", rate=1)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 27000), dtype=np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 1
        for packet in [*stream.encode(frame), *stream.encode(None)]:
            out.mux(packet)
    return buf.getvalue()


def flac_silence(seconds: float, rate: int = 8000) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, "w", format="flac") as out:
        stream = out.add_stream("flac", rate=rate)
        stream.layout = "mono"
        total = int(seconds * rate)
        for start in range(0, total, rate):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, min(rate, total - start)), dtype=np.int16), format="s16",
                layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def container(meeting: str, seq: int, codec: str, audio: bytes, **over) -> dict:
    return envelope(meeting, seq, codec=codec, sample_rate=None, channels=None,
                    audio=base64.b64encode(audio).decode(), **over)


def small(meeting: str, seq: int = 0, **over) -> dict:
    """A 50 ms chunk, so that many fit in one request."""
    return envelope(meeting, seq, audio=base64.b64encode(pcm(0.05, value=seq + 1)).decode(),
                    **over)


def post(client, topic, *envs, token):
    return client.post(f"/topics/{topic}", json=v2_body(*envs),
                       headers={"Content-Type": V2_JSON, "Authorization": f"Bearer {token}"})


def seqs_in(read_topic, topic) -> list[tuple[str, str, int]]:
    return sorted((e["meeting_id"], e["source"], e["seq"])
                  for e in (json.loads(r.value()) for r in read_topic(topic)))


def assert_retry_after(resp, at_most: int = 60) -> int:
    assert resp.status_code == 429, resp.text
    retry = int(resp.headers["retry-after"])
    assert 1 <= retry <= at_most
    return retry


# -- decoded-size safety ------------------------------------------------------------------------


def test_webm_at_1_hz_is_422_and_nothing_reaches_kafka(gw, tokens, gateway_settings, read_topic):
    topic = gateway_settings.audio_topic
    audio = webm_at_1_hz()
    assert 50_000 < len(audio) < 60_000
    resp = post(gw, topic, container(new_meeting(), 0, "webm", audio), token=tokens.alpha)
    assert resp.status_code == 422, resp.text
    body = resp.json()
    assert body["error_code"] == 42201
    assert "records[0]" in body["message"] and "1 Hz" in body["message"]

    v3 = gw.post(V3.format(topic=topic), headers=tokens.auth(), json={
        "key": {"type": "STRING", "data": "m-webm"},
        "value": {"type": "JSON", "data": container("m-webm", 0, "webm", audio)},
    })
    assert v3.status_code == 422, v3.text
    assert v3.json()["error_code"] == 422 and "sample rate" in v3.json()["message"]
    assert read_topic(topic) == []


def test_small_flac_that_decodes_past_the_chunk_limit_is_422(
    gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    audio = flac_silence(gateway_settings.max_chunk_seconds + 1)
    assert len(audio) < 20_000
    meeting = new_meeting()
    resp = post(gw, topic, small(meeting, 0), container(meeting, 1, "flac", audio),
                token=tokens.alpha)
    assert resp.status_code == 422, resp.text
    assert "records[1]" in resp.json()["message"]
    assert "more than 60 s" in resp.json()["message"]
    # Bytes that only look like FLAC are refused with the decoder's reason, too.
    fake = b"fLaC" + bytes(2000)
    resp = post(gw, topic, container(meeting, 2, "flac", fake), token=tokens.alpha)
    assert resp.status_code == 422 and "flac" in resp.json()["message"]
    assert read_topic(topic) == []
    # An honest FLAC chunk goes through.
    ok = post(gw, topic, container(meeting, 0, "flac", flac_silence(5)), token=tokens.alpha)
    assert ok.status_code == 200, ok.text
    assert seqs_in(read_topic, topic) == [(meeting, "main", 0)]


# -- quotas -------------------------------------------------------------------------------------


def test_too_many_records_in_one_request_is_429_and_nothing_is_produced(
    gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    limit = gateway_settings.max_records_per_request
    meeting = new_meeting()
    resp = post(gw, topic, *(small(meeting, s) for s in range(limit + 1)), token=tokens.alpha)
    assert_retry_after(resp)
    assert resp.json()["error_code"] == 42901
    assert str(limit) in resp.json()["message"]
    assert read_topic(topic) == []

    body = b"".join(json.dumps({"key": {"type": "STRING", "data": meeting},
                                "value": {"type": "JSON", "data": small(meeting, s)}}).encode()
                    for s in range(limit + 1))
    v3 = gw.post(V3.format(topic=topic), content=body,
                 headers={**tokens.auth(), "Content-Type": "application/json"})
    assert_retry_after(v3)
    assert read_topic(topic) == []

    assert post(gw, topic, *(small(meeting, s) for s in range(limit)),
                token=tokens.alpha).status_code == 200
    assert len(read_topic(topic)) == limit


def test_the_31st_new_meeting_in_a_minute_is_429_and_other_teams_go_on(
    gw, tokens, gateway_settings, gateway_db, read_topic
):
    topic = gateway_settings.audio_topic
    limit = gateway_settings.max_new_meetings_per_minute
    assert limit == 30
    meetings = [new_meeting() for _ in range(limit)]
    # Ten in one request, the rest one by one: they all count.
    assert post(gw, topic, *(small(m) for m in meetings[:10]), token=tokens.alpha).status_code \
        == 200
    for m in meetings[10:]:
        assert post(gw, topic, small(m), token=tokens.alpha).status_code == 200

    extra = new_meeting()
    resp = post(gw, topic, small(meetings[0], 1), small(extra), token=tokens.alpha)
    assert_retry_after(resp)
    assert "new meetings" in resp.json()["message"]
    v3 = gw.post(V3.format(topic=topic), headers=tokens.auth(), json={
        "key": {"type": "STRING", "data": extra},
        "value": {"type": "JSON", "data": small(extra)},
    })
    assert_retry_after(v3)
    assert v3.json()["error_code"] == 429

    # Nothing of the refused requests was produced or bound to the team.
    with psycopg.connect(gateway_db) as conn:
        assert conn.execute("SELECT count(*) FROM meetings WHERE meeting_id = %s",
                            (extra,)).fetchone() == (0,)
    # The team's existing meetings go on, and another team is not affected.
    assert post(gw, topic, small(meetings[0], 1), token=tokens.alpha).status_code == 200
    other = new_meeting()
    assert post(gw, topic, small(other), token=tokens.beta).status_code == 200
    stored = seqs_in(read_topic, topic)
    assert (extra, "main", 0) not in stored
    assert (meetings[0], "main", 1) in stored and (other, "main", 0) in stored
    assert len(stored) == limit + 2


def test_audio_seconds_per_team_per_minute_is_429_with_retry_after(
    gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    limit = gateway_settings.max_audio_seconds_per_minute
    assert limit == 3600
    meeting = new_meeting()
    minute = flac_silence(60)  # ~18 KB that decode to a minute: the probe's duration counts
    per_request = 15
    for first in range(0, int(limit // 60), per_request):
        resp = post(gw, topic, *(container(meeting, s, "flac", minute)
                                 for s in range(first, first + per_request)), token=tokens.alpha)
        assert resp.status_code == 200, resp.text

    over = post(gw, topic, small(meeting, 60, source="mic-2"), token=tokens.alpha)
    assert_retry_after(over)
    assert "seconds of audio" in over.json()["message"]
    # A retry of an acknowledged chunk is answered from the dedupe window and costs nothing.
    again = post(gw, topic, container(meeting, 0, "flac", minute), token=tokens.alpha)
    assert again.status_code == 200, again.text
    # Another team's honest meeting keeps going.
    other = new_meeting()
    assert post(gw, topic, small(other), token=tokens.beta).status_code == 200

    stored = seqs_in(read_topic, topic)
    assert len(stored) == 61
    assert (meeting, "mic-2", 60) not in stored and (other, "main", 0) in stored


def test_the_17th_source_of_a_meeting_is_429(gw, tokens, gateway_settings, read_topic):
    topic = gateway_settings.audio_topic
    limit = gateway_settings.max_sources_per_meeting
    assert limit == 16
    meeting = new_meeting()
    assert post(gw, topic, *(small(meeting, source=f"mic-{i}") for i in range(limit - 1)),
                token=tokens.alpha).status_code == 200
    assert post(gw, topic, small(meeting, source="mic-15"), token=tokens.alpha).status_code == 200

    resp = post(gw, topic, small(meeting, 1, source="mic-0"), small(meeting, source="mic-16"),
                token=tokens.alpha)
    assert_retry_after(resp)
    assert "17 sources" in resp.json()["message"]
    # Known sources go on; so does another meeting.
    assert post(gw, topic, small(meeting, 1, source="mic-0"), token=tokens.alpha).status_code \
        == 200
    assert post(gw, topic, small(new_meeting(), source="mic-16"),
                token=tokens.alpha).status_code == 200
    stored = seqs_in(read_topic, topic)
    assert len(stored) == limit + 2
    assert (meeting, "mic-16", 0) not in stored


# -- 503 bodies ---------------------------------------------------------------------------------


def _says_nothing_about_the_database(resp, dsn: str) -> None:
    host_port = re.search(r"@([^/]+)/", dsn)
    assert host_port is not None
    text = resp.text.lower()
    for leak in (host_port.group(1), host_port.group(1).split(":")[-1], "127.0.0.1", "postgres",
                 "psycopg", "relation", "connection", "sql"):
        assert leak.lower() not in text, (leak, resp.text)


def test_503_bodies_say_nothing_about_the_database(gateway_settings, gateway_db, tokens):
    from infra.procs import free_ports

    topic = gateway_settings.audio_topic
    dead_dsn = f"postgresql://postgres@127.0.0.1:{free_ports(1)[0]}/vori"
    dead = TokenStore(dead_dsn, timeout_s=0.5)
    with TestClient(create_app(gateway_settings, tokens=dead)) as down:
        resp = post(down, topic, small(new_meeting()), token=tokens.alpha)
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "2"
    assert resp.json()["error_code"] == 50301
    _says_nothing_about_the_database(resp, dead_dsn)

    # The token checks out, but meeting ownership cannot be read: the database's own error
    # (a missing relation) stays in the log.
    with TestClient(create_app(gateway_settings)) as gw:
        assert post(gw, topic, small(new_meeting()), token=tokens.alpha).status_code == 200
        with psycopg.connect(gateway_db, autocommit=True) as conn:
            conn.execute("DROP TABLE meetings CASCADE")
        resp = post(gw, topic, small(new_meeting()), token=tokens.alpha)
        v3 = gw.post(V3.format(topic=topic), headers=tokens.auth(), json={
            "key": {"type": "STRING", "data": "m-v3"},
            "value": {"type": "JSON", "data": small("m-v3")},
        })
    assert resp.status_code == 503 and v3.status_code == 503
    assert "meeting" in resp.json()["message"]
    _says_nothing_about_the_database(resp, gateway_db)
    _says_nothing_about_the_database(v3, gateway_db)


# -- a flood of junk tokens ---------------------------------------------------------------------


def test_a_flood_of_junk_tokens_does_not_turn_real_posts_into_503(
    gateway_settings, gateway_db, tokens, read_topic
):
    """A small pool with a short wait, so junk reaching the database would starve real posts."""
    topic = gateway_settings.audio_topic
    store = TokenStore(gateway_db, pool_size=1, timeout_s=0.2)
    unknown = "vori_p_" + "x" * 43  # our format, but no such token: asked once, then remembered
    junk = [f"junk-{i}" for i in range(150)] + [unknown] * 150
    honest = [new_meeting() for _ in range(20)]  # each a new meeting: a database round trip

    async def flood(url: str) -> tuple[list[int], list[int]]:
        limits = httpx.Limits(max_connections=80)
        async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
            async def one(token: str, env: dict) -> int:
                resp = await client.post(f"/topics/{topic}", json=v2_body(env),
                                         headers={"Content-Type": V2_JSON,
                                                  "Authorization": f"Bearer {token}"})
                return resp.status_code

            async def real() -> list[int]:
                out = []
                for m in honest:
                    out.append(await one(tokens.alpha, small(m)))
                    await asyncio.sleep(0.01)
                return out

            junk_task = asyncio.gather(*(one(t, small(new_meeting())) for t in junk))
            real_codes = await real()
            return real_codes, list(await junk_task)

    with serve(create_app(gateway_settings, tokens=store), loop="uvloop",
               http="httptools") as url:
        real_codes, junk_codes = asyncio.run(flood(url))
    assert set(junk_codes) == {401}
    assert real_codes == [200] * len(honest)
    assert sorted(m for m, _, _ in seqs_in(read_topic, topic)) == sorted(honest)


def test_a_streamed_v3_body_is_answered_up_to_the_record_limit(
    live_gateway, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    limit = gateway_settings.max_records_per_request
    meeting = new_meeting()

    def pieces():  # no Content-Length: a chunked body, answered as it arrives
        for s in range(limit + 5):
            yield json.dumps({"key": {"type": "STRING", "data": meeting},
                              "value": {"type": "JSON", "data": small(meeting, s)}}).encode()

    with httpx.Client(base_url=live_gateway, timeout=60) as http:
        resp = http.post(V3.format(topic=topic), content=pieces(),
                         headers={**tokens.auth(), "Content-Type": "application/json"})
    lines = [json.loads(line) for line in resp.text.splitlines()]
    assert [line["error_code"] for line in lines] == [200] * limit + [429]
    assert str(limit) in lines[-1]["message"]
    assert [s for _, _, s in seqs_in(read_topic, topic)] == list(range(limit))
