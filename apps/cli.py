"""The ``vori`` command line: the local stack, migrations, tokens, sending audio, reports, jobs.

Every command is configured by ``Settings.from_env``: ``VORI_*`` variables, then the running
stack's ``stack.env``. A configuration error, or a failure of a store or service (PostgreSQL,
Kafka, tokens, the local stack), is one line ``vori: <message>``: exit status 2 for
configuration, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit, urlunsplit

from analytics.errors import AnalyticsError
from apps import analytics_cli, demo, record, report, send, stack, team_cli, tracker_cli
from apps.search_cli import add_parser as add_search_command
from apps.token_cli import add_token_commands
from connectors.kafka import KafkaAdapterError
from connectors.kafka_producer import KafkaProducerError
from connectors.postgres import PostgresError, migrate
from connectors.settings import Settings, SettingsError
from connectors.tokens import TokenError
from infra.errors import InfraError

Handler = Callable[[argparse.Namespace, Settings], int]

# Failures a user can act on (a service is down, a value is refused): one line, no traceback.
USER_ERRORS: tuple[type[Exception], ...] = (
    PostgresError, TokenError, KafkaAdapterError, KafkaProducerError, InfraError, AnalyticsError,
    send.SendError, report.ReportError,
)


def _cmd_db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    applied = migrate(settings.database_admin_url or settings.database_url)
    if applied:
        for m in applied:
            print(f"applied {m.path.name}")
    else:
        print("database is up to date")
    return 0


def _shown(key: str, value: str) -> str:
    """A stack.env value as a terminal may show it: passwords and tokens stay in the file."""
    if key.endswith("_TOKEN"):
        return "(in stack.env)"
    parts = urlsplit(value)
    if parts.password:
        host = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))
    return value


def _cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    env = stack.up(settings, with_services=not args.infra_only)
    for k, v in env.items():
        print(f"{k}={_shown(k, v)}")
    print(f"(passwords and tokens: {settings.state_dir / 'stack.env'}, mode 0600)")
    return 0


def _cmd_down(args: argparse.Namespace, settings: Settings) -> int:
    stack.down(settings)
    return 0


def _cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    return stack.status(settings)


def _cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from apps.gateway import serve  # uvicorn and the Kafka producer: only when serving

    serve(settings)
    return 0


def _cmd_flow(args: argparse.Namespace, settings: Settings) -> int:
    # The same as ops running `python -m bytewax.run "flows.transcription:main()" -w N`.
    argv = [sys.executable, "-m", "bytewax.run", "flows.transcription:main()", "-w", str(args.workers)]
    if args.recovery_dir:
        argv += ["-r", args.recovery_dir, "-s", "5", "-b", "30"]
    os.execv(sys.executable, argv)  # noqa: S606 (replaces this process with the flow)
    return 0  # pragma: no cover


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vori", description=(__doc__ or "").split("\n\n")[0])
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
    add_token_commands(tok)

    sub.add_parser("gateway", help="run the Kafka REST gateway").set_defaults(handler=_cmd_gateway)
    flow = sub.add_parser("flow", help="run the transcription flow (bytewax)")
    flow.add_argument("-w", "--workers", type=int, default=1)
    flow.add_argument("--recovery-dir")
    flow.set_defaults(handler=_cmd_flow)

    for module in (send, record, report, analytics_cli, demo, tracker_cli, team_cli):
        module.add_parser(sub)
    add_search_command(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, Settings.from_env())
    except SettingsError as exc:
        return _fail(exc, 2)
    except USER_ERRORS as exc:
        return _fail(exc, 1)
    except KeyboardInterrupt:
        return 130


def _fail(exc: Exception, code: int) -> int:
    # psycopg and Kafka messages span lines; the user gets one.
    print(f"vori: {' '.join(str(exc).split())}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
