"""PostgreSQL adapter: the one place that opens connections and pools, translates errors, retries
sink writes and applies the numbered migrations from ``sql/``.

Every store in ``connectors/`` is built on this module; nothing above ``connectors/`` imports
psycopg (``tests/test_architecture.py`` enforces it).

Exceptions (everything raised here or by a store derives from :class:`PostgresError`)::

    PostgresError                 base: an infrastructure fault (retry it, never dead-letter)
    ├── PostgresUnavailable       cannot connect, connection lost, server shutting down, pool timeout
    ├── PostgresConflict          a constraint refused the write (SQLSTATE class 23)
    ├── PostgresDataError         a value the database refused (class 22)
    ├── PostgresQueryError        a query or schema problem: a bug, not a transient fault (42, 0A)
    └── MigrationError            a migration file is malformed, was edited after it ran, or failed

psycopg's errors are translated once, here, by SQLSTATE (:func:`translate`, :func:`translated`).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from bytewax.outputs import StatelessSinkPartition
from psycopg import sql
from psycopg_pool import AsyncConnectionPool, ConnectionPool, PoolTimeout

from connectors.settings import REPO_ROOT

log = logging.getLogger(__name__)

SQL_DIR = REPO_ROOT / "sql"
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any constant works: it only has to be the same for every migrator.
_MIGRATION_LOCK = 0x564F5249

Connection = psycopg.Connection[Any]
AsyncConnection = psycopg.AsyncConnection[Any]


class PostgresError(Exception):
    """Base of the PostgreSQL adapter's errors (infrastructure faults: retry, never dead-letter)."""

    sqlstate: str | None = None


class PostgresUnavailable(PostgresError):
    """The server cannot be reached, dropped the connection, is shutting down, or the pool is dry."""


class PostgresConflict(PostgresError):
    """A constraint refused the write (unique, foreign key, check, not null)."""


class PostgresDataError(PostgresError):
    """The database refused a value (out of range, bad format, too long)."""


class PostgresQueryError(PostgresError):
    """A query or schema problem: a missing table or column, a syntax error. A bug, not a fault."""


class MigrationError(PostgresError):
    """A migration file is malformed, was edited after it was applied, or failed."""


# SQLSTATE class (first two characters) → our error. Classes not listed are plain PostgresError.
_BY_CLASS: dict[str, type[PostgresError]] = {
    "08": PostgresUnavailable,  # connection exception
    "53": PostgresUnavailable,  # insufficient resources (too many connections, out of memory)
    "57": PostgresUnavailable,  # operator intervention (admin shutdown, crash shutdown, cannot connect now)
    "23": PostgresConflict,     # integrity constraint violation
    "22": PostgresDataError,    # data exception
    "42": PostgresQueryError,   # syntax error or access rule violation
    "0A": PostgresQueryError,   # feature not supported
}


def translate(exc: BaseException, what: str = "PostgreSQL") -> PostgresError:
    """Our error for a psycopg (or pool) error; ``raise translate(exc) from exc`` at the boundary."""
    if isinstance(exc, PostgresError):
        return exc
    if isinstance(exc, PoolTimeout):
        err: PostgresError = PostgresUnavailable(f"{what}: no connection available ({exc})")
        return err
    state = getattr(exc, "sqlstate", None)
    if isinstance(state, str) and len(state) >= 2:
        kind = _BY_CLASS.get(state[:2], PostgresError)
    elif isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError | OSError):
        # No SQLSTATE: the client lost or never had a connection.
        kind = PostgresUnavailable
    else:
        kind = PostgresError
    err = kind(f"{what}: {exc}")
    err.sqlstate = state if isinstance(state, str) else None
    return err


@contextlib.contextmanager
def translated(what: str = "PostgreSQL") -> Iterator[None]:
    """Run a block with psycopg and pool errors translated into :class:`PostgresError`."""
    try:
        yield
    except (psycopg.Error, PoolTimeout, OSError) as exc:
        raise translate(exc, what) from exc


def connect(dsn: str, *, autocommit: bool = False) -> Connection:
    """Open a connection; failures are translated to :class:`PostgresUnavailable`."""
    with translated("cannot connect to PostgreSQL"):
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10)


def sync_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 4, timeout_s: float = 10.0,
    autocommit: bool = False, name: str | None = None,
) -> ConnectionPool[Connection]:
    """A connection pool (not yet open) whose connections are checked on checkout.

    A connection that died with the server (a restart, ``kill -9``) is replaced before it is
    handed out, and so are all the idle ones with it, so the first requests after a database
    restart do not fail (the first waits about a second for a fresh connection).
    """
    def check(conn: Connection) -> None:
        try:
            ConnectionPool.check_connection(conn)
        except Exception:
            # One dead connection means the server went away: the idle ones are as dead. Check
            # them all now, or the pool tries them one by one with a growing pause in between
            # (1 + 2 + 4 s for a pool of 4) and the caller times out.
            pool.check()
            raise

    pool: ConnectionPool[Connection] = ConnectionPool(
        dsn, min_size=min_size, max_size=max_size, timeout=timeout_s, name=name,
        kwargs={"autocommit": autocommit, "connect_timeout": max(1, int(timeout_s))},
        check=check, open=False,
    )
    return pool


def async_pool(
    dsn: str, *, min_size: int = 1, max_size: int = 4, timeout_s: float = 10.0,
    autocommit: bool = True, name: str | None = None,
) -> AsyncConnectionPool[AsyncConnection]:
    """The asyncio twin of :func:`sync_pool` (checked on checkout, not yet open)."""
    async def check(conn: AsyncConnection) -> None:
        try:
            await AsyncConnectionPool.check_connection(conn)
        except Exception:
            await pool.check()  # as in sync_pool: replace every dead idle connection at once
            raise

    pool: AsyncConnectionPool[AsyncConnection] = AsyncConnectionPool(
        dsn, min_size=min_size, max_size=max_size, timeout=timeout_s, name=name,
        kwargs={"autocommit": autocommit, "connect_timeout": max(1, int(timeout_s))},
        check=check, open=False,
    )
    return pool


T = TypeVar("T")
X = TypeVar("X")


def with_retries(action: Callable[[], T], *, attempts: int = 8, what: str = "PostgreSQL") -> T:
    """Retry an unavailable database with backoff; after the last try it raises (never drops).

    Only :class:`PostgresUnavailable` is retried: a conflict or a bad query fails the same way
    every time, so retrying it would only delay the error.
    """
    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            with translated(what):
                return action()
        except PostgresUnavailable as exc:
            if attempt == attempts:
                raise PostgresUnavailable(f"{what} still failing after {attempts} tries: {exc}") from exc
            log.warning("%s failed (%s); retry %d in %.1fs", what, exc, attempt, delay)
            time.sleep(delay)
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


class RetryingPostgresPartition(StatelessSinkPartition[X]):
    """A sink partition that hands each batch to ``write(conn, items)`` on one connection.

    A dropped connection is reopened and the batch retried with backoff (``with_retries``); after
    the last try the error propagates and stops the flow, so nothing is silently lost. ``write``
    must be idempotent: a retried or replayed batch is written again.
    """

    def __init__(self, dsn: str, write: Callable[[Connection, list[X]], None], what: str):
        self._dsn = dsn
        self._write_fn = write
        self._what = what
        self._conn: Connection | None = None

    def _write(self, items: list[X]) -> None:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._dsn)
        try:
            with translated(self._what):
                self._write_fn(self._conn, items)
        except PostgresUnavailable:
            self._conn.close()
            self._conn = None
            raise

    def write_batch(self, items: list[X]) -> None:
        if items:
            with_retries(lambda: self._write(items), what=self._what)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def discover_migrations(sql_dir: Path = SQL_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in sorted(sql_dir.glob("*.sql")):
        m = _MIGRATION_RE.match(path.name)
        if not m:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        found.append(Migration(int(m.group(1)), m.group(2), path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number in {sql_dir}")
    return found


def migrate(dsn: str, sql_dir: Path = SQL_DIR) -> list[Migration]:
    """Apply the pending migrations in order, each once, each in its own transaction.

    Returns the migrations applied by this call. Concurrent callers serialise on an advisory
    lock, so two processes starting at once do not race.
    """
    migrations = discover_migrations(sql_dir)
    applied_now: list[Migration] = []
    with connect(dsn, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            # Checked first: a service role that may not create tables still passes when the
            # owner has already migrated (CREATE ... IF NOT EXISTS needs the privilege anyway).
            if conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,):
                conn.execute(
                    """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version integer PRIMARY KEY,
                       name text NOT NULL,
                       checksum text NOT NULL,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
                )
            rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
            done = {int(str(v)): str(c) for v, c in rows}
            for mig in migrations:
                if mig.version in done:
                    if done[mig.version] != mig.checksum:
                        raise MigrationError(
                            f"{mig.path.name} changed after it was applied; "
                            "add a new migration instead of editing one"
                        )
                    continue
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL(mig.path.read_text()))  # type: ignore[call-overload,unused-ignore]
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name, checksum) "
                            "VALUES (%s, %s, %s)",
                            (mig.version, mig.name, mig.checksum),
                        )
                except psycopg.Error as exc:
                    raise MigrationError(f"{mig.path.name} failed: {exc}") from exc
                applied_now.append(mig)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied_now
