"""A single-node Kafka 4.x (KRaft, broker and controller in one JVM) on loopback ports.

The broker runs from the jars that ``infra.maven.ensure_kafka_jars`` fetched. Everything it owns
lives in one data directory: config, ports, KRaft metadata, topic logs, the process log and the
pid record, so ``start()`` after ``stop()`` or ``kill()`` brings back the same broker with its data.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic  # not re-exported by confluent_kafka.admin for mypy

from infra.errors import InfraError
from infra.procs import ProcessRegistry, free_ports, log_tail

__all__ = ["MAX_MESSAGE_BYTES", "LocalKafka", "create_topics", "wait_ready"]

# 30 s of 16 kHz PCM is ~1.3 MB after base64: over the broker default (~1 MB).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024

_PROCESS_NAME = "kafka"
_STATE_FILE = "kafka.json"

_LOG4J2 = """\
# Written by infra.kafka: the broker logs to stdout, which LocalKafka sends to {log}.
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def _admin(bootstrap: str) -> AdminClient:
    # librdkafka's own logger prints connection-refused noise to stderr while the broker boots;
    # route it through Python logging instead.
    return AdminClient(
        {"bootstrap.servers": bootstrap}, logger=logging.getLogger("infra.kafka.admin")
    )


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_ready(bootstrap: str, deadline: float, alive: Callable[[], bool] | None) -> None:
    host, _, port = bootstrap.rpartition(":")
    last_error = "port closed"
    admin: AdminClient | None = None
    while True:
        if alive is not None and not alive():
            raise InfraError(f"Kafka at {bootstrap} exited while starting")
        # A plain TCP probe first: the AdminClient is only built once something listens.
        if _port_open(host, int(port)):
            admin = admin or _admin(bootstrap)
            try:
                metadata = admin.list_topics(timeout=2.0)
                if metadata.brokers:
                    return
                last_error = "no broker registered yet"
            except KafkaException as exc:
                last_error = str(exc)
        if time.monotonic() >= deadline:
            raise InfraError(f"Kafka at {bootstrap} not ready: {last_error}")
        time.sleep(0.2)


def wait_ready(bootstrap: str, timeout: float = 60.0) -> None:
    """Block until a broker at ``bootstrap`` answers metadata; InfraError after ``timeout``."""
    _wait_ready(bootstrap, time.monotonic() + timeout, None)


def create_topics(
    bootstrap: str,
    topics: Mapping[str, int],
    config: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> None:
    """Create ``{name: partitions}`` with replication factor 1; existing topics are left alone.

    Returns once every topic has a leader for all its partitions, so producers can use it at once.
    """
    if not topics:
        return
    admin = _admin(bootstrap)
    new = [
        NewTopic(name, num_partitions=partitions, replication_factor=1, config=dict(config or {}))
        for name, partitions in topics.items()
    ]
    for name, future in admin.create_topics(new, request_timeout=timeout).items():
        try:
            future.result(timeout=timeout)
        except KafkaException as exc:
            error = exc.args[0] if exc.args else None
            if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                continue
            raise InfraError(f"cannot create topic {name!r} at {bootstrap}: {exc}") from exc
    deadline = time.monotonic() + timeout
    while True:
        metadata = admin.list_topics(timeout=timeout)
        pending = [
            name
            for name, partitions in topics.items()
            if name not in metadata.topics
            or metadata.topics[name].error is not None
            or len(metadata.topics[name].partitions) < partitions
            or any(p.leader < 0 for p in metadata.topics[name].partitions.values())
        ]
        if not pending:
            return
        if time.monotonic() >= deadline:
            raise InfraError(f"topics without a leader after {timeout:.0f} s: {pending}")
        time.sleep(0.1)


def _new_cluster_id() -> str:
    # Kafka's Uuid.toString(): 16 random bytes, URL-safe base64 without padding. Kafka itself
    # redraws ids starting with '-' because they read as command-line flags.
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        if not cluster_id.startswith("-"):
            return cluster_id


class LocalKafka:
    """One Kafka 4.x JVM in combined KRaft mode, listening on 127.0.0.1 only.

    ``data_dir`` holds everything; ports are chosen on the first ``start()`` (unless given) and
    kept in ``data_dir/kafka.json``, so later starts, also from other processes, reuse them.
    ``registry`` lets a caller (``LocalStack``) keep the broker's pid with its other processes;
    by default it lives in ``data_dir/run``. ``die_with_parent`` (test sessions) has the kernel
    SIGKILL the JVM when the process that started it dies, even by SIGKILL, so no broker outlives
    a killed test run.
    """

    def __init__(
        self,
        data_dir: Path,
        jars_dir: Path,
        port: int | None = None,
        controller_port: int | None = None,
        heap: str = "512m",
        registry: ProcessRegistry | None = None,
        extra_properties: Mapping[str, str] | None = None,
        die_with_parent: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.jars_dir = Path(jars_dir).resolve()
        self.heap = heap
        self.registry = registry or ProcessRegistry(self.data_dir / "run")
        self.extra_properties = dict(extra_properties or {})
        self.die_with_parent = die_with_parent
        self._port = port
        self._controller_port = controller_port
        self._cluster_id: str | None = None
        self._load_state()

    # -- state -------------------------------------------------------------------------------

    @property
    def log_path(self) -> Path:
        return self.data_dir / "kafka.log"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "logs"

    def _load_state(self) -> None:
        path = self.data_dir / _STATE_FILE
        if not path.is_file():
            return
        try:
            state = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise InfraError(f"unreadable Kafka state {path}: {exc}") from exc
        # Ports given by the caller win only on a fresh data dir; an existing broker keeps its
        # ports because its KRaft quorum config names the controller port.
        self._port = int(state["port"])
        self._controller_port = int(state["controller_port"])
        self._cluster_id = str(state["cluster_id"])

    def _save_state(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        state = {
            "port": self._port,
            "controller_port": self._controller_port,
            "cluster_id": self._cluster_id,
        }
        (self.data_dir / _STATE_FILE).write_text(json.dumps(state, indent=2) + "\n")

    @property
    def port(self) -> int:
        if self._port is None:
            raise InfraError(f"Kafka in {self.data_dir} was never started: no port yet")
        return self._port

    @property
    def bootstrap(self) -> str:
        """``127.0.0.1:PORT`` for ``bootstrap.servers``."""
        return f"127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        record = self.registry.get(_PROCESS_NAME)
        return record.pid if record is not None and record.alive else None

    def is_running(self) -> bool:
        return self.registry.is_running(_PROCESS_NAME)

    # -- lifecycle ---------------------------------------------------------------------------

    def _properties(self) -> dict[str, str]:
        port, cport = self.port, self._controller_port
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "listeners": f"PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{cport}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            # Dynamic quorum (KIP-853): pairs with `StorageTool format --standalone`.
            "controller.quorum.bootstrap.servers": f"127.0.0.1:{cport}",
            "log.dirs": str(self.log_dirs),
            "num.partitions": "1",
            "default.replication.factor": "1",
            "min.insync.replicas": "1",
            "offsets.topic.replication.factor": "1",
            # 50 by default: creating them slows the first consumer group, for no gain here.
            "offsets.topic.num.partitions": "4",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "group.initial.rebalance.delay.ms": "0",
            # After a kill the restarted broker cannot register until the dead incarnation's session
            # expires (9 s by default); a short session makes crash-recovery tests quick.
            "broker.heartbeat.interval.ms": "500",
            "broker.session.timeout.ms": "4000",
            "auto.create.topics.enable": "false",
            "message.max.bytes": str(MAX_MESSAGE_BYTES),
            "replica.fetch.max.bytes": str(MAX_MESSAGE_BYTES),
            # Small network/IO thread pools: a 2-core machine shared with the tests.
            "num.network.threads": "2",
            "num.io.threads": "4",
        }
        props.update(self.extra_properties)
        return props

    def _write_config(self) -> None:
        lines = ["# Written by infra.kafka.LocalKafka; rewritten on every start."]
        lines += [f"{key}={value}" for key, value in self._properties().items()]
        self.config_path.write_text("\n".join(lines) + "\n")
        (self.data_dir / "log4j2.properties").write_text(_LOG4J2.format(log=self.log_path))

    def _java(self) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise InfraError(
                "java not found on PATH; Kafka 4 needs Java 17: "
                "apt-get install -y openjdk-17-jre-headless"
            )
        if not any(self.jars_dir.glob("kafka_2.13-*.jar")):
            raise InfraError(
                f"no Kafka broker jar in {self.jars_dir}; run infra.maven.ensure_kafka_jars first"
            )
        return [
            java,
            f"-Xmx{self.heap}",
            "-Xms64m",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp",
            f"{self.jars_dir}/*",
        ]

    def _format_storage(self) -> None:
        if (self.log_dirs / "meta.properties").is_file():
            return  # already formatted: formatting again would refuse, or wipe nothing we want lost
        assert self._cluster_id is not None
        argv = [
            *self._java(),
            "kafka.tools.StorageTool",
            "format",
            "--config",
            str(self.config_path),
            "--cluster-id",
            self._cluster_id,
            "--standalone",
            "--ignore-formatted",
        ]
        done = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            output = done.stdout.decode("utf-8", errors="replace")[-4000:]
            raise InfraError(f"kafka StorageTool format failed (exit {done.returncode}):\n{output}")

    def start(self, timeout: float = 90.0) -> str:
        """Start the broker (formatting storage on first use) and wait until it serves metadata.

        Returns ``bootstrap``. Starting a running broker only waits for it to be ready.
        """
        deadline = time.monotonic() + timeout
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.is_running():
            _wait_ready(self.bootstrap, deadline, self.is_running)
            return self.bootstrap
        if self._port is None or self._controller_port is None:
            chosen = free_ports(2)
            self._port = self._port or chosen[0]
            self._controller_port = self._controller_port or chosen[1]
        if self._cluster_id is None:
            self._cluster_id = _new_cluster_id()
        self._save_state()
        self._write_config()
        self._format_storage()
        with self.log_path.open("ab") as log:
            log.write(
                f"\n==== infra.kafka start {time.strftime('%Y-%m-%dT%H:%M:%S%z')} ====\n".encode()
            )
        argv = [*self._java(), "kafka.Kafka", str(self.config_path)]
        if self.die_with_parent:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                raise InfraError("setpriv (util-linux) not found; needed for die_with_parent")
            # setpriv sets the parent-death signal and execs java: same pid, nothing in between.
            argv = [setpriv, "--pdeathsig", "KILL", "--", *argv]
        self.registry.start_process(
            _PROCESS_NAME,
            argv,
            log_path=self.log_path,
            cwd=self.data_dir,
        )
        try:
            _wait_ready(self.bootstrap, deadline, self.is_running)
        except InfraError as exc:
            self.stop(timeout=10.0)
            raise InfraError(
                f"{exc}\n--- {self.log_path} (tail) ---\n{log_tail(self.log_path)}"
            ) from exc
        return self.bootstrap

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, SIGKILL after ``timeout`` s; returns once the JVM is gone."""
        self.registry.stop(_PROCESS_NAME, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the broker, as a crash would; ``start()`` recovers it with the same data."""
        self.registry.kill(_PROCESS_NAME)

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
