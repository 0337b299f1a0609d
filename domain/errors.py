"""The base of every error a user can cause and fix, and how its message reaches each audience.

A message often quotes what the user typed ("I couldn't read '…' as a time"). That text is untrusted: in a
Discord reply it must go through the one escaper (a ``||`` or a masked link from the user must not render),
while on a terminal (``bot.py check-config``, settings errors) escaping backslashes would only be noise. So the
quoted text never becomes part of the template: it is kept beside it and inserted per audience.

* ``UserError("I couldn't read '{typed}' as a time.", typed=text)``: ``{typed}`` is the user's text;
* ``str(exc)`` / :meth:`UserError.plain` insert it as it is (logs, terminal, settings);
* :meth:`UserError.render` passes each quoted value through the caller's escaper (the cogs pass
  :func:`domain.markdown.escape_markdown`); the template itself is ours and is never escaped.

Only ``{name}`` fields named by a keyword are replaced, so other braces in a template stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_FIELD = re.compile(r"\{(\w+)\}")


class UserError(Exception):
    """Bad input or a refused action: a short, complete sentence for the user.

    ``template`` is trusted text (it may hold Discord markup such as ``<#id>``); every keyword is a quoted
    value from the user (or from anything else untrusted) that :meth:`render` escapes.
    """

    def __init__(self, template: str, /, **quoted: object) -> None:
        self.template = template
        self.quoted: Mapping[str, str] = {name: str(value) for name, value in quoted.items()}
        missing = [name for name in self.quoted if "{" + name + "}" not in template]
        if missing:  # a quoted value the message would silently drop is a bug at the raise site
            raise TypeError(f"UserError template has no field for {missing}: {template!r}")
        super().__init__(self.plain())

    def render(self, escape: Callable[[str], str]) -> str:
        """The message with every quoted value passed through ``escape`` (the template is left alone)."""
        if not self.quoted:
            return self.template
        return _FIELD.sub(lambda m: escape(self.quoted[m[1]]) if m[1] in self.quoted else m[0], self.template)

    def plain(self) -> str:
        """The message with the quoted values as typed: for terminals and logs, never for Discord."""
        return self.render(lambda text: text)

    def __str__(self) -> str:
        return self.plain()

    def __reduce__(self) -> tuple[object, ...]:
        # Exception pickling replays ``args`` (the plain text) only; keep the quoted values apart.
        return (_rebuild, (type(self), self.template, dict(self.quoted)))


def _rebuild(cls: type[UserError], template: str, quoted: dict[str, str]) -> UserError:
    return cls(template, **quoted)
