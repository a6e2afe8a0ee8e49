"""``vori up`` / ``vori down``: the local stack (infra) plus VORI's own processes, in the background."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from analytics.jobs import JOBS
from connectors.kafka import TOPIC_CONFIG, ensure_topics, pipeline_topics
from connectors.postgres import migrate
from connectors.settings import Settings, read_env
from connectors.tokens import create_token
from infra.errors import InfraError
from infra.maven import ensure_spark_kafka_jars
from infra.procs import ProcessRegistry
from infra.stack import LocalStack

DEMO_TEAM = "demo"
# Live transcription gets the CPU first: the Spark jobs (and their JVM) and the tracker worker run
# at the lowest priority, so on a small machine they take what the flow leaves.
BACKGROUND = ("nice", "-n", "19")


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _pick_port(host: str, preferred: int) -> int:
    if _port_free(host, preferred):
        return preferred
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, timeout: float, stack: LocalStack, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (loopback URL we built)
                if resp.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        record = stack.registry.get(name)
        if record is not None and not record.alive:
            raise InfraError(f"{name} exited during start; see {record.log_path}")
        time.sleep(0.3)
    raise InfraError(f"{name} did not answer {url} within {timeout:.0f}s")


def _start_background(stack: LocalStack, name: str, argv: list[str], env: dict[str, str]) -> None:
    """Start a process that must never take the CPU from live transcription: nice 19, and its
    scheduling autogroup too (where the kernel has autogroups, nice alone does not reach across
    sessions, and each process here has its own)."""
    record = stack.start_process(name, [*BACKGROUND, *argv], env=env)
    ProcessRegistry.deprioritise(record.pid)


def _wait_ready(marker: Path, timeout: float, stack: LocalStack, name: str) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        record = stack.registry.get(name)
        if record is not None and not record.alive:
            raise InfraError(f"{name} exited during start; see {record.log_path}")
        if time.monotonic() > deadline:
            raise InfraError(f"{name} was not ready ({marker} not written) within {timeout:.0f}s")
        time.sleep(0.2)


def _ensure_recovery(directory: Path, partitions: int = 1) -> None:
    # The partition count of a bytewax recovery store is fixed forever: create it once.
    if directory.exists() and any(directory.iterdir()):
        return
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "bytewax.recovery", str(directory), str(partitions)], check=True
    )


def up(settings: Settings, *, with_services: bool = True) -> dict[str, str]:
    """Start Kafka, PostgreSQL and (unless told not to) the gateway, flow, board and jobs."""
    stack = LocalStack(settings.state_dir)
    env = stack.up()
    settings = settings.with_(
        kafka_bootstrap=env["VORI_KAFKA_BOOTSTRAP"],
        database_url=env["VORI_DATABASE_URL"],
        database_admin_url=env["VORI_DATABASE_ADMIN_URL"],
    )
    ensure_topics(settings.kafka_bootstrap, pipeline_topics(settings), TOPIC_CONFIG)
    # Migrations run as the owner; the services below connect as the role that only reads/writes.
    migrate(settings.database_admin_url or settings.database_url)

    previous = read_env(stack.env_path)
    extra: dict[str, str] = {}
    for role, key in (("producer", "VORI_PRODUCER_TOKEN"), ("board", "VORI_BOARD_TOKEN")):
        extra[key] = previous.get(key) or create_token(
            settings.database_url, team=DEMO_TEAM, role=role, label="dev token from vori up"
        )
    base_env = {**env, **extra}

    if with_services:
        for name, key in (("gateway", "VORI_GATEWAY_PORT"), ("board", "VORI_BOARD_PORT")):
            if stack.registry.is_running(name) and not previous.get(key):
                stack.registry.stop(name)  # running on a port nobody recorded: start it afresh
        gw_port = int(
            previous.get("VORI_GATEWAY_PORT") or _pick_port(settings.gateway_host, settings.gateway_port)
        )
        gw_url = f"http://{settings.gateway_host}:{gw_port}"
        board_port = int(
            previous.get("VORI_BOARD_PORT") or _pick_port(settings.board_host, settings.board_port)
        )
        board_url = f"http://{settings.board_host}:{board_port}"
        if not stack.registry.is_running("gateway"):
            # The board's URL, for CORS: its Record page posts to the gateway from the browser.
            stack.start_process(
                "gateway",
                [sys.executable, "-m", "apps.gateway"],
                env={**base_env, "VORI_GATEWAY_PORT": str(gw_port), "VORI_BOARD_URL": board_url},
            )
        _wait_http(f"{gw_url}/healthz", 60, stack, "gateway")
        extra.update(VORI_GATEWAY_URL=gw_url, VORI_GATEWAY_PORT=str(gw_port))

        recovery = settings.state_dir / "recovery"
        _ensure_recovery(recovery)
        if not stack.registry.is_running("flow"):
            settings.flow_ready_file.unlink(missing_ok=True)
            stack.start_process(
                "flow",
                [
                    sys.executable, "-m", "bytewax.run", "flows.transcription:main()",
                    "-w", "1", "-r", str(recovery), "-s", "5", "-b", "30",
                ],
                env={**base_env, "VORI_STATE_DIR": str(settings.state_dir)},
            )
        # Minutes are a flow of their own, reading transcription.completed: its own recovery
        # store holds its offsets and meetings, so a restart resumes where it stopped.
        minutes_recovery = settings.state_dir / "recovery-minutes"
        _ensure_recovery(minutes_recovery)
        if not stack.registry.is_running("minutes"):
            stack.start_process(
                "minutes",
                [
                    sys.executable, "-m", "bytewax.run", "flows.minutes:main()",
                    "-w", "1", "-r", str(minutes_recovery), "-s", "5", "-b", "30",
                ],
                env=base_env,
            )

        # The refined transcript reads the audio again in long windows: at the lowest priority,
        # so live windows always get the CPU first. Its state holds up to a long window of audio
        # per source, so it is snapshotted less often than the live flow's (a crash replays more).
        if settings.refine and not stack.registry.is_running("refine"):
            refine_recovery = settings.state_dir / "recovery-refine"
            _ensure_recovery(refine_recovery)
            _start_background(
                stack,
                "refine",
                [
                    sys.executable, "-m", "bytewax.run", "flows.refine:main()",
                    "-w", "1", "-r", str(refine_recovery), "-s", "30", "-b", "60",
                ],
                base_env,
            )

        stack.write_env(extra)  # what runs so far is usable even if a later service fails

        if not stack.registry.is_running("board"):
            stack.start_process(
                "board",
                [sys.executable, "-m", "apps.board"],
                env={**base_env, "VORI_BOARD_PORT": str(board_port)},
            )
        _wait_http(f"{board_url}/healthz", 60, stack, "board")
        extra.update(VORI_BOARD_URL=board_url, VORI_BOARD_PORT=str(board_port))

        # Pushes ticket changes to the teams' trackers (docs/trackers.md); idle without connections.
        if not stack.registry.is_running("tracker-worker"):
            _start_background(stack, "tracker-worker", [sys.executable, "-m", "apps.tracker_worker"],
                              base_env)

        for job in JOBS if settings.analytics_enabled else ():
            if not stack.registry.is_running(job):
                # analytics/ never resolves jars itself: it is handed them.
                jars = settings.spark_jars or ",".join(
                    str(p) for p in ensure_spark_kafka_jars(stack.cache_dir)
                )
                _start_background(stack, job, [sys.executable, "-m", "analytics.jobs", job],
                                  {**base_env, "VORI_SPARK_JARS": jars})
        # Users stream as soon as this returns: the flow's model must be loaded and warm by then,
        # or the first windows wait for it (seconds, while the other processes start too).
        _wait_ready(settings.flow_ready_file, 180, stack, "flow")
    return stack.write_env(extra)


def down(settings: Settings) -> None:
    LocalStack(settings.state_dir).stop_all()
    print("stack stopped")


def status(settings: Settings) -> int:
    stack = LocalStack(settings.state_dir)
    states = stack.status()
    for name, alive in sorted(states.items()):
        print(f"{name:16} {'running' if alive else 'stopped'}")
    return 0 if states and all(states.values()) else 1
