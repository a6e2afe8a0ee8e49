"""The one frozen settings object for every VORI process, read from ``VORI_*`` in entry points only."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """A ``VORI_*`` variable holds a value that cannot be used."""


def _default_state_dir() -> Path:
    return REPO_ROOT / ".vori"


@dataclass(frozen=True)
class Settings:
    """Configuration shared by the gateway, the flow, the board and the jobs.

    Every field maps to ``VORI_<FIELD_NAME_UPPER>``; see the README's configuration table.
    """

    # Services
    kafka_bootstrap: str = "127.0.0.1:9092"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/vori"

    # Topics
    audio_topic: str = "audio.raw"
    dlq_topic: str = "audio.raw.dlq"
    transcript_topic: str = "transcription.completed"
    audio_partitions: int = 4
    # False: the flow stops at the end of the topic (batch runs, tests) instead of waiting.
    input_tail: bool = True

    # Envelope limits (the gateway and the flow apply the same ones)
    max_body_bytes: int = 1024 * 1024
    max_audio_bytes: int = 1024 * 1024
    max_chunk_seconds: float = 60.0

    # Timeline and windowing
    gap_timeout_s: float = 10.0
    idle_timeout_s: float = 300.0
    max_seq_ahead: int = 120
    min_window_s: float = 1.0
    max_window_s: float = 20.0
    closed_meeting_ttl_s: float = 3600.0
    # Once every source of a meeting is final it closes after this long by Kafka time, so a track
    # sent right after another joins it (one sent later still reopens it).
    close_grace_s: float = 5.0

    # Whisper
    whisper_model: str = "tiny.en"
    whisper_device: str = "auto"
    whisper_compute_type: str = "auto"
    whisper_beam_size: int = 5
    whisper_cpu_threads: int = 0
    language: str | None = None
    model_cache_dir: Path = field(default_factory=lambda: _default_state_dir() / "models")

    # Minutes
    minutes_every_segments: int = 20
    minutes_every_s: float = 120.0
    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_timeout_s: float = 30.0
    llm_max_retries: int = 3

    # Apps
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 8080
    board_host: str = "127.0.0.1"
    board_port: int = 8081
    cluster_id: str = "vori-local"
    gateway_workers: int = 1
    # How long the gateway waits for Kafka's acknowledgement before answering 503.
    gateway_delivery_timeout_s: float = 5.0
    # A revoked token keeps working in a running gateway for at most this long.
    token_cache_ttl_s: float = 30.0

    # Analytics
    analytics_enabled: bool = True  # `vori up` starts the Spark jobs
    spark_master: str = "local[2]"
    spark_jars: str = ""
    analytics_checkpoint_dir: Path = field(
        default_factory=lambda: _default_state_dir() / "checkpoints"
    )
    analytics_trigger: str = "10 seconds"

    # Quotas at the gateway (per gateway process: each worker counts for itself). A request over
    # any of them is refused whole with 429 and Retry-After, before anything is produced.
    max_records_per_request: int = 100
    max_new_meetings_per_minute: int = 30  # per team
    max_audio_seconds_per_minute: float = 3600.0  # per team: 60 live meetings' worth
    max_sources_per_meeting: int = 16

    state_dir: Path = field(default_factory=_default_state_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from ``VORI_*`` variables; ``overrides`` win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"VORI_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _coerce(f.name, str(f.type), raw)
        values.update(overrides)
        # Another state dir means another stack: its checkpoints go with it unless set apart.
        if "state_dir" in values and "analytics_checkpoint_dir" not in values:
            values["analytics_checkpoint_dir"] = Path(values["state_dir"]) / "checkpoints"
        return cls(**values)

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _coerce(name: str, type_name: str, raw: str) -> Any:
    try:
        if type_name == "int":
            return int(raw)
        if type_name == "float":
            return float(raw)
        if type_name == "Path":
            return Path(raw)
        if type_name == "bool":
            return raw.strip().lower() in {"1", "true", "yes", "on"}
    except ValueError as exc:
        raise SettingsError(f"VORI_{name.upper()}={raw!r} is not a valid {type_name}") from exc
    return raw
