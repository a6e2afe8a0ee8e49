"""The whole local stack in one state directory (default ``.vori/``): Kafka, PostgreSQL, and any
process started through ``LocalStack.start_process`` (gateway, flow, board, analytics).

Everything needed to find and stop it again is on disk, so ``up`` and ``down`` may run in
different processes (``make up`` / ``make down``):

    .vori/run/<name>.json   pid records of background processes (infra.procs)
    .vori/kafka/            broker data, config, ports, log
    .vori/postgres/         cluster data directory, its log, its passwords (vori-secrets.env)
    .vori/stack.env         KEY=value lines for shells and ``vori`` (it holds passwords)
    .vori/cache/maven/      jars from Maven Central

The state directory is mode 0700 and ``stack.env`` 0600: they hold the database passwords and
the dev tokens. When we run as root the directory belongs to the ``postgres`` server user, the
one other user that must reach its cluster inside (root reads everything anyway).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

# stack.env is written here and read by Settings.from_env: one format, defined beside the reader.
from connectors.settings import ENV_FILE, format_env, read_env
from infra.errors import InfraError
from infra.kafka import LocalKafka
from infra.maven import KAFKA_JARS_DIR, ensure_kafka_jars
from infra.postgres import LocalPostgres, server_user
from infra.procs import ProcessRecord, ProcessRegistry

__all__ = ["ENV_FILE", "LocalStack", "default_state_dir", "down", "read_env", "up"]

def default_state_dir() -> Path:
    """``.vori/`` at the repository root (the folder above this package)."""
    return Path(__file__).resolve().parent.parent / ".vori"


class LocalStack:
    """Kafka + PostgreSQL + recorded background processes under one state directory."""

    def __init__(
        self,
        state_dir: Path | None = None,
        cache_dir: Path | None = None,
        kafka_heap: str = "512m",
    ) -> None:
        self.state_dir = Path(state_dir or default_state_dir()).resolve()
        self.cache_dir = Path(cache_dir or self.state_dir / "cache" / "maven").resolve()
        self.registry = ProcessRegistry(self.state_dir / "run")
        # The broker's pid goes into the stack's registry, so stop_all() covers it too.
        self.kafka = LocalKafka(
            self.state_dir / "kafka",
            jars_dir=self.cache_dir / KAFKA_JARS_DIR,
            heap=kafka_heap,
            registry=self.registry,
        )
        self.postgres = LocalPostgres(self.state_dir / "postgres")

    @property
    def env_path(self) -> Path:
        return self.state_dir / ENV_FILE

    def env(self) -> dict[str, str]:
        """The endpoints of the running services: the services' database role, and the admin's
        for migrations only."""
        return {
            "VORI_KAFKA_BOOTSTRAP": self.kafka.bootstrap,
            "VORI_DATABASE_URL": self.postgres.app_dsn(),
            "VORI_DATABASE_ADMIN_URL": self.postgres.dsn(),
        }

    def secure_state_dir(self) -> None:
        """Create the state directory, 0700 (see the module docstring for its owner)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            user = server_user()
            os.chown(self.state_dir, user.pw_uid, user.pw_gid)
        self.state_dir.chmod(0o700)

    def write_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """Merge ``extra`` and the service endpoints into ``stack.env``; returns its whole content.

        Keys written earlier (by later-added processes) are kept unless overwritten.
        """
        env = read_env(self.env_path)
        env.update(self.env())
        env.update(extra or {})
        self.secure_state_dir()
        body = format_env(env)
        tmp = self.env_path.with_suffix(".tmp")
        tmp.unlink(missing_ok=True)
        # Created 0600: the passwords and tokens in it are never readable by others.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write("# Written by `python -m infra up`; removed by `down`.\n" + body)
        tmp.replace(self.env_path)
        return env

    def up(self, timeout: float = 120.0) -> dict[str, str]:
        """Start Kafka and PostgreSQL (each only if not running), write ``stack.env``, return it."""
        self.secure_state_dir()
        ensure_kafka_jars(self.cache_dir)
        self.kafka.start(timeout=timeout)
        self.postgres.start(timeout=timeout)
        return self.write_env()

    def start_process(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> ProcessRecord:
        """Run ``argv`` in the background as ``name`` (own process group) for ``stop_all``.

        ``env`` is added to the current environment; output goes to ``log_path``
        (default ``.vori/run/<name>.log``). Readiness checks are the caller's business.
        """
        return self.registry.start_process(
            name, argv, env=env, log_path=log_path, cwd=self.state_dir.parent
        )

    def stop_all(self, timeout: float = 30.0) -> None:
        """Stop every recorded process (newest first, Kafka last of them), then PostgreSQL.

        Returns when nothing the stack started is alive; removes ``stack.env``.
        """
        errors: list[str] = []
        try:
            self.registry.stop_all(timeout=timeout)
        except InfraError as exc:
            errors.append(str(exc))
        try:
            self.postgres.stop()
        except InfraError as exc:
            errors.append(str(exc))
        self.env_path.unlink(missing_ok=True)
        if errors:
            raise InfraError("\n".join(errors))

    def status(self) -> dict[str, bool]:
        """``{name: running}`` for every recorded process and for PostgreSQL."""
        running = {record.name: record.alive for record in self.registry.records()}
        running["postgres"] = self.postgres.is_running()
        return running


def up(state_dir: Path | None = None) -> dict[str, str]:
    """Start the local stack under ``state_dir`` (default ``.vori/``); returns the env it wrote."""
    return LocalStack(state_dir).up()


def down(state_dir: Path | None = None) -> None:
    """Stop everything the stack under ``state_dir`` started, from any process."""
    LocalStack(state_dir).stop_all()
