"""The ``vori`` command line: the local stack, migrations, tokens, sending audio, reports, jobs."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from connectors.settings import Settings

Handler = Callable[[argparse.Namespace, Settings], int]


def _cmd_db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.postgres import migrate

    applied = migrate(settings.database_url)
    if applied:
        for m in applied:
            print(f"applied {m.path.name}")
    else:
        print("database is up to date")
    return 0


def _cmd_token_create(args: argparse.Namespace, settings: Settings) -> int:
    from connectors.tokens import create_token

    print(create_token(settings.database_url, team=args.team, role=args.role, label=args.label))
    return 0


def _cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from apps.stack import up

    env = up(settings, with_services=not args.infra_only)
    for k, v in env.items():
        print(f"{k}={v}")
    return 0


def _cmd_down(args: argparse.Namespace, settings: Settings) -> int:
    from apps.stack import down

    down(settings)
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from apps.stack import status

    return status(settings)


def _cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from apps.gateway import serve

    serve(settings)
    return 0


def _cmd_flow(args: argparse.Namespace, settings: Settings) -> int:
    # The same as ops running `python -m bytewax.run "flows.transcription:main()" -w N`.
    argv = [sys.executable, "-m", "bytewax.run", "flows.transcription:main()", "-w", str(args.workers)]
    if args.recovery_dir:
        argv += ["-r", args.recovery_dir, "-s", "5", "-b", "30"]
    os.execv(sys.executable, argv)  # noqa: S606 (replaces this process with the flow)
    return 0  # pragma: no cover


def _optional(module: str, name: str) -> Callable[[argparse._SubParsersAction[Any]], None] | None:
    # A module that is absent is skipped; one that is present but broken fails loudly.
    if importlib.util.find_spec(module) is None:
        return None
    mod = importlib.import_module(module)
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vori", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("up", help="start the local stack in the background")
    p.add_argument("--infra-only", action="store_true", help="only Kafka and PostgreSQL")
    p.set_defaults(handler=_cmd_up)
    sub.add_parser("down", help="stop every process the stack started").set_defaults(handler=_cmd_down)
    sub.add_parser("status", help="show the stack's processes").set_defaults(handler=_cmd_status)

    db = sub.add_parser("db", help="database commands").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply pending migrations from sql/").set_defaults(
        handler=_cmd_db_migrate
    )

    tok = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command", required=True)
    create = tok.add_parser("create", help="create a token and print it (shown once)")
    create.add_argument("--team", required=True)
    create.add_argument("--role", required=True, choices=["producer", "board"])
    create.add_argument("--label")
    create.set_defaults(handler=_cmd_token_create)

    sub.add_parser("gateway", help="run the Kafka REST gateway").set_defaults(handler=_cmd_gateway)
    flow = sub.add_parser("flow", help="run the transcription flow (bytewax)")
    flow.add_argument("-w", "--workers", type=int, default=1)
    flow.add_argument("--recovery-dir")
    flow.set_defaults(handler=_cmd_flow)

    # Commands whose modules land with their features register themselves here.
    for module in ("apps.send", "apps.report", "apps.board", "apps.analytics_cli", "apps.demo"):
        register = _optional(module, "add_parser")
        if register is not None:
            register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    handler: Handler = args.handler
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
