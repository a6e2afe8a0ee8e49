"""Freshness of keyword trends: seconds from a segment's commit to Kafka to its keyword in PostgreSQL.

Starts its own Kafka and PostgreSQL (or uses VORI_KAFKA_BOOTSTRAP / VORI_DATABASE_URL when both are
set), runs the keyword-trends job with the configured trigger (default ``10 seconds``), sends one
segment with a unique keyword every ``--every`` seconds and polls ``keyword_trends`` for it.

    .venv/bin/python bench/analytics_freshness.py --records 10 --every 3
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from confluent_kafka import Producer

from analytics.keyword_trends import start_keyword_trends
from analytics.spark import build_session
from connectors.analytics_store import keyword_trend_exists
from connectors.postgres import connect, migrate
from connectors.settings import Settings
from connectors.transcript_store import write_items
from domain.timeline import MeetingSeen


def _services(stack: ExitStack, tmp: Path) -> tuple[str, str]:
    if os.environ.get("VORI_KAFKA_BOOTSTRAP") and os.environ.get("VORI_DATABASE_URL"):
        return os.environ["VORI_KAFKA_BOOTSTRAP"], os.environ["VORI_DATABASE_URL"]
    from infra.kafka import LocalKafka
    from infra.maven import ensure_kafka_jars
    from infra.postgres import LocalPostgres

    kafka = LocalKafka(tmp / "kafka", ensure_kafka_jars(ROOT / ".vori/cache/maven"),
                       die_with_parent=True)
    kafka.start()
    stack.callback(kafka.stop)
    pg_root = Path(tempfile.mkdtemp(prefix="vori-bench-pg-"))
    pg_root.chmod(0o711)
    stack.callback(shutil.rmtree, pg_root, True)
    pg = LocalPostgres(pg_root / "data", fsync=False)
    pg.start()
    stack.callback(pg.stop)
    return kafka.bootstrap, pg.dsn()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10)
    ap.add_argument("--every", type=float, default=3.0)
    ap.add_argument("--timeout", type=float, default=90.0)
    args = ap.parse_args()
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        bootstrap, dsn = _services(stack, tmp)
        migrate(dsn)
        topic = f"bench.transcripts.{uuid.uuid4().hex[:8]}"
        settings = Settings.from_env(
            kafka_bootstrap=bootstrap, database_url=dsn, transcript_topic=topic,
            analytics_checkpoint_dir=tmp / "ckpt", state_dir=tmp,
        )
        if not settings.spark_jars:  # the repo's jar cache, not one per run under tmp
            from infra.maven import ensure_spark_kafka_jars

            jars = ensure_spark_kafka_jars(ROOT / ".vori/cache/maven")
            settings = settings.with_(spark_jars=",".join(str(p) for p in jars))
        with connect(dsn) as conn:
            write_items(conn, [MeetingSeen("bench", "bench", None, int(time.time() * 1000), {})])
        from infra.kafka import create_topics

        create_topics(bootstrap, {topic: 1})
        producer = Producer({"bootstrap.servers": bootstrap})
        producer.produce(topic, key=b"warm", value=b"{}")
        producer.flush(30)
        spark = build_session(settings, app_name="vori-bench")
        query, _ = start_keyword_trends(spark, settings)
        lags: list[float] = []
        try:
            with connect(dsn, autocommit=True) as conn:
                for i in range(args.records):
                    word = f"benchword{uuid.uuid4().hex[:6]}"
                    value = {"meeting_id": "bench", "source": "main", "start_ms": i * 1000,
                             "end_ms": i * 1000 + 900, "text": f"{word} rollout",
                             "posted_ms": int(time.time() * 1000)}
                    producer.produce(topic, key=b"bench", value=json.dumps(value).encode())
                    producer.flush(30)
                    committed = time.monotonic()
                    while time.monotonic() - committed < args.timeout:
                        if not query.isActive:
                            raise RuntimeError(f"the job stopped: {query.exception()}")
                        if keyword_trend_exists(conn, word):
                            break
                        time.sleep(0.1)
                    lags.append(time.monotonic() - committed)
                    print(f"record {i}: {lags[-1]:.2f} s", flush=True)
                    time.sleep(args.every)
        finally:
            query.stop()
            spark.stop()
    lags.sort()
    print(f"trigger={settings.analytics_trigger!r} records={len(lags)} "
          f"p50={statistics.median(lags):.2f}s max={lags[-1]:.2f}s mean={statistics.mean(lags):.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
