"""The local stack's secrets: a private state directory, passwords everywhere, a service role that
can do its job and nothing more."""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from connectors.postgres import SQL_DIR, MigrationError, migrate
from connectors.settings import Settings
from infra.postgres import APP_ROLE, LocalPostgres
from infra.stack import LocalStack, read_env


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    # Outside pytest's 0700 tmp root, which the `postgres` server user cannot traverse.
    path = Path(tempfile.mkdtemp(prefix="vori-test-secrets-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_stack_keeps_its_secrets_private_and_services_use_a_limited_role(
    stack_dir: Path, maven_cache: Path
) -> None:
    state = stack_dir / "state"
    stack = LocalStack(state, cache_dir=maven_cache)
    try:
        env = stack.up()
        assert _mode(state) == 0o700
        assert _mode(stack.env_path) == 0o600
        assert _mode(stack.postgres.secrets_path) == 0o600
        assert read_env(stack.env_path) == env

        app_url, admin_url = env["VORI_DATABASE_URL"], env["VORI_DATABASE_ADMIN_URL"]
        assert urlsplit(app_url).username == APP_ROLE
        assert urlsplit(app_url).password and urlsplit(admin_url).password
        # Settings finds both through stack.env: migrations get the admin, services the app role.
        settings = Settings.from_env({"VORI_STATE_DIR": str(state)})
        assert (settings.database_url, settings.database_admin_url) == (app_url, admin_url)

        # No password, a wrong one, or the admin's name with the app's password: all refused.
        port = stack.postgres.port
        app_password = urlsplit(app_url).password
        for dsn in (
            f"postgresql://{APP_ROLE}@127.0.0.1:{port}/vori",
            f"postgresql://postgres@127.0.0.1:{port}/vori",
            f"postgresql://postgres:{app_password}@127.0.0.1:{port}/vori",
        ):
            with pytest.raises(psycopg.OperationalError, match="password"):
                psycopg.connect(dsn, connect_timeout=5)
        hba = (stack.postgres.data_dir / "pg_hba.conf").read_text()
        assert "trust" not in hba
        with psycopg.connect(admin_url) as conn:
            row = conn.execute(
                "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
                (APP_ROLE,),
            ).fetchone()
            assert row == (False, False, False)
            stored = conn.execute(
                "SELECT rolpassword FROM pg_authid WHERE rolname = %s", (APP_ROLE,)
            ).fetchone()
            assert stored is not None and str(stored[0]).startswith("SCRAM-SHA-256$")

        assert migrate(admin_url)  # the owner applies the schema
        # A service that migrates at start finds nothing pending and goes on...
        assert migrate(app_url) == []
        # ...but cannot change the schema itself.
        pending = stack_dir / "sql"
        shutil.copytree(SQL_DIR, pending)
        (pending / "9999_more.sql").write_text("CREATE TABLE more_things (id int);\n")
        with pytest.raises(MigrationError, match="permission denied"):
            migrate(app_url, pending)
        with psycopg.connect(app_url, autocommit=True) as conn:
            # Its job: read and write the tables, use their sequences (events.id, via a trigger).
            conn.execute(
                "INSERT INTO meetings (meeting_id, team) VALUES ('m-roles', 't')"
            )
            conn.execute("UPDATE meetings SET status = 'closed' WHERE meeting_id = 'm-roles'")
            assert conn.execute(
                "SELECT status FROM meetings WHERE meeting_id = 'm-roles'"
            ).fetchone() == ("closed",)
            assert conn.execute(
                "SELECT count(*) FROM events WHERE meeting_id = 'm-roles'"
            ).fetchone() == (2,)
            conn.execute("DELETE FROM events WHERE meeting_id = 'm-roles'")
            conn.execute("DELETE FROM meetings WHERE meeting_id = 'm-roles'")
            # Not its job: roles, tables, schema changes, other owners' business.
            for statement in (
                "CREATE ROLE intruder LOGIN",
                "CREATE TABLE stolen (x int)",
                "ALTER TABLE meetings ADD COLUMN x int",
                "DROP TABLE meetings",
                "TRUNCATE meetings",
                "CREATE DATABASE other",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)

        # A table a later migration adds (as the admin) is usable by the service at once.
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE later_table (id bigserial PRIMARY KEY, note text)")
        with psycopg.connect(app_url, autocommit=True) as conn:
            conn.execute("INSERT INTO later_table (note) VALUES ('ok')")
            assert conn.execute("SELECT id, note FROM later_table").fetchall() == [(1, "ok")]

        # A second start (`make up` again) keeps the passwords: clients configured before still work.
        again = LocalStack(state, cache_dir=maven_cache).up()
        assert again["VORI_DATABASE_URL"] == app_url
    finally:
        LocalStack(state, cache_dir=maven_cache).stop_all()


def test_a_cluster_made_before_passwords_gets_them(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = Path(tempfile.mkdtemp(prefix="vori-test-legacy-"))
    root.chmod(0o711)
    cluster = LocalPostgres(root / "data", fsync=False)
    try:
        cluster.start()
        cluster.stop()
        # What a cluster from before looked like: trusting loopback, no password file.
        (cluster.data_dir / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
        cluster.secrets_path.unlink()

        again = LocalPostgres(root / "data", fsync=False)
        admin_url = again.start()
        assert urlsplit(admin_url).password
        with psycopg.connect(again.app_dsn(), connect_timeout=5) as conn:
            assert conn.execute("SELECT current_user").fetchone() == (APP_ROLE,)
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(f"postgresql://postgres@127.0.0.1:{again.port}/vori", connect_timeout=5)
        again.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
