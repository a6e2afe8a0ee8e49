"""TF-IDF keywords per meeting over its team's corpus (Spark ML ``CountVectorizer`` + ``IDF``),
stored in ``meeting_keywords`` for the minutes, ``vori report`` and the board.

Pure transforms: ``meeting_documents`` (segments -> one bag of keywords per meeting) and
``tfidf_keywords`` (documents -> top-N keywords per meeting, the IDF fitted per team). The I/O
wrapper ``MeetingKeywords`` reads a team's closed meetings from PostgreSQL and stores the result;
the efficiency sweep calls it whenever it computes a meeting's metrics.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

import psycopg
from pyspark.ml.feature import IDF, CountVectorizer
from pyspark.ml.linalg import SparseVector, Vector
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

__all__ = [
    "DEFAULT_TOP_N",
    "KEYWORDS_SCHEMA",
    "MeetingKeywords",
    "meeting_documents",
    "store_meeting_keywords",
    "tfidf_keywords",
]

DEFAULT_TOP_N = 10
KEYWORDS_SCHEMA = "team string, meeting_id string, keyword string, score double"
_TERM = T.StructType([T.StructField("keyword", T.StringType()), T.StructField("score", T.DoubleType())])


def _keywords(text: str | None) -> list[str]:
    # Runs in the Python workers; the Korean model loads once per worker.
    from connectors.korean import korean_nouns
    from domain.keywords import extract_keywords

    return extract_keywords(text or "", korean_nouns)


def meeting_documents(segments: DataFrame) -> DataFrame:
    """Segments (``team``, ``meeting_id``, ``text``) -> one document per meeting: its keywords.

    The tokeniser of keyword trends (``domain.keywords``: English words, Korean nouns through
    kiwipiepy), the same stop words and the same "two characters, not a number" rule; repeats are
    kept (they are the term frequency). Meetings without any keyword are left out.
    """
    # A lambda: PySpark 4 reads a function's type hints as a request for an Arrow UDF.
    keywords_udf = F.udf(lambda text: _keywords(text), T.ArrayType(T.StringType()))
    return (
        segments.select("team", "meeting_id", keywords_udf(F.col("text")).alias("words"))
        .groupBy("team", "meeting_id")
        .agg(F.flatten(F.collect_list("words")).alias("words"))
        .where(F.size("words") > 0)
    )


def _top_terms(vector: Vector, vocabulary: Sequence[str], top_n: int) -> list[tuple[str, float]]:
    items = (
        zip(vector.indices, vector.values, strict=True)
        if isinstance(vector, SparseVector)
        else enumerate(vector.toArray())
    )
    # Rounded so that a recomputation over the same corpus stores bit-identical scores.
    scored = [(vocabulary[int(i)], round(float(s), 6)) for i, s in items if s > 0]
    scored.sort(key=lambda t: (-t[1], t[0]))
    return scored[:top_n]


def _team_keywords(documents: DataFrame, top_n: int) -> DataFrame:
    tf_model = CountVectorizer(inputCol="words", outputCol="tf").fit(documents)
    tf = tf_model.transform(documents)
    tfidf = IDF(inputCol="tf", outputCol="tfidf").fit(tf).transform(tf)
    vocabulary = list(tf_model.vocabulary)
    top_udf = F.udf(lambda v: _top_terms(v, vocabulary, top_n), T.ArrayType(_TERM))
    return tfidf.select(
        "team", "meeting_id", F.explode(top_udf(F.col("tfidf"))).alias("term")
    ).select("team", "meeting_id", "term.keyword", "term.score")


def tfidf_keywords(documents: DataFrame, top_n: int = DEFAULT_TOP_N) -> DataFrame:
    """Documents (``team``, ``meeting_id``, ``words``) -> the ``top_n`` keywords of each meeting.

    Per team, ``CountVectorizer`` + ``IDF`` are fitted over that team's documents only, so another
    team's meetings never change a score. Spark's IDF is ``ln((n + 1) / (df + 1))`` for a corpus of
    ``n`` meetings, ``df`` of which say the term; the score is ``count in the meeting * IDF``. A
    term every meeting of the team says scores 0 and is not kept (nor is anything in a team's
    only meeting). Ties are broken by keyword. Eager: one fit per team (a few Spark jobs each).
    """
    teams = sorted(r["team"] for r in documents.select("team").distinct().collect())
    parts = [_team_keywords(documents.where(F.col("team") == team), top_n) for team in teams]
    if not parts:
        return documents.sparkSession.createDataFrame([], KEYWORDS_SCHEMA)
    return reduce(DataFrame.unionByName, parts)


def store_meeting_keywords(
    conn: psycopg.Connection[Any],
    meeting_ids: Collection[str],
    keywords: Sequence[tuple[str, str, float]],
) -> None:
    """Make the stored keywords of ``meeting_ids`` exactly ``keywords`` (meeting_id, keyword, score).

    Runs in the caller's transaction. Keywords that dropped out are deleted, new ones inserted and
    changed scores updated; an unchanged row is not written at all (its ``computed_at`` stays), so
    storing the same result twice changes nothing.
    """
    ids = sorted(meeting_ids)
    kw_ids = [k[0] for k in keywords]
    kw_words = [k[1] for k in keywords]
    unknown = set(kw_ids) - set(ids)
    if unknown:
        raise ValueError(f"keywords for meetings not being replaced: {sorted(unknown)}")
    conn.execute(
        """DELETE FROM meeting_keywords k
           WHERE k.meeting_id = ANY(%s)
             AND (k.meeting_id, k.keyword) NOT IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
        (ids, kw_ids, kw_words),
    )
    conn.execute(
        """INSERT INTO meeting_keywords (meeting_id, keyword, score)
           SELECT * FROM unnest(%s::text[], %s::text[], %s::float8[])
           ON CONFLICT (meeting_id, keyword) DO UPDATE
           SET score = EXCLUDED.score, computed_at = now()
           WHERE meeting_keywords.score IS DISTINCT FROM EXCLUDED.score""",
        (kw_ids, kw_words, [k[2] for k in keywords]),
    )


_CORPUS = """
SELECT m.team, s.meeting_id, s.text
FROM transcript_segments s JOIN meetings m USING (meeting_id)
WHERE m.status = 'closed' AND m.team = ANY(%s)
"""
_CLOSED = "SELECT meeting_id FROM meetings WHERE status = 'closed' AND team = ANY(%s)"


@dataclass
class MeetingKeywords:
    """Refits the TF-IDF model of whole teams and rewrites their closed meetings' keywords.

    A whole team, not only the meeting that just closed: each new meeting changes the team's IDF
    and so every meeting's scores (the first meeting of a team gets keywords once a second one
    closes). Idempotent: refreshing a team whose corpus did not change writes no row.
    """

    top_n: int = DEFAULT_TOP_N
    written: int = 0

    def refresh(
        self, spark: SparkSession, conn: psycopg.Connection[Any], teams: Collection[str]
    ) -> int:
        """Recompute and store the keywords of every closed meeting of ``teams``, inside the
        caller's transaction (the caller commits). Returns how many keywords the teams now have."""
        if not teams:
            return 0
        wanted = sorted(teams)
        segments = conn.execute(_CORPUS, (wanted,)).fetchall()
        closed = [r[0] for r in conn.execute(_CLOSED, (wanted,))]
        meetings: dict[str, set[str]] = {}
        for team, meeting_id, _ in segments:
            meetings.setdefault(team, set()).add(meeting_id)
        # A one-meeting corpus has IDF 0 for every term: no keywords, no need to ask Spark.
        segments = [s for s in segments if len(meetings[s[0]]) > 1]
        rows: list[tuple[str, str, float]] = []
        if segments:
            documents = meeting_documents(
                spark.createDataFrame(segments, "team string, meeting_id string, text string")
            ).persist()  # every fit would otherwise tokenise the corpus again
            try:
                rows = [
                    (r["meeting_id"], r["keyword"], r["score"])
                    for r in tfidf_keywords(documents, self.top_n).collect()
                ]
            finally:
                documents.unpersist()
        store_meeting_keywords(conn, closed, rows)
        self.written += len(rows)
        return len(rows)
