"""docker-compose.yml runs the same services as `make up` from images."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_declares_the_stack():
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert {"kafka", "postgres", "gateway", "flow", "board"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["flow"]["command"][:3] == ["python", "-m", "bytewax.run"]
    # Minutes are their own flow, reading transcription.completed.
    assert services["minutes"]["command"][:4] == ["python", "-m", "bytewax.run", "flows.minutes:main()"]
    # The refined transcript runs at the lowest CPU priority, so live windows always come first.
    assert services["refine"]["command"][:7] == [
        "nice", "-n", "19", "python", "-m", "bytewax.run", "flows.refine:main()"
    ]
    for name in ("gateway", "flow", "minutes", "refine", "board"):
        env = services[name]["environment"]
        assert env["VORI_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["VORI_DATABASE_URL"].startswith("postgresql://")


def test_compose_publishes_on_loopback_and_takes_passwords_from_the_environment():
    text = (ROOT / "docker-compose.yml").read_text()
    services = yaml.safe_load(text)["services"]
    published = [(name, port) for name, svc in services.items() for port in svc.get("ports", [])]
    assert published, "the gateway and the board are published"
    for name, port in published:
        assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"

    # Every password is a required variable: `docker compose` refuses to start without it.
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == (
        "${VORI_DB_ADMIN_PASSWORD:?set VORI_DB_ADMIN_PASSWORD}"
    )
    assert "scram-sha-256" in services["postgres"]["environment"]["POSTGRES_INITDB_ARGS"]
    credentials = re.findall(r"postgresql://(.*?)@", text)
    assert credentials
    for user_password in credentials:
        _user, _, password = user_password.partition(":")
        assert re.fullmatch(r"\$\{VORI_DB(_ADMIN)?_PASSWORD:\?[^}]+\}", password), user_password
    # The services connect as the limited role; only the one-off setup holds the owner's DSN.
    for name in ("gateway", "flow", "board"):
        env = services[name]["environment"]
        assert env["VORI_DATABASE_URL"].startswith("postgresql://vori_app:")
        assert "VORI_DATABASE_ADMIN_URL" not in env
    assert services["setup"]["command"] == ["python", "-m", "infra.compose_setup"]
    assert (ROOT / "infra" / "compose_setup.py").is_file()


def test_docker_compose_config_when_the_plugin_is_present():
    docker = shutil.which("docker")
    has_plugin = docker is not None and subprocess.run(
        [docker, "compose", "version"], capture_output=True
    ).returncode == 0
    if has_plugin:
        env = {**os.environ, "VORI_DB_PASSWORD": "x" * 24, "VORI_DB_ADMIN_PASSWORD": "y" * 24}
        done = subprocess.run([docker, "compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        bare = {k: v for k, v in env.items() if not k.startswith("VORI_DB_")}
        refused = subprocess.run([docker, "compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True, env=bare)
        assert refused.returncode != 0 and "VORI_DB" in refused.stderr
    else:
        # Without the plugin, check what `config` would: every file the image build copies exists.
        for line in (ROOT / "Dockerfile").read_text().splitlines():
            if line.startswith("COPY "):
                for src in line.split()[1:-1]:
                    assert (ROOT / src).exists(), src
