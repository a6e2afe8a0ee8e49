"""TF-IDF keywords per meeting over its team's corpus: exact scores, team isolation, idempotent store."""

from __future__ import annotations

import math
from types import SimpleNamespace

import psycopg
from pyspark.sql import SparkSession

from analytics.efficiency import EfficiencySweep
from analytics.tfidf import MeetingKeywords, meeting_documents, tfidf_keywords
from connectors.postgres import migrate

# Team "a" has two meetings: "release" is said in both (three times in m1), everything else in one.
# Team "b" has one meeting that shares words with team "a".
SEGMENTS = [
    ("a", "m1", 0, "Release the budget review. Budget budget numbers."),
    ("a", "m1", 5_000, "Release release roadmap"),
    ("a", "m2", 0, "Release hiring plan, hiring interviews."),
    ("a", "m2", 5_000, "배포 일정을 공유했습니다"),
    ("b", "m3", 0, "Budget roadmap release release"),
]


def score(tf: int, n: int, df: int) -> float:
    """Count in the meeting times Spark's IDF, ln((n + 1) / (df + 1)), as stored (6 decimals)."""
    return round(tf * math.log((n + 1) / (df + 1)), 6)


# Team "a" alone: n = 2, df = 1 for every word but "release".
EXPECTED = [
    ("m1", "budget", score(3, 2, 1)),
    ("m1", "numbers", score(1, 2, 1)),
    ("m1", "review", score(1, 2, 1)),
    ("m1", "roadmap", score(1, 2, 1)),
    ("m2", "hiring", score(2, 2, 1)),
    ("m2", "interviews", score(1, 2, 1)),
    ("m2", "plan", score(1, 2, 1)),
    ("m2", "공유", score(1, 2, 1)),
    ("m2", "배포", score(1, 2, 1)),
    ("m2", "일정", score(1, 2, 1)),
]
STORED = "SELECT meeting_id, keyword, score FROM meeting_keywords ORDER BY meeting_id, score DESC, keyword"


def _ranked(rows: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    return sorted(rows, key=lambda r: (r[0], -r[2], r[1]))


def test_top_keywords_per_meeting_fitted_per_team(spark: SparkSession) -> None:
    segments = spark.createDataFrame(
        [(team, mid, text) for team, mid, _, text in SEGMENTS],
        "team string, meeting_id string, text string",
    )
    documents = meeting_documents(segments).persist()
    got = _ranked(
        [(r["meeting_id"], r["keyword"], r["score"]) for r in tfidf_keywords(documents).collect()]
    )
    # "release", the most frequent word of m1, is in every meeting of team "a": IDF 0, not kept.
    # Team "b"'s meeting is its team's only document (IDF 0 throughout): no keywords, and its
    # "budget"/"roadmap"/"release" do not reach team "a" (a pooled corpus would give budget
    # 3 * ln(4/3) and release a positive score).
    assert got == EXPECTED

    # Top-N cuts each meeting's ranking; ties go by keyword.
    top2 = _ranked(
        [(r["meeting_id"], r["keyword"], r["score"]) for r in tfidf_keywords(documents, 2).collect()]
    )
    assert top2 == [EXPECTED[0], EXPECTED[1], EXPECTED[4], EXPECTED[5]]
    documents.unpersist()


def _seed(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO meetings (meeting_id, team, status) VALUES "
            "('m1', 'a', 'closed'), ('m2', 'a', 'closed'), ('m3', 'b', 'closed'), ('m4', 'a', 'live')"
        )
        conn.cursor().executemany(
            "INSERT INTO transcript_segments (team, meeting_id, start_ms, end_ms, text) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(team, mid, start, start + 4000, text) for team, mid, start, text in SEGMENTS]
            # A live meeting is not part of the corpus yet.
            + [("a", "m4", 0, 4000, "budget budget roadmap hiring")],
        )


def test_sweep_stores_keywords_idempotently(
    spark: SparkSession, pg_database_dsn: str, vt: SimpleNamespace
) -> None:
    dsn = pg_database_dsn
    migrate(dsn)
    _seed(dsn)
    sweep = EfficiencySweep(dsn)
    assert sweep.sweep(spark) == 3  # metrics of m1, m2, m3; keywords of teams a and b
    assert vt.query(dsn, STORED) == EXPECTED

    # Re-running changes no row, not even its computed_at or its tuple version.
    full = "SELECT meeting_id, keyword, score, computed_at, xmin::text FROM meeting_keywords ORDER BY 1, 2"
    before = vt.query(dsn, full)
    with psycopg.connect(dsn) as conn:
        assert MeetingKeywords().refresh(spark, conn, ["a", "b"]) == len(EXPECTED)
    assert vt.query(dsn, full) == before
    assert sweep.sweep(spark) == 0

    # m4 closes: team "a" is refitted over three meetings and each of them rescored; budget,
    # hiring, roadmap and now release are in two of them (df = 2), the rest in one.
    with psycopg.connect(dsn) as conn:
        conn.execute("UPDATE meetings SET status = 'closed', updated_at = now() WHERE meeting_id = 'm4'")
    assert sweep.sweep(spark) == 1
    assert vt.query(dsn, STORED) == [
        ("m1", "budget", score(3, 3, 2)),
        ("m1", "release", score(3, 3, 2)),
        ("m1", "numbers", score(1, 3, 1)),
        ("m1", "review", score(1, 3, 1)),
        ("m1", "roadmap", score(1, 3, 2)),
        ("m2", "interviews", score(1, 3, 1)),
        ("m2", "plan", score(1, 3, 1)),
        ("m2", "공유", score(1, 3, 1)),
        ("m2", "배포", score(1, 3, 1)),
        ("m2", "일정", score(1, 3, 1)),
        ("m2", "hiring", score(2, 3, 2)),
        ("m2", "release", score(1, 3, 2)),
        ("m4", "budget", score(2, 3, 2)),
        ("m4", "hiring", score(1, 3, 2)),
        ("m4", "roadmap", score(1, 3, 2)),
    ]
    # Team "b" was not refitted: its rows did not change (it still has none).
    assert vt.query(dsn, "SELECT count(*) FROM meeting_keywords WHERE meeting_id = 'm3'") == [(0,)]
