"""docker-compose.yml runs the same services as `make up` from images."""

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
    for name in ("gateway", "flow", "board"):
        env = services[name]["environment"]
        assert env["VORI_KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert env["VORI_DATABASE_URL"].startswith("postgresql://")


def test_docker_compose_config_when_the_plugin_is_present():
    docker = shutil.which("docker")
    has_plugin = docker is not None and subprocess.run(
        [docker, "compose", "version"], capture_output=True
    ).returncode == 0
    if has_plugin:
        done = subprocess.run([docker, "compose", "config", "-q"], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    else:
        # Without the plugin, check what `config` would: every file the image build copies exists.
        for line in (ROOT / "Dockerfile").read_text().splitlines():
            if line.startswith("COPY "):
                for src in line.split()[1:-1]:
                    assert (ROOT / src).exists(), src
