from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.polls import (
    BAR_EMPTY,
    BAR_FULL,
    NUMBER_EMOJI,
    Decision,
    IrvResult,
    PollError,
    Vote,
    apply_add,
    apply_remove,
    ballots_from_votes,
    draw_lot,
    emoji_index,
    format_percent,
    format_rounds,
    instant_runoff,
    nomination_key,
    parse_options,
    render_bars,
    tally,
)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("A; B; C", ("A", "B", "C")),
        ("Alien;Heat", ("Alien", "Heat")),
        ("  Crouching Tiger, Hidden Dragon ;  Up  ", ("Crouching Tiger, Hidden Dragon", "Up")),
        ("The   Thing;\nThe Fly", ("The Thing", "The Fly")),
        (";".join(str(i) for i in range(10)), tuple(str(i) for i in range(10))),
        ("x" * 100 + "; y", ("x" * 100, "y")),
        ("Amélie; Amelie", ("Amélie", "Amelie")),  # only case is ignored for duplicates
    ],
)
def test_parse_options(text: str, options: tuple[str, ...]) -> None:
    assert parse_options(text) == options


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Give 2 to 10 options"),
        ("   ", "Give 2 to 10 options"),
        ("Alien", "at least 2 options"),
        ("Alien, Heat", "at least 2 options"),  # commas don't separate
        ("A; B;", "Option 3 is empty"),
        ("A;; B", "Option 2 is empty"),
        (";", "Option 1 is empty"),
        ("A; ; B", "Option 2 is empty"),
        (";".join(str(i) for i in range(11)), "at most 10 options (you gave 11)"),
        ("x" * 101 + "; y", "Option 1 is longer than 100 characters"),
        ("Alien; ALIEN", "'ALIEN' is listed twice (options 1 and 2)"),
        ("Heat; Up; heat", "listed twice (options 1 and 3)"),
    ],
)
def test_parse_options_refuses(text: str, message: str) -> None:
    with pytest.raises(PollError) as excinfo:
        parse_options(text)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("emoji", "index"),
    [
        ("1\ufe0f\u20e3", 0),
        ("1\u20e3", 0),  # without the variation selector
        ("5\ufe0f\u20e3", 4),
        ("9\u20e3", 8),
        ("\U0001f51f", 9),
        ("\U0001f51f\ufe0f", 9),
        ("0\ufe0f\u20e3", None),
        ("#\ufe0f\u20e3", None),
        ("1", None),
        ("👍", None),
        ("", None),
    ],
)
def test_emoji_index(emoji: str, index: int | None) -> None:
    assert emoji_index(emoji) == index


def test_number_emoji_round_trip() -> None:
    assert len(NUMBER_EMOJI) == 10
    assert [emoji_index(e) for e in NUMBER_EMOJI] == list(range(10))


def test_nomination_key_uses_title_normalisation() -> None:
    assert nomination_key("The Substance", 2024) == nomination_key("substance", 2024) == ("substance", 2024)
    assert nomination_key("Amélie", None) == ("amelie", None)


# ------------------------------------------------------------------------------------------------- decisions


@pytest.mark.parametrize(
    ("mode", "max_choices", "current", "option", "expected"),
    [
        ("single", None, (), 2, Decision(True, (), False, "Vote recorded.")),
        ("single", None, (1,), 2, Decision(True, (1,), False, "Replaces your previous vote.")),
        (
            "single",
            None,
            (1, 3),
            2,
            Decision(True, (1, 3), False, "Replaces your previous vote."),
        ),  # race leftovers
        ("single", None, (2,), 2, Decision(False, (), False, "Already counted.")),
        ("multi", None, (0, 1, 2), 3, Decision(True, (), False, "Vote recorded.")),
        ("multi", 2, (0,), 1, Decision(True, (), False, "Vote recorded.")),
        (
            "multi",
            2,
            (0, 1),
            2,
            Decision(False, (), True, "You can pick at most 2 options: remove a reaction first."),
        ),
        (
            "multi",
            1,
            (0,),
            1,
            Decision(False, (), True, "You can pick at most 1 option: remove a reaction first."),
        ),
        ("multi", 2, (0, 1), 1, Decision(False, (), False, "Already counted.")),
        ("ranked", 3, (4, 2), 0, Decision(True, (), False, "Vote recorded.")),
        (
            "ranked",
            2,
            (4, 2),
            0,
            Decision(False, (), True, "You can rank at most 2 options: remove a reaction first."),
        ),
    ],
)
def test_apply_add(
    mode: str, max_choices: int | None, current: tuple[int, ...], option: int, expected: Decision
) -> None:
    assert apply_add(mode, max_choices, current, option) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "option", "accept"), [((1, 2), 2, True), ((1,), 2, False), ((), 0, False)]
)
def test_apply_remove(current: tuple[int, ...], option: int, accept: bool) -> None:
    decision = apply_remove(current, option)
    assert decision.accept is accept
    assert decision.remove_reaction is False


@pytest.mark.parametrize(("mode", "max_choices"), [("approval", None), ("multi", 0)])
def test_apply_add_rejects_bad_config(mode: str, max_choices: int | None) -> None:
    with pytest.raises(ValueError):
        apply_add(mode, max_choices, (), 0)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------------ tally


def votes(*triples: tuple[int, int, int]) -> list[Vote]:
    return [Vote(user, option, seq) for user, option, seq in triples]


@pytest.mark.parametrize(
    ("mode", "max_choices", "ballot", "counts", "voters", "winners"),
    [
        ("single", None, votes((1, 0, 1), (2, 0, 2), (3, 1, 3)), (2, 1, 0), 3, (0,)),
        # single: the latest vote per user wins, whatever the input order
        ("single", None, votes((1, 1, 5), (1, 0, 1), (2, 0, 2)), (1, 1, 0), 2, (0, 1)),
        ("multi", None, votes((1, 0, 1), (1, 1, 2), (2, 1, 3), (3, 2, 4)), (1, 2, 1), 3, (1,)),
        # multi with a cap: only the first max_choices (by seq) count
        ("multi", 2, votes((1, 0, 1), (1, 1, 2), (1, 2, 3), (2, 2, 4)), (1, 1, 1), 2, (0, 1, 2)),
        # duplicate (user, option) pairs count once
        ("multi", None, votes((1, 0, 1), (1, 0, 2)), (1, 0, 0), 1, (0,)),
        # ranked: counts are first preferences
        ("ranked", None, votes((1, 2, 1), (1, 0, 2), (2, 0, 3)), (1, 0, 1), 2, (0, 2)),
        # nobody voted
        ("single", None, [], (0, 0, 0), 0, ()),
    ],
)
def test_tally(
    mode: str,
    max_choices: int | None,
    ballot: list[Vote],
    counts: tuple[int, ...],
    voters: int,
    winners: tuple[int, ...],
) -> None:
    result = tally(ballot, 3, mode=mode, max_choices=max_choices)  # type: ignore[arg-type]
    assert result.counts == counts
    assert result.total_voters == voters
    assert result.total_votes == sum(counts)
    assert result.winners == winners
    assert result.tie is (len(winners) > 1)


def test_percentages_are_of_voters() -> None:
    result = tally(votes((1, 0, 1), (1, 1, 2), (2, 0, 3), (3, 0, 4), (4, 2, 5)), 3, mode="multi")
    assert result.percentages == (75.0, 25.0, 25.0)  # multi: can add up to more than 100
    assert tally([], 2).percentages == (0.0, 0.0)


def test_tally_rejects_out_of_range_votes() -> None:
    with pytest.raises(ValueError, match="outside"):
        tally(votes((1, 3, 1)), 3)


# -------------------------------------------------------------------------------------------------- bar chart


def test_render_bars_small() -> None:
    result = tally(votes((1, 0, 1), (2, 0, 2), (3, 1, 3), (4, 0, 4), (5, 2, 5)), 3)
    assert render_bars(("Alien", "Heat", "Up"), result) == (
        "1️⃣ Alien\n▰▰▰▰▰▰▱▱▱▱ 60% (3)\n2️⃣ Heat\n▰▰▱▱▱▱▱▱▱▱ 20% (1)\n3️⃣ Up\n▰▰▱▱▱▱▱▱▱▱ 20% (1)"
    )


def test_render_bars_winners_and_markdown() -> None:
    result = tally(votes((1, 0, 1), (2, 1, 2)), 3)
    text = render_bars(("**Bold**", "_it_", "Up"), result, highlight_winners=True)
    lines = text.split("\n")
    assert lines[0] == "1️⃣ \\*\\*Bold\\*\\* 🏆"
    assert lines[2] == "2️⃣ \\_it\\_ 🏆"
    assert lines[4] == "3️⃣ Up"
    assert lines[5] == BAR_EMPTY * 10 + " 0% (0)"


def test_render_bars_and_rounds_defuse_mentions() -> None:
    names = ("<@123>", "@here", "[x](https://e.example)")
    text = render_bars(names, tally(votes((1, 0, 1), (2, 1, 2), (3, 2, 3)), 3))
    assert "<@123>" not in text and "\\<@\u200b123\\>" in text and "@\u200bhere" in text
    assert "[x](" not in text
    rounds = format_rounds(instant_runoff([(0,), (0,), (1,)], 3, seed=7), names)
    assert "<@123>" not in rounds and "\\<@\u200b123\\>" in rounds


def test_small_share_still_shows_a_block() -> None:
    result = tally([Vote(1, 0, 1)] + [Vote(u, 1, u) for u in range(2, 60)], 2)
    line = render_bars(("A", "B"), result).split("\n")[1]
    assert line == BAR_FULL + BAR_EMPTY * 9 + " 2% (1)"


@pytest.mark.parametrize("name_length", [100, 60])
@pytest.mark.parametrize("voters", [0, 7, 1234])
def test_render_bars_fits_an_embed_field(name_length: int, voters: int) -> None:
    options = tuple(f"{i} " + "é🎬*" * name_length for i in range(10))
    options = tuple(o[:100] for o in options)
    result = tally([Vote(u, u % 10, u) for u in range(voters)], 10)
    text = render_bars(options, result, highlight_winners=True)
    assert utf16(text) <= 1024
    lines = text.split("\n")
    assert len(lines) == 20
    for i in range(10):
        assert lines[2 * i].startswith(NUMBER_EMOJI[i] + f" {i} ")
    assert all("…" in lines[2 * i] for i in range(10))


@pytest.mark.parametrize(
    ("count", "total", "shown"),
    [
        (1, 8, "13%"),  # 12.5 rounds half up (Python's round() gives banker's 12)
        (3, 8, "38%"),  # 37.5
        (5, 8, "63%"),  # 62.5
        (1, 200, "<1%"),  # 0.5: never "0%" beside a filled block
        (1, 1000, "<1%"),
        (199, 200, ">99%"),  # 99.5: not "100%" while someone chose otherwise
        (7, 20, "35%"),  # 0.35 * 100 is 35.00000000000001 in floats
        (1, 3, "33%"),
        (2, 3, "67%"),
        (0, 5, "0%"),
        (0, 0, "0%"),
        (5, 5, "100%"),
    ],
)
def test_format_percent_rounds_half_up(count: int, total: int, shown: str) -> None:
    assert format_percent(count, total) == shown


def test_render_bars_shows_half_up_and_less_than_one_percent() -> None:
    eighth = tally([Vote(1, 0, 1)] + [Vote(u, 1, u) for u in range(2, 9)], 2)
    assert render_bars(("A", "B"), eighth).split("\n")[1] == BAR_FULL + BAR_EMPTY * 9 + " 13% (1)"
    tiny = tally([Vote(1, 0, 1)] + [Vote(u, 1, u) for u in range(2, 201)], 2)
    lines = render_bars(("A", "B"), tiny).split("\n")
    assert lines[1] == BAR_FULL + BAR_EMPTY * 9 + " <1% (1)"
    assert lines[3] == BAR_FULL * 10 + " >99% (199)"


def test_render_bars_uses_full_names_when_they_fit() -> None:
    options = tuple(f"Film number {i}" for i in range(10))
    text = render_bars(options, tally([], 10))
    assert "…" not in text
    assert all(o in text for o in options)


def test_render_bars_custom_limit_and_width() -> None:
    options = ("A" * 100, "B" * 100)
    text = render_bars(options, tally([Vote(1, 0, 1)], 2), width=5, limit=120)
    assert utf16(text) <= 120
    assert "▰▰▰▰▰ 100% (1)" in text
    with pytest.raises(ValueError, match="limit too small"):
        render_bars(options, tally([], 2), limit=30)


# ----------------------------------------------------------------------------------------------- instant runoff

TENNESSEE = (
    [(0, 1, 2, 3)] * 42  # Memphis
    + [(1, 2, 3, 0)] * 26  # Nashville
    + [(2, 3, 1, 0)] * 15  # Chattanooga
    + [(3, 2, 1, 0)] * 17  # Knoxville
)


def summary(result: IrvResult) -> list[tuple[tuple[int, ...], tuple[int, ...], int]]:
    return [(r.counts, r.eliminated, r.exhausted) for r in result.rounds]


@pytest.mark.parametrize(
    ("ballots", "n", "rounds", "winner", "tie"),
    [
        # Wikipedia's Tennessee capital example: Knoxville wins in round 3.
        (
            TENNESSEE,
            4,
            [((42, 26, 15, 17), (2,), 0), ((42, 26, 0, 32), (1,), 0), ((42, 0, 0, 58), (), 0)],
            3,
            (),
        ),
        # Majority in round 1.
        ([(0,), (0,), (1,)], 2, [((2, 1), (), 0)], 0, ()),
        # Exhausted ballots stop counting: A wins with 4 of the 7 still active.
        (
            [(0,)] * 4 + [(1,)] * 3 + [(2,)] * 2,
            3,
            [((4, 3, 2), (2,), 0), ((4, 3, 0), (), 2)],
            0,
            (),
        ),
        # Transfers decide it: C's voters prefer B.
        (
            [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] * 2,
            3,
            [((4, 3, 2), (2,), 0), ((4, 5, 0), (), 0)],
            1,
            (),
        ),
        # Zero-vote options go out together in round 1 (no earlier round to separate them).
        (
            [(0,)] * 2 + [(1,)] * 2 + [(2, 0)],
            5,
            [((2, 2, 1, 0, 0), (3, 4), 0), ((2, 2, 1, 0, 0), (2,), 0), ((3, 2, 0, 0, 0), (), 0)],
            0,
            (),
        ),
        # Final exact tie is reported, not decided by index.
        ([(0,), (1,), (0, 1), (1, 0)], 2, [((2, 2), (), 0)], None, (0, 1)),
        # A tie after an elimination, with an exhausted ballot.
        (
            [(0,)] * 2 + [(1,)] * 2 + [(2,)],
            3,
            [((2, 2, 1), (2,), 0), ((2, 2, 0), (), 1)],
            None,
            (0, 1),
        ),
        # Three-way tie from the start.
        ([(0,), (1,), (2,)], 3, [((1, 1, 1), (), 0)], None, (0, 1, 2)),
        # A single option.
        ([(0,)], 1, [((1,), (), 0)], 0, ()),
    ],
)
def test_instant_runoff(
    ballots: list[tuple[int, ...]],
    n: int,
    rounds: list[tuple[tuple[int, ...], tuple[int, ...], int]],
    winner: int | None,
    tie: tuple[int, ...],
) -> None:
    result = instant_runoff(ballots, n, seed=7)
    assert summary(result) == rounds
    assert result.winner == winner
    assert result.tie == tie
    assert result.ballots == len(ballots)


def test_tie_for_last_broken_by_earliest_round() -> None:
    ballots = [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] * 2 + [(3, 2, 1)]
    result = instant_runoff(ballots, 4, seed=7)
    assert summary(result) == [
        ((4, 3, 2, 1), (3,), 0),
        ((4, 3, 3, 0), (2,), 0),  # B and C tied on 3; in round 1 C had fewer
        ((4, 6, 0, 0), (), 0),
    ]
    assert result.rounds[1].tied_lowest == (1, 2)
    assert result.rounds[1].tiebreak_round == 1
    assert result.winner == 1


def test_tie_for_last_nothing_separates_is_broken_by_lot() -> None:
    # B and C tie on 1 with no earlier round; together (2) they are not below D (2), so only one goes.
    ballots = [(0,)] * 2 + [(1, 0)] + [(2, 0)] + [(3,)] * 2
    result = instant_runoff(ballots, 4, seed=7)
    first = result.rounds[0]
    assert first.counts == (2, 1, 1, 2)
    assert first.tied_lowest == (1, 2)
    assert first.by_lot and first.tiebreak_round is None
    assert first.eliminated == (draw_lot((1, 2), 7, 1),)
    assert result.winner == 0


def test_tied_options_below_the_next_go_out_together() -> None:
    ballots = [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] + [(3, 1)]
    result = instant_runoff(ballots, 4, seed=7)
    assert summary(result) == [((4, 3, 1, 1), (2, 3), 0), ((4, 5, 0, 0), (), 0)]
    assert result.rounds[0].tied_lowest == (2, 3) and not result.rounds[0].by_lot
    assert result.winner == 1


ISSUE_BALLOTS = [(0,)] * 3 + [(1, 2)] * 2 + [(2, 1)] * 2  # 3 x [Alien]; 2 x [Heat, Ran]; 2 x [Ran, Heat]


@pytest.mark.parametrize("seed", range(1, 41))
def test_tied_last_that_together_beat_the_leader_are_not_both_eliminated(seed: int) -> None:
    result = instant_runoff(ISSUE_BALLOTS, 3, seed=seed)
    assert result.winner in (1, 2)  # never Alien: 4 of 7 rank both others above it
    assert result.rounds[0].eliminated == (draw_lot((1, 2), seed, 1),)
    assert result.rounds[1].counts[result.winner] == 4
    text = format_rounds(result, ("Alien", "Heat", "Ran"))
    assert "(tie for last broken by lot)" in text
    assert text.endswith("wins with 4 of 7 votes.")


def test_the_lot_is_deterministic_per_poll_and_not_always_the_same_option() -> None:
    outcomes = {seed: instant_runoff(ISSUE_BALLOTS, 3, seed=seed).winner for seed in range(1, 41)}
    assert outcomes == {seed: instant_runoff(ISSUE_BALLOTS, 3, seed=seed).winner for seed in range(1, 41)}
    assert set(outcomes.values()) == {1, 2}
    assert draw_lot([2, 1], 5, 3) == draw_lot((1, 2), 5, 3)  # order of the candidates doesn't matter
    with pytest.raises(ValueError):
        draw_lot([], 1, 1)


def test_earlier_round_narrows_before_the_lot() -> None:
    # Round 1: A 5, B 3, C 2, D 2, E 1 -> E out (its voter moves to C).
    # Round 2: A 5, B 3, C 3, D 2 -> D out (its voters move to B and C).
    # Round 3: A 5, B 4, C 4: B and C tie for last; in round 1 C had fewer, so C goes.
    ballots = [(0,)] * 5 + [(1,)] * 3 + [(2,)] * 2 + [(3, 1), (3, 2)] + [(4, 2)]
    result = instant_runoff(ballots, 5, seed=7)
    third = result.rounds[2]
    assert third.counts == (5, 4, 4, 0, 0)
    assert third.eliminated == (2,) and third.tiebreak_round == 1 and not third.by_lot


# An independent, deliberately plain IRV with the same published tie rule, to cross-check the real count.
def reference_irv(ballots: list[tuple[int, ...]], n: int, seed: int) -> tuple[object, list[set[int]]]:
    import hashlib

    ballots = [tuple(dict.fromkeys(b)) for b in ballots if b]
    remaining = set(range(n))
    past: list[dict[int, int]] = []
    eliminated: list[set[int]] = []
    while True:
        counts = dict.fromkeys(remaining, 0)
        for ballot in ballots:
            for option in ballot:
                if option in counts:
                    counts[option] += 1
                    break
        active = sum(counts.values())
        for option, count in counts.items():
            if 2 * count > active:
                return ("winner", option), eliminated
        if len(set(counts.values())) == 1:
            return ("tie", tuple(sorted(remaining))), eliminated
        low = min(counts.values())
        group = sorted(o for o in remaining if counts[o] == low)
        above = min(c for c in counts.values() if c > low)
        if low * len(group) < above:
            out = set(group)
        else:
            for earlier in past:
                least = min(earlier[o] for o in group)
                group = [o for o in group if earlier[o] == least]
            if len(group) > 1:
                key = f"projectionist-irv-lot:{seed}:{len(past) + 1}:{','.join(str(o) for o in group)}"
                index = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % len(group)
                group = [group[index]]
            out = set(group)
        eliminated.append(out)
        past.append(counts)
        remaining -= out


def outcome_of(result: IrvResult) -> tuple[object, list[set[int]]]:
    verdict: object = ("winner", result.winner) if result.winner is not None else ("tie", result.tie)
    return verdict, [set(r.eliminated) for r in result.rounds if r.eliminated]


def random_election(rng: random.Random) -> tuple[list[tuple[int, ...]], int]:
    n = rng.randint(2, 7)
    ballots = []
    for _ in range(rng.randint(1, 16)):
        ranking = rng.sample(range(n), n)
        ballots.append(tuple(ranking[: rng.randint(1, n)]))
    return ballots, n


def test_count_matches_an_independent_irv_on_random_elections() -> None:
    rng = random.Random(20261206)
    lots = together = 0
    for number in range(5000):
        ballots, n = random_election(rng)
        result = instant_runoff(ballots, n, seed=number)
        assert outcome_of(result) == reference_irv(ballots, n, number), (number, ballots, n)
        lots += any(r.by_lot for r in result.rounds)
        together += any(len(r.eliminated) > 1 for r in result.rounds)
    assert lots > 100 and together > 100  # the random elections really exercise both tie paths


@given(
    st.integers(2, 6).flatmap(
        lambda n: st.tuples(
            st.lists(
                st.permutations(range(n)).flatmap(lambda p: st.integers(1, n).map(lambda k: tuple(p[:k]))),
                min_size=1,
                max_size=12,
            ),
            st.just(n),
            st.integers(0, 10**6),
        )
    )
)
def test_count_matches_the_independent_irv_hypothesis(case: tuple[list[tuple[int, ...]], int, int]) -> None:
    ballots, n, seed = case
    assert outcome_of(instant_runoff(ballots, n, seed=seed)) == reference_irv(ballots, n, seed)


def test_ballot_cleaning() -> None:
    result = instant_runoff([(0, 0, 1), (), (1,), (1, 1)], 2, seed=7)
    assert result.ballots == 3  # the empty ballot is ignored
    assert result.winner == 1
    with pytest.raises(ValueError, match="outside"):
        instant_runoff([(0, 5)], 2, seed=7)
    with pytest.raises(ValueError):
        instant_runoff([(0,)], 0, seed=7)


def test_no_ballots() -> None:
    assert instant_runoff([], 3, seed=7) == IrvResult(rounds=(), winner=None, tie=(), ballots=0)
    assert format_rounds(instant_runoff([], 3, seed=7), ("A", "B", "C")) == "No votes were cast."


def test_ballots_from_votes_follow_reaction_order() -> None:
    ballot = votes((7, 2, 10), (8, 1, 11), (7, 0, 12), (7, 2, 13), (8, 0, 14), (7, 1, 15))
    assert ballots_from_votes(ballot, 3) == ((2, 0, 1), (1, 0))
    assert ballots_from_votes(ballot, 3, max_choices=2) == ((2, 0), (1, 0))


def test_format_rounds() -> None:
    text = format_rounds(
        instant_runoff(TENNESSEE, 4, seed=7), ("Memphis", "Nashville", "Chattanooga", "Knoxville")
    )
    assert text == (
        "**Round 1:** 1️⃣ 42 · 2️⃣ 26 · 4️⃣ 17 · 3️⃣ 15 → out: 3️⃣\n"
        "**Round 2:** 1️⃣ 42 · 4️⃣ 32 · 2️⃣ 26 → out: 2️⃣\n"
        "**Round 3:** 4️⃣ 58 · 1️⃣ 42\n"
        "🏆 4️⃣ Knoxville wins with 58 of 100 votes."
    )


def test_format_rounds_tie_and_notes() -> None:
    ballots = [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] * 2 + [(3, 2, 1)]
    text = format_rounds(instant_runoff(ballots, 4, seed=7), ("A", "B", "C", "D"))
    assert "→ out: 3️⃣ (tie for last broken by round 1)" in text
    tie = format_rounds(instant_runoff([(0,), (1,)], 2, seed=7), ("Alien", "Heat"))
    assert tie.endswith("🤝 Tie between 1️⃣ Alien, 2️⃣ Heat.")
    together = format_rounds(instant_runoff([(0,)] * 4 + [(1,)] * 3 + [(2, 1)] + [(3, 1)], 4, seed=7), "ABCD")
    assert "→ out: 3️⃣, 4️⃣ (tied for last, out together: fewer votes than the next)" in together


def test_format_rounds_respects_limit() -> None:
    # Ten options, one eliminated per round: nine rounds.
    ballots = [tuple([i]) for i in range(10) for _ in range(i + 1)]
    result = instant_runoff(ballots, 10, seed=7)
    assert len(result.rounds) == 9
    options = tuple("Title " + "x" * 94 for _ in range(10))
    full = format_rounds(result, options, limit=5000)
    assert full.count("**Round") == 9
    short = format_rounds(result, options, limit=600)
    assert utf16(short) <= 600
    assert "**Round 1:**" in short and "**Round 9:**" in short
    assert "more rounds …" in short


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 1024, "short"),
        ("line one\nline two\nline three", 20, "line one\nline two\n…"),
        ("🔟" * 10, 9, "🔟" * 4 + "…"),  # each 🔟 is 2 UTF-16 units (outside the BMP)
        ("abcdef", 4, "abc…"),
    ],
)
def test_clip_units_counts_like_discord(text: str, limit: int, expected: str) -> None:
    from domain.polls import clip_units

    clipped = clip_units(text, limit)
    assert clipped == expected
    assert len(clipped.encode("utf-16-le")) // 2 <= limit
