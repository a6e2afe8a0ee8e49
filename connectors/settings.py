"""The one frozen settings object for every VORI process, read in entry points only: from ``VORI_*``
variables, then from the local stack's ``stack.env``, then the field defaults."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# What `vori up` writes into the state directory: the running stack's endpoints and dev tokens.
ENV_FILE = "stack.env"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A ``VORI_*`` variable holds a value that cannot be used."""


def settings_or_exit(prog: str) -> Settings:
    """``Settings.from_env()`` for a process's entry point: a bad ``VORI_*`` value is one line on
    stderr naming the variable, and exit status 2, not a traceback."""
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _default_state_dir() -> Path:
    return REPO_ROOT / ".vori"


def read_env(path: Path) -> dict[str, str]:
    """Parse a ``KEY=value`` file as :func:`format_env` writes it (shell-quoted values); missing
    file: empty. The same file can be sourced by a shell (``set -a; . .vori/stack.env``)."""
    env: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return env
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        try:
            parsed = shlex.split(value)
        except ValueError as exc:
            raise SettingsError(f"{path}:{number}: cannot parse {key.strip()}: {exc}") from exc
        env[key.strip()] = parsed[0] if parsed else ""
    return env


def format_env(env: Mapping[str, str]) -> str:
    """``KEY=value`` lines, each value shell-quoted, as :func:`read_env` and a shell read them."""
    return "".join(f"{key}={shlex.quote(value)}\n" for key, value in env.items())


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
    # A meeting longer than this (audio time) closes at the next pause and goes on as a new part
    # ``<id>~2``, ``<id>~3``…, each with final minutes of its own; 0: no maximum.
    max_meeting_s: float = 4 * 3600.0

    # The refined transcript (flows/refine.py): `vori up` starts the refine flow, at the lowest
    # CPU priority, which reads every source again in long windows and replaces the live text.
    refine: bool = True
    # The model the refine flow reads with: auto is Whisper base when the live flow reads with
    # tiny.en (a second, better reading off the live path), else the live flow's own model.
    refine_model: str = "auto"

    # Whisper
    whisper_model: str = "tiny.en"
    whisper_device: str = "auto"
    whisper_compute_type: str = "auto"
    whisper_beam_size: int = 5
    whisper_cpu_threads: int = 0
    # Windows of different meetings read together (flows/batching.py): at most this many at once
    # (1: one by one, inline, as before; 0: auto, 8 on a GPU and 1 on the CPU), and a window
    # that arrives while the model is busy waits at most this long after the running batch for
    # batch-mates (a window that finds the model idle starts at once).
    whisper_max_batch: int = 0
    whisper_max_wait_ms: float = 10.0
    # The encoder context (connectors/whisper.py): auto pads each 30 s step only to 10, 15, 20 or
    # 30 s (the smallest that holds its speech and 2 s more); a number of seconds pads to that
    # size (else 30 s); 30 is faster-whisper's own path, always 30 s.
    whisper_context_s: str = "auto"
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
    # How the LLM is asked for JSON: json_schema (structured output), json_object (JSON mode, the
    # schema only in the prompt) or none (the prompt alone). A refused json_schema falls back to none.
    llm_response_format: str = "json_schema"
    # LLM requests in flight at once in the minutes flow; a meeting waits for its own, never others'.
    llm_concurrency: int = 4

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
    # Where clients (`vori send`, the demo) find the running stack; `vori up` writes them to
    # stack.env. No gateway_url: http://gateway_host:gateway_port.
    gateway_url: str | None = None
    board_url: str | None = None
    producer_token: str | None = None
    board_token: str | None = None
    # The board refuses a request body larger than this (413) before reading it further.
    board_max_body_bytes: int = 64 * 1024
    # A board socket must send its token (first message) within this many seconds.
    board_ws_auth_timeout_s: float = 5.0
    # Origins (comma-separated) whose pages may post to the gateway from a browser (CORS). Unset:
    # the board's own, board_url, else http://board_host:board_port.
    gateway_cors_origins: str | None = None

    # Analytics
    analytics_enabled: bool = True  # `vori up` starts the Spark jobs
    spark_master: str = "local[2]"
    spark_jars: str = ""
    analytics_checkpoint_dir: Path = field(
        default_factory=lambda: _default_state_dir() / "checkpoints"
    )
    analytics_trigger: str = "10 seconds"

    # Flow limits: untranscribed audio (decoded, 32 000 bytes a second: buffered plus parked
    # behind a missing seq) the flow holds for one producer; beyond, chunks go to the DLQ.
    flow_max_sources_per_meeting: int = 32
    flow_max_pending_source_s: float = 600.0
    flow_max_pending_meeting_s: float = 1800.0
    flow_max_pending_team_s: float = 7200.0  # per flow process

    # Quotas at the gateway (per gateway process: each worker counts for itself). A request over
    # any of them is refused whole with 429 and Retry-After, before anything is produced.
    max_records_per_request: int = 100
    max_new_meetings_per_minute: int = 30  # per team
    max_audio_seconds_per_minute: float = 3600.0  # per team: 60 live meetings' worth
    max_sources_per_meeting: int = 16

    # Migrations: the database owner's DSN (`vori up` writes the local stack's to stack.env);
    # unset: migrations use database_url. The services connect as database_url's role only.
    database_admin_url: str | None = None

    # Speakers: diarization of sources whose envelope names no speaker (one room microphone, a
    # mixed call); a named speaker (per-participant tracks) is kept as sent.
    diarization: bool = True
    speaker_threshold: float = 0.82  # cosine similarity at which a turn joins a speaker
    speaker_weights: Path | None = None  # default: resemblyzer's pretrained.pt, installed
    max_speakers: int | None = None

    state_dir: Path = field(default_factory=_default_state_dir)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings; the first that sets a field wins:

        1. ``overrides``;
        2. a non-empty ``VORI_<FIELD>`` in ``environ`` (default: the process environment);
        3. the same variable in ``<state dir>/stack.env``, which ``vori up`` writes, so every
           command finds the running local stack without sourcing that file;
        4. the field's default.

        The state dir is ``overrides["state_dir"]``, else ``VORI_STATE_DIR`` in ``environ``, else
        the default ``.vori/`` at the repository root, but that default only when ``environ`` is
        the process environment: settings built from an explicit mapping (a test's) read a
        ``stack.env`` only from a state dir that mapping (or an override) names, never a
        developer's ``.vori/stack.env``. ``stack.env`` cannot move the state dir itself.

        Raises :class:`SettingsError`, naming the variable (and the file), for a value that is
        not of the field's type; booleans are true/false/1/0/yes/no/on/off in any case.
        """
        env = os.environ if environ is None else environ
        values = _typed(env)
        state_dir = overrides.get("state_dir") or values.get("state_dir")
        if state_dir is None and environ is None:
            state_dir = _default_state_dir()
        if state_dir is not None:
            path = Path(state_dir) / ENV_FILE
            for name, value in _typed(read_env(path), path).items():
                if name != "state_dir":
                    values.setdefault(name, value)
        values.update(overrides)
        # Another state dir means another stack: its checkpoints go with it unless set apart.
        if "state_dir" in values and "analytics_checkpoint_dir" not in values:
            values["analytics_checkpoint_dir"] = Path(values["state_dir"]) / "checkpoints"
        return cls(**values)

    @property
    def gateway_base_url(self) -> str:
        """``gateway_url``, or the gateway this configuration would serve on."""
        return self.gateway_url or f"http://{self.gateway_host}:{self.gateway_port}"

    @property
    def flow_ready_file(self) -> Path:
        """Written by the live flow once its model is loaded and warm; ``vori up`` waits for it."""
        return self.state_dir / "run" / "flow.ready"

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def _typed(env: Mapping[str, str], origin: Path | None = None) -> dict[str, Any]:
    """The fields that ``env`` sets (non-empty ``VORI_<FIELD>``), converted to their types."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f"VORI_{f.name.upper()}")
        if raw is None or raw == "":
            continue
        values[f.name] = _coerce(f.name, str(f.type), str(raw), origin)
    return values


def _coerce(name: str, type_name: str, raw: str, origin: Path | None = None) -> Any:
    base = type_name.removesuffix(" | None")  # optional fields: set means the value itself
    where = f" in {origin}" if origin is not None else ""
    problem = f"VORI_{name.upper()}={raw!r}{where} is not a valid {base}"
    if base == "bool":
        word = raw.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise SettingsError(f"{problem} (use true/false, 1/0, yes/no or on/off)")
    try:
        if base == "int":
            return int(raw)
        if base == "float":
            return float(raw)
    except ValueError as exc:
        raise SettingsError(problem) from exc
    if base == "Path":
        return Path(raw)
    return raw
