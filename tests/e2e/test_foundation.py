"""The bot against the fake Discord: startup, command sync, /club, error handling, shutdown."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.e2e.harness import bot_process, e2e_settings, running_bot, write_config
from tests.fakediscord import FakeDiscord

EPHEMERAL = 1 << 6


async def test_starts_syncs_to_dev_guild_and_answers_status(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path)
        async with running_bot(fake, settings):
            synced = {c["name"] for c in fake.commands(guild_id=fake.guild_id)}
            assert {"club"} <= synced
            assert fake.commands() == []  # nothing synced globally
            ix = await fake.slash("club status", user=fake.moderator)
            response = await ix.response()
            assert response["data"]["flags"] & EPHEMERAL
            embed = response["data"]["embeds"][0]
            names = {f["name"] for f in embed["fields"]}
            assert {"Version", "Uptime", "Database"} <= names
        assert fake.unknown_requests == []


async def test_status_refused_to_a_plain_member(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)):
        ix = await fake.slash("club status", user=fake.member)
        response = await ix.response()
        assert response["data"]["flags"] & EPHEMERAL
        assert "Manage Server" in response["data"]["content"]


async def test_settings_change_and_validation(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        ix = await fake.slash("club settings", {"timezone": "europe/paris"}, user=fake.moderator)
        response = await ix.response()
        assert "Europe/Paris" in response["data"]["embeds"][0]["description"]
        assert (await bot.services.club.guild_settings(fake.guild_id)).timezone == "Europe/Paris"
        bad = await fake.slash("club settings", {"timezone": "Mars/Olympus"}, user=fake.moderator)
        response = await bad.response()
        assert response["data"]["flags"] & EPHEMERAL
        assert "isn't a time zone" in response["data"]["content"]
        choices = await fake.autocomplete(
            "club settings", {"timezone": "amsterd"}, focused="timezone", user=fake.moderator
        )
        assert [c["value"] for c in choices] == ["Europe/Amsterdam"]


async def test_forget_me_deletes_after_confirmation(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        await bot.services.club.set_member_timezone(fake.member.id, "Asia/Tokyo")
        ix = await fake.slash("club forget-me", user=fake.member)
        response = await ix.response()
        assert "1 record" in response["data"]["content"]
        message_id = int(ix.original["id"])
        press = await fake.press_button(message_id, "projectionist:forget:yes", user=fake.member)
        await press.response()
        assert await bot.services.club.member_timezone(fake.member.id) is None
        again = await fake.slash("club forget-me", user=fake.member)
        assert "no data" in (await again.response())["data"]["content"]


async def test_unexpected_error_is_logged_and_answered(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:

        async def broken(guild_id: int) -> dict[str, str]:
            raise RuntimeError("disk on fire")

        bot.services.club.add_status_provider(broken)
        ix = await fake.slash("club status", user=fake.moderator)
        response = await ix.response()
        assert response["data"]["flags"] & EPHEMERAL
        assert "Something went wrong" in response["data"]["content"]
        logged = [r for r in caplog.records if "club status failed" in r.getMessage()]
        assert logged and str(fake.guild_id) in logged[0].getMessage()
        assert str(fake.moderator.id) in logged[0].getMessage()


async def test_gateway_drop_resumes_and_keeps_working(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)):
        await fake.drop_gateway()
        await fake.wait_for(lambda: fake.resume_count >= 1, timeout=15)
        ix = await fake.slash("club status", user=fake.moderator)
        assert (await ix.response(timeout=10))["data"]["embeds"]


async def test_invalid_token_is_one_line_exit_2(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        proc = await bot_process(write_config(fake, tmp_path), "not-the-token")
        _, stderr = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 2
        last = stderr.decode().strip().splitlines()[-1]
        assert "DISCORD_TOKEN" in last and "401" in last and "README" in last
        assert "Traceback" not in stderr.decode()


async def test_sigterm_shuts_down_cleanly(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        proc = await bot_process(write_config(fake, tmp_path), fake.token)
        try:
            await fake.wait_for(lambda: len(fake.commands(guild_id=fake.guild_id)) > 0, timeout=30)
            await fake.wait_until_ready(timeout=30)
            ix = await fake.slash("club status", user=fake.moderator)
            await ix.response(timeout=10)
            proc.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(proc.communicate(), 30)
        finally:
            if proc.returncode is None:
                proc.kill()
        assert proc.returncode == 0, stderr.decode()[-2000:]
        text = stderr.decode()
        assert "stopped cleanly" in text and "database" in text and "closed" in text


async def test_club_warnings_shows_and_changes_settings(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        ix = await fake.slash(
            "club warnings",
            {"category": "gore", "spoiler": True, "add_term": "eyeball scene"},
            user=fake.moderator,
        )
        await ix.wait_for_output()
        assert ix.ephemeral and "spoilers the summary" in ix.text and "eyeball scene" in ix.text
        current = await bot.services.digest.warning_settings(fake.guild_id)
        assert current.spoiler_categories == {"gore"} and current.custom_terms == {"gore": ("eyeball scene",)}
        missing = await fake.slash("club warnings", {"shown": False}, user=fake.moderator)
        await missing.wait_for_output()
        assert "Choose the category" in missing.text
        wrong = await fake.slash(
            "club warnings", {"category": "gore", "remove_term": "nope"}, user=fake.moderator
        )
        await wrong.wait_for_output()
        assert "is not a custom term" in wrong.text
        member = await fake.slash("club warnings", user=fake.member)
        await member.wait_for_output()
        assert "Manage Server" in member.text


async def test_club_warnings_shows_the_defaults_and_an_explicit_opt_out(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path)) as bot:
        ix = await fake.slash("club warnings", user=fake.moderator)
        await ix.wait_for_output()
        assert "**gore** (`gore`): shown, spoilers the summary (default)" in ix.text
        assert "**violence** (`violence`): shown\n" in ix.text
        assert "By default, gore, torture, sexual violence, harm to children, self-harm/suicide" in ix.text
        out = await fake.slash("club warnings", {"category": "gore", "spoiler": False}, user=fake.moderator)
        await out.wait_for_output()
        assert "**gore** (`gore`): shown, summary shown (changed from the default)" in out.text
        options = await bot.services.digest.options_for(fake.guild_id)
        assert "gore" not in options.spoiler_categories and "torture" in options.spoiler_categories
