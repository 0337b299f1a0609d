"""Poll maths: options, reaction votes, tallies, bar charts and instant-runoff for ranked polls.

Modes
-----
* ``single``: one choice per member; a new reaction replaces the previous vote.
* ``multi``: several choices, at most ``max_choices`` (None = any number).
* ``ranked``: a member's reactions, in the order they arrived, are their ranking (first reaction = first
  preference), at most ``max_choices`` ranks; counted by :func:`instant_runoff`.

Votes are ``Vote(user_id, option, seq)`` where ``seq`` orders them (a row id or arrival counter). Option
indexes are 0-based everywhere; :data:`NUMBER_EMOJI` ``[i]`` is the reaction for option ``i``.

Instant-runoff rules (:func:`instant_runoff`)
---------------------------------------------
Each round counts every ballot for its highest-ranked option still in the race. A ballot with none left is
*exhausted* and no longer counts. An option with more than half of the non-exhausted ballots wins. If every
remaining option has the same count, the poll is a **tie** between them (never decided by option order or by
lot). Otherwise the option with the fewest votes is eliminated. If several share the fewest:

1. when their combined votes are fewer than the next-lowest option's, they are all eliminated together (one
   at a time they would all go anyway, and no transfer between them could change that);
2. otherwise exactly one of them goes: the one with the fewest votes in the earliest round where their counts
   differed (looking from round 1 on, narrowing to the fewest at each round that separates them);
3. if earlier rounds don't separate them, a **lot** decides: :func:`draw_lot`, seeded by the poll id, so the
   same votes always give the same result and anyone can recompute it. The results say "tie for last broken
   by lot".

Eliminating a tied group together whatever their total (the old rule) could knock out a majority's choice:
3 x [Alien], 2 x [Heat, Ran], 2 x [Ran, Heat] made Alien win, although 4 of 7 voters rank both others above it.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from domain.errors import UserError
from domain.markdown import escape_markdown
from domain.models import PollMode
from domain.titles import title_key

__all__ = [
    "BAR_EMPTY",
    "BAR_FULL",
    "MAX_OPTIONS",
    "MAX_OPTION_LENGTH",
    "MIN_OPTIONS",
    "NUMBER_EMOJI",
    "Decision",
    "IrvResult",
    "PollError",
    "PollMode",
    "Round",
    "Tally",
    "Vote",
    "apply_add",
    "apply_remove",
    "ballots_from_votes",
    "draw_lot",
    "emoji_index",
    "format_percent",
    "format_rounds",
    "instant_runoff",
    "nomination_key",
    "parse_options",
    "render_bars",
    "tally",
]


MIN_OPTIONS: Final = 2
MAX_OPTIONS: Final = 10
MAX_OPTION_LENGTH: Final = 100
EMBED_FIELD_LIMIT: Final = 1024

NUMBER_EMOJI: Final = (
    "1\ufe0f\u20e3",
    "2\ufe0f\u20e3",
    "3\ufe0f\u20e3",
    "4\ufe0f\u20e3",
    "5\ufe0f\u20e3",
    "6\ufe0f\u20e3",
    "7\ufe0f\u20e3",
    "8\ufe0f\u20e3",
    "9\ufe0f\u20e3",
    "\U0001f51f",
)
BAR_FULL: Final = "▰"
BAR_EMPTY: Final = "▱"
_KEYCAP: Final = "\u20e3"
_VS16: Final = "\ufe0f"


class PollError(UserError, ValueError):
    """A poll definition or vote that cannot be used; ``str(exc)`` is the reply."""


# --------------------------------------------------------------------------------------------------- options


def parse_options(text: str) -> tuple[str, ...]:
    """Split ``"Alien; Heat; Up"`` into options.

    2 to 10 options separated by ``;`` (commas are common in titles, so they don't separate); whitespace
    inside an option is collapsed; each must be 1 to 100 characters; empty segments (``"A;;B"``, a trailing
    ``;``) and case-insensitive duplicates are refused with :class:`PollError`.
    """
    if not isinstance(text, str) or not text.strip():
        raise PollError("Give 2 to 10 options separated by ';', e.g. 'Alien; Heat; Up'.")
    parts = text.split(";")
    options: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(parts, start=1):
        option = " ".join(raw.split())
        if not option:
            raise PollError(f"Option {number} is empty: check for a doubled or trailing ';'.")
        if len(option) > MAX_OPTION_LENGTH:
            raise PollError(f"Option {number} is longer than {MAX_OPTION_LENGTH} characters.")
        key = unicodedata.normalize("NFKC", option).casefold()
        if key in seen:
            shown = option if len(option) <= 40 else option[:39] + "…"
            raise PollError(f"'{{option}}' is listed twice (options {seen[key]} and {number}).", option=shown)
        seen[key] = number
        options.append(option)
    if len(options) < MIN_OPTIONS:
        raise PollError("A poll needs at least 2 options, separated by ';'.")
    if len(options) > MAX_OPTIONS:
        raise PollError(f"A poll can have at most {MAX_OPTIONS} options (you gave {len(options)}).")
    return tuple(options)


def emoji_index(emoji: str) -> int | None:
    """The 0-based option for a number reaction, or None.

    Accepts the keycaps with and without the U+FE0F variation selector (Discord sometimes sends ``"1⃣"``) and
    ``"🔟"`` (with or without U+FE0F).
    """
    bare = emoji.strip().replace(_VS16, "")
    if len(bare) == 2 and bare[1] == _KEYCAP and bare[0] in "123456789":
        return int(bare[0]) - 1
    if bare == NUMBER_EMOJI[9]:
        return 9
    return None


def nomination_key(title: str, year: int | None) -> tuple[str, int | None]:
    """Key for duplicate nominations (normalised title, year); see :func:`domain.titles.normalise_title`."""
    return title_key(title, year)


# ----------------------------------------------------------------------------------------------------- votes


@dataclass(frozen=True, slots=True)
class Vote:
    """One reaction vote: ``seq`` orders votes (earlier = smaller)."""

    user_id: int
    option: int
    seq: int


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with a reaction.

    ``accept``: record the vote. ``remove_previous``: the user's earlier options to delete (and whose
    reactions the bot should remove). ``remove_reaction``: remove the reaction just added (refused vote).
    ``reason``: a short explanation (user-facing for refusals).
    """

    accept: bool
    remove_previous: tuple[int, ...]
    remove_reaction: bool
    reason: str


def _check_mode(mode: str, max_choices: int | None) -> None:
    if mode not in ("single", "multi", "ranked"):
        raise ValueError(f"unknown poll mode {mode!r}")
    if max_choices is not None and (isinstance(max_choices, bool) or max_choices < 1):
        raise ValueError("max_choices must be None or at least 1")


def apply_add(mode: PollMode, max_choices: int | None, current: Sequence[int], option: int) -> Decision:
    """Decide what a new reaction for ``option`` does, given the user's ``current`` options (vote order).

    * the same option again: nothing to do (a replayed event), the reaction stays;
    * ``single``: accepted, and every previous option is to be removed;
    * ``multi``/``ranked``: accepted while the user has fewer than ``max_choices`` options; beyond the cap it
      is refused and the reaction should be removed.
    """
    _check_mode(mode, max_choices)
    if option in current:
        return Decision(False, (), False, "Already counted.")
    if mode == "single":
        previous = tuple(dict.fromkeys(current))
        reason = "Replaces your previous vote." if previous else "Vote recorded."
        return Decision(True, previous, False, reason)
    if max_choices is not None and len(set(current)) >= max_choices:
        noun = "option" if max_choices == 1 else "options"
        verb = "rank" if mode == "ranked" else "pick"
        return Decision(
            False,
            (),
            True,
            f"You can {verb} at most {max_choices} {noun}: remove a reaction first.",
        )
    return Decision(True, (), False, "Vote recorded.")


def apply_remove(current: Sequence[int], option: int) -> Decision:
    """A reaction was removed: delete the vote if there is one.

    Removing a reaction the bot itself took away (a replaced single vote, a refused extra choice) finds no
    vote and is a no-op, so the service needs no special case for its own removals. In ranked mode the later
    ranks simply move up.
    """
    if option in current:
        return Decision(True, (), False, "Vote withdrawn.")
    return Decision(False, (), False, "No vote to withdraw.")


@dataclass(frozen=True, slots=True)
class Tally:
    """Counts per option, the number of distinct voters, and the leaders.

    ``percentages[i]`` is the share of voters choosing option ``i`` (0-100; in multi mode they can add up to
    more than 100). ``winners`` are all options with the highest count (empty if nobody voted); more than one
    is a tie. In ranked mode counts are first preferences.
    """

    counts: tuple[int, ...]
    total_voters: int
    total_votes: int
    percentages: tuple[float, ...]
    winners: tuple[int, ...]

    @property
    def tie(self) -> bool:
        return len(self.winners) > 1


def _effective_choices(
    votes: Iterable[Vote],
    n_options: int,
    mode: PollMode,
    max_choices: int | None,
) -> dict[int, list[int]]:
    """Each user's options in vote order after applying the mode's rules (defensive against races)."""
    by_user: dict[int, list[int]] = {}
    for vote in sorted(votes, key=lambda v: v.seq):
        if not 0 <= vote.option < n_options:
            raise ValueError(f"vote for option {vote.option} outside 0..{n_options - 1}")
        choices = by_user.setdefault(vote.user_id, [])
        if vote.option in choices:
            continue
        if mode == "single":
            choices[:] = [vote.option]
        elif max_choices is None or len(choices) < max_choices:
            choices.append(vote.option)
    return by_user


def tally(
    votes: Iterable[Vote],
    n_options: int,
    *,
    mode: PollMode = PollMode.SINGLE,
    max_choices: int | None = None,
) -> Tally:
    """Count ``votes`` (any order; ``seq`` decides). Single mode keeps each user's latest vote, multi/ranked
    keep the first ``max_choices`` distinct options by ``seq``; repeated (user, option) pairs count once."""
    _check_mode(mode, max_choices)
    if not 1 <= n_options <= MAX_OPTIONS:
        raise ValueError(f"n_options must be 1..{MAX_OPTIONS}")
    by_user = _effective_choices(votes, n_options, mode, max_choices)
    counts = [0] * n_options
    total_votes = 0
    for choices in by_user.values():
        counted = choices[:1] if mode == "ranked" else choices
        for option in counted:
            counts[option] += 1
            total_votes += 1
    voters = sum(1 for choices in by_user.values() if choices)
    percentages = tuple((100.0 * c / voters) if voters else 0.0 for c in counts)
    top = max(counts)
    winners = tuple(i for i, c in enumerate(counts) if c == top) if top > 0 else ()
    return Tally(tuple(counts), voters, total_votes, percentages, winners)


def ballots_from_votes(
    votes: Iterable[Vote], n_options: int, max_choices: int | None = None
) -> tuple[tuple[int, ...], ...]:
    """Ranked ballots: each user's distinct options in the order their reactions arrived (by ``seq``),
    capped at ``max_choices``; users ordered by their first vote."""
    by_user = _effective_choices(votes, n_options, PollMode.RANKED, max_choices)
    return tuple(tuple(choices) for choices in by_user.values() if choices)


# ------------------------------------------------------------------------------------------------ bar chart


def _units(text: str) -> int:
    """Length as Discord counts it in the worst case (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def clip_units(text: str, limit: int = EMBED_FIELD_LIMIT) -> str:
    """``text`` cut to at most ``limit`` UTF-16 units (Discord's measure), at a line break when there is one,
    ending with "…" when anything was cut."""
    if _units(text) <= limit:
        return text
    budget = limit - 1  # room for the ellipsis
    used = 0
    end = 0
    for index, char in enumerate(text):
        used += _units(char)
        if used > budget:
            end = index
            break
    head = text[:end]
    if "\n" in head:
        head = head[: head.rindex("\n") + 1]
    return head + "…"


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up, in integers (floats turn 0.35 * 10 into 3.4999...)."""
    return (2 * numerator + denominator) // (2 * denominator)


def format_percent(count: int, total: int) -> str:
    """``count`` of ``total`` as a whole percentage for people: rounded half up (1 of 8 is "13%", where
    Python's ``round`` gives banker's "12%"); a share under 1% but above none is "<1%" (never "0%" beside a
    bar that shows one block) and one above 99% but short of everyone is ">99%" (never "100%" while someone
    chose otherwise)."""
    if total <= 0 or count <= 0:
        return "0%"
    if count >= total:
        return "100%"
    if 100 * count < total:
        return "<1%"
    if 100 * count > 99 * total:
        return ">99%"
    return f"{_half_up(100 * count, total)}%"


def _bar(count: int, total: int, width: int) -> str:
    filled = _half_up(count * width, total) if total else 0
    if count > 0 and filled == 0:
        filled = 1
    return BAR_FULL * filled + BAR_EMPTY * (width - filled)


def render_bars(
    options: Sequence[str],
    result: Tally,
    *,
    width: int = 10,
    limit: int = EMBED_FIELD_LIMIT,
    highlight_winners: bool = False,
) -> str:
    """A text bar chart for an embed field, e.g. ``"1️⃣ Alien\\n▰▰▰▰▰▰▱▱▱▱ 60% (3)"`` per option.

    Names are markdown-escaped and, if needed, shortened evenly with "…" so the whole text fits ``limit``
    (Discord's 1024 for a field, counted in UTF-16 units). Percentages are of voters (see
    :func:`format_percent`); a non-zero count always shows at least one filled block. ``highlight_winners`` adds 🏆 to the leaders.
    """
    if len(options) != len(result.counts):
        raise ValueError("options and tally have different lengths")
    if not 1 <= width <= 30:
        raise ValueError("width must be 1..30")
    voters = result.total_voters
    heads: list[str] = []
    tails: list[str] = []
    for i, count in enumerate(result.counts):
        trophy = " 🏆" if highlight_winners and i in result.winners else ""
        heads.append(f"{NUMBER_EMOJI[i]} ")
        tails.append(f"{trophy}\n{_bar(count, voters, width)} {format_percent(count, voters)} ({count})")
    fixed = sum(_units(h) + _units(t) for h, t in zip(heads, tails, strict=True)) + (len(options) - 1)
    budget = limit - fixed
    if budget < len(options):
        raise ValueError("limit too small for this many options")
    escaped_units = [_units(escape_markdown(name)) for name in options]
    if sum(escaped_units) <= budget:
        names = [escape_markdown(name) for name in options]
    else:
        low, high = 1, max(escaped_units)
        while low < high:  # the largest per-name cap that fits
            mid = (low + high + 1) // 2
            if sum(_units(escape_markdown(name, limit=mid)) for name in options) <= budget:
                low = mid
            else:
                high = mid - 1
        names = [escape_markdown(name, limit=low) for name in options]
    return "\n".join(h + n + t for h, n, t in zip(heads, names, tails, strict=True))


# --------------------------------------------------------------------------------------------- instant runoff


@dataclass(frozen=True, slots=True)
class Round:
    """One IRV round. ``counts`` has an entry per option (0 for options already out); ``continuing`` are the
    options still in; ``eliminated`` leave after this round (empty in the last round).

    When several options shared the fewest votes, ``tied_lowest`` lists them and the other fields say how the
    tie was settled: all of them out together (``eliminated == tied_lowest``, their total was below the next
    option's), by the earlier round ``tiebreak_round``, or ``by_lot`` (possibly after an earlier round
    narrowed the group, which ``tiebreak_round`` then names)."""

    number: int
    counts: tuple[int, ...]
    continuing: tuple[int, ...]
    exhausted: int
    eliminated: tuple[int, ...]
    tied_lowest: tuple[int, ...] = ()
    tiebreak_round: int | None = None
    by_lot: bool = False


@dataclass(frozen=True, slots=True)
class IrvResult:
    """Rounds in order; ``winner`` or, for an unbreakable tie, ``tie`` (the options sharing it). No ballots:
    no rounds, no winner, no tie."""

    rounds: tuple[Round, ...]
    winner: int | None
    tie: tuple[int, ...]
    ballots: int


def _clean_ballots(ballots: Iterable[Sequence[int]], n_options: int) -> list[tuple[int, ...]]:
    cleaned: list[tuple[int, ...]] = []
    for ballot in ballots:
        ranking = tuple(dict.fromkeys(ballot))
        for option in ranking:
            if isinstance(option, bool) or not isinstance(option, int) or not 0 <= option < n_options:
                raise ValueError(f"ballot ranks option {option!r} outside 0..{n_options - 1}")
        if ranking:
            cleaned.append(ranking)
    return cleaned


def draw_lot(candidates: Sequence[int], seed: int, round_number: int) -> int:
    """The option a lot eliminates among tied ``candidates`` in round ``round_number`` of poll ``seed``.

    Deterministic and recomputable by anyone: the first 8 bytes of
    ``sha256("projectionist-irv-lot:{seed}:{round_number}:{sorted candidates, comma-separated}")`` as a
    big-endian integer, modulo the number of candidates, index the sorted candidates.
    """
    ordered = sorted(candidates)
    if not ordered:
        raise ValueError("a lot needs at least one candidate")
    key = f"projectionist-irv-lot:{seed}:{round_number}:{','.join(map(str, ordered))}"
    draw = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return ordered[draw % len(ordered)]


def _narrow_by_history(tied: list[int], history: list[list[int]]) -> tuple[list[int], int | None]:
    """Those of ``tied`` with the fewest votes at the earliest round that separates them (repeatedly), and
    the last round that narrowed them (None if no round did)."""
    candidates = tied
    deciding: int | None = None
    for number, counts in enumerate(history, start=1):
        fewest = min(counts[o] for o in candidates)
        narrowed = [o for o in candidates if counts[o] == fewest]
        if len(narrowed) < len(candidates):
            candidates = narrowed
            deciding = number
            if len(candidates) == 1:
                break
    return candidates, deciding


def _eliminate(
    number: int, counts: list[int], still_in: tuple[int, ...], history: list[list[int]], seed: int
) -> tuple[tuple[int, ...], tuple[int, ...], int | None, bool]:
    """Who leaves after round ``number``: (eliminated, tied_lowest, tiebreak_round, by_lot). Not called
    when every option still in has the same count, so there is always a next-lowest option."""
    fewest = min(counts[o] for o in still_in)
    tied = [o for o in still_in if counts[o] == fewest]
    if len(tied) == 1:
        return (tied[0],), (), None, False
    next_lowest = min(counts[o] for o in still_in if counts[o] > fewest)
    if fewest * len(tied) < next_lowest:
        return tuple(tied), tuple(tied), None, False
    candidates, deciding = _narrow_by_history(tied, history)
    if len(candidates) == 1:
        return (candidates[0],), tuple(tied), deciding, False
    return (draw_lot(candidates, seed, number),), tuple(tied), deciding, True


def instant_runoff(ballots: Iterable[Sequence[int]], n_options: int, *, seed: int) -> IrvResult:
    """Count ranked ``ballots`` (each a sequence of 0-based options, first preference first) by IRV.

    Repeated options in a ballot count once (the first time); empty ballots are ignored. ``seed`` (the poll
    id) seeds the lot that settles a tie for last nothing else separates. See the module docstring for the
    elimination and tie rules.
    """
    if not 1 <= n_options <= 64:
        raise ValueError("n_options must be 1..64")
    cleaned = _clean_ballots(ballots, n_options)
    if not cleaned:
        return IrvResult(rounds=(), winner=None, tie=(), ballots=0)
    continuing = set(range(n_options))
    rounds: list[Round] = []
    history: list[list[int]] = []
    while True:
        counts = [0] * n_options
        exhausted = 0
        for ballot in cleaned:
            top = next((o for o in ballot if o in continuing), None)
            if top is None:
                exhausted += 1
            else:
                counts[top] += 1
        active = len(cleaned) - exhausted
        still_in = tuple(sorted(continuing))
        number = len(rounds) + 1
        leader = max(still_in, key=lambda o: counts[o])
        if active and counts[leader] * 2 > active:
            rounds.append(Round(number, tuple(counts), still_in, exhausted, ()))
            return IrvResult(tuple(rounds), leader, (), len(cleaned))
        if len({counts[o] for o in still_in}) == 1:
            rounds.append(Round(number, tuple(counts), still_in, exhausted, ()))
            return IrvResult(tuple(rounds), None, still_in, len(cleaned))
        out, tied, deciding, by_lot = _eliminate(number, counts, still_in, history, seed)
        rounds.append(Round(number, tuple(counts), still_in, exhausted, out, tied, deciding, by_lot))
        history.append(counts)
        continuing.difference_update(out)


def format_rounds(result: IrvResult, options: Sequence[str], *, limit: int = EMBED_FIELD_LIMIT) -> str:
    """The rounds and outcome as text for the close message, within ``limit`` characters.

    Options appear as their number emoji in the rounds and by name in the outcome line; if there are too
    many rounds to fit, middle rounds are replaced by a "… n more rounds …" line.
    """
    if not result.rounds:
        return "No votes were cast."

    def label(i: int) -> str:
        return NUMBER_EMOJI[i] if i < len(NUMBER_EMOJI) else f"#{i + 1}"

    def named(i: int) -> str:
        name = options[i] if i < len(options) else f"Option {i + 1}"
        return f"{label(i)} {escape_markdown(name, limit=80)}"

    lines: list[str] = []
    for rnd in result.rounds:
        ordered = sorted(rnd.continuing, key=lambda o: (-rnd.counts[o], o))
        line = f"**Round {rnd.number}:** " + " · ".join(f"{label(o)} {rnd.counts[o]}" for o in ordered)
        if rnd.exhausted:
            line += f" ({rnd.exhausted} exhausted)"
        if rnd.eliminated:
            line += " → out: " + ", ".join(label(o) for o in rnd.eliminated)
            if rnd.by_lot:
                line += " (tie for last broken by lot)"
            elif rnd.tiebreak_round is not None:
                line += f" (tie for last broken by round {rnd.tiebreak_round})"
            elif rnd.tied_lowest:
                line += " (tied for last, out together: fewer votes than the next)"
        lines.append(line)
    last = result.rounds[-1]
    active = sum(last.counts[o] for o in last.continuing)
    if result.winner is not None:
        outcome = f"🏆 {named(result.winner)} wins with {last.counts[result.winner]} of {active} votes."
    else:
        outcome = "🤝 Tie between " + ", ".join(named(o) for o in result.tie) + "."
    if _units(outcome) > limit:
        outcome = outcome[: limit - 1] + "…"

    def assemble(shown: list[str]) -> str:
        return "\n".join([*shown, outcome])

    text = assemble(lines)
    if _units(text) <= limit:
        return text
    head, tail = lines[:1], lines[1:]
    while tail:  # drop rounds from the middle, keeping the first and the latest ones
        tail = tail[1:]
        skipped = len(lines) - 1 - len(tail)
        text = assemble([*head, f"… {skipped} more round{'s' * (skipped != 1)} …", *tail])
        if _units(text) <= limit:
            return text
    return outcome
