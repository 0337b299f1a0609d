"""One in-process fake per Discord port, each a real implementation kept in memory (nothing is mocked).

Every fake is a :class:`FakeDeliveryPort` (``services.delivery.DeliveryPort``): messages are stored per channel
and a repeated nonce answers the first message, the way Discord's ``enforce_nonce`` does, until
:meth:`~FakeDeliveryPort.forget_nonces` (the nonce window ran out). The knobs a test turns:

* ``refuse`` / ``gone``: channel ids that answer 403 (DeliveryRefused) / 404 (DeliveryGone);
* ``errors``: exceptions raised by the next sends, in order, before Discord stores anything;
* ``crash_after_send``: how many of the next sends fail *after* Discord stored the message, raising
  ``after_store_error`` (:class:`Crash`, the process dying, unless a fake says otherwise);
* ``repeats``: how many sends a nonce de-duplicated (a benchmark's exactly-once count);
* ``gate``: an event every send waits on first (to hold a send in flight);
* ``payloads``: every send as the port got it (a ``target`` payload acts on that message: :meth:`FakeDeliveryPort.act`);
* ``find_calls`` / ``find_error``: every history look-up ``(channel_id, since)`` and an error to raise from it.

The service fakes add their own port on top: :class:`FakeNotifier` (``services.feeds.Notifier``),
:class:`FakePollDiscord` (``services.polls.PollDiscord``) and :class:`FakeWatchPartyDiscord`
(``services.watchparties.WatchPartyDiscord``). ``test_helpers_match_protocols.py`` checks each against its
Protocol.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from typing import NamedTuple

from domain.models import Poll
from domain.polls import NUMBER_EMOJI
from services.delivery import Button, DeliveryGone, DeliveryRefused, Payload
from services.polls import Outcome
from services.watchparties import EventSpec, PartyView


class Crash(BaseException):
    """The process dies right here (a BaseException, like a cancellation: nothing after it runs)."""


class Message(NamedTuple):
    id: int
    channel_id: int
    payload: Payload
    nonce: str


class FakeDeliveryPort:
    """The delivery port in memory: ``messages`` in the order Discord stored them."""

    after_store_error: type[BaseException] = Crash

    def __init__(self, *, first_id: int = 100) -> None:
        self._next_id = first_id
        self.messages: list[Message] = []
        self.payloads: list[tuple[int, Payload]] = []  # every send, as the port got it
        self.nonces: dict[Hashable, int] = {}  # nonce key -> message id, until forget_nonces()
        self.refuse: set[int] = set()
        self.gone: set[int] = set()
        self.errors: list[BaseException] = []
        self.crash_after_send = 0
        self.repeats = 0  # sends answered with the message a nonce already created
        self.gate: asyncio.Event | None = None
        self.find_calls: list[tuple[int, int]] = []
        self.find_error: Exception | None = None

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def forget_nonces(self) -> None:
        """Discord's nonce window ran out: a repeated nonce now creates a new message."""
        self.nonces.clear()

    def check(self, channel_id: int) -> None:
        if channel_id in self.gone:
            raise DeliveryGone(f"404 Unknown Channel {channel_id}")
        if channel_id in self.refuse:
            raise DeliveryRefused(f"403 Missing Permissions in {channel_id}")

    async def send(self, channel_id: int, payload: Payload, nonce: str) -> int:
        self.payloads.append((channel_id, payload))
        if payload.target is not None:
            return await self.act(channel_id, payload, nonce)
        return await self.deliver(channel_id, payload, nonce)

    async def act(self, channel_id: int, payload: Payload, nonce: str) -> int:
        """Act on the existing message ``payload.target`` (open a thread under it, crosspost it). Here it goes
        through :meth:`deliver` like any send (the engine's tests make it fail and retry); a service fake may
        answer the target itself, as Discord does (the action is idempotent)."""
        return await self.deliver(channel_id, payload, nonce)

    async def deliver(self, channel_id: int, payload: Payload, nonce: str) -> int:
        """Post a new message (what ``send`` does unless the payload acts on an existing one)."""
        if self.gate is not None:
            await self.gate.wait()
        self.check(channel_id)
        if self.errors:
            raise self.errors.pop(0)
        key = self.nonce_key(channel_id, nonce)
        if key in self.nonces:
            self.repeats += 1
        else:
            self.nonces[key] = self.store(channel_id, payload, nonce)
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise self.after_store_error("connection lost after Discord stored the message")
        return self.nonces[key]

    async def find(self, channel_id: int, payload: Payload, since: int) -> int | None:
        self.find_calls.append((channel_id, since))
        if self.find_error is not None:
            raise self.find_error
        return self.lookup(channel_id, payload)

    # what the service fakes refine
    def nonce_key(self, channel_id: int, nonce: str) -> Hashable:
        return nonce

    def store(self, channel_id: int, payload: Payload, nonce: str) -> int:
        message = Message(self.new_id(), channel_id, payload, nonce)
        self.messages.append(message)
        return message.id

    def lookup(self, channel_id: int, payload: Payload) -> int | None:
        for message in self.messages:
            if message.channel_id == channel_id and payload.matches(
                message.payload.content, list(message.payload.embeds)
            ):
                return message.id
        return None

    def in_channel(self, channel_id: int) -> list[Payload]:
        return [m.payload for m in self.messages if m.channel_id == channel_id]


class FakeNotifier(FakeDeliveryPort):
    """Feeds: posts (always with an embed) in ``messages``; notices to the moderators (plain text) in
    ``notices`` and flood questions in ``floods``, answered from their own ids, never failing."""

    # a feed post that reached Discord but whose answer was lost is retried, not a dead process
    after_store_error = ConnectionResetError

    def __init__(self) -> None:
        super().__init__(first_id=1)
        self.notice_nonces: dict[str, int] = {}
        self.notices: list[tuple[int, str]] = []
        self.floods: list[tuple[int, int, int]] = []

    def forget_nonces(self) -> None:
        super().forget_nonces()
        self.notice_nonces.clear()

    async def act(self, channel_id: int, payload: Payload, nonce: str) -> int:
        assert payload.target is not None
        return payload.target  # a thread under a post, or its crosspost: idempotent on Discord

    async def deliver(self, channel_id: int, payload: Payload, nonce: str) -> int:
        if not payload.embeds:
            self.check(channel_id)
            return self._notice(channel_id, payload, nonce)
        return await super().deliver(channel_id, payload, nonce)

    def _notice(self, channel_id: int, message: Payload, nonce: str) -> int:
        if nonce not in self.notice_nonces:
            self.notice_nonces[nonce] = 10_000 + len(self.notice_nonces)
            if message.buttons:
                _, sub, count = message.buttons[0].custom_id.split(":")
                self.floods.append((channel_id, int(sub), int(count)))
            else:
                self.notices.append((channel_id, message.content))
        return self.notice_nonces[nonce]

    def flood_payload(self, subscription_id: int, name: str, count: int, channel_id: int) -> Payload:
        return Payload(
            content=f"{count} items held for <#{channel_id}>",
            buttons=(Button(f"flood:{subscription_id}:{count}", "Post them"),),
        )

    def titles(self, channel_id: int = 10) -> list[str]:
        out = []
        for payload in self.in_channel(channel_id):
            out.append(payload.embeds[0]["title"] if payload.embeds else payload.content)
        return out


class FakePollDiscord(FakeDeliveryPort):
    """Polls: messages with reactions. Poll messages (``poll_messages``, with their own knobs ``refuse_post``,
    ``fail_post``, ``crash_after_post``) and results messages (``channel``; ``closes`` maps a nonce to the
    message and the outcome it showed) are kept apart."""

    def __init__(self, bot_user_id: int = 999) -> None:
        super().__init__(first_id=5001)
        self.bot_user_id = bot_user_id
        self.reactions: dict[int, dict[str, list[int]]] = {}
        self.posted: list[Poll] = []
        self.closes: dict[str, tuple[int, Outcome]] = {}
        self.close_calls = 0
        self.can_manage = True
        self.removed: list[tuple[int, str, int]] = []
        self.gone_messages: set[int] = set()
        self.rendered: dict[str, Outcome] = {}
        self.shown_closed: list[int] = []
        self.polls_rendered: dict[str, Poll] = {}
        self.refuse_post = False
        self.fail_post = 0
        self.crash_after_post = 0
        self.crash_seeding = False

    @property
    def channel(self) -> list[tuple[int, Payload]]:
        """Every results message in the channel."""
        return [(m.id, m.payload) for m in self.messages if not self._is_poll(m.payload)]

    @property
    def poll_messages(self) -> list[tuple[int, Payload]]:
        """Every poll message in the channel."""
        return [(m.id, m.payload) for m in self.messages if self._is_poll(m.payload)]

    @staticmethod
    def _is_poll(payload: Payload) -> bool:
        return payload.content.startswith("poll message ")

    def poll_payload(self, poll: Poll) -> Payload:
        content = f"poll message {poll.id} {len(self.polls_rendered)}"
        self.polls_rendered[content] = poll
        return Payload(content=content)

    async def deliver(self, channel_id: int, payload: Payload, nonce: str) -> int:
        if self._is_poll(payload):
            if self.refuse_post:
                raise DeliveryRefused("403 Missing Access")
            if self.fail_post:
                self.fail_post -= 1
                raise RuntimeError("503 Service Unavailable")
            if nonce not in self.nonces:
                self.nonces[nonce] = self.store(channel_id, payload, nonce)
            if self.crash_after_post:
                self.crash_after_post -= 1
                raise Crash("killed after Discord stored the poll message")
            return self.nonces[nonce]
        self.close_calls += 1
        return await super().deliver(channel_id, payload, nonce)

    def store(self, channel_id: int, payload: Payload, nonce: str) -> int:
        message_id = super().store(channel_id, payload, nonce)
        if self._is_poll(payload):
            self.reactions[message_id] = {}
            self.posted.append(self.polls_rendered[payload.content])
        else:
            self.closes[nonce] = (message_id, self.rendered[payload.content])
        return message_id

    def forget_nonces(self) -> None:
        super().forget_nonces()
        self.closes.clear()

    def lookup(self, channel_id: int, payload: Payload) -> int | None:
        for message in self.messages:
            if message.payload == payload:
                return message.id
        return None

    async def add_reactions(self, poll: Poll) -> None:
        assert poll.message_id is not None
        for emoji in NUMBER_EMOJI[: poll.n_options]:
            users = self.reactions[poll.message_id].setdefault(emoji, [])
            if self.bot_user_id not in users:  # a PUT of the bot's own reaction is idempotent
                users.append(self.bot_user_id)
            if self.crash_seeding:
                self.crash_seeding = False
                raise Crash("killed while seeding the reactions")

    async def remove_reaction(self, channel_id: int, message_id: int, emoji: str, user_id: int) -> bool:
        if not self.can_manage:
            return False
        users = self.reactions[message_id].get(emoji, [])
        if user_id in users:
            users.remove(user_id)
        self.removed.append((message_id, emoji, user_id))
        return True

    async def fetch_reactions(self, channel_id: int, message_id: int) -> Mapping[str, Sequence[int]]:
        if message_id in self.gone_messages:
            raise DeliveryGone("404 Unknown Message")
        return {k: list(v) for k, v in self.reactions[message_id].items()}

    def results_payload(self, outcome: Outcome) -> Payload:
        self.rendered[f"results {len(self.rendered)}"] = outcome
        return Payload(content=f"results {len(self.rendered) - 1}")

    async def show_closed(self, poll: Poll) -> None:
        self.shown_closed.append(poll.id)

    # a member reacting on Discord (the service is told separately, or not at all while offline)
    def react(self, message_id: int, emoji: str, user: int) -> None:
        users = self.reactions[message_id].setdefault(emoji, [])
        if user not in users:
            users.append(user)

    def unreact(self, message_id: int, emoji: str, user: int) -> None:
        users = self.reactions[message_id].get(emoji, [])
        if user in users:
            users.remove(user)


@dataclasses.dataclass(frozen=True, slots=True)
class Sent:
    """A plain message (reminders, notices, thread openers) as the watch-party tests read it."""

    id: int
    channel_id: int
    content: str
    user_ids: tuple[int, ...]
    nonce: str | None
    reply_to: int | None


#: Channel names the watch-party fake answers for ``channel_label`` (the rest are ``#channel``).
LABELS = {10: "#general", 11: "#announcements", 12: "#Screening Room"}


class FakeWatchPartyDiscord(FakeDeliveryPort):
    """Watch parties: announcements (with an embed) and plain messages (``sent``), scheduled events and
    threads, sharing one id counter like Discord's snowflakes."""

    def __init__(self, labels: Mapping[int, str] = LABELS) -> None:
        super().__init__(first_id=5001)
        self.labels = dict(labels)
        self.announcements: dict[int, PartyView] = {}  # message id -> latest render
        self.edits = 0
        self.events: dict[int, EventSpec] = {}
        self.cancelled_events: list[int] = []
        self.threads: dict[int, tuple[int, int | None, str]] = {}
        self.refuse_events = False
        self.fail_threads = 0
        self.edit_delay = 0.0
        self.rendered: dict[str, PartyView] = {}

    @property
    def by_nonce(self) -> dict[Hashable, int]:
        """``(channel_id, nonce) -> message id``."""
        return self.nonces

    @property
    def announcement_posts(self) -> list[tuple[int, int, Payload]]:
        """``(message id, channel id, payload)`` of every announcement."""
        return [(m.id, m.channel_id, m.payload) for m in self.messages if m.payload.embeds]

    @property
    def sent(self) -> list[Sent]:
        return [
            Sent(m.id, m.channel_id, m.payload.content, m.payload.mention_users, m.nonce, m.payload.reply_to)
            for m in self.messages
            if not m.payload.embeds
        ]

    def texts(self, channel_id: int | None = None) -> list[str]:
        return [s.content for s in self.sent if channel_id is None or s.channel_id == channel_id]

    def nonce_key(self, channel_id: int, nonce: str) -> Hashable:
        return (channel_id, nonce)

    def store(self, channel_id: int, payload: Payload, nonce: str) -> int:
        message_id = super().store(channel_id, payload, nonce)
        if payload.embeds:
            self.announcements[message_id] = self.rendered[payload.embeds[0]["title"]]
        return message_id

    def lookup(self, channel_id: int, payload: Payload) -> int | None:
        for message_id, channel, posted in self.announcement_posts:
            if channel == channel_id and posted == payload:
                return message_id
        for sent in self.sent:
            if sent.channel_id == channel_id and payload.matches(sent.content, []):
                return sent.id
        return None

    async def channel_label(self, channel_id: int) -> str:
        return self.labels.get(channel_id, "#channel")

    def announcement_payload(self, view: PartyView) -> Payload:
        title = f"announcement of party {view.party.id}"
        self.rendered[title] = view
        return Payload(embeds=({"title": title},), buttons=(Button(f"rsvp:{view.party.id}", "Going"),))

    async def edit_announcement(self, view: PartyView) -> None:
        self.check(view.party.announce_channel_id)
        await asyncio.sleep(self.edit_delay)  # a round trip: lets concurrent presses interleave
        assert view.party.announce_message_id is not None
        self.announcements[view.party.announce_message_id] = view
        self.edits += 1

    async def create_event(self, spec: EventSpec) -> int:
        if self.refuse_events:
            raise DeliveryRefused("403 Missing Permissions")
        event_id = self.new_id()
        self.events[event_id] = spec
        return event_id

    async def edit_event(self, event_id: int, spec: EventSpec) -> None:
        if self.refuse_events:
            raise DeliveryRefused("403 Missing Permissions")
        if event_id not in self.events:
            raise DeliveryGone("404 Unknown Guild Scheduled Event")
        self.events[event_id] = spec

    async def cancel_event(self, guild_id: int, event_id: int) -> None:
        self.cancelled_events.append(event_id)

    async def open_thread(self, channel_id: int, message_id: int | None, name: str) -> int:
        self.check(channel_id)
        if self.fail_threads:
            self.fail_threads -= 1
            raise DeliveryRefused("403 Missing Permissions (Create Public Threads)")
        thread_id = message_id or self.new_id()
        self.threads[thread_id] = (channel_id, message_id, name)
        return thread_id


__all__ = [
    "Crash",
    "FakeDeliveryPort",
    "FakeNotifier",
    "FakePollDiscord",
    "FakeWatchPartyDiscord",
    "Message",
    "Sent",
]
