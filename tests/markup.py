"""What Discord would make *live* of a text: mentions, spoiler bars, masked links, line-start markup.

An independent reading of Discord's rules, used to check the escaper's output and whole messages in e2e
tests, so the tests do not just compare the escaper against itself:

* a backslash before an ASCII punctuation character makes that character literal (and is not shown);
* Discord's *server* finds ``@everyone``/``@here``/``<@id>``/``<@!id>``/``<@&id>`` in the raw content whatever
  the markdown says, so those are looked for with every backslash removed;
* channel, slash-command and timestamp tags only render (they never ping): they count when their ``<`` is live.
"""

from __future__ import annotations

import re
import string

_PUNCT = set(string.punctuation)
_HIDDEN = "\ufffc"  # stands in for an escaped character: matches none of the patterns below

PINGS = re.compile(r"@(?:everyone|here)|<@[!&]?\d+>")
RENDERED_TAGS = re.compile(r"<(?:#\d+|/[\w -]+:\d+|t:-?\d+(?::[tTdDfFR])?|a?:\w+:\d+)>")
MASKED_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?(?P<url>[^)\s>]+)")
LINE_MARKUP = re.compile(r"(?m)^[ \t]*(?:#{1,3}[ \t]|-#[ \t]|[-+*][ \t]|\d{1,9}\.[ \t]|>)")


def live_view(text: str) -> str:
    """``text`` as Discord parses it: escaped characters replaced by a placeholder, escaping backslashes gone."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in _PUNCT:
            out.append(_HIDDEN)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def pings(text: str) -> list[str]:
    """Mentions Discord's server would find in ``text`` (it ignores markdown escapes)."""
    return PINGS.findall(text.replace("\\", ""))


def live_mentions(text: str) -> list[str]:
    """Every mention that pings or renders as a mention chip."""
    return pings(text) + RENDERED_TAGS.findall(live_view(text))


def live_spoiler_bars(text: str) -> int:
    """How many live ``||`` markers ``text`` has (an odd number leaves a spoiler open)."""
    return live_view(text).count("||")


def masked_links(text: str) -> list[str]:
    """URLs of live masked links ``[label](url)``."""
    return [m.group("url") for m in MASKED_LINK.finditer(live_view(text))]


def live_markup(text: str) -> list[str]:
    """Everything in ``text`` Discord would not show literally; [] for correctly escaped untrusted text."""
    view = live_view(text)
    found = live_mentions(text)
    found += [f"live {char!r}" for char in "*_~`|[]<>" if char in view]
    found += [f"line start {m.group()!r}" for m in LINE_MARKUP.finditer(view)]
    return found
