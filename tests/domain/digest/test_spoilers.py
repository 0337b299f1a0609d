"""Spoiler-prone articles."""

from __future__ import annotations

import pytest

from domain.digest import detect_spoilers


@pytest.mark.parametrize(
    ("title", "text", "reason"),
    [
        ("'Longlegs' ending explained: who is the real killer?", "", "ending explained"),
        ("Review", "The ending, explained: it was all a dream.", "ending explained"),
        ("Review", "Spoilers ahead for the whole season.", "marked as containing spoilers"),
        ("Review", "SPOILER ALERT: the captain survives.", "marked as containing spoilers"),
        ("The Substance [spoilers]", "", "marked as containing spoilers"),
        ("Review", "That twist ending changes everything.", "discusses a twist"),
        ("Review", "The third-act twist is the best of the year.", "discusses a twist"),
        ("Recap: The Bear, season 3", "", "finale or recap"),
        ("Review", "Everything we learned from the season finale.", "finale or recap"),
        ("Who dies in 'Squid Game' season 2?", "", "reveals who dies"),
        ("Review", "The captain is killed off in the last episode.", "reveals who dies"),
        ("Review", "The fate of Ellen Hutter is sealed in the last reel.", "discusses a character's fate"),
        ("Review", "Stay for the post-credits scene.", "post-credits scene"),
        ("Review", "The mid-credits sequence sets up the sequel.", "post-credits scene"),
        ("Review", "The film finally reveals the killer in a courtroom.", "reveals the culprit"),
        ("Andor S02E03 review", "", "episode discussion"),
        ("FIVE NIGHTS AT FREDDY'S 2 Solves A Huge Mystery From The Games", "", "reveals a mystery's answer"),
        ("Review", "Fans finally have the answer to what is in the box.", "reveals a mystery's answer"),
        ("Review", "The lighthouse mystery, solved at last.", "reveals a mystery's answer"),
        ("HBO's 'The Staircase' Ends On An Ambiguous, Satisfying Note", "", "discusses the ending"),
        ("Why the bleak ending of 'The Mist' still hurts", "", "discusses the ending"),
        ("Review", "In the original, the killer in that movie was Pamela Voorhees.", "reveals the culprit"),
        ("'DTF St. Louis' Star Unpacks Clark's Episode 2 Interrogation", "", "episode discussion"),
        ("Project Hail Mary Changes a Dark Moment from the Book", "", "discusses a change to the story"),
        ("'Wicked: For Good': The Glinda Twist and the Last-Minute Fix", "", "discusses a twist"),
        ("Watch the 'Sinners' Director Break Down the Big Juke Joint Scene", "", "discusses a key scene"),
        ("How 'Grey's Anatomy' Explains Dr. Hunt's Season 21 Exit", "", "discusses a character's fate"),
    ],
)
def test_spoiler_prone(title: str, text: str, reason: str) -> None:
    assert reason in detect_spoilers(title, text)


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Spoiler-free review: Nosferatu", "No spoilers here, just vibes."),
        ("Review", "A fresh twist on the haunted-house formula."),
        ("Review", "The fate of the franchise depends on this weekend."),
        ("Trailer", "The first trailer for the sequel is here."),
        ("Review", "We won't spoil the ending."),
        (
            "A review of Spider-Man: No Way Home with as few spoilers as possible",
            "It finds its hero battling foes.",
        ),
        ("Antebellum: TV Spot - Don't Give Away the Twist", "Watch the TV spot for the film."),
        ("Review", "Without giving away the ending, the last act is a knockout."),
        ("Review", "A detective must solve the mystery of a missing girl."),
        ("Review", "She tries to solve a murder mystery in a small town."),
        ("5 Horror Slots", "But here's the twist: you don't need a console to get the rush."),
        ("The SILENT HILL F Manga Will Include A Brand New Ending", "An adaptation is in the works."),
        ("Interview", "The leads tell us about the twists, turns, and treats of the show."),
        ("Review", "The killer was never caught, and the killer is still out there."),
        ("Interview", "The director talks about the credits of his career."),
        ("Netflix Puts a Fresh Twist on the Heist Film", "A crew robs a casino."),
        ("Thriller With a Supernatural Twist Sets Its Cast", "The cast is announced."),
        ("The Director Explains Why He Cut the Opening Credits", "He talks budgets."),
        ("Studio Chief Explains His Abrupt Departure", "He joins a rival."),
        ("In the Latest Twist in the Warner Bros. Saga, Paramount Raises Its Bid", "Shares rose."),
        ("The Star Explains the Moment She Knew She Had the Part", "An interview."),
    ],
)
def test_not_spoiler_prone(title: str, text: str) -> None:
    assert detect_spoilers(title, text) == ()


def test_reasons_are_unique_and_ordered() -> None:
    reasons = detect_spoilers(
        "Ending explained", "Spoilers ahead. The ending explained, with spoilers for all."
    )
    assert reasons == ("ending explained", "marked as containing spoilers")


def test_calendar_placeholder_episodes_reveal_nothing_but_named_episodes_may() -> None:
    assert detect_spoilers("[TV] Slow Horses — S06E01 — TBA", "") == ()
    assert detect_spoilers("[TV] Neagley — S01E01 — Episode 1", "") == ()
    assert detect_spoilers("[TV] Silo — S03E09 — Farewell", "") == ("episode discussion",)


def test_surprise_reveals_and_cameos_are_spoilers() -> None:
    assert detect_spoilers("", "No one expected the surprising reveal it includes.") == ("discusses a twist",)
    assert detect_spoilers("Wonder Woman 1984 Has a Blink-and-Miss-It Cameo", "") == ("discusses a twist",)
