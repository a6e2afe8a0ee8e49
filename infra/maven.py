"""Jars from Maven Central for the local stack: the Kafka broker and pyspark's Kafka connector.

``infra/pom.xml`` names them; ``mvn dependency:copy-dependencies`` copies them into a cache folder
(default ``.vori/cache/maven``). A marker written after a complete copy makes later calls instant;
editing the pom invalidates it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from infra.errors import InfraError

__all__ = [
    "KAFKA_JARS_DIR",
    "POM_PATH",
    "SPARK_KAFKA_JARS_DIR",
    "ensure_kafka_jars",
    "ensure_spark_kafka_jars",
    "mvn_command",
]

POM_PATH = Path(__file__).resolve().parent / "pom.xml"
KAFKA_JARS_DIR = "kafka-jars"
SPARK_KAFKA_JARS_DIR = "spark-kafka-jars"
_MARKER = ".complete"


def mvn_command(profile: str, cache_dir: Path, output_dir: Path, mvn: str = "mvn") -> list[str]:
    """The exact mvn invocation that copies ``profile``'s jars into ``output_dir``."""
    cache_dir = Path(cache_dir).resolve()
    return [
        mvn,
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(POM_PATH),
        f"-P{profile}",
        "dependency:copy-dependencies",
        # A repository inside the cache: works on a fresh machine and never touches ~/.m2.
        f"-Dmaven.repo.local={cache_dir / 'repository'}",
        f"-DoutputDirectory={Path(output_dir).resolve()}",
    ]


def _fingerprint(profile: str) -> str:
    return hashlib.sha256(profile.encode() + b"\0" + POM_PATH.read_bytes()).hexdigest()


def _ensure(profile: str, cache_dir: Path, folder: str, timeout: float) -> Path:
    cache_dir = Path(cache_dir).resolve()
    out = cache_dir / folder
    marker = out / _MARKER
    wanted = _fingerprint(profile)
    if marker.is_file() and marker.read_text().strip() == wanted:
        return out
    cache_dir.mkdir(parents=True, exist_ok=True)
    # Serialises concurrent callers (parallel test sessions, make up while tests run).
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text().strip() == wanted:
            return out
        mvn = shutil.which("mvn")
        if mvn is None:
            raise InfraError(
                "mvn not found on PATH; install it with: "
                "apt-get install -y maven openjdk-17-jdk-headless"
            )
        # Copy into a scratch folder and swap it in, so an interrupted run never looks complete
        # and jars of an older pom never mix with the new ones.
        staging = cache_dir / f".{folder}.staging-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        argv = mvn_command(profile, cache_dir, staging, mvn=mvn)
        try:
            done = subprocess.run(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            shutil.rmtree(staging, ignore_errors=True)
            raise InfraError(
                f"mvn did not finish within {timeout:.0f} s: {' '.join(argv)}"
            ) from exc
        # Maven 3.8 colours its output even with -B when stdout is a pipe; keep messages readable.
        output = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout.decode("utf-8", errors="replace"))
        if done.returncode != 0 or not any(staging.glob("*.jar")):
            shutil.rmtree(staging, ignore_errors=True)
            raise InfraError(
                f"mvn failed (exit {done.returncode}) resolving profile {profile!r}:\n"
                f"  {' '.join(argv)}\n{output[-4000:]}"
            )
        (staging / _MARKER).write_text(wanted + "\n")
        shutil.rmtree(out, ignore_errors=True)
        staging.rename(out)
        return out


def ensure_kafka_jars(cache_dir: Path, timeout: float = 900.0) -> Path:
    """The folder holding the Kafka broker's classpath (``<cache_dir>/kafka-jars``).

    Resolves it with mvn on first use; later calls only check a marker file.
    """
    return _ensure("broker", cache_dir, KAFKA_JARS_DIR, timeout)


def ensure_spark_kafka_jars(cache_dir: Path, timeout: float = 900.0) -> list[Path]:
    """The jars to pass to pyspark's ``spark.jars`` for the ``kafka`` source and sink, sorted.

    Only the connector, its token provider, ``kafka-clients`` and ``commons-pool2``: the rest of
    what they need already ships inside the pyspark wheel.
    """
    folder = _ensure("spark-kafka", cache_dir, SPARK_KAFKA_JARS_DIR, timeout)
    return sorted(folder.glob("*.jar"))
