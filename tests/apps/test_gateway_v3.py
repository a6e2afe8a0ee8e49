"""The gateway's REST Proxy v3 API: single records, concatenated bodies, a streamed body over a
real uvicorn server."""

from __future__ import annotations

import base64
import json

import httpx

from tests.apps.gateway_helpers import V2_JSON, envelope, new_meeting, v2_body

V3 = "/v3/clusters/test-cluster/topics/{topic}/records"


def v3_record(env, value_type="JSON"):
    key = {"type": "STRING", "data": env["meeting_id"]}
    if value_type == "JSON":
        return {"key": key, "value": {"type": "JSON", "data": env}}
    raw = json.dumps(env)
    if value_type == "BINARY":
        return {"key": key, "value": {"type": "BINARY",
                                      "data": base64.b64encode(raw.encode()).decode()}}
    return {"key": key, "value": {"type": "STRING", "data": raw}}


def test_v3_single_record(gw, tokens, gateway_settings, read_topic):
    topic = gateway_settings.audio_topic
    env = envelope(new_meeting())
    resp = gw.post(V3.format(topic=topic), json=v3_record(env), headers=tokens.auth())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error_code"] == 200
    assert (body["cluster_id"], body["topic_name"]) == ("test-cluster", topic)
    assert (body["partition_id"], body["offset"]) == (0, 0)
    assert body["key"] == {"type": "STRING", "size": len(env["meeting_id"])}
    assert body["timestamp"].endswith("Z")
    [rec] = read_topic(topic)
    assert json.loads(rec.value()) == env
    assert dict(rec.headers())["vori-team"] == b"alpha"


def test_v3_binary_and_string_values_are_forwarded_as_sent(
    gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    for seq, kind in enumerate(["BINARY", "STRING"]):
        resp = gw.post(V3.format(topic="audio.raw"),
                           json=v3_record(envelope(meeting, seq), kind), headers=tokens.auth())
        assert resp.status_code == 200, resp.text
        assert resp.json()["value"]["type"] == kind
    values = [r.value() for r in read_topic(topic)]
    assert values == [json.dumps(envelope(meeting, s)).encode() for s in (0, 1)]


def test_v3_statuses(gw, tokens, gateway_settings):
    topic = gateway_settings.audio_topic
    url = V3.format(topic=topic)
    rec = v3_record(envelope(new_meeting()))
    assert gw.post(url, json=rec).status_code == 401
    assert gw.post(url, json=rec, headers=tokens.auth(tokens.board)).status_code == 403
    resp = gw.post("/v3/clusters/other/topics/audio.raw/records", json=rec,
                       headers=tokens.auth())
    assert resp.status_code == 404
    resp = gw.post(V3.format(topic="nope"), json=rec, headers=tokens.auth())
    assert resp.json() == {"error_code": 40401, "message": "Topic not found"}
    resp = gw.post(url, content=json.dumps(rec),
                       headers={**tokens.auth(), "Content-Type": "text/plain"})
    assert resp.status_code == 415
    resp = gw.post(url, content=b"{oops", headers={**tokens.auth(),
                                                       "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert resp.json()["error_code"] == 400
    bad = v3_record(envelope(new_meeting(), seq=-4))
    resp = gw.post(url, json=bad, headers=tokens.auth())
    assert resp.status_code == 422
    assert "seq" in resp.json()["message"]
    resp = gw.post(url, json={**rec, "partition_id": 3}, headers=tokens.auth())
    assert resp.status_code == 422


def test_v3_concatenated_body_gets_one_line_per_record(
    gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    records = [v3_record(envelope(meeting, 0)), v3_record(envelope(meeting, 1, codec="aac")),
               v3_record(envelope(meeting, 2))]
    body = "\n".join(json.dumps(r) for r in records).encode()
    resp = gw.post(V3.format(topic=topic), content=body,
                       headers={**tokens.auth(), "Content-Type": "application/json"})
    assert resp.status_code == 200
    lines = [json.loads(line) for line in resp.text.splitlines()]
    assert [line["error_code"] for line in lines] == [200, 422, 200]
    assert "codec" in lines[1]["message"]
    assert sorted(json.loads(r.value())["seq"] for r in read_topic(topic)) == [0, 2]


def test_real_server_streams_results_of_a_chunked_body(
    live_gateway, tokens, gateway_settings, read_topic
):
    """A chunked body of concatenated records, cut mid-record, over uvicorn + httptools."""
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    body = b"".join(json.dumps(v3_record(envelope(meeting, s))).encode() for s in range(5))
    body += b' {"value": 42}'

    def pieces():
        for i in range(0, len(body), 7_001):  # cuts through records and strings
            yield body[i : i + 7_001]

    with httpx.Client(base_url=live_gateway, timeout=30) as http:
        assert http.get("/healthz").status_code == 200
        resp = http.post(V3.format(topic=topic), content=pieces(),
                         headers={**tokens.auth(), "Content-Type": "application/json"})
        assert resp.status_code == 200
        codes = [json.loads(line)["error_code"] for line in resp.text.splitlines()]
        assert codes == [200] * 5 + [400]

        v2 = http.post(f"/topics/{topic}", json=v2_body(envelope(meeting, 5)),
                       headers={**tokens.auth(), "Content-Type": V2_JSON})
        assert v2.status_code == 200
        assert v2.json()["offsets"][0]["offset"] == 5
    assert sorted(json.loads(r.value())["seq"] for r in read_topic(topic)) == list(range(6))
