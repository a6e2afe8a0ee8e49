"""``python -m infra up|down|status|jars``: the local stack from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from infra.errors import InfraError
from infra.maven import ensure_kafka_jars, ensure_spark_kafka_jars
from infra.stack import LocalStack, read_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "jars"])
    parser.add_argument(
        "--state-dir", type=Path, default=None, help="default: .vori/ at the repo root"
    )
    args = parser.parse_args(argv)
    stack = LocalStack(args.state_dir)
    try:
        if args.command == "up":
            for key, value in stack.up().items():
                print(f"{key}={value}")
        elif args.command == "down":
            stack.stop_all()
            print("stopped")
        elif args.command == "status":
            running = stack.status()
            for name, alive in running.items():
                print(f"# {name}: {'running' if alive else 'stopped'}")
            for key, value in read_env(stack.env_path).items():
                print(f"{key}={value}")
            return 0 if running and all(running.values()) else 1
        else:
            print(f"KAFKA_JARS_DIR={ensure_kafka_jars(stack.cache_dir)}")
            jars = ",".join(str(p) for p in ensure_spark_kafka_jars(stack.cache_dir))
            print(f"VORI_SPARK_KAFKA_JARS={jars}")
    except InfraError as exc:
        print(f"infra: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
