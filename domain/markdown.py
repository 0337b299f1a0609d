"""Showing untrusted text (feed titles, film titles, poll options) literally in Discord markdown."""

from __future__ import annotations

import re

__all__ = ["ZWSP", "defuse_plain", "escape_markdown"]

ZWSP = "\u200b"

_INLINE = re.compile(r"[\\*_~`|\[\]<>]")
_LINE_START = re.compile(r"(?m)^([ \t]*)(#{1,3}[ \t]|-#[ \t]|[-+][ \t]|\d{1,9}(?=\.[ \t]))")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Discord shows it literally and it cannot ping, link, quote, or spoiler anything."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _INLINE.sub(lambda m: "\\" + m.group(), text)
    text = _LINE_START.sub(_escape_line_start, text)
    return text.replace("@", "@" + ZWSP)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker[0].isdigit():
        return indent + marker + "\\"  # "1. " -> "1\. "
    return indent + "\\" + marker


def defuse_plain(text: str) -> str:
    """Make plain (non-markdown) text such as a footer unable to mention anyone; one line, no controls."""
    text = _CONTROL.sub(" ", text.replace("\r", " ").replace("\n", " "))
    return text.replace("@", "@" + ZWSP).replace("<", "<" + ZWSP)
