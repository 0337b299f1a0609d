"""``/_fake/...``: a small HTTP control API so another process (a crash-soak test) can drive the fake."""

from __future__ import annotations

import contextlib
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .interactions import InteractionRecord
    from .server import FakeDiscord


def info(fake: FakeDiscord) -> dict[str, Any]:
    """Everything a client process needs to connect and to name the seeded objects."""
    return {
        "base_url": fake.base_url,
        "api_base": fake.api_base,
        "gateway_url": fake.gateway_url,
        "token": fake.token,
        "application_id": fake.application_id,
        "bot_user_id": fake.bot_user_id,
        "guild_id": fake.guild_id,
        "other_guild_id": fake.other_guild_id,
        "text_channel_id": fake.text_channel_id,
        "news_channel_id": fake.news_channel_id,
        "announce_channel_id": fake.announce_channel_id,
        "readonly_channel_id": fake.readonly_channel_id,
        "private_channel_id": fake.private_channel_id,
        "voice_channel_id": fake.voice_channel_id,
        "stage_channel_id": fake.stage_channel_id,
        "other_channel_id": fake.other_channel_id,
        "moderator_role_id": fake.moderator_role_id,
        "organiser_role_id": fake.organiser_role_id,
        "users": {
            "owner": fake.owner.id,
            "moderator": fake.moderator.id,
            "member": fake.member.id,
            "organiser": fake.organiser.id,
            "members": [m.id for m in fake.members],
            "other_member": fake.other_member.id,
        },
    }


def record_json(record: InteractionRecord) -> dict[str, Any]:
    return {
        "interaction_id": str(record.id),
        "type": record.type,
        "responded": record.responded,
        "callbacks": record.callbacks,
        "original": record.original,
        "followups": record.followups,
        "ephemeral": record.ephemeral,
        "text": record.text,
    }


def add_control_routes(app: web.Application, fake: FakeDiscord) -> None:
    async def body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        return json.loads(raw) if raw else {}

    def bad(message: str) -> web.Response:
        return web.json_response({"error": message}, status=400)

    async def get_info(request: web.Request) -> web.Response:
        return web.json_response(info(fake))

    async def slash(request: web.Request) -> web.Response:
        data = await body(request)
        try:
            record = await fake.slash(
                data["name"],
                data.get("options"),
                user=int(data["user_id"]),
                guild_id=int(data["guild_id"]) if data.get("guild_id") else None,
                channel_id=int(data["channel_id"]) if data.get("channel_id") else None,
            )
        except (KeyError, LookupError, ValueError) as exc:
            return bad(str(exc))
        wait = float(data.get("wait", 0))
        if wait:
            with contextlib.suppress(TimeoutError):
                await record.wait_for_output(wait)
        return web.json_response(record_json(record))

    async def press(request: web.Request) -> web.Response:
        data = await body(request)
        try:
            record = await fake.press_button(
                int(data["message_id"]),
                data["custom_id"],
                user=int(data["user_id"]),
                values=data.get("values"),
            )
        except (KeyError, LookupError, ValueError) as exc:
            return bad(str(exc))
        wait = float(data.get("wait", 0))
        if wait:
            with contextlib.suppress(TimeoutError):
                await record.response(wait)
        return web.json_response(record_json(record))

    async def react(request: web.Request) -> web.Response:
        data = await body(request)
        try:
            args = (int(data["channel_id"]), int(data["message_id"]), data["emoji"])
            user = int(data["user_id"])
            if data.get("silent"):
                if data.get("remove"):
                    fake.remove_reaction_silently(*args, user=user)
                else:
                    fake.add_reaction_silently(*args, user=user)
            elif data.get("remove"):
                await fake.unreact(*args, user=user)
            else:
                await fake.react(*args, user=user)
        except (KeyError, LookupError, ValueError) as exc:
            return bad(str(exc))
        return web.json_response({"reactions": fake.reactions(int(data["message_id"]))})

    async def interaction(request: web.Request) -> web.Response:
        record = fake.interactions.records.get(int(request.match_info["interaction_id"]))
        if record is None:
            return web.json_response({"error": "unknown interaction"}, status=404)
        return web.json_response(record_json(record))

    async def messages(request: web.Request) -> web.Response:
        return web.json_response(fake.messages(int(request.match_info["channel_id"])))

    async def requests(request: web.Request) -> web.Response:
        found = fake.find_requests(request.query.get("method"), request.query.get("path", ""))
        return web.json_response([dataclasses.asdict(r) for r in found])

    async def state(request: web.Request) -> web.Response:
        return web.json_response(
            {
                "connected": fake.gateway.connected,
                "identify_count": fake.identify_count,
                "resume_count": fake.resume_count,
                "unknown_requests": [dataclasses.asdict(r) for r in fake.unknown_requests],
                "scheduled_events": fake.scheduled_events(),
                "commands": {"global": fake.commands(), "guild": fake.commands(fake.guild_id)},
            }
        )

    async def drop(request: web.Request) -> web.Response:
        return web.json_response({"dropped": await fake.drop_gateway()})

    async def hold(request: web.Request) -> web.Response:
        data = await body(request)
        return web.json_response({"dropped": await fake.hold_gateway_down(bool(data.get("down", True)))})

    async def dispatch(request: web.Request) -> web.Response:
        data = await body(request)
        await fake.dispatch(data["event"], data["data"])
        return web.json_response({"ok": True})

    app.router.add_get("/_fake/info", get_info)
    app.router.add_get("/_fake/state", state)
    app.router.add_post("/_fake/slash", slash)
    app.router.add_post("/_fake/press", press)
    app.router.add_post("/_fake/react", react)
    app.router.add_post("/_fake/drop_gateway", drop)
    app.router.add_post("/_fake/dispatch", dispatch)
    app.router.add_post("/_fake/hold_gateway", hold)
    app.router.add_get("/_fake/interactions/{interaction_id}", interaction)
    app.router.add_get("/_fake/messages/{channel_id}", messages)
    app.router.add_get("/_fake/requests", requests)
