"""/feed: subscriptions, and the poll loop that delivers new articles."""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from cogs._bot import ClubBot
from cogs._delivery import buttons_of, forum_tags
from cogs._ui import (
    COLOUR,
    NO_MENTIONS,
    NotAllowed,
    bot_of,
    guarded_pass,
    manage_guild_only,
    reply,
    stop_loop,
    ts,
)
from domain.digest.models import CATEGORY_LABELS
from domain.forumposts import SPOILER_TAG, map_tags, required_tag_problem
from domain.markdown import escape_markdown
from domain.models import SubscriptionView
from services.delivery import Payload
from services.feeds import FeedService

log = logging.getLogger(__name__)

POSTABLE = (discord.TextChannel, discord.Thread, discord.ForumChannel)
#: Discord allows 20 tags per forum.
MAX_FORUM_TAGS = 20
ARCHIVE_CHOICES = [
    app_commands.Choice(name="1 day", value=1440),
    app_commands.Choice(name="1 week", value=10080),
]


def channel_kind(channel: discord.abc.GuildChannel | discord.Thread) -> str:
    """How a subscription's posts land: forum (forum and media channels), thread, announcement or text."""
    if isinstance(channel, discord.ForumChannel):
        return "forum"
    if isinstance(channel, discord.Thread):
        return "thread"
    if isinstance(channel, discord.TextChannel) and channel.is_news():
        return "announcement"
    return "text"


def _names(permissions: list[str]) -> str:
    return f"{', '.join(permissions)} permission{'s' if len(permissions) > 1 else ''}"


def missing_permissions(
    channel: discord.abc.GuildChannel | discord.Thread, me: discord.Member, *, threads: bool = False
) -> list[str]:
    """The permissions the bot lacks to post a feed in ``channel``, named as Discord's settings name them.

    A forum takes Create Posts (Send Messages) and Send Messages in Threads; a thread takes Send Messages in
    Threads; threads under posts (``threads``) take Create Public Threads too.
    """
    perms = channel.permissions_for(me)
    needed = [("View Channel", perms.view_channel), ("Embed Links", perms.embed_links)]
    if isinstance(channel, discord.ForumChannel):
        needed += [
            ("Create Posts", perms.send_messages),
            ("Send Messages in Threads", perms.send_messages_in_threads),
        ]
    elif isinstance(channel, discord.Thread):
        needed.append(("Send Messages in Threads", perms.send_messages_in_threads))
    else:
        needed.append(("Send Messages", perms.send_messages))
    if threads:
        needed.append(("Create Public Threads", perms.create_public_threads))
    return [name for name, ok in needed if not ok]


class DiscordNotifier:
    """Implements the feed service's Notifier: renders the flood prompt. Notices and posts are sent by the
    delivery module's one Discord port (cogs/_delivery.py)."""

    def flood_payload(self, subscription_id: int, name: str, count: int, channel_id: int) -> Payload:
        view = discord.ui.View(timeout=None)
        view.add_item(FloodButton(subscription_id, "post"))
        view.add_item(FloodButton(subscription_id, "skip"))
        view.stop()
        text = (
            f"The feed “{escape_markdown(name)}” (id {subscription_id}) suddenly shows {count} "
            f"items as new (a site migration or regenerated ids?). I'm holding them for <#{channel_id}>. "
            "Post them, or skip them?"
        )
        return Payload(content=text[:2000], buttons=buttons_of(view))


class FloodButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"projectionist:flood:(?P<sub>\d+):(?P<action>post|skip)",
):
    """Post/skip held items; survives restarts because its state is in the custom_id and SQLite."""

    def __init__(self, subscription_id: int, action: str) -> None:
        label = "Post them" if action == "post" else "Skip them"
        style = discord.ButtonStyle.primary if action == "post" else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                label=label, style=style, custom_id=f"projectionist:flood:{subscription_id}:{action}"
            )
        )
        self.subscription_id = subscription_id
        self.action = action

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FloodButton:
        return cls(int(match["sub"]), match["action"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            await reply(interaction, "Only moderators with the Manage Server permission can decide this.")
            return
        service = bot_of(interaction).services.feeds
        count = await service.release_held(interaction.guild_id, self.subscription_id, self.action == "post")
        verb = "will be posted over the next cycles" if self.action == "post" else "were skipped"
        await interaction.response.edit_message(
            content=f"{count} held item(s) {verb} (decided by {interaction.user.mention}).",
            view=None,
            allowed_mentions=NO_MENTIONS,
        )


def _status(view: SubscriptionView) -> str:
    sub, feed = view.subscription, view.feed
    if sub.status == "paused":
        return "⏸ paused by a moderator"
    if sub.status == "broken":
        return f"⚠ stopped: {escape_markdown(sub.status_reason or '', limit=200)}"
    if feed.status == "paused":
        return f"⏸ paused automatically: {escape_markdown(feed.pause_reason or '', limit=200)}"
    if feed.consecutive_failures:
        return f"⚠ failing ({feed.consecutive_failures}×)"
    return "✅ active"


def _filter(terms: str | None) -> str:
    # Typed by a moderator: escaped in quotes, not in a code span a backtick in the terms could close.
    return f"“{escape_markdown(terms, limit=300)}”" if terms else "-"


def describe_subscription(view: SubscriptionView) -> str:
    sub, feed = view.subscription, view.feed
    lines = [
        f"<{feed.url}>",
        f"Status: {_status(view)}",
        f"Last success: {ts(feed.last_success_at, 'R') if feed.last_success_at else 'never'}",
    ]
    if feed.last_error:
        when = f" ({ts(feed.last_error_at, 'R')})" if feed.last_error_at else ""
        lines.append(f"Last error: {escape_markdown(feed.last_error, limit=150)}{when}")
    if sub.status == "active":
        lines.append(f"Next poll: {ts(feed.next_poll_at, 'R')}")
    if sub.include_filter or sub.exclude_filter:
        lines.append(f"Filter: include {_filter(sub.include_filter)} exclude {_filter(sub.exclude_filter)}")
    if sub.force_spoiler:
        lines.append("Always spoilered")
    if sub.channel_kind == "forum":
        lines.append("A forum post per article")
    if sub.thread_archive:
        lines.append(
            f"A thread per post, archived after {'1 week' if sub.thread_archive >= 10080 else '1 day'}"
        )
    if sub.publish:
        lines.append("Published to following servers")
    return "\n".join(lines)[:1024]


class Feeds(commands.Cog):
    feed = app_commands.Group(
        name="feed",
        description="Film news feeds for this server",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot
        self.notifier = DiscordNotifier()
        tick = min(30.0, max(1.0, bot.settings.feeds.min_interval / 4))
        self.poll_loop.change_interval(seconds=tick)

    @property
    def service(self) -> FeedService:
        return self.bot.services.feeds

    async def cog_load(self) -> None:
        self.service.attach(None, self.notifier)
        self.bot.add_dynamic_items(FloodButton)
        self.poll_loop.start()

    async def cog_unload(self) -> None:
        # the mirror image of cog_load, so a reload leaves exactly one of each behind
        await stop_loop(self.poll_loop)
        self.bot.remove_dynamic_items(FloodButton)
        self.service.detach()

    @tasks.loop(seconds=30)
    async def poll_loop(self) -> None:
        # run_cycle isolates each feed; this guard keeps the loop alive even if the cycle itself fails
        # (a tasks.loop dies for good on most exceptions).
        await guarded_pass(self.bot.services.club, "feeds", self.service.run_cycle, loop=self.poll_loop)

    @poll_loop.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    async def _feed_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        return [
            app_commands.Choice(name=label, value=i)
            for i, label in await self.service.choices(interaction.guild_id, current)
        ]

    @feed.command(name="add")
    @manage_guild_only()
    @app_commands.describe(
        url="The feed's address (http or https)",
        channel="Where new articles are posted",
        name="A short name for the feed (default: the feed's title)",
        backfill="Also post this many of the newest items now (0-5)",
    )
    async def add(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        channel: discord.TextChannel | discord.Thread | discord.ForumChannel,
        name: app_commands.Range[str, 1, 100] | None = None,
        backfill: app_commands.Range[int, 0, 5] = 0,
    ) -> None:
        """Subscribe a channel (text, announcement, forum or thread) to an RSS or Atom feed. No flood."""
        assert interaction.guild_id is not None and interaction.guild is not None
        target = interaction.guild.get_channel_or_thread(channel.id)
        if target is None or not isinstance(target, POSTABLE):
            raise NotAllowed("I can't see that channel.")
        me = interaction.guild.me
        missing = missing_permissions(target, me)
        if missing:
            raise NotAllowed(f"I can't post in {target.mention}: I'm missing the {_names(missing)}.")
        if isinstance(target, discord.ForumChannel):
            problem = required_tag_problem(
                forum_tags(target),
                target.flags.require_tag,
                feed_name=name or "",
                can_moderate=target.permissions_for(me).manage_threads,
            )
            if problem:
                raise NotAllowed(f"I can't post in {target.mention}: it {problem}.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        result = await self.service.add(
            guild_id=interaction.guild_id,
            channel_id=target.id,
            url=url,
            name=name,
            user_id=interaction.user.id,
            backfill=backfill,
            channel_kind=channel_kind(target),
        )
        text = (
            f"Subscribed {target.mention} to **{escape_markdown(result.title, limit=200)}** "
            f"(id {result.subscription_id}, {result.item_count} items now; I'll post only new ones"
        )
        text += f", plus the {result.backfilled} newest now)." if result.backfilled else ")."
        await reply(interaction, text)

    @feed.command(name="remove")
    @manage_guild_only()
    @app_commands.describe(feed="The subscription to remove")
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def remove(self, interaction: discord.Interaction, feed: int) -> None:
        """Unsubscribe a channel from a feed."""
        assert interaction.guild_id is not None
        view = await self.service.remove(interaction.guild_id, feed)
        await reply(
            interaction,
            f"Removed “{escape_markdown(view.subscription.name)}” from <#{view.subscription.channel_id}>.",
        )

    @feed.command(name="list")
    @manage_guild_only()
    @app_commands.describe(channel="Only this channel's feeds")
    async def list_(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.Thread | discord.ForumChannel | None = None,
    ) -> None:
        """List this server's feeds with their status, last success, last error and next poll."""
        assert interaction.guild_id is not None
        views = await self.service.subscriptions(interaction.guild_id, channel.id if channel else None)
        if not views:
            await reply(interaction, "No feeds yet. Add one with `/feed add`.")
            return
        embed = discord.Embed(title="Feeds", colour=COLOUR)
        for view in views[:25]:
            sub = view.subscription
            posts_in = escape_markdown(self._channel_name(sub.channel_id), limit=60)
            name = f"#{sub.id} {escape_markdown(sub.name, limit=180)} → #{posts_in}"
            embed.add_field(name=name, value=describe_subscription(view), inline=False)
        if len(views) > 25:
            embed.set_footer(text=f"…and {len(views) - 25} more; filter by channel to see them.")
        await reply(interaction, embed=embed)

    def _channel_name(self, channel_id: int) -> str:
        channel = self.bot.get_channel(channel_id)
        return getattr(channel, "name", str(channel_id))

    @feed.command(name="pause")
    @manage_guild_only()
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def pause(self, interaction: discord.Interaction, feed: int) -> None:
        """Stop posting a feed in its channel until resumed."""
        assert interaction.guild_id is not None
        view = await self.service.pause(interaction.guild_id, feed, interaction.user.id)
        await reply(
            interaction,
            f"Paused “{escape_markdown(view.subscription.name)}”. `/feed resume` restarts it.",
        )

    @feed.command(name="resume")
    @manage_guild_only()
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def resume(self, interaction: discord.Interaction, feed: int) -> None:
        """Resume a paused or stopped feed."""
        assert interaction.guild_id is not None
        view = await self.service.resume(interaction.guild_id, feed)
        await reply(
            interaction,
            f"Resumed “{escape_markdown(view.subscription.name)}”; it will be polled shortly.",
        )

    @feed.command(name="test")
    @manage_guild_only()
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def test(self, interaction: discord.Interaction, feed: int) -> None:
        """Show privately how the newest item would be posted, and why (warnings' evidence). Posts nothing."""
        assert interaction.guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        test = await self.service.test(interaction.guild_id, feed, self.bot.services.digest.test_post)
        embeds = [discord.Embed.from_dict(e) for e in test.payload.get("embeds", [])]
        await interaction.followup.send(
            content=test.payload.get("content") or discord.utils.MISSING,
            embeds=embeds,
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
        # Under the post, as a second private message: the post itself must look exactly as it will.
        await interaction.followup.send(test.note, ephemeral=True, allowed_mentions=NO_MENTIONS)

    @feed.command(name="filter")
    @manage_guild_only()
    @app_commands.describe(
        include="Post only items matching these words (comma-separated) or /regex/; empty clears",
        exclude="Never post items matching these words or /regex/; empty clears",
    )
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def filter(
        self,
        interaction: discord.Interaction,
        feed: int,
        include: app_commands.Range[str, 0, 200] | None = None,
        exclude: app_commands.Range[str, 0, 200] | None = None,
    ) -> None:
        """Filter a feed's items on title, summary and categories."""
        assert interaction.guild_id is not None
        view = await self.service.set_filter(interaction.guild_id, feed, include, exclude)
        sub = view.subscription
        await reply(
            interaction,
            f"Filter for “{escape_markdown(sub.name)}”: include {_filter(sub.include_filter)}, exclude {_filter(sub.exclude_filter)}.",
        )

    @feed.command(name="threads")
    @manage_guild_only()
    @app_commands.describe(
        enabled="Open a public thread under each new post",
        archive_after="When a quiet thread is archived (default: 1 day)",
    )
    @app_commands.choices(archive_after=ARCHIVE_CHOICES)
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def threads(
        self,
        interaction: discord.Interaction,
        feed: int,
        enabled: bool,
        archive_after: app_commands.Choice[int] | None = None,
    ) -> None:
        """A discussion thread under each new post of a feed (text and announcement channels)."""
        assert interaction.guild_id is not None and interaction.guild is not None
        minutes = (archive_after.value if archive_after else 1440) if enabled else None
        if enabled:
            view = await self.service.get(interaction.guild_id, feed)
            channel = interaction.guild.get_channel(view.subscription.channel_id)
            if channel is not None and interaction.guild.me is not None:
                missing = missing_permissions(channel, interaction.guild.me, threads=True)
                if missing:
                    raise NotAllowed(
                        f"I can't open threads in {channel.mention}: I'm missing the {_names(missing)}."
                    )
        view = await self.service.set_threads(interaction.guild_id, feed, minutes)
        name = escape_markdown(view.subscription.name)
        if minutes is None:
            await reply(interaction, f"New posts from “{name}” won't get a thread.")
        else:
            after = "1 week" if minutes >= 10080 else "1 day"
            await reply(
                interaction,
                f"Each new post from “{name}” gets a thread, archived after {after} without talk.",
            )

    @feed.command(name="publish")
    @manage_guild_only()
    @app_commands.describe(enabled="Publish each new post to the servers following this channel")
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def publish(self, interaction: discord.Interaction, feed: int, enabled: bool) -> None:
        """Publish a feed's posts in an announcement channel to following servers, once per post."""
        assert interaction.guild_id is not None and interaction.guild is not None
        if enabled:
            view = await self.service.get(interaction.guild_id, feed)
            channel = interaction.guild.get_channel(view.subscription.channel_id)
            me = interaction.guild.me
            # Publishing its own messages takes Send Messages (Manage Messages is for others' messages).
            if (
                isinstance(channel, discord.TextChannel)
                and me is not None
                and not channel.permissions_for(me).send_messages
            ):
                raise NotAllowed(
                    f"I can't publish in {channel.mention}: I'm missing the Send Messages permission."
                )
        view = await self.service.set_publish(interaction.guild_id, feed, enabled)
        name = escape_markdown(view.subscription.name)
        state = "will be published to following servers" if enabled else "won't be published"
        await reply(interaction, f"New posts from “{name}” {state}.")

    @feed.command(name="tags")
    @manage_guild_only()
    @app_commands.describe(create="Create the missing tags in the forum (needs Manage Channels)")
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def tags(self, interaction: discord.Interaction, feed: int, create: bool = False) -> None:
        """Show which forum tags a feed's warnings and spoilers map to; optionally create the missing ones."""
        assert interaction.guild_id is not None and interaction.guild is not None
        view = await self.service.get(interaction.guild_id, feed)
        forum = interaction.guild.get_channel(view.subscription.channel_id)
        if not isinstance(forum, discord.ForumChannel):
            raise NotAllowed("Tags are for feeds that post into a forum channel.")
        me = interaction.guild.me
        perms = forum.permissions_for(me)
        settings = await self.bot.services.digest.warning_settings(interaction.guild_id)
        labels = {c: label for c, label in CATEGORY_LABELS.items() if c not in settings.hidden_categories}
        name = view.subscription.name
        created: list[str] = []
        mapping = map_tags(forum_tags(forum), labels, feed_name=name, can_moderate=perms.manage_threads)
        if create:
            if not perms.manage_channels:
                raise NotAllowed(
                    f"I can't create tags in {forum.mention}: I'm missing the Manage Channels permission."
                )
            await interaction.response.defer(ephemeral=True, thinking=True)
            room = max(0, MAX_FORUM_TAGS - len(forum.available_tags))
            created = [tag_name[:20] for tag_name in mapping.missing(labels)][:room]
            if created:
                # one edit with every tag: discord.py's create_tag builds on a cache the gateway updates later
                new_tags = [*forum.available_tags, *(discord.ForumTag(name=t) for t in created)]
                edited = await forum.edit(
                    available_tags=new_tags, reason=f"/feed tags by {interaction.user.id}"
                )
                forum = edited if isinstance(edited, discord.ForumChannel) else forum
            mapping = map_tags(forum_tags(forum), labels, feed_name=name, can_moderate=perms.manage_threads)
        lines = [
            f"{escape_markdown(labels[c].capitalize())} → {escape_markdown(t.name) if t else '—'}"
            for c, t in mapping.warnings.items()
        ]
        lines.append(f"{SPOILER_TAG} → {escape_markdown(mapping.spoiler.name) if mapping.spoiler else '—'}")
        lines.append(f"Every post → {escape_markdown(mapping.general.name) if mapping.general else '—'}")
        embed = discord.Embed(
            title=f"Forum tags for “{escape_markdown(name, limit=200)}”",
            description="\n".join(lines),
            colour=COLOUR,
        )
        missing = mapping.missing(labels)
        if created:
            embed.set_footer(text=f"Created {len(created)} tag(s): {', '.join(created)}"[:2048])
        elif missing:
            embed.set_footer(text="/feed tags create:true creates the missing tags (at most 20 per forum).")
        await reply(interaction, embed=embed)

    @feed.command(name="spoilers")
    @manage_guild_only()
    @app_commands.describe(always="Put every item of this feed behind spoiler tags")
    @app_commands.autocomplete(feed=_feed_autocomplete)
    async def spoilers(self, interaction: discord.Interaction, feed: int, always: bool) -> None:
        """Force spoiler tags on every post of a feed (or stop forcing them)."""
        assert interaction.guild_id is not None
        view = await self.service.set_force_spoiler(interaction.guild_id, feed, always)
        state = "always be spoilered" if always else "be spoilered only when needed"
        await reply(interaction, f"Posts from “{escape_markdown(view.subscription.name)}” will {state}.")


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Feeds(bot))
