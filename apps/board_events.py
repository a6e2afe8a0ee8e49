"""The board's live feed: one LISTEN connection per process, fanned out to every open WebSocket.

Triggers (``sql/0002_board_events.sql``) write an ``events`` row and ``NOTIFY vori_events, '<id>'``;
PostgreSQL delivers the notification only after the writing transaction commits, so a listener never
sees a rolled-back change. The listener reads the row once and hands the encoded JSON to each
subscriber of that team. A subscriber that falls too far behind is dropped (its socket is closed
and the page reconnects with ``?since=``) rather than slowing everyone else down.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from connectors.board_store import BoardStore, EventRow
from connectors.postgres import PostgresError

log = logging.getLogger("vori.board.events")


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(value: object) -> str:
    """JSON with ISO dates, the one encoding the board sends."""
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class BoardEvent:
    id: int
    team: str
    meeting_id: str | None
    type: str
    payload: dict[str, Any]
    created_at: datetime

    @classmethod
    def from_row(cls, row: EventRow) -> BoardEvent:
        return cls(
            id=int(row["id"]),
            team=str(row["team"]),
            meeting_id=row["meeting_id"],
            type=str(row["type"]),
            payload=dict(row["payload"]),
            created_at=row["created_at"],
        )

    def to_json(self) -> str:
        return dumps(
            {
                "id": self.id,
                "type": self.type,
                "team": self.team,
                "meeting_id": self.meeting_id,
                "at": self.created_at,
                "data": self.payload,
            }
        )


@dataclass(eq=False)
class Subscriber:
    """One open socket's inbox: encoded events, newest last; ``None`` means "you were dropped"."""

    team: str
    queue: asyncio.Queue[tuple[int, str] | None] = field(
        default_factory=lambda: asyncio.Queue(maxsize=Hub.MAX_BACKLOG)
    )
    dropped: bool = False


class Hub:
    """Fans committed events out to subscribers by team, from the store's LISTEN connection."""

    MAX_BACKLOG = 10_000

    def __init__(self, store: BoardStore) -> None:
        self._store = store
        self._subscribers: dict[str, set[Subscriber]] = {}
        self._task: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="board-listener")
        await asyncio.wait_for(self._listening.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        for subs in self._subscribers.values():
            for sub in subs:
                self._drop(sub)

    def subscribe(self, team: str) -> Subscriber:
        sub = Subscriber(team)
        self._subscribers.setdefault(team, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        subs = self._subscribers.get(sub.team)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subscribers[sub.team]

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._subscribers.values())

    def publish(self, events: Sequence[BoardEvent]) -> None:
        for event in events:
            subs = self._subscribers.get(event.team)
            if not subs:
                continue
            encoded = (event.id, event.to_json())
            for sub in list(subs):
                try:
                    sub.queue.put_nowait(encoded)
                except asyncio.QueueFull:
                    log.warning("dropping a board socket of team %s: %d events behind",
                                sub.team, sub.queue.qsize())
                    self._drop(sub)

    def _drop(self, sub: Subscriber) -> None:
        self.unsubscribe(sub)
        sub.dropped = True
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(None)

    async def _run(self) -> None:
        delay = 0.5
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except PostgresError as exc:
                # Sockets survive a listener restart; they may miss events from the gap, which the
                # page recovers on its next reconnect with ?since=. Drop them so that happens now.
                log.warning("board listener lost PostgreSQL (%s); retry in %.1fs", exc, delay)
                for subs in list(self._subscribers.values()):
                    for sub in list(subs):
                        self._drop(sub)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            else:
                delay = 0.5

    async def _listen(self) -> None:
        async with self._store.listen() as payloads:
            self._listening.set()
            ids: asyncio.Queue[int] = asyncio.Queue()
            fetcher = asyncio.create_task(self._fetch_loop(ids), name="board-fetcher")
            try:
                async for payload in payloads:
                    if payload.isdigit():  # anything else on the channel is not ours
                        ids.put_nowait(int(payload))
                    if fetcher.done():
                        fetcher.result()  # re-raise what stopped it
            finally:
                fetcher.cancel()

    async def _fetch_loop(self, ids: asyncio.Queue[int]) -> None:
        """Take every id that arrived meanwhile, so a burst costs one query rather than one each."""
        while True:
            batch = [await ids.get()]
            while not ids.empty():
                batch.append(ids.get_nowait())
            self.publish(await self._fetch(batch))

    async def _fetch(self, ids: list[int]) -> list[BoardEvent]:
        return [BoardEvent.from_row(r) for r in await self._store.events(ids)]
