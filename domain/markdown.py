"""The one escaper: showing untrusted text (feed titles, film titles, poll options, notes) literally in Discord.

Every text that comes from a user or a feed goes through :func:`escape_markdown` before it is put into a
message's content or an embed; no other module escapes (``tests/test_escaping_rule.py`` enforces it).

What it guarantees for markdown contexts (content, embed title/description/field name/value, link labels):

* inline markup is literal: ``\\ * _ ~ ` | [ ] < >`` are backslash-escaped, so nothing can bold, strike,
  open a code span or fence, open or close a ``||spoiler||``, or start a masked link ``[text](url)``;
* line-start markup is literal: headings ``#``, subtext ``-#``, lists ``-``/``+``/``1.`` (``>`` quotes and
  ``*`` bullets are already escaped inline);
* no mention of any form renders or pings: ``@everyone``/``@here`` get a zero-width space after ``@``, and
  ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``, ``</name:id>`` and ``<t:...>`` have their ``<`` escaped (and the
  ``@`` broken too, because Discord's server reads mentions in the raw content, markdown escapes or not);
* control characters and Unicode line/paragraph separators become spaces; CR/CRLF become ``\\n``.

``plain=True`` is for text Discord shows *without* markdown (embed footer, author name): backslashes would
show there, so only mentions are defused and the text is made one line.

``limit`` cuts the *source* text (never the escaped text: a cut after ``\\`` would escape whatever the
caller puts next, e.g. the closing ``**``) and ends it with "…" so the result takes at most ``limit`` UTF-16
code units (:func:`utf16_len`: how Discord counts its limits in the worst case; emoji take two).
"""

from __future__ import annotations

import re

__all__ = ["ZWSP", "escape_markdown", "utf16_len"]

ZWSP = "\u200b"
ELLIPSIS = "…"

_INLINE = re.compile(r"[\\*_~`|\[\]<>]")
_LINE_START = re.compile(r"(?m)^([ \t]*)(#{1,3}[ \t]|-#[ \t]|[-+][ \t]|\d{1,9}(?=\.[ \t]))")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def escape_markdown(text: str, *, plain: bool = False, limit: int | None = None) -> str:
    """``text`` made literal for Discord: it cannot format, ping, link, quote, fence or spoiler anything.

    ``plain``: the text goes where Discord renders no markdown (footers, author names): defuse mentions only,
    on one line. ``limit``: the most UTF-16 units the result may take (the source is cut, then "…" added).
    """
    escaped = _escape(text, plain)
    if limit is None or utf16_len(escaped) <= limit:
        return escaped
    if limit <= 1:
        return ELLIPSIS if limit == 1 else ""
    low, high = 0, len(text)  # the longest source prefix whose escaped form plus "…" fits
    while low < high:
        mid = (low + high + 1) // 2
        if utf16_len(_escape(text[:mid], plain).rstrip()) + 1 <= limit:
            low = mid
        else:
            high = mid - 1
    return _escape(text[:low], plain).rstrip() + ELLIPSIS


def utf16_len(text: str) -> int:
    """Length as Discord counts it in the worst case: UTF-16 code units (an emoji can take two)."""
    return len(text.encode("utf-16-le")) // 2


def _escape(text: str, plain: bool) -> str:
    if plain:
        text = _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " "))
        return text.replace("@", "@" + ZWSP).replace("<", "<" + ZWSP)
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    text = _LINE_START.sub(_line_start, text)
    return text.replace("@", "@" + ZWSP)


def _line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():
        return indent + marker + "\\"  # "1. " -> "1\. "
    return indent + "\\" + marker
