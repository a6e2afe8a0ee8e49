"""Team API tokens (stored as SHA-256 in ``api_tokens``), and the ``meetings`` row a team's first
chunk opens.

A token is ``vori_p_…`` (producer) or ``vori_b_…`` (board) followed by 43 characters of URL-safe
base64 (32 random bytes); the prefix is only for people reading it, the role stored in PostgreSQL
is what counts. A token speaks for one team, and a team's meetings are its own: meetings are keyed
by (team, meeting id), so one team's ids never collide with another's. A token may expire
(``expires_at``, ``sql/0005_token_expiry.sql``) and be revoked by id; either way it then verifies
as unknown.

Exceptions::

    TokenError
    ├── TokenFormatError        a team, role, label or lifetime that cannot be stored
    └── TokenStoreUnavailable   PostgreSQL cannot be reached (infrastructure: retry later)
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, cast

from connectors.postgres import (
    Connection,
    PostgresError,
    PostgresUnavailable,
    async_pool,
    connect,
    translated,
)

__all__ = [
    "UNASSIGNED_TEAM",
    "IssuedToken",
    "Principal",
    "Role",
    "TokenError",
    "TokenFormatError",
    "TokenInfo",
    "TokenStore",
    "TokenStoreUnavailable",
    "create_token",
    "hash_token",
    "issue_token",
    "list_tokens",
    "revoke_token",
    "valid_team",
    "well_formed",
]

log = logging.getLogger(__name__)

Role = Literal["producer", "board"]
ROLES: tuple[Role, ...] = ("producer", "board")
_PREFIX: dict[Role, str] = {"producer": "vori_p_", "board": "vori_b_"}
_TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# The team of audio written to Kafka without the gateway's ``vori-team`` header: no token may
# speak for it, so no producer can add to those meetings and no board can read them.
UNASSIGNED_TEAM = "unassigned"
_SECRET_BYTES = 32
# What issue_token makes: a prefix, then token_urlsafe(32), always 43 characters of this alphabet.
_TOKEN_RE = re.compile(r"^vori_[pb]_[A-Za-z0-9_-]{43}$")
# Anything longer is not one of ours; refuse it before hashing a megabyte of header.
MAX_TOKEN_CHARS = 200
# What reaches a client when the store is down: nothing about hosts, ports or drivers.
UNAVAILABLE = "token store temporarily unavailable"


class TokenError(Exception):
    """Base of the token adapter's errors."""


class TokenFormatError(TokenError, ValueError):
    """A team name, role, label or lifetime that cannot be stored."""


class TokenStoreUnavailable(TokenError):
    """PostgreSQL did not answer; the caller should retry later.

    Raised by :class:`TokenStore` with the generic message :data:`UNAVAILABLE` (safe to show a
    client); the database's own error is its ``__cause__`` and goes to the log.
    """


@dataclass(frozen=True)
class Principal:
    """Who a valid token speaks for."""

    token_id: str
    team: str
    role: Role


@dataclass(frozen=True)
class IssuedToken:
    token_id: str
    team: str
    role: Role
    token: str  # shown once; only its hash is stored
    expires_at: datetime | None = None


@dataclass(frozen=True)
class TokenInfo:
    """One ``api_tokens`` row as ``vori token list`` shows it: never the secret or its hash."""

    token_id: str
    team: str
    role: Role
    label: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def valid_team(team: str) -> bool:
    """Whether ``team`` is a team name a token may carry (1-64 of ``A-Za-z0-9._-``, never ``/``)."""
    return _TEAM_RE.match(team) is not None


def well_formed(token: str) -> bool:
    """Whether ``token`` looks like one :func:`issue_token` makes (no database involved)."""
    return len(token) <= MAX_TOKEN_CHARS and _TOKEN_RE.match(token) is not None


def create_token(
    target: str | Connection,
    *,
    team: str,
    role: str,
    label: str | None = None,
    expires_in: timedelta | None = None,
) -> str:
    """Store a new token for ``team`` and return it; only its hash is kept, so show it once.

    ``target`` is a DSN or an open connection; ``expires_in`` (optional) is its lifetime.
    """
    return issue_token(target, team=team, role=role, label=label, expires_in=expires_in).token


def issue_token(
    target: str | Connection,
    *,
    team: str,
    role: str,
    label: str | None = None,
    expires_in: timedelta | None = None,
) -> IssuedToken:
    """Like :func:`create_token`, with the token's id, team, role and expiry."""
    if not _TEAM_RE.match(team):
        raise TokenFormatError("team must be 1-64 characters of letters, digits and ._-")
    if team == UNASSIGNED_TEAM:
        raise TokenFormatError(f"{UNASSIGNED_TEAM!r} is reserved for audio sent without a team")
    if role not in ROLES:
        raise TokenFormatError(f"role must be one of {', '.join(ROLES)}")
    if expires_in is not None and expires_in <= timedelta(0):
        raise TokenFormatError("a token's lifetime must be positive")
    checked_role: Role = "producer" if role == "producer" else "board"
    token = _PREFIX[checked_role] + secrets.token_urlsafe(_SECRET_BYTES)
    token_id = "tok_" + secrets.token_hex(8)
    params = (token_id, team, checked_role, hash_token(token), label, expires_in)
    query = (
        "INSERT INTO api_tokens (token_id, team, role, token_hash, label, expires_at) "
        "VALUES (%s, %s, %s, %s, %s, now() + %s::interval) RETURNING expires_at"
    )
    row = _run_one(target, query, params)
    expires_at = row[0] if row is not None else None
    return IssuedToken(token_id, team, checked_role, token,
                       expires_at if isinstance(expires_at, datetime) else None)


def revoke_token(target: str | Connection, token_id: str) -> bool:
    """Mark a token revoked; True if it existed and was live.

    Token caches forget it within their TTL, and the board closes its open sockets at the next
    re-check (at most one TTL later).
    """
    row = _run_one(
        target,
        "UPDATE api_tokens SET revoked_at = now() WHERE token_id = %s AND revoked_at IS NULL "
        "RETURNING token_id",
        (token_id,),
    )
    return row is not None


def list_tokens(target: str | Connection, team: str | None = None) -> list[TokenInfo]:
    """Every token (of ``team``, if given), oldest first, revoked and expired ones included."""
    query = (
        "SELECT token_id, team, role, label, created_at, expires_at, revoked_at FROM api_tokens "
        "WHERE %s::text IS NULL OR team = %s ORDER BY created_at, token_id"
    )
    rows = _run(target, query, (team, team))
    return [
        TokenInfo(str(r[0]), str(r[1]), cast(Role, str(r[2])), cast("str | None", r[3]),
                  cast(datetime, r[4]), cast("datetime | None", r[5]),
                  cast("datetime | None", r[6]))
        for r in rows
    ]


def _run(target: str | Connection, query: str, params: tuple[object, ...]
         ) -> list[tuple[object, ...]]:
    """One statement in its own transaction, on a new connection or on ``target``."""
    try:
        if isinstance(target, str):
            with connect(target, autocommit=True) as conn, translated("token store"):
                cur = conn.execute(query, params)
                return list(cur.fetchall()) if cur.description else []
        with translated("token store"), target.transaction():
            cur = target.execute(query, params)
            return list(cur.fetchall()) if cur.description else []
    except PostgresUnavailable as exc:
        # For the command line: saying which database did not answer is the useful part.
        raise TokenStoreUnavailable(f"PostgreSQL is not available: {exc}") from exc


def _run_one(target: str | Connection, query: str, params: tuple[object, ...]
             ) -> tuple[object, ...] | None:
    rows = _run(target, query, params)
    return rows[0] if rows else None


class TokenStore:
    """The services' view of tokens and of the meetings teams open, over an async connection pool.

    Verified tokens are cached for ``cache_ttl_s`` (so a revocation takes at most that long to
    bite) or until they expire, whichever is sooner. A token that is not of our format is refused
    without a database round trip; one of our format that the database does not know is
    remembered for ``negative_ttl_s`` (at most ``max_negative`` of them), and concurrent lookups
    of one token share a single query, so a flood of junk tokens cannot drain the pool that real
    requests need. Opened meetings are remembered (at most ``max_cached``), so a meeting costs one
    round trip per process.
    """

    def __init__(
        self,
        dsn: str,
        *,
        cache_ttl_s: float = 30.0,
        max_cached: int = 100_000,
        pool_size: int = 4,
        timeout_s: float = 5.0,
        negative_ttl_s: float = 5.0,
        max_negative: int = 10_000,
    ) -> None:
        self._pool = async_pool(dsn, min_size=pool_size, max_size=pool_size, timeout_s=timeout_s,
                                name="tokens")
        self._ttl = cache_ttl_s
        self._max_cached = max_cached
        self._negative_ttl = negative_ttl_s
        self._max_negative = max_negative
        self._principals: dict[bytes, tuple[float, Principal]] = {}
        # Insertion order is expiry order (one TTL for all), so the oldest entry goes first.
        self._unknown: OrderedDict[bytes, float] = OrderedDict()
        self._pending: dict[bytes, asyncio.Task[Principal | None]] = {}
        self._opened: set[tuple[str, str]] = set()

    @property
    def cache_ttl_s(self) -> float:
        return self._ttl

    async def open(self) -> None:
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    async def verify(self, token: str) -> Principal | None:
        """The principal of a live token, or None for an unknown, revoked, expired or
        odd-looking one."""
        if not token or not well_formed(token):
            return None
        digest = hash_token(token)
        now = time.monotonic()
        hit = self._principals.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        refused_until = self._unknown.get(digest)
        if refused_until is not None:
            if refused_until > now:
                return None
            del self._unknown[digest]
        task = self._pending.get(digest)
        if task is None:
            task = asyncio.create_task(self._lookup(digest))
            self._pending[digest] = task
            task.add_done_callback(lambda t: self._lookup_done(digest, t))
        # Shielded: one caller giving up must not cancel the query the others wait for.
        return await asyncio.shield(task)

    def _lookup_done(self, digest: bytes, task: asyncio.Task[Principal | None]) -> None:
        self._pending.pop(digest, None)
        if not task.cancelled():
            task.exception()  # retrieved here, so a lookup nobody awaits any more logs nothing

    async def _lookup(self, digest: bytes) -> Principal | None:
        row = await self._fetchone(
            "SELECT token_id, team, role, EXTRACT(EPOCH FROM expires_at - now())::float8 "
            "FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > now())",
            (digest,),
        )
        now = time.monotonic()
        if row is None:
            self._principals.pop(digest, None)
            if len(self._unknown) >= self._max_negative:
                self._unknown.popitem(last=False)
            self._unknown[digest] = now + self._negative_ttl
            return None
        principal = Principal(str(row[0]), str(row[1]), cast(Role, str(row[2])))
        until = now + self._ttl
        if row[3] is not None:
            until = min(until, now + float(cast(float, row[3])))
        if len(self._principals) >= self._max_cached:
            self._principals.clear()
        self._principals[digest] = (until, principal)
        return principal

    async def live_token_ids(self, token_ids: Collection[str]) -> set[str]:
        """Which of ``token_ids`` are neither revoked nor expired, asked of the database now.

        The tokens that are not are also dropped from the cache, so their next request is
        refused at once instead of at the end of the cache TTL.
        """
        if not token_ids:
            return set()
        rows = await self._fetchall(
            "SELECT token_id FROM api_tokens WHERE token_id = ANY(%s) AND revoked_at IS NULL "
            "AND (expires_at IS NULL OR expires_at > now())",
            (list(token_ids),),
        )
        live = {str(r[0]) for r in rows}
        dead = set(token_ids) - live
        if dead:
            self._principals = {
                digest: entry for digest, entry in self._principals.items()
                if entry[1].token_id not in dead
            }
        return live

    async def open_meeting(self, team: str, meeting_id: str, title: str | None) -> None:
        """Make sure ``team`` has a ``meetings`` row for ``meeting_id`` (status ``live``).

        The first chunk of a team's meeting creates it; another team's meeting of the same id is
        another row, never consulted, so nothing here tells a team what other teams have.
        """
        key = (team, meeting_id)
        if key in self._opened:
            return
        await self._fetchall(
            "INSERT INTO meetings (team, meeting_id, title, status) VALUES (%s, %s, %s, 'live') "
            "ON CONFLICT (team, meeting_id) DO NOTHING",
            (team, meeting_id, title),
        )
        if len(self._opened) >= self._max_cached:
            self._opened.clear()
        self._opened.add(key)

    async def _fetchone(
        self, query: str, params: tuple[object, ...]
    ) -> tuple[object, ...] | None:
        rows = await self._fetchall(query, params)
        return rows[0] if rows else None

    async def _fetchall(
        self, query: str, params: tuple[object, ...]
    ) -> list[tuple[object, ...]]:
        try:
            with translated("token store"):
                async with self._pool.connection() as conn:
                    cur = await conn.execute(query, params)
                    return list(await cur.fetchall()) if cur.description else []
        except PostgresError as exc:
            log.warning("token store: %s", exc)
            raise TokenStoreUnavailable(UNAVAILABLE) from exc
