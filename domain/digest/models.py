"""Value objects of the article digest: what goes in (an article, a guild's options) and what comes out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

#: Category ids are a contract with storage and the settings commands: never rename one, only add.
CATEGORY_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "violence": "violence",
        "gore": "gore",
        "torture": "torture",
        "sexual-violence": "sexual violence",
        "sexual-content": "sexual content",
        "child-harm": "harm to children",
        "self-harm": "self-harm/suicide",
        "abuse": "abuse",
        "animal-harm": "animal harm",
        "drugs": "drug use",
        "flashing-lights": "flashing lights",
        "hate": "hate/bigotry",
    }
)
CATEGORIES: tuple[str, ...] = tuple(CATEGORY_LABELS)

#: Categories whose summary goes behind spoiler tags and whose image is dropped unless a server chooses
#: otherwise: the label stays visible, so a reader knows what is there and decides whether to look.
DEFAULT_SPOILER_CATEGORIES: frozenset[str] = frozenset(
    {"gore", "sexual-violence", "child-harm", "self-harm", "torture"}
)


def effective_spoiler_categories(
    chosen_on: Iterable[str] = (), chosen_off: Iterable[str] = (), hidden: Iterable[str] = ()
) -> frozenset[str]:
    """The categories that hide a summary for a server: its explicit choices, else the defaults.

    A default does not apply to a category whose label the server hid: it said it does not want that
    category flagged, and a summary hidden without a visible reason would only puzzle its members.
    """
    defaults = DEFAULT_SPOILER_CATEGORIES - frozenset(chosen_off) - frozenset(hidden)
    return frozenset(chosen_on) | defaults


MIN_SENTENCES = 2
MAX_SENTENCES = 4
MIN_SUMMARY_CHARS = 80
# Far below the 4096 description limit on purpose: a digest is a teaser, and escaping can double the length.
MAX_SUMMARY_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Letterboxd:
    """A Letterboxd diary entry or review: the film it is about and what the member said about it.

    ``film_title`` is the film's own title (other parts of the digest mask it as a name of a work, not as
    evidence). ``rating`` is in stars, 0.5 to 5 in halves; ``rewatch`` and ``liked`` are None when the feed
    does not say (old-format feeds carry neither). ``spoilers`` is Letterboxd's own "contains spoilers" mark.
    """

    film_title: str
    film_year: int | None = None
    rating: float | None = None
    rewatch: bool | None = None
    liked: bool | None = None
    watched: date | None = None
    spoilers: bool = False


@dataclass(frozen=True, slots=True)
class Article:
    """One feed entry (or one local article) reduced to what the digest needs.

    ``published`` is timezone-aware UTC when known; ``html`` may be HTML or plain text and is never trusted.
    ``language`` is the language the feed declares for the entry (its ``xml:lang``/``dc:language``, else
    the feed's ``<language>``), as written; only a hint for the digest's own detection.
    ``work_titles`` are names of works the source marked up (``<em>``/``<i>``/``<cite>``, Letterboxd's
    ``filmTitle``): the detectors treat them as names, not as evidence.
    """

    title: str
    url: str | None = None
    published: datetime | None = None
    html: str = ""
    source: str | None = None
    image_url: str | None = None
    categories: tuple[str, ...] = ()
    #: Set for Letterboxd diary entries and reviews; they render as diary entries.
    letterboxd: Letterboxd | None = None
    #: The name of a TV episode split off the title of a release-calendar item: it is hidden like a spoiler.
    episode_title: str | None = None
    #: The language the feed declares for the entry (xml:lang, dc:language or the channel's), if any.
    language: str | None = None
    work_titles: tuple[str, ...] = ()


#: Spoiler reasons that come from the item itself rather than from its wording.
EPISODE_TITLE_REASON = "episode title"
LETTERBOXD_SPOILERS_REASON = "marked as containing spoilers"


def article_spoiler_reasons(article: Article) -> tuple[str, ...]:
    """Reasons to hide an item's summary that its feed states: an episode's name, Letterboxd's own mark."""
    reasons: list[str] = []
    if article.episode_title:
        reasons.append(EPISODE_TITLE_REASON)
    if article.letterboxd is not None and article.letterboxd.spoilers:
        reasons.append(LETTERBOXD_SPOILERS_REASON)
    return tuple(reasons)


@dataclass(frozen=True, slots=True)
class ContentWarning:
    """A detected content-warning category with the phrases that triggered it (for moderators, not posts)."""

    category: str
    label: str
    evidence: tuple[str, ...]


def _as_category_set(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):  # a lone id, not an iterable of one-letter ids
        return frozenset({value})
    return frozenset(value)


def _as_terms(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = (value,)
    if not isinstance(value, Iterable):
        return ()
    return tuple(t for t in (str(v).strip() for v in value) if t)


@dataclass(frozen=True, slots=True)
class DigestOptions:
    """A guild's (or a feed's) digest preferences.

    ``shown_categories`` None means every category is shown. ``spoiler_categories`` defaults to
    :data:`DEFAULT_SPOILER_CATEGORIES`; a server's own choices replace it whole. ``custom_terms`` maps a category id to extra
    literal phrases; ids that are not categories are ignored so that a stale setting never breaks a feed.
    """

    sentences: int = 3
    max_summary_chars: int = 600
    shown_categories: frozenset[str] | None = None
    spoiler_categories: frozenset[str] = DEFAULT_SPOILER_CATEGORIES
    custom_terms: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    force_spoiler: bool = False

    def __post_init__(self) -> None:
        if not MIN_SENTENCES <= self.sentences <= MAX_SENTENCES:
            raise ValueError(
                f"sentences must be between {MIN_SENTENCES} and {MAX_SENTENCES}, got {self.sentences}"
            )
        if not MIN_SUMMARY_CHARS <= self.max_summary_chars <= MAX_SUMMARY_CHARS:
            raise ValueError(
                f"max_summary_chars must be between {MIN_SUMMARY_CHARS} and {MAX_SUMMARY_CHARS}, "
                f"got {self.max_summary_chars}"
            )
        # Settings arrive from storage as lists/sets/dicts; freeze them so an options object can be shared.
        object.__setattr__(self, "shown_categories", _as_category_set(self.shown_categories))
        object.__setattr__(
            self, "spoiler_categories", _as_category_set(self.spoiler_categories) or frozenset()
        )
        terms = {str(k): _as_terms(v) for k, v in dict(self.custom_terms or {}).items()}
        object.__setattr__(self, "custom_terms", MappingProxyType({k: v for k, v in terms.items() if v}))


@dataclass(frozen=True, slots=True)
class Digest:
    """The finished digest of one article; ``payload`` is the JSON body for POST /channels/{id}/messages.

    ``language`` is the ISO 639-1 code the digest went by (None: unknown). ``warnings_checked`` is False
    when no content-warning rules exist for that language (or it is unknown): then an empty ``warnings``
    means "not checked", not "nothing to warn about".
    """

    title: str
    url: str | None
    published: datetime | None
    summary: str
    warnings: tuple[ContentWarning, ...]
    spoiler: bool
    spoiler_reasons: tuple[str, ...]
    payload: dict[str, Any] = field(hash=False)
    language: str | None = None
    warnings_checked: bool = True
