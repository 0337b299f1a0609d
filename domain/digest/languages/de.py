"""German: content-warning words in dictionary form (and compound prefixes), idioms, negation, spoiler cues."""

from __future__ import annotations

from domain.digest.languages.engine import Lexicon

# fmt: off
LEXICON = Lexicon(
    code="de",
    strong={
        "violence": (
            "ermorden", "Mord", "Mörder", "töten", "Massaker", "Gemetzel", "erstechen", "erschießen",
            "Schießerei", "Schusswechsel", "abschlachten", "hinrichten", "Hinrichtung", "erwürgen",
            "lynchen", "Gewalt", "Gewalttat", "verprügeln", "Blutbad", "Tötung", "umbringen", "Amoklauf",
            "Serienmörder", "Killer", "erschlagen", "ermordet", "getötet", "erschossen", "erstochen",
            "Mordserie*", "Gewaltorgie*", "häusliche Gewalt", "häuslicher Gewalt",
        ),
        "gore": (
            "Gore", "Eingeweide", "zerstückeln", "enthaupten", "verstümmeln", "ausweiden", "Splatter",
            "zerstückelt", "verstümmelt", "Leichenteil*", "Blutfontäne*",
        ),
        "torture": ("foltern", "Folter", "gefoltert", "Folterknecht", "quälen", "gequält"),
        "sexual-violence": (
            "vergewaltigen", "Vergewaltigung", "vergewaltigt", "Vergewaltiger", "sexuelle Gewalt",
            "sexueller Missbrauch", "sexuellen Missbrauch", "sexuellem Missbrauch", "sexueller Übergriff",
        ),
        "sexual-content": (
            "Sexszene", "Sexszenen", "Nacktszene", "Nacktszenen", "Nacktheit", "explizite Sexszenen",
            "erotisch", "Erotik",
        ),
        "child-harm": (
            "Kindesmissbrauch*", "Kindesmisshandlung*", "Pädophilie", "pädophil", "Pädophiler",
            "Kinderhandel", "Kinderpornografie*", "Kindstötung*",
        ),
        "self-harm": (
            "Suizid", "Selbstmord", "Selbstverletzung", "suizidal", "sich umbringen", "sich das Leben nehmen",
            "Selbsttötung", "ritzen",
        ),
        "abuse": (
            "Missbrauch", "missbrauchen", "missbraucht", "häusliche Gewalt", "häuslicher Gewalt",
            "misshandeln", "Misshandlung", "misshandelt", "Stalking", "Psychoterror",
        ),
        "animal-harm": ("Tierquälerei*", "Tiermisshandlung*"),
        "drugs": (
            "Droge", "Drogen", "Kokain", "Heroin", "Crystal Meth", "Methamphetamin", "Überdosis",
            "drogensüchtig", "Drogensucht", "Junkie", "Drogenkonsum",
        ),
        "flashing-lights": ("Stroboskop*", "Blitzlicht*", "Epilepsie", "epileptisch"),
        "hate": (
            "Rassismus", "rassistisch", "Homophobie", "homophob", "Antisemitismus", "antisemitisch",
            "Fremdenfeindlichkeit", "Hassverbrechen", "Nazi", "Neonazi",
        ),
    },
    weak={
        "gore": ("Blut", "blutig", "Leiche", "blutüberströmt"),
        "violence": ("schlagen", "schießen", "Schlägerei", "verletzt"),
    },
    victims={
        "child-harm": ("Kind", "Kinder", "Baby", "Säugling", "Junge", "Mädchen", "Minderjährige", "Kleinkind"),
        "animal-harm": (
            "Hund", "Katze", "Pferd", "Tier", "Tiere", "Hirsch", "Reh", "Kuh", "Stier", "Schwein", "Bär",
            "Welpe", "Vogel", "Elefant", "Kaninchen",
        ),
    },
    violent_harms=(
        "töten", "ermorden", "schlagen", "verprügeln", "erstechen", "erschießen", "foltern", "ausweiden",
        "ertränken", "verbrennen", "misshandeln", "verstümmeln", "häuten", "abschlachten", "quälen",
        "ermordet", "getötet", "erschossen", "erstochen", "misshandelt", "gequält", "geschlagen",
    ),
    other_harms=("entführen", "entführt", "verlassen", "sterben", "Tod", "missbrauchen", "missbraucht", "tot", "stirbt"),
    negators=("nicht", "kein", "keine", "keinen", "keinem", "keiner", "ohne", "nie", "niemals", "weder"),
    emphatic=("scheuen", "sparen", "zurückhalten", "verstecken", "geizen", "zimperlich"),
    idioms=(
        r"\bkassenschlager\w*", r"\bkassenknüller\w*", r"\bkassenhit\w*", r"\bkiller-?\w*(?:soundtrack|besetzung|app)\b",
        r"\b(?:tot|todlangweilig)gelacht\w*", r"\bzum totlachen\b", r"\bsich totlachen\b", r"\bdie zeit tot\w*",
        r"\bschlägt (?:ein|alle rekorde|die konkurrenz)", r"\bschlug (?:ein|alle rekorde)", r"\bschlägt sich gut\b",
        r"\bmassaker an den kinokassen\b", r"\bblutbad an den (?:kino)?kassen\b", r"\bgewaltig\w*",
        r"\bgewalterfolg\b", r"\bsahnestück\b", r"\bmissbrauch von (?:daten|macht|cgi|effekten)\b",
        r"\bmörderisch\w* (?:gut|spannend|erfolg)", r"\bzum sterben (?:schön|gut)\b", r"\btodschick\b",
        r"\bschießt (?:in die höhe|nach oben|an die spitze)", r"\bschoss (?:in die höhe|an die spitze)",
        r"\bgewaltenteilung\b",
    ),
    offscreen=("zeigen", "sehen", "gezeigt", "gesehen", "sichtbar"),
    spoilers=(
        (r"\b(?:enthält|mit|achtung|vorsicht|warnung:?|große|massive) spoilern?\b|\bspoiler-?(?:warnung|alarm)\b|[\[(]\s*spoiler\s*[\])]|^\s*spoiler\s*[:!]", "marked as containing spoilers"),
        (r"\bende (?:erklärt|erklärung)\b|\b(?:das )?ende erklärt\b|\berklärung (?:des|zum) ende\b|\bwas bedeutet das ende\b", "ending explained"),
        (r"\b(?:große|überraschende|finale|schockierende) wendung\b|\bplot-?twist\b|\bdie wendung am ende\b", "discusses a twist"),
        (r"\bwer stirbt\b|\bstirbt am ende\b|\btod (?:am ende|im finale)\b", "reveals who dies"),
        (r"\b(?:post|after)-?credit-?szene\w*\b|\bszene\w* nach dem abspann\b|\babspannszene\w*", "post-credits scene"),
        (r"\bstaffelfinale\b|\bfolge \d+ (?:im )?recap\b|\brecap (?:zu|der) folge\b|\bzusammenfassung der folge\b", "finale or recap"),
        (r"\bidentität des (?:mörders|killers|täters)\b|\bwer (?:ist )?der (?:mörder|täter|killer)(?: ist)?\b", "reveals the culprit"),
    ),
    not_spoilers=(r"\bohne spoiler\w*", r"\bspoilerfrei\w*", r"\bkeine spoiler\b"),
)
# fmt: on
