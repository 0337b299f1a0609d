"""Checks and parsers for what organisers type (film, place, notes, capacity, reminder times)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from domain import reminders as rem
from domain.errors import UserError
from domain.schedule import format_compact_duration, parse_compact_duration, parse_duration
from domain.titles import TitleError, normalise_title
from services.watchparties._models import MAX_CAPACITY, MAX_FILM, MAX_LOCATION, MAX_NOTES


def clean_line(text: str) -> str:
    return " ".join(text.split())


def parse_offsets(text: str) -> tuple[int, ...]:
    """``"24h, 1h, 0m"`` -> ``(86400, 3600, 0)``; ``"none"`` -> no reminders."""
    cleaned = text.strip().lower()
    if cleaned in ("none", "off", "no", "-"):
        return ()
    parts = [p.strip() for p in re.split(r"[,;]", cleaned) if p.strip()]
    if not parts:
        raise UserError("Give reminder times before the start like '24h, 1h, 0m', or 'none'.")
    return rem.normalise_offsets(parse_compact_duration(p) for p in parts)


def describe_offsets(offsets: Sequence[int]) -> str:
    if not offsets:
        return "none"
    return ", ".join("at start" if o == 0 else f"{format_compact_duration(o)} before" for o in offsets)


def skipped_note(skipped: Sequence[int]) -> str:
    return f"Skipped reminders that would come too soon or are already past: {describe_offsets(skipped)}."


def duration(text: str) -> int:
    return parse_duration(text)


def film(text: str) -> str:
    cleaned = clean_line(text)
    if not cleaned:
        raise UserError("Give the film's title.")
    if len(cleaned) > MAX_FILM:
        raise UserError(f"That title is too long (at most {MAX_FILM} characters).")
    if not normalise_title(cleaned):
        raise TitleError("That title has no letters or digits.")
    return cleaned


def location(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = clean_line(text)
    if len(cleaned) > MAX_LOCATION:
        raise UserError(f"The location is too long (at most {MAX_LOCATION} characters).")
    return cleaned or None


def notes(text: str | None) -> str | None:
    if text is None:
        return None
    cleaned = text.strip()
    if len(cleaned) > MAX_NOTES:
        raise UserError(f"The notes are too long (at most {MAX_NOTES} characters).")
    return cleaned or None


def capacity(value: int | None) -> int | None:
    if value is None:
        return None
    if not 1 <= value <= MAX_CAPACITY:
        raise UserError(f"The capacity must be between 1 and {MAX_CAPACITY}.")
    return value
