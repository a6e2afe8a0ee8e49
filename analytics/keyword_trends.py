"""Keyword trends: ``transcription.completed`` from Kafka to ``keyword_trends`` per team, hour, day.

Pure DataFrame -> DataFrame transforms (``parse_transcripts``, ``segment_keywords``,
``window_counts``) and the I/O around them (``KeywordTrendsSink``, ``start_keyword_trends``).

Delivery: Spark's checkpoint gives at-least-once into ``foreachBatch``; the sink makes it
effectively-once by replacing each segment's keyword counts (natural key meeting_id, source,
start_ms) and rebuilding the touched windows from them, so a replayed batch, a redelivered record or
a restart from the checkpoint never double counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pyspark.ml.feature import StopWordsRemover
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.streaming.query import StreamingQuery

from analytics.errors import SinkError
from analytics.spark import start_foreach_batch
from connectors.analytics_store import (
    TREND_GRANULARITIES,
    AnalyticsReject,
    SegmentKey,
    SegmentKeywordCount,
    TrendScore,
    meeting_teams,
    replace_segment_keyword_counts,
    set_trend_scores,
    sink_transaction,
    store_rejects,
    trend_series,
)
from connectors.postgres import Connection, PostgresError
from connectors.settings import Settings
from domain.keywords import ENGLISH_STOP_WORDS, KOREAN_STOP_WORDS, TRAILING_WINDOWS, trend_score

__all__ = [
    "GRANULARITIES",
    "JOB_NAME",
    "TRANSCRIPT_SCHEMA",
    "KeywordTrendsSink",
    "latest_per_segment",
    "parse_transcripts",
    "segment_keywords",
    "start_keyword_trends",
    "window_counts",
]

log = logging.getLogger(__name__)

JOB_NAME = "keyword-trends"
# The windows of ``keyword_trends``: the store defines them (their columns live there).
GRANULARITIES: dict[str, timedelta] = {g: step for g, (step, _) in TREND_GRANULARITIES.items()}

TRANSCRIPT_SCHEMA = T.StructType(
    [
        T.StructField("meeting_id", T.StringType()),
        T.StructField("team", T.StringType()),
        T.StructField("source", T.StringType()),
        T.StructField("speaker", T.StringType()),
        T.StructField("start_ms", T.LongType()),
        T.StructField("end_ms", T.LongType()),
        T.StructField("text", T.StringType()),
        T.StructField("language", T.StringType()),
        T.StructField("model", T.StringType()),
        T.StructField("posted_ms", T.LongType()),
        T.StructField("transcribed_at", T.StringType()),
        T.StructField("kind", T.StringType()),
    ]
)


def _reason(value: Column, rec: Column) -> Column:
    missing = [
        F.when(rec[name].isNull(), F.lit(name)) for name in ("meeting_id", "start_ms", "text")
    ]
    return (
        F.when(value.isNull(), F.lit("empty value"))
        .when(F.get_json_object(value, "$").isNull(), F.lit("not JSON"))
        .when(rec.isNull(), F.lit("not a JSON object"))
        .when(
            rec["meeting_id"].isNull() | rec["start_ms"].isNull() | rec["text"].isNull(),
            F.concat(F.lit("missing "), F.concat_ws(",", *missing)),
        )
        .when(rec["start_ms"] < 0, F.lit("negative start_ms"))
    )


def parse_transcripts(kafka_df: DataFrame) -> DataFrame:
    """Kafka rows -> one row per record with its fields, ``event_time`` and ``error``.

    ``error`` is null for a usable record and a reason otherwise; nothing is dropped here, so the
    caller can count and keep what it skips. ``event_time`` is when the segment's audio reached
    Kafka (``posted_ms``), else ``transcribed_at``, else the record's Kafka timestamp.
    """
    value = F.col("value").cast("string")
    rec = F.from_json(value, TRANSCRIPT_SCHEMA, {"mode": "PERMISSIVE"})
    return (
        kafka_df.select(
            "topic", "partition", "offset", F.col("timestamp").alias("kafka_ts"),
            value.alias("raw"), rec.alias("rec"),
        )
        # Lifecycle and revision records (docs/contract.md section 2) are not segments, nor errors.
        .where(F.col("rec").isNull() | F.col("rec.kind").isNull() | (F.col("rec.kind") == "segment"))
        .select(
            "topic", "partition", "offset", "raw",
            F.col("rec.meeting_id").alias("meeting_id"),
            F.col("rec.team").alias("team"),
            F.coalesce(F.col("rec.source"), F.lit("main")).alias("source"),
            F.col("rec.speaker").alias("speaker"),
            F.col("rec.start_ms").alias("start_ms"),
            F.col("rec.end_ms").alias("end_ms"),
            F.col("rec.text").alias("text"),
            F.col("rec.language").alias("language"),
            F.coalesce(
                F.timestamp_millis(F.col("rec.posted_ms")),
                F.try_to_timestamp(F.col("rec.transcribed_at")),
                F.col("kafka_ts"),
            ).alias("event_time"),
            _reason(F.col("raw"), F.col("rec")).alias("error"),
        )
    )


def latest_per_segment(segments: DataFrame) -> DataFrame:
    """One row per segment natural key (team, meeting_id, source, start_ms): the last one in
    Kafka."""
    last = Window.partitionBy("team", "meeting_id", "source", "start_ms").orderBy(
        F.col("partition").desc(), F.col("offset").desc()
    )
    return segments.withColumn("_n", F.row_number().over(last)).where("_n = 1").drop("_n")


def _tokens(text: str | None) -> list[str]:
    # Runs in the Python workers; the Korean model loads once per worker.
    from connectors.korean import korean_nouns
    from domain.keywords import tokenize

    return tokenize(text or "", korean_nouns)


def stop_words() -> list[str]:
    return sorted(ENGLISH_STOP_WORDS | KOREAN_STOP_WORDS)


def segment_keywords(segments: DataFrame) -> DataFrame:
    """Usable segments (with ``team``) -> one row per (segment, keyword) with its mention count.

    Tokenises English and Korean (``domain.keywords.tokenize``), removes stop words with Spark ML's
    ``StopWordsRemover`` over the domain's English and Korean lists, drops tokens shorter than two
    characters and numbers, and assigns each row its hour and day window.
    """
    # A lambda: PySpark 4 reads a function's type hints as a request for an Arrow UDF.
    tokens_udf = F.udf(lambda text: _tokens(text), T.ArrayType(T.StringType()))
    tokenised = segments.select(
        "meeting_id", "source", "start_ms", "team", "event_time",
        tokens_udf(F.col("text")).alias("tokens"),
    )
    remover = StopWordsRemover(
        inputCol="tokens", outputCol="words", stopWords=stop_words(), caseSensitive=True
    )
    words = remover.transform(tokenised).select(
        "meeting_id", "source", "start_ms", "team", "event_time",
        F.explode("words").alias("keyword"),
    )
    return (
        words.where((F.length("keyword") >= 2) & ~F.col("keyword").rlike(r"^[0-9]+$"))
        .groupBy("meeting_id", "source", "start_ms", "keyword", "team")
        .agg(F.count(F.lit(1)).cast("int").alias("mentions"), F.min("event_time").alias("t"))
        .select(
            "meeting_id", "source", "start_ms", "keyword", "team",
            # Tumbling windows aligned on UTC (the session time zone is UTC).
            F.date_trunc("hour", "t").alias("hour_start"),
            F.date_trunc("day", "t").alias("day_start"),
            "mentions",
        )
    )


def window_counts(seg_keywords: DataFrame) -> DataFrame:
    """(segment, keyword) rows -> ``keyword_trends`` rows without the score, for both granularities.

    The same aggregation the sink runs in PostgreSQL over every stored segment of a window.
    """
    parts = []
    for name, step in GRANULARITIES.items():
        start = F.col("hour_start" if name == "hour" else "day_start")
        parts.append(
            seg_keywords.groupBy("team", start.alias("window_start"), "keyword").agg(
                F.sum("mentions").cast("long").alias("mentions"),
                F.count_distinct("meeting_id").alias("meetings"),
            )
            .select(
                "team", F.lit(name).alias("granularity"), "window_start",
                (F.col("window_start") + F.expr(f"INTERVAL {int(step.total_seconds())} SECONDS"))
                .alias("window_end"),
                "keyword", "mentions", "meetings",
            )
        )
    return parts[0].unionByName(parts[1])


@dataclass
class KeywordTrendsSink:
    """``foreachBatch`` target: stores the batch's rejects and keyword counts, rebuilds windows.

    Each call is one PostgreSQL transaction; if it fails the error propagates, the query stops
    without committing the batch, and the next start replays it from the checkpoint (harmless:
    every write is an upsert on a natural key). ``rejected`` counts records skipped by this process.
    """

    dsn: str
    job: str = JOB_NAME
    rejected: int = 0
    batches: int = 0
    last_segments: int = 0
    _teams: dict[str, str] = field(default_factory=dict)

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        # Every action below would otherwise re-read the micro-batch from Kafka.
        batch = batch.persist()
        try:
            self._write(batch, batch_id)
        finally:
            batch.unpersist()

    def _write(self, batch: DataFrame, batch_id: int) -> None:
        rows = batch.select(
            "topic", "partition", "offset", "raw", "meeting_id", "team", "error"
        ).collect()
        try:
            with sink_transaction(self.dsn, f"{self.job}: batch {batch_id}") as conn:
                rejects = [r for r in rows if r["error"] is not None]
                oks = [r for r in rows if r["error"] is None]
                teams = self._lookup_teams(conn, {r["meeting_id"] for r in oks if not r["team"]})
                unknown = [r for r in oks if not (r["team"] or teams.get(r["meeting_id"]))]
                rejected = [
                    AnalyticsReject(r["topic"], r["partition"], r["offset"], r["error"], r["raw"])
                    for r in rejects
                ] + [
                    AnalyticsReject(
                        r["topic"], r["partition"], r["offset"], "unknown meeting", r["raw"]
                    )
                    for r in unknown
                ]
                store_rejects(conn, self.job, rejected)
                self.rejected += len(rejected)
                usable = {(r["topic"], r["partition"], r["offset"]) for r in oks} - {
                    (r["topic"], r["partition"], r["offset"]) for r in unknown
                }
                if usable:
                    self._store_keywords(conn, batch, teams)
        except PostgresError as exc:
            raise SinkError(f"{self.job}: batch {batch_id} not written: {exc}") from exc
        self.batches += 1
        if rejected:
            log.warning("%s: batch %d skipped %d record(s)", self.job, batch_id, len(rejected))

    def _lookup_teams(self, conn: Connection, ids: set[str]) -> dict[str, str]:
        wanted = [i for i in ids if i not in self._teams]
        if wanted:
            self._teams.update(meeting_teams(conn, wanted))
        return self._teams

    def _store_keywords(self, conn: Connection, batch: DataFrame, teams: dict[str, str]) -> None:
        spark = batch.sparkSession
        team_df = spark.createDataFrame(
            list(teams.items()) or [("", "")], "meeting_id string, looked_up string"
        )
        ok = (
            batch.where(F.col("error").isNull())
            .join(F.broadcast(team_df), "meeting_id", "left")
            .withColumn("team", F.coalesce(F.col("team"), F.col("looked_up")))
            .where(F.col("team").isNotNull())
        )
        ok = latest_per_segment(ok)
        segments = {
            SegmentKey(r["team"], r["meeting_id"], r["source"], r["start_ms"])
            for r in ok.select("team", "meeting_id", "source", "start_ms").collect()
        }
        # Epoch seconds, not datetimes: PySpark would hand back naive local-time values.
        counted = [
            SegmentKeywordCount(r[0], r[1], r[2], r[3], r[4], _utc(r[5]), _utc(r[6]), r[7])
            for r in segment_keywords(ok)
            .select(
                "meeting_id", "source", "start_ms", "keyword", "team",
                F.unix_seconds("hour_start"), F.unix_seconds("day_start"), "mentions",
            )
            .collect()
        ]
        self.last_segments = len(segments)
        firsts = replace_segment_keyword_counts(conn, segments, counted)
        for granularity, first in firsts.items():
            _rescore(conn, granularity, first)


def _rescore(conn: Connection, granularity: str, firsts: dict[tuple[str, str], datetime]) -> None:
    """Recompute the score of every rebuilt window and of the windows whose trailing span
    includes one (they may have changed baseline)."""
    step = GRANULARITIES[granularity]
    series = trend_series(conn, granularity, firsts, step * TRAILING_WINDOWS)
    updates = []
    for key, points in series.items():
        for ws, mentions in points.items():
            if ws < firsts[key]:
                continue
            trailing = [points.get(ws - step * i, 0) for i in range(TRAILING_WINDOWS, 0, -1)]
            updates.append(TrendScore(key[0], key[1], ws, trend_score(mentions, trailing)))
    set_trend_scores(conn, granularity, updates)


def _utc(epoch_s: int) -> datetime:
    return datetime.fromtimestamp(epoch_s, UTC)


def read_transcripts(
    spark: SparkSession, settings: Settings, topic: str | None = None
) -> DataFrame:
    """The ``transcription.completed`` stream (earliest offsets on a fresh checkpoint)."""
    return (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.kafka_bootstrap)
        .option("subscribe", topic or settings.transcript_topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "false")
        .option("maxOffsetsPerTrigger", 20_000)
        .load()
    )


def start_keyword_trends(
    spark: SparkSession,
    settings: Settings,
    *,
    available_now: bool = False,
    checkpoint: str | None = None,
    topic: str | None = None,
    sink: KeywordTrendsSink | None = None,
) -> tuple[StreamingQuery, KeywordTrendsSink]:
    """Start the streaming query; ``available_now`` processes what is in Kafka and stops."""
    sink = sink or KeywordTrendsSink(settings.database_url)
    # No watermark or stateful dedupe here: the sink keeps no window state in Spark (it rebuilds
    # windows from per-segment counts in PostgreSQL), so late and duplicate records are absorbed
    # there at any lateness. (dropDuplicatesWithinWatermark also dropped new records after a
    # restart from the checkpoint on 4.3.0.)
    parsed = parse_transcripts(read_transcripts(spark, settings, topic))
    return start_foreach_batch(parsed, JOB_NAME, sink, settings, available_now, checkpoint), sink

