"""Settings come from VORI_* variables, then the local stack's stack.env, typed, with clear errors."""

import os
import subprocess
from pathlib import Path

import pytest

from connectors import settings as settings_module
from connectors.settings import Settings, SettingsError, format_env, read_env


def test_environment_values_are_typed():
    s = Settings.from_env({"VORI_AUDIO_PARTITIONS": "8", "VORI_GAP_TIMEOUT_S": "2.5",
                           "VORI_INPUT_TAIL": "false", "VORI_LANGUAGE": "ko"})
    assert (s.audio_partitions, s.gap_timeout_s, s.input_tail, s.language) == (8, 2.5, False, "ko")


def test_a_bad_number_names_the_variable():
    with pytest.raises(SettingsError, match="VORI_AUDIO_PARTITIONS"):
        Settings.from_env({"VORI_AUDIO_PARTITIONS": "many"})


def test_another_state_dir_keeps_its_own_checkpoints(tmp_path: Path):
    s = Settings.from_env({"VORI_STATE_DIR": str(tmp_path)})
    assert s.analytics_checkpoint_dir == tmp_path / "checkpoints"
    explicit = Settings.from_env({"VORI_STATE_DIR": str(tmp_path), "VORI_ANALYTICS_CHECKPOINT_DIR": "/x"})
    assert explicit.analytics_checkpoint_dir == Path("/x")


@pytest.mark.parametrize(("word", "value"), [
    ("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("no", False),
    ("on", True), ("OFF", False),
])
def test_booleans_accept_the_usual_words(word: str, value: bool):
    assert Settings.from_env({"VORI_INPUT_TAIL": word}).input_tail is value


@pytest.mark.parametrize("word", ["ture", "enabled", "2", "y"])
def test_a_misspelt_boolean_names_the_variable(word: str):
    with pytest.raises(SettingsError, match=f"VORI_ANALYTICS_ENABLED='{word}'"):
        Settings.from_env({"VORI_ANALYTICS_ENABLED": word})


def test_optional_fields_stay_optional():
    assert Settings.from_env({}).language is None
    assert Settings.from_env({"VORI_LANGUAGE": ""}).language is None
    assert Settings.from_env({"VORI_LLM_BASE_URL": "http://llm:8000/v1"}).llm_base_url == "http://llm:8000/v1"


def write_stack_env(state_dir: Path, env: dict[str, str]) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "stack.env").write_text("# as `vori up` writes it\n" + format_env(env))


def test_the_state_dirs_stack_env_fills_what_the_environment_leaves_unset(tmp_path: Path):
    write_stack_env(tmp_path, {
        "VORI_DATABASE_URL": "postgresql://postgres@127.0.0.1:40001/vori",
        "VORI_KAFKA_BOOTSTRAP": "127.0.0.1:40002",
        "VORI_GATEWAY_PORT": "40003",
        "VORI_PRODUCER_TOKEN": "vori_p_abc",
        "VORI_BOARD_URL": "",
    })
    s = Settings.from_env({"VORI_STATE_DIR": str(tmp_path), "VORI_KAFKA_BOOTSTRAP": "kafka:9092"})
    assert s.database_url == "postgresql://postgres@127.0.0.1:40001/vori"
    assert s.kafka_bootstrap == "kafka:9092"  # the environment wins over the file
    assert (s.gateway_port, s.producer_token, s.board_url) == (40003, "vori_p_abc", None)
    assert s.gateway_base_url == "http://127.0.0.1:40003"
    # Overrides win over both.
    o = Settings.from_env({"VORI_STATE_DIR": str(tmp_path)}, database_url="postgresql://x/y")
    assert o.database_url == "postgresql://x/y"
    # An override's state dir is the one whose stack.env counts.
    assert Settings.from_env({}, state_dir=tmp_path).producer_token == "vori_p_abc"


def test_a_bad_value_in_stack_env_names_the_variable_and_the_file(tmp_path: Path):
    write_stack_env(tmp_path, {"VORI_GATEWAY_PORT": "eighty"})
    with pytest.raises(SettingsError, match=r"VORI_GATEWAY_PORT='eighty' in .*stack\.env"):
        Settings.from_env({"VORI_STATE_DIR": str(tmp_path)})


def test_the_default_stack_env_counts_only_for_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # A developer's `make up` wrote .vori/stack.env: a test's own environ must not see it.
    monkeypatch.setattr(settings_module, "_default_state_dir", lambda: tmp_path)
    write_stack_env(tmp_path, {"VORI_DATABASE_URL": "postgresql://postgres@127.0.0.1:40001/vori"})
    assert Settings.from_env({}).database_url == Settings().database_url
    for key in [k for k in os.environ if k.startswith("VORI_")]:
        monkeypatch.delenv(key)
    assert Settings.from_env().database_url == "postgresql://postgres@127.0.0.1:40001/vori"
    # An explicit VORI_STATE_DIR that names it reads it too.
    assert Settings.from_env({"VORI_STATE_DIR": str(tmp_path)}).database_url.endswith(":40001/vori")


def test_stack_env_reads_back_what_a_shell_reads(tmp_path: Path):
    values = {"VORI_A": "plain", "VORI_B": "two words", "VORI_C": "it's $HOME `x` \"q\" #c", "VORI_D": ""}
    path = tmp_path / "stack.env"
    path.write_text(format_env(values))
    assert read_env(path) == values
    shell = subprocess.run(
        ["bash", "-c", 'set -a; . "$1"; set +a; for k in A B C D; do v="VORI_$k"; printf "%s\\0" "${!v}"; done',
         "bash", str(path)],
        capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"]},
    )
    assert shell.stdout.split("\0")[:-1] == list(values.values())
