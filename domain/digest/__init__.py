"""Article digest: one feed entry -> one Discord post a film club can trust.

Pure logic (stdlib only). The stable API is what ``__all__`` lists; everything else is an implementation
detail of the submodules.
"""

from domain.digest.content_warnings import detect_warnings
from domain.digest.digest import SpoilerShield, digest_entry
from domain.digest.entry import article_from_entry, text_article
from domain.digest.models import (
    CATEGORIES,
    CATEGORY_LABELS,
    Article,
    ContentWarning,
    Digest,
    DigestOptions,
)
from domain.digest.render import render_payload
from domain.digest.sentences import split_sentences
from domain.digest.spoilers import detect_spoilers
from domain.digest.summary import summarize
from domain.digest.text import clean_text, html_to_text

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Article",
    "ContentWarning",
    "Digest",
    "DigestOptions",
    "SpoilerShield",
    "article_from_entry",
    "clean_text",
    "detect_spoilers",
    "detect_warnings",
    "digest_entry",
    "html_to_text",
    "render_payload",
    "split_sentences",
    "summarize",
    "text_article",
]
