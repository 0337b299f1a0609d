"""The command line, run as a user would: a real subprocess of ``python bot.py``."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "bot.py"), *args],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_missing_token_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DISCORD_TOKEN" in lines[0] and "README" in lines[0]
    assert "Traceback" not in result.stderr
    # empty counts as missing; a custom variable name is named in the message
    (tmp_path / "config.toml").write_text('[discord]\ntoken_env = "FILM_BOT_TOKEN"\n')
    result = run_cli("run", cwd=tmp_path, env={"FILM_BOT_TOKEN": "  "})
    assert result.returncode == 2 and "FILM_BOT_TOKEN" in result.stderr


def test_config_error_names_file_key_reason(tmp_path: Path) -> None:
    config = tmp_path / "club.toml"
    config.write_text('[feeds]\ninterval = "15 parsecs"\n')
    for command in (["run", "--config", str(config)], ["check-config", "--config", str(config)]):
        result = run_cli(*command, cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
        assert result.returncode == 2
        assert (
            "club.toml" in result.stderr and "feeds.interval" in result.stderr and "parsecs" in result.stderr
        )
        assert "Traceback" not in result.stderr
    result = run_cli("--config", str(tmp_path / "nope.toml"), cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2 and "cannot read" in result.stderr


def test_check_config_quotes_a_bad_duration_as_typed(tmp_path: Path) -> None:
    # the duration parser's errors are escaped for Discord replies only; the terminal shows no backslashes
    config = tmp_path / "club.toml"
    config.write_text('[feeds]\ninterval = "||x <@123> [a](http://x) *1h*"\n')
    result = run_cli("check-config", "--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2
    assert "'||x <@123> [a](http://x) *1h*'" in result.stderr and "\\" not in result.stderr, result.stderr


def test_check_config_prints_effective_settings_without_token(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[feeds]\ninterval = "20m"\n')
    result = run_cli("check-config", cwd=tmp_path, env={"DISCORD_TOKEN": "super-secret-token"})
    assert result.returncode == 0, result.stderr
    assert "super-secret-token" not in result.stdout
    assert "set (hidden)" in result.stdout
    body = result.stdout[result.stdout.index("{") :]
    effective = json.loads(body)
    assert effective["feeds"]["interval"] == "20m"
    assert effective["storage"]["path"] == "projectionist.sqlite3"


def test_backup_copies_the_database(tmp_path: Path) -> None:
    source = tmp_path / "projectionist.sqlite3"
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (42)")
        conn.commit()
        # a write in flight (as the running bot would have) is not part of the consistent copy
        conn.execute("INSERT INTO t VALUES (43)")
        result = run_cli("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
        assert copy.execute("SELECT x FROM t").fetchall() == [(42,)]
    again = run_cli("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_backup_without_database_is_refused(tmp_path: Path) -> None:
    result = run_cli("backup", "out.sqlite3", cwd=tmp_path)
    assert result.returncode == 2 and "no database" in result.stderr


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for word in ("run", "check-config", "backup", "sync", "preview", "migrate", "doctor"):
        assert word in result.stdout


def test_check_config_reports_every_problem(tmp_path: Path) -> None:
    config = tmp_path / "club.toml"
    config.write_text('[feeds]\ninterval = "15 parsecs"\nmax_bytes = "big"\n[logging]\nlevel = "LOUD"\n')
    result = run_cli("check-config", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert "3 problems" in result.stderr
    for key in ("feeds.interval", "feeds.max_bytes", "logging.level"):
        assert key in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_applies_pending_migrations_alone(tmp_path: Path) -> None:
    from storage.migrate import latest_version

    created = run_cli("migrate", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "created" in created.stdout
    db = tmp_path / "projectionist.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
    again = run_cli("migrate", cwd=tmp_path)
    assert again.returncode == 0 and "already at schema version" in again.stdout
    # an old database (version 1 only) is brought up to date and says from which version
    old = tmp_path / "old.sqlite3"
    with sqlite3.connect(old) as conn:
        conn.executescript((REPO_ROOT / "storage/migrations/0001_core.sql").read_text())
        conn.execute("PRAGMA user_version = 1")
    (tmp_path / "config.toml").write_text(f'[storage]\npath = "{old}"\n')
    result = run_cli("migrate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"from schema version 1 to {latest_version()}" in result.stdout
    with sqlite3.connect(old) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()
        assert conn.execute("SELECT COUNT(*) FROM polls").fetchone()[0] == 0


def test_migrate_refuses_a_newer_database(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "projectionist.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 999")
    result = run_cli("migrate", cwd=tmp_path)
    assert result.returncode == 2 and "newer version" in result.stderr and "Traceback" not in result.stderr


def test_doctor_config_errors_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "club.toml"
    config.write_text('[feeds]\ninterval = "15 parsecs"\n')
    result = run_cli("doctor", "--config", str(config), cwd=tmp_path, env={"DISCORD_TOKEN": "x"})
    assert result.returncode == 2 and "feeds.interval" in result.stderr and "Traceback" not in result.stderr
    missing_token = run_cli("doctor", cwd=tmp_path)
    assert missing_token.returncode == 2 and "DISCORD_TOKEN" in missing_token.stderr


def test_migrate_on_postgresql_creates_the_schema_then_has_nothing_to_do(
    tmp_path: Path, pg_server: Any
) -> None:
    from storage.migrate import PG_MIGRATIONS_DIR, latest_version

    url = pg_server.create_database(migrated=False).replace("postgres@", "postgres:hunter2@")
    (tmp_path / "config.toml").write_text(f'[storage]\nurl = "{url}"\n')
    created = run_cli("migrate", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert f"from schema version 0 to {latest_version(PG_MIGRATIONS_DIR)}" in created.stdout
    assert "hunter2" not in created.stdout + created.stderr
    again = run_cli("migrate", cwd=tmp_path)
    assert again.returncode == 0 and "already at schema version" in again.stdout
    tables = pg_server.psql(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'outbox'", url.rsplit("/", 1)[1]
    )
    assert tables.strip() == "1"


def test_run_on_postgresql_with_the_http_server_needs_the_shared_calendar_key(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[storage]\nurl = "postgresql://bot@127.0.0.1:1/club"\n[http]\nlisten = "127.0.0.1:8080"\n'
    )
    env = {"DISCORD_TOKEN": "x", "PROJECTIONIST_CALENDAR_KEY": ""}
    result = run_cli("run", cwd=tmp_path, env=env)
    assert result.returncode == 2 and "PROJECTIONIST_CALENDAR_KEY" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_backup_points_a_postgresql_operator_at_pg_dump(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[storage]\nurl = "postgresql://bot@db/club"\n')
    result = run_cli("backup", str(tmp_path / "copy.sqlite3"), cwd=tmp_path)
    assert result.returncode == 2 and "pg_dump" in result.stderr and not (tmp_path / "copy.sqlite3").exists()
