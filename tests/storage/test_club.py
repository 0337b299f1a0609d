from __future__ import annotations

import re

from storage import club
from storage.db import Database

# Columns that hold somebody's Discord id as their own data. Ids of things the club owns (a channel, a
# message, a role) or of the moderator who set something up do not count.
USER_COLUMN = re.compile(r"^(user_id|member_id|voter_id|nominator_id)$")


async def test_every_user_id_column_is_covered_by_forget_me(db: Database) -> None:
    found = set()
    if db.dialect == "postgresql":
        for r in await db.fetchall(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
        ):
            if USER_COLUMN.match(r["column_name"]):
                found.add((r["table_name"], r["column_name"]))
    tables = (
        []
        if db.dialect == "postgresql"
        else await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    )
    for table in [r["name"] for r in tables]:
        for col in await db.fetchall(f"PRAGMA table_info({table})"):
            if USER_COLUMN.match(col["name"]):
                found.add((table, col["name"]))
    assert found <= set(club.MEMBER_DATA), f"not deleted by forget-me: {found - set(club.MEMBER_DATA)}"


async def test_guild_settings_roundtrip(db: Database) -> None:
    assert await club.get_guild_settings(db, 5) == club.GuildSettings(5)
    async with db.transaction() as conn:
        await club.update_guild_settings(conn, 5, timezone="Europe/London", organiser_role_id=9)
    async with db.transaction() as conn:
        await club.update_guild_settings(conn, 5, notices_channel_id=11)
    got = await club.get_guild_settings(db, 5)
    assert (got.timezone, got.organiser_role_id, got.notices_channel_id) == ("Europe/London", 9, 11)


async def test_member_data_counted_and_deleted(db: Database) -> None:
    async with db.transaction() as conn:
        await club.set_member_timezone(conn, 42, "Asia/Tokyo")
        await club.set_member_timezone(conn, 43, "UTC")
    assert (await club.count_member_data(db, 42))["member_settings"] == 1
    async with db.transaction() as conn:
        deleted = await club.delete_member_data(conn, 42)
    assert deleted["member_settings"] == 1
    assert await club.get_member_timezone(db, 42) is None
    assert await club.get_member_timezone(db, 43) == "UTC"


async def test_loop_health_keeps_last_success(db: Database) -> None:
    async with db.transaction() as conn:
        await club.record_loop_run(conn, "feeds", True, "12 feeds polled")
    async with db.transaction() as conn:
        await club.record_loop_run(conn, "feeds", False, "boom")
    (health,) = await club.get_loop_health(db)
    assert health.last_ok_at is not None and health.last_result == "boom"
