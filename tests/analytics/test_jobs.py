"""Starting a job without the Kafka connector jars fails at once and says how to provide them."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics.jobs import main


def test_job_without_jars_says_how_to_provide_them(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.delenv("VORI_SPARK_JARS", raising=False)
    # Nothing listens here: the job must stop before it touches the database.
    monkeypatch.setenv("VORI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("VORI_STATE_DIR", str(tmp_path))
    assert main(["keyword-trends", "--available-now"]) == 2
    err = capsys.readouterr().err
    assert "VORI_SPARK_JARS" in err
    assert "vori analytics" in err


def test_job_with_a_missing_jar_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    gone = tmp_path / "spark-sql-kafka.jar"
    monkeypatch.setenv("VORI_SPARK_JARS", str(gone))
    monkeypatch.setenv("VORI_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("VORI_STATE_DIR", str(tmp_path))
    assert main(["efficiency"]) == 2
    assert str(gone) in capsys.readouterr().err
