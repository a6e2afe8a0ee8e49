"""Board fan-out benchmark: N WebSocket clients of one team each receive every event of a meeting.

    .venv/bin/python bench/board_ws_bench.py [--clients 200] [--events 300] [--rate 20] [--dsn DSN]

Starts a throwaway PostgreSQL (unless --dsn names a database to migrate and use) and the board as
its own process (``python -m apps.board``), connects the clients, then commits transcript segments
one transaction each at ``--rate`` per second. Latency is from the writer's COMMIT returning to a
client's receiving the event (one clock, one machine). Prints p50/p95/p99/max and deliveries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import psycopg
import websockets

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from connectors.postgres import migrate
from connectors.tokens import create_token
from infra.postgres import LocalPostgres
from infra.procs import free_ports

TEAM = "bench"
MEETING = "bench-meeting"


def start_board(dsn: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VORI_DATABASE_URL": dsn, "VORI_BOARD_PORT": str(port),
           "VORI_BOARD_HOST": "127.0.0.1"}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "apps.board"], cwd=REPO_ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"board exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("board did not answer /healthz within 60 s")


def write_events(dsn: str, count: int, rate: float, committed: dict[int, float],
                 go: threading.Event) -> None:
    """Commit ``count`` segments, one transaction each, recording when each COMMIT returned."""
    go.wait()
    interval = 1.0 / rate
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        for i in range(count):
            conn.execute(
                "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
                "VALUES (%s, %s, %s, %s, %s)",
                (TEAM, MEETING, i * 1000, i * 1000 + 900, f"benchmark line {i} " + "words " * 12),
            )
            conn.commit()
            committed[i * 1000] = time.perf_counter()
            pause = start + (i + 1) * interval - time.perf_counter()
            if pause > 0:
                time.sleep(pause)


async def client(url: str, token: str, expect: int, ready: asyncio.Event, counter: list[int],
                 n_clients: int, received: list[tuple[int, float]]) -> int:
    got = 0
    async with websockets.connect(url, max_queue=None, ping_interval=None) as ws:
        # As the page does: the token in the first message, never in the URL.
        await ws.send(json.dumps({"type": "auth", "token": token}))
        hello = json.loads(await ws.recv())
        assert hello["type"] == "ready", hello
        counter[0] += 1
        if counter[0] == n_clients:
            ready.set()
        while got < expect:
            message = await ws.recv()
            now = time.perf_counter()
            event = json.loads(message)
            if event.get("type") == "segment":
                received.append((int(event["data"]["start_ms"]), now))
                got += 1
    return got


async def run(board_url: str, token: str, dsn: str, n_clients: int, n_events: int,
              rate: float) -> None:
    url = board_url.replace("http://", "ws://") + f"/ws?team={TEAM}"
    ready = asyncio.Event()
    counter = [0]
    received: list[tuple[int, float]] = []
    committed: dict[int, float] = {}
    go = threading.Event()
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(client(url, token, n_events, ready, counter, n_clients,
                                        received))
             for _ in range(n_clients)]
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(f"{n_clients} clients connected in {time.perf_counter() - t0:.2f} s")
    writer = asyncio.create_task(
        asyncio.to_thread(write_events, dsn, n_events, rate, committed, go))
    go.set()
    started = time.perf_counter()
    counts = await asyncio.wait_for(asyncio.gather(*tasks), timeout=60 + n_events / rate * 3)
    await writer
    elapsed = time.perf_counter() - started

    latencies_ms = sorted((at - committed[key]) * 1000 for key, at in received)
    q = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    total = sum(counts)
    print(f"events committed: {n_events} at {rate:g}/s; deliveries: {total} "
          f"(expected {n_clients * n_events}); all clients got all: "
          f"{all(c == n_events for c in counts)}")
    print(f"throughput: {total / elapsed:,.0f} messages/s over {elapsed:.1f} s")
    print(f"commit -> client latency ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  "
          f"max {latencies_ms[-1]:.1f}")
    verdict = "meets" if q[94] <= 500 else "MISSES"
    print(f"p95 {verdict} the 500 ms target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rate", type=float, default=20.0, help="segments committed per second")
    parser.add_argument("--dsn", help="an existing database to migrate and use")
    args = parser.parse_args()

    with ExitStack() as stack:
        root = Path(tempfile.mkdtemp(prefix="vori-bench-"))
        stack.callback(shutil.rmtree, root, ignore_errors=True)
        if args.dsn:
            dsn = args.dsn
        else:
            root.chmod(0o711)
            pg = LocalPostgres(root / "data", fsync=False)
            pg.start()
            stack.callback(pg.stop)
            pg.create_database("bench")
            dsn = pg.dsn("bench")
        migrate(dsn)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("DELETE FROM transcript_segments WHERE meeting_id = %s", (MEETING,))
            conn.execute("INSERT INTO meetings (meeting_id, team, title) VALUES (%s, %s, %s) "
                         "ON CONFLICT DO NOTHING", (MEETING, TEAM, "Benchmark"))
        token = create_token(dsn, team=TEAM, role="board")
        port = free_ports(1)[0]
        board = start_board(dsn, port, root / "board.log")
        stack.callback(board.wait, 30)
        stack.callback(board.terminate)
        print(f"board pid {board.pid} on port {port}; {os.cpu_count()} CPUs")
        asyncio.run(run(f"http://127.0.0.1:{port}", token, dsn, args.clients, args.events,
                        args.rate))


if __name__ == "__main__":
    main()
