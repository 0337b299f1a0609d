"""Pure watch-party logic: what an edit changed, and what members are told about it.

:func:`diff_party` compares a party before and after an edit; :func:`change_notice` and the other
``*_notice`` functions render the messages members get, with every user-given text (film, reason) passed
through :func:`domain.markdown.escape_markdown`. Nothing here reads the clock, the database or Discord.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.markdown import escape_markdown
from domain.models import Party

# The fields an organiser may edit, in the order they are compared.
EDITABLE = (
    "film",
    "start_at",
    "timezone",
    "duration",
    "location",
    "notes",
    "capacity",
    "reminder_offsets",
)
# Edits that matter to attendees besides the time and the film (which have their own sentence), with the
# word a notice uses for each.
_TOLD = (("duration", "length"), ("location", "place"), ("notes", "notes"))
# Edits the Discord scheduled event shows (the rest are the bot's own business).
_EVENT_FIELDS = frozenset({"film", "start_at", "duration", "location", "notes"})


class Seat(StrEnum):
    """Where an RSVP left a member: the answer, except that Going beyond the capacity is the waitlist."""

    GOING = "going"
    WAITLIST = "waitlist"
    MAYBE = "maybe"
    NO = "no"


@dataclass(frozen=True, slots=True)
class PartyChanges:
    """The difference between a party before and after an edit; ``fields`` in :data:`EDITABLE` order."""

    before: Party
    after: Party
    fields: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self.fields

    def values(self) -> Mapping[str, object]:
        """Column -> new value, for the repository's update."""
        return {name: getattr(self.after, name) for name in self.fields}

    @property
    def told(self) -> tuple[str, ...]:
        """Words for the changes attendees hear about besides the time and the film (``length``, ``place``...)."""
        return tuple(word for name, word in _TOLD if name in self.fields)

    @property
    def shows_on_event(self) -> bool:
        """Whether the Discord scheduled event must be updated."""
        return bool(_EVENT_FIELDS.intersection(self.fields))

    @property
    def moves_reminders(self) -> bool:
        return "start_at" in self.fields or "reminder_offsets" in self.fields


def diff_party(before: Party, after: Party) -> PartyChanges:
    """The editable fields whose values differ between ``before`` and ``after``."""
    if before.id != after.id:
        raise ValueError(f"diffing two different parties ({before.id} and {after.id})")
    return PartyChanges(
        before, after, tuple(name for name in EDITABLE if getattr(before, name) != getattr(after, name))
    )


def change_notice(changes: PartyChanges) -> str:
    """What attendees are told about an edit, or "" when nothing they care about changed.

    A new time leads (naming the old time, and the old film if that changed too); a new film alone says
    "is now"; length, place and notes are one trailing sentence, or the whole notice when nothing else moved.
    """
    before, after = changes.before, changes.after
    party_id, start_at = after.id, after.start_at
    name = escape_markdown(after.film)
    was = escape_markdown(before.film)
    told = " and ".join(changes.told)
    header = ""
    if "start_at" in changes:
        header = (
            f"📅 **{name}** (watch party #{party_id}) has moved to <t:{start_at}:F> (<t:{start_at}:R>); "
            f"it was <t:{before.start_at}:F>."
        )
        if "film" in changes:
            header += f" The film was **{was}** before."
    elif "film" in changes:
        header = f"📅 Watch party #{party_id} on <t:{start_at}:F> is now **{name}** (was {was})."
    if told and header:
        header += f" The {told} changed too; see the announcement."
    elif told:
        header = (
            f"📝 **{name}** on <t:{start_at}:F> (watch party #{party_id}): the {told} changed; "
            "see the announcement."
        )
    return header


def promotion_notice(party: Party) -> str:
    """To members a freed seat moved from the waitlist to Going."""
    return f"🎟️ A seat opened up for **{escape_markdown(party.film)}** (watch party #{party.id}): you're going now!"


def demotion_notice(party: Party) -> str:
    """To Going members an edit to fewer seats moved to the waitlist."""
    return (
        f"⏳ **{escape_markdown(party.film)}** (watch party #{party.id}) now has fewer seats, "
        "so you're on the waitlist; I'll ping you if a seat opens up."
    )


def cancel_notice(party: Party, reason: str | None) -> str:
    why = f" ({escape_markdown(reason)})" if reason else ""
    return (
        f"❌ **{escape_markdown(party.film)}** on <t:{party.start_at}:F> "
        f"(watch party #{party.id}) is cancelled{why}."
    )
