"""The fetcher against a real misbehaving server on 127.0.0.1 (no mocks).

Normal cases run with ``allow_private_addresses=True`` because the server is on loopback; the SSRF cases
use the production policy, or a host-aware policy that trusts only the test name ``feeds.test``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import pickle
import socket
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import aiohttp
import pytest

from domain.netguard import AddressPolicy, BlockedURL, IPAddress, block_non_global, classify_address
from services.feedparse import InvalidXML, NotAFeed, parse_bytes
from services.fetcher import (
    AddressGuard,
    BlockedAddress,
    BlockedError,
    ConnectionFailed,
    Fetcher,
    FetchError,
    FetchLimits,
    FetchTimeout,
    GoneError,
    HTTPStatusError,
    RedirectLoop,
    TooLarge,
    TooManyRedirects,
)
from tests.feedserver import (
    BILLION_LAUGHS,
    HTML_PAGE,
    INVALID_XML,
    LATIN1_DECLARED_UTF8,
    SLOPPY_RSS,
    UTF8_DECLARED_LATIN1,
    FeedEntry,
    FeedServer,
    StaticResolver,
    gzip_bomb,
    make_entries,
    render_rss,
)


def loopback_limits(**overrides: object) -> FetchLimits:
    values: dict[str, object] = {
        "allow_private_addresses": True,
        "total_timeout": 2.0,
        "connect_timeout": 1.0,
    }
    values.update(overrides)
    return FetchLimits(**values)  # type: ignore[arg-type]


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as feed_server:
        feed_server.set_feed("/rss", make_entries(3))
        feed_server.set_feed("/atom", make_entries(2, "Atom"), fmt="atom")
        yield feed_server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(loopback_limits()) as loopback_fetcher:
        yield loopback_fetcher


def trust_only(name: str) -> AddressPolicy:
    """A policy that allows private addresses for one host name only (a deployment's internal host)."""

    def policy(host: str, ip: IPAddress) -> str | None:
        return None if host.rstrip(".") == name else classify_address(ip)

    return policy


# --------------------------------------------------------------------------------------------------
# The happy path and conditional GET


async def test_fetches_rss_with_validators(server: FeedServer, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(server.url("/rss"))
    assert result.status == 200
    assert not result.not_modified
    assert result.body is not None and b"<rss" in result.body
    assert result.etag and result.last_modified
    assert result.content_type and result.content_type.startswith("application/rss+xml")
    assert result.final_url == server.url("/rss") and result.permanent_url is None
    assert result.peer_address == "127.0.0.1"
    assert result.retry_after is None and result.max_age is None
    assert isinstance(result.elapsed, float) and result.elapsed >= 0
    parsed = parse_bytes(result.body, content_type=result.content_type, url=result.final_url)
    assert [entry["title"] for entry in parsed.entries] == ["Entry 3", "Entry 2", "Entry 1"]
    request = server.requests[-1]
    assert request.headers["User-Agent"].startswith("Projectionist/")
    assert "gzip" in request.headers["Accept-Encoding"]
    assert "application/rss+xml" in request.headers["Accept"]


async def test_fetches_atom(server: FeedServer, fetcher: Fetcher) -> None:
    result = await fetcher.fetch(server.url("/atom"))
    assert result.body is not None
    parsed = parse_bytes(result.body, content_type=result.content_type, url=result.final_url)
    assert parsed.version == "atom10" and len(parsed.entries) == 2


async def test_conditional_get_returns_304_without_body(server: FeedServer, fetcher: Fetcher) -> None:
    first = await fetcher.fetch(server.url("/rss"))
    again = await fetcher.fetch(server.url("/rss"), etag=first.etag, last_modified=first.last_modified)
    assert again.status == 304 and again.not_modified and again.body is None
    assert again.etag == first.etag and again.last_modified == first.last_modified
    assert server.requests[-1].headers["If-None-Match"] == first.etag

    only_date = await fetcher.fetch(server.url("/rss"), last_modified=first.last_modified)
    assert only_date.not_modified

    server.add_entry("/rss", FeedEntry("urn:new", "Brand new", "https://films.example/new"))
    changed = await fetcher.fetch(server.url("/rss"), etag=first.etag, last_modified=first.last_modified)
    assert changed.status == 200 and changed.body is not None and b"Brand new" in changed.body
    assert changed.etag != first.etag
    assert server.hits["/rss"] == 4


async def test_304_to_unconditional_request_is_an_error(server: FeedServer, fetcher: Fetcher) -> None:
    server.status("/bogus304", 304)
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(server.url("/bogus304"))
    assert info.value.status == 304


async def test_cache_control_max_age_and_age(server: FeedServer, fetcher: Fetcher) -> None:
    server.set_feed(
        "/cached", make_entries(1), headers={"Cache-Control": "public, max-age=900", "Age": "100"}
    )
    result = await fetcher.fetch(server.url("/cached"))
    assert result.max_age == 800
    not_modified = await fetcher.fetch(server.url("/cached"), etag=result.etag)
    assert not_modified.not_modified and not_modified.max_age == 800


async def test_gzip_encoded_feed_is_decompressed(server: FeedServer, fetcher: Fetcher) -> None:
    body = render_rss("Zipped", make_entries(4))
    server.gzip_feed("/zipped", body)
    result = await fetcher.fetch(server.url("/zipped"))
    assert result.body == body


# --------------------------------------------------------------------------------------------------
# Redirects


@pytest.mark.parametrize("status", [301, 308])
async def test_permanent_redirect_reports_new_url(server: FeedServer, fetcher: Fetcher, status: int) -> None:
    server.redirect("/old", "/rss", status=status)
    result = await fetcher.fetch(server.url("/old"))
    assert result.status == 200
    assert result.url == server.url("/old")
    assert result.final_url == server.url("/rss")
    assert result.permanent_url == server.url("/rss")


@pytest.mark.parametrize("status", [302, 303, 307])
async def test_temporary_redirect_keeps_url(server: FeedServer, fetcher: Fetcher, status: int) -> None:
    server.redirect("/tmp", "/rss", status=status)
    result = await fetcher.fetch(server.url("/tmp"))
    assert result.final_url == server.url("/rss")
    assert result.permanent_url is None


async def test_permanent_url_stops_at_first_temporary_hop(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/a", "/b", status=301)
    server.redirect("/b", "/c", status=302)
    server.redirect("/c", "/rss", status=301)
    result = await fetcher.fetch(server.url("/a"))
    assert result.redirects == (server.url("/b"), server.url("/c"), server.url("/rss"))
    assert result.permanent_url == server.url("/b")

    server.redirect("/t", "/p", status=307)
    server.redirect("/p", "/rss", status=308)
    assert (await fetcher.fetch(server.url("/t"))).permanent_url is None


async def test_redirect_loop(server: FeedServer, fetcher: Fetcher) -> None:
    server.redirect("/ping", "/pong", status=302)
    server.redirect("/pong", "/ping", status=302)
    with pytest.raises(RedirectLoop) as info:
        await fetcher.fetch(server.url("/ping"))
    assert info.value.kind == "redirect_loop"
    assert "/ping -> " in info.value.reason and server.hits["/ping"] == 1


async def test_redirect_limit(server: FeedServer, fetcher: Fetcher) -> None:
    for index in range(7):
        server.redirect(f"/hop{index}", f"/hop{index + 1}")
    server.redirect("/hop7", "/rss")
    # /hop2 -> ... -> /hop7 -> /rss is exactly 5 redirects: allowed.
    assert (await fetcher.fetch(server.url("/hop3"))).status == 200
    with pytest.raises(TooManyRedirects) as info:
        await fetcher.fetch(server.url("/hop0"))
    assert info.value.kind == "too_many_redirects" and "more than 5 redirects" in info.value.reason


async def test_redirect_without_location(server: FeedServer, fetcher: Fetcher) -> None:
    server.status("/noloc", 302)
    with pytest.raises(HTTPStatusError, match="without a Location"):
        await fetcher.fetch(server.url("/noloc"))


# --------------------------------------------------------------------------------------------------
# HTTP errors


@pytest.mark.parametrize(
    ("status", "headers", "kind", "retry_after"),
    [
        (404, {}, "http_status", None),
        (500, {}, "http_status", None),
        (410, {}, "gone", None),
        (429, {"Retry-After": "120"}, "http_status", 120.0),
        (503, {"Retry-After": "30"}, "http_status", 30.0),
    ],
)
async def test_error_statuses(
    server: FeedServer,
    fetcher: Fetcher,
    status: int,
    headers: dict[str, str],
    kind: str,
    retry_after: float | None,
) -> None:
    server.status("/err", status, headers=headers)
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(server.url("/err"))
    error = info.value
    assert error.kind == kind and error.status == status and error.retry_after == retry_after
    assert str(status) in error.reason
    if retry_after:
        assert f"retry after {retry_after:.0f} s" in error.reason


async def test_gone_is_its_own_type(server: FeedServer, fetcher: Fetcher) -> None:
    server.status("/gone", 410)
    with pytest.raises(GoneError, match="gone"):
        await fetcher.fetch(server.url("/gone"))


async def test_retry_after_http_date(server: FeedServer, fetcher: Fetcher) -> None:
    when = datetime.now(UTC) + timedelta(minutes=10)
    server.status("/busy", 503, headers={"Retry-After": format_datetime(when, usegmt=True)})
    with pytest.raises(HTTPStatusError) as info:
        await fetcher.fetch(server.url("/busy"))
    assert info.value.retry_after is not None and 590 <= info.value.retry_after <= 600


async def test_fetch_errors_pickle() -> None:
    error = HTTPStatusError("HTTP 429", url="http://x/", status=429, retry_after=5.0)
    clone = pickle.loads(pickle.dumps(error))
    assert (type(clone), clone.reason, clone.status, clone.retry_after) == (
        HTTPStatusError,
        "HTTP 429",
        429,
        5.0,
    )


# --------------------------------------------------------------------------------------------------
# Time and size limits


async def test_slow_drip_past_the_deadline_times_out(server: FeedServer) -> None:
    server.slow_drip("/drip", render_rss("Drip", make_entries(5)), chunk=8, interval=0.05)
    async with Fetcher(loopback_limits(total_timeout=0.5)) as fetcher:
        # The whole drip takes seconds, so a FetchTimeout at all shows the 0.5 s deadline cut it off.
        with pytest.raises(FetchTimeout) as info:
            await fetcher.fetch(server.url("/drip"))
    assert info.value.kind == "timeout" and "0.5 s" in info.value.reason


async def test_slow_drip_within_the_deadline_succeeds(server: FeedServer, fetcher: Fetcher) -> None:
    body = render_rss("Drip", make_entries(1))
    server.slow_drip("/drip-ok", body, chunk=len(body) // 4 + 1, interval=0.02)
    assert (await fetcher.fetch(server.url("/drip-ok"))).body == body


@pytest.mark.parametrize("after_headers", [False, True])
async def test_server_that_never_answers(server: FeedServer, after_headers: bool) -> None:
    server.hang("/hang", after_headers=after_headers)
    async with Fetcher(loopback_limits(total_timeout=0.5)) as fetcher:
        with pytest.raises(FetchTimeout):  # the server never answers: only the deadline can end this
            await fetcher.fetch(server.url("/hang"))


async def test_queueing_for_a_host_slot_does_not_count_against_the_timeout(server: FeedServer) -> None:
    server.set_feed("/slowish", make_entries(1), delay=0.3)
    async with Fetcher(loopback_limits(total_timeout=0.6, per_host=1)) as fetcher:
        results = await asyncio.gather(*(fetcher.fetch(server.url("/slowish")) for _ in range(3)))
    assert all(result.status == 200 for result in results)
    assert server.max_in_flight == 1


async def test_50_mb_body_is_cut_off_while_streaming(server: FeedServer) -> None:
    server.huge("/huge", 50_000_000)
    async with Fetcher(loopback_limits(max_bytes=1_000_000)) as fetcher:
        with pytest.raises(TooLarge) as info:
            await fetcher.fetch(server.url("/huge"))
    assert info.value.kind == "too_large" and "1,000,000" in info.value.reason
    await asyncio.sleep(0.05)
    # The server stopped soon after the limit: what it wrote is the limit plus socket buffers.
    assert server.bytes_sent["/huge"] < 15_000_000


async def test_declared_oversize_is_refused_before_reading(server: FeedServer) -> None:
    server.huge("/declared", 50_000_000, declare_length=True)
    async with Fetcher(loopback_limits(max_bytes=1_000_000)) as fetcher:
        with pytest.raises(TooLarge, match="50,000,000 bytes"):
            await fetcher.fetch(server.url("/declared"))


async def test_gzip_bomb_is_cut_off_after_decompression(server: FeedServer) -> None:
    size = 8 << 30  # 8 GiB of zeros in about 8 MB of gzip
    server.gzip_bomb("/bomb", size)
    payload_size = len(gzip_bomb(size))
    tracemalloc.start()
    try:
        async with Fetcher(loopback_limits(max_bytes=5_000_000)) as fetcher:
            with pytest.raises(TooLarge, match="after decompression"):
                await fetcher.fetch(server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Never more than the limit plus a few buffers in memory, and the download stopped early.
    assert peak < 40_000_000
    await asyncio.sleep(0.05)
    assert server.bytes_sent["/bomb"] < payload_size / 2


async def test_connection_refused(fetcher: Fetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed) as info:
        await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert info.value.kind == "connection" and "could not connect" in info.value.reason


async def test_unknown_host(server: FeedServer) -> None:
    async with Fetcher(loopback_limits(), resolver=StaticResolver({})) as fetcher:
        with pytest.raises(ConnectionFailed, match=r"could not resolve nowhere\.test"):
            await fetcher.fetch(f"http://nowhere.test:{server.port}/rss")


# --------------------------------------------------------------------------------------------------
# Bodies that are not (good) feeds: fetched fine, refused or accepted by the parser


async def _fetch_body(fetcher: Fetcher, server: FeedServer, path: str) -> tuple[bytes, str | None, str]:
    result = await fetcher.fetch(server.url(path))
    assert result.body is not None
    return result.body, result.content_type, result.final_url


async def test_html_instead_of_a_feed(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/page", HTML_PAGE, content_type="text/html; charset=utf-8")
    body, content_type, url = await _fetch_body(fetcher, server, "/page")
    with pytest.raises(NotAFeed) as info:
        parse_bytes(body, content_type=content_type, url=url)
    assert info.value.kind == "not_a_feed"
    assert (
        info.value.reason == f"not a feed (HTML page; the page links to a feed at {server.url('/feed.xml')})"
    )


async def test_invalid_xml(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/broken", INVALID_XML)
    body, content_type, url = await _fetch_body(fetcher, server, "/broken")
    with pytest.raises(InvalidXML) as info:
        parse_bytes(body, content_type=content_type, url=url)
    assert info.value.kind == "invalid_xml" and "malformed XML" in info.value.reason


async def test_sloppy_xml_with_entries_is_accepted(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/sloppy", SLOPPY_RSS, content_type="application/rss+xml")
    body, content_type, url = await _fetch_body(fetcher, server, "/sloppy")
    parsed = parse_bytes(body, content_type=content_type, url=url)
    assert parsed.bozo and parsed.bozo_reason and len(parsed.entries) == 2


async def test_empty_200(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/empty", b"", content_type="application/rss+xml")
    body, content_type, url = await _fetch_body(fetcher, server, "/empty")
    assert body == b""
    with pytest.raises(NotAFeed, match="empty response"):
        parse_bytes(body, content_type=content_type, url=url)


async def test_latin1_bytes_declared_utf8(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/latin1", LATIN1_DECLARED_UTF8, content_type="application/rss+xml; charset=utf-8")
    body, content_type, url = await _fetch_body(fetcher, server, "/latin1")
    parsed = parse_bytes(body, content_type=content_type, url=url)
    assert parsed.title == "Café cinéma" and parsed.entries[0]["title"] == "Amélie"
    assert parsed.bozo and parsed.bozo_reason and "encoding" in parsed.bozo_reason


async def test_utf8_bytes_declared_latin1(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/utf8", UTF8_DECLARED_LATIN1, content_type="application/rss+xml; charset=iso-8859-1")
    body, content_type, url = await _fetch_body(fetcher, server, "/utf8")
    parsed = parse_bytes(body, content_type=content_type, url=url)
    # Latin-1 can decode any byte, so the declaration is believed: mojibake, but no failure.
    assert len(parsed.entries) == 1 and parsed.entries[0]["title"] in ("Amélie", "AmÃ©lie")


async def test_billion_laughs_is_harmless(server: FeedServer, fetcher: Fetcher) -> None:
    server.raw("/laughs", BILLION_LAUGHS, content_type="application/rss+xml")
    body, content_type, url = await _fetch_body(fetcher, server, "/laughs")
    parsed = parse_bytes(body, content_type=content_type, url=url)
    assert all(len(str(entry.get("title", ""))) < 1000 for entry in parsed.entries)


# --------------------------------------------------------------------------------------------------
# Concurrency


async def test_per_host_cap(server: FeedServer) -> None:
    names = ["a.test", "b.test"]
    for name in names:
        server.set_feed("/rss", make_entries(1), host=name, delay=0.15)
    limits = loopback_limits(per_host=2, global_concurrency=16)
    async with Fetcher(limits, resolver=server.resolver(names)) as fetcher:
        await asyncio.gather(
            *(fetcher.fetch(server.url("/rss", host=name)) for name in names for _ in range(6))
        )
    assert server.max_in_flight_for("a.test") == 2 and server.max_in_flight_for("b.test") == 2
    assert server.max_in_flight == 4
    assert server.host_hits[("a.test", "/rss")] == 6


async def test_global_cap(server: FeedServer) -> None:
    names = [f"site{index}.test" for index in range(5)]
    for name in names:
        server.set_feed("/rss", make_entries(1), host=name, delay=0.1)
    limits = loopback_limits(per_host=2, global_concurrency=3)
    async with Fetcher(limits, resolver=server.resolver(names)) as fetcher:
        await asyncio.gather(
            *(fetcher.fetch(server.url("/rss", host=name)) for name in names for _ in range(2))
        )
    assert server.max_in_flight == 3


async def test_virtual_hosts_serve_different_feeds(server: FeedServer) -> None:
    server.set_feed("/feed", make_entries(1, "Alpha"), host="alpha.test")
    server.set_feed("/feed", make_entries(1, "Beta"), host="beta.test")
    async with Fetcher(loopback_limits(), resolver=server.resolver(["alpha.test", "beta.test"])) as fetcher:
        alpha = await fetcher.fetch(server.url("/feed", host="alpha.test"))
        beta = await fetcher.fetch(server.url("/feed", host="beta.test"))
    assert alpha.body is not None and b"Alpha 1" in alpha.body
    assert beta.body is not None and b"Beta 1" in beta.body


# --------------------------------------------------------------------------------------------------
# SSRF: connect-time address checks


async def test_production_policy_refuses_loopback_literal(server: FeedServer) -> None:
    async with Fetcher(FetchLimits(total_timeout=2)) as fetcher:
        with pytest.raises(BlockedError) as info:
            await fetcher.fetch(server.url("/rss"))
    assert info.value.kind == "blocked" and "127.0.0.1 is not allowed: loopback" in info.value.reason
    assert server.hits["/rss"] == 0


async def test_name_resolving_to_loopback_is_refused(server: FeedServer) -> None:
    resolver = server.resolver(["sneaky.test"])
    async with Fetcher(FetchLimits(total_timeout=2), resolver=resolver) as fetcher:
        with pytest.raises(BlockedError) as info:
            await fetcher.fetch(server.url("/rss", host="sneaky.test"))
    assert info.value.reason == (
        "sneaky.test resolves to a refused address (address 127.0.0.1 is not allowed: loopback)"
    )
    assert resolver.lookups["sneaky.test"] == 1 and server.hits["/rss"] == 0


async def test_name_with_mixed_answers_is_refused(server: FeedServer) -> None:
    # A public and a private answer together is how DNS rebinding is usually set up.
    resolver = StaticResolver({"mixed.test": ["93.184.216.34", "10.1.2.3"]})
    async with Fetcher(FetchLimits(total_timeout=2), resolver=resolver) as fetcher:
        with pytest.raises(BlockedError, match=r"10\.1\.2\.3 is not allowed: private"):
            await fetcher.fetch("http://mixed.test/feed")


async def test_trusted_host_works_but_its_redirect_to_loopback_is_refused(server: FeedServer) -> None:
    server.redirect("/to-loopback", server.url("/rss"))
    server.redirect("/to-ten", "http://10.0.0.1/feed")
    server.redirect("/to-numeric", f"http://2130706433:{server.port}/rss")
    server.redirect("/to-untrusted-name", server.url("/rss", host="internal.test"))
    resolver = server.resolver(["feeds.test", "internal.test"])
    limits = FetchLimits(total_timeout=2, connect_timeout=1)
    async with Fetcher(limits, resolver=resolver, address_policy=trust_only("feeds.test")) as fetcher:
        allowed = await fetcher.fetch(server.url("/rss", host="feeds.test"))
        assert allowed.status == 200 and allowed.peer_address == "127.0.0.1"
        server.reset_counters()

        for path, expected in [
            ("/to-loopback", "127.0.0.1 is not allowed: loopback"),
            ("/to-ten", "10.0.0.1 is not allowed: private"),
            ("/to-numeric", "host '2130706433' is a numeric form of it"),
            ("/to-untrusted-name", "internal.test resolves to a refused address"),
        ]:
            with pytest.raises(BlockedError) as info:
                await fetcher.fetch(server.url(path, host="feeds.test"))
            # Refused as a redirect target, i.e. before connecting (a connection attempt to 10.0.0.1 would
            # end in a connect timeout, not BlockedError); the loopback target was never requested.
            assert info.value.reason.startswith("redirect to ")
            assert expected in info.value.reason
    assert server.hits["/rss"] == 0


class _AcceptCounter:
    """A bare TCP listener on loopback that counts connections (to prove none was made)."""

    def __init__(self) -> None:
        self.accepted = 0
        self.server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> _AcceptCounter:
        async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.accepted += 1
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            await writer.drain()
            writer.close()

        self.server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


@pytest.mark.parametrize("host", ["rebound.test", "127.0.0.1"])
async def test_socket_guard_refuses_before_connecting(host: str) -> None:
    """The socket factory alone (no guarded resolver, no URL check) stops the connection.

    This is the layer that sees what is really connected to: an IP literal (which never reaches a
    resolver) or a DNS answer that differs from the one a URL check saw.
    """
    guard = AddressGuard(block_non_global)
    async with _AcceptCounter() as listener:
        connector = aiohttp.TCPConnector(
            resolver=StaticResolver({"rebound.test": "127.0.0.1"}), socket_factory=guard.socket_factory
        )
        async with aiohttp.ClientSession(connector=connector) as session:
            with pytest.raises(aiohttp.ClientConnectorError) as info:
                await session.get(f"http://{host}:{listener.port}/")
        assert isinstance(info.value.os_error, BlockedAddress)
        assert "127.0.0.1 is not allowed: loopback" in info.value.os_error.reason
        assert listener.accepted == 0

        # Control: the same setup with a permissive guard does connect.
        open_guard = AddressGuard(lambda host, ip: None)
        connector = aiohttp.TCPConnector(
            resolver=StaticResolver({"rebound.test": "127.0.0.1"}), socket_factory=open_guard.socket_factory
        )
        async with (
            aiohttp.ClientSession(connector=connector) as session,
            session.get(f"http://{host}:{listener.port}/") as response,
        ):
            assert await response.read() == b"ok"
        assert listener.accepted == 1


async def test_peer_tripwire_refuses_when_earlier_checks_were_fooled(server: FeedServer) -> None:
    """A policy that flips after two calls passes the resolver and socket checks but not the peer check."""
    calls: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []

    def flipping(host: str, ip: IPAddress) -> str | None:
        calls.append(ip)
        return None if len(calls) <= 2 else "changed its mind"

    resolver = server.resolver(["flip.test"])
    async with Fetcher(loopback_limits(), resolver=resolver, address_policy=flipping) as fetcher:
        with pytest.raises(BlockedError, match="changed its mind"):
            await fetcher.fetch(server.url("/rss", host="flip.test"))
    assert len(calls) == 3  # resolver, socket factory, peer check


async def test_blocked_error_is_a_fetch_error() -> None:
    async with Fetcher() as fetcher:
        with pytest.raises(FetchError) as info:
            await fetcher.fetch("file:///etc/passwd")
    assert info.value.kind == "blocked" and "only http and https" in info.value.reason


def test_check_remembers_accepted_urls_only() -> None:
    fetcher = Fetcher(FetchLimits())
    first = fetcher.check("https://films.example/rss")
    assert fetcher.check("https://films.example/rss") is first  # memoised: same object
    for _ in range(2):  # a refusal is never remembered as an acceptance
        with pytest.raises(BlockedURL):
            fetcher.check("http://127.0.0.1/rss")
    private = Fetcher(FetchLimits(allow_private_addresses=True))
    assert private.check("http://127.0.0.1/rss").host == "127.0.0.1"  # the memo is per fetcher (policy)
