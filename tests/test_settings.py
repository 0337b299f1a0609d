from __future__ import annotations

from pathlib import Path

import pytest

from settings import ConfigError, Settings, describe, load_settings, parse_settings, split_listen
from tests.conftest import REPO_ROOT


def test_example_config_documents_exactly_the_defaults() -> None:
    example = load_settings(REPO_ROOT / "config.example.toml")
    assert example == Settings()
    # every key of every section appears in the example file
    text = (REPO_ROOT / "config.example.toml").read_text()
    for section, values in describe(Settings()).items():
        assert f"[{section}]" in text
        for key, value in values.items():
            if value is not None:  # a key whose default is "unset" is shown commented out
                assert f"\n{key} = " in text, f"{section}.{key} missing from config.example.toml"
            else:
                assert f"# {key} = " in text


def test_every_example_key_has_a_comment() -> None:
    lines = (REPO_ROOT / "config.example.toml").read_text().splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith("#"):
            block = []
            j = i - 1
            while j >= 0 and lines[j].strip():
                block.append(lines[j])
                j -= 1
            assert any(b.startswith("#") for b in block), f"no comment above {line!r}"


def test_no_file_means_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings() == Settings()
    (tmp_path / "config.toml").write_text('[feeds]\ninterval = "20m"\n')
    assert load_settings().feeds.interval == 1200


def test_durations_are_seconds() -> None:
    s = parse_settings(
        '[feeds]\ninterval = "90s"\nmin_interval = "30s"\n[watchparty]\nreminders = ["2h", "15m"]\n'
    )
    assert s.feeds.interval == 90
    assert s.watchparty.reminders == (7200, 900)


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('[feeds]\ninterval = "15 parsecs"', "feeds.interval", "isn't a unit I know"),
        ('[feeds]\nintervall = "15m"', "feeds.intervall", "unknown key"),
        ("[nonsense]\nx = 1", "nonsense", "unknown key"),
        ("[discord]\nowner_ids = []", "discord.owner_ids", "no longer a setting"),
        ('[feeds]\nmax_bytes = "big"', "feeds.max_bytes", "whole number"),
        ("[feeds]\nmax_bytes = true", "feeds.max_bytes", "whole number"),
        ("[feeds]\nallow_private_addresses = 1", "feeds.allow_private_addresses", "true or false"),
        ('[feeds]\ninterval = "1m"', "feeds.interval", "min_interval"),
        ('[logging]\nlevel = "LOUD"', "logging.level", "one of"),
        ('[watchparty]\ndefault_timezone = "Mars/Olympus"', "watchparty.default_timezone", "time zone"),
        ('[discord]\napi_base = "ftp://x"', "discord.api_base", "http"),
        ("feeds = 3", "feeds", "section"),
        ("[feeds\n", None, "not valid TOML"),
        ('[http]\nlisten = "8080"', "http.listen", "HOST:PORT"),
        ('[http]\nlisten = "localhost:99999"', "http.listen", "HOST:PORT"),
        ('[http]\npublic_url = "films.example"', "http.public_url", "http"),
        ("[http]\nrate_burst = 0", "http.rate_burst", "at least 1"),
        ('[http]\ncalendar_key_env = "MY KEY"', "http.calendar_key_env", "environment variable name"),
        ('[http]\ncalendar_key_env = "$KEY"', "http.calendar_key_env", "environment variable name"),
    ],
)
def test_config_errors_name_file_key_and_reason(text: str, key: str | None, reason: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(text, "club.toml")
    assert info.value.path == "club.toml"
    assert info.value.key == key
    assert reason in info.value.reason
    assert str(info.value).startswith("club.toml")


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'[feeds]\nuser_agent = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(bad)


@pytest.mark.parametrize(
    ("listen", "expected"),
    [("127.0.0.1:8080", ("127.0.0.1", 8080)), ("[::1]:9000", ("::1", 9000)), (":8080", ("0.0.0.0", 8080))],
)
def test_http_listen_addresses(listen: str, expected: tuple[str, int]) -> None:
    assert split_listen(parse_settings(f'[http]\nlisten = "{listen}"').http.listen) == expected


def test_settings_are_frozen() -> None:
    s = Settings()
    with pytest.raises(AttributeError):
        s.feeds.interval = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    [
        "@everyone ||x <@123> [a](http://x)",  # not a duration
        "-5m ||x <@123>",  # negative
        "1.5h [a](http://x)",  # a decimal
        "15 *parsecs*",  # an unknown unit
    ],
)
def test_duration_errors_quote_the_value_as_typed_on_the_terminal(value: str) -> None:
    # the same parsers answer Discord users with their text escaped; a terminal must get it as typed
    with pytest.raises(ConfigError) as info:
        parse_settings(f'[feeds]\ninterval = "{value}"\n', "club.toml")
    message = str(info.value)
    assert value.strip()[:40] in message and "\\" not in message and "\u200b" not in message, message


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    text = (
        '[feeds]\ninterval = "15 parsecs"\nintervall = "15m"\n'
        '[logging]\nlevel = "LOUD"\nformat = "xml"\n'
        '[watchparty]\ndefault_timezone = "Mars/Olympus"\n'
    )
    with pytest.raises(ConfigError) as info:
        parse_settings(text, "club.toml")
    keys = [e.key for e in info.value.errors]
    assert sorted(keys) == sorted(
        [
            "feeds.interval",
            "feeds.intervall",
            "logging.level",
            "logging.format",
            "watchparty.default_timezone",
        ]
    )
    message = str(info.value)
    assert message.startswith("club.toml: 5 problems")
    assert all(key in message for key in keys)


def test_a_bad_value_does_not_echo_as_a_rule_violation() -> None:
    # the unreadable interval keeps its default while the rest is checked; no "shorter than" echo about it
    with pytest.raises(ConfigError) as info:
        parse_settings('[feeds]\ninterval = "soon"\nmin_interval = "1h"\n', "club.toml")
    assert [e.key for e in info.value.errors] == ["feeds.interval"]


def test_log_format() -> None:
    assert Settings().logging.format == "text"
    assert parse_settings('[logging]\nformat = "json"\n').logging.format == "json"


def test_scale_out_settings_are_checked_and_sqlite_refuses_a_shard_range() -> None:
    ok = parse_settings(
        '[storage]\nurl = "postgresql://bot@db:5432/club"\n[discord]\nshard_count = 2\nshard_ids = [1]'
    )
    assert ok.discord.shard_ids == (1,) and ok.storage.lease_timeout == 60
    with pytest.raises(ConfigError, match="SQLite serves one process, which must own every shard"):
        parse_settings("[discord]\nshard_count = 2\nshard_ids = [0]")
    assert parse_settings("[discord]\nshard_count = 2\nshard_ids = [1, 0]").discord.shard_count == 2
    with pytest.raises(ConfigError, match="from 0 to 1"):
        parse_settings('[storage]\nurl = "postgresql://db/club"\n[discord]\nshard_count = 2\nshard_ids = [2]')
    with pytest.raises(ConfigError, match=r"needs discord\.shard_count"):
        parse_settings("[discord]\nshard_ids = [0]")
    with pytest.raises(ConfigError, match="must start with postgresql://"):
        parse_settings('[storage]\nurl = "mysql://db/club"')


def test_check_config_never_shows_a_database_password() -> None:
    settings = parse_settings('[storage]\nurl = "postgresql://bot:s3cret@db:5432/club"')
    shown = describe(settings)["storage"]["url"]
    assert "s3cret" not in shown and shown == "postgresql://bot:***@db:5432/club"
