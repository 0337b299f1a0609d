"""Polite, guarded HTTP fetching of feeds.

One ``Fetcher`` per bot: it owns an ``aiohttp.ClientSession`` whose connector is wired to an
``AddressGuard`` so that every TCP connection goes only to addresses the policy allows. The guard works at
two levels, both inside aiohttp's own connection path (read from aiohttp 3.14's ``connector.py``):

* the resolver: ``TCPConnector._resolve_host`` hands names to our ``GuardedResolver``, which refuses the
  host if any address it resolves to is refused (a name that mixes public and private answers is a
  DNS-rebinding setup, not a real feed host);
* the socket factory: ``TCPConnector._wrap_create_connection`` passes ``socket_factory`` to
  ``aiohappyeyeballs.start_connection``, which calls it with the exact ``addr_info`` it is about to
  ``connect()`` to. Refusing there covers IP literals (which never reach a resolver), DNS answers that
  change between look-ups, and any address the resolver did not see. Nothing, not even a SYN, is sent to a
  refused address.

On top of that ``check_url`` vets every hop's URL (redirects are followed by hand), and after each
response the peer address of every socket the factory made for that hop (``getpeername()``, i.e. what the
kernel really connected to) is checked once more: a tripwire that also fails closed if a future aiohttp
connected through some other path. A connection reused from the keep-alive pool was checked when made.

Proxies from the environment are ignored (``trust_env=False``): with a proxy the socket goes to the proxy
and the guard would no longer see the real destination. Cookies are not kept: feeds need none and a cookie
jar would carry state across hosts.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar
from urllib.parse import urljoin

import aiohttp
import yarl
from aiohttp.abc import AbstractResolver, ResolveResult

from domain.feedrules import parse_max_age, parse_retry_after
from domain.netguard import (
    AddressPolicy,
    BlockedURL,
    IPAddress,
    ParsedTarget,
    allow_all,
    block_non_global,
    check_url,
)
from services import metrics

log = logging.getLogger(__name__)

DEFAULT_USER_AGENT = (
    "Projectionist/0.1 (Discord film club bot; feed reader; +https://github.com/projectionist)"
)
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
_CHUNK = 64 * 1024
_CHECKED_MAX = 10_000  # URLs whose check result is remembered (see Fetcher.check)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Limits for one ``Fetcher``; all times in seconds.

    ``total_timeout`` covers the network work of a whole fetch, redirects included, but not the time spent
    queueing for a concurrency slot (so a host with many feeds does not turn into timeouts).
    """

    total_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    allow_private_addresses: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    per_host: int = 2
    global_concurrency: int = 16

    def __post_init__(self) -> None:
        if self.total_timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects not negative")
        if self.per_host < 1 or self.global_concurrency < 1:
            raise ValueError("concurrency limits must be at least 1")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch: 2xx with a body, or 304 Not Modified (``body`` None, nothing to parse).

    ``permanent_url`` is where the stored feed URL should move to, or None. It follows permanent
    redirects (301/308) from the start of the chain and stops at the first temporary one (302/303/307):
    ``A -301-> B -302-> C -301-> D`` gives ``B``, because C is only where B points today. It is only
    reported on success, so a chain that ends in an error never rewrites the stored URL.

    ``retry_after`` and ``max_age`` are server hints in seconds (already clamped); the scheduler treats
    them as a lower bound on the next poll.
    """

    url: str
    final_url: str
    permanent_url: str | None
    status: int
    not_modified: bool
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    retry_after: float | None
    max_age: float | None
    elapsed: float
    redirects: tuple[str, ...] = ()
    peer_address: str | None = None


class FetchError(Exception):
    """A failed fetch (or parse, see ``services.feedparse``), typed by ``kind``.

    ``reason`` is a short sentence for moderators (``/feed list``); ``status`` is the HTTP status when
    there was one; ``retry_after`` the server's hint in seconds when it sent one.
    """

    kind: ClassVar[str] = "error"

    def __init__(
        self, reason: str, *, url: str = "", status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.status = status
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments are not restored by the default exception pickling.
        return (_rebuild_error, (type(self), self.reason, self.url, self.status, self.retry_after))


def _rebuild_error(
    cls: type[FetchError], reason: str, url: str, status: int | None, retry_after: float | None
) -> FetchError:
    return cls(reason, url=url, status=status, retry_after=retry_after)


class BlockedError(FetchError):
    kind = "blocked"


class FetchTimeout(FetchError):
    kind = "timeout"


class TooLarge(FetchError):
    kind = "too_large"


class HTTPStatusError(FetchError):
    kind = "http_status"


class GoneError(HTTPStatusError):
    kind = "gone"


class RedirectLoop(FetchError):
    kind = "redirect_loop"


class TooManyRedirects(FetchError):
    kind = "too_many_redirects"


class ConnectionFailed(FetchError):
    kind = "connection"


# --------------------------------------------------------------------------------------------------
# Connect-time address guard


class BlockedAddress(OSError):
    """Raised inside aiohttp's connection path; an ``OSError`` so aiohttp wraps it as a connector error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class _HopState:
    host: str
    blocked: list[str] = field(default_factory=list)
    sockets: list[socket.socket] = field(default_factory=list)


# The host of the request being connected, so the socket factory (which only sees an address) can apply
# a host-aware policy, and the refusals it records. Context variables are copied into the tasks
# aiohappyeyeballs starts, and the list is shared, so refusals made there are seen by the fetch.
_current_hop: ContextVar[_HopState | None] = ContextVar("projectionist_fetch_hop", default=None)


def _ip_of(sockaddr: Any) -> IPAddress:
    address = ipaddress.ip_address(sockaddr[0])
    if isinstance(address, ipaddress.IPv6Address) and len(sockaddr) >= 4 and sockaddr[3]:
        # Keep the scope so link-local-with-zone is classified as such.
        address = ipaddress.IPv6Address(f"{address}%{sockaddr[3]}")
    return address


class AddressGuard:
    """Applies an ``AddressPolicy`` wherever aiohttp turns a host into a connection."""

    def __init__(self, policy: AddressPolicy) -> None:
        self._policy = policy

    def refusal(self, host: str, ip: IPAddress) -> str | None:
        reason = self._policy(host, ip)
        return None if reason is None else f"address {ip} is not allowed: {reason}"

    def socket_factory(self, addr_info: tuple[Any, ...]) -> socket.socket:
        """``TCPConnector(socket_factory=...)``: check the exact address before the socket connects."""
        family, type_, proto, _canonname, sockaddr = addr_info
        hop = _current_hop.get()
        host = hop.host if hop is not None else ""
        reason = self.refusal(host, _ip_of(sockaddr))
        if reason is not None:
            log.warning("refused connection to %s for host %r: %s", sockaddr[0], host, reason)
            if hop is not None:
                hop.blocked.append(reason)
            raise BlockedAddress(reason)
        sock = socket.socket(family=family, type=type_, proto=proto)
        if hop is not None:
            hop.sockets.append(sock)
        return sock

    def wrap_resolver(self, inner: AbstractResolver) -> GuardedResolver:
        return GuardedResolver(inner, self)


class GuardedResolver(AbstractResolver):
    """Resolver that refuses a host when any address it resolves to is refused."""

    def __init__(self, inner: AbstractResolver, guard: AddressGuard) -> None:
        self._inner = inner
        self._guard = guard

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            reason = self._guard.refusal(host, ipaddress.ip_address(result["host"]))
            if reason is not None:
                message = f"{host} resolves to a refused address ({reason})"
                hop = _current_hop.get()
                if hop is not None:
                    hop.blocked.append(message)
                raise BlockedAddress(message)
        return results

    async def close(self) -> None:
        await self._inner.close()


# --------------------------------------------------------------------------------------------------
# Concurrency


@dataclass(slots=True)
class _Slot:
    semaphore: asyncio.Semaphore
    users: int = 0


class _HostLimiter:
    """One semaphore per host, dropped when unused so the table does not grow with every host ever seen."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, _Slot] = {}

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        entry = self._slots.get(host)
        if entry is None:
            entry = self._slots[host] = _Slot(asyncio.Semaphore(self._per_host))
        entry.users += 1
        try:
            async with entry.semaphore:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                del self._slots[host]


# --------------------------------------------------------------------------------------------------
# Fetcher


@dataclass(slots=True)
class _Hop:
    status: int
    headers: Mapping[str, str]
    body: bytes | None
    peer: str | None
    spent: float = 0.0  # network time, excluding the wait for a host slot


def _http_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


class Fetcher:
    """Fetches feed URLs under ``FetchLimits`` and an address policy.

    ``resolver`` replaces the DNS resolver (tests map names to 127.0.0.1); it is always wrapped by the
    guard. ``address_policy`` replaces the policy derived from ``limits.allow_private_addresses``; it
    receives the host name and each address, so a deployment (or a test) can allow one internal host
    without opening every private address.
    """

    def __init__(
        self,
        limits: FetchLimits | None = None,
        *,
        resolver: AbstractResolver | None = None,
        address_policy: AddressPolicy | None = None,
    ) -> None:
        self.limits = limits or FetchLimits()
        if address_policy is None:
            address_policy = allow_all if self.limits.allow_private_addresses else block_non_global
        self._policy = address_policy
        self._guard = AddressGuard(address_policy)
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None
        self._owned_resolver: AbstractResolver | None = None
        self._global = asyncio.Semaphore(self.limits.global_concurrency)
        self._hosts = _HostLimiter(self.limits.per_host)
        self._checked: OrderedDict[str, ParsedTarget] = OrderedDict()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()
        if self._owned_resolver is not None:
            await self._owned_resolver.close()
            self._owned_resolver = None

    def _get_session(self) -> aiohttp.ClientSession:
        # Created lazily because aiohttp objects must be made inside the running loop.
        if self._session is None:
            inner = self._resolver
            if inner is None:
                inner = self._owned_resolver = aiohttp.ThreadedResolver()
            connector = aiohttp.TCPConnector(
                resolver=self._guard.wrap_resolver(inner),
                socket_factory=self._guard.socket_factory,
                limit=0,  # our semaphores are the limit; a second queue inside aiohttp would hide waits
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.limits.connect_timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                auto_decompress=True,
                headers={"User-Agent": self.limits.user_agent, "Accept": ACCEPT},
            )
        return self._session

    def check(self, url: str) -> ParsedTarget:
        """Vet ``url`` under this fetcher's address policy (raises ``BlockedURL``) and return its canonical form.

        Accepted URLs are remembered (at most ``_CHECKED_MAX``, least recently used out): the result depends
        only on the URL and this fetcher's policy, and every poll cycle checks every feed's URL again, which
        was about a sixth of the cost of polling a feed that answers 304 (``benchmarks/feeds.py``). Refusals
        are not remembered. Names are still vetted at connect time, on every connection.
        """
        target = self._checked.get(url)
        if target is not None:
            self._checked.move_to_end(url)
            return target
        target = check_url(url, policy=self._policy)
        # The URL is rebuilt from checked parts; make sure the client reads the same host we checked.
        raw_host = yarl.URL(target.url).raw_host
        if raw_host is None or raw_host.lower() != target.host:
            raise BlockedURL(f"URL parsers disagree about the host of {url!r}", url)
        self._checked[url] = target
        if len(self._checked) > _CHECKED_MAX:
            self._checked.popitem(last=False)
        return target

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        log_id: str | None = None,
    ) -> FetchResult:
        """Fetch ``url`` (conditionally when validators are given); raise a ``FetchError`` subclass."""
        ident = log_id or url
        try:
            target = self.check(url)
        except BlockedURL as exc:
            log.info("feed %s: blocked: %s", ident, exc.reason)
            metrics.fetch_failed(BlockedError.kind)
            raise BlockedError(exc.reason, url=url) from exc
        async with self._global:
            started = time.monotonic()
            try:
                result = await self._follow(url, target, etag, last_modified, ident, started)
            except FetchError as exc:
                metrics.fetch_failed(exc.kind)
                log.info("feed %s: %s: %s", ident, exc.kind, exc.reason)
                raise
            finally:
                metrics.FETCH_SECONDS.observe(time.monotonic() - started)
        metrics.FEED_FETCHES.labels(result="not_modified" if result.not_modified else "ok").inc()
        log.debug(
            "feed %s: HTTP %s%s in %.2fs (%s bytes)",
            ident,
            result.status,
            " not modified" if result.not_modified else "",
            result.elapsed,
            len(result.body) if result.body is not None else 0,
        )
        return result

    async def _follow(
        self,
        url: str,
        target: ParsedTarget,
        etag: str | None,
        last_modified: str | None,
        ident: str,
        started: float,
    ) -> FetchResult:
        headers: dict[str, str] = {"Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = [target.url]
        permanent_url: str | None = None
        chain_permanent = True
        budget = self.limits.total_timeout
        while True:
            try:
                hop = await self._hop(target, headers, budget, url)
            except BlockedError as exc:
                if len(visited) == 1:
                    raise
                raise BlockedError(f"redirect to {target.url} refused: {exc.reason}", url=url) from exc
            budget -= hop.spent
            status = hop.status
            if status in _REDIRECTS:
                location = hop.headers.get("Location")
                if not location:
                    raise HTTPStatusError(
                        f"{_http_reason(status)} without a Location header", url=url, status=status
                    )
                next_url = urljoin(target.url, location.strip())
                try:
                    next_target = self.check(next_url)
                except BlockedURL as exc:
                    raise BlockedError(f"redirect to {next_url} refused: {exc.reason}", url=url) from exc
                if next_target.url in visited:
                    chain = " -> ".join([*visited, next_target.url])
                    raise RedirectLoop(f"redirect loop: {chain}", url=url, status=status)
                if len(visited) > self.limits.max_redirects:
                    raise TooManyRedirects(
                        f"more than {self.limits.max_redirects} redirects", url=url, status=status
                    )
                if status in _PERMANENT and chain_permanent:
                    permanent_url = next_target.url
                else:
                    chain_permanent = False
                log.debug("feed %s: %s -> %s", ident, status, next_target.url)
                visited.append(next_target.url)
                target = next_target
                continue
            return self._finish(url, target, hop, visited, permanent_url, etag, last_modified, started)

    def _finish(
        self,
        url: str,
        target: ParsedTarget,
        hop: _Hop,
        visited: list[str],
        permanent_url: str | None,
        etag: str | None,
        last_modified: str | None,
        started: float,
    ) -> FetchResult:
        status = hop.status
        retry_after = parse_retry_after(hop.headers.get("Retry-After"), datetime.now(UTC))
        if status == 304:
            if not (etag or last_modified):
                raise HTTPStatusError("HTTP 304 to an unconditional request", url=url, status=status)
        elif not 200 <= status < 300:
            if status == 410:
                raise GoneError("feed is gone (HTTP 410)", url=url, status=status)
            reason = _http_reason(status)
            if retry_after is not None:
                reason += f" (retry after {retry_after:.0f} s)"
            raise HTTPStatusError(reason, url=url, status=status, retry_after=retry_after)
        not_modified = status == 304
        return FetchResult(
            url=url,
            final_url=target.url,
            permanent_url=permanent_url,
            status=status,
            not_modified=not_modified,
            body=None if not_modified else (hop.body or b""),
            # A 304 may omit validators; the ones sent are still valid then.
            etag=hop.headers.get("ETag") or (etag if not_modified else None),
            last_modified=hop.headers.get("Last-Modified") or (last_modified if not_modified else None),
            content_type=hop.headers.get("Content-Type"),
            retry_after=retry_after,
            max_age=parse_max_age(hop.headers.get("Cache-Control"), hop.headers.get("Age")),
            elapsed=time.monotonic() - started,
            redirects=tuple(visited[1:]),
            peer_address=hop.peer,
        )

    async def _hop(self, target: ParsedTarget, headers: dict[str, str], budget: float, url: str) -> _Hop:
        if budget <= 0:
            raise FetchTimeout(f"timed out after {self.limits.total_timeout:g} s", url=url)
        async with self._hosts.slot(target.host_key):
            state = _HopState(target.host)
            token = _current_hop.set(state)
            started = time.monotonic()
            try:
                async with asyncio.timeout(budget):
                    hop = await self._request(target, headers, url, state)
                hop.spent = time.monotonic() - started
                return hop
            except aiohttp.ConnectionTimeoutError as exc:
                raise FetchTimeout(
                    f"connecting timed out after {self.limits.connect_timeout:g} s", url=url
                ) from exc
            except TimeoutError as exc:
                raise FetchTimeout(f"timed out after {self.limits.total_timeout:g} s", url=url) from exc
            except aiohttp.ClientError as exc:
                if state.blocked:
                    raise BlockedError(state.blocked[0], url=url) from exc
                raise ConnectionFailed(_describe_client_error(exc), url=url) from exc
            finally:
                _current_hop.reset(token)

    async def _request(
        self, target: ParsedTarget, headers: dict[str, str], url: str, state: _HopState
    ) -> _Hop:
        session = self._get_session()
        async with session.get(target.url, headers=headers, allow_redirects=False) as response:
            peer = self._check_peers(target, state, response, url)
            status = response.status
            body: bytes | None = None
            if 200 <= status < 300:
                body = await self._read_body(response, url)
            return _Hop(status=status, headers=response.headers, body=body, peer=peer)

    def _check_peers(
        self, target: ParsedTarget, state: _HopState, response: aiohttp.ClientResponse, url: str
    ) -> str | None:
        """Tripwire after the fact: the socket factory should already have refused a bad address."""
        peers = []
        for sock in state.sockets:
            if sock.fileno() == -1:  # a happy-eyeballs loser, already closed
                continue
            try:
                peers.append(sock.getpeername())
            except OSError:
                continue
        if not peers and response.connection is not None and response.connection.transport is not None:
            # Reused keep-alive connection: it was checked when made; report its peer anyway.
            peername = response.connection.transport.get_extra_info("peername")
            if peername:
                peers.append(peername)
        for peername in peers:
            reason = self._guard.refusal(target.host, _ip_of(peername))
            if reason is not None:
                log.error("connected to refused peer %s for %s despite the socket guard", peername[0], url)
                response.close()
                raise BlockedError(reason, url=url)
        return str(peers[0][0]) if peers else None

    async def _read_body(self, response: aiohttp.ClientResponse, url: str) -> bytes:
        limit = self.limits.max_bytes
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        declared = response.content_length
        if declared is not None and encoding in ("", "identity") and declared > limit:
            response.close()
            raise TooLarge(f"response is {declared:,} bytes, over the {limit:,} byte limit", url=url)
        body = bytearray()
        # Counted after decompression (aiohttp inflates in bounded steps as we read), and stopped as soon
        # as the limit is passed, so neither a 50 MB body nor a gzip bomb is ever held in memory.
        async for chunk in response.content.iter_chunked(_CHUNK):
            body += chunk
            if len(body) > limit:
                response.close()
                raise TooLarge(f"response exceeds the {limit:,} byte limit (after decompression)", url=url)
        return bytes(body)


def _describe_client_error(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return f"could not resolve {exc.host}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"could not connect to {exc.host}:{exc.port} ({exc.os_error.strerror or exc.os_error})"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return f"broken response body ({exc})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"invalid HTTP response ({exc.message})"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "server closed the connection"
    return f"{type(exc).__name__}: {exc}"
