"""Creating, editing and deleting messages, shared by channel REST routes and interaction webhooks."""

from __future__ import annotations

import mimetypes
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .state import EPHEMERAL, LOADING, StoredAttachment, StoredMessage, iso
from .validation import ApiError, FormErrors, validate_message

if TYPE_CHECKING:
    from .server import FakeDiscord

#: Flags a sender may set; everything else is silently dropped like Discord does.
SETTABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15) | EPHEMERAL


@dataclass
class UploadedFile:
    field: str
    filename: str
    data: bytes
    content_type: str | None = None

    @property
    def index(self) -> int | None:
        if self.field.startswith("files[") and self.field.endswith("]"):
            inner = self.field[6:-1]
            return int(inner) if inner.isdigit() else None
        if self.field.startswith("file"):
            rest = self.field[4:]
            return int(rest) if rest.isdigit() else 0
        return None


def _attachments_from(
    fake: FakeDiscord, body: dict[str, Any], files: list[UploadedFile], existing: list[StoredAttachment]
) -> list[StoredAttachment]:
    """Resolve Discord's ``attachments`` array: ``{"id": n}`` refers to ``files[n]`` (new) or keeps an old one."""
    by_index = {f.index: f for f in files if f.index is not None}
    old = {a.id: a for a in existing}
    listed = body.get("attachments")
    result: list[StoredAttachment] = []
    used: set[int] = set()
    if listed is None:
        result = list(existing)
        listed = []
    errors = FormErrors()
    for i, meta in enumerate(listed):
        raw_id = meta.get("id")
        try:
            att_id = int(raw_id)
        except (TypeError, ValueError):
            errors.add(("attachments", i, "id"), "NUMBER_TYPE_COERCE", f'Value "{raw_id}" is not snowflake.')
            continue
        if att_id in old:
            kept = old[att_id]
            result.append(kept)
        elif att_id in by_index:
            upload = by_index[att_id]
            used.add(att_id)
            result.append(_stored(fake, upload, meta.get("filename"), meta.get("description")))
        else:
            errors.add(("attachments", i), "ATTACHMENT_NOT_FOUND", "Attachment data not found")
    errors.raise_if_any()
    for upload in files:
        if upload.index not in used:
            result.append(_stored(fake, upload, None, None))
    if len(result) > 10:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {
                "files": {
                    "_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 10 or fewer in length."}]
                }
            },
        )
    return result


def _stored(
    fake: FakeDiscord, upload: UploadedFile, filename: str | None, description: str | None
) -> StoredAttachment:
    name = filename or upload.filename or "file"
    ctype = upload.content_type
    if not ctype or ctype == "application/octet-stream":
        ctype = mimetypes.guess_type(name)[0] or ctype
    return StoredAttachment(fake.world.ids.next(), name, upload.data, ctype, description)


def create_message(
    fake: FakeDiscord,
    channel_id: int,
    author_id: int,
    body: dict[str, Any],
    files: list[UploadedFile] | None = None,
    *,
    type: int = 0,
    webhook_id: int | None = None,
    interaction_metadata: dict[str, Any] | None = None,
    ephemeral: bool = False,
    extra_flags: int = 0,
    validate: bool = True,
    dispatch: bool = True,
    message_id: int | None = None,
) -> StoredMessage:
    files = files or []
    if validate:
        validate_message(body, has_files=bool(files) or bool(extra_flags & LOADING))
    world = fake.world
    channel = world.channel(channel_id)
    guild_id = channel.guild_id if channel else None
    embeds = list(body.get("embeds") or [])
    if body.get("embed"):
        embeds.append(body["embed"])
    flags = (int(body.get("flags") or 0) & SETTABLE_FLAGS) | extra_flags
    if ephemeral:
        flags |= EPHEMERAL
    else:
        flags &= ~EPHEMERAL
    message = StoredMessage(
        id=message_id or world.ids.next(),  # a forum post's first message has the post's id
        channel_id=channel_id,
        guild_id=guild_id,
        author_id=author_id,
        content=body.get("content") or "",
        embeds=[_normalize_embed(e) for e in embeds],
        components=list(body.get("components") or []),
        flags=flags,
        type=type,
        nonce=None if body.get("nonce") is None else str(body["nonce"]),
        tts=bool(body.get("tts")),
        timestamp=iso(time.time()),
        allowed_mentions=body.get("allowed_mentions"),
        message_reference=_reference(fake, channel_id, body.get("message_reference")),
        webhook_id=webhook_id,
        application_id=webhook_id,
        interaction_metadata=interaction_metadata,
        poll=body.get("poll"),
        ephemeral=ephemeral,
    )
    message.attachments = _attachments_from(fake, body, files, [])
    if ephemeral:
        world.ephemeral_messages[message.id] = message
        return message
    world.messages.setdefault(channel_id, []).append(message)
    if channel is not None:
        channel.last_message_id = message.id
        if channel.is_thread:
            channel.message_count += 1
    fake._changed()
    if dispatch:
        fake.gateway.dispatch_nowait("MESSAGE_CREATE", world.message_payload(message, gateway=True))
    return message


def _reference(fake: FakeDiscord, channel_id: int, ref: dict[str, Any] | None) -> dict[str, Any] | None:
    if not ref:
        return None
    mid = int(ref.get("message_id") or 0)
    target = fake.world.find_message(mid)
    if target is None or target.ephemeral:
        if ref.get("fail_if_not_exists", True):
            raise ApiError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "message_reference": {
                        "_errors": [
                            {"code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "message": "Unknown message"}
                        ]
                    }
                },
            )
        return None
    out: dict[str, Any] = {
        "type": ref.get("type", 0),
        "message_id": str(mid),
        "channel_id": str(target.channel_id),
    }
    if target.guild_id is not None:
        out["guild_id"] = str(target.guild_id)
    return out


def _normalize_embed(embed: dict[str, Any]) -> dict[str, Any]:
    out = dict(embed)
    out.setdefault("type", "rich")
    if "color" in out and out["color"] is None:
        out.pop("color")
    if isinstance(out.get("image"), dict):
        out["image"] = {**out["image"], "proxy_url": out["image"].get("url")}
    if isinstance(out.get("thumbnail"), dict):
        out["thumbnail"] = {**out["thumbnail"], "proxy_url": out["thumbnail"].get("url")}
    return out


def edit_message(
    fake: FakeDiscord,
    message: StoredMessage,
    body: dict[str, Any],
    files: list[UploadedFile] | None = None,
    *,
    dispatch: bool = True,
) -> StoredMessage:
    files = files or []
    validate_message(body, has_files=bool(files), editing=True)
    if "poll" in body:
        raise ApiError(
            400,
            50035,
            "Invalid Form Body",
            {"poll": {"_errors": [{"code": "CANNOT_EDIT_POLL", "message": "Polls cannot be edited"}]}},
        )
    snapshot = dict(message.__dict__)
    try:
        _apply_edit(fake, message, body, files)
    except ApiError:
        message.__dict__.update(snapshot)
        raise
    fake._changed()
    if dispatch and not message.ephemeral:
        fake.gateway.dispatch_nowait("MESSAGE_UPDATE", fake.world.message_payload(message, gateway=True))
    return message


def _apply_edit(
    fake: FakeDiscord, message: StoredMessage, body: dict[str, Any], files: list[UploadedFile]
) -> None:
    if "content" in body:
        message.content = body["content"] or ""
    if "embeds" in body or "embed" in body:
        embeds = list(body.get("embeds") or [])
        if body.get("embed"):
            embeds.append(body["embed"])
        message.embeds = [_normalize_embed(e) for e in embeds]
    if "components" in body:
        message.components = list(body["components"] or [])
    if "flags" in body and body["flags"] is not None:
        keep = message.flags & ~SETTABLE_FLAGS
        message.flags = (
            keep | (int(body["flags"]) & SETTABLE_FLAGS & ~EPHEMERAL) | (message.flags & EPHEMERAL)
        )
    if "allowed_mentions" in body:
        message.allowed_mentions = body["allowed_mentions"]
    if "attachments" in body or files:
        message.attachments = _attachments_from(fake, body, files, message.attachments)
    was_loading = bool(message.flags & LOADING)
    message.flags &= ~LOADING
    if not was_loading:
        message.edited_timestamp = iso(time.time())
    if not (message.content or message.embeds or message.attachments or message.components or message.poll):
        raise ApiError(400, 50006, "Cannot send an empty message")


def delete_message(fake: FakeDiscord, message: StoredMessage, *, dispatch: bool = True) -> None:
    world = fake.world
    if message.ephemeral:
        world.ephemeral_messages.pop(message.id, None)
        return
    messages = world.messages.get(message.channel_id, [])
    if message in messages:
        messages.remove(message)
    world.deleted_message_ids.append(message.id)
    fake._changed()
    if dispatch:
        data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
        if message.guild_id is not None:
            data["guild_id"] = str(message.guild_id)
        fake.gateway.dispatch_nowait("MESSAGE_DELETE", data)
