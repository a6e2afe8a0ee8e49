"""A private PostgreSQL cluster from Debian's server binaries, on a loopback port, in one folder.

PostgreSQL refuses to run as root, so when we are root the cluster belongs to the ``postgres``
system user and every server command runs through ``runuser``. The cluster listens on 127.0.0.1
only and keeps its unix socket inside its own directory. Every connection authenticates with a
password (scram-sha-256), generated at initialisation and kept in ``<data_dir>/vori-secrets.env``
(mode 0600):

    postgres    the admin (superuser): migrations and infra only (:meth:`LocalPostgres.dsn`)
    vori_app    the services' role (:meth:`LocalPostgres.app_dsn`): no superuser, owns nothing,
                may read and write the tables and use the sequences of the stack's database,
                including those that later migrations create
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import sql

from infra.errors import InfraError
from infra.procs import free_ports, log_tail, process_alive

__all__ = ["APP_ROLE", "LocalPostgres", "ensure_app_role", "find_bindir", "server_user"]

_SETTINGS_FILE = "vori.conf"
_SECRETS_FILE = "vori-secrets.env"
_SERVER_USER = "postgres"
APP_ROLE = "vori_app"
# Loopback TCP and the cluster's own socket: passwords everywhere, nothing trusted.
_HBA = """# Written by infra.postgres.LocalPostgres on every start.
local   all   all                  scram-sha-256
host    all   all   127.0.0.1/32   scram-sha-256
"""
_INSTALL_HINT = "install the server with: apt-get install -y postgresql"


def find_bindir() -> Path:
    """The folder with ``initdb``/``pg_ctl``; the newest Debian major version wins."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    pg_config = shutil.which("pg_config")
    if pg_config:
        # pg_config also comes with libpq-dev alone, so its bindir is checked for initdb too.
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    raise InfraError(f"PostgreSQL server binaries (initdb, pg_ctl) not found; {_INSTALL_HINT}")


def server_user() -> pwd.struct_passwd:
    """The ``postgres`` system user the cluster runs as when we are root (created if missing)."""
    return _ensure_server_user()


def _ensure_server_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(_SERVER_USER)
    except KeyError:
        pass
    # Debian's postgresql package creates this user; a bare install of the binaries may not.
    done = subprocess.run(
        [
            "useradd",
            "--system",
            "--user-group",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            _SERVER_USER,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise InfraError(f"cannot create system user {_SERVER_USER!r}: {done.stderr.strip()}")
    return pwd.getpwnam(_SERVER_USER)


def ensure_app_role(admin_dsn: str, password: str, *, owner: str, role: str = APP_ROLE) -> None:
    """Create (or re-password) ``role`` for the services in the database of ``admin_dsn``.

    The role logs in with ``password``, is no superuser, creates nothing, owns nothing; it may
    read and write every table and use every sequence of schema ``public``, including those that
    ``owner`` (who runs the migrations) creates later (default privileges). Idempotent.
    """
    ident = sql.Identifier(role)
    with psycopg.connect(admin_dsn, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        conn.execute(
            sql.SQL(
                "{} {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION "
                "PASSWORD {}"
            ).format(sql.SQL("ALTER ROLE" if exists else "CREATE ROLE"), ident, sql.Literal(password))
        )
        dbname = conn.info.dbname
        for statement in (
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {app}",
            "GRANT USAGE ON SCHEMA public TO {app}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {app}",
        ):
            conn.execute(
                sql.SQL(statement).format(
                    db=sql.Identifier(dbname), app=ident, owner=sql.Identifier(owner)
                )
            )


class LocalPostgres:
    """One PostgreSQL cluster whose data directory is ``data_dir``.

    The port is chosen on first start (unless given) and kept in ``data_dir/vori.conf``.
    ``fsync=False`` trades crash safety for speed and is meant for test sessions only.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        fsync: bool = True,
        database: str = "vori",
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.fsync = fsync
        self.database = database
        self._port = port if port is not None else self._stored_port()
        self._bindir: Path | None = None

    # -- paths and identity ------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.data_dir / "postgresql.log"

    @property
    def port(self) -> int:
        if self._port is None:
            raise InfraError(f"PostgreSQL in {self.data_dir} was never started: no port yet")
        return self._port

    @property
    def secrets_path(self) -> Path:
        return self.data_dir / _SECRETS_FILE

    def dsn(self, dbname: str | None = None) -> str:
        """A libpq URI for ``dbname`` (default: the stack's database) as the admin ``postgres``
        (superuser): for migrations and infra, never for the services."""
        return self._uri(_SERVER_USER, "admin", dbname)

    def app_dsn(self, dbname: str | None = None) -> str:
        """A libpq URI for ``dbname`` (default: the stack's database) as the services' role."""
        return self._uri(APP_ROLE, "app", dbname)

    def _uri(self, user: str, which: str, dbname: str | None) -> str:
        # token_urlsafe passwords need no percent-encoding in a URI.
        password = self._secrets()[which]
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{dbname or self.database}"

    def _secrets(self) -> dict[str, str]:
        try:
            lines = self.secrets_path.read_text().splitlines()
        except FileNotFoundError:
            raise InfraError(
                f"PostgreSQL in {self.data_dir} has no password file {self.secrets_path}; "
                "start it once (it is written at initialisation)"
            ) from None
        found = dict(line.split("=", 1) for line in lines if "=" in line)
        if not found.get("admin") or not found.get("app"):
            raise InfraError(f"{self.secrets_path} lacks the admin or app password")
        return found

    def _write_secrets(self, values: dict[str, str]) -> None:
        # Created 0600 from the start: the passwords are never readable by others, not even briefly.
        fd = os.open(self.secrets_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("".join(f"{k}={v}\n" for k, v in values.items()))
        self.secrets_path.chmod(0o600)

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if process_alive(pid) else None

    def _stored_port(self) -> int | None:
        try:
            text = (self.data_dir / _SETTINGS_FILE).read_text()
        except OSError:
            return None
        match = re.search(r"^port = (\d+)$", text, re.MULTILINE)
        return int(match.group(1)) if match else None

    # -- running server commands -------------------------------------------------------------

    def _bin(self, tool: str) -> str:
        if self._bindir is None:
            self._bindir = find_bindir()
        return str(self._bindir / tool)

    def _run(self, argv: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", _SERVER_USER, "--", *argv]
        try:
            return subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
                # The server user may not be able to read our working directory.
                cwd="/",
                # pg_ctl's postmaster inherits this session: away from our terminal's signals.
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            raise InfraError(
                f"{argv[0]} did not finish within {timeout:.0f} s: {' '.join(argv)}"
            ) from exc

    def _check(self, done: subprocess.CompletedProcess[str], what: str) -> None:
        if done.returncode != 0:
            raise InfraError(
                f"{what} failed (exit {done.returncode}):\n{(done.stdout + done.stderr)[-3000:]}"
                f"\n--- {self.log_path} (tail) ---\n{log_tail(self.log_path, 3000)}"
            )

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = _ensure_server_user()
            os.chown(path, user.pw_uid, user.pw_gid)

    def _check_traversable(self) -> None:
        """Fail early, with a reason, when the server user cannot reach the data directory."""
        if os.geteuid() != 0:
            return
        user = _ensure_server_user()
        groups = {g for g in os.getgrouplist(user.pw_name, user.pw_gid)}
        for parent in self.data_dir.parents:
            st = parent.stat()
            ok = (
                (st.st_uid == user.pw_uid and st.st_mode & stat.S_IXUSR)
                or (st.st_gid in groups and st.st_mode & stat.S_IXGRP)
                or st.st_mode & stat.S_IXOTH
            )
            if not ok:
                raise InfraError(
                    f"user {_SERVER_USER!r} cannot traverse {parent} "
                    f"(mode {stat.filemode(st.st_mode)}) "
                    f"to reach {self.data_dir}; put the cluster elsewhere or `chmod o+x {parent}`"
                )

    # -- lifecycle ---------------------------------------------------------------------------

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").is_file():
            return False
        if self.pid is None:
            # Checked first: pg_ctl takes a killed postmaster that is still a zombie for running.
            return False
        return (
            self._run([self._bin("pg_ctl"), "status", "-D", str(self.data_dir)], 30).returncode == 0
        )

    def _init_cluster(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_traversable()
        if any(self.data_dir.iterdir()):
            raise InfraError(f"{self.data_dir} is not empty and holds no PostgreSQL cluster")
        self._chown(self.data_dir)
        self.data_dir.chmod(0o700)
        passwords = {"admin": secrets.token_urlsafe(24), "app": secrets.token_urlsafe(24)}
        # initdb reads the admin password from a file the server user can read; never argv.
        with tempfile.TemporaryDirectory(prefix="vori-initdb-") as tmp:
            pwfile = Path(tmp) / "pw"
            pwfile.write_text(passwords["admin"] + "\n")
            pwfile.chmod(0o600)
            self._chown(Path(tmp))
            self._chown(pwfile)
            argv = [
                self._bin("initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                _SERVER_USER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
            if not self.fsync:
                argv.append("--no-sync")
            self._check(self._run(argv, 180), "initdb")
        self._write_secrets(passwords)
        with (self.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(f"\ninclude '{_SETTINGS_FILE}'\n")

    def _write_settings(self) -> None:
        settings = [
            "# Written by infra.postgres.LocalPostgres on every start.",
            "listen_addresses = '127.0.0.1'",
            f"port = {self.port}",
            # Inside the cluster's own 0700 directory: no other local user reaches the socket.
            f"unix_socket_directories = '{self.data_dir}'",
            f"fsync = {'on' if self.fsync else 'off'}",
            f"synchronous_commit = {'on' if self.fsync else 'off'}",
            f"full_page_writes = {'on' if self.fsync else 'off'}",
            "max_connections = 200",
            "shared_buffers = 128MB",
            "log_line_prefix = '%m [%p] %q%u@%d '",
            "password_encryption = 'scram-sha-256'",
        ]
        path = self.data_dir / _SETTINGS_FILE
        path.write_text("\n".join(settings) + "\n")
        self._chown(path)
        hba = self.data_dir / "pg_hba.conf"
        hba.write_text(_HBA)
        self._chown(hba)

    def _wait_ready(self, deadline: float) -> None:
        last = ""
        while True:
            try:
                with psycopg.connect(self.dsn("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                last = str(exc).strip()
            if time.monotonic() >= deadline:
                raise InfraError(
                    f"PostgreSQL at 127.0.0.1:{self.port} not ready: {last}\n"
                    f"--- {self.log_path} (tail) ---\n{log_tail(self.log_path, 3000)}"
                )
            time.sleep(0.1)

    def start(self, timeout: float = 60.0) -> str:
        """Initialise (first time), start and wait for the cluster, create the database; its DSN.

        Starting a running cluster only checks it and the database.
        """
        deadline = time.monotonic() + timeout
        if not (self.data_dir / "PG_VERSION").is_file():
            self._init_cluster()
        elif not self.secrets_path.is_file():
            self._add_passwords(deadline)
        if not self.is_running():
            if self._port is None:
                self._port = free_ports(1)[0]
            self._write_settings()
            if not self.log_path.exists():
                self.log_path.touch()
                self._chown(self.log_path)
            self._start_server(deadline, timeout)
        self._wait_ready(deadline)
        self.create_database(self.database)
        self.ensure_app_role()
        return self.dsn()

    def _start_server(self, deadline: float, timeout: float) -> None:
        """``pg_ctl start``, also after the postmaster was killed (``kill -9``).

        A killed postmaster leaves its lock files (pid file, socket lock), which a zombie pid
        keeps looking valid, and its backends, which hold the shared memory until they notice
        and exit: the stale files go, and the start is retried while old backends hold the memory.
        """
        pidfile = self.data_dir / "postmaster.pid"
        if pidfile.exists() and self.pid is None:
            for lock in self.data_dir.glob(".s.PGSQL.*.lock"):
                lock.unlink(missing_ok=True)
            pidfile.unlink()
        while True:
            done = self._run(
                [
                    self._bin("pg_ctl"),
                    "start",
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-w",
                    "-t",
                    str(max(1, int(deadline - time.monotonic()))),
                ],
                timeout + 10,
            )
            in_use = "is still in use" in done.stdout + done.stderr + log_tail(self.log_path, 2000)
            if done.returncode == 0 or not in_use or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        self._check(done, "pg_ctl start")

    def _add_passwords(self, deadline: float) -> None:
        """Give a cluster made before passwords (trusting loopback) its admin and app passwords.

        The old ``pg_hba.conf`` still trusts loopback, so the admin can set its own password;
        the next start writes the scram-only ``pg_hba.conf``.
        """
        if self.is_running():
            self.stop()
        if self._port is None:
            self._port = free_ports(1)[0]
        self._write_settings()
        (self.data_dir / "pg_hba.conf").write_text(
            "host all postgres 127.0.0.1/32 trust\nlocal all postgres trust\n"
        )
        self._check(
            self._run([self._bin("pg_ctl"), "start", "-D", str(self.data_dir),
                       "-l", str(self.log_path), "-w", "-t", "60"], 70),
            "pg_ctl start",
        )
        passwords = {"admin": secrets.token_urlsafe(24), "app": secrets.token_urlsafe(24)}
        uri = f"postgresql://{_SERVER_USER}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(uri, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    sql.Identifier(_SERVER_USER), sql.Literal(passwords["admin"])
                )
            )
        self._write_secrets(passwords)
        self.stop()

    def ensure_app_role(self, dbname: str | None = None) -> None:
        """Create (or re-password) the services' role and grant it what it needs in ``dbname``.

        ``start`` runs it for the stack's database (default); see :func:`ensure_app_role`.
        """
        dbname = dbname or self.database
        ensure_app_role(self.dsn(dbname), self._secrets()["app"], owner=_SERVER_USER)

    def stop(self, mode: str = "fast", timeout: float = 60.0) -> None:
        """Stop the cluster and wait (``mode``: smart, fast or immediate, as ``pg_ctl -m``)."""
        if not self.is_running():
            return
        done = self._run(
            [
                self._bin("pg_ctl"),
                "stop",
                "-D",
                str(self.data_dir),
                "-m",
                mode,
                "-w",
                "-t",
                str(int(timeout)),
            ],
            timeout + 10,
        )
        self._check(done, "pg_ctl stop")

    # -- databases ---------------------------------------------------------------------------

    def create_database(self, name: str, template: str | None = None) -> None:
        """Create database ``name`` if it does not exist yet, optionally as a copy of ``template``.

        A template that already holds the migrated schema makes a fresh database per test cheap.
        """
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if exists is None:
                try:
                    conn.execute(statement)
                except psycopg.errors.DuplicateDatabase:
                    pass  # created concurrently by another caller

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, disconnecting whoever still uses it."""
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def __enter__(self) -> LocalPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
