"""Discord-style errors and the cheap request validation Discord applies (limits that bots really hit)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any


class ApiError(Exception):
    """Raised by handlers; rendered as Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def unknown(kind: str) -> ApiError:
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "Role": 10011,
        "Emoji": 10014,
        "Webhook": 10015,
        "User": 10013,
        "Application Command": 10063,
        "interaction": 10062,
        "Guild Scheduled Event": 10070,
    }
    status = 400 if kind == "Emoji" else 404
    return ApiError(status, codes[kind], f"Unknown {kind}")


def missing_permissions() -> ApiError:
    return ApiError(403, 50013, "Missing Permissions")


def missing_access() -> ApiError:
    return ApiError(403, 50001, "Missing Access")


class FormErrors:
    """Collects ``{"field": {"0": {"sub": {"_errors": [...]}}}}`` and raises 50035 if anything was added."""

    def __init__(self) -> None:
        self.errors: dict[str, Any] = {}

    def add(self, path: tuple[str | int, ...], code: str, message: str) -> None:
        node = self.errors
        for part in path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": code, "message": message})

    def max_length(self, path: tuple[str | int, ...], value: Any, limit: int) -> None:
        if value is not None and len(value) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(self, path: tuple[str | int, ...], value: Any, low: int, high: int) -> None:
        if value is None or not (low <= len(value) <= high):
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ApiError(400, 50035, "Invalid Form Body", self.errors)


_URL_OK = re.compile(r"^(https?|attachment)://\S+$")


def _check_url(errors: FormErrors, path: tuple[str | int, ...], url: Any) -> None:
    if url is not None and not (isinstance(url, str) and _URL_OK.match(url)):
        errors.add(path, "URL_TYPE_INVALID_URL", "Not a well formed URL.")


def validate_embeds(errors: FormErrors, embeds: list[dict[str, Any]]) -> None:
    if len(embeds) > 10:
        errors.add(("embeds",), "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    for i, embed in enumerate(embeds):
        p: tuple[str | int, ...] = ("embeds", i)
        title, description = embed.get("title"), embed.get("description")
        errors.max_length((*p, "title"), title, 256)
        errors.max_length((*p, "description"), description, 4096)
        total += len(title or "") + len(description or "")
        fields = embed.get("fields") or []
        if len(fields) > 25:
            errors.add((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, f in enumerate(fields):
            name, value = f.get("name"), f.get("value")
            if not name:
                errors.add((*p, "fields", j, "name"), "BASE_TYPE_REQUIRED", "This field is required")
            if not value:
                errors.add((*p, "fields", j, "value"), "BASE_TYPE_REQUIRED", "This field is required")
            errors.max_length((*p, "fields", j, "name"), name, 256)
            errors.max_length((*p, "fields", j, "value"), value, 1024)
            total += len(name or "") + len(value or "")
        footer = embed.get("footer") or {}
        author = embed.get("author") or {}
        errors.max_length((*p, "footer", "text"), footer.get("text"), 2048)
        errors.max_length((*p, "author", "name"), author.get("name"), 256)
        total += len(footer.get("text") or "") + len(author.get("name") or "")
        _check_url(errors, (*p, "url"), embed.get("url"))
        for key in ("image", "thumbnail"):
            if embed.get(key) is not None:
                _check_url(errors, (*p, key, "url"), embed[key].get("url"))
        _check_url(errors, (*p, "author", "url"), author.get("url"))
        color = embed.get("color")
        if color is not None and not (isinstance(color, int) and 0 <= color <= 0xFFFFFF):
            errors.add(
                (*p, "color"), "NUMBER_TYPE_MAX", "int value should be less than or equal to 16777215."
            )
        if embed.get("timestamp") is not None and _parse_time(embed["timestamp"]) is None:
            errors.add((*p, "timestamp"), "DATE_TYPE_PARSE", "Could not parse timestamp.")
    if total > 6000:
        errors.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")


def validate_components(errors: FormErrors, components: list[dict[str, Any]], *, v2: bool) -> None:
    seen: set[str] = set()

    def walk(items: list[dict[str, Any]], path: tuple[str | int, ...]) -> None:
        for i, comp in enumerate(items):
            p = (*path, i)
            cid = comp.get("custom_id")
            if cid is not None:
                errors.max_length((*p, "custom_id"), cid, 100)
                if cid in seen:
                    errors.add(
                        (*p, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(cid)
            ctype = comp.get("type")
            if ctype == 2:  # button
                errors.max_length((*p, "label"), comp.get("label"), 80)
                is_link = comp.get("style") == 5
                if is_link and not comp.get("url"):
                    errors.add((*p, "url"), "BASE_TYPE_REQUIRED", "This field is required")
                if not is_link and comp.get("style") != 6 and cid is None:
                    errors.add((*p, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")
            elif ctype in (3, 5, 6, 7, 8):
                errors.max_length((*p, "placeholder"), comp.get("placeholder"), 150)
                if len(comp.get("options") or []) > 25:
                    errors.add((*p, "options"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            children = comp.get("components")
            if ctype == 1 and isinstance(children, list) and not v2 and not 1 <= len(children) <= 5:
                errors.add((*p, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            if isinstance(children, list):
                walk(children, (*p, "components"))
            if isinstance(comp.get("accessory"), dict):
                walk([comp["accessory"]], (*p, "accessory"))

    if not v2 and len(components) > 5:
        errors.add(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    walk(components, ("components",))


def validate_message(body: dict[str, Any], *, has_files: bool, editing: bool = False) -> None:
    errors = FormErrors()
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        errors.add(("content",), "STRING_TYPE_CONVERT", "Could not interpret value as string.")
    else:
        errors.max_length(("content",), content, 2000)
    embeds = body.get("embeds") or []
    if body.get("embed"):
        embeds = [*embeds, body["embed"]]
    validate_embeds(errors, embeds)
    v2 = bool(int(body.get("flags") or 0) & (1 << 15))
    validate_components(errors, body.get("components") or [], v2=v2)
    nonce = body.get("nonce")
    if nonce is not None:
        errors.max_length(("nonce",), str(nonce), 25)
    allowed = body.get("allowed_mentions") or {}
    for kind in ("users", "roles"):
        if kind in allowed.get("parse", []) and allowed.get(kind):
            errors.add(
                ("allowed_mentions",),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
    errors.raise_if_any()
    if not editing:
        empty = not (
            content or embeds or body.get("components") or body.get("sticker_ids") or body.get("poll")
        )
        if empty and not has_files:
            raise ApiError(400, 50006, "Cannot send an empty message")


_NAME_OK = re.compile(r"^[-_'\w]{1,32}$")


def _validate_options(errors: FormErrors, options: list[dict[str, Any]], path: tuple[str | int, ...]) -> None:
    if len(options) > 25:
        errors.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
    seen_optional = False
    names: set[str] = set()
    for i, opt in enumerate(options):
        p = (*path, i)
        name = opt.get("name", "")
        if not _NAME_OK.match(name) or name != name.lower():
            errors.add((*p, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        if name in names:
            errors.add(
                (*p, "name"), "APPLICATION_COMMAND_OPTION_NAME_NOT_UNIQUE", "Option names must be unique"
            )
        names.add(name)
        errors.length_between((*p, "description"), opt.get("description"), 1, 100)
        if opt.get("type") in (1, 2):
            _validate_options(errors, opt.get("options") or [], (*p, "options"))
            continue
        if opt.get("required"):
            if seen_optional:
                errors.add(
                    p,
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            errors.add((*p, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for j, choice in enumerate(choices):
            errors.length_between((*p, "choices", j, "name"), choice.get("name"), 1, 100)
        if choices and opt.get("autocomplete"):
            errors.add(
                (*p, "autocomplete"),
                "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
                "Autocomplete and choices are exclusive",
            )


def validate_commands(commands: list[dict[str, Any]]) -> None:
    errors = FormErrors()
    if sum(1 for c in commands if c.get("type", 1) == 1) > 100:
        errors.add((), "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
    seen: set[tuple[int, str]] = set()
    for i, cmd in enumerate(commands):
        ctype = cmd.get("type", 1)
        name = cmd.get("name", "")
        if ctype == 1:
            if not _NAME_OK.match(name) or name != name.lower():
                errors.add((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            errors.length_between((i, "description"), cmd.get("description"), 1, 100)
            _validate_options(errors, cmd.get("options") or [], (i, "options"))
        else:
            errors.length_between((i, "name"), name, 1, 32)
        if (ctype, name) in seen:
            errors.add(
                (i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique"
            )
        seen.add((ctype, name))
    errors.raise_if_any()


def _parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def validate_scheduled_event(body: dict[str, Any], channel_type: int | None, *, creating: bool) -> None:
    errors = FormErrors()
    if creating or "name" in body:
        errors.length_between(("name",), body.get("name"), 1, 100)
    errors.max_length(("description",), body.get("description"), 1000)
    if (creating or "privacy_level" in body) and body.get("privacy_level") != 2:
        errors.add(("privacy_level",), "BASE_TYPE_CHOICES", "Value must be one of {2}.")
    entity_type = body.get("entity_type")
    if creating and entity_type not in (1, 2, 3):
        errors.add(("entity_type",), "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
    start = _parse_time(body.get("scheduled_start_time")) if "scheduled_start_time" in body else None
    if creating or "scheduled_start_time" in body:
        if start is None:
            errors.add(("scheduled_start_time",), "DATE_TYPE_PARSE", "Could not parse timestamp.")
        elif start < dt.datetime.now(dt.UTC):
            errors.add(
                ("scheduled_start_time",),
                "GUILD_SCHEDULED_EVENT_SCHEDULE_PAST",
                "Cannot schedule event in the past.",
            )
    end = _parse_time(body.get("scheduled_end_time")) if body.get("scheduled_end_time") else None
    if body.get("scheduled_end_time") and end is None:
        errors.add(("scheduled_end_time",), "DATE_TYPE_PARSE", "Could not parse timestamp.")
    if start is not None and end is not None and end <= start:
        errors.add(
            ("scheduled_end_time",),
            "GUILD_SCHEDULED_EVENT_END_BEFORE_START",
            "End time must be after start time.",
        )
    if entity_type == 3:
        location = (body.get("entity_metadata") or {}).get("location")
        errors.length_between(("entity_metadata", "location"), location, 1, 100)
        if creating and not body.get("scheduled_end_time"):
            errors.add(("scheduled_end_time",), "BASE_TYPE_REQUIRED", "This field is required")
    elif entity_type in (1, 2):
        wanted = 13 if entity_type == 1 else 2
        if body.get("channel_id") is None:
            errors.add(("channel_id",), "BASE_TYPE_REQUIRED", "This field is required")
        elif channel_type != wanted:
            errors.add(
                ("channel_id",), "CHANNEL_TYPE_INVALID", "Channel type is invalid for this entity type."
            )
    errors.raise_if_any()
