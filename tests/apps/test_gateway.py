"""The gateway's REST Proxy v2 API on the real Kafka and PostgreSQL: every status it answers."""

from __future__ import annotations

import base64
import json
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from domain.envelope import parse_record
from tests.apps.gateway_helpers import V2_BINARY, V2_JSON, envelope, new_meeting, v2_body


def post_v2(gw, topic, body, token, content_type=V2_JSON, **kw):
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if isinstance(body, bytes):
        kw.setdefault("content", body)
        return gw.post(f"/topics/{topic}", headers=headers, **kw)
    return gw.post(f"/topics/{topic}", json=body, headers=headers, **kw)


def test_healthz_and_cluster_listing(gw):
    assert gw.get("/healthz").json() == {"status": "ok"}
    listing = gw.get("/v3/clusters").json()
    assert [c["cluster_id"] for c in listing["data"]] == ["test-cluster"]
    assert gw.get("/v3/clusters/test-cluster").json()["cluster_id"] == "test-cluster"


def test_v2_json_record_is_in_kafka_with_team_headers(
    gw, tokens, gateway_settings, gateway_db, read_topic
):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    env = envelope(meeting, title="Weekly sync")
    before = int(time.time() * 1000)

    resp = post_v2(gw, topic, v2_body(env), tokens.alpha)

    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.kafka.v2+json")
    assert resp.json() == {
        "offsets": [{"partition": 0, "offset": 0, "error_code": None, "error": None}],
        "key_schema_id": None,
        "value_schema_id": None,
    }
    [rec] = read_topic(topic)
    assert rec.key() == meeting.encode()
    assert json.loads(rec.value()) == env
    assert parse_record(rec.key(), rec.value()).seq == 0
    headers = dict(rec.headers())
    assert headers["vori-team"] == b"alpha"
    assert before <= int(headers["vori-received-at"]) <= int(time.time() * 1000)
    with psycopg.connect(gateway_db) as conn:
        row = conn.execute(
            "SELECT team, title, status FROM meetings WHERE meeting_id = %s", (meeting,)
        ).fetchone()
    assert row == ("alpha", "Weekly sync", "live")


def test_contract_topic_name_routes_to_the_configured_topic(
    gw, tokens, gateway_settings, read_topic
):
    resp = post_v2(gw, "audio.raw", v2_body(envelope(new_meeting())), tokens.alpha)
    assert resp.status_code == 200, resp.text
    assert len(read_topic(gateway_settings.audio_topic)) == 1


def test_v2_binary_record_is_forwarded_byte_for_byte(gw, tokens, gateway_settings, read_topic):
    meeting = new_meeting()
    value = json.dumps(envelope(meeting), indent=1).encode()
    body = {"records": [{"key": base64.b64encode(meeting.encode()).decode(),
                         "value": base64.b64encode(value).decode()}]}
    resp = post_v2(gw, gateway_settings.audio_topic, body, tokens.alpha, V2_BINARY)
    assert resp.status_code == 200, resp.text
    [rec] = read_topic(gateway_settings.audio_topic)
    assert (rec.key(), rec.value()) == (meeting.encode(), value)


def test_v2_batch_gets_one_offset_per_record_in_order(gw, tokens, gateway_settings, read_topic):
    meeting = new_meeting()
    resp = post_v2(gw, gateway_settings.audio_topic,
                   v2_body(*(envelope(meeting, seq) for seq in range(3))), tokens.alpha)
    assert resp.status_code == 200, resp.text
    assert [o["offset"] for o in resp.json()["offsets"]] == [0, 1, 2]
    seqs = [json.loads(r.value())["seq"] for r in read_topic(gateway_settings.audio_topic)]
    assert sorted(seqs) == [0, 1, 2]


def test_v2_batch_with_one_bad_record_stores_nothing(gw, tokens, gateway_settings, read_topic):
    meeting = new_meeting()
    bad = envelope(meeting, 1, codec="aac")
    resp = post_v2(gw, gateway_settings.audio_topic,
                   v2_body(envelope(meeting, 0), bad, envelope(meeting, 2)), tokens.alpha)
    assert resp.status_code == 422
    body = resp.json()
    assert body["error_code"] == 42201
    assert "records[1]" in body["message"] and "codec" in body["message"]
    assert read_topic(gateway_settings.audio_topic) == []


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing"),
        ({"Authorization": "Bearer vori_p_not-a-real-token"}, "unknown"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "other scheme"),
        ({"Authorization": "Bearer "}, "empty"),
    ],
)
def test_missing_or_wrong_token_is_401(gw, gateway_settings, headers, why):
    resp = gw.post(f"/topics/{gateway_settings.audio_topic}",
                       json=v2_body(envelope(new_meeting())),
                       headers={"Content-Type": V2_JSON, **headers})
    assert resp.status_code == 401, why
    assert resp.json()["error_code"] == 40101
    assert resp.headers["www-authenticate"].startswith("Bearer")


def test_revoked_token_is_401(gateway_settings, gateway_db):
    from fastapi.testclient import TestClient

    from apps.gateway import create_app
    from connectors.tokens import issue_token, revoke_token

    issued = issue_token(gateway_db, team="alpha", role="producer")
    with psycopg.connect(gateway_db) as conn:
        assert revoke_token(conn, issued.token_id)
    with TestClient(create_app(gateway_settings)) as fresh:
        resp = post_v2(fresh, gateway_settings.audio_topic, v2_body(envelope(new_meeting())),
                       issued.token)
    assert resp.status_code == 401


def test_board_token_cannot_produce(gw, tokens, gateway_settings, read_topic):
    resp = post_v2(gw, gateway_settings.audio_topic, v2_body(envelope(new_meeting())),
                   tokens.board)
    assert resp.status_code == 403
    assert "producer" in resp.json()["message"]
    assert read_topic(gateway_settings.audio_topic) == []


def test_two_teams_use_the_same_meeting_id_and_each_gets_its_own(
    gw, tokens, gateway_settings, gateway_db, read_topic
):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    assert post_v2(gw, topic, v2_body(envelope(meeting, 0)), tokens.alpha).status_code == 200

    # Beta's first chunk of the same id is beta's meeting: no 403 that would tell beta alpha's
    # id exists, and alpha goes on as before.
    resp = post_v2(gw, topic, v2_body(envelope(meeting, 0)), tokens.beta)
    assert resp.status_code == 200, resp.text
    assert post_v2(gw, topic, v2_body(envelope(meeting, 1)), tokens.alpha).status_code == 200
    assert post_v2(gw, topic, v2_body(envelope(meeting, 1)), tokens.beta).status_code == 200

    records = [(dict(r.headers())["vori-team"], r.key(), json.loads(r.value())["seq"])
               for r in read_topic(topic)]
    assert sorted(records) == [(b"alpha", meeting.encode(), 0), (b"alpha", meeting.encode(), 1),
                               (b"beta", meeting.encode(), 0), (b"beta", meeting.encode(), 1)]
    with psycopg.connect(gateway_db) as conn:
        rows = conn.execute("SELECT team, status FROM meetings WHERE meeting_id = %s ORDER BY team",
                            (meeting,)).fetchall()
    assert rows == [("alpha", "live"), ("beta", "live")]


def test_unknown_topic_is_404(gw, tokens, gateway_settings, read_topic):
    resp = post_v2(gw, "audio.cooked", v2_body(envelope(new_meeting())), tokens.alpha)
    assert resp.status_code == 404
    assert resp.json() == {"error_code": 40401, "message": "Topic not found"}
    assert read_topic(gateway_settings.audio_topic) == []


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/vnd.kafka.avro.v2+json", "application/x-www-form-urlencoded"],
)
def test_wrong_content_type_is_415(gw, tokens, gateway_settings, content_type):
    resp = post_v2(gw, gateway_settings.audio_topic, v2_body(envelope(new_meeting())),
                   tokens.alpha, content_type)
    assert resp.status_code == 415
    assert "Content-Type" in resp.json()["message"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"records": [{"key": "m", "value": NaN}]}', "not valid JSON"),
        (b'{"value": {}}', '{"records": [...]}'),
        (b'{"records": {}}', '{"records": [...]}'),
        (b'{"records": []}', "empty"),
        (b'{"records": [42]}', "records[0]"),
        (b'{"records": [{"key": "m"}]}', "no value"),
        (b'{"records": [{"key": "m", "value": [1, 2]}]}', "JSON object"),
        (b"[" * 50_000, "nested too deeply"),
    ],
)
def test_body_not_json_or_not_the_format_is_400(gw, tokens, gateway_settings, body, says):
    resp = post_v2(gw, gateway_settings.audio_topic, body, tokens.alpha)
    assert resp.status_code == 400, resp.text
    assert says in resp.json()["message"]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"meeting_id": "no spaces allowed"}, "meeting_id"),
        ({"meeting_id": "x" * 129}, "meeting_id"),
        ({"seq": -1}, "seq"),
        ({"seq": "3"}, "seq"),
        ({"seq": 1.5}, "seq"),
        ({"seq": True}, "seq"),
        ({"codec": "aac"}, "codec"),
        ({"audio": "***not base64***"}, "base64"),
        ({"sample_rate": None}, "sample_rate"),
        ({"channels": None}, "sample_rate"),
        ({"sample_rate": 10}, "sample_rate"),
        ({"sample_rate": 10_000_000}, "sample_rate"),
        ({"channels": 99}, "channels"),
        ({"final": "yes"}, "final"),
        ({"audio": ""}, "empty"),
    ],
)
def test_invalid_envelope_is_422_and_says_why(
    gw, tokens, gateway_settings, read_topic, override, field
):
    meeting = new_meeting()
    env = envelope(meeting, **override)
    body = {"records": [{"key": meeting, "value": env}]}
    resp = post_v2(gw, gateway_settings.audio_topic, body, tokens.alpha)
    assert resp.status_code == 422, resp.text
    assert field in resp.json()["message"]
    assert read_topic(gateway_settings.audio_topic) == []


def test_key_differs_from_meeting_id_is_422(gw, tokens, gateway_settings):
    body = {"records": [{"key": "some-other-meeting", "value": envelope(new_meeting())}]}
    resp = post_v2(gw, gateway_settings.audio_topic, body, tokens.alpha)
    assert resp.status_code == 422
    assert "differs from meeting_id" in resp.json()["message"]


def test_missing_key_defaults_to_the_meeting_id(gw, tokens, gateway_settings, read_topic):
    meeting = new_meeting()
    resp = post_v2(gw, gateway_settings.audio_topic,
                   {"records": [{"value": envelope(meeting)}]}, tokens.alpha)
    assert resp.status_code == 200
    assert read_topic(gateway_settings.audio_topic)[0].key() == meeting.encode()


def test_body_over_the_limit_is_413(gw, tokens, gateway_settings, read_topic):
    limit = gateway_settings.max_body_bytes
    resp = post_v2(gw, gateway_settings.audio_topic, b" " * (limit + 1), tokens.alpha)
    assert resp.status_code == 413
    assert str(limit) in resp.json()["message"]

    def chunks():  # no Content-Length: the streamed length is counted
        for _ in range(limit // 10_000 + 2):
            yield b" " * 10_000

    resp = post_v2(gw, gateway_settings.audio_topic, b"", tokens.alpha, content=chunks())
    assert resp.status_code == 413
    assert read_topic(gateway_settings.audio_topic) == []


def test_decoded_audio_over_the_limit_is_413(gw, tokens, gateway_settings, read_topic):
    audio = b"\x00\x01" * (gateway_settings.max_audio_bytes // 2 + 1)
    env = envelope(new_meeting(), audio=base64.b64encode(audio).decode())
    resp = post_v2(gw, gateway_settings.audio_topic, v2_body(env), tokens.alpha)
    assert resp.status_code == 413
    assert "over the limit" in resp.json()["message"]
    assert read_topic(gateway_settings.audio_topic) == []


def test_database_down_is_503_with_retry_after(gateway_settings, tokens):
    from fastapi.testclient import TestClient

    from apps.gateway import create_app
    from connectors.tokens import TokenStore
    from infra.procs import free_ports

    dead = TokenStore(f"postgresql://postgres@127.0.0.1:{free_ports(1)[0]}/vori", timeout_s=0.5)
    with TestClient(create_app(gateway_settings, tokens=dead)) as down:
        resp = post_v2(down, gateway_settings.audio_topic, v2_body(envelope(new_meeting())),
                       tokens.alpha)
    assert resp.status_code == 503
    assert resp.headers["retry-after"] == "2"
    assert "token" in resp.json()["message"]


def test_unknown_route_uses_the_rest_error_shape(gw):
    resp = gw.get("/nope")
    assert resp.status_code == 404
    assert resp.json()["error_code"] == 40401


def test_retry_storm_leaves_one_record_with_one_seq(gw, tokens, gateway_settings, read_topic):
    """The same chunk posted 20 times (10 in a row, 10 at once) is one record in Kafka."""
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    body = v2_body(envelope(meeting, 7))
    sequential = [post_v2(gw, topic, body, tokens.alpha) for _ in range(10)]
    with ThreadPoolExecutor(10) as pool:
        concurrent = list(pool.map(lambda _: post_v2(gw, topic, body, tokens.alpha),
                                   range(10)))
    responses = sequential + concurrent
    assert {r.status_code for r in responses} == {200}
    assert {r.json()["offsets"][0]["offset"] for r in responses} == {0}
    records = read_topic(topic)
    assert len(records) == 1
    assert json.loads(records[0].value())["seq"] == 7
    # A different chunk with the next seq still goes through.
    assert post_v2(gw, topic, v2_body(envelope(meeting, 8)), tokens.alpha).status_code == 200
    assert len(read_topic(topic)) == 2
