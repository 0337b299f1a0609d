"""One feed entry in, one Discord post out: the pipeline that ties the digest pieces together."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domain.digest.content_warnings import detect_warnings_and_spoilers
from domain.digest.language import CHECKED_LANGUAGES, detect_language, language_name
from domain.digest.languages import (
    LEXICONS,
    custom_warnings,
    detect_spoilers_in,
    detect_warnings_in,
    title_without_denials,
)
from domain.digest.models import Article, ContentWarning, Digest, DigestOptions, article_spoiler_reasons
from domain.digest.render import CW_REASON_PREFIX, render_payload
from domain.digest.spoilers import detect_spoilers
from domain.digest.summary import summarize
from domain.digest.text import clean_text, html_to_text

#: ``shield(title, text)`` returns extra spoiler reasons, e.g. "on the club's schedule: Nosferatu on 5 Dec".
SpoilerShield = Callable[[str, str], Sequence[str]]

FORCED_REASON = "this feed is always spoilered"
SHIELD_FAILED_REASON = "spoiler check failed"
_SPOILER_CATEGORY_WORDS = ("spoiler", "recap", "ending explained", "explainer")
_DEFAULT_OPTIONS = DigestOptions()
#: Words of body text an item needs before the post says its warnings were not checked. Fewer are a
#: title plus metadata ("Žánry: Horor", "Film, rok: 2023"), which no rule would warn on, and a note on every
#: such item would be noise that teaches readers to ignore it. An unknown language needs more: a detector
#: is unsure precisely when there is little text, and short unknown items are titles, ratings and keysmash.
NOTE_MIN_WORDS = 8
NOTE_MIN_WORDS_UNKNOWN = 20


def _shield_reasons(shield: SpoilerShield, title: str, text: str) -> list[str]:
    try:
        raw = shield(title, text)
    except Exception:
        # Fail closed: when the club's own spoiler check breaks, hiding a summary is cheaper than leaking it.
        return [SHIELD_FAILED_REASON]
    if isinstance(raw, str):
        raw = [raw]
    return [" ".join(str(r).split()) for r in raw or () if str(r).strip()]


def work_titles_of(article: Article, shield: SpoilerShield | None = None) -> tuple[str, ...]:
    """Titles known to name works in this article: its own markup's and the club's scheduled films."""
    titles = list(article.work_titles)
    try:
        scheduled = getattr(shield, "titles", ()) if shield is not None else ()
        titles.extend(str(t) for t in scheduled if isinstance(t, str))
    except Exception:  # a broken shield costs the masking of its titles, never the post
        pass
    return tuple(dict.fromkeys(titles))


def spoiler_reasons_for(
    article: Article,
    text: str,
    warnings: Sequence[ContentWarning],
    options: DigestOptions,
    shield: SpoilerShield | None = None,
    language: str | None = "en",
    wording: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """Every reason to hide the summary: forced feed, article wording, feed tags, warnings, the shield.

    The wording rules are the article's language's (es/fr/de/pt) or else the English ones, which also
    catch what is language-neutral in any feed ("S01E05", "Spoilers:" in a title). ``wording`` is what
    :func:`detect_spoilers` says about the article when the caller already knows it (the English one-pass
    scan).
    """
    reasons: list[str] = []
    if options.force_spoiler:
        reasons.append(FORCED_REASON)
    reasons.extend(article_spoiler_reasons(article))
    titles = work_titles_of(article, shield)
    if language is not None and language in LEXICONS:
        reasons.extend(detect_spoilers_in(language, article.title, text))
        # The English title rules are mostly language-neutral ("S02E05", "Spoilers:", "Recap").
        reasons.extend(
            detect_spoilers(title_without_denials(language, article.title), "", work_titles=titles)
        )
    else:
        reasons.extend(
            wording if wording is not None else detect_spoilers(article.title, text, work_titles=titles)
        )
    for category in article.categories:
        lowered = category.casefold()
        if any(word in lowered for word in _SPOILER_CATEGORY_WORDS):
            reasons.append(f"tagged “{category}”")
            break
    reasons.extend(
        f"{CW_REASON_PREFIX}{w.label}" for w in warnings if w.category in options.spoiler_categories
    )
    if shield is not None:
        reasons.extend(_shield_reasons(shield, article.title, text))
    return tuple(dict.fromkeys(reasons))


def _warnings_for(
    language: str | None, article: Article, text: str, options: DigestOptions, titles: Sequence[str]
) -> tuple[tuple[ContentWarning, ...], bool, tuple[str, ...] | None]:
    """(warnings, checked, English spoiler wording or None): English rules for English, the lexicons for
    es/fr/de/pt.

    The English rules find warnings and spoiler wording in one scan of the text. An unknown language still
    gets them as a best effort (most such items are short English titles and metadata), but does not count
    as checked. Any other language gets only the club's own literal custom terms.
    """
    if language is not None and language in LEXICONS:
        return detect_warnings_in(language, article.title, text, options.custom_terms), True, None
    if language == "en" or language is None:
        detected, wording = detect_warnings_and_spoilers(
            article.title, text, options.custom_terms, work_titles=titles
        )
        return tuple(detected), language == "en", tuple(wording)
    return custom_warnings(article.title, text, options.custom_terms), False, None


def not_checked_note(language: str | None, text: str) -> str | None:
    """The line a post carries when its warnings were not checked and the item is long enough to matter.

    Only the body's words count: titles are often a film's original (English) name plus tags like "[CZ]".
    """
    if language in CHECKED_LANGUAGES:
        return None
    words = len(text.split(None, NOTE_MIN_WORDS_UNKNOWN)[:NOTE_MIN_WORDS_UNKNOWN])
    if language is None:
        return "content warnings: not checked (language unknown)" if words >= NOTE_MIN_WORDS_UNKNOWN else None
    return f"content warnings: not checked for {language_name(language)}" if words >= NOTE_MIN_WORDS else None


def digest_entry(
    article: Article, options: DigestOptions = _DEFAULT_OPTIONS, shield: SpoilerShield | None = None
) -> Digest:
    """Clean, summarise, classify and render one article.

    The language is detected first (the feed's declared language is the hint for short items). Warnings
    are detected over the title and the full cleaned text by the rules of that language; a language without
    rules gets a visible "not checked" line instead of a silence that reads as "nothing to warn about".
    Only categories in ``options.shown_categories`` (all when None) are labelled; a detected category
    listed in ``options.spoiler_categories`` spoilers the summary even if it is not shown, since a server
    that asked for it to be hidden wants it hidden. Any spoiler reason drops the thumbnail.
    """
    text = clean_text(html_to_text(article.html))
    summary = summarize(text, article.title, options.sentences, options.max_summary_chars)
    language = detect_language(article.title, text, article.language).code
    detected, checked, wording = _warnings_for(
        language, article, text, options, work_titles_of(article, shield)
    )
    shown = options.shown_categories
    warnings = tuple(w for w in detected if shown is None or w.category in shown)
    reasons = spoiler_reasons_for(article, text, detected, options, shield, language, wording)
    note = None if checked else not_checked_note(language, text)
    return Digest(
        title=article.title,
        url=article.url,
        published=article.published,
        summary=summary,
        warnings=warnings,
        spoiler=bool(reasons),
        spoiler_reasons=reasons,
        payload=render_payload(article, summary, warnings, reasons, not_checked=note),
        language=language,
        warnings_checked=checked,
    )
