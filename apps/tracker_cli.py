"""``vori tracker``: connect a team to GitHub Issues, Jira Cloud or Linear, list and remove
connections, and turn proposal mode on or off (docs/trackers.md).

Secrets are given as the NAMES of environment variables (``--token-env GITHUB_TOKEN``); the
worker and the board read their values at run time. Nothing here stores, logs or prints a value.
:func:`add_parser` registers the command on ``vori``'s sub-parsers (``apps/cli.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from connectors.settings import Settings
from connectors.tracker_store import TrackerStore
from connectors.trackers import KINDS, Connection
from connectors.trackers.base import STATUSES

Handler = Callable[[argparse.Namespace, Settings], int]

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_REQUIRED = {"github": ("repo",), "jira": ("site", "project", "email_env"), "linear": ("team_key",)}


class UsageError(Exception):
    pass


def _env_name(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    if not _ENV_NAME.match(value):
        raise UsageError(f"{option} takes the NAME of an environment variable, not its value")
    return value


def _assignee_map(text: str | None, option: str = "--assignee-map") -> dict[str, str]:
    if not text:
        return {}
    raw = Path(text[1:]).read_text() if text.startswith("@") else text
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise UsageError(f"{option} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in data.items()):
        raise UsageError(f"{option} must be a JSON object of names to names")
    return data


def _status_names(text: str | None) -> dict[str, str]:
    names = _assignee_map(text, "--status-names")
    unknown = set(names) - set(STATUSES)
    if unknown:
        raise UsageError(f"--status-names keys are VORI statuses ({', '.join(STATUSES)})")
    return names


def _connection(args: argparse.Namespace) -> Connection:
    kind: str = args.kind
    missing = [f"--{k.replace('_', '-')}" for k in _REQUIRED[kind] if not getattr(args, k)]
    if missing:
        raise UsageError(f"--kind {kind} needs {', '.join(missing)}")
    if kind == "github" and not _REPO.match(args.repo):
        raise UsageError("--repo is owner/name")
    config: dict[str, Any] = {}
    if kind == "github":
        config = {"repo": args.repo}
    elif kind == "jira":
        config = {"site": args.site.rstrip("/"), "project": args.project,
                  "email_env": _env_name(args.email_env, "--email-env")}
        if args.issue_type:
            config["issue_type"] = args.issue_type
    else:
        config = {"team_key": args.team_key}
    if args.status_names:
        if kind == "github":
            raise UsageError("--status-names is for jira and linear; GitHub issues are open or closed")
        config["statuses"] = _status_names(args.status_names)
    if args.api_url:
        if kind == "jira":
            raise UsageError("--api-url is for github and linear; jira uses --site")
        config["api_url"] = args.api_url.rstrip("/")
    token_env = _env_name(args.token_env, "--token-env")
    assert token_env is not None  # required by argparse
    return Connection(
        team=args.team, kind=kind, config=config, token_env=token_env,
        webhook_secret_env=_env_name(args.webhook_secret_env, "--webhook-secret-env"),
        assignee_map=_assignee_map(args.assignee_map), proposal=bool(args.proposal),
    )


def _cmd_connect(args: argparse.Namespace, settings: Settings) -> int:
    connection = _connection(args)
    with TrackerStore(settings.database_url, pool_size=1) as store:
        store.save_connection(connection)
    print(f"connected {connection.team} to {connection.kind} {connection.target()}"
          f"{' (proposal mode)' if connection.proposal else ''}")
    names = [connection.token_env, connection.webhook_secret_env, connection.config.get("email_env")]
    for name in (n for n in names if n):
        if name not in os.environ:
            print(f"note: {name} is not set here; the tracker worker and the board read it at run time",
                  file=sys.stderr)
    return 0


def _cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    with TrackerStore(settings.database_url, pool_size=1) as store:
        for c in store.connections():
            print("\t".join((
                c.team, c.kind, c.target(), f"token_env={c.token_env}",
                f"webhook_secret_env={c.webhook_secret_env or '-'}",
                f"proposal={'on' if c.proposal else 'off'}",
            )))
            if args.outbox:
                for row in store.outbox(c.team):
                    state = ("delivered" if row["delivered_at"] else "failed" if row["failed_at"]
                             else "held" if row["held"] else "pending")
                    print(f"  {row['outbox_id']}\t{row['ticket_id']}\t{row['op']}\t{state}\t"
                          f"attempts={row['attempts']}\t{row['last_error'] or ''}")
    return 0


def _cmd_disconnect(args: argparse.Namespace, settings: Settings) -> int:
    with TrackerStore(settings.database_url, pool_size=1) as store:
        if store.disconnect(args.team):
            print(f"disconnected {args.team}")
            return 0
    print(f"team {args.team} has no tracker connection", file=sys.stderr)
    return 1


def _cmd_proposal(args: argparse.Namespace, settings: Settings) -> int:
    with TrackerStore(settings.database_url, pool_size=1) as store:
        if store.set_proposal(args.team, args.mode == "on"):
            print(f"proposal mode {args.mode} for {args.team}")
            return 0
    print(f"team {args.team} has no tracker connection", file=sys.stderr)
    return 1


def _guarded(handler: Handler) -> Handler:
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except (UsageError, OSError) as exc:
            print(f"vori tracker: {exc}", file=sys.stderr)
            return 2

    return run


def add_parser(sub: argparse._SubParsersAction[Any]) -> None:
    """Register ``vori tracker connect|list|disconnect|proposal``."""
    tracker = sub.add_parser("tracker", help="sync tickets with GitHub Issues, Jira Cloud or Linear")
    commands = tracker.add_subparsers(dest="tracker_command", required=True)

    c = commands.add_parser("connect", help="connect a team to its tracker (replaces its connection)")
    c.add_argument("--team", required=True)
    c.add_argument("--kind", required=True, choices=list(KINDS))
    c.add_argument("--repo", help="github: owner/name")
    c.add_argument("--api-url", help="github, linear: another API base (GitHub Enterprise, a test)")
    c.add_argument("--site", help="jira: https://your-site.atlassian.net")
    c.add_argument("--project", help="jira: the project key")
    c.add_argument("--issue-type", help="jira: the issue type of new issues (default Task)")
    c.add_argument("--email-env", metavar="VAR", help="jira: variable holding the account e-mail")
    c.add_argument("--team-key", help="linear: the team key, e.g. ENG")
    c.add_argument("--token-env", metavar="VAR", required=True,
                   help="variable holding the API token (its name is stored, never its value)")
    c.add_argument("--webhook-secret-env", metavar="VAR",
                   help="variable holding the webhook secret; without it webhooks are refused")
    c.add_argument("--assignee-map", metavar="JSON|@FILE",
                   help='VORI assignee -> tracker username, e.g. {"Bob": "bob-gh"}')
    c.add_argument("--status-names", metavar="JSON",
                   help='jira, linear: status names of the workflow, e.g. {"done": "Closed"}')
    c.add_argument("--proposal", action="store_true",
                   help="new tickets wait for approval on the board before they are pushed")
    c.set_defaults(handler=_guarded(_cmd_connect))

    ls = commands.add_parser("list", help="list connections (variable names only, never secrets)")
    ls.add_argument("--outbox", action="store_true", help="also each team's outbox rows")
    ls.set_defaults(handler=_guarded(_cmd_list))

    d = commands.add_parser("disconnect", help="remove a team's connection and its undelivered pushes")
    d.add_argument("--team", required=True)
    d.set_defaults(handler=_guarded(_cmd_disconnect))

    p = commands.add_parser("proposal", help="turn proposal mode on or off (off pushes what waited)")
    p.add_argument("--team", required=True)
    p.add_argument("mode", choices=["on", "off"])
    p.set_defaults(handler=_guarded(_cmd_proposal))
