"""/watchparty: screenings with Discord events, restart-proof RSVP buttons, reminders and discussion threads.

The cog is the Discord side of :class:`services.watchparties.WatchPartyService`: it parses interactions,
calls the service and implements the service's :class:`WatchPartyDiscord` port with discord.py
(:class:`DiscordWatchParties`). State lives in SQLite; the RSVP buttons carry the party id in their
``custom_id`` and are :class:`discord.ui.DynamicItem` s registered at load, so presses keep working after a
restart without any view being re-created.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from cogs._bot import ClubBot
from cogs._delivery import DiscordDelivery, buttons_of, delivery_error
from cogs._ui import (
    COLOUR,
    NO_MENTIONS,
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
from domain.models import RsvpChoice
from domain.reminders import unscheduled_reminders
from domain.schedule import format_compact_duration
from services.delivery import DeliveryGone, DeliveryRefused, Payload
from services.watchparties import (
    CHOICE_LABELS,
    EditRequest,
    EventSpec,
    PartyView,
    ScheduleRequest,
    WatchPartyService,
    describe_offsets,
)

log = logging.getLogger(__name__)

CUSTOM_ID = "projectionist:rsvp:{party}:{choice}"
CANCELLED_COLOUR = discord.Colour.dark_grey()
FIELD_LIMIT = 1024
CHOICE_STYLES = {
    "going": discord.ButtonStyle.success,
    "maybe": discord.ButtonStyle.secondary,
    "no": discord.ButtonStyle.danger,
}
CHOICE_EMOJI = {"going": "✅", "maybe": "🤔", "no": "❌"}
THREAD_ALREADY_EXISTS = 160004


def _mentions(user_ids: Sequence[int], limit: int = FIELD_LIMIT) -> str:
    """``<@a> <@b> …`` within ``limit`` characters (embeds show them as names and never ping)."""
    out = ""
    for index, user_id in enumerate(user_ids):
        piece = f"<@{user_id}>"
        rest = len(user_ids) - index
        if len(out) + len(piece) + 1 > limit - 12:
            return f"{out} …+{rest}"
        out = f"{out} {piece}" if out else piece
    return out


def announcement_embed(view: PartyView, place: str) -> discord.Embed:
    party = view.party
    title = escape_markdown(party.film, limit=200)
    lines = [f"**When:** {ts(party.start_at, 'F')} ({ts(party.start_at, 'R')})"]
    lines.append(f"**Where:** {place}")
    lines.append(f"**Length:** {format_compact_duration(party.duration)}")
    if party.capacity is not None:
        lines.append(f"**Seats:** {party.capacity}")
    if party.notes:
        lines.append("")
        lines.append(escape_markdown(party.notes, limit=1500))
    if party.cancelled:
        reason = f" ({escape_markdown(party.cancel_reason)})" if party.cancel_reason else ""
        lines.insert(0, f"❌ **Cancelled**{reason}")
        embed = discord.Embed(
            title=f"Cancelled: {title}"[:256], description="\n".join(lines), colour=CANCELLED_COLOUR
        )
    elif view.ended:
        finished = "🎞️ **Finished.**"
        if party.thread_id:
            finished += f" Spoilers welcome in <#{party.thread_id}>."
        lines.insert(0, finished)
        embed = discord.Embed(title=title, description="\n".join(lines), colour=CANCELLED_COLOUR)
    else:
        embed = discord.Embed(title=title, description="\n".join(lines), colour=COLOUR)
    seats = f"{len(view.going)}/{party.capacity}" if party.capacity is not None else str(len(view.going))
    embed.add_field(name=f"✅ Going ({seats})", value=_mentions(view.going) or "Nobody yet", inline=False)
    if view.waitlist:
        embed.add_field(
            name=f"⏳ Waitlist ({len(view.waitlist)})", value=_mentions(view.waitlist), inline=False
        )
    embed.add_field(name="🤔 Maybe", value=str(len(view.maybe)), inline=True)
    embed.add_field(name="❌ Can't go", value=str(len(view.declined)), inline=True)
    embed.set_footer(text=f"Watch party #{party.id} · times show in your own time zone")
    return embed


def rsvp_view(view: PartyView) -> discord.ui.View | None:
    """The RSVP buttons with live counts, or None once the party is cancelled or over (buttons removed)."""
    if view.party.cancelled or view.ended:
        return None
    counts = {
        "going": len(view.going) + len(view.waitlist),
        "maybe": len(view.maybe),
        "no": len(view.declined),
    }
    buttons = discord.ui.View(timeout=None)
    for choice in RsvpChoice:
        buttons.add_item(RsvpButton(view.party.id, choice, counts[choice]))
    return buttons


CALENDAR_DISABLED = (
    "The club calendar needs the bot's small web server, which is off. Whoever runs the bot can set "
    '`[http] listen = "127.0.0.1:8080"` and `public_url` (the https address members reach, usually through '
    'a reverse proxy) in config.toml and restart it; the README\'s "HTTP endpoints" section explains how.'
)


def calendar_links_text(https: str, webcal: str, *, rotated: bool) -> str:
    head = (
        "New calendar link for this server; the old one stopped working, so everyone subscribed needs to "
        "add this one."
        if rotated
        else "This server's calendar: subscribe once and its screenings stay in your calendar app."
    )
    # Discord makes only http(s) addresses clickable, so both links are shown as text to copy.
    return (
        f"{head}\n<{https}>\n`{webcal}` (the same, for apps that subscribe to webcal:// links)\n\n"
        "- **Google Calendar** (on the web): Other calendars → + → From URL, paste the https link.\n"
        "- **Apple Calendar**: on a Mac, File → New Calendar Subscription; on an iPhone or iPad, Settings → "
        "Calendar → Accounts → Add Account → Other → Add Subscribed Calendar; paste the webcal link.\n"
        "- **Outlook**: Add calendar → Subscribe from web, paste the https link.\n"
        "Calendar apps refresh a subscription every few hours, so an edit or cancellation can take that long "
        "to show. Every member gets this same link here with `/watchparty calendar`; anyone who has it can "
        "see the screenings, so if it ends up somewhere public an organiser can replace it with "
        "`/watchparty calendar reset:true`."
    )


class RsvpButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"projectionist:rsvp:(?P<party>\d+):(?P<choice>going|maybe|no)",
):
    """Going / Maybe / Can't go. Everything needed is in the custom_id and SQLite, so it survives restarts."""

    def __init__(self, party_id: int, choice: RsvpChoice, count: int | None = None) -> None:
        label = CHOICE_LABELS[choice] + (f" ({count})" if count is not None else "")
        super().__init__(
            discord.ui.Button(
                label=label,
                style=CHOICE_STYLES[choice],
                emoji=CHOICE_EMOJI[choice],
                custom_id=CUSTOM_ID.format(party=party_id, choice=choice),
            )
        )
        self.party_id = party_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(int(match["party"]), RsvpChoice(match["choice"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None:
            return
        service = bot_of(interaction).services.watchparties
        try:
            result = await service.rsvp(interaction.guild_id, self.party_id, interaction.user.id, self.choice)
        except UserError as exc:
            await reply(interaction, user_message(exc))
            return
        except Exception:
            log.exception(
                "RSVP %s to watch party %s by user %s failed", self.choice, self.party_id, interaction.user.id
            )
            await reply(interaction, "Something went wrong on my side; it has been logged. Please try again.")
            return
        name = escape_markdown(result.view.party.film)
        if result.status == "going":
            text = f"You're going to **{name}** ({ts(result.view.party.start_at, 'F')}). See you there!"
        elif result.status == "waitlist":
            text = (
                f"**{name}** is full, so you're on the waitlist (number {result.position}). "
                "I'll ping you if a seat opens up."
            )
        elif result.status == "maybe":
            text = f"Marked as maybe for **{name}**."
        else:
            text = f"Got it: you can't make **{name}**."
        if not result.changed:
            text = "No change: " + text[0].lower() + text[1:]
        await reply(interaction, text)
        if result.changed:
            try:
                await service.refresh_announcement(self.party_id)
                await service.announce_promotions(result.view.party, result.promoted)
            except Exception:  # the answer is stored; a failed re-render is fixed by the next press
                log.exception("watch party %s: updating after an RSVP failed", self.party_id)


class DiscordWatchParties:
    """Implements :class:`services.watchparties.WatchPartyDiscord` with discord.py."""

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot
        # one way to resolve a channel, with the same errors, as the delivery port
        delivery = DiscordDelivery(bot)
        self._channel = delivery.resolve
        self._messageable = delivery.channel

    def _guild(self, guild_id: int) -> discord.Guild:
        guild = self.bot.get_guild(guild_id)
        if guild is None:
            raise DeliveryGone(f"guild {guild_id} is not available")
        return guild

    async def channel_label(self, channel_id: int) -> str:
        try:
            channel = await self._channel(channel_id)
        except (DeliveryGone, DeliveryRefused, discord.HTTPException):
            return "#channel"
        name = getattr(channel, "name", None)
        return f"#{name}" if name else "#channel"

    async def place(self, view: PartyView) -> str:
        return self._place(view)

    @staticmethod
    def _place(view: PartyView) -> str:
        party = view.party
        if party.voice_channel_id is not None:
            return f"<#{party.voice_channel_id}>"
        return escape_markdown(party.location or "Discord")

    def announcement_payload(self, view: PartyView) -> Payload:
        buttons = rsvp_view(view)
        payload = Payload(
            embeds=(announcement_embed(view, self._place(view)).to_dict(),),
            buttons=buttons_of(buttons) if buttons is not None else (),
        )
        if buttons is not None:
            buttons.stop()
        return payload

    async def edit_announcement(self, view: PartyView) -> None:
        party = view.party
        if party.announce_message_id is None:
            return
        channel = await self._messageable(party.announce_channel_id)
        if not isinstance(
            channel, discord.TextChannel | discord.Thread | discord.VoiceChannel | discord.StageChannel
        ):
            raise DeliveryRefused(f"channel {party.announce_channel_id} cannot hold the announcement")
        message = channel.get_partial_message(party.announce_message_id)
        try:
            await message.edit(
                embed=announcement_embed(view, await self.place(view)),
                view=rsvp_view(view),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc

    def _event_kwargs(self, guild: discord.Guild, spec: EventSpec) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "name": spec.name,
            "description": spec.description,
            "start_time": datetime.fromtimestamp(spec.start_at, tz=UTC),
            "end_time": datetime.fromtimestamp(spec.end_at, tz=UTC),
        }
        if spec.voice_channel_id is not None:
            channel = guild.get_channel(spec.voice_channel_id)
            stage = isinstance(channel, discord.StageChannel)
            kwargs["entity_type"] = discord.EntityType.stage_instance if stage else discord.EntityType.voice
            kwargs["channel"] = channel or discord.Object(spec.voice_channel_id)
        else:
            kwargs["entity_type"] = discord.EntityType.external
            kwargs["location"] = (spec.location or "Discord")[:100]
        return kwargs

    async def create_event(self, spec: EventSpec) -> int:
        guild = self._guild(spec.guild_id)
        try:
            event = await guild.create_scheduled_event(
                privacy_level=discord.PrivacyLevel.guild_only,
                reason=f"watch party #{spec.party_id}",
                **self._event_kwargs(guild, spec),
            )
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        return event.id

    async def _event(self, guild: discord.Guild, event_id: int) -> discord.ScheduledEvent:
        event = guild.get_scheduled_event(event_id)
        if event is not None:
            return event
        try:
            return await guild.fetch_scheduled_event(event_id)
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc

    async def edit_event(self, event_id: int, spec: EventSpec) -> None:
        guild = self._guild(spec.guild_id)
        event = await self._event(guild, event_id)
        try:
            await event.edit(reason=f"watch party #{spec.party_id} edited", **self._event_kwargs(guild, spec))
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc

    async def cancel_event(self, guild_id: int, event_id: int) -> None:
        guild = self._guild(guild_id)
        event = await self._event(guild, event_id)
        try:
            if event.status is discord.EventStatus.scheduled:
                await event.cancel(reason="watch party cancelled")
            elif event.status is discord.EventStatus.active:
                await event.end(reason="watch party cancelled")
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc

    async def open_thread(self, channel_id: int, message_id: int | None, name: str) -> int:
        channel = await self._channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise DeliveryRefused(f"channel {channel_id} cannot have threads")
        try:
            if message_id is not None:
                try:
                    thread = await channel.get_partial_message(message_id).create_thread(
                        name=name[:100], auto_archive_duration=1440
                    )
                    return thread.id
                except discord.NotFound:
                    log.info(
                        "announcement %s is gone; opening the thread in channel %s", message_id, channel_id
                    )
                except discord.HTTPException as exc:
                    if (
                        exc.code == THREAD_ALREADY_EXISTS
                    ):  # opened before a crash: a message's thread has its id
                        return message_id
                    raise
            thread = await channel.create_thread(
                name=name[:100], type=discord.ChannelType.public_thread, auto_archive_duration=1440
            )
        except discord.HTTPException as exc:
            raise delivery_error(exc) from exc
        return thread.id


def _job_label(key: str) -> str:
    if key.startswith("before:"):
        return f"Reminder {format_compact_duration(int(key.split(':', 1)[1]))} before"
    return {
        "start": "Reminder at the start",
        "discussion": "Discussion thread",
        "spoiler_end": "Spoiler window ends",
    }.get(key, key)


def _channel_kind(channel: Any) -> str | None:
    kind = getattr(channel, "type", None)
    if kind == discord.ChannelType.voice:
        return "voice"
    if kind == discord.ChannelType.stage_voice:
        return "stage"
    if kind in (discord.ChannelType.text, discord.ChannelType.news):
        return "text"
    return None


class WatchParties(commands.Cog):
    watchparty = app_commands.Group(
        name="watchparty", description="Club screenings: schedule, RSVP, reminders", guild_only=True
    )

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot
        self.port = DiscordWatchParties(bot)
        self._recorded_once = False
        self.reminder_loop.change_interval(seconds=self.service.reminder_tick)

    @property
    def service(self) -> WatchPartyService:
        return self.bot.services.watchparties

    async def cog_load(self) -> None:
        self.service.attach(self.port)
        self.bot.add_dynamic_items(RsvpButton)
        self.reminder_loop.start()

    async def cog_unload(self) -> None:
        await stop_loop(self.reminder_loop)
        self.bot.remove_dynamic_items(RsvpButton)
        self.service.detach()

    # -- background --------------------------------------------------------------------------------

    @tasks.loop(seconds=30)
    async def reminder_loop(self) -> None:
        # run_due isolates each reminder; this guard keeps the loop alive even if run_due itself fails
        # (a tasks.loop stops for good on most exceptions).
        await guarded_pass(
            self.bot.services.club,
            "watchparties",
            self.service.run_due,
            record_idle=not self._recorded_once,
            loop=self.reminder_loop,
        )
        self._recorded_once = True

    @reminder_loop.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @commands.Cog.listener()
    async def on_scheduled_event_delete(self, event: discord.ScheduledEvent) -> None:
        await self._event_gone(event, "deleted")

    @commands.Cog.listener()
    async def on_scheduled_event_update(
        self, before: discord.ScheduledEvent, after: discord.ScheduledEvent
    ) -> None:
        if (
            after.status is discord.EventStatus.cancelled
            and before.status is not discord.EventStatus.cancelled
        ):
            await self._event_gone(after, "cancelled")

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """Catch up on events deleted or cancelled in Discord while the bot was offline."""
        try:
            event_ids = await self.service.live_event_ids(guild.id)
        except Exception:
            log.exception("guild %s: could not list watch-party events to check", guild.id)
            return
        for event_id in event_ids:
            try:
                event = guild.get_scheduled_event(event_id)
                if event is None:  # not in the cache: ask, and only a 404 counts as deleted
                    try:
                        event = await guild.fetch_scheduled_event(event_id)
                    except discord.NotFound:
                        event = None
                if event is None or event.status is discord.EventStatus.cancelled:
                    how = "deleted" if event is None else "cancelled"
                    if await self.service.event_deleted(guild.id, event_id):
                        log.info(
                            "guild %s: event %s was %s in Discord while I was away; its watch party is "
                            "cancelled",
                            guild.id,
                            event_id,
                            how,
                        )
            except Exception:
                log.exception("guild %s: checking the watch-party event %s failed", guild.id, event_id)

    async def _event_gone(self, event: discord.ScheduledEvent, how: str) -> None:
        try:
            if await self.service.event_deleted(event.guild_id, event.id):
                log.info(
                    "guild %s: event %s was %s in Discord; its watch party is cancelled",
                    event.guild_id,
                    event.id,
                    how,
                )
        except Exception:
            log.exception("guild %s: handling the %s event %s failed", event.guild_id, how, event.id)

    # -- autocomplete ------------------------------------------------------------------------------

    async def _party_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        return [
            app_commands.Choice(name=label, value=party_id)
            for party_id, label in await self.service.choices(interaction.guild_id, current)
        ]

    async def _tz_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in self.service.timezone_choices(current)]

    # -- commands ----------------------------------------------------------------------------------

    @watchparty.command(name="schedule")
    @organiser_only()
    @app_commands.describe(
        film="The film's title (add the year for short titles, e.g. 'Her (2013)')",
        when="When it starts: 'friday 8pm', 'tomorrow 19:30', '2026-12-05 20:00', 'in 3 days at 9pm'",
        timezone="Time zone of 'when' (default: yours from /watchparty timezone, else the club's)",
        duration="How long, e.g. '2h10m' (default from the config)",
        channel="A voice/stage channel for the event, or a text channel for the announcement",
        location="Where, for an event outside a voice channel (default: the announcement channel)",
        notes="Anything attendees should know (shown in the announcement and event)",
        capacity="Seats available; later RSVPs go on a waitlist",
        reminders="Reminder times before the start, e.g. '24h, 1h, 0m', or 'none' (default from the config)",
    )
    @app_commands.autocomplete(timezone=_tz_autocomplete)
    async def schedule(
        self,
        interaction: discord.Interaction,
        film: app_commands.Range[str, 1, 100],
        when: app_commands.Range[str, 1, 100],
        timezone: str | None = None,
        duration: app_commands.Range[str, 1, 20] | None = None,
        channel: discord.TextChannel | discord.VoiceChannel | discord.StageChannel | None = None,
        location: app_commands.Range[str, 1, 100] | None = None,
        notes: app_commands.Range[str, 1, 900] | None = None,
        capacity: app_commands.Range[int, 1, 1000] | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Schedule a watch party: a Discord event, an announcement with RSVP buttons, and reminders."""
        assert interaction.guild_id is not None and interaction.channel_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.schedule(
            ScheduleRequest(
                guild_id=interaction.guild_id,
                user_id=interaction.user.id,
                invoked_channel_id=interaction.channel_id,
                film=film,
                when=when,
                timezone=timezone,
                duration=duration,
                channel_id=channel.id if channel is not None else None,
                channel_kind=_channel_kind(channel) if channel is not None else None,
                location=location,
                notes=notes,
                capacity=capacity,
                reminders=reminders,
            )
        )
        party = result.view.party
        lines = [
            f"Scheduled **{escape_markdown(party.film)}** as watch party #{party.id}: "
            f"{ts(party.start_at, 'F')} ({ts(party.start_at, 'R')}), {result.parsed.display}.",
            f"Announced in <#{party.announce_channel_id}>"
            + (" with a Discord event." if party.event_id else "."),
            f"Reminders: {describe_offsets(party.reminder_offsets)}.",
        ]
        lines.extend(result.notes)
        lines.extend(f"⚠️ {w}" for w in result.warnings)
        log.info(
            "guild %s: user %s scheduled watch party %s (event %s)",
            interaction.guild_id,
            interaction.user.id,
            party.id,
            party.event_id,
        )
        await reply(interaction, "\n".join(lines)[:2000])

    @watchparty.command(name="list")
    async def list_(self, interaction: discord.Interaction) -> None:
        """Upcoming watch parties with their times and RSVP counts."""
        assert interaction.guild_id is not None
        views = await self.service.upcoming(interaction.guild_id)
        if not views:
            await reply(
                interaction,
                "No watch parties are scheduled. Organisers can add one with `/watchparty schedule`.",
            )
            return
        embed = discord.Embed(title="Upcoming watch parties", colour=COLOUR)
        for view in views[:25]:
            party = view.party
            counts = f"✅ {len(view.going)}" + (f"/{party.capacity}" if party.capacity is not None else "")
            if view.waitlist:
                counts += f" · ⏳ {len(view.waitlist)}"
            counts += f" · 🤔 {len(view.maybe)} · ❌ {len(view.declined)}"
            value = f"{ts(party.start_at, 'F')} ({ts(party.start_at, 'R')})\n{counts}"
            if party.announce_message_id:
                value += f"\n[Announcement](https://discord.com/channels/{party.guild_id}/{party.announce_channel_id}/{party.announce_message_id})"
            embed.add_field(
                name=f"#{party.id} {escape_markdown(party.film, limit=240)}", value=value[:1024], inline=False
            )
        await reply(interaction, embed=embed)

    @watchparty.command(name="info")
    @app_commands.describe(id="The watch party")
    @app_commands.autocomplete(id=_party_autocomplete)
    async def info(self, interaction: discord.Interaction, id: int) -> None:
        """Details of a watch party: time, place, attendees and reminders."""
        assert interaction.guild_id is not None
        view, rows = await self.service.info(interaction.guild_id, id)
        embed = announcement_embed(view, await self.port.place(view))
        party = view.party
        live = [row for row in rows if row.state != "superseded"]
        shown = [(row.due_at, f"{_job_label(row.key)}: {ts(row.due_at, 'f')} — {row.state}") for row in live]
        # Reminders already past (or too soon) when the party was scheduled or moved have no job: say so.
        for skipped in unscheduled_reminders(party.start_at, party.reminder_offsets, (r.key for r in live)):
            label = f"{_job_label(skipped.key)}: {ts(skipped.due_epoch, 'f')}"
            shown.append((skipped.due_epoch, f"{label} — skipped (already past or too soon when scheduled)"))
        if shown:
            text = "\n".join(line for _, line in sorted(shown, key=lambda item: item[0]))
            embed.add_field(name="Reminders", value=text[:1024], inline=False)
        extras = [f"Time zone: {party.timezone}"]
        if party.event_id:
            extras.append(f"Discord event: https://discord.com/events/{party.guild_id}/{party.event_id}")
        else:
            extras.append("No Discord event (I may lack Manage Events).")
        embed.add_field(name="Details", value="\n".join(extras)[:1024], inline=False)
        await reply(interaction, embed=embed)

    @watchparty.command(name="edit")
    @organiser_only()
    @app_commands.describe(
        id="The watch party",
        when="New start time (plain language, like for /watchparty schedule)",
        film="New film title",
        timezone="Time zone for 'when' (or the zone lists show the time in)",
        duration="New length, e.g. '2h10m'",
        location="New place for an event outside a voice channel",
        notes="New notes",
        capacity="New number of seats (0 removes the limit)",
        reminders="New reminder times, e.g. '24h, 1h, 0m', or 'none'",
    )
    @app_commands.autocomplete(id=_party_autocomplete)
    @app_commands.autocomplete(timezone=_tz_autocomplete)
    async def edit(
        self,
        interaction: discord.Interaction,
        id: int,
        when: app_commands.Range[str, 1, 100] | None = None,
        film: app_commands.Range[str, 1, 100] | None = None,
        timezone: str | None = None,
        duration: app_commands.Range[str, 1, 20] | None = None,
        location: app_commands.Range[str, 1, 100] | None = None,
        notes: app_commands.Range[str, 1, 900] | None = None,
        capacity: app_commands.Range[int, 0, 1000] | None = None,
        reminders: app_commands.Range[str, 1, 100] | None = None,
    ) -> None:
        """Change a watch party; the event, the announcement and the reminders follow, attendees are told."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.edit(
            interaction.guild_id,
            id,
            interaction.user.id,
            EditRequest(
                when=when,
                film=film,
                timezone=timezone,
                duration=duration,
                location=location,
                notes=notes,
                capacity=capacity,
                reminders=reminders,
            ),
        )
        party = result.view.party
        lines = [
            f"Updated watch party #{party.id} (**{escape_markdown(party.film)}**): "
            f"{', '.join(c.replace('_', ' ') for c in result.changed)}.",
            f"It starts {ts(party.start_at, 'F')} ({ts(party.start_at, 'R')}).",
        ]
        lines.extend(result.notes)
        lines.extend(f"⚠️ {w}" for w in result.warnings)
        await reply(interaction, "\n".join(lines)[:2000])

    @watchparty.command(name="cancel")
    @organiser_only()
    @app_commands.describe(id="The watch party", reason="Told to attendees")
    @app_commands.autocomplete(id=_party_autocomplete)
    async def cancel(
        self,
        interaction: discord.Interaction,
        id: int,
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        """Cancel a watch party: the event is cancelled and attendees are told."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.cancel(interaction.guild_id, id, interaction.user.id, reason=reason)
        lines = [
            f"Cancelled watch party #{id} (**{escape_markdown(result.view.party.film)}**); "
            f"{len(result.view.interested)} member(s) told."
        ]
        lines.extend(f"⚠️ {w}" for w in result.warnings)
        await reply(interaction, "\n".join(lines))

    @watchparty.command(name="ics")
    @app_commands.describe(id="One watch party (default: every upcoming one)")
    @app_commands.autocomplete(id=_party_autocomplete)
    async def ics(self, interaction: discord.Interaction, id: int | None = None) -> None:
        """Download a calendar file (.ics) of one or all upcoming watch parties."""
        assert interaction.guild_id is not None
        # many voice-channel parties may each need a channel fetch for the location: answer in time first
        await interaction.response.defer(ephemeral=True, thinking=True)
        filename, data = await self.service.ics(interaction.guild_id, id)
        what = f"watch party #{id}" if id is not None else "the upcoming watch parties"
        await interaction.followup.send(
            f"Calendar file for {what}; open it to add to your calendar.",
            file=discord.File(io.BytesIO(data), filename=filename),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )

    @watchparty.command(name="calendar")
    @app_commands.describe(reset="Organisers: make a new link; the old one stops working at once")
    async def calendar(self, interaction: discord.Interaction, reset: bool = False) -> None:
        """Get the link that keeps this server's screenings in your own calendar app."""
        assert interaction.guild_id is not None
        calendar = bot_of(interaction).services.calendar
        if not calendar.enabled:
            await reply(interaction, CALENDAR_DISABLED)
            return
        if reset and not await is_organiser(interaction):
            await reply(
                interaction,
                "Only organisers can reset the calendar link (Manage Events, or the organiser role in "
                "/club settings). Run `/watchparty calendar` without `reset` for the current link.",
            )
            return
        server_name = interaction.guild.name if interaction.guild is not None else ""
        if reset:
            link = await calendar.rotate(interaction.guild_id, server_name)
            log.info("guild %s: calendar link reset by user %s", interaction.guild_id, interaction.user.id)
        else:
            link = await calendar.link(interaction.guild_id, server_name)
        await reply(interaction, calendar_links_text(link.https, link.webcal, rotated=reset))

    @watchparty.command(name="timezone")
    @app_commands.describe(
        zone="Your time zone, e.g. Europe/London (used when you schedule)",
        clear="Forget your saved time zone",
    )
    @app_commands.autocomplete(zone=_tz_autocomplete)
    async def timezone(
        self, interaction: discord.Interaction, zone: str | None = None, clear: bool = False
    ) -> None:
        """Show or set the time zone used to read the times you type."""
        if clear:
            await self.service.set_member_timezone(interaction.user.id, None)
            await reply(interaction, "Forgot your time zone; the club's zone applies to times you type.")
            return
        if zone is None:
            current = await self.service.member_timezone(interaction.user.id)
            text = (
                f"Your time zone is **{current}**."
                if current
                else "You have no saved time zone; the club's zone applies. Set one with `zone:`."
            )
            await reply(interaction, text)
            return
        saved = await self.service.set_member_timezone(interaction.user.id, zone)
        await reply(interaction, f"Saved: times you type are read in **{saved}**.")


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(WatchParties(bot))
