"""`vori up`, `vori demo`, `vori down` as a user runs them (via make): real processes, real ports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pytest
from vori_testing import wer

from infra.postgres import LocalPostgres
from infra.procs import process_alive
from infra.stack import read_env

VORI = [sys.executable, "-m", "apps.cli"]


@pytest.fixture
def state_dir():
    # Not under pytest's 0700 tmp root: the PostgreSQL server runs as the `postgres` user.
    root = Path(tempfile.mkdtemp(prefix="vori-e2e-"))
    root.chmod(0o711)
    cache = Path(__file__).resolve().parents[2] / ".vori" / "cache"
    (root / "cache").symlink_to(cache)  # reuse the jars the session already fetched
    try:
        yield root
    finally:
        subprocess.run([*VORI, "down"], env=_env(root), capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def _env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    env["VORI_STATE_DIR"] = str(state_dir)
    # Ports next to the defaults, so a developer's own `make up` on 8080/8081 does not collide;
    # `vori up` moves to a free port if these are taken too.
    env["VORI_GATEWAY_PORT"] = "18080"
    env["VORI_BOARD_PORT"] = "18081"
    env["VORI_ANALYTICS_ENABLED"] = "false"
    return env


@pytest.mark.e2e
def test_up_demo_down_leaves_nothing_running(state_dir):
    env = _env(state_dir)
    up = subprocess.run([*VORI, "up"], env=env, capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr[-3000:]
    stack_env = read_env(state_dir / "stack.env")
    for key in ("VORI_GATEWAY_URL", "VORI_DATABASE_URL", "VORI_KAFKA_BOOTSTRAP", "VORI_BOARD_URL",
                "VORI_PRODUCER_TOKEN", "VORI_BOARD_TOKEN"):
        assert stack_env.get(key), key
    # The board's Record page may post to the gateway from the browser: CORS for its origin.
    preflight = httpx.options(
        f"{stack_env['VORI_GATEWAY_URL']}/topics/audio.raw",
        headers={"Origin": stack_env["VORI_BOARD_URL"], "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"})
    assert preflight.headers.get("access-control-allow-origin") == stack_env["VORI_BOARD_URL"]

    demo = subprocess.run([*VORI, "demo"], env=env, capture_output=True, text=True, timeout=400)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    transcript = demo.stdout.split("== Transcript ==", 1)[1].split("==", 1)[0]
    said = "I will finish the database migration by Friday"
    line = next(x for x in transcript.splitlines() if "migration by" in x)
    assert line.split(": ", 1)[0].endswith("Bob")
    assert wer(said, line.split(": ", 1)[1]) <= 0.2, line

    tickets = demo.stdout.split("== Tickets ==", 1)[1]
    assert "[todo] finish the database migration (Bob" in tickets, demo.stdout[-2000:]

    # The walking skeleton with `vori send`: one spoken sentence, posted through the gateway,
    # found in PostgreSQL.
    sentence = "The quarterly report shows strong growth in the northern region."
    wav = state_dir / "sentence.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), sentence], check=True)
    sent = subprocess.run([*VORI, "send", str(wav), "--meeting", "e2e-sentence", "--chunk-seconds", "2"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert sent.returncode == 0, sent.stderr[-2000:]
    dsn = stack_env["VORI_DATABASE_URL"]
    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline and status != "closed":
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT status, team FROM meetings WHERE meeting_id = 'e2e-sentence'").fetchone()
        status = row[0] if row else None
        time.sleep(0.5)
    assert status == "closed"
    assert row[1] == "demo"  # bound to the producer token's team
    with psycopg.connect(dsn) as conn:
        text = " ".join(r[0] for r in conn.execute(
            "SELECT text FROM transcript_segments WHERE meeting_id = 'e2e-sentence' ORDER BY start_ms"))
    assert wer(sentence, text) <= 0.2, text

    pids = [json.loads(p.read_text())["pid"] for p in (state_dir / "run").glob("*.json")]
    postgres = LocalPostgres(state_dir / "postgres")
    assert postgres.pid is not None
    pids.append(postgres.pid)
    assert len(pids) >= 5  # kafka, gateway, flow, board, postgres
    down = subprocess.run([*VORI, "down"], env=env, capture_output=True, text=True, timeout=120)
    assert down.returncode == 0, down.stderr
    assert not [pid for pid in pids if process_alive(pid)]
    assert not (state_dir / "stack.env").exists()
