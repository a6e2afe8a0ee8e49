"""`vori send`: any file PyAV reads becomes ordered 16 kHz PCM chunks in Kafka, then a final one;
retries reuse the seq, so a lost response never duplicates a chunk."""

from __future__ import annotations

import argparse
import base64
import json
import os
import time
import wave
from pathlib import Path

import av
import httpx
import numpy as np
import pytest
from vori_testing import settings_env

from apps.send import Target, add_parser, iter_pcm_chunks, run, send_file
from apps.send import main as send_main
from connectors.settings import Settings, format_env
from domain.envelope import parse_record


def write_tone(path: Path, seconds: float, rate: int = 44_100, codec: str = "flac") -> Path:
    """A 440 Hz stereo tone encoded by FFmpeg (``codec``) or written as WAV (codec "wav")."""
    t = np.arange(int(seconds * rate)) / rate
    mono = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
    stereo = np.repeat(mono, 2)
    if codec == "wav":
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes(stereo.tobytes())
        return path
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout="stereo")
        size = stream.codec_context.frame_size or 4096
        for i in range(0, len(mono), size):
            frame = av.AudioFrame.from_ndarray(stereo[2 * i : 2 * (i + size)].reshape(1, -1),
                                               format="s16", layout="stereo")
            frame.sample_rate, frame.pts = rate, i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def chunks_of(records):
    return [parse_record(r.key(), r.value()) for r in records]


@pytest.mark.parametrize(("codec", "suffix"), [("flac", "flac"), ("libmp3lame", "mp3"),
                                               ("wav", "wav")])
def test_any_file_becomes_ordered_pcm_chunks_then_final(
    tmp_path, gw, tokens, gateway_settings, gateway_db, read_topic, codec, suffix
):
    path = write_tone(tmp_path / f"tone.{suffix}", 12.0, codec=codec)
    sent = send_file(path, target=Target("http://testserver", tokens.alpha), meeting="m-send",
                     title="Send test", client=gw, progress=False)
    assert sent == 4
    chunks = chunks_of(read_topic(gateway_settings.audio_topic))
    assert [c.seq for c in chunks] == [0, 1, 2, 3]
    assert [c.final for c in chunks] == [False, False, False, True]
    assert {(c.codec, c.sample_rate, c.channels, c.meeting_id) for c in chunks} == {
        ("pcm_s16le", 16000, 1, "m-send")}
    assert [len(c.audio) for c in chunks[:2]] == [160_000, 160_000]
    assert abs(len(chunks[2].audio) - 64_000) <= 1_000 and chunks[3].audio == b""
    samples = np.frombuffer(chunks[0].audio, dtype="<i2")
    assert 4000 < np.abs(samples).max() < 9000  # the tone survived the downmix and resampling


class LosesFirstResponses(httpx.BaseTransport):
    """A network that delivers each request but loses the first answer to every chunk."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.attempts: dict[int, int] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        seq = json.loads(request.content)["records"][0]["value"]["seq"]
        self.attempts[seq] = self.attempts.get(seq, 0) + 1
        if self.attempts[seq] == 1:
            raise httpx.ReadTimeout("response lost", request=request)
        return response


def test_retries_reuse_the_seq_so_lost_responses_never_duplicate(
    tmp_path, live_gateway, tokens, gateway_settings, read_topic
):
    path = write_tone(tmp_path / "tone.wav", 3.0, codec="wav")
    transport = LosesFirstResponses()
    with httpx.Client(transport=transport) as http:
        sent = send_file(path, target=Target(live_gateway, tokens.alpha), meeting="m-retry",
                         chunk_seconds=1.0, client=http, progress=False)
    assert sent == 4 and transport.attempts == {0: 2, 1: 2, 2: 2, 3: 2}
    seqs = [c.seq for c in chunks_of(read_topic(gateway_settings.audio_topic))]
    assert seqs == [0, 1, 2, 3]


def test_realtime_paces_chunks_at_wall_clock_speed(tmp_path, gw, tokens):
    path = write_tone(tmp_path / "tone.wav", 1.5, codec="wav")
    started = time.monotonic()
    send_file(path, target=Target("http://testserver", tokens.alpha), meeting="m-live",
              chunk_seconds=0.5, realtime=True, client=gw, progress=False)
    assert time.monotonic() - started >= 1.4


def cli_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="vori")
    add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["send", *argv])


def only_env(monkeypatch, settings: Settings) -> None:
    """The process environment holds ``settings`` and no other VORI_* variable."""
    for key in [k for k in os.environ if k.startswith("VORI_")]:
        monkeypatch.delenv(key)
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)


def test_cli_reads_token_from_env_and_reports(
    tmp_path, monkeypatch, capsys, live_gateway, tokens, gateway_settings, read_topic
):
    path = write_tone(tmp_path / "tone.flac", 2.5)
    only_env(monkeypatch, gateway_settings.with_(state_dir=tmp_path))
    monkeypatch.setenv("VORI_PRODUCER_TOKEN", tokens.alpha)
    monkeypatch.setenv("VORI_GATEWAY_URL", live_gateway)
    argv = [str(path), "--meeting", "m-cli", "--chunk-seconds", "1", "--source", "mic-2",
            "--speaker", "Ana"]
    assert cli_args(*argv).handler is run
    assert send_main(argv) == 0
    assert "sent 4 chunks" in capsys.readouterr().out
    chunks = chunks_of(read_topic(gateway_settings.audio_topic))
    assert {(c.source, c.speaker) for c in chunks} == {("mic-2", "Ana")}


def test_cli_finds_gateway_and_token_in_the_stacks_stack_env(
    tmp_path, monkeypatch, capsys, live_gateway, tokens, gateway_settings, read_topic
):
    # `vori up` wrote them; nothing is sourced into the shell.
    (tmp_path / "stack.env").write_text(
        format_env({"VORI_GATEWAY_URL": live_gateway, "VORI_PRODUCER_TOKEN": tokens.alpha}))
    only_env(monkeypatch, gateway_settings.with_(state_dir=tmp_path))
    path = write_tone(tmp_path / "tone.wav", 1.5, codec="wav")
    assert send_main([str(path), "--meeting", "m-stack-env"]) == 0
    assert f"for meeting m-stack-env to {live_gateway}" in capsys.readouterr().out
    assert [c.seq for c in chunks_of(read_topic(gateway_settings.audio_topic))] == [0, 1]


def test_cli_refusals_exit_nonzero(tmp_path, monkeypatch, capsys, live_gateway, tokens,
                                   gateway_settings):
    path = write_tone(tmp_path / "tone.wav", 1.0, codec="wav")
    monkeypatch.delenv("VORI_PRODUCER_TOKEN", raising=False)
    no_stack = gateway_settings.with_(state_dir=tmp_path)
    assert run(cli_args(str(path), "--meeting", "m", "--url", live_gateway), no_stack) == 2
    assert "no token" in capsys.readouterr().err
    # Another team uses the same meeting id: each team's meeting is its own, both are sent.
    assert run(cli_args(str(path), "--meeting", "m-shared", "--url", live_gateway,
                        "--token", tokens.beta), no_stack) == 0
    assert run(cli_args(str(path), "--meeting", "m-shared", "--url", live_gateway,
                        "--token", tokens.alpha), no_stack) == 0
    capsys.readouterr()
    # A token that may not produce: the gateway says 403 and send gives up at once.
    assert run(cli_args(str(path), "--meeting", "m-shared", "--url", live_gateway,
                        "--token", tokens.board), no_stack) == 1
    assert "403" in capsys.readouterr().err
    assert run(cli_args(str(tmp_path / "missing.wav"), "--meeting", "m", "--url", live_gateway,
                        "--token", tokens.alpha), no_stack) == 2


def test_undecodable_file_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(base64.b64decode("AAAA") * 100)
    with pytest.raises(Exception, match="cannot decode"):
        list(iter_pcm_chunks(junk, 5.0))
