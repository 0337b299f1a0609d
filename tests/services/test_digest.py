"""DigestService: a server's content-warning choices become digest options (defaults vs explicit)."""

from __future__ import annotations

from domain.digest import CATEGORIES, CATEGORY_LABELS, Article, ContentWarning, Digest, digest_entry
from domain.digest.models import DEFAULT_SPOILER_CATEGORIES
from domain.markdown import escape_markdown, utf16_len
from domain.models import Subscription, SubscriptionStatus
from services.digest import NOTE_LIMIT, DigestService, evidence_note
from settings import DigestSettings
from storage import warnings
from storage.db import Database


async def test_a_new_server_gets_the_default_spoiler_categories(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    options = await service.options_for(1)
    assert options.spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_explicit_choices_replace_the_default_per_category(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", spoiler=False)
    await service.update_warnings(1, "violence", spoiler=True)
    options = await service.options_for(1)
    assert options.spoiler_categories == (DEFAULT_SPOILER_CATEGORIES - {"gore"}) | {"violence"}
    stored = await warnings.get(db, 1)
    assert stored.unspoilered_categories == {"gore"} and stored.spoiler_categories == {"violence"}
    # Changing it back is an explicit choice too, and another server is untouched.
    await service.update_warnings(1, "gore", spoiler=True)
    assert "gore" in (await service.options_for(1)).spoiler_categories
    assert (await warnings.get(db, 1)).unspoilered_categories == frozenset()
    assert (await service.options_for(2)).spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_other_changes_do_not_turn_a_default_into_a_choice(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", add_term="eyeball scene")
    stored = await warnings.get(db, 1)
    assert stored.spoiler_categories == frozenset() and stored.unspoilered_categories == frozenset()
    assert (await service.options_for(1)).spoiler_categories == DEFAULT_SPOILER_CATEGORIES


async def test_a_hidden_label_drops_the_default_but_not_an_explicit_choice(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "gore", shown=False)
    await service.update_warnings(1, "torture", shown=False, spoiler=True)
    options = await service.options_for(1)
    assert "gore" not in options.spoiler_categories and "torture" in options.spoiler_categories


# --------------------------------------------------------------------------------------------------
# /feed test: the private note under the test post


def _digest(title: str, html: str) -> Digest:
    return digest_entry(Article(title=title, html=html))


def test_the_note_gives_each_warnings_evidence_the_spoiler_reasons_and_the_language() -> None:
    digest = _digest(
        "Night Shift: ending explained",
        "<p>A man is stabbed to death in the opening scene, and a dog is kicked to death later. "
        "The film follows a night nurse through one long shift in a hospital that is about to close.</p>",
    )
    note = evidence_note(digest)
    assert "⚠️ **violence**: “A man is stabbed”" in note
    assert "⚠️ **animal harm**: “a dog is kicked”" in note
    assert "🙈 **Spoiler**: " in note and "ending explained" in note
    assert note.endswith("🌐 language: English (en) · content warnings checked")


def test_the_note_says_when_warnings_were_not_checked() -> None:
    digest = _digest(
        "Vrah",
        "<p>Zaměstnavatel je zavražděn a policie nemá žádné stopy. Film vypráví o malém městě na severu "
        "Čech, kde se všichni znají a nikdo nic neviděl.</p>",
    )
    note = evidence_note(digest)
    assert "content warnings not checked" in note and "no content warnings found" not in note
    assert note.endswith("🌐 language: Czech (cs) · content warnings **not checked**")
    clean = _digest(
        "Festival lineup", "<p>The festival announced its lineup of twenty films today in Venice.</p>"
    )
    assert "⚠️ no content warnings found" in evidence_note(clean)
    assert "🙈 not spoilered" in evidence_note(clean)


def test_feed_text_in_the_note_cannot_format_or_ping() -> None:
    digest = Digest(
        title="t",
        url=None,
        published=None,
        summary="",
        warnings=(
            ContentWarning("violence", "violence", ("@everyone is **stabbed** ||twice||", "<@123> `x`")),
        ),
        spoiler=True,
        spoiler_reasons=("tagged “[x](https://evil.example) @here”",),
        payload={},
        language="en",
        warnings_checked=True,
    )
    note = evidence_note(digest)
    for live in ("@everyone", "@here", "<@123>", "**stabbed**", "||twice||", "[x](", "`x`"):
        assert live not in note
    assert "stabbed" in note and "evil.example" in note


def test_the_note_fits_one_message_however_much_there_is_to_say() -> None:
    long = "a very long phrase of evidence @everyone " * 20
    digest = Digest(
        title="t",
        url=None,
        published=None,
        summary="",
        warnings=tuple(ContentWarning(c, CATEGORY_LABELS[c], (long,) * 30) for c in CATEGORIES),
        spoiler=True,
        spoiler_reasons=tuple(f"reason {i} {long}" for i in range(40)),
        payload={},
        language=None,
        warnings_checked=False,
    )
    note = evidence_note(digest)
    assert utf16_len(note) <= NOTE_LIMIT
    assert all(f"**{escape_markdown(CATEGORY_LABELS[c])}**" in note for c in CATEGORIES)
    assert "more)" in note and note.endswith("🌐 language: unknown · content warnings **not checked**")


async def test_test_post_is_the_rendered_message_and_its_note(db: Database) -> None:
    service = DigestService(db, DigestSettings())
    await service.update_warnings(1, "animal-harm", shown=False)
    entry = {
        "title": "Night Shift",
        "link": "https://films.example/night-shift",
        "summary": "<p>A man is stabbed to death in the opening scene, and a dog is kicked to death later. "
        "The film follows a night nurse through one long shift.</p>",
    }
    sub = Subscription(1, 1, 1, 2, "Films", None, None, False, SubscriptionStatus.ACTIVE, None, 0)
    test = await service.test_post(entry, "Film Daily", sub)
    rendered = await service.render(entry, "Film Daily", sub)
    assert test.payload == {k: v for k, v in rendered.items() if k != "post"}
    assert "**violence**" in test.note and "A man is stabbed" in test.note
    assert "animal harm" not in test.note  # the server hid that label: the note follows the post
