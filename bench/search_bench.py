"""Search benchmark: 10,000 meetings of generated text, then the latency of ``GET /api/search``'s
query (``BoardStore.search``) over a set of English, Korean and mixed queries.

    .venv/bin/python bench/search_bench.py [--meetings 10000] [--teams 10] [--rounds 20] [--dsn DSN]

Starts a throwaway PostgreSQL (unless --dsn names an empty database to migrate and use), loads each
meeting with a few transcript segments (about one in five Korean), final minutes and two tickets,
in bulk with COPY (``connectors.search_store.copy_rows``), with the Korean morphemes computed by
kiwipiepy as the writers compute them. Then each query runs once on a fresh pool ("cold": first
plan, pages maybe not yet in shared buffers) and ``--rounds`` times more ("warm"), each time for
one of the teams in turn. Prints the figures; the goal is p95 <= 100 ms. No assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from connectors.board_store import BoardStore, search_query
from connectors.korean import search_terms
from connectors.postgres import migrate
from connectors.search_store import analyze_search_tables, copy_rows
from infra.postgres import LocalPostgres

GOAL_P95_MS = 100.0

TOPICS = (
    "migration database schema index query latency deploy release rollback staging production "
    "customer onboarding billing invoice refund pricing budget forecast marketing campaign "
    "design review prototype feedback sprint backlog estimate roadmap quarter hiring interview "
    "security audit password token certificate incident outage postmortem monitoring alert "
    "dashboard metrics analytics report churn retention support ticket escalation partner "
    "contract legal compliance vendor laptop office travel offsite training documentation api "
    "endpoint mobile android ios browser cache queue kafka worker timeout retry backup restore"
).split()
FILLER = (
    "we should the team will next week about think maybe need to have been going make sure "
    "that this it for with on and or but so then also please let's check again update follow "
    "up today tomorrow friday monday plan planned planning migrated migrating deployed "
    "deploying reviewed reviewing agreed decided discussed"
).split()
KO_NOUNS = (
    "마이그레이션 데이터베이스 배포 일정 고객 데이터 예산 보고서 회의 서버 장애 보안 감사 계약 "
    "디자인 검토 채용 면접 마케팅 캠페인 지표 대시보드 백업 복구 결제 환불 문서 교육 출장 품질"
).split()
KO_PARTICLES = ("을", "를", "이", "가", "은", "는", "에", "에서", "의", "도")
KO_ENDINGS = ("진행합니다", "검토했어요", "준비해야 합니다", "끝냈습니다", "미루기로 했어요",
              "확인할게요", "논의했습니다", "시작합니다")
QUERIES = (
    "migration", "migrations", "deploy rollback", "customer onboarding", "budget forecast",
    '"security audit"', "incident -outage", "kafka worker timeout", "refund", "postmortem",
    "마이그레이션을", "배포 일정을", "고객 데이터", "보안 감사를", "API 마이그레이션", "xylograph",
)


def english_sentence(rng: random.Random) -> str:
    words = [rng.choice(FILLER) if rng.random() < 0.55 else rng.choice(TOPICS)
             for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def korean_sentence(rng: random.Random) -> str:
    parts = [rng.choice(KO_NOUNS) + rng.choice(KO_PARTICLES) for _ in range(rng.randint(2, 4))]
    return " ".join([*parts, rng.choice(KO_ENDINGS)])


def sentence(rng: random.Random, korean_share: float) -> str:
    return korean_sentence(rng) if rng.random() < korean_share else english_sentence(rng)


def generate(n_meetings: int, n_teams: int, seed: int = 15) -> dict[str, list[tuple[object, ...]]]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    tables: dict[str, list[tuple[object, ...]]] = {
        "meetings": [], "transcript_segments": [], "meeting_minutes": [], "tickets": []}
    for i in range(n_meetings):
        mid = f"bench-{i:05d}"
        team = f"team-{i % n_teams:02d}"
        korean = 0.2 if i % 3 else 0.05
        tables["meetings"].append(
            (mid, team, f"{rng.choice(TOPICS)} {rng.choice(TOPICS)} sync", "closed",
             start + timedelta(hours=i)))
        t = 0
        for _ in range(rng.randint(4, 8)):
            text = sentence(rng, korean)
            end = t + rng.randint(2000, 9000)
            tables["transcript_segments"].append(
                (team, mid, "main", t, end, rng.choice(("Ann", "Bob", "민수")), text, search_terms(text)))
            t = end
        summary = " ".join(sentence(rng, korean) for _ in range(3))
        decision = sentence(rng, korean)
        decisions = [{"text": decision, "quote": None, "start_ms": 0}]
        tasks = [sentence(rng, korean) for _ in range(2)]
        actions = [{"task": task, "assignee": "Bob", "due_date": None, "quote": None,
                    "start_ms": 0} for task in tasks]
        tables["meeting_minutes"].append(
            (team, mid, "final", summary, json.dumps(decisions, ensure_ascii=False),
             json.dumps(actions, ensure_ascii=False),
             search_terms("\n".join([summary, decision, *tasks]))))
        for k, task in enumerate(tasks):
            quote = sentence(rng, korean)
            tables["tickets"].append(
                (f"{mid}-t{k}", team, mid, task[:120], quote, k * 1000,
                 search_terms(f"{task[:120]}\n{quote}")))
    return tables


COLUMNS = {
    "meetings": ("meeting_id", "team", "title", "status", "started_at"),
    "transcript_segments": ("team", "meeting_id", "source", "start_ms", "end_ms", "speaker", "text",
                            "search_terms"),
    "meeting_minutes": ("team", "meeting_id", "kind", "summary", "decisions", "action_items",
                        "search_terms"),
    "tickets": ("ticket_id", "team", "meeting_id", "title", "source_quote", "source_start_ms",
                "search_terms"),
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary_line(name: str, values: list[float]) -> str:
    return (f"{name:<6} n={len(values):<5} p50={pct(values, 50):7.1f} ms  "
            f"p95={pct(values, 95):7.1f} ms  p99={pct(values, 99):7.1f} ms  "
            f"max={max(values):7.1f} ms  mean={statistics.fmean(values):7.1f} ms")


async def measure(dsn: str, n_teams: int, rounds: int) -> None:
    search_query("한국어")  # load the kiwipiepy model outside the timings
    teams = [f"team-{i:02d}" for i in range(n_teams)]
    store = BoardStore(dsn, max_size=2)
    await store.open()
    cold: list[float] = []
    warm: list[float] = []
    per_query: dict[str, list[float]] = {q: [] for q in QUERIES}
    hits: dict[str, int] = {}
    try:
        for i, q in enumerate(QUERIES):
            t0 = time.perf_counter()
            found = await store.search(teams[i % n_teams], q, 20)
            cold.append((time.perf_counter() - t0) * 1000)
            hits[q] = len(found)
        for r in range(rounds):
            for i, q in enumerate(QUERIES):
                t0 = time.perf_counter()
                await store.search(teams[(i + r + 1) % n_teams], q, 20)
                ms = (time.perf_counter() - t0) * 1000
                warm.append(ms)
                per_query[q].append(ms)
    finally:
        await store.close()
    print(f"\nqueries ({len(QUERIES)}), warm p50 / p95 per query, results on the cold run (limit 20):")
    for q in QUERIES:
        print(f"  {q:<24} p50={pct(per_query[q], 50):6.1f} ms  p95={pct(per_query[q], 95):6.1f} ms"
              f"  results={hits[q]}")
    print()
    print(summary_line("cold", cold))
    print(summary_line("warm", warm))
    verdict = "meets" if pct(warm, 95) <= GOAL_P95_MS and pct(cold, 95) <= GOAL_P95_MS else "misses"
    print(f"goal p95 <= {GOAL_P95_MS:.0f} ms (cold and warm): {verdict} it")


def load(dsn: str, n_meetings: int, n_teams: int) -> None:
    t0 = time.perf_counter()
    tables = generate(n_meetings, n_teams)
    t1 = time.perf_counter()
    print(f"generated {n_meetings} meetings in {t1 - t0:.1f} s (kiwipiepy morphemes included): "
          + ", ".join(f"{len(rows)} {name}" for name, rows in tables.items()))
    for name, rows in tables.items():
        copy_rows(dsn, name, COLUMNS[name], rows)
    analyze_search_tables(dsn)
    print(f"loaded with COPY in {time.perf_counter() - t1:.1f} s (triggers and GIN indexes included)")


def throwaway_postgres() -> Iterator[str]:
    root = Path(tempfile.mkdtemp(prefix="vori-search-bench-"))
    root.chmod(0o711)
    cluster = LocalPostgres(root / "data", fsync=False)
    try:
        cluster.start()
        yield cluster.dsn()
    finally:
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--teams", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--dsn", help="an empty database to use instead of a throwaway cluster")
    args = parser.parse_args()
    dsns = iter([args.dsn]) if args.dsn else throwaway_postgres()
    dsn = next(dsns)
    try:
        migrate(dsn)
        load(dsn, args.meetings, args.teams)
        asyncio.run(measure(dsn, args.teams, args.rounds))
    finally:
        for _ in dsns:  # lets the throwaway cluster stop
            pass


if __name__ == "__main__":
    main()
