"""The board: the kanban page, its REST API and the live WebSocket feed (docs/contract.md section 5).

Run it with ``python -m apps.board`` (reads ``VORI_DATABASE_URL``, ``VORI_BOARD_HOST/PORT``).
Every request carries a board token of one team (``Authorization: Bearer`` or ``?token=`` on the
socket) and sees only that team: another team's meeting or ticket answers 404, as if absent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import uvicorn
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response, WebSocket
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field
from starlette.websockets import WebSocketDisconnect, WebSocketState

from apps import report
from apps.board_events import BoardEvent, Hub, Subscriber, dumps
from connectors.board_store import BoardStore, MeetingRow
from connectors.minutes_store import TicketWriter
from connectors.postgres import migrate
from connectors.settings import Settings
from connectors.tokens import Principal, TokenStore, TokenStoreUnavailable

log = logging.getLogger("vori.board")

STATIC_DIR = Path(__file__).resolve().parent / "board_static"
Status = Literal["todo", "in_progress", "blocked", "done"]

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


class Board:
    """Shared state of one board process: the store, the ticket writer, the token store and the
    event hub."""

    def __init__(self, settings: Settings, store: BoardStore, ticket_writer: TicketWriter,
                 tokens: TokenStore, hub: Hub) -> None:
        self.settings = settings
        self.store = store
        self.ticket_writer = ticket_writer
        self.tokens = tokens
        self.hub = hub

    async def principal(self, token: str | None) -> Principal:
        """The board principal of ``token``; 401 if it is missing, unknown or not a board token."""
        if not token:
            raise HTTPException(401, "a board token is required",
                                headers={"WWW-Authenticate": "Bearer"})
        try:
            principal = await self.tokens.verify(token)
        except TokenStoreUnavailable as exc:
            raise HTTPException(503, "token store unavailable",
                                headers={"Retry-After": "2"}) from exc
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


def _check_team(principal: Principal, team: str | None) -> str:
    if team is not None and team != principal.team:
        raise HTTPException(403, "this token belongs to another team")
    return principal.team


def _json(value: object, status_code: int = 200) -> Response:
    return Response(dumps(value), status_code=status_code, media_type="application/json")


async def render_report(board: Board, meeting: MeetingRow) -> str:
    """The meeting's minutes as Markdown, by ``apps.report``."""
    rows = await board.store.report_rows(meeting["meeting_id"], max_keywords=report.MAX_KEYWORDS)
    if rows is None:  # deleted since the team check
        raise HTTPException(404, "no such meeting")
    return report.to_markdown(report.build_report(rows))


def create_app(settings: Settings, *, run_migrations: bool = False) -> FastAPI:
    """The board as an ASGI app; it opens its pool, token store and listener in its lifespan."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if run_migrations:
            await asyncio.to_thread(migrate, settings.database_url)
        store = BoardStore(settings.database_url)
        await store.open(timeout_s=30)
        writer = TicketWriter(settings.database_url)
        await asyncio.to_thread(writer.open)
        tokens = TokenStore(settings.database_url, cache_ttl_s=settings.token_cache_ttl_s)
        await tokens.open()
        hub = Hub(store)
        await hub.start()
        app.state.board = Board(settings, store, writer, tokens, hub)
        try:
            yield
        finally:
            await hub.stop()
            await tokens.close()
            await asyncio.to_thread(writer.close)
            await store.close()

    app = FastAPI(title="VORI board", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)

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
            "segments": await board.store.segments(meeting_id),
            "minutes": await board.store.minutes(meeting_id),
            "tickets": await board.store.tickets(who.team, meeting_id),
            "metrics": await board.store.metrics(meeting_id),
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
    async def patch_ticket(ticket_id: str, change: TicketPatch, board: BoardDep,
                           who: Who) -> Response:
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

    @app.get("/api/analytics")
    async def analytics(board: BoardDep, who: Who, team: str | None = None) -> Response:
        team = _check_team(who, team)
        return _json(await board.store.analytics(team))

    @app.exception_handler(TokenStoreUnavailable)
    async def on_store_down(_request: Request, exc: TokenStoreUnavailable) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503, headers={"Retry-After": "2"})

    @app.websocket("/ws")
    async def feed(websocket: WebSocket) -> None:
        board: Board = websocket.app.state.board
        params = websocket.query_params
        try:
            who = await board.principal(params.get("token"))
            team = _check_team(who, params.get("team"))
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
        # Subscribe before reading the backlog, so nothing committed in between is lost; the
        # overlap is sent once thanks to the id check below.
        sub = board.hub.subscribe(team)
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
            # Two tasks per socket: one forwards the inbox, one notices the client leaving.
            pump = asyncio.create_task(_forward(websocket, sub, sent))
            closer = asyncio.create_task(_wait_closed(websocket))
            try:
                done, _ = await asyncio.wait({pump, closer}, return_when=asyncio.FIRST_COMPLETED)
                if pump in done:
                    pump.result()
            finally:
                for task in (pump, closer):
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect):
                        await task
        except WebSocketDisconnect:
            pass
        finally:
            board.hub.unsubscribe(sub)
            if websocket.application_state != WebSocketState.DISCONNECTED:
                with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                    await websocket.close()

    return app


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
    settings = Settings.from_env()
    log.info("board on http://%s:%d", settings.board_host, settings.board_port)
    uvicorn.run(create_app(settings, run_migrations=True), host=settings.board_host,
                port=settings.board_port, log_level="info", ws="websockets-sansio",
                ws_ping_interval=20,
                ws_ping_timeout=20)


if __name__ == "__main__":
    main()
