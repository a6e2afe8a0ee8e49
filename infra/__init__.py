"""VORI's local stack without Docker: Kafka 4 (KRaft) from Maven Central, PostgreSQL from Debian.

Public API:

    InfraError                      the one exception raised here
    LocalKafka, create_topics, wait_ready
    LocalPostgres
    LocalStack, up, down            the stack under .vori/ with pid bookkeeping
    ProcessRegistry                 generic background processes recorded on disk
    ensure_kafka_jars, ensure_spark_kafka_jars
"""

from __future__ import annotations

from infra.errors import InfraError
from infra.kafka import LocalKafka, create_topics, wait_ready
from infra.maven import ensure_kafka_jars, ensure_spark_kafka_jars
from infra.postgres import LocalPostgres
from infra.procs import ProcessRecord, ProcessRegistry
from infra.stack import LocalStack, default_state_dir, down, up

__all__ = [
    "InfraError",
    "LocalKafka",
    "LocalPostgres",
    "LocalStack",
    "ProcessRecord",
    "ProcessRegistry",
    "create_topics",
    "default_state_dir",
    "down",
    "ensure_kafka_jars",
    "ensure_spark_kafka_jars",
    "up",
    "wait_ready",
]
