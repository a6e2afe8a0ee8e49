"""A durable Kafka producer for asyncio code: a call resolves only once Kafka has the record.

Delivery guarantee: :meth:`DurableProducer.produce` returns ``(partition, offset)`` only after the
broker acknowledged the record with ``acks=all`` (idempotent producer, so librdkafka's internal
retries never duplicate it). Any other outcome raises a :class:`KafkaProducerError`; the record
may or may not have been stored then, so callers retry with the same content (downstream dedupes).

Exceptions::

    KafkaProducerError
    ├── KafkaUnavailable      broker unreachable, slow, or the local queue is full: retry later
    └── KafkaRecordRejected   Kafka refuses this record (too large, ...): retrying will not help
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer

__all__ = [
    "Delivered",
    "DurableProducer",
    "KafkaProducerError",
    "KafkaRecordRejected",
    "KafkaUnavailable",
]

log = logging.getLogger(__name__)

Headers = Sequence[tuple[str, bytes]]


class KafkaProducerError(Exception):
    """Base of the producer's errors."""


class KafkaUnavailable(KafkaProducerError):
    """Kafka did not acknowledge the record in time; the caller should retry after a pause."""

    def __init__(self, message: str, *, retry_after_s: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class KafkaRecordRejected(KafkaProducerError):
    """Kafka refuses the record itself (for instance it is over the size limit)."""


@dataclass(frozen=True)
class Delivered:
    partition: int
    offset: int
    timestamp_ms: int


# Errors about the record itself; every other delivery error means "Kafka is not available".
_REJECTIONS = frozenset(
    {
        KafkaError.MSG_SIZE_TOO_LARGE,
        KafkaError.INVALID_MSG_SIZE,
        KafkaError.RECORD_LIST_TOO_LARGE,
        KafkaError.INVALID_RECORD,
        KafkaError.INVALID_MSG,
        KafkaError.TOPIC_AUTHORIZATION_FAILED,
        KafkaError.TOPIC_EXCEPTION,
    }
)


class DurableProducer:
    """An idempotent ``acks=all`` producer with a background poll thread.

    One instance per process; it is safe to call :meth:`produce` from any number of coroutines
    on one event loop. ``delivery_timeout_s`` bounds how long a record may wait for Kafka before
    the call fails with :class:`KafkaUnavailable`.
    """

    def __init__(
        self,
        bootstrap: str,
        *,
        delivery_timeout_s: float = 5.0,
        linger_ms: float = 2.0,
        max_message_bytes: int = 2 * 1024 * 1024,
        client_id: str = "vori-gateway",
        extra_config: dict[str, Any] | None = None,
    ) -> None:
        self.delivery_timeout_s = delivery_timeout_s
        self._config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "client.id": client_id,
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": linger_ms,
            # librdkafka retries internally until this expires, then reports the record failed.
            "message.timeout.ms": max(1, int(delivery_timeout_s * 1000)),
            "message.max.bytes": max_message_bytes,
            # Same partition for a key as the Java client, so every producer agrees.
            "partitioner": "murmur2_random",
            # Come back quickly after a broker restart.
            "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 1000,
            "socket.connection.setup.timeout.ms": max(1000, int(delivery_timeout_s * 1000)),
            "error_cb": self._on_error,
            # librdkafka's log lines go to Python logging (served by the poll thread).
            "logger": logging.getLogger("vori.kafka.producer"),
        }
        self._config.update(extra_config or {})
        self._producer = Producer(self._config)
        self._fatal = False
        self._closed = threading.Event()
        self._poller = threading.Thread(target=self._poll_loop, name="kafka-poll", daemon=True)
        self._poller.start()

    async def produce(
        self, topic: str, key: bytes | None, value: bytes, headers: Headers = ()
    ) -> Delivered:
        """Send one record and wait for Kafka's acknowledgement (or raise)."""
        if self._closed.is_set():
            raise KafkaUnavailable("the producer is closed")
        if self._fatal:
            self._recreate()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Delivered] = loop.create_future()

        def on_delivery(err: KafkaError | None, msg: Message) -> None:
            # Runs on the poll thread: hand the outcome to the event loop.
            outcome: Delivered | KafkaProducerError
            if err is not None:
                outcome = _translate(err)
            else:
                ts = msg.timestamp()[1]
                outcome = Delivered(msg.partition() or 0, msg.offset() or 0, ts)
            loop.call_soon_threadsafe(_settle, future, outcome)

        try:
            self._producer.produce(
                topic, value=value, key=key, headers=list(headers), on_delivery=on_delivery
            )
        except BufferError as exc:
            raise KafkaUnavailable("the Kafka send queue is full") from exc
        except KafkaException as exc:
            raise _translate(exc.args[0]) from exc
        # librdkafka reports every record before message.timeout.ms; the margin only guards
        # against a stuck client.
        try:
            return await asyncio.wait_for(future, self.delivery_timeout_s + 2.0)
        except TimeoutError as exc:
            raise KafkaUnavailable("Kafka did not acknowledge the record in time") from exc

    def close(self, flush_timeout_s: float = 5.0) -> int:
        """Flush what is queued, stop the poll thread; returns how many records were left."""
        self._closed.set()
        self._poller.join(timeout=2.0)
        return int(self._producer.flush(flush_timeout_s))

    def _poll_loop(self) -> None:
        while not self._closed.is_set():
            try:
                self._producer.poll(0.05)
            except Exception:  # a callback bug must not kill delivery reports for good
                log.exception("kafka poll failed")

    def _on_error(self, err: KafkaError) -> None:
        if err.fatal():
            log.error("fatal Kafka producer error, recreating the producer: %s", err)
            self._fatal = True
        else:
            log.debug("kafka client error: %s", err)

    def _recreate(self) -> None:
        # A fatal error (idempotence state lost) leaves the client unusable: start a new one.
        old = self._producer
        self._producer = Producer(self._config)
        self._fatal = False
        old.flush(0)


def _settle(future: asyncio.Future[Delivered], outcome: Delivered | KafkaProducerError) -> None:
    if future.done():  # the caller gave up waiting
        return
    if isinstance(outcome, Delivered):
        future.set_result(outcome)
    else:
        future.set_exception(outcome)


def _translate(err: KafkaError) -> KafkaProducerError:
    if err.code() in _REJECTIONS:
        return KafkaRecordRejected(f"Kafka rejected the record: {err.str()}")
    return KafkaUnavailable(f"Kafka is not available: {err.str()}")
