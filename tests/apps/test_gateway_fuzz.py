"""Fuzzing the produce endpoints: arbitrary bodies never get a 5xx; nothing malformed is stored."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.gateway import create_app
from domain.envelope import CODECS, parse_record
from tests.apps.gateway_helpers import V2_BINARY, V2_JSON, pcm

ANSWERS = {200, 400, 401, 403, 404, 413, 415, 422}
V3_PATH = "/v3/clusters/test-cluster/topics/audio.raw/records"
VALID_AUDIO = base64.b64encode(pcm(0.1)).decode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=3),
    max_leaves=10,
)
meeting_ids = st.sampled_from(["fuzz-a", "fuzz-b", "x" * 129, "bad id", ""]) | st.text(max_size=6)
envelopes = st.fixed_dictionaries(
    {"meeting_id": meeting_ids | json_values},
    optional={
        "seq": st.integers(-2, 2**31 + 2) | json_values,
        "source": st.sampled_from(["main", "mic-1", "", "a b"]) | json_values,
        "speaker": st.none() | st.text(max_size=4) | json_values,
        "codec": st.sampled_from(CODECS) | st.text(max_size=5),
        "sample_rate": st.sampled_from([16000, 8000, 0, 1, 10**9]) | json_values,
        "channels": st.sampled_from([1, 2, 0, 9]) | json_values,
        "audio": st.sampled_from([VALID_AUDIO, "", "AAA", "****", "UklGRg=="])
        | st.binary(max_size=40).map(lambda b: base64.b64encode(b).decode())
        | json_values,
        "final": st.booleans() | json_values,
        "title": st.none() | st.text(max_size=10) | json_values,
        "extra": json_values,
    },
)


@st.composite
def v2_requests(draw):
    content_type = draw(st.sampled_from([V2_JSON, V2_BINARY, "application/json", "text/plain"]))
    binary = content_type == V2_BINARY
    records = []
    for env in draw(st.lists(envelopes, min_size=0, max_size=3)):
        key = draw(st.none() | st.just(env["meeting_id"]) | json_values)
        value = env
        if binary:
            value = base64.b64encode(json.dumps(env).encode()).decode()
            if isinstance(key, str):
                key = base64.b64encode(key.encode()).decode()
        record = {"key": key, "value": value}
        if draw(st.booleans()):
            record["partition"] = draw(st.none() | st.integers(0, 3))
        records.append(record)
    body = draw(st.sampled_from([{"records": records}, records, {"records": records[:1]}]))
    raw = json.dumps(body).encode()
    if draw(st.integers(0, 9)) == 0:  # now and then, damage the bytes
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + draw(st.binary(max_size=5)) + raw[cut:]
    return "/topics/audio.raw", content_type, raw


@st.composite
def v3_requests(draw):
    parts = []
    for env in draw(st.lists(envelopes, min_size=0, max_size=3)):
        kind = draw(st.sampled_from(["JSON", "BINARY", "STRING", "AVRO"]))
        data = env if kind == "JSON" else json.dumps(env)
        if kind == "BINARY":
            data = base64.b64encode(data.encode()).decode()
        parts.append({"key": {"type": "STRING", "data": draw(st.just(env["meeting_id"])
                                                               | json_values)},
                      "value": {"type": kind, "data": data}})
    raw = b"".join(json.dumps(p).encode() for p in parts)
    if draw(st.booleans()):
        raw += draw(st.binary(max_size=8))
    return V3_PATH, draw(st.sampled_from(["application/json", "text/plain"])), raw


requests = v2_requests() | v3_requests() | st.tuples(
    st.sampled_from(["/topics/audio.raw", V3_PATH]),
    st.sampled_from([V2_JSON, V2_BINARY, "application/json"]),
    st.binary(max_size=200) | json_values.map(lambda v: json.dumps(v).encode()),
)


def test_fuzzed_bodies_never_5xx_and_never_store_garbage(tokens, gateway_settings, read_topic):
    # Hundreds of fuzzed meeting ids and sources from one team: the quotas (tested on their own
    # in test_gateway_limits) would answer most of them before the checks fuzzed here.
    quiet = gateway_settings.with_(max_new_meetings_per_minute=1_000_000,
                                   max_sources_per_meeting=1_000_000)
    with TestClient(create_app(quiet)) as gw:
        _fuzz(gw, tokens, gateway_settings, read_topic)


def _fuzz(gw, tokens, gateway_settings, read_topic):
    answered: set[int] = set()

    @settings(max_examples=300, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(requests)
    def post(request):
        path, content_type, body = request
        resp = gw.post(path, content=body,
                           headers={**tokens.auth(), "Content-Type": content_type})
        assert resp.status_code in ANSWERS, (resp.status_code, resp.text)
        # v3 lines carry HTTP statuses, v2 errors five-digit codes (40001 for a 400).
        codes = [json.loads(line)["error_code"] for line in resp.text.splitlines()]
        assert all((c if c < 1000 else c // 100) in ANSWERS for c in codes), resp.text
        answered.add(resp.status_code)

    post()
    assert {200, 400, 422} <= answered
    for rec in read_topic(gateway_settings.audio_topic):
        chunk = parse_record(rec.key(), rec.value())  # raises if anything malformed got in
        assert rec.key() == chunk.meeting_id.encode()
        assert dict(rec.headers())["vori-team"] == b"alpha"
