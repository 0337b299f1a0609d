"""The SSRF address table, numeric host spellings and URL vetting (pure)."""

from __future__ import annotations

import ipaddress
import socket

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from domain.netguard import (
    BlockedURL,
    allow_all,
    check_url,
    classify_address,
    parse_host_literal,
)

ip = ipaddress.ip_address


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "this network"),
        ("10.20.30.40", "private"),
        ("100.64.0.1", "shared address space"),
        ("100.127.255.254", "shared address space"),
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("169.254.169.254", "link-local"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.0.0.8", "IETF protocol assignments"),
        ("192.0.2.10", "documentation"),
        ("192.88.99.1", "6to4 relay"),
        ("192.168.1.1", "private"),
        ("198.18.0.1", "benchmarking"),
        ("198.19.255.255", "benchmarking"),
        ("198.51.100.7", "documentation"),
        ("203.0.113.9", "documentation"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "broadcast"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "IPv4-mapped IPv6 address embedding 127.0.0.1 (loopback)"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("64:ff9b::10.0.0.1", "NAT64 address embedding 10.0.0.1"),
        ("64:ff9b:1::1", "local-use NAT64"),
        ("100::1", "discard-only"),
        ("2001:db8::1", "documentation"),
        ("2001:2::1", "IETF protocol assignments"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "Teredo"),  # embeds 192.0.2.45 (documentation)
        ("2002:7f00:1::1", "6to4 address embedding 127.0.0.1"),
        ("2002:c0a8:0101::1", "6to4 address embedding 192.168.1.1"),
        ("3fff::1", "documentation"),
        ("5f00::1", "SRv6"),
        ("fc00::1", "unique local"),
        ("fd12:3456::1", "unique local"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("4000::1", "outside the IPv6 global unicast range"),
        ("fe80::1%eth0", "scoped"),
    ],
)
def test_refused_addresses(address: str, expected: str) -> None:
    reason = classify_address(ip(address))
    assert reason is not None and expected in reason


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "100.63.255.255", "100.128.0.0", "172.32.0.1", "192.169.0.1",
     "198.20.0.1", "223.255.255.255", "2606:4700:4700::1111", "2001:4860:4860::8888",
     "64:ff9b::8.8.8.8", "2002:808:808::1"],
)  # fmt: skip
def test_public_addresses_are_allowed(address: str) -> None:
    assert classify_address(ip(address)) is None


@given(st.ip_addresses(v=4))
def test_our_ipv4_table_is_at_least_as_strict_as_python(address: ipaddress.IPv4Address) -> None:
    if classify_address(address) is None:
        assert address.is_global and not address.is_multicast


@given(st.ip_addresses(v=6))
@example(ipaddress.IPv6Address("2001:db8::1"))
def test_our_ipv6_table_is_at_least_as_strict_as_python(address: ipaddress.IPv6Address) -> None:
    if classify_address(address) is None and address not in ipaddress.IPv6Network("64:ff9b::/96"):
        # NAT64 with a public embedded address is deliberately allowed; Python calls all of it non-global.
        assert address.is_global, address


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("10.0.0.1.", "10.0.0.1"),
        ("0xA9.0xFE.0xA9.0xFE", "169.254.169.254"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:7f00:1]", "::ffff:7f00:1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[fe80::1%25eth0]", "fe80::1%eth0"),
    ],
)
def test_parse_host_literal(host: str, expected: str) -> None:
    assert str(parse_host_literal(host)) == expected


@pytest.mark.parametrize(
    "host",
    ["example.com", "1.2.3.4.5", "08.0.0.1", "256.1.1.1", "1.2.3.256x", "4294967296", "0x1g", "", "::zz"],
)
def test_parse_host_literal_rejects(host: str) -> None:
    assert parse_host_literal(host) is None


_part = st.one_of(
    st.integers(0, 0xFFFFFFFF).map(str),
    st.integers(0, 0xFFFFFFFF).map(lambda n: f"0{n:o}"),
    st.integers(0, 0xFFFFFFFF).map(lambda n: f"0x{n:x}"),
    st.integers(0, 0xFFFFFFFF).map(lambda n: f"0X{n:X}"),
)


@given(st.lists(_part, min_size=1, max_size=4).map(".".join))
def test_parse_host_literal_agrees_with_inet_aton(host: str) -> None:
    """Whatever the C library would connect to, we classify the same address."""
    try:
        expected = ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        expected = None
    assert parse_host_literal(host) == expected


# --------------------------------------------------------------------------------------------------
# check_url: the SSRF matrix

BLOCKED = [
    ("http://127.0.0.1/", "loopback"),
    ("http://127.0.0.1:8080/feed", "loopback"),
    ("http://2130706433/", "host '2130706433' is a numeric form of it"),
    ("http://0x7f.1/", "host '0x7f.1' is a numeric form of it"),
    ("http://0177.0.0.1/", "host '0177.0.0.1' is a numeric form of it"),
    ("http://127.1/", "host '127.1' is a numeric form of it"),
    ("http://017700000001/", "loopback"),
    ("http://0/", "unspecified"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped IPv6 address embedding 127.0.0.1"),
    ("http://[::ffff:127.0.0.1]:80/", "IPv4-mapped IPv6 address embedding 127.0.0.1"),
    ("http://[::127.0.0.1]/", "IPv4-compatible"),
    ("http://[64:ff9b::a00:1]/", "NAT64 address embedding 10.0.0.1"),
    ("http://[2002:a00:1::]/", "6to4 address embedding 10.0.0.1"),
    ("http://[fc00::1]/", "unique local"),
    ("http://[fe80::1%25eth0]/", "scoped"),
    ("http://[fec0::1]/", "site-local"),
    ("http://10.0.0.1/", "private"),
    ("http://172.16.5.4/", "private"),
    ("http://192.168.0.1/", "private"),
    ("http://100.64.0.1/", "shared address space"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://0xA9FEA9FE/", "link-local"),
    ("http://192.0.0.1/", "IETF protocol assignments"),
    ("http://192.0.2.1/", "documentation"),
    ("http://198.51.100.1/", "documentation"),
    ("http://203.0.113.1/", "documentation"),
    ("http://[2001:db8::1]/", "documentation"),
    ("http://198.18.0.1/", "benchmarking"),
    ("http://240.0.0.1/", "reserved"),
    ("http://255.255.255.255/", "broadcast"),
    ("http://224.0.0.1/", "multicast"),
    ("http://localhost/", "loopback"),
    ("http://LOCALHOST./", "loopback"),
    ("http://films.localhost/", "loopback"),
    ("http://user:pass@example.com/", "credentials"),
    ("http://user@example.com/", "credentials"),
    ("http://example.com@127.0.0.1/", "credentials"),
    ("ftp://example.com/feed", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("gopher://example.com/", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("//example.com/feed", "only http and https"),
    ("http:///feed", "no host"),
    ("http://exa mple.com/", "whitespace"),
    ("http://example.com/\nHost: evil", "whitespace"),
    ("http://example.com\\@127.0.0.1/", "backslash"),
    ("http://ex%41mple.com/", "invalid host name"),
    ("http://1.2.3.4.5/", "malformed numeric host"),
    ("http://08.0.0.1/", "malformed numeric host"),
    ("http://example.123/", "malformed numeric host"),
    ("http://example.com:0/", "invalid port"),
    ("http://example.com:99999/", "invalid port"),
    ("http://[::1/", "malformed URL"),
    ("http://" + "a" * 2100 + ".com/", "longer than 2048"),
]


@pytest.mark.parametrize(("url", "expected"), BLOCKED)
def test_blocked_urls(url: str, expected: str) -> None:
    with pytest.raises(BlockedURL) as info:
        check_url(url)
    assert expected in info.value.reason
    assert info.value.url == url
    assert str(info.value) == info.value.reason


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example.com/feed.xml", "https://example.com/feed.xml"),
        ("  HTTPS://Films.Example.COM/Feed?a=1#top ", "https://films.example.com/Feed?a=1"),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:80/x", "http://example.com/x"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
        ("http://bücher.example/feed", "http://xn--bcher-kva.example/feed"),
        ("http://8.8.8.8/rss", "http://8.8.8.8/rss"),
        ("http://[2606:4700:4700::1111]/rss", "http://[2606:4700:4700::1111]/rss"),
        ("http://feeds_cdn.example.org./rss", "http://feeds_cdn.example.org./rss"),
    ],
)
def test_allowed_urls(url: str, canonical: str) -> None:
    target = check_url(url)
    assert target.url == canonical


def test_target_parts() -> None:
    target = check_url("https://Example.com:8443/a?b=c")
    assert (target.scheme, target.host, target.port, target.ip) == ("https", "example.com", 8443, None)
    literal = check_url("http://8.8.8.8/")
    assert literal.ip == ip("8.8.8.8") and literal.host_key == "8.8.8.8"


def test_allow_private_keeps_the_other_rules() -> None:
    assert check_url("http://127.1:8080/feed", allow_private=True).url == "http://127.0.0.1:8080/feed"
    assert check_url("http://localhost/", policy=allow_all).host == "localhost"
    with pytest.raises(BlockedURL, match="credentials"):
        check_url("http://u:p@127.0.0.1/", allow_private=True)
    with pytest.raises(BlockedURL, match="only http"):
        check_url("file:///etc/passwd", allow_private=True)


def test_host_aware_policy() -> None:
    def policy(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
        return None if host == "10.1.1.1" else classify_address(address)

    assert check_url("http://10.1.1.1/", policy=policy).ip == ip("10.1.1.1")
    with pytest.raises(BlockedURL):
        check_url("http://10.1.1.2/", policy=policy)


def test_non_string_url() -> None:
    with pytest.raises(TypeError):
        check_url(b"http://example.com/")  # type: ignore[arg-type]
