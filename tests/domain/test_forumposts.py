"""Forum post names, cutting at a word and matching a forum's own tags to warnings (table-driven)."""

from __future__ import annotations

import pytest

from domain.digest.models import CATEGORY_LABELS
from domain.forumposts import (
    MAX_TAGS,
    NAME_LIMIT,
    ForumTag,
    cut_at_word,
    map_tags,
    post_name,
    required_tag_problem,
    select_tags,
    tag_key,
    wanted_tags,
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Gore", "gore"),
        ("cw: violence", "violence"),
        ("CW:Violence", "violence"),
        ("TW - Self-harm", "self harm"),
        ("🩸 Gore", "gore"),
        ("⚠️ cw: gore", "gore"),
        ("Self-harm/Suicide", "self harm suicide"),
        ("sexual-violence", "sexual violence"),
        ("🙈 SPOILERS", "spoilers"),
        ("Spoilers!", "spoilers"),
        ("📰", ""),
        ("Cw", "cw"),  # a tag named just "CW" is not a prefix of nothing
    ],
)
def test_tag_key(name: str, key: str) -> None:
    assert tag_key(name) == key


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Short title", 100, "Short title"),
        ("  spaced\n  out  ", 100, "spaced out"),
        ("one two three four", 12, "one two…"),
        ("one two, three", 11, "one two…"),
        ("Supercalifragilistic", 10, "Supercali…"),
        ("a Supercalifragilistic", 10, "a Superca…"),
        ("", 10, ""),
    ],
)
def test_cut_at_word(text: str, limit: int, expected: str) -> None:
    got = cut_at_word(text, limit)
    assert got == expected
    assert len(got) <= limit


def test_long_titles_are_cut_at_a_word_within_discords_limit() -> None:
    title = "The " + "extraordinarily " * 10 + "ending"
    name = post_name(title, spoiler=False, feed="Film Daily")
    assert len(name) <= NAME_LIMIT and name.endswith("extraordinarily…")


@pytest.mark.parametrize(
    ("title", "spoiler", "feed", "film", "expected"),
    [
        ("Festival news", False, "Film Daily", None, "Festival news"),
        ("Heat ending explained: he dies", True, "Film Daily", "Heat", "Spoilers — Heat (from Film Daily)"),
        ("Who dies in the finale", True, "Film Daily", None, "Spoilers — Film Daily article"),
        ("Who dies", True, "Film Daily", "  ", "Spoilers — Film Daily article"),
        ("", False, "Film Daily", None, "Film Daily article"),
    ],
)
def test_post_name(title: str, spoiler: bool, feed: str, film: str | None, expected: str) -> None:
    assert post_name(title, spoiler=spoiler, feed=feed, film=film) == expected


def test_spoiler_names_never_contain_the_title_and_fit_even_with_long_parts() -> None:
    name = post_name("The twist", spoiler=True, feed="F" * 300, film="G" * 300)
    assert "twist" not in name and len(name) <= NAME_LIMIT and name.startswith("Spoilers — ")
    assert len(post_name("x", spoiler=True, feed="F " * 200)) <= NAME_LIMIT


FORUM = [
    ForumTag(1, "🩸 Gore"),
    ForumTag(2, "cw: violence"),
    ForumTag(3, "Spoilers"),
    ForumTag(4, "Self-harm"),
    ForumTag(5, "News"),
    ForumTag(6, "Torture"),
    ForumTag(7, "Sexual Violence"),
    ForumTag(8, "Reviews"),
    ForumTag(9, "Animal harm", moderated=True),
]


@pytest.mark.parametrize(
    ("warnings", "spoiler", "expected"),
    [
        ((), False, (5,)),
        (("gore",), False, (1, 5)),
        (("violence", "gore"), True, (3, 2, 1, 5)),
        (("self-harm",), False, (4, 5)),
        (("hate",), False, (5,)),  # no tag for it
        (("animal-harm",), False, (5,)),  # moderated: the bot may not apply it
        (("gore", "violence", "torture", "sexual-violence", "self-harm"), True, (3, 1, 2, 6, 7)),
    ],
)
def test_tags_for_item(warnings: tuple[str, ...], spoiler: bool, expected: tuple[int, ...]) -> None:
    wanted = wanted_tags([(c, CATEGORY_LABELS[c]) for c in warnings], spoiler, "Film Daily")
    got = select_tags(FORUM, wanted)
    assert got == expected and len(got) <= MAX_TAGS


def test_mapping_lists_the_missing_tags_and_moderated_tags_count_with_manage_threads() -> None:
    mapping = map_tags(FORUM, CATEGORY_LABELS)
    assert mapping.warnings["gore"] == ForumTag(1, "🩸 Gore") and mapping.warnings["hate"] is None
    assert "Hate/bigotry" in mapping.missing(CATEGORY_LABELS) and "Spoilers" not in mapping.missing(
        CATEGORY_LABELS
    )
    assert map_tags(FORUM, CATEGORY_LABELS, can_moderate=True).warnings["animal-harm"] is not None
    assert map_tags([], CATEGORY_LABELS).missing(CATEGORY_LABELS)[-1] == "Spoilers"


@pytest.mark.parametrize(
    ("tags", "requires", "feed", "ok"),
    [
        ([ForumTag(1, "Gore")], False, "Film Daily", True),
        ([ForumTag(1, "Gore")], True, "Film Daily", False),
        ([ForumTag(1, "Gore"), ForumTag(2, "📰 News")], True, "Film Daily", True),
        ([ForumTag(1, "film daily")], True, "Film Daily", True),
        ([ForumTag(2, "News", moderated=True)], True, "Film Daily", False),
    ],
)
def test_a_forum_requiring_tags_needs_one_that_fits_every_article(
    tags: list[ForumTag], requires: bool, feed: str, ok: bool
) -> None:
    assert (required_tag_problem(tags, requires, feed_name=feed) is None) is ok


def test_a_tag_named_like_the_feed_is_preferred_and_moderated_tags_need_manage_threads() -> None:
    forum = [*FORUM, ForumTag(10, "Film Daily")]
    assert select_tags(forum, wanted_tags([], False, "film daily")) == (10,)
    assert select_tags(FORUM, wanted_tags([("animal-harm", "animal harm")], False), can_moderate=True) == (
        9,
        5,
    )
