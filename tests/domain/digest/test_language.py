"""Language detection, the feed's declared language as a hint, and what the digest does per language."""

from __future__ import annotations

import feedparser
import pytest

from domain.digest import Article, DigestOptions, article_from_entry, digest_entry, render_payload
from domain.digest.digest import NOTE_MIN_WORDS_UNKNOWN, not_checked_note
from domain.digest.language import (
    CHECKED_LANGUAGES,
    CONFIDENT,
    detect_language,
    language_name,
    normalize_language,
)
from tests.helpers.corpus import shared_corpus

# Short film texts as feeds carry them (headlines, one-line blurbs, metadata), with their language. The
# detector was chosen on this set: py3langid 56/58 right at 60 µs per item, langdetect 53/58 at 1.9 ms,
# simplemma's detector 52/58 (and it only chooses among the languages it is given).
SHORT_TEXTS: tuple[tuple[str, str], ...] = (
    ("en", "Five Nights at Freddy's 2 Just Murdered The Box Office"),
    ("en", "David Dastmalchian Joins Technohorror Kill Screen From Wolf Creek Director"),
    ("en", "The sequel opens in theaters on Friday after a strong festival run."),
    ("en", "A grieving father hunts the men who killed his son."),
    ("en", "Review: a quiet, moving drama about two sisters in rural Ireland."),
    ("en", "Box office: Wicked tops the weekend with $80 million"),
    ("es", "Bad Bunny Gana el Album del Año, Por Ser El Primero de Ganarlo"),
    ("es", "La película arrasa en taquilla en su primer fin de semana."),
    ("es", "Un padre busca venganza tras el asesinato de su hija."),
    ("es", "Crítica: una comedia ligera que no termina de funcionar"),
    ("es", "Los niños son secuestrados por una banda de traficantes."),
    ("fr", "Le film fait un carton au box-office français."),
    ("fr", "Critique : un drame bouleversant sur le deuil"),
    ("fr", "Un tueur en série terrorise une petite ville de province."),
    ("fr", "La bande-annonce du nouveau film de Céline Sciamma est en ligne."),
    ("fr", "Elle est tuée dans la première scène."),
    ("de", "Der Film ist ein echter Kassenschlager."),
    ("de", "Ein Mann wird in seiner Wohnung ermordet aufgefunden."),
    ("de", "Kritik: Ein leiser Film über Trauer und Verlust"),
    ("de", "Der neue Trailer zum Horrorfilm ist da."),
    ("de", "Regisseur dreht neuen Thriller in Berlin"),
    ("pt", "Estreia matadora: o filme lidera as bilheterias."),
    ("pt", "Um pai procura vingança após o assassinato da filha."),
    ("pt", "O novo filme de terror estreia nos cinemas em outubro."),
    ("pt", "A continuação chega aos cinemas brasileiros na quinta-feira."),
    ("pt", "Ela é assassinada na primeira cena do filme."),
    ("cs", "Když je jeho miliardářský zaměstnavatel zavražděn přímo před jeho očima, Cole je nucen utéct."),
    ("cs", "Oblíbená parta hraček se vrací v novém dobrodružství."),
    ("cs", "Profesorka se ocitá uprostřed krvavé noční můry."),
    ("it", "Il film è un successo al botteghino."),
    ("it", "Un uomo viene ucciso nella sua casa."),
    ("nl", "De film is vanaf donderdag te zien in de bioscoop."),
    ("pl", "Recenzja: poruszający dramat o żałobie"),
    ("tl", "ganda ni seohyun pero yung pelikula hindi masyado"),
    ("tl", "pangalwang beses ko na napanood to pero ganon pa rin yung kirot e"),
    ("sv", "Filmen har premiär på bio i helgen."),
)

CZECH_SYNOPSIS = (
    "Cole Reed (Jason Statham) v minulosti sloužil u speciálních jednotek a později u londýnské policie. V "
    "současnosti pracuje jako soukromý bezpečnostní specialista. Když je jeho miliardářský zaměstnavatel "
    "zavražděn přímo před jeho očima a z činu se pokusí obvinit jeho, Cole je nucen dát se na útěk."
)
REALFEEDS = shared_corpus("realfeeds")


def test_short_film_texts_are_detected_and_never_confidently_wrong() -> None:
    right = 0
    for language, text in SHORT_TEXTS:
        guess = detect_language("", text)
        if guess.code == language:
            right += 1
        else:  # a miss must be an "unknown" or a low-confidence guess, never a confident wrong language
            assert guess.code is None or guess.confidence < CONFIDENT, (language, text, guess)
    assert right / len(SHORT_TEXTS) >= 0.9, right


def test_the_declared_language_decides_only_when_the_detector_is_unsure() -> None:
    assert detect_language("Baramulla", "Žánry: Horor", "cs-CZ").code == "cs"
    assert detect_language("Baramulla", "Žánry: Horor", "cs-CZ").source == "declared"
    # A Spanish item inside an English feed (realfeeds 23): the detector wins.
    spanish = detect_language(
        "Bad Bunny Gana el Album del Año, Por Ser El Primero de Ganarlo",
        "'DeBÍ TiRAR MáS FOToS' hizo historia el premio mas alto de la funcion del domingo",
        "en",
    )
    assert (spanish.code, spanish.source) == ("es", "detected")


@pytest.mark.parametrize(
    ("title", "text"),
    [("Tenet", ""), ("", "★★★½"), ("The Machine (2013)", ""), ("", "AAAAAHHHHH WAHHHHH")],
)
def test_too_little_text_and_no_hint_is_unknown(title: str, text: str) -> None:
    assert detect_language(title, text).code is None


def test_metadata_lines_are_not_a_checked_language() -> None:
    # Titulky.com items (realfeeds 25): an English title and "Film, rok: 2023, jazyk: CZ".
    guess = detect_language("Mercy (2026) [CZ]", "Film, rok: 2026, jazyk: CZ")
    assert guess.code not in CHECKED_LANGUAGES


@pytest.mark.parametrize(
    ("declared", "code"),
    [
        ("cs-CZ", "cs"),
        ("en-us", "en"),
        ("pt_BR", "pt"),
        ("FR", "fr"),
        ("eng", "en"),
        ("German", "de"),
        ("  es  ", "es"),
        ("x-klingon", None),
        ("zz", None),
        ("", None),
        (None, None),
        (42, None),
        ("a" * 100, None),
    ],
)
def test_normalize_declared_language(declared: object, code: str | None) -> None:
    assert normalize_language(declared) == code


def test_language_names_in_english() -> None:
    assert language_name("cs") == "Czech"
    assert language_name("tl") == "Tagalog"
    assert language_name(None) is None


def test_the_detector_reads_a_bounded_sample() -> None:
    # Its cost (BENCHMARKS.md) is the same for a synopsis and a 20 KB article: only the opening is read.
    long_text = CZECH_SYNOPSIS + " " + "This is an English appendix. " * 400
    assert detect_language("Vzpoura", long_text).code == "cs"


# ---- the entry's declared language -----------------------------------------------------------------------


def test_entry_language_from_xml_lang_dc_language_or_the_feed() -> None:
    parsed = feedparser.parse(
        b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
        <title>t</title><entry><title>Eins</title><id>urn:1</id><summary>kurz</summary></entry>
        <entry xml:lang="fr"><title>Deux</title><id>urn:2</id><summary>court</summary></entry></feed>"""
    )
    assert [article_from_entry(e).language for e in parsed.entries] == ["de", "fr"]
    assert article_from_entry({"title": "x", "language": "cs-cz"}).language == "cs-cz"
    assert article_from_entry({"title": "x", "language": 5}).language is None
    assert article_from_entry({"title": "x"}).language is None


# ---- the digest: which rules run, and the note ----------------------------------------------------------


def test_czech_synopsis_says_its_warnings_were_not_checked() -> None:
    digest = digest_entry(Article(title="Vzpoura", html=f"<p>{CZECH_SYNOPSIS}</p>", language="cs-CZ"))
    assert digest.language == "cs" and not digest.warnings_checked
    assert digest.warnings == ()
    assert "content warnings: not checked for Czech" in digest.payload["content"]


def test_short_czech_metadata_gets_no_note() -> None:
    digest = digest_entry(Article(title="Baramulla", html="Žánry: Horor", language="cs-cz"))
    assert digest.language == "cs" and not digest.warnings_checked
    assert "content" not in digest.payload


def test_spanish_french_german_portuguese_and_english_are_checked() -> None:
    cases = {
        "es": (
            "Un empresario es asesinado en su despacho y su secretaria se convierte en sospechosa.",
            "violence",
        ),
        "fr": (
            "Un juge est assassiné devant le palais de justice, et sa greffière mène l'enquête.",
            "violence",
        ),
        "de": (
            "Ein Mann wird in seiner Wohnung ermordet aufgefunden, und die Polizei steht vor einem Rätsel.",
            "violence",
        ),
        "pt": (
            "Um empresário é assassinado em seu escritório e a secretária vira a principal suspeita.",
            "violence",
        ),
        "en": (
            "A businessman is murdered in his office and his assistant becomes the prime suspect.",
            "violence",
        ),
    }
    for language, (text, category) in cases.items():
        digest = digest_entry(Article(title="", html=f"<p>{text}</p>"))
        assert digest.language == language and digest.warnings_checked, (language, digest.language)
        assert category in {w.category for w in digest.warnings}, language
        assert "not checked" not in digest.payload.get("content", "")


def test_spanish_trade_idiom_is_clean_and_spanish_spoilers_are_caught() -> None:
    clean = digest_entry(
        Article(
            title="", html="<p>La película arrasa en taquilla y supera los diez millones en su estreno.</p>"
        )
    )
    assert clean.language == "es" and clean.warnings == () and not clean.spoiler
    spoiler = digest_entry(
        Article(
            title="Final explicado de la nueva película de Almodóvar",
            html="<p>Te contamos qué pasa.</p>",
            language="es",
        )
    )
    assert spoiler.spoiler and "ending explained" in spoiler.spoiler_reasons
    no_spoilers = digest_entry(
        Article(
            title="Crítica sin spoilers de la nueva película de Almodóvar",
            html="<p>Una joya.</p>",
            language="es",
        )
    )
    assert not no_spoilers.spoiler


def test_episode_codes_in_a_spanish_title_are_spoiler_prone_but_sin_spoilers_is_not() -> None:
    episode = digest_entry(
        Article(
            title="The Last of Us S02E05: resumen del episodio", html="<p>Joel y Ellie.</p>", language="es"
        )
    )
    assert "episode discussion" in episode.spoiler_reasons
    clean = digest_entry(
        Article(
            title="Crítica sin spoilers: la nueva temporada", html="<p>Una joya de serie.</p>", language="es"
        )
    )
    assert clean.spoiler_reasons == ()


def test_custom_terms_still_apply_in_an_unchecked_language() -> None:
    options = DigestOptions(custom_terms={"violence": ("zavražděn",)})
    digest = digest_entry(Article(title="Vzpoura", html=f"<p>{CZECH_SYNOPSIS}</p>"), options)
    assert [w.category for w in digest.warnings] == ["violence"]
    assert not digest.warnings_checked


def test_unknown_language_note_only_for_long_text() -> None:
    assert not_checked_note(None, "AAAAAAHHHH WAHHHHH") is None
    long_text = " ".join(["zxqv"] * NOTE_MIN_WORDS_UNKNOWN)
    assert not_checked_note(None, long_text) == "content warnings: not checked (language unknown)"
    assert not_checked_note("en", long_text) is None
    assert not_checked_note("tl", "pangalwang beses ko na napanood to pero ganon pa") == (
        "content warnings: not checked for Tagalog"
    )
    assert not_checked_note("tl", "andaming emosyon") is None


def test_unknown_short_english_items_still_get_the_english_rules() -> None:
    digest = digest_entry(Article(title="Watched: The Machine", html="bloodbath, gore galore"))
    assert digest.language is None and not digest.warnings_checked
    assert "content" not in digest.payload or "not checked" not in digest.payload["content"]


def test_render_shows_the_note_line() -> None:
    payload = render_payload(
        Article(title="x"), "summary", not_checked="content warnings: not checked for Czech"
    )
    assert payload["content"] == "ℹ️ content warnings: not checked for Czech"
    assert "content" not in render_payload(Article(title="x"), "summary")


@pytest.mark.skipif(not (REALFEEDS / "16-tmdb-popular-cs.xml").is_file(), reason="shared corpus not present")
def test_realfeeds_czech_item_where_the_employer_is_murdered() -> None:
    from services.feedparse import parse_bytes

    parsed = parse_bytes((REALFEEDS / "16-tmdb-popular-cs.xml").read_bytes())
    digests = [digest_entry(article_from_entry(e, parsed.title)) for e in parsed.entries]
    vzpoura = next(d for d in digests if "zavražděn" in d.summary or d.title == "Vzpoura")
    assert vzpoura.language == "cs" and not vzpoura.warnings_checked
    assert "content warnings: not checked for Czech" in vzpoura.payload["content"]
    assert all(d.language == "cs" for d in digests)
