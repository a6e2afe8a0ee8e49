"""Every command of the README's "The local stack" and "Running each piece alone" tables, run the
README way after `vori up`: in a shell whose only VORI_* variable is VORI_STATE_DIR (nothing
sourced), each finds the stack through Settings and stack.env alone."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from connectors.settings import read_env

ROOT = Path(__file__).resolve().parents[2]
# `.venv/bin/vori` is this module's console script; `-m` runs this checkout's code whatever the
# venv was installed from.
VORI = [sys.executable, "-m", "apps.cli"]


@pytest.fixture
def state_dir() -> Iterator[Path]:
    # Not under pytest's 0700 tmp root: the PostgreSQL server runs as the `postgres` user.
    root = Path(tempfile.mkdtemp(prefix="vori-readme-"))
    root.chmod(0o711)
    (root / "cache").symlink_to(ROOT / ".vori" / "cache")  # the jars the session already fetched
    try:
        yield root
    finally:
        subprocess.run([*VORI, "down"], env=shell_env(root), cwd=ROOT, capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)


def shell_env(state_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VORI_")}
    env["VORI_STATE_DIR"] = str(state_dir)
    return env


def vori(state_dir: Path, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*VORI, *argv], env=shell_env(state_dir), cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"vori {' '.join(argv)}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


@pytest.mark.e2e
def test_every_readme_command_finds_the_stack_through_the_state_dir_alone(state_dir: Path) -> None:
    # `make up` is `vori up`. The continuous Spark jobs are left out of this stack: they would take
    # the machine's cores, and share their checkpoints with the `--available-now` run below.
    up = subprocess.run([*VORI, "up"], env={**shell_env(state_dir), "VORI_ANALYTICS_ENABLED": "false"},
                        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert up.returncode == 0, up.stderr[-3000:]
    stack = read_env(state_dir / "stack.env")

    # make status
    status = vori(state_dir, "status").stdout
    for name in ("kafka", "postgres", "gateway", "flow", "minutes", "board"):
        assert re.search(rf"^{name}\s+running$", status, re.M), status
    for url in (stack["VORI_GATEWAY_URL"], stack["VORI_BOARD_URL"]):
        assert httpx.get(f"{url}/healthz", timeout=10).status_code == 200

    # Kafka + PostgreSQL only: already running, so nothing restarts; it prints the endpoints.
    infra = vori(state_dir, "up", "--infra-only").stdout
    dsn = urlsplit(stack["VORI_DATABASE_URL"])
    assert dsn.password and dsn.password not in infra, "passwords stay in stack.env"
    shown = stack["VORI_DATABASE_URL"].replace(f":{dsn.password}@", ":***@")
    assert f"VORI_DATABASE_URL={shown}" in infra.splitlines()

    assert vori(state_dir, "db", "migrate").stdout == "database is up to date\n"

    tokens = {}
    for role in ("producer", "board"):
        tokens[role] = vori(state_dir, "token", "create", "--team", "acme", "--role", role).stdout.strip()
    assert tokens["producer"].startswith("vori_p_") and tokens["board"].startswith("vori_b_")

    wav = state_dir / "planning.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav),
                    "The quarterly report shows strong growth in the northern region."], check=True)
    # The stack's own demo token and gateway, as the README's `vori send` line uses them ...
    sent = vori(state_dir, "send", str(wav), "--meeting", "readme-1", "--title", "Readme check",
                "--chunk-seconds", "2").stdout
    assert f"for meeting readme-1 to {stack['VORI_GATEWAY_URL']}" in sent
    # ... and the token just created: it is in the database the gateway reads.
    assert "sent " in vori(state_dir, "send", str(wav), "--meeting", "acme-1",
                           "--token", tokens["producer"]).stdout

    deadline = time.monotonic() + 120
    report = vori(state_dir, "report", "readme-1").stdout
    while "- Ended: not yet" in report and time.monotonic() < deadline:
        time.sleep(1)
        report = vori(state_dir, "report", "readme-1").stdout
    assert report.startswith("# Readme check\n") and "- Team: demo\n" in report, report
    assert "- Ended: not yet" not in report, report
    assert "## Metrics\n\nNot computed yet." in report

    vori(state_dir, "analytics", "efficiency", "--available-now", timeout=240)
    report = vori(state_dir, "report", "readme-1", "--html").stdout
    assert "<h1>Readme check</h1>" in report and "Not computed yet." not in report, report

    vori(state_dir, "down")
    assert not (state_dir / "stack.env").exists()
