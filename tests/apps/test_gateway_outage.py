"""Kafka outage: while the broker is down the gateway answers 503 + Retry-After and never 200;
once it is back, posts succeed and every acknowledged chunk is in the topic."""

from __future__ import annotations

import json
import time

from tests.apps.gateway_helpers import V2_JSON, envelope, new_meeting, v2_body


def test_kafka_outage_gives_503_then_nothing_is_lost(
    kafka, gw, tokens, gateway_settings, read_topic
):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    headers = {**tokens.auth(), "Content-Type": V2_JSON}

    def post(seq):
        return gw.post(f"/topics/{topic}", json=v2_body(envelope(meeting, seq)),
                           headers=headers)

    assert post(0).status_code == 200
    acknowledged = {0}
    kafka.kill()
    try:
        during = [post(seq) for seq in (1, 2, 3)]
    finally:
        kafka.start()

    assert [r.status_code for r in during] == [503, 503, 503]
    for resp in during:
        assert int(resp.headers["retry-after"]) >= 1
        assert resp.json()["error_code"] == 50301
        assert "Kafka" in resp.json()["message"]
        # Which broker did not answer is for the log, not for clients.
        host, _, port = kafka.bootstrap.rpartition(":")
        assert host not in resp.text and port not in resp.text, resp.text

    # The producer reconnects by itself: a gw retrying the same seqs gets through.
    deadline = time.monotonic() + 60
    for seq in range(1, 8):
        while (resp := post(seq)).status_code != 200:
            assert resp.status_code == 503, resp.text
            assert time.monotonic() < deadline, "the gateway did not recover"
            time.sleep(0.5)
        acknowledged.add(seq)

    stored = [json.loads(r.value())["seq"] for r in read_topic(topic)]
    assert set(stored) == acknowledged == set(range(8))
