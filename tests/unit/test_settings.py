"""The settings: production is locked down, the embedded default needs no servers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    unwanted = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        P2PBOARD_MODE="production",
        SECRET_KEY="x" * 20 + "a-secret-key-long-enough-for-the-check-0123456789",
        ALLOWED_HOSTS="board.example.org",
        P2PBOARD_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = run_manage(
        "check", P2PBOARD_MODE="production", SECRET_KEY="", P2PBOARD_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_embedded_default_keeps_its_secret_key_and_database_in_the_data_folder(
    tmp_path: Path,
) -> None:
    result = run_manage("migrate", "--noinput", P2PBOARD_DATA_DIR=str(tmp_path), SECRET_KEY="")
    assert result.returncode == 0, result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    assert (tmp_path / "p2pboard.sqlite3").exists()
    again = run_manage("check", P2PBOARD_DATA_DIR=str(tmp_path), SECRET_KEY="")
    assert again.returncode == 0
    assert (tmp_path / "secret_key").read_text() == key
