"""``vori search "…" --team T``: search a team's transcripts, minutes and tickets from the command
line, as the board's ``GET /api/search`` does (docs/board.md, "Search"); ``vori search --reindex``
computes the Korean morphemes of rows that no writer analysed (rows from before the search
migration).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from typing import Any

from connectors.board_store import SearchHit, search
from connectors.search_store import fill_search_terms
from connectors.settings import Settings

__all__ = ["add_parser", "format_hit"]

MAX_QUERY_CHARS = 256  # as the board's MAX_SEARCH_CHARS
MAX_RESULTS = 100

_MARK = re.compile(r"</?mark>")


def _clock(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


def format_hit(hit: SearchHit) -> str:
    """Two lines: what and where, then the snippet with the matched words in ``**``."""
    at = "" if hit["start_ms"] is None else f" at {_clock(hit['start_ms'])}"
    title = f' "{hit["title"]}"' if hit["title"] else ""
    snippet = html.unescape(_MARK.sub("**", hit["snippet"]))
    return f"{hit['kind']:<8} {hit['meeting_id']}{title}{at}  (score {hit['score']:.3f})\n    {snippet}"


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= value <= MAX_RESULTS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_RESULTS}")
    return value


def _cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    if args.reindex:
        filled = fill_search_terms(settings.database_url)
        for table, count in filled.items():
            print(f"{table}: {count} rows analysed")
        return 0
    query: str = args.query or ""
    if not query.strip() or args.team is None:
        print('vori search: give a query and a team: vori search "…" --team T', file=sys.stderr)
        return 2
    if len(query) > MAX_QUERY_CHARS:
        print(f"vori search: the query is over {MAX_QUERY_CHARS} characters", file=sys.stderr)
        return 2
    hits = search(settings.database_url, args.team, query, args.limit)
    if args.json:
        print(json.dumps({"results": hits}, ensure_ascii=False, indent=2))
    elif not hits:
        print("no results", file=sys.stderr)
    else:
        print("\n".join(format_hit(h) for h in hits))
    return 0


def add_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("search", help="search a team's transcripts, minutes and tickets")
    p.add_argument("query", nargs="?", metavar="QUERY",
                   help='words to find (English is stemmed, Korean analysed; "a phrase", or, -word)')
    p.add_argument("--team", help="the team whose meetings to search (required for a search)")
    p.add_argument("--limit", type=_limit, default=20, help=f"at most N results (1-{MAX_RESULTS})")
    p.add_argument("--json", action="store_true", help="the board API's JSON instead of text")
    p.add_argument("--reindex", action="store_true",
                   help="analyse the Korean of rows written before search existed, then exit")
    p.set_defaults(handler=_cmd_search)
