"""Small learned content-warning classifiers against the hand-written rules, on the labelled tuning items.

    python -m benchmarks.cw_learned --json            # all nine variants (several minutes)
    python -m benchmarks.cw_learned --quick --json    # LR on word 1-2-grams, LR on char 3-5-grams, LR + rules
    python -m benchmarks.cw_learned --smoke --json    # one variant, one C: only proves the script runs

A research benchmark: it needs scikit-learn (with numpy and scipy), which is not a project dependency; without
it the script says so on stderr and exits 2.

Rows: every label of ``tests/domain/digest/realfeeds/tune.json`` (``load_labels("tune")``), read from its
feed file the bot's way: ``parse_bytes`` -> ``article_from_entry`` -> ``digest_entry`` with the real-feed
test's options. The text a classifier sees is the title plus ``html_to_text`` of the article; the rules'
answer is the categories of the digest's warnings. ``library/...`` feeds are in the repository, the others
in the shared corpus (``shared_corpus("realfeeds")``); without the corpus only the library items are used
and the JSON says ``"corpus": false``. The held-out split (``unseen.json``) is never read.

Protocol: outer ``GroupKFold(5)`` by publisher (feed stem before "@", or the corpus file name without its
number; a few aliases join one publisher's files). Inside each outer training fold, ``GroupKFold(4)`` by
publisher chooses the regularisation C and one global score threshold by inner micro-F1, separately for
each output mode: the classifier alone, rules OR classifier, rules AND classifier. Test folds choose nothing.
Each category has its own binary model (``class_weight="balanced"``); a category with fewer than 2 training
positives predicts nothing. The rules alone are the baseline, scored on the same items; they were tuned on
these items, so their figures (and those of every mode built on them) are optimistic.

Reported per system: micro precision, recall, F1 and tp/fp/fn over categories, how many plain items got
a warning, per category found/gold/fp, and the (C, threshold) chosen in each outer fold.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from benchmarks._common import Report, Target, base_parser, log, table
from domain.digest import CATEGORIES, article_from_entry, digest_entry, html_to_text
from domain.feedrules import entry_key
from services.feedparse import parse_bytes
from tests.domain.digest.realfeeds.labels import CORPUS, EVAL_OPTIONS, LIBRARY_PREFIX, feed_path, load_labels

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Bools = NDArray[np.bool_]
    Floats = NDArray[np.float64]
    Ints = NDArray[np.intp]

NEEDS_SKLEARN = (
    "benchmarks.cw_learned needs scikit-learn: pip install scikit-learn "
    "(research benchmark, not a project dependency)"
)

CATS = list(CATEGORIES)
#: One publisher under several file names.
PUBLISHER_ALIAS = {
    "deadline-hollywood": "deadline",
    "the-hollywood-reporter": "hollywood-reporter",
    "letterboxd-zaccolley-2016": "letterboxd-zaccolley",
}
TOKEN = r"(?u)\b\w[\w'-]*\b"
MODES = ("clf", "or", "and")
MODE_LABEL = {"clf": "classifier", "or": "rules OR clf", "and": "rules AND clf"}
RULES_WEIGHT = 3.0  # the rules' 0/1 outputs, scaled, when they are features


class Row(NamedTuple):
    id: str
    group: str
    text: str
    gold: frozenset[str]
    rules: frozenset[str]
    plain: bool


@dataclass(frozen=True, slots=True)
class Variant:
    model: str  # "lr", "svm" or "nb"
    features: str  # "tfidf12", "bin12", "tfidf1", "stem12" or "char"
    cs: tuple[float, ...]  # C for lr/svm, alpha for nb
    rules_features: bool = False
    sentence_max: bool = False

    @property
    def tag(self) -> str:
        return (
            f"{self.model}/{self.features}"
            + ("+rules-feats" if self.rules_features else "")
            + ("/sentence-max" if self.sentence_max else "")
        )


VARIANTS = (
    Variant("lr", "tfidf12", (1, 10, 100)),
    Variant("lr", "bin12", (0.1, 1, 10)),
    Variant("lr", "stem12", (1, 10, 100)),
    Variant("lr", "char", (1, 10, 100)),
    Variant("svm", "tfidf12", (0.1, 1, 10)),
    Variant("nb", "bin12", (0.1, 0.5, 1.0)),
    Variant("lr", "tfidf12", (1, 10, 100), sentence_max=True),  # clause windows, max-pooled
    Variant("lr", "tfidf12", (1, 10, 100), rules_features=True),  # + the rules' outputs as features
    Variant("lr", "stem12", (1, 10, 100), rules_features=True),
)
QUICK = (VARIANTS[0], VARIANTS[3], VARIANTS[7])
SMOKE = (Variant("lr", "tfidf12", (10,)),)


# --------------------------------------------------------------------------------------------------
# Rows


def publisher(file: str) -> str:
    if file.startswith(LIBRARY_PREFIX):
        name = file[len(LIBRARY_PREFIX) :].split("@")[0]
    else:
        name = re.sub(r"^\d+-", "", file).removesuffix(".xml")
    return PUBLISHER_ALIAS.get(name, name)


@cache
def feed_items(file: str) -> dict[str, tuple[str, frozenset[str]]]:
    """(title + article text, the rules' categories) of every entry of one feed file, by entry key."""
    parsed = parse_bytes(feed_path(file).read_bytes())
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for entry in parsed.entries:
        article = article_from_entry(entry, parsed.title)
        digest = digest_entry(article, EVAL_OPTIONS)
        text = (article.title or "") + "\n" + html_to_text(article.html or "")
        out[entry_key(entry)] = (text, frozenset(w.category for w in digest.warnings))
    return out


def build_rows(use_corpus: bool) -> tuple[list[Row], int, int]:
    """The tune rows, how many labels name an entry their feed lacks, how many were skipped (no corpus)."""
    rows: list[Row] = []
    missing = skipped = 0
    for label in load_labels("tune"):
        if not use_corpus and not label.file.startswith(LIBRARY_PREFIX):
            skipped += 1
            continue
        got = feed_items(label.file).get(label.key)
        if got is None:
            missing += 1
            continue
        rows.append(Row(label.id, publisher(label.file), got[0], label.warnings, got[1], label.plain))
    return rows, missing, skipped


# --------------------------------------------------------------------------------------------------
# Learning (scikit-learn, numpy and scipy are imported here, lazily)


@dataclass(slots=True)
class Data:
    texts: list[str]
    groups: Any  # array of publisher names
    gold: Bools  # items x categories
    rules: Bools
    plain: Bools


def to_data(rows: Sequence[Row]) -> Data:
    import numpy as np

    return Data(
        texts=[r.text for r in rows],
        groups=np.array([r.group for r in rows]),
        gold=np.array([[c in r.gold for c in CATS] for r in rows], dtype=bool),
        rules=np.array([[c in r.rules for c in CATS] for r in rows], dtype=bool),
        plain=np.array([r.plain for r in rows], dtype=bool),
    )


def micro(pred: Bools, gold: Bools) -> dict[str, Any]:
    tp = int((pred & gold).sum())
    fp = int((pred & ~gold).sum())
    fn = int((~pred & gold).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"P": p, "R": r, "F1": f, "tp": tp, "fp": fp, "fn": fn}


def make_vectorizer(kind: str) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    if kind == "tfidf12":
        return TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, token_pattern=TOKEN)
    if kind == "bin12":
        return CountVectorizer(ngram_range=(1, 2), min_df=2, binary=True, token_pattern=TOKEN)
    if kind == "tfidf1":
        return TfidfVectorizer(ngram_range=(1, 1), min_df=2, sublinear_tf=True, token_pattern=TOKEN)
    if kind == "stem12":  # crude suffix stripping for some morphological generalisation ("killed" -> "kill")
        return TfidfVectorizer(analyzer=_stemmed_1_2_grams, min_df=2, sublinear_tf=True)
    if kind == "char":
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True)
    raise ValueError(kind)


def _stemmed_1_2_grams(doc: str) -> list[str]:
    tokens = [re.sub(r"(ings?|ed|es|s|ly|er|ers)$", "", t) or t for t in re.findall(TOKEN, doc.lower())]
    return tokens + [a + " " + b for a, b in itertools.pairwise(tokens)]


def make_model(model: str, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB
    from sklearn.svm import LinearSVC

    if model == "lr":
        return LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    if model == "svm":
        return LinearSVC(C=c, class_weight="balanced")
    if model == "nb":
        return ComplementNB(alpha=c)
    raise ValueError(model)


def scores(data: Data, variant: Variant, cs: Sequence[float], train: Ints, test: Ints) -> dict[float, Floats]:
    """Per-category scores in [0, 1] of the ``test`` items for each C, trained on ``train``.

    The features do not depend on C, so they are built once per split."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    vectorizer = make_vectorizer(variant.features)
    x_train = vectorizer.fit_transform([data.texts[i] for i in train])
    if variant.rules_features:
        x_train = hstack([x_train, csr_matrix(data.rules[train].astype(float) * RULES_WEIGHT)]).tocsr()
    owner: Ints | None = None
    if variant.sentence_max:  # score every sentence or clause of a test item, keep the maximum
        parts: list[str] = []
        owners: list[int] = []
        for j, i in enumerate(test):
            pieces = [s for s in re.split(r"(?<=[.!?;:])\s+|\n+", data.texts[i]) if s.strip()]
            pieces = pieces or [data.texts[i]]
            parts += pieces
            owners += [j] * len(pieces)
        owner = np.array(owners, dtype=np.intp)
        x_test = vectorizer.transform(parts)
        test_rules = data.rules[test[owner]]
    else:
        x_test = vectorizer.transform([data.texts[i] for i in test])
        test_rules = data.rules[test]
    if variant.rules_features:
        x_test = hstack([x_test, csr_matrix(test_rules.astype(float) * RULES_WEIGHT)]).tocsr()
    out: dict[float, Floats] = {}
    for c in cs:
        s_all = np.zeros((len(test), len(CATS)))
        for k in range(len(CATS)):
            y = data.gold[train, k]
            if y.sum() < 2:
                continue
            model = make_model(variant.model, c)
            model.fit(x_train, y)
            if variant.model == "svm":
                s = 1 / (1 + np.exp(-2 * model.decision_function(x_test)))
            else:
                s = model.predict_proba(x_test)[:, 1]
            if owner is not None:
                pooled = np.zeros(len(test))
                np.maximum.at(pooled, owner, s)
                s = pooled
            s_all[:, k] = s
        out[c] = s_all
    return out


def thresholds() -> Floats:
    import numpy as np

    return np.round(np.arange(0.05, 0.96, 0.05), 2)


def combine(mode: str, s: Floats, threshold: float, rules: Bools) -> Bools:
    pred = s >= threshold
    if mode == "or":
        return pred | rules
    if mode == "and":
        return pred & rules
    return pred


def nested(data: Data, variant: Variant) -> tuple[dict[str, Bools], dict[str, list[tuple[float, float]]]]:
    """Out-of-fold predictions per mode, and the (C, threshold) each outer fold chose per mode."""
    import numpy as np
    from sklearn.model_selection import GroupKFold

    preds = {m: np.zeros_like(data.gold) for m in MODES}
    chosen: dict[str, list[tuple[float, float]]] = {m: [] for m in MODES}
    for train, test in GroupKFold(n_splits=5).split(data.texts, groups=data.groups):
        oof = {c: np.zeros((len(train), len(CATS))) for c in variant.cs}
        for inner_train, inner_test in GroupKFold(n_splits=4).split(train, groups=data.groups[train]):
            for c, s in scores(data, variant, variant.cs, train[inner_train], train[inner_test]).items():
                oof[c][inner_test] = s
        best: dict[str, tuple[float, float, float]] = {m: (-1.0, 0.0, 0.0) for m in MODES}
        for c in variant.cs:  # same order as the experiment: the first best (C, threshold) wins ties
            for m in MODES:
                for t in thresholds():
                    f = micro(combine(m, oof[c], float(t), data.rules[train]), data.gold[train])["F1"]
                    if f > best[m][0]:
                        best[m] = (f, c, float(t))
        final = scores(data, variant, sorted({best[m][1] for m in MODES}), train, test)
        for m in MODES:
            _, c, t = best[m]
            preds[m][test] = combine(m, final[c], t, data.rules[test])
            chosen[m].append((c, t))
    return preds, chosen


def summarize(data: Data, name: str, pred: Bools) -> dict[str, Any]:
    result: dict[str, Any] = {"name": name, **micro(pred, data.gold)}
    result["plain_warned"] = int(pred[data.plain].any(axis=1).sum())
    result["per_category"] = {
        c: {
            "found": int((pred[:, k] & data.gold[:, k]).sum()),
            "gold": int(data.gold[:, k].sum()),
            "fp": int((pred[:, k] & ~data.gold[:, k]).sum()),
        }
        for k, c in enumerate(CATS)
        if data.gold[:, k].any() or pred[:, k].any()
    }
    return result


# --------------------------------------------------------------------------------------------------


def run(args: Any, versions: dict[str, str]) -> Report:
    report = Report("benchmarks.cw_learned", {k: v for k, v in vars(args).items() if k != "json"})
    started = time.perf_counter()
    use_corpus = CORPUS.is_dir()
    if not use_corpus:
        log(f"real-feed corpus not found at {CORPUS}: library items only")
    rows, missing, skipped = build_rows(use_corpus)
    built = time.perf_counter() - started
    data = to_data(rows)
    log(f"{len(rows)} rows from {len(set(data.groups))} publishers in {built:.1f} s")
    systems = [summarize(data, "rules", data.rules)]
    variants = SMOKE if args.smoke else QUICK if args.quick else VARIANTS
    for variant in variants:
        t0 = time.perf_counter()
        preds, chosen = nested(data, variant)
        for m in MODES:
            system = summarize(data, f"{MODE_LABEL[m]} [{variant.tag}]", preds[m])
            system["chosen"] = chosen[m]
            systems.append(system)
        log(f"{variant.tag}: {time.perf_counter() - t0:.0f} s")
    report.results = {
        "corpus": use_corpus,
        "items": len(rows),
        "gold_labels": int(data.gold.sum()),
        "plain_items": int(data.plain.sum()),
        "publishers": len(set(data.groups)),
        "labels_missing_from_feed": missing,
        "labels_skipped_without_corpus": skipped,
        "versions": versions,
        "rows_seconds": round(built, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "systems": systems,
    }
    report.tables.append(
        table(
            f"micro over categories, {len(rows)} items, grouped nested CV",
            ["system", "P", "R", "F1", "tp", "fp", "fn", "plain warned"],
            [
                (s["name"], s["P"], s["R"], s["F1"], s["tp"], s["fp"], s["fn"], s["plain_warned"])
                for s in systems
            ],
        )
    )
    rules, learned = systems[0], max(systems[1:], key=lambda s: s["F1"])
    report.targets.append(
        Target(
            "a learned system beats the rules (micro-F1)",
            learned["F1"] > rules["F1"],
            f"best {learned['name']} {learned['F1']:.2f} vs rules {rules['F1']:.2f}",
        )
    )
    report.notes.append(
        "the rules were tuned on these items: their figures, and the OR/AND modes', are optimistic"
    )
    if not use_corpus:
        report.notes.append(f"shared corpus absent ({CORPUS}): {skipped} labels skipped, library items only")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = base_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="only LR on word 1-2-grams, LR on char 3-5-grams and LR + rules"
    )
    args = parser.parse_args(argv)
    try:
        import numpy
        import scipy
        import sklearn
    except ImportError:
        print(NEEDS_SKLEARN, file=sys.stderr)
        return 2
    versions = {"scikit-learn": sklearn.__version__, "numpy": numpy.__version__, "scipy": scipy.__version__}
    run(args, versions).emit(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
