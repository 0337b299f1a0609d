"""Crash soak: the real bot process, SIGKILLed at random moments while work keeps arriving.

    python -m benchmarks.soak                   # 30 kills
    python -m benchmarks.soak --kills 100 --seed 7
    python -m benchmarks.soak --smoke --json    # 3 kills, for the test suite

The soak runs ``python bot.py run --config <tmp>/config.toml`` as a child process against the fake Discord
(``tests.fakediscord``, protocol level: REST + gateway, enforce_nonce de-duplication) and a loopback feed
server (``tests.feedserver``), both in this process so they keep running while the bot is dead. Work keeps
arriving the whole time: new items are published to the feeds every ``--publish-every`` seconds. The bot is
killed with SIGKILL and restarted at once, ``--kills`` times: a share (``--startup-kills``) during start-up
(importing, migrating, draining the outbox), the others a random ``--min-up`` .. ``--max-up`` seconds after
the bot connected to the gateway (so mid-cycle: fetching, parsing, committing, posting). Then publishing
stops, the bot runs until everything has settled, and is stopped with SIGTERM.

Verified at the end, per workload (see ``Workload``):

* feeds: every published item posted exactly once (duplicates and lost items are counted, not assumed),
  nothing left pending in the outbox;
* polls: members vote by reacting through the fake, also while the bot is dead (only its restart resync
  can see those); the votes stored in SQLite must equal the reactions shown, one per member in the
  single-choice poll;
* the database passes ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``.

Watch parties (RSVP presses, reminders coming due) plug in as a further ``Workload``; until then the output
lists them as not run.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from benchmarks._common import Report, Target, base_parser, log, table
from domain.polls import NUMBER_EMOJI, emoji_index
from tests.e2e.harness import bot_process
from tests.fakediscord import FakeDiscord
from tests.feedserver import FeedEntry, FeedServer, make_entries

REPO_ROOT = Path(__file__).resolve().parent.parent
SOAK_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # after the feeds' history, so new items sort last


# --------------------------------------------------------------------------------------------------
# The bot process


class BotProcess:
    """``python bot.py run`` with the fake's token; stderr appended to one log file across restarts."""

    def __init__(self, config: Path, token: str, log_path: Path) -> None:
        self.config = config
        self.token = token
        self.log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.started_at = 0.0

    async def start(self) -> None:
        with self.log_path.open("ab") as log_file:
            log_file.write(f"\n--- start {self.starts + 1} at {time.strftime('%H:%M:%S')} ---\n".encode())
            log_file.flush()
            self.proc = await bot_process(
                self.config, self.token, capture=False, stderr=log_file, cwd=REPO_ROOT
            )
        self.starts += 1
        self.started_at = time.monotonic()

    async def kill(self) -> float:
        """SIGKILL and reap; returns how long the process had been up."""
        assert self.proc is not None
        uptime = time.monotonic() - self.started_at
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()
        return uptime

    async def stop(self, grace: float = 20.0) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        return self.proc.returncode

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def write_config(fake: FakeDiscord, directory: Path) -> Path:
    config = directory / "config.toml"
    config.write_text(
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        f"dev_guild_id = {fake.guild_id}\n"
        f'[storage]\npath = "{directory / "soak.sqlite3"}"\n'
        '[feeds]\ninterval = "1s"\nmin_interval = "1s"\nallow_private_addresses = true\nparse_workers = 1\n'
        "posts_per_channel_per_cycle = 5\n"
        '[logging]\nlevel = "WARNING"\n'
    )
    return config


# --------------------------------------------------------------------------------------------------
# Workloads


class Workload(Protocol):
    """One kind of durable work the soak keeps feeding in and checks at the end."""

    name: str

    async def setup(self, fake: FakeDiscord) -> None:
        """Runs once, with the bot up (e.g. slash commands that create what later steps act on)."""
        ...

    async def step(self, rng: random.Random) -> None:
        """Called every ``--publish-every`` seconds, whether the bot is up or not."""
        ...

    def settled(self) -> bool:
        """True when everything produced so far has been handled (checked after the last restart)."""
        ...

    def verify(self) -> dict[str, Any]:
        """Counts for the report; must include ``ok`` (bool)."""
        ...


@dataclass
class FeedWorkload:
    """Feeds publish items; each must be posted exactly once to the subscribed channel."""

    server: FeedServer
    fake: FakeDiscord
    feeds: int = 3
    name: str = "feeds"
    published: list[tuple[int, str]] = field(default_factory=list)  # (channel, title)
    _channels: dict[str, int] = field(default_factory=dict)
    _count: int = 0

    async def setup(self, fake: FakeDiscord) -> None:
        channels = [fake.news_channel_id, fake.text_channel_id]
        for index in range(self.feeds):
            path = f"/soak{index}.xml"
            # Items of history, so that a burst published while the bot is down stays under the flood breaker
            # (which holds a feed's new items for a moderator when they are most of the feed).
            self.server.set_feed(path, make_entries(60, prefix=f"Old{index}"), title=f"Soak feed {index}")
            channel = channels[index % len(channels)]
            ix = await fake.slash(
                "feed add", {"url": self.server.url(path), "channel": channel}, user=fake.moderator
            )
            await ix.wait_for_output(timeout=30)
            if "Subscribed" not in ix.text and "subscribed" not in ix.text.lower():
                raise RuntimeError(f"/feed add failed: {ix.text!r}")
            self._channels[path] = channel

    async def step(self, rng: random.Random) -> None:
        path = rng.choice(sorted(self._channels))
        self._count += 1
        title = f"Soak item {self._count:05d}"
        self.server.add_entry(
            path,
            FeedEntry(
                guid=f"urn:soak:{self._count}",
                title=title,
                link=f"https://films.example/soak/{self._count}",
                summary=f"<p>The festival announced item {self._count}. Critics were pleased.</p>",
                published=SOAK_EPOCH + timedelta(minutes=self._count),
            ),
        )
        self.published.append((self._channels[path], title))

    def _posted(self) -> Counter[tuple[int, str]]:
        posted: Counter[tuple[int, str]] = Counter()
        for channel in set(self._channels.values()):
            for message in self.fake.messages(channel):
                for embed in message.get("embeds") or []:
                    title = str(embed.get("title") or "")
                    if title.startswith("Soak item"):
                        posted[(channel, title)] += 1
        return posted

    def settled(self) -> bool:
        posted = self._posted()
        return all(posted[item] for item in self.published)

    def verify(self) -> dict[str, Any]:
        posted = self._posted()
        expected = set(self.published)
        duplicates = sum(n - 1 for n in posted.values() if n > 1)
        lost = sorted(t for _, t in expected - set(posted))
        unexpected = sorted(t for _, t in set(posted) - expected)
        posts = [r for r in self.fake.find_requests("POST", r"/channels/\d+/messages$") if r.json]
        nonces = Counter(
            r.json.get("nonce") for r in posts if isinstance(r.json, dict) and r.json.get("nonce")
        )
        return {
            "ok": duplicates == 0 and not lost and not unexpected,
            "feeds": len(self._channels),
            "published": len(self.published),
            "posted": sum(posted.values()),
            "duplicates": duplicates,
            "lost": len(lost),
            "lost_titles": lost[:10],
            "unexpected": len(unexpected),
            "retried_sends": sum(n - 1 for n in nonces.values() if n > 1),
        }


@dataclass
class PollWorkload:
    """Members vote by reacting (and un-reacting) on two polls, a multi-choice and a single-choice one.

    Reactions made while the bot is dead reach it only through its restart resync (it fetches each open
    poll's reactions). At the end the votes stored in SQLite must equal the reactions Discord shows (the
    bot's own seed reactions aside), and in the single-choice poll each member shows at most one.
    """

    fake: FakeDiscord
    db_path: Path
    options: int = 4
    name: str = "polls"
    polls: list[tuple[int, int, str]] = field(default_factory=list)  # (channel, message, mode)
    events: int = 0

    async def setup(self, fake: FakeDiscord) -> None:
        for mode in ("multi", "single"):
            question = f"Soak {mode} poll: which film on Friday?"
            ix = await fake.slash(
                "poll create",
                {
                    "question": question,
                    "options": "; ".join(["Alien", "Heat", "Up", "Jaws"][: self.options]),
                    "duration": "7d",
                    "mode": mode,
                    "channel": fake.text_channel_id,
                },
                user=fake.moderator,
            )
            await ix.wait_for_output(timeout=30)

            def find(question: str = question) -> int | None:
                for message in fake.messages(fake.text_channel_id):
                    if any(
                        question in str(e.get("title") or "") + str(e.get("description") or "")
                        for e in message.get("embeds") or []
                    ):
                        return int(message["id"])
                return None

            message_id = await fake.wait_for(find, timeout=30, what=f"the {mode} poll message")
            self.polls.append((fake.text_channel_id, message_id, mode))

    def _voters(self) -> list[int]:
        fake = self.fake
        return [m.id for m in (fake.owner, fake.member, fake.organiser, *fake.members)]

    async def step(self, rng: random.Random) -> None:
        channel, message, _mode = rng.choice(self.polls)
        user = rng.choice(self._voters())
        mine = [
            e
            for e, users in self.fake.reactions(message).items()
            if user in users and emoji_index(e) is not None
        ]
        if mine and rng.random() < 0.35:
            await self.fake.unreact(channel, message, rng.choice(mine), user=user)
        else:
            await self.fake.react(channel, message, NUMBER_EMOJI[rng.randrange(self.options)], user=user)
        self.events += 1

    def _compare(self) -> dict[str, Any]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        missing = extra = multiple = stored_total = resynced = 0
        try:
            for _channel, message, mode in self.polls:
                row = conn.execute("SELECT id FROM polls WHERE message_id = ?", (message,)).fetchone()
                if row is None:
                    missing += 1
                    continue
                votes = conn.execute(
                    "SELECT user_id, option, source FROM votes WHERE poll_id = ?", (row[0],)
                ).fetchall()
                stored = {(u, o) for u, o, _ in votes}
                resynced += sum(1 for *_, source in votes if source == "resync")
                shown = {
                    (user, index)
                    for emoji, users in self.fake.reactions(message).items()
                    if (index := emoji_index(emoji)) is not None
                    for user in users
                    if user != self.fake.bot_user_id
                }
                stored_total += len(stored)
                missing += len(shown - stored)
                extra += len(stored - shown)
                if mode == "single":
                    multiple += sum(1 for n in Counter(u for u, _ in shown).values() if n > 1)
        except sqlite3.OperationalError:
            return {"ok": False, "missing": -1, "extra": -1, "multiple": -1, "votes": 0, "resynced": 0}
        finally:
            conn.close()
        return {
            "ok": not (missing or extra or multiple),
            "missing": missing,
            "extra": extra,
            "multiple": multiple,
            "votes": stored_total,
            "resynced": resynced,
        }

    def settled(self) -> bool:
        return bool(self._compare()["ok"])

    def verify(self) -> dict[str, Any]:
        result = self._compare()
        result.update(events=self.events, polls=len(self.polls))
        return result


@dataclass
class WatchPartyWorkload:
    """Members press RSVP buttons on a watch party; parties' start reminders come due during the soak.

    A press while the bot is dead goes unanswered ("This interaction failed" for the member), as on
    Discord. At the end each member's stored RSVP must be their last *answered* press (or a later press the
    bot stored but was killed before answering), and every reminder due by then must be ``fired`` (with its
    message posted, once: the nonce is ``wpr<id>.<n>``) or ``missed`` (and never posted).
    """

    fake: FakeDiscord
    db_path: Path
    starts_in: tuple[str, ...] = ("1 minute", "1 minute", "1 minute", "2 minutes")
    wait_for_starts: bool = True  # settle only once every party's start reminder is due
    reminders: str = "1h, 0m"
    name: str = "watch parties"
    party_id: int = 0
    message_id: int = 0
    presses: list[tuple[int, str, Any]] = field(default_factory=list)  # (user, choice, record)
    _turn: int = 0
    _settled_at: float = 0.0
    _last_start: float = 0.0

    async def setup(self, fake: FakeDiscord) -> None:
        # Reminders that would fire within minutes of the announcement are skipped by design, so during a
        # soak of a few minutes the reminders that come due are the parties' start reminders: three parties
        # start in a minute (while the bot is being killed), one a minute later.
        for index, when in enumerate(self.starts_in):
            film = f"Nosferatu part {index + 1}"
            ix = await fake.slash(
                "watchparty schedule",
                {
                    "film": film,
                    "when": f"in {when}",
                    "channel": fake.text_channel_id,
                    "reminders": self.reminders,
                },
                user=fake.organiser,
            )
            await ix.wait_for_output(timeout=30)
        parties = await fake.wait_for(self._announcements, timeout=30, what="the watch-party announcements")
        self.message_id, self.party_id = parties[0]  # members RSVP to the first
        _rsvps, reminders = self._rows()
        self._last_start = max(
            (due for _id, _state, due, _done in reminders if due < time.time() + 600), default=0
        )

    def _announcements(self) -> list[tuple[int, int]]:
        found = []
        for message in self.fake.messages(self.fake.text_channel_id):
            for row in message.get("components") or []:
                for item in row.get("components") or []:
                    custom = str(item.get("custom_id") or "")
                    if custom.startswith("projectionist:rsvp:") and custom.endswith(":going"):
                        found.append((int(message["id"]), int(custom.split(":")[2])))
        return found if len(found) >= len(self.starts_in) else []

    def _voters(self) -> list[int]:
        fake = self.fake
        return [m.id for m in (fake.owner, fake.member, fake.moderator, *fake.members)]

    async def step(self, rng: random.Random) -> None:
        voters = self._voters()
        user = voters[self._turn % len(voters)]  # round robin: a member's presses are seconds apart
        self._turn += 1
        choice = rng.choice(["going", "maybe", "no"])
        record = await self.fake.press_button(
            self.message_id, f"projectionist:rsvp:{self.party_id}:{choice}", user=user
        )
        self.presses.append((user, choice, record))

    def _rows(self) -> tuple[dict[int, str], list[tuple[int, str, int, int]]]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        try:
            rsvps = dict(
                conn.execute(
                    "SELECT user_id, choice FROM rsvps WHERE party_id = ?", (self.party_id,)
                ).fetchall()
            )
            reminders = conn.execute(
                "SELECT id, state, due_at, done_at FROM reminders ORDER BY due_at"
            ).fetchall()
        finally:
            conn.close()
        return rsvps, reminders

    def _compare(self, cutoff: float | None = None) -> dict[str, Any]:
        """``cutoff``: reminders due before it must be done (default: 5 s ago)."""
        try:
            rsvps, reminders = self._rows()
        except sqlite3.OperationalError:
            return {"ok": False}
        by_user: dict[int, list[tuple[str, bool]]] = {}
        for user, choice, record in self.presses:
            by_user.setdefault(user, []).append((choice, bool(record.responded)))
        answered = sum(1 for *_, r in self.presses if r.responded)
        missing = wrong = 0
        for user, presses in by_user.items():
            last_answered = max((i for i, (_, ok) in enumerate(presses) if ok), default=None)
            if last_answered is None:
                continue
            allowed = {presses[last_answered][0]} | {c for c, ok in presses[last_answered + 1 :] if not ok}
            stored = rsvps.get(user)
            if stored is None:
                missing += 1
            elif stored not in allowed:
                wrong += 1
        cutoff = time.time() - 5 if cutoff is None else cutoff
        nonces: Counter[str] = Counter()
        for message in self.fake.messages(self.fake.text_channel_id):
            nonce = str(message.get("nonce") or "")
            if nonce.startswith("wpr"):
                nonces[nonce.split(".")[0]] += 1
        due = [r for r in reminders if r[2] <= cutoff]
        pending_due = sum(1 for r in due if r[1] == "pending")
        fired = sum(1 for r in reminders if r[1] == "fired")
        missed = sum(1 for r in reminders if r[1] == "missed")
        fired_unposted = sum(1 for r in reminders if r[1] == "fired" and not nonces[f"wpr{r[0]}"])
        missed_posted = sum(1 for r in reminders if r[1] == "missed" and nonces[f"wpr{r[0]}"])
        return {
            "ok": not (missing or wrong or pending_due or fired_unposted or missed_posted),
            "presses": len(self.presses),
            "answered": answered,
            "rsvps": len(rsvps),
            "missing": missing,
            "wrong": wrong,
            "reminders": len(reminders),
            "reminders_due": len(due),
            "fired": fired,
            "missed": missed,
            "pending_due": pending_due,
            "fired_without_message": fired_unposted,
            "missed_but_posted": missed_posted,
            "reminder_messages": sum(nonces.values()),
        }

    def settled(self) -> bool:
        if self.wait_for_starts and time.time() < self._last_start + 5:
            return False
        if self._compare().get("ok"):
            self._settled_at = time.time() - 5
            return True
        return False

    def verify(self) -> dict[str, Any]:
        # Reminders that came due after the soak settled may be waiting for the bot's 30 s reminder tick
        # when it is stopped; those are not judged.
        return self._compare(self._settled_at or time.time() - 40)


# Workloads not written yet; listed in the report.
PENDING_WORKLOADS: dict[str, str] = {}


# --------------------------------------------------------------------------------------------------
# The soak


def _identified_since(fake: FakeDiscord, count: int) -> bool:
    return fake.identify_count > count


def check_database(path: Path) -> dict[str, Any]:
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        foreign = conn.execute("PRAGMA foreign_key_check").fetchall()
        outbox = dict(conn.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall())
        entries = conn.execute("SELECT COUNT(*) FROM entries").fetchone()[0]
    finally:
        conn.close()
    return {
        "integrity_check": integrity,
        "foreign_key_errors": len(foreign),
        "outbox": outbox,
        "entries": entries,
    }


async def soak(args: Any) -> Report:
    rng = random.Random(args.seed)
    report = Report("benchmarks.soak", {k: v for k, v in vars(args).items() if k != "json"})
    tmp = tempfile.TemporaryDirectory(prefix="pj-soak-")
    directory = Path(args.keep) if args.keep else Path(tmp.name)
    directory.mkdir(parents=True, exist_ok=True)
    uptimes: list[float] = []
    ready_times: list[float] = []
    moments: Counter[str] = Counter()
    started = time.monotonic()
    try:
        async with FeedServer() as server, FakeDiscord() as fake:
            bot = BotProcess(write_config(fake, directory), fake.token, directory / "bot.log")
            identified = fake.identify_count
            await bot.start()
            try:
                await fake.wait_for(lambda: fake.commands(guild_id=fake.guild_id), timeout=60)
                await fake.wait_until_ready(timeout=60)
                workloads: list[Any] = [FeedWorkload(server, fake, feeds=args.feeds)]
                if not args.no_polls:
                    workloads.append(PollWorkload(fake, directory / "soak.sqlite3"))
                if not args.no_watchparties:
                    workloads.append(
                        WatchPartyWorkload(fake, directory / "soak.sqlite3", wait_for_starts=not args.smoke)
                    )
                for workload in workloads:
                    await workload.setup(fake)
                log(f"bot up, {len(workloads)} workload(s) set up; killing it {args.kills} times")

                stop = asyncio.Event()

                async def produce() -> None:
                    while not stop.is_set():
                        for workload in workloads:
                            await workload.step(rng)
                        await asyncio.sleep(args.publish_every)

                producer = asyncio.create_task(produce(), name="soak-producer")
                for kill in range(args.kills):
                    if rng.random() < args.startup_kills:
                        # Killed while starting: importing, migrating, draining the outbox, connecting.
                        await asyncio.sleep(rng.uniform(0.2, 1.5))
                        moments["start-up"] += 1
                    else:
                        # Killed while working: wait for its IDENTIFY, then a random moment of its cycles.
                        try:
                            await fake.wait_for(partial(_identified_since, fake, identified), timeout=60)
                            ready_times.append(time.monotonic() - bot.started_at)
                        except TimeoutError:
                            log("the bot did not connect within 60 s")
                        await asyncio.sleep(rng.uniform(args.min_up, args.max_up))
                        moments["running"] += 1
                    uptimes.append(await bot.kill())
                    identified = fake.identify_count  # this start's IDENTIFY is the next one
                    await bot.start()
                    if (kill + 1) % 10 == 0:
                        log(f"{kill + 1} kills")
                stop.set()
                await producer
                log("publishing stopped; waiting for the last restart to catch up")
                try:
                    await fake.wait_for(lambda: all(w.settled() for w in workloads), timeout=args.settle)
                except TimeoutError:
                    log("not settled in time; reporting what is missing")
                await asyncio.sleep(3)  # a few more 1 s cycles: anything doubled would show now
                exit_code = await bot.stop()
            except BaseException:
                await bot.stop(5)
                log(bot.log_tail())
                raise
            results = {w.name: w.verify() for w in workloads}
        database = check_database(directory / "soak.sqlite3")
        tail = bot.log_tail(15) if not all(r["ok"] for r in results.values()) else ""
    finally:
        tmp.cleanup()
    feeds = results["feeds"]
    report.results = {
        "kills": len(uptimes),
        "starts": bot.starts,
        "kill_moments": dict(moments),
        "uptime_before_kill_s": {"min": min(uptimes, default=0), "max": max(uptimes, default=0)},
        "start_to_gateway_s": {"min": min(ready_times, default=0), "max": max(ready_times, default=0)},
        "duration_s": round(time.monotonic() - started, 1),
        "workloads": results,
        "not_run": PENDING_WORKLOADS,
        "database": database,
        "clean_exit_code": exit_code,
        "posted": feeds["posted"],
        "duplicates": feeds["duplicates"],
        "lost": feeds["lost"],
        "votes": results["polls"]["votes"] if "polls" in results else None,
        "reminders": (
            {k: results["watch parties"][k] for k in ("reminders", "fired", "missed", "pending_due")}
            if "watch parties" in results
            else None
        ),
    }
    report.tables.append(
        table(
            f"crash soak: {len(uptimes)} SIGKILLs, {bot.starts} starts, {report.results['duration_s']} s",
            ["workload", "published", "posted", "duplicates", "lost", "retried sends (nonce)"],
            [
                (
                    "feeds",
                    feeds["published"],
                    feeds["posted"],
                    feeds["duplicates"],
                    feeds["lost"],
                    feeds["retried_sends"],
                )
            ],
        )
    )
    if "polls" in results:
        polls = results["polls"]
        report.tables.append(
            table(
                "polls: stored votes against the reactions Discord shows",
                [
                    "polls",
                    "reaction events",
                    "votes stored",
                    "of them via resync",
                    "missing",
                    "extra",
                    "single-choice members with 2+",
                ],
                [
                    (
                        polls["polls"],
                        polls["events"],
                        polls["votes"],
                        polls["resynced"],
                        polls["missing"],
                        polls["extra"],
                        polls["multiple"],
                    )
                ],
            )
        )
        report.targets.append(
            Target(
                "every vote present (stored votes == reactions shown)",
                polls["ok"],
                f"{polls['votes']} votes, {polls['missing']} missing, {polls['extra']} extra, "
                f"{polls['multiple']} double single-choice",
            )
        )
    if "watch parties" in results:
        wp = results["watch parties"]
        report.tables.append(
            table(
                "watch party: RSVP presses and reminders",
                [
                    "presses",
                    "answered",
                    "RSVPs stored",
                    "missing",
                    "wrong",
                    "reminders",
                    "due",
                    "fired",
                    "missed",
                    "due but pending",
                    "reminder messages",
                ],
                [
                    (
                        wp.get("presses"),
                        wp.get("answered"),
                        wp.get("rsvps"),
                        wp.get("missing"),
                        wp.get("wrong"),
                        wp.get("reminders"),
                        wp.get("reminders_due"),
                        wp.get("fired"),
                        wp.get("missed"),
                        wp.get("pending_due"),
                        wp.get("reminder_messages"),
                    )
                ],
            )
        )
        report.targets.append(
            Target(
                "every answered RSVP present; every due reminder fired once or recorded missed",
                bool(wp.get("ok")),
                f"{wp.get('rsvps')} RSVPs ({wp.get('missing')} missing, {wp.get('wrong')} wrong); reminders "
                f"{wp.get('fired')} fired, {wp.get('missed')} missed, {wp.get('pending_due')} overdue pending, "
                f"{wp.get('fired_without_message')} fired unposted, {wp.get('missed_but_posted')} missed but posted",
            )
        )
    report.tables.append(
        table(
            "database after the soak",
            ["integrity_check", "foreign key errors", "outbox", "entries"],
            [
                (
                    database["integrity_check"],
                    database["foreign_key_errors"],
                    database["outbox"],
                    database["entries"],
                )
            ],
        )
    )
    report.targets[:0] = [
        Target(
            "every published item posted exactly once",
            feeds["ok"],
            f"{feeds['posted']} posted of {feeds['published']}, {feeds['duplicates']} duplicates, {feeds['lost']} lost",
        ),
        Target(
            "PRAGMA integrity_check ok", database["integrity_check"] == "ok", str(database["integrity_check"])
        ),
        Target(
            "outbox drained (nothing pending, failed or held by the flood breaker)",
            not any(database["outbox"].get(state) for state in ("pending", "failed", "held")),
            str(database["outbox"]),
        ),
    ]
    for name, what in PENDING_WORKLOADS.items():
        report.notes.append(f"{name} not soaked yet ({what})")
    if tail:
        report.notes.append("bot log tail:\n" + tail)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--feeds", type=int, default=3)
    parser.add_argument(
        "--min-up", type=float, default=0.0, help="least time after connecting before a kill (s)"
    )
    parser.add_argument(
        "--max-up", type=float, default=4.0, help="most time after connecting before a kill (s)"
    )
    parser.add_argument("--startup-kills", type=float, default=0.2, help="share of kills during start-up")
    parser.add_argument("--publish-every", type=float, default=0.25, help="seconds between new items")
    parser.add_argument("--no-polls", action="store_true", help="no poll workload")
    parser.add_argument("--no-watchparties", action="store_true", help="no watch-party workload")
    parser.add_argument("--keep", metavar="DIR", help="keep the database and bot log in DIR")
    parser.add_argument("--settle", type=float, default=240.0, help="seconds allowed to catch up at the end")
    args = parser.parse_args(argv)
    if args.smoke:
        args.kills, args.max_up, args.settle, args.startup_kills = 3, 2.5, 45.0, 0.0
    result = asyncio.run(soak(args))
    result.emit(args.json)
    return 0 if all(t.met for t in result.targets) else 1


if __name__ == "__main__":
    sys.exit(main())
