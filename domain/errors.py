"""The base of every error a user can cause and fix: its message is shown to them as it is."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused action. ``str(exc)`` is a short, complete sentence for the user."""
