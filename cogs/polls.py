"""/poll and /film: reaction polls, the film-pick flow, and the Discord side of the poll service."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from cogs._bot import ClubBot
from cogs._delivery import buttons_of, delivery_error
from cogs._ui import (
    COLOUR,
    NO_MENTIONS,
    NotAllowed,
    bot_of,
    guarded_pass,
    is_organiser,
    organiser_only,
    reply,
    stop_loop,
    ts,
    user_message,
)
from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.models import NominationStatus, Poll, PollKind, PollMode, PollStatus
from domain.polls import NUMBER_EMOJI, clip_units, format_rounds, render_bars
from services import metrics
from services.delivery import DeliveryGone, Payload
from services.polls import CreateRequest, Outcome, PollService
from services.watchparties import describe_offsets

log = logging.getLogger(__name__)

DEADLINE_TICK = 2.0  # seconds between deadline checks (one indexed query when nothing is due)
MODE_HELP = {
    PollMode.SINGLE: "One vote each: react with a number; a new reaction replaces your previous vote.",
    PollMode.MULTI: "Vote for as many options as you like: react with each number.",
    PollMode.RANKED: "Rank the films: react in order of preference (first reaction = first choice). "
    "Instant-runoff decides.",
}


def poll_embed(poll: Poll) -> discord.Embed:
    title = "🎬 Film pick" if poll.kind == PollKind.PICK else "📊 Poll"
    lines = [f"**{escape_markdown(poll.question)}**", ""]
    lines += [f"{NUMBER_EMOJI[i]} {escape_markdown(option)}" for i, option in enumerate(poll.options)]
    lines += ["", MODE_HELP.get(poll.mode, "")]
    if poll.mode == PollMode.MULTI and poll.max_choices:
        lines.append(f"At most {poll.max_choices} choice{'s' * (poll.max_choices != 1)} each.")
    if poll.is_open or poll.status == PollStatus.PENDING:
        lines.append(f"Closes {ts(poll.closes_at, 'f')} ({ts(poll.closes_at, 'R')}).")
    else:
        lines.append(f"Closed {ts(poll.closed_at or poll.closes_at, 'R')}.")
    embed = discord.Embed(title=title, description="\n".join(lines)[:4096], colour=COLOUR)
    embed.set_footer(text=f"Poll #{poll.id} · /poll results id:{poll.id}")
    return embed


def outcome_text(outcome: Outcome, *, final: bool = True) -> tuple[str, str]:
    """(the chart or rounds, the verdict line) for a result embed."""
    poll = outcome.poll
    names = list(poll.options)  # render_bars and format_rounds escape them
    if outcome.irv is not None:
        chart = format_rounds(outcome.irv, names)
        first = "First preferences:\n" + render_bars(names, outcome.tally, limit=1024)
        combined = first + "\n\n" + chart
        chart = combined if clip_units(combined) == combined else chart  # both fit in one field
    else:
        chart = render_bars(names, outcome.tally, highlight_winners=outcome.winner is not None)
    if outcome.voters == 0:
        verdict = "Nobody voted."
        if poll.kind == PollKind.PICK and final:
            verdict += " The nominations stay for the next `/film pick`."
    elif outcome.winner is not None:
        label = "🏆 Winner" if final else "Leading"
        verdict = (
            f"{label}: {NUMBER_EMOJI[outcome.winner]} **{escape_markdown(poll.options[outcome.winner])}**"
        )
    else:
        tied = ", ".join(f"{NUMBER_EMOJI[i]} **{escape_markdown(poll.options[i])}**" for i in outcome.tie)
        verdict = f"🤝 Tie between {tied}." if final else f"Tied so far: {tied}."
    return clip_units(chart), verdict


def results_embed(outcome: Outcome, *, final: bool) -> discord.Embed:
    poll = outcome.poll
    chart, verdict = outcome_text(outcome, final=final)
    head = "Results" if final else "Current results"
    embed = discord.Embed(
        title=f"{head}: poll #{poll.id}",
        description=f"**{escape_markdown(poll.question)}**\n{verdict}"[:4096],
        colour=COLOUR,
    )
    voters = f"{outcome.voters} voter{'s' * (outcome.voters != 1)}"
    embed.add_field(name=voters, value=chart or "-", inline=False)
    if poll.reactions_stale:
        counted = (
            f"only each member's first {poll.max_choices} choice{'s' * (poll.max_choices != 1)} counted"
            if poll.mode != PollMode.SINGLE and poll.max_choices
            else "each member's latest vote counted"
        )
        embed.add_field(
            name="Note",
            value="I couldn't remove some reactions (I lack Manage Messages there), so the reactions on the "
            f"poll may show more than what counts: {counted}.",
            inline=False,
        )
    if poll.close_reason == "message deleted":
        embed.add_field(name="Note", value="The poll message was deleted; these are the stored votes.")
    if final:
        how = {"deadline": "at its deadline", "closed": f"by <@{poll.closed_by}>"}.get(
            poll.close_reason or "", "after its message was deleted"
        )
        embed.set_footer(text=f"Poll #{poll.id}")
        embed.add_field(name="Closed", value=how, inline=False)
    else:
        embed.set_footer(text=f"Poll #{poll.id} · closes at the time below")
        embed.add_field(name="Closes", value=f"{ts(poll.closes_at, 'f')} ({ts(poll.closes_at, 'R')})")
    return embed


class ScheduleButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"projectionist:pickwp:(?P<poll>\d+):(?P<option>\d)",
):
    """'Schedule a watch party' under a film pick's result; state is the custom_id + SQLite."""

    def __init__(self, poll_id: int, option: int, label: str = "Schedule a watch party") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80],
                style=discord.ButtonStyle.primary,
                emoji="🎟️",
                custom_id=f"projectionist:pickwp:{poll_id}:{option}",
            )
        )
        self.poll_id = poll_id
        self.option = option

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ScheduleButton:
        return cls(int(match["poll"]), int(match["option"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            return
        if not await is_organiser(interaction):
            await reply(interaction, "Only organisers can schedule the watch party.")
            return
        bot = bot_of(interaction)
        try:
            film = await bot.services.polls.pick_film(interaction.guild_id, self.poll_id, self.option)
        except UserError as exc:
            await reply(interaction, user_message(exc))
            return
        if not bot.services.watchparties.accepting:
            await reply(
                interaction,
                f"Watch parties aren't available in this bot yet. Use `/watchparty schedule film:{film}` "
                "once they are.",
            )
            return
        await interaction.response.send_modal(ScheduleModal(film))


class ScheduleModal(discord.ui.Modal, title="Schedule a watch party"):
    def __init__(self, film: str) -> None:
        super().__init__(timeout=600)
        self.film: discord.ui.TextInput[ScheduleModal] = discord.ui.TextInput(
            label="Film", custom_id="film", default=film[:100], max_length=100
        )
        self.when: discord.ui.TextInput[ScheduleModal] = discord.ui.TextInput(
            label="When",
            custom_id="when",
            placeholder="friday 8pm, tomorrow 19:30, 2026-12-05 20:00",
            max_length=100,
        )
        self.timezone: discord.ui.TextInput[ScheduleModal] = discord.ui.TextInput(
            label="Time zone (optional)",
            custom_id="timezone",
            placeholder="e.g. Europe/London (default: yours, else the club's)",
            required=False,
            max_length=60,
        )
        for item in (self.film, self.when, self.timezone):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        if not await is_organiser(interaction):
            await reply(interaction, "Only organisers can schedule the watch party.")
            return
        service = bot_of(interaction).services.watchparties
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await service.schedule_from_pick(
                guild_id=interaction.guild_id,
                user_id=interaction.user.id,
                channel_id=interaction.channel_id,
                film=self.film.value,
                when=self.when.value,
                timezone=(self.timezone.value or "").strip() or None,
            )
        except UserError as exc:
            await reply(interaction, f"{user_message(exc)} Press the button again to retry.")
            return
        party = result.view.party
        lines = [
            f"Scheduled **{escape_markdown(party.film)}** as watch party #{party.id}: "
            f"{ts(party.start_at, 'F')} ({ts(party.start_at, 'R')}).",
            f"Announced in <#{party.announce_channel_id}>"
            + (" with a Discord event." if party.event_id else "."),
            f"Reminders: {describe_offsets(party.reminder_offsets)}.",
            *result.notes,
            *(f"⚠️ {w}" for w in result.warnings),
        ]
        log.info(
            "guild %s: user %s scheduled watch party %s from a film pick",
            interaction.guild_id,
            interaction.user.id,
            party.id,
        )
        await reply(interaction, "\n".join(lines)[:2000])

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        log.error(
            "schedule-from-pick modal failed (guild %s, user %s)",
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
        )
        await reply(
            interaction, "Something went wrong on my side; it has been logged. Please try again later."
        )


class DiscordPolls:
    """Implements :class:`services.polls.PollDiscord` with discord.py."""

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    def _message(self, channel_id: int, message_id: int) -> discord.PartialMessage:
        return self.bot.get_partial_messageable(channel_id).get_partial_message(message_id)

    def poll_payload(self, poll: Poll) -> Payload:
        """The poll message as stored data: services.delivery sends it (never pinging anyone)."""
        return Payload(embeds=(poll_embed(poll).to_dict(),))

    async def add_reactions(self, poll: Poll) -> None:
        assert poll.message_id is not None
        message = self._message(poll.channel_id, poll.message_id)
        for emoji in NUMBER_EMOJI[: poll.n_options]:
            await message.add_reaction(emoji)

    async def remove_reaction(self, channel_id: int, message_id: int, emoji: str, user_id: int) -> bool:
        try:
            await self._message(channel_id, message_id).remove_reaction(emoji, discord.Object(user_id))
        except discord.Forbidden:
            return False
        except discord.NotFound as exc:
            raise DeliveryGone(str(exc)) from exc
        return True

    async def fetch_reactions(self, channel_id: int, message_id: int) -> Mapping[str, Sequence[int]]:
        me = self.bot.user.id if self.bot.user else None
        try:
            message = await self._message(channel_id, message_id).fetch()
            out: dict[str, list[int]] = {}
            for reaction in message.reactions:
                if reaction.is_custom_emoji():
                    continue
                # users() pages through all of them (100 per request, with ``after``); bots never vote, the
                # same rule as the live listener. The bot's own seed reactions are kept: the service tells
                # from them whether seeding finished.
                out[str(reaction.emoji)] = [
                    user.id async for user in reaction.users(limit=None) if not user.bot or user.id == me
                ]
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        return out

    def results_payload(self, outcome: Outcome) -> Payload:
        """The final results (and, for a film pick, the buttons to schedule the screening) as stored data."""
        poll = outcome.poll
        content = ""
        buttons: tuple[Any, ...] = ()
        mention: tuple[int, ...] = ()
        if poll.kind == PollKind.PICK:
            options = [outcome.winner] if outcome.winner is not None else list(outcome.tie[:5])
            if options:
                view = discord.ui.View(timeout=None)
                for option in options:
                    label = "Schedule a watch party"
                    if outcome.winner is None:
                        label = f"Schedule {outcome.film(option)}"
                    view.add_item(ScheduleButton(poll.id, option, label))
                buttons = buttons_of(view)
                view.stop()
                content = (
                    f"<@{poll.created_by}>, an organiser can schedule the screening with the button below."
                )
                mention = (poll.created_by,)
        return Payload(
            content=content,
            embeds=(results_embed(outcome, final=True).to_dict(),),
            buttons=buttons,
            mention_users=mention,
        )

    async def show_closed(self, poll: Poll) -> None:
        if poll.message_id is None:
            return
        try:
            await self._message(poll.channel_id, poll.message_id).edit(
                embed=poll_embed(poll), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as exc:
            log.info("poll %s: could not mark the poll message closed (%s)", poll.id, exc.status)


def _posted(poll: Poll, name: str) -> str:
    """Where the poll is: up, or queued because Discord did not answer (the deadline loop posts it)."""
    if poll.status == PollStatus.PENDING:
        return f"Discord didn't answer yet: {name} will appear in <#{poll.channel_id}> as soon as it does"
    return f"{name} is up in <#{poll.channel_id}>"


def _can_moderate(interaction: discord.Interaction) -> bool:
    perms = interaction.permissions
    return perms.manage_messages or perms.manage_guild or perms.administrator


class Polls(commands.Cog):
    poll = app_commands.Group(name="poll", description="Reaction polls", guild_only=True)
    film = app_commands.Group(
        name="film", description="Nominate films and pick the next one", guild_only=True
    )

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot
        self.port = DiscordPolls(bot)
        self._resync_task: asyncio.Task[None] | None = None

    @property
    def service(self) -> PollService:
        return self.bot.services.polls

    async def cog_load(self) -> None:
        # Hold reaction events from the very first one until the startup resync has reconciled the stored
        # votes with the messages' reactions (events can arrive before on_ready).
        # The service itself was started (open polls loaded) by the container before any cog loaded.
        self.service.hold_events()
        self.service.attach(self.port, self.bot.user.id if self.bot.user else None)
        self.bot.add_dynamic_items(ScheduleButton)
        self.deadline_loop.start()
        if self.bot.is_ready():  # reloaded while connected
            self._start_resync()

    async def cog_unload(self) -> None:
        # the mirror image of cog_load, so a reload leaves exactly one of each behind
        await stop_loop(self.deadline_loop)
        if self._resync_task is not None:
            self._resync_task.cancel()
            # wait for it: resync_all lets held events through in its finally, and no task may outlive the cog
            await asyncio.gather(self._resync_task, return_exceptions=True)
            self._resync_task = None
        self.bot.remove_dynamic_items(ScheduleButton)
        self.service.detach()

    def _start_resync(self) -> None:
        if self._resync_task is not None and not self._resync_task.done():
            return
        self.service.hold_events()
        self._resync_task = asyncio.create_task(self._resync(), name="polls-resync")

    async def _resync(self) -> None:
        try:
            if self.bot.user is not None:
                self.service.bot_user_id = self.bot.user.id
            report = await self.service.resync_all()
            await self.bot.services.club.record_loop("polls resync", not report.errors, report.summary())
        except Exception:
            log.exception("poll resync failed")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        # Every new session (not a RESUME) may have missed reactions: reconcile again.
        self._start_resync()

    # The reaction listeners never let an exception escape to discord.py's generic handler: a failed vote
    # (e.g. the database busy beyond its timeout) is logged with every id needed to find it; the next resync
    # reconciles the stored votes with the message's reactions.

    async def _apply(
        self,
        payload: discord.RawReactionActionEvent,
        handler: Callable[[int, int, int, int, str], Awaitable[object]],
        what: str,
    ) -> None:
        """Hand a unicode-emoji reaction in a server to the service; log a failure with every id."""
        if payload.guild_id is None or payload.emoji.id is not None or payload.emoji.name is None:
            return
        try:
            result = await handler(
                payload.guild_id, payload.channel_id, payload.message_id, payload.user_id, payload.emoji.name
            )
            if what == "vote" and result in ("recorded", "replaced"):
                metrics.vote_recorded()
        except Exception:
            log.exception(
                "%s failed: reaction %s by user %s on message %s (channel %s, guild %s)",
                what,
                payload.emoji.name,
                payload.user_id,
                payload.message_id,
                payload.channel_id,
                payload.guild_id,
            )

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.member is not None and payload.member.bot:
            return  # bots don't vote (the service also ignores the bot's own reactions by id)
        await self._apply(payload, self.service.reaction_added, "vote")

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._apply(payload, self.service.reaction_removed, "unvote")

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        try:
            await self.service.reactions_cleared(payload.message_id)
        except Exception:
            log.exception(
                "clearing votes failed: message %s (channel %s, guild %s)",
                payload.message_id,
                payload.channel_id,
                payload.guild_id,
            )

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(self, payload: discord.RawReactionClearEmojiEvent) -> None:
        if payload.emoji.id is not None or not payload.emoji.name:
            return
        try:
            await self.service.reactions_cleared(payload.message_id, payload.emoji.name)
        except Exception:
            log.exception(
                "clearing %s votes failed: message %s (channel %s, guild %s)",
                payload.emoji.name,
                payload.message_id,
                payload.channel_id,
                payload.guild_id,
            )

    @tasks.loop(seconds=DEADLINE_TICK)
    async def deadline_loop(self) -> None:
        # run_due isolates each poll; this guard keeps the loop alive even if the pass itself fails.
        await guarded_pass(self.bot.services.club, "polls", self.service.run_due, loop=self.deadline_loop)

    @deadline_loop.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    # -- autocomplete ------------------------------------------------------------------------------

    async def _open_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.service.choices(interaction.guild_id, current, open_only=True)
        return [app_commands.Choice(name=label, value=i) for i, label in found]

    async def _any_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.service.choices(interaction.guild_id, current, open_only=False)
        return [app_commands.Choice(name=label, value=i) for i, label in found]

    async def _nomination_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.service.nomination_choices(interaction.guild_id, interaction.user.id, current)
        return [app_commands.Choice(name=label, value=i) for i, label in found]

    # -- /poll -------------------------------------------------------------------------------------

    def _check_channel(self, interaction: discord.Interaction, channel: Any) -> int:
        assert interaction.guild is not None
        target = interaction.guild.get_channel_or_thread(channel.id) if channel else interaction.channel
        if channel is None and isinstance(target, discord.PartialMessageable):
            # not in the cache (e.g. an archived thread): Discord will say if the post is refused
            assert interaction.channel_id is not None
            return interaction.channel_id
        if not isinstance(target, discord.TextChannel | discord.Thread):
            raise NotAllowed("Polls can only be posted in text channels and threads.")
        perms = target.permissions_for(interaction.guild.me)
        needed = {
            "view_channel": perms.view_channel,
            "embed_links": perms.embed_links,
            "add_reactions": perms.add_reactions,
            "read_message_history": perms.read_message_history,
        }
        if isinstance(target, discord.Thread):
            needed["send_messages_in_threads"] = perms.send_messages_in_threads
        else:
            needed["send_messages"] = perms.send_messages
        missing = [k.replace("_", " ").title() for k, ok in needed.items() if not ok]
        if missing:
            raise NotAllowed(f"I can't run a poll in {target.mention}: I'm missing {', '.join(missing)}.")
        if channel is not None and not target.permissions_for(interaction.user).send_messages:  # type: ignore[arg-type]
            raise NotAllowed(f"You can't post in {target.mention}.")
        return target.id

    def _manage_messages_note(self, interaction: discord.Interaction, channel_id: int, mode: str) -> str:
        assert interaction.guild is not None
        channel = interaction.guild.get_channel_or_thread(channel_id)
        if (
            mode == PollMode.SINGLE
            and channel is not None
            and not channel.permissions_for(interaction.guild.me).manage_messages
        ):
            return (
                "\n⚠️ I lack Manage Messages there, so I can't remove a replaced vote's reaction; the latest vote "
                "still counts and the results will say so."
            )
        return ""

    @poll.command(name="create")
    @app_commands.describe(
        question="What are you asking?",
        options="2 to 10 options separated by ';', e.g. 'Alien; Heat; Up'",
        duration="How long it stays open, e.g. '30m', '2h', '3d' (1 minute to 30 days; default 24h)",
        mode="single: one vote each (default); multi: several",
        max_choices="multi mode: at most this many choices per member",
        channel="Where to post it (default: here)",
    )
    @app_commands.choices(
        mode=[
            app_commands.Choice(name="single", value="single"),
            app_commands.Choice(name="multi", value="multi"),
        ]
    )
    async def create(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 300],
        options: app_commands.Range[str, 3, 1100],
        duration: app_commands.Range[str, 1, 20] | None = None,
        mode: str = "single",
        max_choices: app_commands.Range[int, 1, 10] | None = None,
        channel: discord.TextChannel | discord.Thread | None = None,
    ) -> None:
        """Start a reaction poll: members vote with the number reactions."""
        assert interaction.guild_id is not None
        channel_id = self._check_channel(interaction, channel)
        organiser = await is_organiser(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        poll = await self.service.create(
            CreateRequest(
                guild_id=interaction.guild_id,
                channel_id=channel_id,
                user_id=interaction.user.id,
                question=question,
                options=options,
                duration=duration,
                mode=mode,
                max_choices=max_choices,
                is_organiser=organiser,
            )
        )
        note = self._manage_messages_note(interaction, channel_id, poll.mode)
        await reply(
            interaction,
            f"{_posted(poll, f'Poll #{poll.id}')}; it closes {ts(poll.closes_at, 'R')}."
            + (f" `/poll close id:{poll.id}` ends it early." if poll.is_open else "")
            + note,
        )

    @poll.command(name="results")
    @app_commands.describe(id="The poll's number (shown in its footer)")
    @app_commands.autocomplete(id=_any_autocomplete)
    async def results(self, interaction: discord.Interaction, id: int) -> None:
        """Show a poll's current tally (only to you)."""
        assert interaction.guild_id is not None
        outcome = await self.service.results(interaction.guild_id, id)
        await reply(interaction, embed=results_embed(outcome, final=not outcome.poll.is_open))

    @poll.command(name="close")
    @app_commands.describe(id="The poll's number (shown in its footer)")
    @app_commands.autocomplete(id=_open_autocomplete)
    async def close(self, interaction: discord.Interaction, id: int) -> None:
        """Close a poll now and post its results (its creator or a moderator)."""
        assert interaction.guild_id is not None
        moderator = _can_moderate(interaction)
        poll = await self.service.get(interaction.guild_id, id)
        if poll.kind == PollKind.PICK and not moderator:
            moderator = await is_organiser(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome = await self.service.close(
            interaction.guild_id, id, user_id=interaction.user.id, can_moderate=moderator
        )
        _, verdict = outcome_text(outcome)
        await reply(
            interaction,
            f"Closed poll #{id}; the results are posted in <#{outcome.poll.channel_id}>. {verdict}",
        )

    @poll.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """List this server's open polls."""
        assert interaction.guild_id is not None
        found = await self.service.open_polls(interaction.guild_id)
        if not found:
            await reply(interaction, "No open polls. Start one with `/poll create`.")
            return
        lines = [
            f"**#{p.id}** {escape_markdown(p.question, limit=80)} · <#{p.channel_id}> · {voters} voter{'s' * (voters != 1)} · "
            f"closes {ts(p.closes_at, 'R')}"
            for p, voters in found[:20]
        ]
        if len(found) > 20:
            lines.append(f"…and {len(found) - 20} more.")
        await reply(
            interaction,
            embed=discord.Embed(title="Open polls", description="\n".join(lines)[:4096], colour=COLOUR),
        )

    # -- /film -------------------------------------------------------------------------------------

    @film.command(name="nominate")
    @app_commands.describe(
        title="The film's title",
        year="Release year (tells remakes apart)",
        note="Why the club should watch it",
    )
    async def nominate(
        self,
        interaction: discord.Interaction,
        title: app_commands.Range[str, 1, 90],
        year: app_commands.Range[int, 1870, 2100] | None = None,
        note: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Nominate a film for the club's next pick."""
        assert interaction.guild_id is not None
        nomination = await self.service.nominate(interaction.guild_id, interaction.user.id, title, year, note)
        await reply(
            interaction,
            f"Nominated **{escape_markdown(nomination.label)}** (#{nomination.id}). `/film nominations` shows this round.",
        )

    @film.command(name="nominations")
    async def nominations(self, interaction: discord.Interaction) -> None:
        """Show this round's nominations."""
        assert interaction.guild_id is not None
        found = await self.service.nominations(interaction.guild_id)
        if not found:
            await reply(interaction, "No nominations yet. Add one with `/film nominate`.")
            return
        lines = []
        for n in found[:30]:
            line = f"**#{n.id}** {escape_markdown(n.label)} · by <@{n.user_id}>"
            if n.note:
                line += f" · “{escape_markdown(n.note, limit=100)}”"
            if n.status == NominationStatus.IN_POLL:
                line += f" · in pick poll #{n.poll_id}"
            lines.append(line)
        waiting = sum(1 for n in found if n.status == NominationStatus.OPEN)
        footer = f"{waiting} waiting for the next pick" + (" (the oldest 10 go in)" if waiting > 10 else "")
        embed = discord.Embed(title="Film nominations", description="\n".join(lines)[:4096], colour=COLOUR)
        embed.set_footer(text=footer)
        await reply(interaction, embed=embed)

    @film.command(name="withdraw")
    @app_commands.describe(id="The nomination (default: your only open one)")
    @app_commands.autocomplete(id=_nomination_autocomplete)
    async def withdraw(self, interaction: discord.Interaction, id: int | None = None) -> None:
        """Withdraw your nomination (organisers may withdraw anyone's)."""
        assert interaction.guild_id is not None
        organiser = await is_organiser(interaction)
        nomination = await self.service.withdraw(
            interaction.guild_id, interaction.user.id, id, can_moderate=organiser
        )
        await reply(interaction, f"Withdrew **{escape_markdown(nomination.label)}** (#{nomination.id}).")

    @film.command(name="pick")
    @organiser_only()
    @app_commands.describe(
        duration="How long voting stays open, e.g. '2h', '2d' (default 24h)",
        method="plurality: one vote each (default); ranked: react in order of preference, instant-runoff",
    )
    @app_commands.choices(
        method=[
            app_commands.Choice(name="plurality", value="plurality"),
            app_commands.Choice(name="ranked", value="ranked"),
        ]
    )
    async def pick(
        self,
        interaction: discord.Interaction,
        duration: app_commands.Range[str, 1, 20] | None = None,
        method: str = "plurality",
    ) -> None:
        """Open the club's film pick: a poll over this round's nominations (organisers)."""
        assert interaction.guild_id is not None
        channel_id = self._check_channel(interaction, None)
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.pick(
            interaction.guild_id, channel_id, interaction.user.id, duration=duration, method=method
        )
        poll = result.poll
        text = (
            f"{_posted(poll, f'Film pick poll #{poll.id} ({poll.n_options} films)')}; "
            f"it closes {ts(poll.closes_at, 'R')}."
        )
        if result.left_out:
            text += f" There were more than 10 nominations: the oldest 10 are in, {result.left_out} wait for the next round."
        text += self._manage_messages_note(interaction, poll.channel_id, poll.mode)
        await reply(interaction, text)


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Polls(bot))
