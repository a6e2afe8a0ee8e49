"""Settings come from VORI_* variables, typed, with clear errors."""

from pathlib import Path

import pytest

from connectors.settings import Settings, SettingsError


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
