"""/club: status, per-server settings and member data deletion."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from cogs._bot import ClubBot
from cogs._ui import COLOUR, NO_MENTIONS, bot_of, human_bytes, human_duration, manage_guild_only, reply, ts
from domain.markdown import escape_markdown
from services.club import ClubService, timezone_choices
from services.digest import CATEGORY_LABELS, DEFAULT_SPOILER_CATEGORIES, DigestService, spoilered_categories

log = logging.getLogger(__name__)


class ForgetMeView(discord.ui.View):
    """A short-lived confirmation; nothing is deleted until the member presses the red button."""

    def __init__(self, club: ClubService, user_id: int) -> None:
        super().__init__(timeout=120)
        self.club = club
        self.user_id = user_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return interaction.user.id == self.user_id

    @discord.ui.button(
        label="Delete my data", style=discord.ButtonStyle.danger, custom_id="projectionist:forget:yes"
    )
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ForgetMeView]
    ) -> None:
        deleted = await self.club.forget_member(self.user_id)
        total = sum(deleted.values())
        log.info("forget-me: deleted %d rows for user %s", total, self.user_id)
        self.stop()
        await interaction.response.edit_message(
            content=(
                f"Done: deleted {total} record(s) that held your Discord id. Reactions you left on open "
                "polls are Discord's, not mine: remove them too, or they count as votes again."
            ),
            view=None,
            allowed_mentions=NO_MENTIONS,
        )

    @discord.ui.button(
        label="Keep it", style=discord.ButtonStyle.secondary, custom_id="projectionist:forget:no"
    )
    async def cancel(self, interaction: discord.Interaction, button: discord.ui.Button[ForgetMeView]) -> None:
        self.stop()
        await interaction.response.edit_message(
            content="Nothing was deleted.", view=None, allowed_mentions=NO_MENTIONS
        )


class Club(commands.Cog):
    club = app_commands.Group(name="club", description="Club status and settings", guild_only=True)

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    @property
    def service(self) -> ClubService:
        return self.bot.services.club

    @club.command(name="status")
    @manage_guild_only()
    async def status(self, interaction: discord.Interaction) -> None:
        """Show the bot's health: version, uptime, database size, feeds, polls and watch parties."""
        assert interaction.guild_id is not None
        report = await self.service.status(interaction.guild_id)
        embed = discord.Embed(title="Projectionist status", colour=COLOUR)
        embed.add_field(name="Version", value=report.version)
        embed.add_field(name="Uptime", value=human_duration(report.uptime_seconds))
        embed.add_field(name="Database", value=human_bytes(report.database_bytes))
        for name, value in report.counts.items():
            embed.add_field(name=name, value=value[:1024] or "-")
        for loop in report.loops:
            last = ts(loop.last_run_at, "R") if loop.last_run_at else "never"
            embed.add_field(
                name=f"Loop: {loop.name}",
                value=f"last run {last}: {(loop.last_result or '-')[:200]}",
                inline=False,
            )
        await reply(interaction, embed=embed)

    @club.command(name="settings")
    @manage_guild_only()
    @app_commands.describe(
        timezone="Club time zone (IANA name, e.g. Europe/London)",
        organiser_role="Members with this role may schedule watch parties and run film picks",
        notices_channel="Where the bot posts its own warnings (feed failures and the like)",
        announcements_channel="Default channel for watch-party announcements",
        polls_organisers_only="Only organisers may create polls",
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        timezone: str | None = None,
        organiser_role: discord.Role | None = None,
        notices_channel: discord.TextChannel | None = None,
        announcements_channel: discord.TextChannel | None = None,
        polls_organisers_only: bool | None = None,
    ) -> None:
        """Show or change this server's Projectionist settings."""
        assert interaction.guild_id is not None
        changes: dict[str, object] = {}
        if timezone is not None:
            changes["timezone"] = timezone
        if organiser_role is not None:
            changes["organiser_role_id"] = organiser_role.id
        if notices_channel is not None:
            changes["notices_channel_id"] = notices_channel.id
        if announcements_channel is not None:
            changes["announce_channel_id"] = announcements_channel.id
        if polls_organisers_only is not None:
            changes["polls_organisers_only"] = int(polls_organisers_only)
        if changes:
            current = await self.service.update_guild_settings(interaction.guild_id, **changes)
            log.info(
                "guild %s settings changed by %s: %s",
                interaction.guild_id,
                interaction.user.id,
                sorted(changes),
            )
        else:
            current = await self.service.guild_settings(interaction.guild_id)
        default_tz = bot_of(interaction).settings.watchparty.default_timezone
        lines = [
            f"**Time zone:** {current.timezone or f'{default_tz} (default)'}",
            f"**Organiser role:** {f'<@&{current.organiser_role_id}>' if current.organiser_role_id else 'not set (Manage Events)'}",
            f"**Notices channel:** {f'<#{current.notices_channel_id}>' if current.notices_channel_id else 'not set'}",
            f"**Announcements channel:** {f'<#{current.announce_channel_id}>' if current.announce_channel_id else 'not set'}",
            f"**Polls:** {'organisers only' if current.polls_organisers_only else 'anyone may create'}",
        ]
        title = "Settings updated" if changes else "Settings"
        await reply(
            interaction, embed=discord.Embed(title=title, description="\n".join(lines), colour=COLOUR)
        )

    @settings.autocomplete("timezone")
    async def _tz_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_choices(current)]

    @club.command(name="warnings")
    @manage_guild_only()
    @app_commands.describe(
        category="The content-warning category to change",
        shown="Show this category's label on posts",
        spoiler="Hide the summary behind spoiler tags and drop the image when detected (default: on for the harshest)",
        add_term="An extra word or phrase that signals this category (matched literally)",
        remove_term="Remove one of this server's extra terms",
    )
    @app_commands.choices(
        category=[app_commands.Choice(name=label, value=cid) for cid, label in CATEGORY_LABELS.items()]
    )
    async def warnings(
        self,
        interaction: discord.Interaction,
        category: str | None = None,
        shown: bool | None = None,
        spoiler: bool | None = None,
        add_term: app_commands.Range[str, 1, 60] | None = None,
        remove_term: app_commands.Range[str, 1, 60] | None = None,
    ) -> None:
        """Show or change which content warnings this server shows, spoilers, and extra terms."""
        assert interaction.guild_id is not None
        digest: DigestService = bot_of(interaction).services.digest
        changing = any(v is not None for v in (shown, spoiler, add_term, remove_term))
        if changing and category is None:
            await reply(interaction, "Choose the category to change.")
            return
        if changing:
            assert category is not None
            current = await digest.update_warnings(
                interaction.guild_id,
                category,
                shown=shown,
                spoiler=spoiler,
                add_term=add_term,
                remove_term=remove_term,
            )
        else:
            current = await digest.warning_settings(interaction.guild_id)
        lines = []
        spoilered = spoilered_categories(current)
        for cid, label in CATEGORY_LABELS.items():
            flags = ["hidden" if cid in current.hidden_categories else "shown"]
            if cid in spoilered:
                explicit = cid in current.spoiler_categories
                flags.append("spoilers the summary" + ("" if explicit else " (default)"))
            elif cid in current.unspoilered_categories and cid in DEFAULT_SPOILER_CATEGORIES:
                flags.append("summary shown (changed from the default)")
            terms = current.custom_terms.get(cid, ())
            extra = f" · extra terms: {', '.join(escape_markdown(t) for t in terms)}" if terms else ""
            lines.append(f"**{label}** (`{cid}`): {', '.join(flags)}{extra}")
        defaults = ", ".join(CATEGORY_LABELS[c] for c in CATEGORY_LABELS if c in DEFAULT_SPOILER_CATEGORIES)
        lines.append(
            f"\nBy default, {defaults} put the summary behind spoiler tags and drop the image; the label "
            "stays visible. Change one with `spoiler:`."
        )
        title = "Content warnings updated" if changing else "Content warnings"
        await reply(
            interaction, embed=discord.Embed(title=title, description="\n".join(lines)[:4000], colour=COLOUR)
        )

    @club.command(name="forget-me")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        """Delete everything Projectionist stores under your Discord id (votes, RSVPs, nominations, time zone)."""
        counts = await self.service.member_data_counts(interaction.user.id)
        total = sum(counts.values())
        if total == 0:
            await reply(interaction, "I hold no data under your Discord id.")
            return
        detail = ", ".join(f"{n} in {table.replace('_', ' ')}" for table, n in counts.items() if n)
        await reply(
            interaction,
            f"I hold {total} record(s) under your Discord id ({detail}). Delete them all? This cannot be undone.",
            view=ForgetMeView(self.service, interaction.user.id),
        )


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Club(bot))
