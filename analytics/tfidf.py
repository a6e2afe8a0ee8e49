"""TF-IDF keywords per meeting over its team's corpus (Spark ML ``CountVectorizer`` + ``IDF``),
stored in ``meeting_keywords`` for the minutes, ``vori report`` and the board.

Pure transforms: ``meeting_documents`` (segments -> one bag of keywords per meeting) and
``tfidf_keywords`` (documents -> top-N keywords per meeting, the IDF fitted per team). The I/O
wrapper ``MeetingKeywords`` reads a team's closed meetings and stores the result (through
``connectors.analytics_store``); the efficiency sweep calls it whenever it computes a meeting's
metrics.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import reduce

from pyspark.ml.feature import IDF, CountVectorizer
from pyspark.ml.linalg import SparseVector, Vector
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from connectors.analytics_store import (
    closed_meetings_of_teams,
    store_meeting_keywords,
    team_corpus,
)
from connectors.postgres import Connection

__all__ = [
    "DEFAULT_TOP_N",
    "KEYWORDS_SCHEMA",
    "MeetingKeywords",
    "meeting_documents",
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


@dataclass
class MeetingKeywords:
    """Refits the TF-IDF model of whole teams and rewrites their closed meetings' keywords.

    A whole team, not only the meeting that just closed: each new meeting changes the team's IDF
    and so every meeting's scores (the first meeting of a team gets keywords once a second one
    closes). Idempotent: refreshing a team whose corpus did not change writes no row.
    """

    top_n: int = DEFAULT_TOP_N
    written: int = 0

    def refresh(self, spark: SparkSession, conn: Connection, teams: Collection[str]) -> int:
        """Recompute and store the keywords of every closed meeting of ``teams``, inside the
        caller's transaction (the caller commits). Returns how many keywords the teams now have."""
        if not teams:
            return 0
        wanted = sorted(teams)
        segments = team_corpus(conn, wanted)
        closed = closed_meetings_of_teams(conn, wanted)
        meetings: dict[str, set[str]] = {}
        for team, meeting_id, _ in segments:
            meetings.setdefault(team, set()).add(meeting_id)
        # A one-meeting corpus has IDF 0 for every term: no keywords, no need to ask Spark.
        segments = [s for s in segments if len(meetings[s[0]]) > 1]
        rows: list[tuple[str, str, str, float]] = []
        if segments:
            documents = meeting_documents(
                spark.createDataFrame(segments, "team string, meeting_id string, text string")
            ).persist()  # every fit would otherwise tokenise the corpus again
            try:
                rows = [
                    (r["team"], r["meeting_id"], r["keyword"], r["score"])
                    for r in tfidf_keywords(documents, self.top_n).collect()
                ]
            finally:
                documents.unpersist()
        store_meeting_keywords(conn, closed, rows)
        self.written += len(rows)
        return len(rows)
