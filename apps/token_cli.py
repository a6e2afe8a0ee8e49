"""``vori token`` subcommands beyond ``create``: ``list``, ``revoke``, and ``--expires-in`` for
``create``.

``apps/cli.py`` builds the ``vori token`` sub-parser and hands it to :func:`add_token_commands`,
which registers ``list`` and ``revoke`` and gives ``create`` its ``--expires-in`` option (or
registers ``create`` itself where the sub-parser has none). Each handler is
``handler(args, settings) -> exit status``, like the other commands of ``apps/cli.py``.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from connectors.settings import Settings
from connectors.tokens import (
    ROLES,
    TokenFormatError,
    TokenInfo,
    issue_token,
    list_tokens,
    revoke_token,
)

__all__ = ["add_token_commands", "format_token", "parse_duration"]

Handler = Callable[[argparse.Namespace, Settings], int]

_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``15m``, ``90s`` or ``2w`` as a positive timedelta (argparse ``type``)."""
    match = _DURATION_RE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a positive duration such as 30d, 12h, 15m, 90s or 2w")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def _when(value: datetime | None, absent: str) -> str:
    return value.isoformat(timespec="seconds") if value is not None else absent


def format_token(info: TokenInfo) -> str:
    """One line of ``vori token list``: id, team, role, label, created, expires, revoked
    (tab-separated; never the secret or its hash)."""
    return "\t".join((
        info.token_id, info.team, info.role, info.label or "-",
        _when(info.created_at, "-"), _when(info.expires_at, "never"),
        _when(info.revoked_at, "-"),
    ))


def _cmd_create(args: argparse.Namespace, settings: Settings) -> int:
    issued = issue_token(settings.database_url, team=args.team, role=args.role, label=args.label,
                         expires_in=args.expires_in)
    print(issued.token)
    if issued.expires_at is not None:
        print(f"expires {_when(issued.expires_at, 'never')}", file=sys.stderr)
    return 0


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    for info in list_tokens(settings.database_url, team=args.team):
        print(format_token(info))
    return 0


def _cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    if revoke_token(settings.database_url, args.token_id):
        print(f"revoked {args.token_id}; services stop accepting it within their token-cache TTL")
        return 0
    print(f"no live token {args.token_id} (unknown or already revoked)", file=sys.stderr)
    return 1


def _guarded(handler: Handler) -> Handler:
    # A bad team or label is the user's input: a message and exit 2, like a bad option. An
    # unreachable database is left to `vori`'s main, which prints one line and exits 1.
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except TokenFormatError as exc:
            print(f"vori token: {exc}", file=sys.stderr)
            return 2

    return run


def add_token_commands(token_subparsers: argparse._SubParsersAction[Any]) -> None:
    """Register ``create``, ``list`` and ``revoke`` on the ``vori token`` sub-parser."""
    create = token_subparsers.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--team", required=True)
    create.add_argument("--role", required=True, choices=list(ROLES))
    create.add_argument("--label")
    create.add_argument("--expires-in", type=parse_duration, default=None, metavar="DURATION",
                        help="lifetime, e.g. 30d, 12h, 15m (default: never expires)")
    create.set_defaults(handler=_guarded(_cmd_create))

    listing = token_subparsers.add_parser(
        "list", help="list tokens: id, team, role, label, created, expires, revoked")
    listing.add_argument("--team", help="only this team's tokens")
    listing.set_defaults(handler=_guarded(_cmd_list))

    revoke = token_subparsers.add_parser(
        "revoke", help="revoke a token by its id (open board sockets close within the TTL)")
    revoke.add_argument("token_id", metavar="TOKEN_ID")
    revoke.set_defaults(handler=_guarded(_cmd_revoke))
