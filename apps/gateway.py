"""The Kafka REST gateway: producers post audio chunks over HTTP; a 200 means Kafka has them.

It speaks the REST Proxy produce API (v2 and v3, docs/contract.md section 3) for the audio topic only,
checks team tokens, validates every envelope with ``domain.envelope`` (the
same rules as the flow), and answers only after an ``acks=all`` delivery report.

Before anything is produced, every container chunk (wav, flac, ogg, webm, mp3) is decoded
without resampling in a small thread pool, with a time budget (``connectors.audio.probe_chunk``):
a sample rate outside 4-192 kHz, more than 8 channels, more decoded audio than
``max_chunk_seconds`` or undecodable bytes is a 422 with the reason. Then the team's quotas
(``domain.quotas``, counted per gateway process) are checked for the request as a whole: records
per request, new meetings and audio seconds per team per minute, sources per meeting. A request
over any of them is refused whole, 429 with ``Retry-After``, and nothing of it is produced.

Answers never carry infrastructure details: a 503 says which part is unavailable (the token
store, Kafka) and when to retry; hosts, ports and driver messages go to the log only.

Meetings are the team's own: a meeting is (the token's team, ``meeting_id``), so two teams may
use the same id and neither can claim, probe or read the other's. The record goes to Kafka keyed
by ``meeting_id`` (the envelope is unchanged) with the team in the ``vori-team`` header, and a
team's first chunk of a meeting opens its ``meetings`` row.

Duplicates: a chunk posted again (same team, meeting, source, seq and bytes) within
``DEDUPE_WINDOW_S`` of its first 200 is answered with the first delivery's offset and not
produced again, so a retry storm leaves one record in Kafka. The window is per process and
best-effort; the flow's (team, meeting, source, seq) dedupe stays the authority.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect
from starlette.types import Receive, Scope, Send

from apps.kafka_rest import (
    V2_FORMATS,
    V2_RESPONSE,
    V3_JSON,
    ConcatenatedObjects,
    IncomingRecord,
    WireError,
    error_body,
    media_type,
    parse_v2,
    parse_v3_record,
    v2_offsets,
    v3_result,
)
from connectors.audio import AudioDecodeError, probe_chunk
from connectors.kafka_producer import (
    Delivered,
    DurableProducer,
    KafkaRecordRejected,
    KafkaUnavailable,
)
from connectors.settings import Settings, settings_or_exit
from connectors.tokens import Principal, TokenStore, TokenStoreUnavailable
from domain.envelope import AudioChunk, EnvelopeError, EnvelopeLimits, validate_envelope
from domain.quotas import EdgeQuotas, Grant, QuotaExceeded, QuotaLimits

log = logging.getLogger("vori.gateway")

CONTRACT_TOPIC = "audio.raw"
DEDUPE_WINDOW_S = 120.0
DEDUPE_MAX_ENTRIES = 200_000
STREAM_WINDOW = 32  # records of one v3 stream in flight at once
# Container chunks are decoded in this many threads, each with this time budget; the event loop
# never decodes, so a flood of costly chunks delays only other chunks' checks.
PROBE_WORKERS = 2
PROBE_BUDGET_S = 1.0
# Stream byte ranges are counted against the audio quota at 128 kbit/s (MediaRecorder's Opus).
STREAM_BYTES_PER_SECOND = 16_000
# More chunks than this waiting for a check: 503 (retry shortly) rather than an unbounded queue.
PROBE_BACKLOG = 256
_STATUS_OF_KIND = {"malformed": 400, "invalid": 422, "too_large": 413}
DedupeKey = tuple[str, str, str, int, bytes]  # team, meeting, source, seq, digest of the value
V3Outcome = tuple[int, dict[str, Any], dict[str, str]]  # status, body, headers


class Problem(Exception):
    """An answer other than 200, in the REST Proxy's error shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: int | None = None,
        headers: dict[str, str] | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}
        self.detail = detail  # for the log only: may name hosts, ports, drivers

    def body(self, v3: bool) -> dict[str, Any]:
        # v2 uses five-digit codes (40101, 40401, ...); v3 the HTTP status, as the REST Proxy does.
        code = self.code
        if code is None:
            code = self.status if v3 else self.status * 100 + 1
        return error_body(code, self.message)


def _unavailable(message: str, retry_after_s: float, detail: BaseException | None = None
                 ) -> Problem:
    """A 503 whose body says only ``message``; ``detail`` (with its cause) goes to the log."""
    retry = str(max(1, math.ceil(retry_after_s)))
    why = None
    if detail is not None:
        why = str(detail)
        cause = detail.__cause__
        if cause is not None and str(cause) not in why:
            why = f"{why} ({cause})"
    return Problem(503, message, headers={"Retry-After": retry}, detail=why)


def _over_quota(exc: QuotaExceeded, where: str = "") -> Problem:
    return Problem(429, f"{where}{exc.reason}", headers={"Retry-After": str(exc.retry_after_s)})


@dataclass(frozen=True)
class Outgoing:
    """A validated record of ``team``'s, ready for Kafka."""

    team: str
    chunk: AudioChunk
    key: bytes
    value: bytes
    incoming: IncomingRecord

    @property
    def dedupe_key(self) -> DedupeKey:
        digest = hashlib.blake2b(self.value, digest_size=16).digest()
        return (self.team, self.chunk.meeting_id, self.chunk.source, self.chunk.seq, digest)


class RecentDeliveries:
    """Delivery reports of recently produced records, shared by concurrent identical posts."""

    def __init__(self, window_s: float, max_entries: int) -> None:
        self._window = window_s
        self._max = max_entries
        self._entries: OrderedDict[DedupeKey, tuple[float, asyncio.Future[Delivered]]]
        self._entries = OrderedDict()

    async def once(
        self, key: DedupeKey, produce: Callable[[], Awaitable[Delivered]]
    ) -> Delivered:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None and hit[0] > now:
            try:
                return await asyncio.shield(hit[1])
            except Exception:  # noqa: S110 - the first attempt failed: this post tries again
                pass
        future: asyncio.Future[Delivered] = asyncio.get_running_loop().create_future()
        self._entries[key] = (now + self._window, future)
        self._entries.move_to_end(key)
        self._expire(now)
        try:
            delivered = await produce()
        except BaseException:
            if self._entries.get(key, (0.0, None))[1] is future:
                del self._entries[key]
            # Waiters on this future retry for themselves.
            future.set_exception(KafkaUnavailable("the first attempt failed"))
            future.exception()  # marks it retrieved, in case nobody waits
            raise
        future.set_result(delivered)
        return delivered

    def delivered(self, key: DedupeKey) -> bool:
        """Whether a post of ``key`` was acknowledged within the window (a retry of it is free)."""
        hit = self._entries.get(key)
        if hit is None or hit[0] <= time.monotonic() or not hit[1].done():
            return False
        return not hit[1].cancelled() and hit[1].exception() is None

    def _expire(self, now: float) -> None:
        while self._entries:
            key, (expires, future) = next(iter(self._entries.items()))
            if (expires > now or not future.done()) and len(self._entries) <= self._max:
                break
            del self._entries[key]


class Gateway:
    """What a request needs: settings, the producer, the token store, the dedupe window, the
    audio checker and the quotas."""

    def __init__(self, settings: Settings, producer: DurableProducer, tokens: TokenStore) -> None:
        self.settings = settings
        self.producer = producer
        self.tokens = tokens
        self.limits = EnvelopeLimits(settings.max_audio_bytes, settings.max_chunk_seconds)
        self.topics = {CONTRACT_TOPIC, settings.audio_topic}
        self.recent = RecentDeliveries(DEDUPE_WINDOW_S, DEDUPE_MAX_ENTRIES)
        self.quotas = EdgeQuotas(QuotaLimits(
            records_per_request=settings.max_records_per_request,
            new_meetings_per_minute=settings.max_new_meetings_per_minute,
            audio_seconds_per_minute=settings.max_audio_seconds_per_minute,
            sources_per_meeting=settings.max_sources_per_meeting,
        ))
        self.probes = ThreadPoolExecutor(PROBE_WORKERS, thread_name_prefix="vori-probe")
        self._probes_waiting = 0

    def close(self) -> None:
        self.probes.shutdown(wait=False, cancel_futures=True)

    async def authenticate(self, request: Request) -> Principal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="vori"'}
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(401, "missing bearer token (Authorization: Bearer <token>)",
                          headers=challenge)
        try:
            # The store refuses a token not of our format without asking the database, so junk
            # tokens cannot crowd real ones out of its pool.
            principal = await self.tokens.verify(token.strip())
        except TokenStoreUnavailable as exc:
            raise _unavailable("cannot check the token now; retry later", 2.0, exc) from exc
        if principal is None:
            raise Problem(401, "unknown or revoked token", headers=challenge)
        if principal.role != "producer":
            raise Problem(403, f"a {principal.role} token cannot produce; use a producer token")
        return principal

    def check_topic(self, topic: str) -> None:
        if topic not in self.topics:
            raise Problem(404, "Topic not found", code=40401)

    async def read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise Problem(400, "Content-Length is not a number")
            if int(declared) > limit:
                raise Problem(413, f"body of {declared} bytes is over the limit of {limit} bytes")
        parts: list[bytes] = []
        size = 0
        async for part in request.stream():
            size += len(part)
            if size > limit:
                raise Problem(413, f"body is over the limit of {limit} bytes")
            parts.append(part)
        return b"".join(parts)

    def prepare(self, principal: Principal, incoming: IncomingRecord, where: str = "") -> Outgoing:
        """Validate one record's envelope; raises :class:`Problem` (400/413/422)."""
        try:
            chunk = validate_envelope(incoming.value, incoming.key, self.limits)
        except EnvelopeError as exc:
            raise Problem(_STATUS_OF_KIND[exc.kind], f"{where}{exc.reason}") from exc
        value = incoming.raw_value
        if value is None:
            # ASCII output: lone surrogates from the client stay escaped and valid JSON.
            value = json.dumps(incoming.value, separators=(",", ":")).encode("ascii")
        return Outgoing(principal.team, chunk, chunk.meeting_id.encode("utf-8"), value, incoming)

    async def audio_seconds(self, rec: Outgoing, where: str = "") -> float:
        """How much audio a record holds; decodes a container chunk (off the loop) to know.

        Raises a 422 :class:`Problem` with the reason when the audio is out of bounds or does
        not decode within the time budget.
        """
        chunk = rec.chunk
        if not chunk.audio:
            return 0.0
        if chunk.codec == "pcm_s16le":
            assert chunk.sample_rate is not None and chunk.channels is not None
            return len(chunk.audio) / (2 * chunk.channels * chunk.sample_rate)
        if chunk.stream:
            # A byte range of a stream is no file to probe (its header came with seq 0, which the
            # envelope checks); the flow's decoder enforces rate, channels and duration. For the
            # quota its length is counted at a common recording bitrate.
            return len(chunk.audio) / STREAM_BYTES_PER_SECOND
        if self._probes_waiting >= PROBE_BACKLOG:
            raise _unavailable("too many audio chunks are being checked; retry shortly", 1.0)
        self._probes_waiting += 1
        try:
            info = await asyncio.get_running_loop().run_in_executor(
                self.probes,
                partial(probe_chunk, chunk, max_seconds=self.settings.max_chunk_seconds,
                        time_budget_s=PROBE_BUDGET_S),
            )
        except AudioDecodeError as exc:
            raise Problem(422, f"{where}{exc}") from exc
        except Exception as exc:  # MemoryError and the like: this chunk is refused, not the gateway
            log.warning("checking a %s chunk failed: %r", chunk.codec, exc)
            raise Problem(422, f"{where}the {chunk.codec} audio cannot be checked") from exc
        finally:
            self._probes_waiting -= 1
        return info.seconds if info is not None else 0.0

    def take_quota(self, principal: Principal, records: list[Outgoing], seconds: list[float]
                   ) -> Grant:
        """Count a request against its team's quotas, all or nothing; 429 if it does not fit."""
        # A retry of an acknowledged chunk is answered from the dedupe window: it costs nothing.
        fresh = sum(s for rec, s in zip(records, seconds, strict=True)
                    if not self.recent.delivered(rec.dedupe_key))
        try:
            return self.quotas.take(
                principal.team,
                [(rec.chunk.meeting_id, rec.chunk.source) for rec in records],
                fresh,
                time.monotonic(),
            )
        except QuotaExceeded as exc:
            raise _over_quota(exc) from exc

    def check_records(self, count: int) -> None:
        try:
            self.quotas.check_records(count)
        except QuotaExceeded as exc:
            raise _over_quota(exc) from exc

    async def admit(self, principal: Principal, records: list[Outgoing], where: list[str]
                    ) -> Grant:
        """Check the audio of every record, then the team's quotas: the gate before Kafka."""
        seconds = [await self.audio_seconds(rec, w) for rec, w in zip(records, where, strict=True)]
        return self.take_quota(principal, records, seconds)

    async def open_meetings(self, principal: Principal, records: list[Outgoing]) -> None:
        """Open the team's meetings that these records start (their ``meetings`` rows)."""
        seen: set[str] = set()
        for rec in records:
            meeting = rec.chunk.meeting_id
            if meeting in seen:
                continue
            seen.add(meeting)
            try:
                await self.tokens.open_meeting(principal.team, meeting, rec.chunk.title)
            except TokenStoreUnavailable as exc:
                raise _unavailable("cannot record the meeting now; retry later", 2.0,
                                   exc) from exc

    async def deliver(self, principal: Principal, rec: Outgoing) -> Delivered:
        headers = [
            ("vori-team", principal.team.encode("utf-8")),
            ("vori-received-at", str(int(time.time() * 1000)).encode("ascii")),
        ]

        def produce() -> Awaitable[Delivered]:
            return self.producer.produce(self.settings.audio_topic, rec.key, rec.value, headers)

        try:
            return await self.recent.once(rec.dedupe_key, produce)
        except KafkaUnavailable as exc:
            raise _unavailable("Kafka is not available now; retry later", exc.retry_after_s,
                               exc) from exc
        except KafkaRecordRejected as exc:
            raise Problem(413, str(exc)) from exc

    async def deliver_all(self, principal: Principal, records: list[Outgoing]) -> list[Delivered]:
        if len(records) == 1:
            return [await self.deliver(principal, records[0])]
        outcomes = await asyncio.gather(
            *(self.deliver(principal, rec) for rec in records), return_exceptions=True
        )
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        if failed:
            # Some may be stored: the client resends them all with the same seqs, which dedupe.
            raise failed[0]
        return [o for o in outcomes if isinstance(o, Delivered)]

    async def v3_one(self, principal: Principal, obj: Any) -> V3Outcome:
        """Handle one v3 record object; returns (status, body, headers)."""
        try:
            incoming = parse_v3_record(obj)
            rec = self.prepare(principal, incoming)
            grant = await self.admit(principal, [rec], [""])
            try:
                await self.open_meetings(principal, [rec])
                done = await self.deliver(principal, rec)
            except BaseException:
                self.quotas.give_back(grant, time.monotonic())
                raise
        except WireError as exc:
            return exc.status, error_body(exc.status, exc.message), {}
        except Problem as exc:
            return exc.status, exc.body(v3=True), exc.headers
        return 200, v3_result(
            cluster_id=self.settings.cluster_id,
            topic=self.settings.audio_topic,
            partition=done.partition,
            offset=done.offset,
            timestamp_ms=done.timestamp_ms,
            record=incoming,
            key_size=len(rec.key),
            value_size=len(rec.value),
        ), {}


class _LineStream(StreamingResponse):
    """A streamed response that starts while the request body is still being read.

    Starlette's StreamingResponse would listen for a disconnect on ``receive`` meanwhile, and so
    steal the request body the stream is consuming.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


async def _v3_items(
    chunks: AsyncIterator[bytes], max_object_bytes: int
) -> AsyncIterator[Any | WireError]:
    """The JSON objects of a concatenated body as they arrive, then at most one WireError."""
    parser = ConcatenatedObjects(max_object_bytes)
    try:
        async for part in chunks:
            for obj in parser.feed(part):
                yield obj
        for obj in parser.feed(b"", final=True):
            yield obj
        if parser.count == 0:
            yield WireError(400, "body holds no record")
    except WireError as exc:
        yield exc
    except ClientDisconnect:
        return


async def _one_chunk(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _line(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode("ascii") + b"\n"


async def _v3_lines(
    gw: Gateway, principal: Principal, items: AsyncIterator[Any | WireError]
) -> AsyncIterator[bytes]:
    """One result line per record, in order; a few records are produced concurrently."""
    pending: deque[asyncio.Task[V3Outcome]] = deque()
    count = 0
    try:
        async for item in items:
            count += 1
            if count > gw.settings.max_records_per_request and not isinstance(item, WireError):
                # A stream is answered as it goes: the records before this one stand.
                item = WireError(429, f"more than {gw.settings.max_records_per_request} records "
                                      f"in one request; send the rest in another request")
            if isinstance(item, WireError):
                while pending:
                    yield _line((await pending.popleft())[1])
                yield _line(error_body(item.status, item.message))
                return
            pending.append(asyncio.create_task(gw.v3_one(principal, item)))
            while pending and (pending[0].done() or len(pending) >= STREAM_WINDOW):
                yield _line((await pending.popleft())[1])
        while pending:
            yield _line((await pending.popleft())[1])
    finally:
        for task in pending:
            task.cancel()


def _problem_response(request: Request, exc: Problem) -> JSONResponse:
    v3 = request.url.path.startswith("/v3/")
    return JSONResponse(
        exc.body(v3),
        status_code=exc.status,
        headers=exc.headers,
        media_type=V3_JSON if v3 else V2_RESPONSE,
    )


def cors_origins(settings: Settings) -> list[str]:
    """The origins whose pages may call the gateway: ``gateway_cors_origins`` (comma-separated),
    else the board's (``board_url``, else ``http://board_host:board_port``). A browser sends
    ``scheme://host[:port]`` with no path, so a configured URL is cut down to that."""
    configured = settings.gateway_cors_origins
    if configured is None:
        configured = settings.board_url or f"http://{settings.board_host}:{settings.board_port}"
    origins = []
    for item in configured.split(","):
        url = urlsplit(item.strip())
        if url.scheme and url.netloc:
            origins.append(f"{url.scheme.lower()}://{url.netloc.lower()}")
    return origins


def create_app(
    settings: Settings,
    *,
    producer: DurableProducer | None = None,
    tokens: TokenStore | None = None,
) -> FastAPI:
    """The gateway as an ASGI app.

    The app opens and closes the token store (given or made) in its lifespan; a ``producer``
    given by the caller is left open for the caller to close, one it makes is closed.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own_producer = producer is None
        prod = producer or DurableProducer(
            settings.kafka_bootstrap,
            delivery_timeout_s=settings.gateway_delivery_timeout_s,
            max_message_bytes=settings.max_body_bytes + 64 * 1024,
        )
        store = tokens or TokenStore(settings.database_url, cache_ttl_s=settings.token_cache_ttl_s)
        await store.open()
        app.state.gateway = gw = Gateway(settings, prod, store)
        try:
            yield
        finally:
            gw.close()
            await store.close()
            if own_producer:
                await asyncio.to_thread(prod.close)

    app = FastAPI(title="VORI Kafka REST gateway", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    # The board's Record page posts from the browser: only the configured board origin may.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=cors_origins(settings),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )

    def gateway(request: Request) -> Gateway:
        gw: Gateway = request.app.state.gateway
        return gw

    @app.exception_handler(Problem)
    async def on_problem(request: Request, exc: Problem) -> JSONResponse:
        if exc.status >= 500:
            log.warning("%s %s -> %d: %s", request.method, request.url.path, exc.status,
                        exc.detail or exc.message)
        return _problem_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _problem_response(request, Problem(exc.status_code, str(exc.detail)))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    def cluster(base: str) -> dict[str, Any]:
        cid = settings.cluster_id
        me = f"{base}v3/clusters/{cid}"
        return {
            "kind": "KafkaCluster",
            "metadata": {"self": me, "resource_name": f"crn:///kafka={cid}"},
            "cluster_id": cid,
            "controller": None,
            "topics": {"related": f"{me}/topics"},
        }

    @app.get("/v3/clusters")
    async def list_clusters(request: Request) -> dict[str, Any]:
        base = str(request.base_url)
        return {
            "kind": "KafkaClusterList",
            "metadata": {"self": f"{base}v3/clusters", "next": None},
            "data": [cluster(base)],
        }

    @app.get("/v3/clusters/{cluster_id}")
    async def get_cluster(cluster_id: str, request: Request) -> dict[str, Any]:
        if cluster_id != settings.cluster_id:
            raise Problem(404, "Cluster not found")
        return cluster(str(request.base_url))

    @app.post("/topics/{topic}")
    async def produce_v2(topic: str, request: Request) -> Response:
        gw = gateway(request)
        principal = await gw.authenticate(request)
        gw.check_topic(topic)
        embedded = V2_FORMATS.get(media_type(request.headers.get("content-type")))
        if embedded is None:
            raise Problem(415, f"Content-Type must be one of {', '.join(V2_FORMATS)}")
        body = await gw.read_body(request)
        try:
            incoming = parse_v2(body, embedded)
        except WireError as exc:
            raise Problem(exc.status, exc.message) from exc
        gw.check_records(len(incoming))
        # Every record is checked before any is produced: a bad one rejects the whole request.
        where = [f"records[{i}]: " for i in range(len(incoming))]
        records = [gw.prepare(principal, rec, w) for rec, w in zip(incoming, where, strict=True)]
        grant = await gw.admit(principal, records, where)
        try:
            await gw.open_meetings(principal, records)
            delivered = await gw.deliver_all(principal, records)
        except BaseException:
            gw.quotas.give_back(grant, time.monotonic())
            raise
        return JSONResponse(
            v2_offsets([(d.partition, d.offset) for d in delivered]), media_type=V2_RESPONSE
        )

    @app.post("/v3/clusters/{cluster_id}/topics/{topic}/records")
    async def produce_v3(cluster_id: str, topic: str, request: Request) -> Response:
        gw = gateway(request)
        principal = await gw.authenticate(request)
        if cluster_id != settings.cluster_id:
            raise Problem(404, "Cluster not found")
        gw.check_topic(topic)
        if media_type(request.headers.get("content-type")) != V3_JSON:
            raise Problem(415, f"Content-Type must be {V3_JSON}")
        limit = settings.max_body_bytes
        if "chunked" in request.headers.get("transfer-encoding", "").lower():
            # A streamed (chunked) body: answer each record as soon as Kafka has it.
            items = _v3_items(request.stream(), limit)
            return _LineStream(_v3_lines(gw, principal, items), media_type=V3_JSON)
        body = await gw.read_body(request)
        objects: list[Any | WireError] = [o async for o in _v3_items(_one_chunk(body), limit)]
        # A whole body is refused whole when it holds too many records.
        gw.check_records(sum(not isinstance(o, WireError) for o in objects))
        if len(objects) == 1:
            only = objects[0]
            if isinstance(only, WireError):
                raise Problem(only.status, only.message)
            status, result, headers = await gw.v3_one(principal, only)
            return JSONResponse(result, status_code=status, headers=headers)
        return _LineStream(_v3_lines(gw, principal, _iterate(objects)), media_type=V3_JSON)

    return app


async def _iterate(items: list[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


def _settings_env(settings: Settings) -> dict[str, str]:
    """``VORI_*`` variables that rebuild ``settings`` in a worker process."""
    env: dict[str, str] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if value is not None:
            env[f"VORI_{f.name.upper()}"] = str(value)
    return env


def app_from_env() -> FastAPI:
    """Factory for uvicorn's worker processes (``--factory``): settings from ``VORI_*``."""
    return create_app(Settings.from_env())


def serve(settings: Settings) -> None:
    """Run the gateway in the foreground with uvicorn (uvloop + httptools)."""
    import os

    import uvicorn

    options: dict[str, Any] = {
        "host": settings.gateway_host,
        "port": settings.gateway_port,
        "loop": "uvloop",
        "http": "httptools",
        "access_log": False,
        "log_level": "warning",
        "timeout_keep_alive": 30,
    }
    if settings.gateway_workers > 1:
        os.environ.update(_settings_env(settings))
        uvicorn.run("apps.gateway:app_from_env", factory=True,
                    workers=settings.gateway_workers, **options)
    else:
        uvicorn.run(create_app(settings), **options)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = settings_or_exit("python -m apps.gateway")
    log.info("gateway on http://%s:%d (topic %s)", settings.gateway_host, settings.gateway_port,
             settings.audio_topic)
    serve(settings)


if __name__ == "__main__":
    main()
