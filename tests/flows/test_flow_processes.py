"""The flow as ops run it (`python -m bytewax.run`): two workers agree with one; kill -9 loses nothing."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from vori_testing import meeting_envelopes, produce, settings_env, speak, to_record, wer

from connectors.postgres import migrate
from connectors.settings import Settings

TEXT_A = "The new office opens in March. We will move the servers during the first weekend."
TEXT_B = "Please send the contract to the lawyers today. The budget review is on Tuesday afternoon."


def flow_env(settings: Settings) -> dict[str, str]:
    return settings_env(settings.with_(whisper_cpu_threads=1))


def run_flow(settings: Settings, *args: str, timeout: float = 300) -> None:
    argv = [sys.executable, "-m", "bytewax.run", "flows.transcription:main()", *args]
    done = subprocess.run(argv, env=flow_env(settings), capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]


def segments(dsn: str) -> list[tuple[str, str, int, str]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT meeting_id, source, start_ms, text FROM transcript_segments ORDER BY 1, 2, 3"
        ).fetchall()


def test_two_workers_give_the_same_transcript_as_one(flow_settings, postgres):
    envs = meeting_envelopes("w-meeting-a", speak(TEXT_A), seconds=3.0) + meeting_envelopes(
        "w-meeting-b", speak(TEXT_B, voice="en-us+klatt"), seconds=3.0
    )
    produce(flow_settings.kafka_bootstrap, flow_settings.audio_topic, [to_record(e) for e in envs])

    run_flow(flow_settings, "-w", "1")
    one = segments(flow_settings.database_url)

    other_db = f"{flow_settings.database_url.rsplit('/', 1)[1]}_w2"
    postgres.create_database(other_db)
    try:
        two_settings = flow_settings.with_(database_url=postgres.dsn(other_db))
        migrate(two_settings.database_url)
        run_flow(two_settings, "-w", "2")
        two = segments(two_settings.database_url)
    finally:
        postgres.drop_database(other_db)
    assert {m for m, *_ in one} == {"w-meeting-a", "w-meeting-b"}
    assert one == two


def test_kill_9_mid_meeting_then_restart_loses_nothing_and_duplicates_nothing(flow_settings, tmp_path: Path):
    text = (
        "Good afternoon. The first topic is hiring. We need two engineers before summer. "
        "The second topic is the website. The new design goes live next Monday. "
        "The last topic is travel. Everyone books flights through the portal."
    )
    envs = meeting_envelopes("crash-1", speak(text), seconds=2.0)
    recovery = tmp_path / "recovery"
    recovery.mkdir()
    subprocess.run([sys.executable, "-m", "bytewax.recovery", str(recovery), "1"], check=True)
    live = flow_settings.with_(input_tail=True)
    argv = [sys.executable, "-m", "bytewax.run", "flows.transcription:main()", "-w", "1",
            "-r", str(recovery), "-s", "1", "-b", "10"]
    half = len(envs) // 2

    first = subprocess.Popen(argv, env=flow_env(live), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        produce(live.kafka_bootstrap, live.audio_topic, [to_record(e) for e in envs[:half]])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not segments(live.database_url):
            time.sleep(0.3)
        assert segments(live.database_url), "the flow wrote nothing before the crash"
        time.sleep(1.5)  # let a snapshot or two pass, then die without warning
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    before = segments(live.database_url)

    produce(live.kafka_bootstrap, live.audio_topic, [to_record(e) for e in envs[half:]])
    second = subprocess.Popen(argv, env=flow_env(live), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and status != "closed":
            with psycopg.connect(live.database_url) as conn:
                row = conn.execute("SELECT status FROM meetings WHERE meeting_id = 'crash-1'").fetchone()
            status = row[0] if row else None
            time.sleep(0.5)
        assert status == "closed"
    finally:
        second.terminate()
        second.wait(30)

    after = segments(live.database_url)
    assert set(before) <= set(after)  # nothing written before the crash was lost or rewritten
    spans = []
    with psycopg.connect(live.database_url) as conn:
        spans = conn.execute(
            "SELECT start_ms, end_ms FROM transcript_segments WHERE meeting_id = 'crash-1' ORDER BY start_ms"
        ).fetchall()
    for (_s1, e1), (s2, _) in itertools.pairwise(spans):
        assert s2 >= e1 - 50, f"overlapping segments (a duplicate): {spans}"
    transcript = " ".join(t for *_, t in after)
    assert wer(text, transcript) <= 0.25, transcript


def test_a_flow_with_nothing_to_read_ends_cleanly_after_loading_its_model(flow_settings, tmp_path):
    # Ended by an empty topic while the model is still warming up, the process must still exit 0
    # (not abort inside the runtime) and say the model was ready; several times, as it is a race.
    for i in range(4):
        settings = flow_settings.with_(state_dir=tmp_path / f"state-{i}")
        run_flow(settings, "-w", "1", timeout=120)
        assert settings.flow_ready_file.read_text().split()[1:] == ["ready"]
