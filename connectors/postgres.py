"""PostgreSQL adapter: connections, numbered migrations from ``sql/``, and error translation."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from connectors.settings import REPO_ROOT

SQL_DIR = REPO_ROOT / "sql"
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Any constant works: it only has to be the same for every migrator.
_MIGRATION_LOCK = 0x564F5249


class PostgresError(Exception):
    """Base of the PostgreSQL adapter's errors (infrastructure faults: retry, never dead-letter)."""


class MigrationError(PostgresError):
    """A migration file is malformed, was edited after it was applied, or failed."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def connect(dsn: str, *, autocommit: bool = False) -> psycopg.Connection[tuple[object, ...]]:
    """Open a connection; failures are translated to :class:`PostgresError`."""
    try:
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise PostgresError(f"cannot connect to PostgreSQL: {exc}") from exc


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
