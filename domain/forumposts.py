"""Forum posts and threads for feed items: their names and the forum tags that carry an item's warnings.

Discord limits a thread (or forum post) name to 100 characters and a post to 5 tags. A forum's tags are the
server's own: a tag is matched to a content warning by the warning's label or id ("Gore", "cw: violence",
"🩸 Self-harm/Suicide"), or to the spoiler flag by "Spoilers", case-insensitively, ignoring a "cw:"/"tw:"
prefix, emoji and punctuation. A post's name never spoils: an item whose summary is hidden gets a neutral
name, because the name is shown in the forum's list where no spoiler tags can hide it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.digest.models import Article, Digest

#: Discord's limits for a thread's name and a forum post's tags.
NAME_LIMIT = 100
MAX_TAGS = 5

#: The tag that marks a spoilered (or hidden) item.
SPOILER_TAG = "Spoilers"
#: Tags that fit every article of a feed: applied to every post when the forum has one (a forum that
#: requires a tag needs one of these, or a tag named like the feed, so that every post can carry a tag).
GENERAL_TAGS: tuple[str, ...] = ("News", "Feed", "Feeds", "Articles", "Article")

_PREFIX = re.compile(r"^(?:cw|tw|content\s*warning|trigger\s*warning)\s*[:\-–—]\s*", re.IGNORECASE)
_SPOILER_WORDS = frozenset({"spoiler", "spoilers"})
_ELLIPSIS = "…"


def tag_key(name: str) -> str:
    """The form two tag names are compared in: no emoji or punctuation, no "cw:" prefix, casefolded.

    "🩸 CW: Gore" -> "gore", "Self-harm/Suicide" -> "self harm suicide", "sexual-violence" -> "sexual violence".
    """
    # the prefix is looked for after emoji are gone ("⚠️ cw: gore"), on the text with its colon
    stripped = _PREFIX.sub("", " ".join(_strip_symbols(name).split()))
    kept = "".join(ch if unicodedata.category(ch)[0] in "LN" else " " for ch in stripped)
    return " ".join(kept.casefold().split())


def _strip_symbols(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Sk", "Mn", "Cf", "Cs", "Co"))


def _keys_of_warning(category: str, label: str) -> frozenset[str]:
    return frozenset(k for k in (tag_key(category), tag_key(label)) if k)


def _is_spoiler_tag(key: str) -> bool:
    return key in _SPOILER_WORDS


@dataclass(frozen=True, slots=True)
class ForumTag:
    """A forum's tag as Discord lists it (``available_tags``)."""

    id: int
    name: str
    moderated: bool = False  # only members with Manage Threads may apply it


@dataclass(frozen=True, slots=True)
class TagMapping:
    """Which forum tag each warning category and the spoiler flag map to (None: no such tag)."""

    warnings: Mapping[str, ForumTag | None]
    spoiler: ForumTag | None
    general: ForumTag | None

    def missing(self, labels: Mapping[str, str]) -> list[str]:
        """Names of the tags to create so that every warning and the spoiler flag have one."""
        out = [labels[c].capitalize() for c, tag in self.warnings.items() if tag is None]
        if self.spoiler is None:
            out.append(SPOILER_TAG)
        return out


def map_tags(
    available: Sequence[ForumTag],
    labels: Mapping[str, str],
    *,
    feed_name: str = "",
    can_moderate: bool = False,
) -> TagMapping:
    """Map each warning category (id -> label), "Spoilers" and a general tag to the forum's own tags.

    Moderated tags are skipped unless the bot may apply them (``can_moderate``: Manage Threads).
    """
    usable = [t for t in available if can_moderate or not t.moderated]
    by_key: dict[str, ForumTag] = {}
    for tag in usable:
        by_key.setdefault(tag_key(tag.name), tag)
    warnings: dict[str, ForumTag | None] = {}
    for category, label in labels.items():
        warnings[category] = next(
            (by_key[k] for k in sorted(_keys_of_warning(category, label)) if k in by_key), None
        )
    spoiler = next((t for k, t in by_key.items() if _is_spoiler_tag(k)), None)
    general_keys = [tag_key(g) for g in GENERAL_TAGS]
    if feed_name and tag_key(feed_name):
        general_keys.insert(0, tag_key(feed_name))
    general = next((by_key[k] for k in general_keys if k in by_key), None)
    return TagMapping(warnings, spoiler, general)


def wanted_tags(
    warnings: Iterable[tuple[str, str]], spoiler: bool, feed_name: str = ""
) -> tuple[tuple[str, ...], ...]:
    """What an item's post should be tagged with, most important first, each as alternative tag names:
    "Spoilers" first (it tells a reader not to open the post), then each warning (id, label), then a tag
    that fits every article (the feed's name or a general one) if there is room."""
    groups: list[tuple[str, ...]] = []
    if spoiler:
        groups.append((SPOILER_TAG, "Spoiler"))
    groups.extend((category, label) for category, label in warnings)
    groups.append(((feed_name,) if feed_name else ()) + GENERAL_TAGS)
    return tuple(groups)


def select_tags(
    available: Sequence[ForumTag], wanted: Iterable[Iterable[str]], *, can_moderate: bool = False
) -> tuple[int, ...]:
    """The ids of the forum's own tags for ``wanted`` (see :func:`wanted_tags`), at most five, each once.

    A group takes the first forum tag matching any of its names; moderated tags need ``can_moderate``.
    """
    by_key: dict[str, ForumTag] = {}
    for tag in available:
        if can_moderate or not tag.moderated:
            by_key.setdefault(tag_key(tag.name), tag)
    ids: list[int] = []
    for names in wanted:
        found = next((by_key[k] for k in (tag_key(n) for n in names) if k in by_key), None)
        if found is not None and found.id not in ids:
            ids.append(found.id)
        if len(ids) == MAX_TAGS:
            break
    return tuple(ids)


def cut_at_word(text: str, limit: int = NAME_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word with an ellipsis when too long."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    room = limit - len(_ELLIPSIS)
    head = line[: room + 1]
    cut = head.rfind(" ")
    # a single word longer than half the room is cut inside it rather than leaving a stub
    head = head[:cut] if cut >= room // 2 else line[:room]
    return head.rstrip(" ,;:.-–—") + _ELLIPSIS


def post_name(title: str, *, spoiler: bool, feed: str, film: str | None = None) -> str:
    """The name of an item's forum post or thread.

    A spoilered item is named neutrally: "Spoilers — <film> (from <feed>)" when the film is known, else
    "Spoilers — <feed> article"; its title goes inside the spoiler-wrapped message instead.
    """
    feed = " ".join(feed.split()) or "feed"
    if spoiler:
        film = " ".join((film or "").split())
        if film:
            suffix = f" (from {cut_at_word(feed, 40)})"
            return cut_at_word(f"Spoilers — {cut_at_word(film, NAME_LIMIT - 11 - len(suffix))}{suffix}")
        return cut_at_word(f"Spoilers — {cut_at_word(feed, NAME_LIMIT - 19)} article")
    return cut_at_word(title) or cut_at_word(f"{feed} article")


def required_tag_problem(
    available: Sequence[ForumTag], requires_tag: bool, *, feed_name: str = "", can_moderate: bool = False
) -> str | None:
    """Why a forum cannot take this feed's posts, or None: a forum that requires a tag on every post needs a
    tag that fits every article (one of :data:`GENERAL_TAGS` or the feed's name) that the bot may apply."""
    if not requires_tag:
        return None
    mapping = map_tags(available, {}, feed_name=feed_name, can_moderate=can_moderate)
    if mapping.general is not None:
        return None
    return (
        "requires a tag on every post, and none of its tags fits every article; add a tag named "
        f"“{GENERAL_TAGS[0]}” (or like the feed) that members may apply"
    )


@dataclass(frozen=True, slots=True)
class PostInfo:
    """What naming and tagging an item's post needs from its digest (carried next to the rendered message).

    ``film`` is the film the item is about when the feed says it (a Letterboxd diary entry), else None.
    """

    title: str
    spoiler: bool = False
    warnings: tuple[tuple[str, str], ...] = ()  # (category id, label), as the post shows them
    film: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "spoiler": self.spoiler,
            "warnings": [list(w) for w in self.warnings],
            "film": self.film,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> PostInfo:
        raw = data.get("warnings")
        warnings = tuple((str(w[0]), str(w[1])) for w in raw if len(w) == 2) if isinstance(raw, list) else ()
        film = data.get("film")
        return cls(
            str(data.get("title") or ""), bool(data.get("spoiler")), warnings, str(film) if film else None
        )

    def name(self, feed: str) -> str:
        return post_name(self.title, spoiler=self.spoiler, feed=feed, film=self.film)

    def tags(self, feed: str) -> tuple[tuple[str, ...], ...]:
        return wanted_tags(self.warnings, self.spoiler, feed)


def post_info(digest: Digest, article: Article | None = None) -> PostInfo:
    film = None
    if article is not None and article.letterboxd is not None:
        lb = article.letterboxd
        film = f"{lb.film_title} ({lb.film_year})" if lb.film_year else lb.film_title
    return PostInfo(digest.title, digest.spoiler, tuple((w.category, w.label) for w in digest.warnings), film)
