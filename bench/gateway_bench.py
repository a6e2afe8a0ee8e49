"""Gateway benchmark: sustained chunks/s with 5-second 16 kHz PCM chunks, and the time to a 200 at
a steady 50 chunks/s.

    .venv/bin/python bench/gateway_bench.py                 # starts Kafka, PostgreSQL, gateway
    .venv/bin/python bench/gateway_bench.py --url URL --token TOKEN   # an already running gateway

Every request carries a distinct (meeting, seq), so the gateway's duplicate window never answers
from memory: each 200 is a real acks=all delivery. The load generator is a bare asyncio HTTP/1.1
client with keep-alive connections, so the client costs little of the CPU the gateway needs.
Latency is measured from each request's scheduled send time (no coordinated omission).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHUNK_SECONDS = 5
RATE = 16_000


def chunk_audio_b64(seconds: int = CHUNK_SECONDS) -> str:
    """Noise-like PCM (it does not matter for the gateway, but keeps the payload honest)."""
    raw = bytes((i * 2654435761 >> 13) & 0xFF for i in range(seconds * RATE * 2))
    return base64.b64encode(raw).decode("ascii")


class BodyMaker:
    """Pre-encoded request bytes; only meeting id and seq change between requests."""

    def __init__(self, host: str, topic: str, token: str) -> None:
        audio = chunk_audio_b64()
        env = {"meeting_id": "@M@", "seq": 0, "source": "main", "speaker": None,
               "codec": "pcm_s16le", "sample_rate": RATE, "channels": 1, "audio": "@A@",
               "final": False, "title": "bench"}
        text = json.dumps({"records": [{"key": "@M@", "value": env}]})
        head, _, tail = text.partition('"@A@"')
        self._head = head.replace('"seq": 0', '"seq": @S@')
        self._audio = f'"{audio}"'.encode()
        self._tail = tail.encode()
        self._request_line = (
            f"POST /topics/{topic} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {token}\r\n"
            "Content-Type: application/vnd.kafka.json.v2+json\r\n"
        ).encode()

    def request(self, meeting: str, seq: int) -> bytes:
        head = self._head.replace("@M@", meeting).replace("@S@", str(seq)).encode()
        body = b"".join((head, self._audio, self._tail))
        return b"".join((self._request_line, f"Content-Length: {len(body)}\r\n\r\n".encode(),
                         body))


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
        return cls(reader, writer)

    async def roundtrip(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def throughput(url: str, maker: BodyMaker, connections: int, seconds: float,
                     warmup: float) -> tuple[float, dict[int, int]]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    counts: dict[int, int] = {}
    measured = 0
    start = time.monotonic()
    t0, t1 = start + warmup, start + warmup + seconds

    async def client(n: int) -> None:
        nonlocal measured
        conn = await Connection.open(host, port)
        seq = 0
        meeting = f"bench-tp-{os.getpid()}-{n}"
        try:
            while (now := time.monotonic()) < t1:
                status = await conn.roundtrip(maker.request(meeting, seq))
                seq += 1
                if now >= t0:
                    counts[status] = counts.get(status, 0) + 1
                    if status == 200 and time.monotonic() <= t1:
                        measured += 1
        finally:
            conn.close()

    await asyncio.gather(*(client(n) for n in range(connections)))
    return measured / seconds, counts


async def steady_latency(url: str, maker: BodyMaker, rate: float,
                         seconds: float) -> tuple[list[float], list[float], dict[int, int]]:
    """Live meetings streaming at ``rate`` chunks/s in total: each of ``rate * 5`` meetings sends
    one 5-second chunk every 5 s. Their first chunks (which bind the meeting to the team in
    PostgreSQL) are sent first and timed apart; then ``seconds`` of steady streaming are timed."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    idle: list[Connection] = [await Connection.open(host, port) for _ in range(8)]
    counts: dict[int, int] = {}
    meetings = int(rate * CHUNK_SECONDS)
    tag = f"{os.getpid()}-{time.time_ns() % 10**6}"
    warm = [maker.request(f"bench-live-{tag}-{m}", 0) for m in range(meetings)]
    steady = [maker.request(f"bench-live-{tag}-{i % meetings}", 1 + i // meetings)
              for i in range(int(rate * seconds))]

    async def paced(requests: list[bytes]) -> list[float]:
        latencies: list[float] = []
        start = time.monotonic() + 0.2

        async def one(i: int) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
            conn = idle.pop() if idle else await Connection.open(host, port)
            status = await conn.roundtrip(requests[i])
            latencies.append(time.monotonic() - scheduled)
            counts[status] = counts.get(status, 0) + 1
            idle.append(conn)

        await asyncio.gather(*(one(i) for i in range(len(requests))))
        return latencies

    first = await paced(warm)
    latencies = await paced(steady)
    for conn in idle:
        conn.close()
    return first, latencies, counts


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@contextmanager
def local_stack(workers: int) -> Iterator[tuple[str, str]]:
    """Kafka + PostgreSQL + the gateway in a temporary directory; yields (url, token)."""
    from confluent_kafka.admin import AdminClient  # noqa: F401  (fail early if missing)

    from connectors.postgres import migrate
    from connectors.tokens import create_token
    from infra.kafka import LocalKafka, create_topics
    from infra.maven import ensure_kafka_jars
    from infra.postgres import LocalPostgres
    from infra.procs import free_ports

    root = Path(tempfile.mkdtemp(prefix="vori-gw-bench-"))
    root.chmod(0o711)
    kafka = LocalKafka(root / "kafka", ensure_kafka_jars(REPO / ".vori" / "cache" / "maven"))
    pg = LocalPostgres(root / "pg")
    gateway: subprocess.Popen[bytes] | None = None
    try:
        print("starting Kafka and PostgreSQL ...", flush=True)
        kafka.start()
        dsn = pg.start()
        migrate(dsn)
        create_topics(kafka.bootstrap, {"audio.raw": 4})
        token = create_token(dsn, team="bench", role="producer")
        port = free_ports(1)[0]
        env = {**os.environ, "VORI_KAFKA_BOOTSTRAP": kafka.bootstrap, "VORI_DATABASE_URL": dsn,
               "VORI_GATEWAY_PORT": str(port), "VORI_GATEWAY_WORKERS": str(workers),
               # One team plays every meeting here: per-team quotas would measure themselves.
               "VORI_MAX_NEW_MEETINGS_PER_MINUTE": "1000000",
               "VORI_MAX_AUDIO_SECONDS_PER_MINUTE": "1e9"}
        gateway = subprocess.Popen([sys.executable, "-m", "apps.gateway"], cwd=REPO, env=env)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if gateway.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the gateway did not start")
            time.sleep(0.2)
        yield url, token
    finally:
        if gateway is not None:
            gateway.terminate()
            gateway.wait(timeout=30)
        kafka.stop()
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


async def bench(url: str, token: str, args: argparse.Namespace) -> None:
    maker = BodyMaker(urlsplit(url).netloc, args.topic, token)
    size = len(maker.request("bench-x", 0))
    print(f"request size {size / 1024:.0f} KiB ({CHUNK_SECONDS} s of 16 kHz mono s16le, base64)")

    first, lat, counts = await steady_latency(url, maker, args.rate, args.latency_seconds)
    ms = [x * 1000 for x in lat]
    first_ms = [x * 1000 for x in first]
    print(f"latency at a steady {args.rate:.0f} chunks/s for {args.latency_seconds:.0f} s "
          f"({len(ms)} requests, {len(first)} live meetings): p50 {percentile(ms, 50):.1f} ms, "
          f"p90 {percentile(ms, 90):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
          f"max {max(ms):.1f} ms; statuses {counts}")
    print(f"  first chunk of a meeting (binds it in PostgreSQL): p50 "
          f"{percentile(first_ms, 50):.1f} ms, p99 {percentile(first_ms, 99):.1f} ms")

    rate, counts = await throughput(url, maker, args.connections, args.seconds, warmup=2.0)
    print(f"throughput: {rate:.0f} chunks/s sustained over {args.seconds:.0f} s with "
          f"{args.connections} connections ({rate * CHUNK_SECONDS:.0f} s of audio per s, "
          f"{rate * size / 1e6:.0f} MB/s); statuses {counts}")
    goal_tp = "met" if rate >= 200 else "MISSED"
    goal_lat = "met" if percentile(ms, 99) <= 50 else "MISSED"
    print(f"goals: >= 200 chunks/s {goal_tp}; p99 <= 50 ms at 50 chunks/s {goal_lat}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running gateway (default: start a private stack)")
    parser.add_argument("--token", help="producer token for --url")
    parser.add_argument("--topic", default="audio.raw")
    parser.add_argument("--workers", type=int, default=1, help="gateway worker processes")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0, help="throughput phase length")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, shared by Kafka, PostgreSQL, the gateway and this "
          f"client; gateway workers: {args.workers}")
    if args.url:
        if not args.token:
            raise SystemExit("--url needs --token")
        run(bench(args.url, args.token, args))
        return
    with local_stack(args.workers) as (url, token):
        run(bench(url, token, args))


def run(coro: Any) -> None:
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
    else:
        uvloop.run(coro)


if __name__ == "__main__":
    main()
