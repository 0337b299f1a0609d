"""[digest] fetch_full_article: teasers expanded from the linked page, through the real guarded fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.digest import Article
from domain.models import Subscription
from services.digest import DigestService
from services.fetcher import Fetcher
from services.fullarticle import ArticleExpander, extract_main_text
from settings import DigestSettings
from storage.db import Database
from tests.feedserver import FeedServer
from tests.services.test_fetcher import loopback_limits

PARAGRAPHS = [
    "Director Ana Gariépy spent seven years building the haunted lighthouse at the centre of her debut feature.",
    "The cast rehearsed on a storm-battered island off the coast of Brittany, sleeping in tents for a month.",
    "Gariépy said the lighthouse keeper's diary, found in a flea market, gave her the story's structure.",
    "The film premieres in the Venice Horizons section before a winter release in French cinemas.",
]
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>Lighthouse</title><script>var x=1;</script></head>"
    "<body><nav><a href='/'>Home</a> | <a href='/news'>News</a> | <a href='/reviews'>Reviews</a></nav>"
    "<article><h1>A haunted lighthouse</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><aside>Subscribe to our newsletter for more film news!</aside>"
    "<footer>Copyright 2026 Film Daily. All rights reserved.</footer></body></html>"
)
TEASER = "<p>Ana Gariépy's debut is a ghost story. Read more…</p>"


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as feed_server:
        feed_server.raw("/article", PAGE.encode(), content_type="text/html; charset=utf-8")
        yield feed_server


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(loopback_limits()) as loopback_fetcher:
        yield loopback_fetcher


def article(url: str | None, html: str = TEASER) -> Article:
    return Article(title="A haunted lighthouse", url=url, html=html)


def test_extract_main_text_keeps_the_article_and_drops_the_furniture() -> None:
    text = extract_main_text(PAGE.encode(), "text/html; charset=utf-8")
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "newsletter" not in text and "Copyright" not in text and "var x" not in text


def test_extract_main_text_reads_the_declared_charset() -> None:
    page = PAGE.replace("utf-8", "iso-8859-1").encode("iso-8859-1")
    text = extract_main_text(page, "text/html; charset=iso-8859-1")
    assert text is not None and "Gariépy" in text


async def test_a_teaser_is_replaced_by_the_page_text(server: FeedServer, fetcher: Fetcher) -> None:
    expanded = await ArticleExpander(fetcher).expand(article(server.url("/article")))
    assert "Brittany" in expanded.html and "Venice Horizons" in expanded.html
    assert [r.path for r in server.requests] == ["/article"]


async def test_a_full_article_is_not_fetched(server: FeedServer, fetcher: Fetcher) -> None:
    full = article(server.url("/article"), html="".join(f"<p>{p}</p>" for p in PARAGRAPHS * 2))
    assert await ArticleExpander(fetcher).expand(full) is full
    assert server.requests == []


@pytest.mark.parametrize(
    ("path", "setup"),
    [
        ("/missing", lambda s: s.status("/missing", 404)),
        ("/pdf", lambda s: s.raw("/pdf", b"%PDF-1.4 ...", content_type="application/pdf")),
        ("/empty", lambda s: s.raw("/empty", b"<html><body></body></html>", content_type="text/html")),
        ("/binary", lambda s: s.raw("/binary", bytes(range(256)) * 40, content_type="text/html")),
    ],
)
async def test_failures_keep_the_teaser(
    server: FeedServer, fetcher: Fetcher, path: str, setup: object
) -> None:
    setup(server)  # type: ignore[operator]
    teaser = article(server.url(path))
    assert await ArticleExpander(fetcher).expand(teaser) is teaser


async def test_private_addresses_stay_blocked(server: FeedServer) -> None:
    async with Fetcher(loopback_limits(allow_private_addresses=False)) as guarded:
        teaser = article(server.url("/article"))
        assert await ArticleExpander(guarded).expand(teaser) is teaser
    assert server.requests == []


async def test_digest_service_uses_the_expander(
    server: FeedServer, fetcher: Fetcher, any_db: Database
) -> None:
    entry = {"title": "A haunted lighthouse", "link": server.url("/article"), "summary": TEASER, "id": "x"}
    sub = Subscription(
        id=1,
        feed_id=1,
        guild_id=1,
        channel_id=2,
        name="Film Daily",
        include_filter=None,
        exclude_filter=None,
        force_spoiler=False,
        status="active",
        status_reason=None,
        created_at=0,
    )
    digest = DigestService(any_db, DigestSettings(fetch_full_article=True))
    plain = await digest.render(entry, "Film Daily", sub)
    assert "Brittany" not in str(plain)
    digest.expand = ArticleExpander(fetcher).expand
    payload = await digest.render(entry, "Film Daily", sub)
    description = payload["embeds"][0]["description"]
    assert "lighthouse" in description.lower() and "Read more" not in description


@pytest.mark.parametrize("enabled", [True, False])
async def test_the_container_wires_the_setting(tmp_path: Path, enabled: bool) -> None:
    from services.container import Services
    from settings import Settings

    settings = Settings(digest=DigestSettings(fetch_full_article=enabled))
    async with await Database.open(tmp_path / "db.sqlite3") as db:
        services = Services.build(settings, db)
        try:
            assert (services.digest.expand is not None) is enabled
        finally:
            await services.close()
