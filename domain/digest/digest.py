"""One feed entry in, one Discord post out: the pipeline that ties the digest pieces together."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domain.digest.content_warnings import detect_warnings_and_spoilers
from domain.digest.models import Article, ContentWarning, Digest, DigestOptions
from domain.digest.render import CW_REASON_PREFIX, render_payload
from domain.digest.spoilers import detect_spoilers
from domain.digest.summary import summarize
from domain.digest.text import clean_text, html_to_text

#: ``shield(title, text)`` returns extra spoiler reasons, e.g. "on the club's schedule: Nosferatu on 5 Dec".
#: A shield that also has a ``titles`` attribute (the scheduled films) gets those titles masked for the
#: content-warning and spoiler detectors: a film's name is not evidence about what the article describes.
SpoilerShield = Callable[[str, str], Sequence[str]]

FORCED_REASON = "this feed is always spoilered"
SHIELD_FAILED_REASON = "spoiler check failed"
_SPOILER_CATEGORY_WORDS = ("spoiler", "recap", "ending explained", "explainer")
_DEFAULT_OPTIONS = DigestOptions()


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
    wording: Sequence[str] | None = None,
) -> tuple[str, ...]:
    """Every reason to hide the summary: forced feed, article wording, feed tags, warnings, the shield.

    ``wording`` is what :func:`detect_spoilers` says about the article when the caller already knows it.
    """
    reasons: list[str] = []
    if options.force_spoiler:
        reasons.append(FORCED_REASON)
    if wording is None:
        wording = detect_spoilers(article.title, text, work_titles=work_titles_of(article, shield))
    reasons.extend(wording)
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


def digest_entry(
    article: Article, options: DigestOptions = _DEFAULT_OPTIONS, shield: SpoilerShield | None = None
) -> Digest:
    """Clean, summarise, classify and render one article.

    Warnings are detected over the title and the full cleaned text. Only categories in
    ``options.shown_categories`` (all when None) are labelled; a detected category listed in
    ``options.spoiler_categories`` spoilers the summary even if it is not shown, since a server that asked
    for it to be hidden wants it hidden. Any spoiler reason drops the thumbnail.
    """
    text = clean_text(html_to_text(article.html))
    summary = summarize(text, article.title, options.sentences, options.max_summary_chars)
    # One scan of the text finds both the content warnings and the spoiler wording.
    detected, wording = detect_warnings_and_spoilers(
        article.title, text, options.custom_terms, work_titles=work_titles_of(article, shield)
    )
    shown = options.shown_categories
    warnings = tuple(w for w in detected if shown is None or w.category in shown)
    reasons = spoiler_reasons_for(article, text, detected, options, shield, wording)
    return Digest(
        title=article.title,
        url=article.url,
        published=article.published,
        summary=summary,
        warnings=warnings,
        spoiler=bool(reasons),
        spoiler_reasons=reasons,
        payload=render_payload(article, summary, warnings, reasons),
    )
