"""Interactions: the payloads users "send" (slash, autocomplete, buttons, modals) and the bot's answers.

Answers arrive on ``POST /interactions/{id}/{token}/callback`` and the follow-up webhook routes; each
interaction is tracked by an ``InteractionRecord`` that tests await on.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .messages import create_message, delete_message, edit_message
from .router import Call, Router
from .state import EPHEMERAL, LOADING, FakeChannel, FakeMember, FakeRole, StoredAttachment, StoredMessage
from .validation import ApiError, FormErrors, unknown, validate_message

if TYPE_CHECKING:
    from .server import FakeDiscord

APPLICATION_COMMAND = 2
COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

_ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {4, 5, 9, 12},
    COMPONENT: {4, 5, 6, 7, 9, 12},
    AUTOCOMPLETE: {8},
    MODAL_SUBMIT: {4, 5, 6, 7},
}


@dataclass
class InteractionRecord:
    """One interaction sent to the bot and everything the bot answered."""

    fake: FakeDiscord = field(repr=False)
    id: int
    token: str
    type: int
    payload: dict[str, Any] = field(repr=False)
    user: FakeMember
    guild_id: int | None
    channel_id: int | None
    created: float = field(default_factory=time.monotonic)
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    source_message_id: int | None = None
    original_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    deleted_original: bool = False

    # ------------------------------------------------------------ queries
    @property
    def responded(self) -> bool:
        return bool(self.callbacks)

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0]["type"] if self.callbacks else None

    @property
    def deferred(self) -> bool:
        return self.response_type in (5, 6)

    def _message(self, mid: int | None) -> dict[str, Any] | None:
        if mid is None:
            return None
        message = self.fake.world.find_message(mid)
        return self.fake.world.message_payload(message) if message is not None else None

    @property
    def original(self) -> dict[str, Any] | None:
        """The current ``@original`` message (after edits), or None if there is none (yet)."""
        return None if self.deleted_original else self._message(self.original_id)

    @property
    def followups(self) -> list[dict[str, Any]]:
        return [m for m in (self._message(mid) for mid in self.followup_ids) if m is not None]

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Original then follow-ups: every message this interaction produced that still exists."""
        return [m for m in [self.original, *self.followups] if m is not None]

    @property
    def ephemeral(self) -> bool:
        original = self.original
        if original is not None:
            return bool(original["flags"] & EPHEMERAL)
        first = self.callbacks[0] if self.callbacks else {}
        return bool(int((first.get("data") or {}).get("flags") or 0) & EPHEMERAL)

    @property
    def loading(self) -> bool:
        original = self.original
        return original is not None and bool(original["flags"] & LOADING)

    @property
    def content(self) -> str:
        original = self.original
        return original["content"] if original else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        original = self.original
        return original["embeds"] if original else []

    @property
    def text(self) -> str:
        """All visible text of all messages (content, embed title/description/fields/footer), newline-joined."""
        return "\n".join(message_text(m) for m in self.messages)

    @property
    def choices(self) -> list[dict[str, Any]] | None:
        for cb in self.callbacks:
            if cb["type"] == 8:
                return list((cb.get("data") or {}).get("choices") or [])
        return None

    @property
    def modal(self) -> dict[str, Any] | None:
        for cb in self.callbacks:
            if cb["type"] == 9:
                return cb.get("data")
        return None

    # -------------------------------------------------------------- waits
    async def wait_until(
        self, predicate: Callable[[InteractionRecord], Any], timeout: float = 5.0, *, what: str = "condition"
    ) -> Any:
        desc = f"{what} (interaction {self.id}, type {self.type}, callbacks so far: {self.callbacks})"
        return await self.fake.wait_for(lambda: predicate(self), timeout=timeout, what=desc)

    async def response(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the initial callback; returns ``{"type": ..., "data": ...}``."""
        await self.wait_until(lambda r: r.responded, timeout, what="the bot's initial response")
        return self.callbacks[0]

    async def wait_for_followup(self, timeout: float = 5.0, *, count: int = 1) -> dict[str, Any]:
        await self.wait_until(lambda r: len(r.followup_ids) >= count, timeout, what=f"follow-up #{count}")
        return self.followups[count - 1]

    async def wait_for_output(self, timeout: float = 5.0) -> dict[str, Any]:
        """Wait until the user would see a finished answer (not a 'thinking...' placeholder); return it."""

        def ready(r: InteractionRecord) -> bool:
            if not r.responded:
                return False
            if r.response_type == 6:
                return bool(r.followup_ids) or r._edited_after_ack
            original = r.original
            return (original is not None and not original["flags"] & LOADING) or bool(r.followup_ids)

        await self.wait_until(ready, timeout, what="a finished (non-loading) answer")
        return self.original or self.followups[-1]

    _edited_after_ack: bool = False


def message_text(message: Mapping[str, Any]) -> str:
    parts = [message.get("content") or ""]
    for embed in message.get("embeds") or []:
        parts.extend(str(embed.get(k) or "") for k in ("title", "description"))
        for f in embed.get("fields") or []:
            parts.extend([str(f.get("name") or ""), str(f.get("value") or "")])
        parts.append(str((embed.get("footer") or {}).get("text") or ""))
        parts.append(str((embed.get("author") or {}).get("name") or ""))
    return "\n".join(p for p in parts if p)


class Interactions:
    """Builds interaction payloads, dispatches them and serves the callback/webhook routes."""

    def __init__(self, fake: FakeDiscord, router: Router) -> None:
        self.fake = fake
        self.world = fake.world
        self.records: dict[int, InteractionRecord] = {}
        #: the time Discord gives for the initial response; None disables the check
        self.response_deadline: float | None = 3.0
        self.loose_attachments: dict[int, tuple[int, StoredAttachment]] = {}
        router.add("POST", "/interactions/{interaction_id}/{token}/callback", self.callback, auth=False)
        hook = "/webhooks/{webhook_id}/{token}"
        router.add("POST", hook, self.followup, auth=False)
        router.add("GET", f"{hook}/messages/{{message}}", self.get_webhook_message, auth=False)
        router.add("PATCH", f"{hook}/messages/{{message}}", self.edit_webhook_message, auth=False)
        router.add("DELETE", f"{hook}/messages/{{message}}", self.delete_webhook_message, auth=False)

    # ------------------------------------------------------------- building
    def _base(
        self, itype: int, user: FakeMember, guild_id: int | None, channel_id: int | None
    ) -> dict[str, Any]:
        world = self.world
        iid = world.ids.next()
        token = f"fake-interaction-token-{iid}"
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(world.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild_id is not None:
            guild = world.guild(guild_id)
            if guild is None:
                raise LookupError(f"unknown guild {guild_id}")
            if user.id not in guild.members:
                raise LookupError(f"{user.username} is not a member of guild {guild.name}")
            channel = guild.channels.get(channel_id) if channel_id is not None else None
            if channel is None:
                raise LookupError(f"channel {channel_id} is not in guild {guild.name}")
            member_perms = world.permissions_for(guild_id, user.id, channel.id)
            payload.update(
                guild_id=str(guild_id),
                guild={"id": str(guild_id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(channel.id),
                channel=world.channel_payload(channel, for_user=user.id),
                member=guild.members[user.id].member_payload(permissions=member_perms),
                app_permissions=str(world.permissions_for(guild_id, world.bot_user_id, channel.id)),
                authorizing_integration_owners={"0": str(guild_id)},
                context=0,
            )
        else:
            payload.update(
                user=user.user_payload(), context=1, authorizing_integration_owners={"1": str(user.id)}
            )
            if channel_id is not None:
                dm = world.channel(channel_id)
                if dm is not None:
                    payload.update(channel_id=str(dm.id), channel=world.channel_payload(dm))
        return payload

    def _register(
        self,
        itype: int,
        payload: dict[str, Any],
        user: FakeMember,
        guild_id: int | None,
        channel_id: int | None,
    ) -> InteractionRecord:
        record = InteractionRecord(
            fake=self.fake,
            id=int(payload["id"]),
            token=payload["token"],
            type=itype,
            payload=payload,
            user=user,
            guild_id=guild_id,
            channel_id=channel_id,
        )
        self.records[record.id] = record
        return record

    def find_command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        pools = []
        if guild_id is not None:
            pools.append(self.world.guild_commands.get(guild_id, []))
        pools.append(self.world.global_commands)
        for pool in pools:
            for cmd in pool:
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd
        synced = sorted({c["name"] for pool in pools for c in pool})
        raise LookupError(f"/{name} has not been synced by the bot (synced: {synced or 'nothing'})")

    def command_interaction(
        self,
        itype: int,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        user: FakeMember,
        guild_id: int | None,
        channel_id: int | None,
        focused: str | None = None,
    ) -> InteractionRecord:
        path = name.split()
        cmd = self.find_command(path[0], guild_id)
        payload = self._base(itype, user, guild_id, channel_id)
        resolved: dict[str, dict[str, Any]] = {}
        schema: list[dict[str, Any]] = cmd.get("options") or []
        container: list[dict[str, Any]] = []
        top = container
        for sub in path[1:]:
            match = next((o for o in schema if o["name"] == sub and o.get("type") in (1, 2)), None)
            if match is None:
                subs = [o["name"] for o in schema if o.get("type") in (1, 2)]
                raise LookupError(f"/{name}: no subcommand {sub!r} (available: {subs})")
            node: dict[str, Any] = {"type": match["type"], "name": sub, "options": []}
            container.append(node)
            container = node["options"]
            schema = match.get("options") or []
        if any(o.get("type") in (1, 2) for o in schema):
            subs = [o["name"] for o in schema if o.get("type") in (1, 2)]
            raise LookupError(f"/{name} is a group; name a subcommand: {subs}")
        given = dict(options or {})
        unknown_names = set(given) - {o["name"] for o in schema}
        if unknown_names:
            raise LookupError(
                f"/{name} has no option(s) {sorted(unknown_names)}; has {[o['name'] for o in schema]}"
            )
        for opt in schema:
            oname = opt["name"]
            if oname not in given:
                if opt.get("required") and itype == APPLICATION_COMMAND:
                    raise ValueError(f"/{name}: required option {oname!r} missing")
                continue
            value = given[oname]
            if oname == focused:
                container.append({"type": opt["type"], "name": oname, "value": str(value), "focused": True})
                continue
            container.append(
                {
                    "type": opt["type"],
                    "name": oname,
                    "value": self._option_value(opt, value, resolved, guild_id, channel_id, user),
                }
            )
        if focused is not None and focused not in given:
            container.append({"type": 3, "name": focused, "value": "", "focused": True})
            for opt in schema:
                if opt["name"] == focused:
                    container[-1]["type"] = opt["type"]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if top:
            data["options"] = top
        if resolved:
            data["resolved"] = resolved
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        payload["data"] = data
        return self._register(itype, payload, user, guild_id, channel_id)

    def _option_value(
        self,
        opt: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild_id: int | None,
        channel_id: int | None,
        invoker: FakeMember,
    ) -> Any:
        otype = opt["type"]
        world = self.world
        out: Any
        if otype == 3:
            out = str(value)
        elif otype == 4:
            out = int(value)
        elif otype == 5:
            out = bool(value)
        elif otype == 10:
            out = float(value)
        elif otype in (6, 9) and isinstance(value, FakeMember | int | str) and not isinstance(value, bool):
            uid = value.id if isinstance(value, FakeMember) else int(value)
            guild = world.guild(guild_id) if guild_id else None
            role = guild.roles.get(uid) if guild and otype == 9 else None
            if role is not None:
                resolved.setdefault("roles", {})[str(uid)] = role.payload()
            else:
                user = world.user(uid)
                if user is None:
                    raise LookupError(f"unknown user {uid}")
                resolved.setdefault("users", {})[str(uid)] = user.user_payload()
                member = guild.members.get(uid) if guild else None
                if member is not None:
                    perms = world.permissions_for(guild.id, uid, None) if guild else 0
                    resolved.setdefault("members", {})[str(uid)] = member.member_payload(
                        with_user=False, permissions=perms
                    )
            out = str(uid)
        elif otype == 7:
            cid = value.id if isinstance(value, FakeChannel) else int(value)
            channel = world.channel(cid)
            if channel is None:
                raise LookupError(f"unknown channel {cid}")
            full = world.channel_payload(channel, for_user=invoker.id)
            keep = ("id", "name", "type", "permissions", "parent_id", "thread_metadata", "guild_id", "topic")
            resolved.setdefault("channels", {})[str(cid)] = {k: full[k] for k in keep if k in full}
            out = str(cid)
        elif otype == 8:
            rid = value.id if isinstance(value, FakeRole) else int(value)
            guild = world.guild(guild_id) if guild_id else None
            role = guild.roles.get(rid) if guild else None
            if role is None:
                raise LookupError(f"unknown role {rid}")
            resolved.setdefault("roles", {})[str(rid)] = role.payload()
            out = str(rid)
        elif otype == 11:
            filename, data = value if isinstance(value, tuple) else (value.filename, value.data)
            att = StoredAttachment(world.ids.next(), filename, data)
            self.loose_attachments[att.id] = (channel_id or 0, att)
            resolved.setdefault("attachments", {})[str(att.id)] = world.attachment_payload(
                channel_id or 0, att
            )
            out = str(att.id)
        else:
            raise ValueError(f"cannot convert {value!r} for option type {otype}")
        choices = opt.get("choices")
        if choices and out not in [c["value"] for c in choices]:
            raise ValueError(
                f"{opt['name']}={out!r} is not one of the choices {[c['value'] for c in choices]}"
            )
        return out

    def component_interaction(
        self,
        message: StoredMessage,
        custom_id: str,
        *,
        user: FakeMember,
        values: list[str] | None = None,
    ) -> InteractionRecord:
        component = find_component(message.components, custom_id)
        if component is None:
            ids = [c.get("custom_id") for c in iter_components(message.components) if c.get("custom_id")]
            raise LookupError(f"message {message.id} has no component {custom_id!r} (has {ids})")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled; a user cannot use it")
        payload = self._base(COMPONENT, user, message.guild_id, message.channel_id)
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component.get("type", 2)}
        if component.get("type") in (3, 5, 6, 7, 8):
            data["values"] = list(values or [])
        payload["data"] = data
        payload["message"] = self.world.message_payload(message)
        record = self._register(COMPONENT, payload, user, message.guild_id, message.channel_id)
        record.source_message_id = message.id
        return record

    def modal_interaction(
        self, custom_id: str, values: Mapping[str, str], *, user: FakeMember
    ) -> InteractionRecord:
        opener = next(
            (r for r in reversed(self.records.values()) if r.modal and r.modal.get("custom_id") == custom_id),
            None,
        )
        if opener is None:
            raise LookupError(f"the bot never showed a modal with custom_id {custom_id!r}")
        components = _modal_answers(opener.modal.get("components") or [], dict(values))  # type: ignore[union-attr]
        missing = set(values) - set(_answered_ids(components))
        if missing:
            raise LookupError(f"modal {custom_id!r} has no inputs {sorted(missing)}")
        payload = self._base(MODAL_SUBMIT, user, opener.guild_id, opener.channel_id)
        payload["data"] = {"custom_id": custom_id, "components": components}
        if opener.source_message_id is not None:
            source = self.world.find_message(opener.source_message_id)
            if source is not None:
                payload["message"] = self.world.message_payload(source)
        record = self._register(MODAL_SUBMIT, payload, user, opener.guild_id, opener.channel_id)
        record.source_message_id = opener.source_message_id
        return record

    # ------------------------------------------------------------- callback
    def _record(self, call: Call, id_param: str) -> InteractionRecord:
        record = self.records.get(call.snowflake(id_param))
        if record is None or record.token != call.params["token"]:
            raise unknown("Webhook") if id_param == "webhook_id" else unknown("interaction")
        return record

    async def callback(self, call: Call) -> Any:
        record = self._record(call, "interaction_id")
        if record.callbacks:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        deadline = self.response_deadline
        if deadline is not None and time.monotonic() - record.created > deadline:
            raise unknown("interaction")
        body = call.json
        ctype = body.get("type")
        data = body.get("data") or {}
        if ctype not in _ALLOWED_CALLBACKS.get(record.type, set()):
            errors = FormErrors()
            errors.add(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Interaction response type is invalid."
            )
            errors.raise_if_any()
        flags = int(data.get("flags") or 0)
        meta = self._metadata(record)
        app_id = self.world.application_id
        msg_type = 20 if record.type == APPLICATION_COMMAND else 0
        message: StoredMessage | None = None
        if ctype == 4:
            message = create_message(
                self.fake,
                record.channel_id or 0,
                self.world.bot_user_id,
                data,
                call.files,
                type=msg_type,
                webhook_id=app_id,
                interaction_metadata=meta,
                ephemeral=bool(flags & EPHEMERAL),
            )
            record.original_id = message.id
        elif ctype == 5:
            message = create_message(
                self.fake,
                record.channel_id or 0,
                self.world.bot_user_id,
                {"content": "", "flags": flags},
                type=msg_type,
                webhook_id=app_id,
                interaction_metadata=meta,
                ephemeral=bool(flags & EPHEMERAL),
                extra_flags=LOADING,
            )
            record.original_id = message.id
        elif ctype in (6, 7):
            source = self.world.find_message(record.source_message_id or 0)
            if source is None:
                raise ApiError(
                    400,
                    50035,
                    "Invalid Form Body",
                    {
                        "type": {
                            "_errors": [
                                {"code": "INTERACTION_NO_MESSAGE", "message": "No message to update."}
                            ]
                        }
                    },
                )
            record.original_id = source.id
            if ctype == 7:
                edit_message(self.fake, source, data, call.files)
                record._edited_after_ack = True
            message = source
        elif ctype == 8:
            choices = data.get("choices") or []
            if len(choices) > 25:
                errors = FormErrors()
                errors.add(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
                errors.raise_if_any()
        elif ctype == 9:
            errors = FormErrors()
            errors.length_between(("data", "title"), data.get("title"), 1, 45)
            errors.length_between(("data", "custom_id"), data.get("custom_id"), 1, 100)
            errors.raise_if_any()
        record.callbacks.append({"type": ctype, "data": copy.deepcopy(data)})
        self.fake._changed()
        if call.query.get("with_response") not in ("1", "true", "True"):
            return None
        interaction: dict[str, Any] = {"id": str(record.id), "type": record.type}
        resource: dict[str, Any] = {"type": ctype}
        if message is not None:
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = bool(message.flags & LOADING)
            interaction["response_message_ephemeral"] = bool(message.flags & EPHEMERAL)
            resource["message"] = self.world.message_payload(message)
        return {"interaction": interaction, "resource": resource}

    def _metadata(self, record: InteractionRecord) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": str(record.id),
            "type": record.type,
            "user": record.user.user_payload(),
            "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
        }
        if record.type == APPLICATION_COMMAND:
            meta["name"] = record.payload["data"]["name"]
            meta["command_type"] = 1
        if record.source_message_id is not None:
            meta["interacted_message_id"] = str(record.source_message_id)
        return meta

    # ------------------------------------------------------------- webhooks
    def _webhook_record(self, call: Call) -> InteractionRecord:
        if call.snowflake("webhook_id") != self.world.application_id:
            raise unknown("Webhook")
        for record in self.records.values():
            if record.token == call.params["token"]:
                if time.monotonic() - record.created > 15 * 60:
                    raise ApiError(401, 50027, "Invalid Webhook Token")
                return record
        raise unknown("Webhook")

    def _webhook_message(self, call: Call, record: InteractionRecord) -> StoredMessage:
        ref = call.params["message"]
        if ref == "@original":
            mid = None if record.deleted_original else record.original_id
        else:
            mid = int(ref) if ref.isdigit() else None
            if mid not in record.followup_ids and mid != record.original_id:
                mid = None
        message = self.world.find_message(mid) if mid is not None else None
        if message is None:
            raise unknown("Message")
        return message

    async def followup(self, call: Call) -> Any:
        record = self._webhook_record(call)
        if not record.callbacks:
            raise unknown("Webhook")
        body = call.json
        original = self.world.find_message(record.original_id or 0)
        if original is not None and original.flags & LOADING and not record.deleted_original:
            # Discord turns the first follow-up after a "thinking" defer into the original response;
            # its visibility was fixed by the defer, so the follow-up's ephemeral flag is ignored.
            validate_message(body, has_files=bool(call.files))
            edit_message(self.fake, original, {**body, "flags": original.flags}, call.files)
            message = original
        else:
            message = create_message(
                self.fake,
                record.channel_id or 0,
                self.world.bot_user_id,
                body,
                call.files,
                type=20 if record.type == APPLICATION_COMMAND else 0,
                webhook_id=self.world.application_id,
                interaction_metadata=self._metadata(record),
                ephemeral=bool(int(body.get("flags") or 0) & EPHEMERAL),
            )
        record.followup_ids.append(message.id)
        self.fake._changed()
        if call.query.get("wait") in ("1", "true", "True"):
            return self.world.message_payload(message)
        return None

    async def get_webhook_message(self, call: Call) -> Any:
        record = self._webhook_record(call)
        return self.world.message_payload(self._webhook_message(call, record))

    async def edit_webhook_message(self, call: Call) -> Any:
        record = self._webhook_record(call)
        message = self._webhook_message(call, record)
        edit_message(self.fake, message, call.json, call.files)
        if record.response_type == 6:
            record._edited_after_ack = True
        self.fake._changed()
        return self.world.message_payload(message)

    async def delete_webhook_message(self, call: Call) -> None:
        record = self._webhook_record(call)
        message = self._webhook_message(call, record)
        delete_message(self.fake, message)
        if message.id == record.original_id:
            record.deleted_original = True
        self.fake._changed()


def iter_components(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for comp in components:
        out.append(comp)
        if isinstance(comp.get("components"), list):
            out.extend(iter_components(comp["components"]))
        if isinstance(comp.get("accessory"), dict):
            out.extend(iter_components([comp["accessory"]]))
        if isinstance(comp.get("component"), dict):
            out.extend(iter_components([comp["component"]]))
    return out


def find_component(components: list[dict[str, Any]], custom_id: str) -> dict[str, Any] | None:
    return next((c for c in iter_components(components) if c.get("custom_id") == custom_id), None)


def _modal_answers(shown: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Mirror the modal's layout (action rows or labels) with the user's answers filled in."""
    out: list[dict[str, Any]] = []
    for comp in shown:
        ctype = comp.get("type")
        if ctype == 1:
            out.append({"type": 1, "components": _modal_answers(comp.get("components") or [], values)})
        elif ctype == 18:
            inner = _modal_answers([comp["component"]], values) if comp.get("component") else []
            if inner:
                out.append({"type": 18, "id": comp.get("id", 0), "component": inner[0]})
        elif ctype == 4:
            cid = comp["custom_id"]
            out.append(
                {
                    "type": 4,
                    "id": comp.get("id", 0),
                    "custom_id": cid,
                    "value": values.get(cid, comp.get("value") or ""),
                }
            )
        elif ctype in (3, 5, 6, 7, 8):
            cid = comp["custom_id"]
            raw: str | list[str] = values.get(cid, [])
            out.append(
                {
                    "type": ctype,
                    "id": comp.get("id", 0),
                    "custom_id": cid,
                    "values": [raw] if isinstance(raw, str) else list(raw),
                }
            )
        elif ctype == 10:
            out.append({"type": 10, "id": comp.get("id", 0), "content": comp.get("content", "")})
    return out


def _answered_ids(components: list[dict[str, Any]]) -> list[str]:
    return [c["custom_id"] for c in iter_components(components) if c.get("custom_id")]
