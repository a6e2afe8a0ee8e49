"""Team API tokens (stored as SHA-256 in ``api_tokens``) and meeting ownership (``meetings.team``).

A token is ``vori_p_…`` (producer) or ``vori_b_…`` (board) followed by a random URL-safe secret;
the prefix is only for people reading it, the role stored in PostgreSQL is what counts.

Exceptions::

    TokenError
    ├── TokenFormatError        a team, role or label that cannot be stored
    └── TokenStoreUnavailable   PostgreSQL cannot be reached (infrastructure: retry later)
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Literal, cast

import psycopg

from connectors.postgres import PostgresError, async_pool, translated

__all__ = [
    "IssuedToken",
    "Principal",
    "Role",
    "TokenError",
    "TokenFormatError",
    "TokenStore",
    "TokenStoreUnavailable",
    "create_token",
    "hash_token",
    "issue_token",
    "revoke_token",
]

Role = Literal["producer", "board"]
ROLES: tuple[Role, ...] = ("producer", "board")
_PREFIX: dict[Role, str] = {"producer": "vori_p_", "board": "vori_b_"}
_TEAM_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Anything longer is not one of ours; refuse it before hashing a megabyte of header.
MAX_TOKEN_CHARS = 200


class TokenError(Exception):
    """Base of the token adapter's errors."""


class TokenFormatError(TokenError, ValueError):
    """A team name, role or label that cannot be stored."""


class TokenStoreUnavailable(TokenError):
    """PostgreSQL did not answer; the caller should retry later."""


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


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def create_token(
    target: str | psycopg.Connection[tuple[object, ...]],
    *,
    team: str,
    role: str,
    label: str | None = None,
) -> str:
    """Store a new token for ``team`` and return it; only its hash is kept, so show it once.

    ``target`` is a DSN or an open connection.
    """
    return issue_token(target, team=team, role=role, label=label).token


def issue_token(
    target: str | psycopg.Connection[tuple[object, ...]],
    *,
    team: str,
    role: str,
    label: str | None = None,
) -> IssuedToken:
    """Like :func:`create_token`, with the token's id, team and role."""
    if not _TEAM_RE.match(team):
        raise TokenFormatError("team must be 1-64 characters of letters, digits and ._-")
    if role not in ROLES:
        raise TokenFormatError(f"role must be one of {', '.join(ROLES)}")
    checked_role: Role = "producer" if role == "producer" else "board"
    token = _PREFIX[checked_role] + secrets.token_urlsafe(32)
    token_id = "tok_" + secrets.token_hex(8)
    params = (token_id, team, checked_role, hash_token(token), label)
    query = (
        "INSERT INTO api_tokens (token_id, team, role, token_hash, label) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    try:
        if isinstance(target, str):
            with psycopg.connect(target, autocommit=True, connect_timeout=10) as conn:
                conn.execute(query, params)
        else:
            with target.transaction():
                target.execute(query, params)
    except psycopg.OperationalError as exc:
        raise TokenStoreUnavailable(f"PostgreSQL is not available: {exc}") from exc
    return IssuedToken(token_id, team, checked_role, token)


def revoke_token(conn: psycopg.Connection[tuple[object, ...]], token_id: str) -> bool:
    """Mark a token revoked; True if it existed and was live. Caches forget it within their TTL."""
    with conn.transaction():
        cur = conn.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE token_id = %s AND revoked_at IS NULL",
            (token_id,),
        )
        return cur.rowcount == 1


class TokenStore:
    """The gateway's view of tokens and meeting owners, over an async connection pool.

    Verified tokens are cached for ``cache_ttl_s`` (so a revocation takes at most that long to
    bite); meeting owners are cached for good, since a meeting never changes team.
    """

    def __init__(
        self,
        dsn: str,
        *,
        cache_ttl_s: float = 30.0,
        max_cached: int = 100_000,
        pool_size: int = 4,
        timeout_s: float = 5.0,
    ) -> None:
        self._pool = async_pool(dsn, min_size=pool_size, max_size=pool_size, timeout_s=timeout_s,
                                name="tokens")
        self._ttl = cache_ttl_s
        self._max_cached = max_cached
        self._principals: dict[bytes, tuple[float, Principal]] = {}
        self._owners: dict[str, str] = {}

    async def open(self) -> None:
        await self._pool.open(wait=False)

    async def close(self) -> None:
        await self._pool.close()

    async def verify(self, token: str) -> Principal | None:
        """The principal of a live token, or None for an unknown, revoked or odd-looking one."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        digest = hash_token(token)
        now = time.monotonic()
        hit = self._principals.get(digest)
        if hit is not None and hit[0] > now:
            return hit[1]
        row = await self._fetchone(
            "SELECT token_id, team, role FROM api_tokens "
            "WHERE token_hash = %s AND revoked_at IS NULL",
            (digest,),
        )
        if row is None:
            self._principals.pop(digest, None)
            return None
        principal = Principal(str(row[0]), str(row[1]), cast(Role, str(row[2])))
        if len(self._principals) >= self._max_cached:
            self._principals.clear()
        self._principals[digest] = (now + self._ttl, principal)
        return principal

    async def bind_meeting(self, meeting_id: str, team: str, title: str | None) -> str:
        """Give ``meeting_id`` to ``team`` unless someone owns it already; return the owner.

        The first chunk of a meeting creates its ``meetings`` row (status ``live``); concurrent
        first chunks from two teams race on the primary key and exactly one wins.
        """
        owner = self._owners.get(meeting_id)
        if owner is not None:
            return owner
        row = await self._fetchone(
            "INSERT INTO meetings (meeting_id, team, title, status) VALUES (%s, %s, %s, 'live') "
            "ON CONFLICT (meeting_id) DO NOTHING RETURNING team",
            (meeting_id, team, title),
        )
        if row is None:
            # Someone else inserted it first; autocommit gives this statement a fresh snapshot.
            row = await self._fetchone(
                "SELECT team FROM meetings WHERE meeting_id = %s", (meeting_id,)
            )
        if row is None:  # deleted between the two statements: treat as unowned, try again later
            raise TokenStoreUnavailable(f"meeting {meeting_id!r} vanished while binding it")
        owner = str(row[0])
        if len(self._owners) >= self._max_cached:
            self._owners.clear()
        self._owners[meeting_id] = owner
        return owner

    async def _fetchone(
        self, query: str, params: tuple[object, ...]
    ) -> tuple[object, ...] | None:
        try:
            with translated("token store"):
                async with self._pool.connection() as conn:
                    cur = await conn.execute(query, params)
                    return await cur.fetchone()
        except PostgresError as exc:
            raise TokenStoreUnavailable(f"PostgreSQL is not available: {exc}") from exc
