"""Streams at the edge: the gateway checks a stream's first header only, `vori send --stream-as`
posts a file as MediaRecorder would, and `vori record` without a microphone is one line, exit 2."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
from vori_testing import speak

from apps.send import Target, send_stream
from connectors.audio import _decode_container, decode_stream
from domain.envelope import parse_record
from tests.apps.gateway_helpers import V2_JSON, new_meeting, v2_body


def _post(gw, topic, envs, token):
    return gw.post(f"/topics/{topic}", json=v2_body(*envs),
                   headers={"Authorization": f"Bearer {token}", "Content-Type": V2_JSON})


def _stream_env(meeting: str, seq: int, data: bytes, codec: str = "webm") -> dict:
    return {"meeting_id": meeting, "seq": seq, "codec": codec, "stream": True,
            "audio": base64.b64encode(data).decode()}


def test_gateway_checks_a_streams_first_header_and_passes_later_ranges(gw, tokens, gateway_settings):
    topic = gateway_settings.audio_topic
    meeting = new_meeting()
    header = b"\x1a\x45\xdf\xa3" + b"\x9f" * 60  # cut inside the EBML header: no file to probe
    ok = _post(gw, topic, [_stream_env(meeting, 0, header), _stream_env(meeting, 1, b"\x00\x01raw")],
               tokens.alpha)
    assert ok.status_code == 200, ok.text
    bad = _post(gw, topic, [_stream_env(new_meeting(), 0, b"\x00\x01raw")], tokens.alpha)
    assert bad.status_code == 422 and "must start with the webm header" in bad.text
    wav = _post(gw, topic, [{**_stream_env(new_meeting(), 0, b"RIFF"), "codec": "wav"}], tokens.alpha)
    assert wav.status_code == 422 and "stream is for codecs" in wav.text


def test_send_stream_as_webm_posts_byte_ranges_that_decode_to_the_file(
    live_gateway, tokens, gateway_settings, read_topic, tmp_path
):
    pcm = speak("Alice agreed to review the budget report next week.")
    path = tmp_path / "talk.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(pcm.tobytes())
    meeting = new_meeting()
    sent = send_stream(path, "webm", target=Target(live_gateway, tokens.alpha, gateway_settings.audio_topic),
                       meeting=meeting, chunk_seconds=1.0)
    chunks = [parse_record(r.key(), r.value()) for r in read_topic(gateway_settings.audio_topic)]
    assert len(chunks) == sent >= 3
    assert [c.seq for c in chunks] == list(range(sent)) and chunks[-1].final
    assert all(c.stream and c.codec == "webm" for c in chunks)
    assert chunks[0].audio[:4] == b"\x1a\x45\xdf\xa3" and chunks[1].audio[:4] != b"\x1f\x43\xb6\x75"
    state, out = None, []
    for c in chunks:
        state, piece = decode_stream(state, "webm", c.audio, final=c.final)
        out.append(piece)
    got = np.frombuffer(b"".join(out), dtype=np.int16)
    whole = _decode_container(b"".join(c.audio for c in chunks), "matroska", 600)
    assert abs(len(got) - len(whole)) == 0 and abs(len(got) - len(pcm)) < 16000 * 0.1


def test_record_without_a_microphone_is_one_line_and_exit_2(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "apps.cli", "record", "--meeting", "m1", "--token", "vori_p_x",
         "--url", "http://127.0.0.1:9"],
        capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin", "VORI_STATE_DIR": str(tmp_path), "PULSE_SERVER": "unix:/nonexistent"},
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vori record: no microphone"), proc.stderr
    assert json.dumps(proc.stdout) == '""'
