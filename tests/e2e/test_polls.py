"""Reaction polls and the film pick end to end: the real bot, real SQLite, the fake Discord."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import Any

from domain.polls import NUMBER_EMOJI
from tests.e2e.harness import bot_process, database, e2e_settings, query, running_bot, write_config
from tests.fakediscord import FakeDiscord, Perm, message_text
from tests.fakediscord.messages import delete_message

# The storage-facing flows also run on PostgreSQL (tests/e2e/conftest.py); CI installs its binaries.
E2E_BACKENDS = ("sqlite", "postgresql")

E = NUMBER_EMOJI
FAST = {"create_cooldown": 0.0}


def polls_in(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.messages(channel_id)
        if m.get("embeds") and m["embeds"][0].get("title") in ("📊 Poll", "🎬 Film pick")
    ]


def results_in(fake: FakeDiscord, channel_id: int) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.messages(channel_id)
        if m.get("embeds") and str(m["embeds"][0].get("title", "")).startswith("Results: poll #")
    ]


async def create_poll(fake: FakeDiscord, options: dict[str, Any], user: Any) -> tuple[str, int]:
    before = len(polls_in(fake, fake.text_channel_id))
    ix = await fake.slash("poll create", options, user=user)
    await ix.wait_for_output(timeout=10)
    assert ix.ephemeral
    posted = polls_in(fake, fake.text_channel_id)
    assert len(posted) == before + 1, ix.text
    return ix.text, int(posted[-1]["id"])


async def command_text(fake: FakeDiscord, name: str, options: dict[str, Any], user: Any, **kw: Any) -> str:
    ix = await fake.slash(name, options, user=user, **kw)
    await ix.wait_for_output(timeout=10)
    assert ix.ephemeral
    return ix.text


async def counts(bot: Any, poll_id: int) -> tuple[int, ...]:
    return (await bot.services.polls.results(bot.settings.discord.dev_guild_id, poll_id)).tally.counts


async def test_poll_votes_by_reaction(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path, polls=FAST)) as bot:
        ch = fake.text_channel_id
        alice, bob, carol = fake.members[:3]
        reply, mid = await create_poll(
            fake,
            {"question": "Tonight @everyone ||x|| **y** <@123>?", "options": "Alien; **Heat**; Up <@&1>"},
            fake.member,
        )
        assert "Poll #1" in reply
        message = fake.message(mid)
        assert message is not None
        embed = message["embeds"][0]
        assert embed["footer"]["text"].startswith("Poll #1")
        description = embed["description"]
        assert "@\u200beveryone" in description and "\\|\\|x\\|\\| \\*\\*y\\*\\*" in description
        # (the cog's own escaper left ">" live; the one escaper escapes both brackets)
        assert "\\<@\u200b123\\>" in description and "Up \\<@\u200b&1\\>" in description
        assert "\\*\\*Heat\\*\\*" in description and "<t:" in description
        assert (
            message["mentions"] == [] and not message["mention_everyone"] and message["mention_roles"] == []
        )
        assert fake.reactions(mid) == {
            E[0]: [fake.bot_user_id],
            E[1]: [fake.bot_user_id],
            E[2]: [fake.bot_user_id],
        }

        await fake.react(ch, mid, E[0], user=alice)
        await fake.react(ch, mid, E[1], user=bob)
        await fake.react(ch, mid, "👍", user=carol)  # not an option: ignored
        await fake.react(ch, mid, E[2], user=bob)  # single mode: replaces bob's vote, bot removes the old one
        await fake.wait_for(
            lambda: bob.id not in fake.reactions(mid).get(E[1], []), what="old reaction removed"
        )

        async def settled() -> bool:
            return await counts(bot, 1) == (1, 0, 1)

        await fake.wait_for(settled, what="votes recorded")
        await fake.unreact(ch, mid, E[0], user=alice)

        async def withdrawn() -> bool:
            return await counts(bot, 1) == (0, 0, 1)

        await fake.wait_for(withdrawn, what="vote withdrawn")

        text = await command_text(fake, "poll results", {"id": 1}, fake.member)
        assert "Current results: poll #1" in text and "1 voter" in text  # the bot's seeds are not votes
        assert "Leading" in text and "100% (1)" in text
        listing = await command_text(fake, "poll list", {}, fake.member)
        assert "#1" in listing and "1 voter" in listing
        choices = await fake.autocomplete("poll results", {"id": ""}, focused="id", user=fake.member)
        assert [c["value"] for c in choices] == [1]
        refused = await command_text(
            fake, "poll create", {"question": "Q", "options": "only one"}, fake.member
        )
        assert "at least 2 options" in refused
        assert len(polls_in(fake, ch)) == 1
    assert fake.unknown_requests == []


async def test_deadline_close_posts_chart_and_tie_once(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path, polls=FAST)) as bot:
        ch = fake.text_channel_id
        _, mid = await create_poll(
            fake, {"question": "Double bill?", "options": "Alien; Aliens; Up", "duration": "1m"}, fake.member
        )
        await fake.react(ch, mid, E[0], user=fake.members[0])
        await fake.react(ch, mid, E[1], user=fake.members[1])

        async def two_votes() -> bool:
            return await counts(bot, 1) == (1, 1, 0)

        await fake.wait_for(two_votes)
        bot.services.polls.clock = lambda: time.time() + 120  # the deadline passes
        posted = await fake.wait_for(lambda: results_in(fake, ch), timeout=10, what="results message")
        text = message_text(posted[0])
        assert "Tie between" in text and "1️⃣ **Alien**" in text and "2️⃣ **Aliens**" in text
        assert "50% (1)" in text and "0% (0)" in text and "at its deadline" in text
        assert posted[0]["nonce"] == "pollclose1"
        await fake.react(ch, mid, E[0], user=fake.members[2])  # closed: ignored
        await asyncio.sleep(2.5)  # more deadline-loop ticks: still exactly one results message
        assert len(results_in(fake, ch)) == 1
        assert await counts(bot, 1) == (1, 1, 0)
        poll_message = fake.message(mid)
        assert poll_message is not None and "Closed" in poll_message["embeds"][0]["description"]
        text = await command_text(fake, "poll results", {"id": 1}, fake.member)
        assert "Results: poll #1" in text and "Tie between" in text


async def test_restart_reconciles_reactions_changed_offline(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path, polls=FAST)
        ch = fake.text_channel_id
        a, b, c = fake.members[:3]
        async with running_bot(fake, settings) as bot:
            _, kept = await create_poll(
                fake, {"question": "Which?", "options": "A; B; C", "mode": "multi"}, fake.member
            )
            _, deleted = await create_poll(fake, {"question": "Deleted?", "options": "Yes; No"}, fake.member)
            _, overdue = await create_poll(fake, {"question": "Overdue?", "options": "Yes; No"}, fake.member)
            await fake.react(ch, kept, E[0], user=a)
            await fake.react(ch, kept, E[1], user=b)
            await fake.react(ch, deleted, E[1], user=a)
            await fake.react(ch, overdue, E[0], user=b)

            async def recorded() -> bool:
                return (
                    await counts(bot, 1) == (1, 1, 0)
                    and await counts(bot, 2) == (0, 1)
                    and await counts(bot, 3) == (1, 0)
                )

            await fake.wait_for(recorded)
        # while the bot is down: reactions come and go, a poll message is deleted, a deadline passes
        fake.add_reaction_silently(ch, kept, E[2], user=a)
        fake.remove_reaction_silently(ch, kept, E[1], user=b)
        fake.add_reaction_silently(ch, kept, E[0], user=c)
        fake.add_reaction_silently(ch, kept, "🎉", user=c)
        stored = fake.world.find_message(deleted)
        assert stored is not None
        delete_message(fake, stored, dispatch=False)
        await query(
            database(tmp_path), "UPDATE polls SET closes_at = ? WHERE id = 3", (int(time.time()) - 5,)
        )
        async with running_bot(fake, settings) as bot:
            await fake.wait_for(lambda: bot.services.polls.last_resync is not None, what="startup resync")
            assert await counts(bot, 1) == (2, 0, 1)
            text = await command_text(fake, "poll results", {"id": 1}, fake.member)
            assert "2 voters" in text
            gone = await bot.services.polls.get(fake.guild_id, 2)
            assert gone.status == "closed" and gone.close_reason == "message deleted"
            closed = await fake.wait_for(
                lambda: [m for m in results_in(fake, ch) if "poll #3" in m["embeds"][0]["title"]],
                timeout=10,
                what="the overdue poll's results",
            )
            assert "Winner" in message_text(closed[0]) and "**Yes**" in message_text(closed[0])
            # live events work after the resync
            await fake.react(ch, kept, E[1], user=b)

            async def live_again() -> bool:
                return await counts(bot, 1) == (2, 1, 1)

            await fake.wait_for(live_again)
    assert fake.unknown_requests == []


async def test_permissions_and_other_servers(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path, polls=FAST)):
        ch = fake.text_channel_id
        await command_text(fake, "club settings", {"polls_organisers_only": True}, fake.moderator)
        refused = await command_text(fake, "poll create", {"question": "Q", "options": "A; B"}, fake.member)
        assert "Only organisers can create polls" in refused
        assert polls_in(fake, ch) == []
        # no Manage Messages here: a replaced vote's reaction stays, the latest vote counts, results say so
        fake.set_permission_overwrite(ch, fake.bot_user_id, deny=int(Perm.MANAGE_MESSAGES))
        reply, mid = await create_poll(fake, {"question": "Q", "options": "A; B"}, fake.organiser)
        assert "Manage Messages" in reply
        await fake.react(ch, mid, E[0], user=fake.members[0])
        await fake.react(ch, mid, E[1], user=fake.members[0])

        async def flagged() -> bool:
            text = await command_text(fake, "poll results", {"id": 1}, fake.member)
            return "latest vote counted" in text and "100% (1)" in text

        await fake.wait_for(flagged, timeout=10)
        assert fake.members[0].id in fake.reactions(mid)[E[0]]

        not_creator = await command_text(fake, "poll close", {"id": 1}, fake.member)
        assert "Only the member who created poll #1" in not_creator
        # as if the commands were synced globally, so the other server has them too
        fake.world.guild_commands[fake.other_guild_id] = fake.commands(fake.guild_id)
        for name in ("poll results", "poll close"):
            elsewhere = await command_text(
                fake, name, {"id": 1}, fake.other_member, guild_id=fake.other_guild_id
            )
            assert "There is no poll #1 in this server" in elsewhere
        listing = await command_text(fake, "poll list", {}, fake.other_member, guild_id=fake.other_guild_id)
        assert "No open polls" in listing
        assert (
            await fake.autocomplete(
                "poll close",
                {"id": ""},
                focused="id",
                user=fake.other_member,
                guild_id=fake.other_guild_id,
                channel_id=fake.other_channel_id,
            )
            == []
        )
        pick = await command_text(fake, "film pick", {}, fake.member)
        assert "Only organisers" in pick
        closed = await command_text(fake, "poll close", {"id": 1}, fake.moderator)
        assert "Closed poll #1" in closed
        await fake.wait_for(lambda: results_in(fake, ch))
    assert fake.unknown_requests == []


async def test_film_nominate_pick_close_and_schedule(tmp_path: Path) -> None:
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path, polls=FAST)) as bot:
        ch = fake.text_channel_id
        a, b, c, d = fake.members[:4]
        assert "Nominated **Alien (1979)**" in await command_text(
            fake, "film nominate", {"title": "Alien", "year": 1979, "note": "in space"}, a
        )
        await command_text(fake, "film nominate", {"title": "Heat", "year": 1995}, b)
        dup = await command_text(fake, "film nominate", {"title": "  alien ", "year": 1979}, c)
        assert f"already nominated by <@{a.id}>" in dup
        await command_text(fake, "film nominate", {"title": "Up", "year": 2009}, c)
        second = await command_text(fake, "film nominate", {"title": "Jaws", "year": 1975}, c)
        assert "limit is 1" in second
        listing = await command_text(fake, "film nominations", {}, d)
        assert "Alien (1979)" in listing and "Heat (1995)" in listing and "Up (2009)" in listing
        assert "Withdrew **Up (2009)**" in await command_text(fake, "film withdraw", {}, c)
        await command_text(fake, "film nominate", {"title": "Up", "year": 2009}, c)

        opened = await command_text(fake, "film pick", {"method": "ranked"}, fake.organiser)
        assert "Film pick poll #1" in opened and "3 films" in opened
        (pick,) = polls_in(fake, ch)
        mid = int(pick["id"])
        assert "Alien (1979)" in pick["embeds"][0]["description"] and "order of preference" in message_text(
            pick
        )
        # ranked: a: Up > Heat, b: Heat, c: Alien > Heat, d: Up  -> round 1: Alien 1, Heat 1, Up 2 of 4;
        # Alien and Heat tie for last and both go -> Up wins
        for user, order in ((a, [2, 1]), (b, [1]), (c, [0, 1]), (d, [2])):
            for option in order:
                await fake.react(ch, mid, E[option], user=user)

        async def voted() -> bool:
            return (await counts(bot, 1)) == (1, 1, 2)

        await fake.wait_for(voted)
        closed = await command_text(fake, "poll close", {"id": 1}, fake.organiser)
        assert "Closed poll #1" in closed
        (result,) = await fake.wait_for(lambda: results_in(fake, ch))
        text = message_text(result)
        assert "Round 1" in text and "Up (2009)" in text and "Winner" in text
        custom_id = result["components"][0]["components"][0]["custom_id"]
        assert custom_id == "projectionist:pickwp:1:2"
        assert result["mentions"] and int(result["mentions"][0]["id"]) == fake.organiser.id
        assert "no nominations" in (await command_text(fake, "film nominations", {}, d)).lower()

        press = await fake.press_button(int(result["id"]), custom_id, user=fake.member)
        await press.wait_for_output()
        assert "Only organisers" in press.text
        await bot.unload_extension("cogs.watchparty")  # watch parties switched off
        press = await fake.press_button(int(result["id"]), custom_id, user=fake.organiser)
        await press.wait_for_output()
        assert press.ephemeral and "/watchparty schedule film:Up" in press.text
        await bot.load_extension("cogs.watchparty")
        press = await fake.press_button(int(result["id"]), custom_id, user=fake.organiser)
        await press.response()
        assert press.modal is not None and press.modal["title"] == "Schedule a watch party"
        submitted = await fake.submit_modal(
            press.modal["custom_id"], {"when": "tomorrow 8pm"}, user=fake.organiser
        )
        await submitted.wait_for_output(timeout=10)
        assert "Scheduled **Up**" in submitted.text, submitted.text
        assert [e["name"] for e in fake.scheduled_events()] == ["Up"]
    assert fake.unknown_requests == []


async def test_restart_resync_pages_through_more_than_100_reactions(tmp_path: Path) -> None:
    """Discord returns at most 100 users per GET .../reactions/{emoji}: the resync must page with ``after``."""
    async with FakeDiscord() as fake:
        settings = e2e_settings(fake, tmp_path, polls=FAST)
        ch = fake.text_channel_id
        async with running_bot(fake, settings):
            _, mid = await create_poll(
                fake, {"question": "Crowd?", "options": "A; B", "mode": "multi"}, fake.member
            )
        crowd = [fake.add_member(f"fan{i}") for i in range(230)]
        for member in crowd:
            fake.add_reaction_silently(ch, mid, E[0], user=member)
        for member in crowd[:101]:
            fake.add_reaction_silently(ch, mid, E[1], user=member)
        other_bot = fake.add_member("otherbot")
        other_bot.bot = True
        fake.add_reaction_silently(ch, mid, E[1], user=other_bot)  # bots don't vote, offline or live
        async with running_bot(fake, settings) as bot:
            await fake.wait_for(lambda: bot.services.polls.last_resync is not None, what="startup resync")
            assert bot.services.polls.last_resync.added == 331
            assert await counts(bot, 1) == (230, 101)
            await fake.react(ch, mid, E[0], user=other_bot)
            await fake.react(ch, mid, E[1], user=crowd[-1])

            async def live() -> bool:
                return await counts(bot, 1) == (230, 102)

            await fake.wait_for(live, what="the live vote")
            assert await counts(bot, 1) == (230, 102)
    assert fake.unknown_requests == []


async def test_pick_over_more_than_ten_nominations_says_so(tmp_path: Path) -> None:
    settings = {"create_cooldown": 0.0, "nominations_per_member": 0}  # 0: no per-member limit
    async with FakeDiscord() as fake, running_bot(fake, e2e_settings(fake, tmp_path, polls=settings)):
        for i in range(12):
            await command_text(fake, "film nominate", {"title": f"Film {i}", "year": 1990 + i}, fake.member)
        listing = await command_text(fake, "film nominations", {}, fake.member)
        assert "12 waiting for the next pick (the oldest 10 go in)" in listing
        fake.set_permission_overwrite(fake.text_channel_id, fake.bot_user_id, deny=int(Perm.MANAGE_MESSAGES))
        opened = await command_text(fake, "film pick", {}, fake.organiser)
        assert "10 films" in opened and "the oldest 10 are in, 2 wait for the next round" in opened
        assert "I lack Manage Messages there" in opened  # plurality picks replace votes like single polls
        (pick,) = polls_in(fake, fake.text_channel_id)
        description = pick["embeds"][0]["description"]
        assert "Film 0 (1990)" in description and "Film 9 (1999)" in description
        assert "Film 10" not in description and E[9] in description
    assert fake.unknown_requests == []


async def test_killed_as_discord_stores_the_results_then_restarted_past_the_nonce_window_posts_once(
    tmp_path: Path,
) -> None:
    """The bot process is SIGKILLed at the instant the fake Discord stores the results message (the reply
    never reaches it, ``announced`` is never set) and comes back after Discord has forgotten the nonce: the
    results are in the channel exactly once, and the bot knows their message id."""
    async with FakeDiscord() as fake:
        config = write_config(fake, tmp_path, '[logging]\nlevel = "WARNING"\n')
        config.write_text(config.read_text().replace("[discord]\n", '[discord]\nnonce_window = "1s"\n', 1))
        proc = await bot_process(config, fake.token, capture=False)
        try:
            await fake.wait_for(lambda: fake.commands(guild_id=fake.guild_id), timeout=30)
            await fake.wait_until_ready(timeout=30)
            await create_poll(fake, {"question": "Tonight?", "options": "Alien; Heat"}, fake.member)

            def kill_on_results(message: Any) -> None:
                if message.embeds and str(message.embeds[0].get("title", "")).startswith("Results: poll #"):
                    fake.on_message_stored = None
                    proc.send_signal(signal.SIGKILL)

            fake.on_message_stored = kill_on_results
            await fake.slash("poll close", {"id": 1}, user=fake.member)  # its answer never comes
            await asyncio.wait_for(proc.wait(), 30)
            assert len(results_in(fake, fake.text_channel_id)) == 1
            fake.rest.nonces.clear()  # Discord has forgotten the nonce
            await asyncio.sleep(1.5)  # and so has the bot's nonce window
            db = database(tmp_path)

            async def announced() -> tuple[int, int | None]:
                [row] = await query(db, "SELECT announced, result_message_id FROM polls WHERE id = 1")
                return int(row[0]), row[1]

            assert await announced() == (0, None)
            proc = await bot_process(config, fake.token, capture=False)

            async def is_announced() -> bool:
                return (await announced())[0] == 1

            await fake.wait_for(is_announced, timeout=30)
            await asyncio.sleep(3)  # more deadline ticks: still one results message
            (posted,) = results_in(fake, fake.text_channel_id)
            assert await announced() == (1, int(posted["id"]))
            # it looked through the history after its first attempt (a snowflake), not at "the last 50"
            (look,) = fake.find_requests("GET", rf"/channels/{fake.text_channel_id}/messages$")
            assert 0 < int(look.query["after"]) < int(posted["id"])
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()


async def test_killed_as_discord_stores_the_poll_message_then_restarted_past_the_nonce_window_posts_once(
    tmp_path: Path,
) -> None:
    """The bot process is SIGKILLed at the instant the fake Discord stores the poll message of /poll create
    (the poll is still 'pending', its message queued in the outbox) and comes back after Discord has
    forgotten the nonce: the poll message is in the channel exactly once, the poll is open on it and has its
    option reactions, and votes count."""
    async with FakeDiscord() as fake:
        config = write_config(fake, tmp_path, '[logging]\nlevel = "WARNING"\n')
        config.write_text(config.read_text().replace("[discord]\n", '[discord]\nnonce_window = "1s"\n', 1))
        proc = await bot_process(config, fake.token, capture=False)
        try:
            await fake.wait_for(lambda: fake.commands(guild_id=fake.guild_id), timeout=30)
            await fake.wait_until_ready(timeout=30)

            def kill_on_poll(message: Any) -> None:
                if message.embeds and message.embeds[0].get("title") == "📊 Poll":
                    fake.on_message_stored = None
                    proc.send_signal(signal.SIGKILL)

            fake.on_message_stored = kill_on_poll
            await fake.slash(
                "poll create", {"question": "Tonight?", "options": "Alien; Heat"}, user=fake.member
            )
            await asyncio.wait_for(proc.wait(), 30)
            (posted,) = polls_in(fake, fake.text_channel_id)
            mid = int(posted["id"])
            assert fake.reactions(mid) == {}
            fake.rest.nonces.clear()  # Discord has forgotten the nonce
            await asyncio.sleep(1.5)  # and so has the bot's nonce window
            db = database(tmp_path)

            async def stored() -> tuple[str, int | None]:
                [row] = await query(db, "SELECT status, message_id FROM polls WHERE id = 1")
                return str(row[0]), row[1]

            assert await stored() == ("pending", None)
            proc = await bot_process(config, fake.token, capture=False)

            async def is_open() -> bool:
                return (await stored())[0] == "open"

            await fake.wait_for(is_open, timeout=30, what="the poll opened")
            assert await stored() == ("open", mid)
            await fake.wait_for(
                lambda: fake.reactions(mid) == {E[0]: [fake.bot_user_id], E[1]: [fake.bot_user_id]},
                timeout=10,
                what="the option reactions",
            )
            await asyncio.sleep(3)  # more deadline ticks: still one poll message
            assert [int(m["id"]) for m in polls_in(fake, fake.text_channel_id)] == [mid]
            (look,) = fake.find_requests("GET", rf"/channels/{fake.text_channel_id}/messages$")
            assert 0 < int(look.query["after"]) < mid
            await fake.react(fake.text_channel_id, mid, E[1], user=fake.members[0])

            async def voted() -> bool:
                return await query(db, "SELECT COUNT(*) FROM votes WHERE poll_id = 1") == [(1,)]

            await fake.wait_for(voted, timeout=10, what="the vote")
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(proc.wait(), 20)
                except TimeoutError:
                    proc.kill()
