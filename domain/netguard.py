"""Which URLs and addresses the feed fetcher may connect to (SSRF guard, pure logic).

The bot fetches URLs typed by server moderators, so a URL is untrusted input: without this guard a
moderator could make the bot request ``http://169.254.169.254/`` (cloud metadata), the admin page of the
host's router, or a service bound to loopback, and read the answer back through the feed digest.

Three layers use this module (the I/O ones live in ``services/fetcher.py``):

1. ``check_url`` runs on the URL of every hop (the first request and every redirect ``Location``) and
   refuses bad schemes, credentials, malformed hosts and IP literals in any spelling.
2. The resolver used by the HTTP client runs every resolved address through the same policy.
3. The socket factory checks the exact socket address right before ``connect()``, which is the only check
   that covers what is really connected to (DNS can answer differently between two look-ups).

Python's ``ipaddress.is_private``/``is_global`` alone is not enough: their tables changed between Python
releases, they do not look inside NAT64/6to4/Teredo addresses, and they say nothing about the
``inet_aton`` spellings (``2130706433``, ``0x7f.1``, ``127.1``) that the C library accepts as hosts. So
the table below is explicit and the reasons it returns are shown to moderators.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Given the host name as written in the URL (lower-case, IDNA-encoded; the literal itself for IP hosts)
# and one address it resolves to, return why the connection is refused, or None to allow it.
AddressPolicy = Callable[[str, IPAddress], "str | None"]

MAX_URL_LENGTH = 2048

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# Order matters: the first matching row wins, so narrower rows come before the ranges that contain them.
_IPV4_TABLE: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_V4("0.0.0.0/32"), "unspecified"),
    (_V4("0.0.0.0/8"), "reserved ('this network', 0.0.0.0/8)"),
    (_V4("10.0.0.0/8"), "private (10.0.0.0/8)"),
    (_V4("100.64.0.0/10"), "shared address space (carrier-grade NAT, 100.64.0.0/10)"),
    (_V4("127.0.0.0/8"), "loopback"),
    (_V4("169.254.0.0/16"), "link-local (169.254.0.0/16, includes cloud metadata services)"),
    (_V4("172.16.0.0/12"), "private (172.16.0.0/12)"),
    # 192.0.0.9 and 192.0.0.10 are technically global anycast, but no feed lives there.
    (_V4("192.0.0.0/24"), "IETF protocol assignments (192.0.0.0/24)"),
    (_V4("192.0.2.0/24"), "documentation (TEST-NET-1)"),
    (_V4("192.88.99.0/24"), "reserved (deprecated 6to4 relay anycast)"),
    (_V4("192.168.0.0/16"), "private (192.168.0.0/16)"),
    (_V4("198.18.0.0/15"), "benchmarking (198.18.0.0/15)"),
    (_V4("198.51.100.0/24"), "documentation (TEST-NET-2)"),
    (_V4("203.0.113.0/24"), "documentation (TEST-NET-3)"),
    (_V4("224.0.0.0/4"), "multicast"),
    (_V4("255.255.255.255/32"), "broadcast"),
    (_V4("240.0.0.0/4"), "reserved (240.0.0.0/4)"),
)

# Rows whose value is None are address forms that embed an IPv4 address; they are handled in code.
_NAT64 = _V6("64:ff9b::/96")
_TEREDO = _V6("2001::/32")
_SIXTOFOUR = _V6("2002::/16")
_V4_COMPATIBLE = _V6("::/96")
_GLOBAL_UNICAST = _V6("2000::/3")
_IPV6_TABLE: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_V6("::/128"), "unspecified"),
    (_V6("::1/128"), "loopback"),
    (_V6("64:ff9b:1::/48"), "local-use NAT64 (64:ff9b:1::/48)"),
    (_V6("100::/64"), "discard-only (100::/64)"),
    (_V6("2001::/23"), "IETF protocol assignments (2001::/23)"),
    (_V6("2001:db8::/32"), "documentation (2001:db8::/32)"),
    (_V6("3fff::/20"), "documentation (3fff::/20)"),
    (_V6("5f00::/16"), "reserved (SRv6 SIDs, 5f00::/16)"),
    (_V6("fc00::/7"), "unique local (fc00::/7)"),
    (_V6("fe80::/10"), "link-local (fe80::/10)"),
    (_V6("fec0::/10"), "site-local (deprecated, fec0::/10)"),
    (_V6("ff00::/8"), "multicast"),
)


class BlockedURL(ValueError):
    """A URL (or one of its redirect targets) that the bot refuses to fetch.

    ``reason`` is a short sentence meant for moderators (shown in ``/feed list``).
    """

    def __init__(self, reason: str, url: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url


@dataclass(frozen=True, slots=True)
class ParsedTarget:
    """A vetted URL, split into the parts the fetcher needs.

    ``url`` is rebuilt from the checked parts (no credentials, no fragment, ASCII host, canonical IP
    spelling) and is what must be requested, so the HTTP client never re-interprets the original text.
    """

    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress | None = None

    @property
    def host_key(self) -> str:
        """The host used for per-host politeness limits (no trailing dot)."""
        return self.host.rstrip(".")


def _classify_v4(ip: ipaddress.IPv4Address) -> str | None:
    for network, reason in _IPV4_TABLE:
        if ip in network:
            return reason
    return None


def _embedded(kind: str, inner: ipaddress.IPv4Address) -> str | None:
    reason = _classify_v4(inner)
    if reason is None:
        return None
    return f"{kind} address embedding {inner} ({reason})"


def classify_address(ip: IPAddress) -> str | None:
    """Return why ``ip`` is not a globally routable unicast address, or None if it is.

    IPv4-mapped (``::ffff:a.b.c.d``) and IPv4-compatible (``::a.b.c.d``) addresses are refused whatever
    they embed: a public feed never needs them, and they are a classic way to smuggle ``127.0.0.1`` past
    a check that only knows IPv4. NAT64, 6to4 and Teredo addresses are refused when the IPv4 address they
    embed is refused.
    """
    if isinstance(ip, ipaddress.IPv4Address):
        return _classify_v4(ip)
    if ip.scope_id:
        return "scoped IPv6 address (zone index)"
    mapped = ip.ipv4_mapped
    if mapped is not None:
        inner = _classify_v4(mapped)
        detail = f" embedding {mapped} ({inner})" if inner else f" embedding {mapped}"
        return f"IPv4-mapped IPv6 address{detail}; use the IPv4 address"
    for network, reason in _IPV6_TABLE[:2]:
        if ip in network:
            return reason
    if ip in _V4_COMPATIBLE:
        inner_v4 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        return f"IPv4-compatible IPv6 address (deprecated) embedding {inner_v4}"
    if ip in _NAT64:
        return _embedded("NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _TEREDO:
        teredo = ip.teredo
        assert teredo is not None
        server, client = teredo
        return _embedded("Teredo", server) or _embedded("Teredo", client)
    if ip in _SIXTOFOUR:
        sixtofour = ip.sixtofour
        assert sixtofour is not None
        return _embedded("6to4", sixtofour)
    for network, reason in _IPV6_TABLE[2:]:
        if ip in network:
            return reason
    if ip not in _GLOBAL_UNICAST:
        return "reserved (outside the IPv6 global unicast range 2000::/3)"
    return None


def block_non_global(host: str, ip: IPAddress) -> str | None:
    """The production policy: only globally routable unicast addresses, whatever the host name."""
    return classify_address(ip)


def allow_all(host: str, ip: IPAddress) -> str | None:
    """Policy for ``allow_private_addresses=True`` (tests, self-hosted setups): every address is fine."""
    return None


# One inet_aton component: hex (0x..., "0x" alone is 0), octal (leading 0) or decimal.
_NUMERIC_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")
# A label that the C library or a WHATWG URL parser would read as a number rather than a name.
_NUMERIC_LOOKING = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def _numeric_value(part: str) -> int:
    if part[:2] in ("0x", "0X"):
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part[0] == "0":
        return int(part[1:], 8)
    return int(part)


def parse_host_literal(host: str) -> IPAddress | None:
    """Read ``host`` as an IP address literal, in every spelling a resolver would accept.

    Handles bracketed and bare IPv6 (with ``%25`` zone ids as found in URLs) and the ``inet_aton``
    forms of IPv4: one to four dot-separated parts, each decimal, octal (``0177``) or hex (``0x7f``), the
    last part filling the remaining bytes (``127.1``, ``2130706433``, ``0x7f.1``). A single trailing dot
    is ignored, as URL parsers do. Returns None for anything that is not such a literal.
    """
    text = host.strip().lower()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        text = text.replace("%25", "%")
        try:
            return ipaddress.IPv6Address(text)
        except ValueError:
            return None
    if text.endswith("."):
        text = text[:-1]
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_NUMERIC_PART.fullmatch(part) for part in parts):
        return None
    values = [_numeric_value(part) for part in parts]
    if any(value > 0xFF for value in values[:-1]) or values[-1] >= 256 ** (5 - len(values)):
        return None
    number = 0
    for value in values[:-1]:
        number = (number << 8) | value
    number = (number << (8 * (5 - len(values)))) | values[-1]
    return ipaddress.IPv4Address(number)


def _ascii_host(host: str, url: str) -> str:
    """Lower-case ASCII (IDNA) form of a host name, refusing anything that is not a valid DNS name."""
    if host.isascii():
        ascii_host = host.lower()
    else:
        try:
            # The idna package (UTS 46 / IDNA 2008) is what yarl and so aiohttp use; the stdlib codec is
            # IDNA 2003 and maps e.g. "ß" differently, which would make us check another name.
            import idna

            ascii_host = idna.encode(host, uts46=True).decode("ascii")
        except (ImportError, UnicodeError, ValueError) as exc:
            raise BlockedURL(f"invalid international host name {host!r}", url) from exc
    name = ascii_host[:-1] if ascii_host.endswith(".") else ascii_host
    if not name or len(name) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in name.split(".")):
        raise BlockedURL(f"invalid host name {host!r}", url)
    return ascii_host


def _refuse_ip(policy: AddressPolicy, host: str, ip: IPAddress, written: str, url: str) -> None:
    reason = policy(host, ip)
    if reason is None:
        return
    odd_spelling = ip.version == 4 and written.lower() != str(ip)
    spelled = f" (host {written!r} is a numeric form of it)" if odd_spelling else ""
    raise BlockedURL(f"address {ip} is not allowed: {reason}{spelled}", url)


# Longer than our ~60-line guideline on purpose: the checks run in one order, top to bottom, as the
# docstring lists them, and a security reviewer should read that sequence in one place.
def check_url(url: str, *, allow_private: bool = False, policy: AddressPolicy | None = None) -> ParsedTarget:
    """Vet a feed URL and return the canonical form to request, or raise ``BlockedURL``.

    Rules, and why:

    * only ``http``/``https``: other schemes (``file:``, ``ftp:``, ``gopher:``) reach local files or
      speak other protocols;
    * no ``user:pass@``: the URL is stored and shown to every moderator in ``/feed list``, so secrets in
      it would leak, and ``https://trusted.example@evil.example/`` is a classic way to mislead a reader;
    * no whitespace or control characters: parsers disagree on whether to strip them, and a check is only
      sound if the checker and the client read the URL the same way;
    * the host must be a valid DNS name or an IP literal; IP literals in any spelling and the name
      ``localhost`` are run through ``policy`` here (names are checked again once resolved);
    * a last label that looks numeric but is not a valid address (``1.2.3.4.5``, ``08.0.0.1``) is
      refused, as a WHATWG URL parser would, because some resolvers still read it as a number.

    ``policy`` decides about addresses (default ``block_non_global``, or ``allow_all`` when
    ``allow_private`` is true: tests and self-hosted setups); everything else applies regardless.
    """
    if policy is None:
        policy = allow_all if allow_private else block_non_global
    if not isinstance(url, str):
        raise TypeError(f"url must be str, not {type(url).__name__}")
    text = url.strip()
    if len(text) > MAX_URL_LENGTH:
        raise BlockedURL(f"URL is longer than {MAX_URL_LENGTH} characters", url)
    if any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in text):
        raise BlockedURL("URL contains whitespace or control characters", url)
    if "\\" in text:
        raise BlockedURL("URL contains a backslash", url)
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise BlockedURL(f"malformed URL ({exc})", url) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise BlockedURL(f"only http and https URLs are allowed (got {scheme or 'no scheme'!r})", url)
    netloc = parts.netloc
    if "@" in netloc:
        raise BlockedURL("credentials in URLs (user:password@) are not allowed", url)
    if not parts.hostname:
        raise BlockedURL("URL has no host", url)
    try:
        port = parts.port
    except ValueError as exc:
        raise BlockedURL("URL has an invalid port", url) from exc
    if port == 0:
        raise BlockedURL("URL has an invalid port", url)
    default_port = 443 if scheme == "https" else 80
    port = port or default_port

    # The host exactly as written, for messages ("0x7f.1 is a numeric form of 127.0.0.1").
    written = netloc[: netloc.find("]") + 1] if netloc.startswith("[") else netloc.split(":", 1)[0]
    raw_host = parts.hostname  # lower-cased, brackets removed
    ip: IPAddress | None
    if netloc.startswith("["):
        ip = parse_host_literal(raw_host)
        if not isinstance(ip, ipaddress.IPv6Address):
            raise BlockedURL(f"invalid IPv6 address {raw_host!r}", url)
    else:
        if ":" in raw_host:
            raise BlockedURL(f"invalid host {raw_host!r}", url)
        ip = parse_host_literal(raw_host)

    if ip is not None:
        host = str(ip)
        _refuse_ip(policy, host, ip, written, url)
        host_in_url = f"[{ip.compressed}]" if ip.version == 6 else host
    else:
        host = _ascii_host(raw_host, url)
        name = host.rstrip(".")
        if _NUMERIC_LOOKING.fullmatch(name.rsplit(".", 1)[-1]):
            raise BlockedURL(f"malformed numeric host {raw_host!r}", url)
        if name == "localhost" or name.endswith(".localhost"):
            # RFC 6761: these names always mean loopback, whatever DNS says.
            _refuse_ip(policy, host, ipaddress.IPv4Address("127.0.0.1"), "127.0.0.1", url)
        host_in_url = host

    authority = host_in_url if port == default_port else f"{host_in_url}:{port}"
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return ParsedTarget(
        url=f"{scheme}://{authority}{path}{query}", scheme=scheme, host=host, port=port, ip=ip
    )
