"""Restarts cost no errors: after `kill -9` of PostgreSQL or Kafka and a restart, a stack started
like `make up` answers every following request."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from vori_testing import envelope, silence

from infra.postgres import LocalPostgres
from infra.procs import log_tail, process_alive
from infra.stack import LocalStack, read_env

VORI = [sys.executable, "-m", "apps.cli"]
ROOT = Path(__file__).resolve().parents[2]
V2_JSON = "application/vnd.kafka.json.v2+json"
MEETING = "restart-check"


def _env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    env["VORI_STATE_DIR"] = str(state_dir)
    env["VORI_GATEWAY_PORT"] = "18090"
    env["VORI_BOARD_PORT"] = "18091"
    env["VORI_ANALYTICS_ENABLED"] = "false"
    # Tokens are checked against PostgreSQL again after the restart, not answered from a cache.
    env["VORI_TOKEN_CACHE_TTL_S"] = "0.5"
    # The services run from a temporary folder: they import this checkout, not an installed one.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    return env


@pytest.fixture
def stack_env() -> Iterator[tuple[Path, dict[str, str]]]:
    # Not under pytest's 0700 tmp root: the PostgreSQL server runs as the `postgres` user.
    root = Path(tempfile.mkdtemp(prefix="vori-restarts-"))
    root.chmod(0o711)
    state = root / "state"
    state.mkdir()
    (state / "cache").symlink_to(ROOT / ".vori" / "cache")  # the jars the session fetched
    env = _env(state)
    try:
        up = subprocess.run([*VORI, "up"], env=env, capture_output=True, text=True, timeout=300)
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-3000:]
        yield state, read_env(state / "stack.env")
    finally:
        subprocess.run([*VORI, "down"], env=env, capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


class Clients:
    def __init__(self, stack_env: dict[str, str]) -> None:
        self.gateway = stack_env["VORI_GATEWAY_URL"]
        self.board = stack_env["VORI_BOARD_URL"]
        self.producer = {"Authorization": f"Bearer {stack_env['VORI_PRODUCER_TOKEN']}"}
        self.reader = {"Authorization": f"Bearer {stack_env['VORI_BOARD_TOKEN']}"}
        self.http = httpx.Client(timeout=15.0)
        self.seq = 0

    def post(self) -> int:
        body = {"records": [{"key": MEETING, "value": envelope(MEETING, self.seq, silence(0.2))}]}
        self.seq += 1
        resp = self.http.post(
            f"{self.gateway}/topics/audio.raw",
            json=body,
            headers={**self.producer, "Content-Type": V2_JSON},
        )
        return resp.status_code

    def board_request(self) -> int:
        return self.http.get(f"{self.board}/api/meetings", headers=self.reader).status_code


def _logs(state: Path) -> str:
    return "".join(
        f"\n--- {name}.log ---\n{log_tail(state / 'run' / f'{name}.log', 3000)}"
        for name in ("gateway", "board")
    )


def _kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not process_alive(pid)


@pytest.mark.e2e
def test_killed_postgres_and_kafka_cost_no_errors_after_restart(
    stack_env: tuple[Path, dict[str, str]],
) -> None:
    state, env = stack_env
    clients = Clients(env)
    # Warm: pools hold connections, the producer is connected, the meeting is bound to the team.
    assert [clients.post() for _ in range(3)] == [200] * 3
    assert [clients.board_request() for _ in range(3)] == [200] * 3

    postgres = LocalPostgres(state / "postgres")
    pid = postgres.pid
    assert pid is not None
    _kill(pid)
    postgres.start()  # returns once PostgreSQL accepts connections
    time.sleep(0.6)  # past the token cache: every request below reaches the restarted database
    posts = [clients.post() for _ in range(20)]
    assert posts == [200] * 20, _logs(state)
    reads = [clients.board_request() for _ in range(20)]
    assert reads == [200] * 20, _logs(state)

    kafka = LocalStack(state).kafka
    kafka.kill()
    kafka.start()  # returns once the broker answers
    posts = [clients.post() for _ in range(20)]
    assert posts == [200] * 20, _logs(state)
    reads = [clients.board_request() for _ in range(5)]
    assert reads == [200] * 5, _logs(state)
