"""The board: the kanban page, its REST API and the live WebSocket feed (docs/contract.md section 5).

Run it with ``python -m apps.board`` (reads ``VORI_DATABASE_URL``, ``VORI_BOARD_HOST/PORT``).
Every request carries a board token of one team and sees only that team: another team's meeting or
ticket answers 404, as if absent. REST calls send it as ``Authorization: Bearer``; the socket sends
it in its first message (``{"type": "auth", "token": …}``), never in the URL, which servers and
proxies write to their logs. Open sockets are re-checked every token-cache TTL and closed with
4401 once their token is revoked or expired. Every request body is capped before it is read
further, and the token is checked before a body is parsed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect, WebSocketState

from apps import report
from apps.board_events import BoardEvent, Hub, Subscriber, dumps
from connectors.board_store import BoardStore, MeetingRow
from connectors.minutes_store import TicketWriter
from connectors.postgres import PostgresUnavailable, migrate
from connectors.roster_store import RosterInputError, RosterStore
from connectors.settings import Settings, settings_or_exit
from connectors.tokens import Principal, TokenStore, TokenStoreUnavailable
from connectors.tracker_store import TRACKER_ACTOR, TrackerStore
from connectors.trackers import WebhookRejected, parse_webhook, verify_webhook
from domain.naming import LearnedVoice, is_label, label_order

log = logging.getLogger("vori.board")

STATIC_DIR = Path(__file__).resolve().parent / "board_static"
Status = Literal["todo", "in_progress", "blocked", "done"]

# Close codes of the feed (4000-4999 are the application's own).
WS_UNAUTHORIZED = 4401  # no auth message in time, or a token that is unknown, revoked or expired
WS_FORBIDDEN = 4403  # ?team= names another team than the token's
WS_TRY_AGAIN = 1013  # the token store is down, or the socket fell too far behind
# The auth message is a token in a small JSON object; anything larger is not one.
MAX_AUTH_MESSAGE_CHARS = 1024
# A search is a few words; a longer one is refused (422) before anything analyses it.
MAX_SEARCH_CHARS = 256
MAX_SEARCH_RESULTS = 100
# What a client hears when PostgreSQL is down: nothing about hosts, ports or drivers.
UNAVAILABLE = "temporarily unavailable"

# The page loads only its own files; with no inline script allowed, markup that slipped into the
# DOM still could not run.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class TicketPatch(BaseModel):
    """What the board may change on a ticket; anything else is refused (422)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    title: str | None = Field(default=None, min_length=1, max_length=500)
    assignee: str | None = Field(default=None, max_length=200)
    due_date: date | None = None


class SpeakerPatch(BaseModel):
    """A person naming a meeting's speaker label."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)


class BodyLimit:
    """ASGI middleware: a request body over ``max_bytes`` is answered 413 before anything parses it.

    A declared ``Content-Length`` over the limit is refused without reading a byte; a chunked body
    is read until it passes the limit, so at most ``max_bytes`` are ever held. The app then gets
    the buffered body as if it came from the client.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await _refuse(400, "bad Content-Length", scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await self._too_large(scope, receive, send)
                    return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return buffered.pop(0) if buffered else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _refuse(413, f"request body over {self.max_bytes} bytes", scope, receive, send)


async def _refuse(status: int, detail: str, scope: Scope, receive: Receive, send: Send) -> None:
    # The rest of the body is never read, so this connection cannot carry another request.
    response = JSONResponse({"detail": detail}, status_code=status,
                            headers={"Connection": "close", **_SECURITY_HEADERS})
    await response(scope, receive, send)


@dataclass(eq=False)
class Session:
    """One authenticated socket, as the token re-check sees it."""

    token_id: str
    revoked: asyncio.Event = field(default_factory=asyncio.Event)


class Board:
    """Shared state of one board process: the store, the ticket writer, the token store, the
    event hub and the open sockets' sessions."""

    roster: RosterStore | None = None  # set in the lifespan (team page, speaker names)

    def __init__(self, settings: Settings, store: BoardStore, ticket_writer: TicketWriter,
                 tokens: TokenStore, hub: Hub) -> None:
        self.settings = settings
        self.store = store
        self.ticket_writer = ticket_writer
        self.tokens = tokens
        self.hub = hub
        self.sessions: set[Session] = set()

    async def watch_tokens(self) -> None:
        """Every token-cache TTL, ask the database which open sockets' tokens still live, and
        end the sessions of the others (their sockets close with 4401).

        One query per TTL for all sockets, so a revocation reaches an open socket within one TTL
        however many are open. While PostgreSQL is down the sockets stay open; the next round
        checks them again.
        """
        interval = max(self.settings.token_cache_ttl_s, 0.2)
        while True:
            await asyncio.sleep(interval)
            sessions = list(self.sessions)
            if not sessions:
                continue
            try:
                live = await self.tokens.live_token_ids({s.token_id for s in sessions})
            except TokenStoreUnavailable:
                log.warning("cannot re-check %d open sockets' tokens now", len(sessions))
                continue
            for session in sessions:
                if session.token_id not in live:
                    session.revoked.set()

    async def principal(self, token: str | None) -> Principal:
        """The board principal of ``token``; 401 if it is missing, unknown or not a board token."""
        if not token:
            raise HTTPException(401, "a board token is required",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            principal = await self.tokens.verify(token)
        except TokenStoreUnavailable as exc:
            raise HTTPException(503, UNAVAILABLE, headers={"Retry-After": "2"}) from exc
        if principal is None or principal.role != "board":
            raise HTTPException(401, "unknown, revoked or non-board token",
                                headers={"WWW-Authenticate": "Bearer"})
        return principal

    async def meeting(self, team: str, meeting_id: str) -> MeetingRow:
        row = await self.store.meeting(team, meeting_id)
        if row is None:
            raise HTTPException(404, "no such meeting")
        return row


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def board_of(request: Request) -> Board:
    board: Board = request.app.state.board
    return board


async def principal_of(request: Request) -> Principal:
    return await board_of(request).principal(_bearer(request))


BoardDep = Annotated[Board, Depends(board_of)]
Who = Annotated[Principal, Depends(principal_of)]


def _learned_json(voice_model: str, v: LearnedVoice) -> dict[str, object]:
    # how = 'person' is written only by a rename; every other kind is a cue from the conversation.
    return {"meeting_id": v.meeting_id, "label": v.label, "how": v.how,
            "source": "rename" if v.how == "person" else "conversation",
            "confidence": round(v.confidence, 4), "seconds": round(v.seconds, 3),
            "voice_model": voice_model}


def _check_team(principal: Principal, team: str | None) -> str:
    if team is not None and team != principal.team:
        raise HTTPException(403, "this token belongs to another team")
    return principal.team


def _json(value: object, status_code: int = 200) -> Response:
    return Response(dumps(value), status_code=status_code, media_type="application/json")


async def render_report(board: Board, meeting: MeetingRow) -> str:
    """The meeting's minutes as Markdown, by ``apps.report``."""
    rows = await board.store.report_rows(meeting["team"], meeting["meeting_id"],
                                         max_keywords=report.MAX_KEYWORDS)
    if rows is None:  # deleted since the team check
        raise HTTPException(404, "no such meeting")
    return report.to_markdown(report.build_report(rows))


def create_app(settings: Settings, *, run_migrations: bool = False) -> FastAPI:
    """The board as an ASGI app; it opens its pool, token store and listener in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_migrations:
            await asyncio.to_thread(migrate, settings.database_admin_url or settings.database_url)
        store = BoardStore(settings.database_url)
        await store.open(timeout_s=30)
        writer = TicketWriter(settings.database_url)
        await asyncio.to_thread(writer.open)
        tokens = TokenStore(settings.database_url, cache_ttl_s=settings.token_cache_ttl_s)
        await tokens.open()
        hub = Hub(store)
        await hub.start()
        board = Board(settings, store, writer, tokens, hub)
        board.roster = RosterStore(settings.database_url)
        await asyncio.to_thread(board.roster.open)
        app.state.board = board
        trackers = TrackerStore(settings.database_url)
        await asyncio.to_thread(trackers.open)
        app.state.trackers = trackers
        watcher = asyncio.create_task(board.watch_tokens(), name="board-token-watch")
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            await hub.stop()
            await asyncio.to_thread(trackers.close)
            await tokens.close()
            await asyncio.to_thread(writer.close)
            await asyncio.to_thread(board.roster.close)
            await store.close()

    app = FastAPI(title="VORI board", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.add_middleware(BodyLimit, max_bytes=settings.board_max_body_bytes)

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for key, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/record", include_in_schema=False)
    async def record_page() -> FileResponse:
        # The one page that talks to another origin: it posts audio to the gateway, by default
        # the configured one, but the person recording may name another (the gateway's own CORS
        # setting decides whether this page may post there).
        policy = _SECURITY_HEADERS["Content-Security-Policy"].replace(
            "connect-src 'self'", "connect-src 'self' http: https:")
        return FileResponse(STATIC_DIR / "record.html",
                            headers={"Cache-Control": "no-cache", "Content-Security-Policy": policy})

    @app.get("/api/config")
    async def config() -> Response:
        """Where the Record page posts audio; public, like the page itself."""
        return _json({"gateway_url": settings.gateway_base_url})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/whoami")
    async def whoami(board: BoardDep, who: Who) -> Response:
        last = await board.store.latest_event_id(who.team)
        return _json({"team": who.team, "last_event_id": last})

    @app.get("/api/meetings")
    async def list_meetings(board: BoardDep, who: Who, team: str | None = None,
                            limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Response:
        team = _check_team(who, team)
        return _json(await board.store.meetings(team, limit))

    @app.get("/api/meetings/{meeting_id}")
    async def get_meeting(meeting_id: str, board: BoardDep, who: Who) -> Response:
        meeting = await board.meeting(who.team, meeting_id)
        return _json({
            **meeting,
            "segments": await board.store.segments(who.team, meeting_id),
            "minutes": await board.store.minutes(who.team, meeting_id),
            "tickets": await board.store.tickets(who.team, meeting_id),
            "metrics": await board.store.metrics(who.team, meeting_id),
        })

    @app.get("/api/meetings/{meeting_id}/report.md")
    async def meeting_report(meeting_id: str, board: BoardDep, who: Who) -> PlainTextResponse:
        meeting = await board.meeting(who.team, meeting_id)
        text = await render_report(board, meeting)
        return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")

    @app.get("/api/tickets")
    async def list_tickets(board: BoardDep, who: Who, team: str | None = None,
                           meeting_id: str | None = None) -> Response:
        team = _check_team(who, team)
        return _json(await board.store.tickets(team, meeting_id))

    @app.patch("/api/tickets/{ticket_id}")
    async def patch_ticket(ticket_id: str, request: Request, board: BoardDep,
                           who: Who) -> Response:
        # Read here rather than declared as a body parameter: FastAPI parses declared bodies
        # before it runs the token check, and nobody without a token gets anything parsed.
        try:
            change = TicketPatch.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(
                exc.errors(include_url=False, include_context=False)) from exc
        fields = change.model_dump(exclude_unset=True)
        if not fields:
            raise HTTPException(422, "nothing to change: send status, title, assignee or due_date")
        if fields.get("status", "") is None or fields.get("title", "") is None:
            raise HTTPException(422, "status and title cannot be null")
        # The one ticket writer: it locks the row, records exactly one ticket_events row for what
        # really changed, and a minutes run moving the same ticket waits for it.
        new = await asyncio.to_thread(
            board.ticket_writer.change, team=who.team, ticket_id=ticket_id, changes=fields, actor="board"
        )
        if new is None:
            raise HTTPException(404, "no such ticket")
        return _json(new)

    @app.get("/api/tracker")
    async def tracker_state(request: Request, who: Who) -> Response:
        """The team's external links and the tickets waiting for approval (docs/trackers.md)."""
        trackers: TrackerStore = request.app.state.trackers
        links = await asyncio.to_thread(trackers.links, who.team)
        proposed = await asyncio.to_thread(trackers.proposed, who.team)
        return _json({"links": links, "proposed": proposed})

    @app.post("/api/tickets/{ticket_id}/approve")
    async def approve_ticket(ticket_id: str, request: Request, who: Who) -> Response:
        """Proposal mode: a person lets a new ticket go to the team's tracker."""
        trackers: TrackerStore = request.app.state.trackers
        if not await asyncio.to_thread(trackers.approve, who.team, ticket_id, f"board:{who.token_id}"):
            raise HTTPException(404, "no such ticket")
        return _json({"ticket_id": ticket_id, "approved": True})

    @app.post("/hooks/{kind}/{team}")
    async def tracker_hook(kind: str, team: str, request: Request, board: BoardDep) -> Response:
        """A tracker's webhook: verified, never replayed, and a status change moves the card
        through the one ticket writer as actor ``tracker`` (which queues nothing back)."""
        trackers: TrackerStore = request.app.state.trackers
        body = await request.body()
        connection = await asyncio.to_thread(trackers.connection, team)
        if connection is None or connection.kind != kind:
            raise HTTPException(404, "no such tracker connection")
        secret_value = os.environ.get(connection.webhook_secret_env or "")
        if not secret_value:
            raise HTTPException(401, "webhooks are not configured for this team")
        try:
            delivery = verify_webhook(kind, request.headers, body, secret_value, time.time())
        except WebhookRejected as exc:
            raise HTTPException(401, str(exc)) from exc
        if not await asyncio.to_thread(trackers.remember_delivery, kind, team, delivery):
            raise HTTPException(401, "delivery already received (replay)")
        change = parse_webhook(connection, request.headers, body)
        if change is None:
            return _json({"ignored": True})
        linked = await asyncio.to_thread(trackers.ticket_for_issue, team, kind, change.external_id)
        if linked is None:
            return _json({"ignored": True})
        ticket_id, current = linked
        status = change.status
        if status == "open":  # reopened: leaves done, keeps in_progress or blocked
            status = "todo" if current == "done" else current
        new = await asyncio.to_thread(
            board.ticket_writer.change, team=team, ticket_id=ticket_id, changes={"status": status},
            actor=TRACKER_ACTOR, quote=change.label,
        )
        return _json({"ticket_id": ticket_id, "status": None if new is None else new["status"]})

    @app.get("/api/team/members")
    async def team_members(board: BoardDep, who: Who) -> Response:
        assert board.roster is not None
        members = await asyncio.to_thread(board.roster.members, who.team)
        # Voiceprints stay in the database: the page only needs to know one is enrolled, and
        # where each learned voice came from (so a person can judge it and `vori team member forget` it).
        return _json([{"name": m.name, "aliases": list(m.aliases), "voice": m.voiceprint is not None,
                       "voice_model": m.voice_model, "learned_count": len(m.learned),
                       "learned": [_learned_json(model, v) for model, v in m.learned]}
                      for m in members])

    @app.get("/api/meetings/{meeting_id}/speakers")
    async def meeting_speakers(meeting_id: str, board: BoardDep, who: Who) -> Response:
        await board.meeting(who.team, meeting_id)
        assert board.roster is not None
        named = await asyncio.to_thread(board.roster.speakers, who.team, meeting_id)
        rows = {r.label: {"label": r.label, "name": r.name, "confidence": r.confidence, "how": r.how,
                          "evidence": list(r.evidence)} for r in named}
        for seg in await board.store.segments(who.team, meeting_id):
            label = seg.get("speaker")
            if label and label not in rows and is_label(label):
                rows[label] = {"label": label, "name": None, "confidence": None, "how": None,
                               "evidence": []}
        return _json(sorted(rows.values(), key=lambda r: label_order(str(r["label"]))))

    @app.patch("/api/meetings/{meeting_id}/speakers/{label}")
    async def rename_speaker(meeting_id: str, label: str, request: Request, board: BoardDep,
                             who: Who) -> Response:
        try:
            change = SpeakerPatch.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(
                exc.errors(include_url=False, include_context=False)) from exc
        assert board.roster is not None
        try:
            done = await asyncio.to_thread(
                board.roster.rename, team=who.team, meeting_id=meeting_id, label=label, name=change.name)
        except RosterInputError as exc:
            raise HTTPException(422, str(exc)) from exc
        if done is None:
            raise HTTPException(404, "no such meeting")
        return _json({"label": done.label, "name": done.name, "old_name": done.old_name,
                      "tickets": list(done.tickets), "minutes_rows": done.minutes_rows})

    @app.get("/api/analytics")
    async def analytics(board: BoardDep, who: Who, team: str | None = None) -> Response:
        team = _check_team(who, team)
        return _json(await board.store.analytics(team))

    @app.get("/api/search")
    async def search(board: BoardDep, who: Who,
                     q: Annotated[str, Query(min_length=1, max_length=MAX_SEARCH_CHARS)],
                     limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_RESULTS)] = 20) -> Response:
        # Always the token's team: there is no parameter that could name another one.
        if not q.strip():
            raise HTTPException(422, "q must hold a word to search for")
        return _json({"results": await board.store.search(who.team, q, limit)})

    @app.exception_handler(TokenStoreUnavailable)
    @app.exception_handler(PostgresUnavailable)
    async def on_store_down(_request: Request, exc: Exception) -> JSONResponse:
        # The cause (host, port, driver message) goes to the log, never to the client.
        log.warning("%s: %s", type(exc).__name__, exc.__cause__ or exc)
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503, headers={"Retry-After": "2"})

    @app.websocket("/ws")
    async def feed(websocket: WebSocket) -> None:
        board: Board = websocket.app.state.board
        params = websocket.query_params
        try:
            if "token" in params:
                # Refused rather than honoured: by now the token is in the access log, and the
                # client should learn at once that it must move it into the first message.
                raise HTTPException(400, "send the token in the first message, not in the URL")
            since_raw = params.get("since")
            since = int(since_raw) if since_raw not in (None, "") else None
            if since is not None and since < 0:
                raise ValueError(since)
        except HTTPException as exc:
            await websocket.send_denial_response(
                JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
            )
            return
        except ValueError:
            await websocket.send_denial_response(
                JSONResponse({"detail": "since must be an event id"}, status_code=422)
            )
            return
        await websocket.accept()
        who = await _authenticate(board, websocket)
        if who is None:
            return
        requested = params.get("team")
        if requested is not None and requested != who.team:
            await websocket.close(code=WS_FORBIDDEN, reason="this token belongs to another team")
            return
        team = who.team
        # Subscribe before reading the backlog, so nothing committed in between is lost; the
        # overlap is sent once thanks to the id check below.
        sub = board.hub.subscribe(team)
        session = Session(who.token_id)
        board.sessions.add(session)
        try:
            sent: set[int] = set()
            if since is None:
                last = await board.store.latest_event_id(team)
            else:
                last = since
                for row in await board.store.events_since(team, since):
                    event = BoardEvent.from_row(row)
                    await websocket.send_text(event.to_json())
                    sent.add(event.id)
                    last = event.id
            await websocket.send_text(dumps({"type": "ready", "team": team, "last_id": last}))
            # Three tasks per socket: one forwards the inbox, one notices the client leaving, one
            # the token being revoked or expiring (Board.watch_tokens).
            pump = asyncio.create_task(_forward(websocket, sub, sent))
            closer = asyncio.create_task(_wait_closed(websocket))
            revoked = asyncio.create_task(session.revoked.wait())
            try:
                done, _ = await asyncio.wait({pump, closer, revoked},
                                             return_when=asyncio.FIRST_COMPLETED)
                if pump in done:
                    pump.result()
                elif revoked in done:
                    pump.cancel()
                    with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                        await pump
                    await websocket.close(code=WS_UNAUTHORIZED,
                                          reason="token revoked or expired")
            finally:
                for task in (pump, closer, revoked):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                        await task
        except WebSocketDisconnect:
            pass
        finally:
            board.sessions.discard(session)
            board.hub.unsubscribe(sub)
            if websocket.application_state != WebSocketState.DISCONNECTED:
                with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                    await websocket.close()

    return app


async def _authenticate(board: Board, websocket: WebSocket) -> Principal | None:
    """The principal of the socket's first message, ``{"type": "auth", "token": "vori_b_…"}``.

    None when the socket was closed instead: 4401 for no such message within
    ``board_ws_auth_timeout_s`` or a token that is not a live board token, 1013 when the token
    store cannot answer now.
    """
    try:
        message = await asyncio.wait_for(websocket.receive(),
                                          board.settings.board_ws_auth_timeout_s)
    except TimeoutError:
        await websocket.close(code=WS_UNAUTHORIZED, reason="no auth message in time")
        return None
    if message["type"] == "websocket.disconnect":
        return None
    token = _auth_token(message.get("text"))
    if token is None:
        await websocket.close(code=WS_UNAUTHORIZED,
                              reason='the first message must be {"type": "auth", "token": ...}')
        return None
    try:
        principal = await board.tokens.verify(token)
    except TokenStoreUnavailable:
        await websocket.close(code=WS_TRY_AGAIN, reason=UNAVAILABLE)
        return None
    if principal is None or principal.role != "board":
        await websocket.close(code=WS_UNAUTHORIZED, reason="unknown, revoked or non-board token")
        return None
    return principal


def _auth_token(text: object) -> str | None:
    if not isinstance(text, str) or len(text) > MAX_AUTH_MESSAGE_CHARS:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("type") != "auth":
        return None
    token = data.get("token")
    return token if isinstance(token, str) and token else None


async def _forward(websocket: WebSocket, sub: Subscriber, already_sent: set[int]) -> None:
    """Send the subscriber's events until it is dropped for being too far behind."""
    while True:
        item = await sub.queue.get()
        if item is None:  # too slow: the page reconnects with ?since=
            await websocket.close(code=1013, reason="too far behind; reconnect")
            return
        event_id, text = item
        if event_id not in already_sent:
            await websocket.send_text(text)


async def _wait_closed(websocket: WebSocket) -> None:
    """Return when the client goes away (the page sends nothing we need)."""
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = settings_or_exit("python -m apps.board")
    log.info("board on http://%s:%d", settings.board_host, settings.board_port)
    uvicorn.run(create_app(settings, run_migrations=True), host=settings.board_host,
                port=settings.board_port, log_level="info", ws="websockets-sansio",
                # The page sends one small auth message; nothing it sends needs more.
                ws_max_size=16 * 1024, ws_ping_interval=20,
                ws_ping_timeout=20)


if __name__ == "__main__":
    main()
