"""French: content-warning words in dictionary form, trade idioms, negation and spoiler cues."""

from __future__ import annotations

from domain.digest.languages.engine import Lexicon

# fmt: off
LEXICON = Lexicon(
    code="fr",
    strong={
        "violence": (
            "assassiner", "assassinat", "assassin", "tuer", "tueur", "meurtre", "meurtrier", "massacre",
            "massacrer", "poignarder", "égorger", "fusillade", "abattre", "fusiller", "homicide",
            "étrangler", "lyncher", "violence", "passage à tabac", "tabasser", "bain de sang",
            "tué", "tuée", "assassiné", "mort violente", "coups de feu", "violences conjugales",
            "violence conjugale", "violences domestiques", "violence domestique", "abat",
        ),
        "gore": (
            "gore", "viscère", "viscères", "démembrer", "décapiter", "mutiler", "éviscérer", "étriper",
            "mutilation", "démembrement", "giclée de sang", "flot de sang", "hémoglobine",
        ),
        "torture": ("torturer", "torture", "torturé", "tortionnaire", "supplicier"),
        "sexual-violence": (
            "violer", "viol", "violeur", "agression sexuelle", "abus sexuel", "abus sexuels", "harcèlement sexuel", "violée",
            "violé",
        ),
        "sexual-content": (
            "scène de sexe", "scènes de sexe", "sexe explicite", "nudité", "nu intégral", "érotique",
            "scène érotique", "scènes érotiques",
        ),
        "child-harm": (
            "pédophilie", "pédophile", "pédocriminalité", "pédocriminel", "maltraitance infantile",
            "inceste", "enfance maltraitée", "exploitation infantile",
        ),
        "self-harm": (
            "suicide", "se suicider", "suicidaire", "automutilation", "scarification", "mettre fin à ses jours",
            "se donner la mort",
        ),
        "abuse": (
            "maltraitance", "maltraiter", "violences conjugales", "violence conjugale",
            "violences domestiques", "violence domestique", "emprise", "abus",
        ),
        "animal-harm": ("maltraitance animale", "cruauté envers les animaux"),
        "drugs": (
            "drogue", "cocaïne", "héroïne", "méthamphétamine", "overdose", "surdose", "toxicomane",
            "toxicomanie", "se droguer", "crack",
        ),
        "flashing-lights": ("lumière stroboscopique", "lumières stroboscopiques", "stroboscope", "épilepsie"),
        "hate": (
            "racisme", "raciste", "homophobie", "homophobe", "antisémitisme", "antisémite", "xénophobie",
            "crime de haine", "nazi", "néonazi",
        ),
    },
    weak={
        "gore": ("sang", "sanglant", "cadavre", "ensanglanté"),
        "violence": ("frapper", "tirer", "bagarre", "blessé"),
    },
    victims={
        "child-harm": ("enfant", "enfants", "bébé", "fillette", "garçonnet", "mineur", "gamin", "gamine", "nourrisson"),
        "animal-harm": (
            "chien", "chat", "cheval", "animal", "animaux", "cerf", "biche", "vache", "taureau", "cochon",
            "ours", "chiot", "oiseau", "éléphant", "lapin",
        ),
    },
    violent_harms=(
        "tuer", "assassiner", "frapper", "battre", "poignarder", "abattre", "torturer", "égorger",
        "éviscérer", "noyer", "brûler", "maltraiter", "mutiler", "dépecer", "massacrer", "tué", "tuée",
        "battu", "abattu", "abat",
    ),
    other_harms=("enlever", "kidnapper", "abandonner", "mourir", "mort", "abuser", "kidnappé", "enlevé"),
    negators=("ne", "n", "pas", "sans", "aucun", "aucune", "jamais", "ni", "nul", "nulle"),
    emphatic=("épargner", "lésiner", "reculer", "cacher", "manquer", "priver", "hésiter"),
    idioms=(
        r"\bun carton\b", r"\bcartonn\w+", r"\b(?:mort|morte|morts|mourir|meurt|mourais) de (?:rire|faim|peur|ennui|envie)",
        r"\btu\w* le temps", r"\btu\w* (?:le game|la concurrence|le box-office)", r"\bun tueur\b(?= au box)",
        r"\bmassacr\w* (?:par la critique|au box-office)", r"\b(?:massacre|carnage|hécatombe) au box-office",
        r"\bviol\w* (?:la loi|le contrat|les règles|l'embargo|le droit)", r"\bviolation (?:du|de la|des) (?:droit|contrat|loi|règles|embargo)",
        r"\bà tuer\b", r"\bune tuerie\b(?= au box)", r"\bcoup de (?:poing|foudre|cœur|coeur|théâtre|maître|génie)",
        r"\bdrogué(?:e)? (?:au|aux) (?:travail|séries|films)", r"\bfaire un malheur\b", r"\bfait un malheur\b",
        r"\bcrève l'écran", r"\bsaign\w+ (?:à blanc)",
    ),
    offscreen=("montrer", "voir", "montré", "vu"),
    spoilers=(
        (r"\b(?:contient|avec|attention|alerte|gros|grosses) spoilers?\b|\bspoilers? (?:ahead|à venir|inside|ci-dessous)\b|[\[(]\s*spoilers?\s*[\])]|^\s*spoilers?\s*[:!]|\bdivulgâch\w+", "marked as containing spoilers"),
        (r"\bfin expliquée\b|\b(?:explication|on explique|analyse) (?:de )?la fin\b|\bque signifie la fin\b", "ending explained"),
        (r"\b(?:rebondissement|retournement|coup de théâtre) (?:final|inattendu|majeur)\b|\btwist final\b|\b(?:grand|énorme) rebondissement\b", "discusses a twist"),
        (r"\bqui meurt\b|\bmeurt à la fin\b|\bmort (?:surprise|choc) de\b", "reveals who dies"),
        (r"\bscènes? (?:post|après)[- ]?générique\b|\bscènes? post[- ]?crédits?\b", "post-credits scene"),
        (r"\brécap(?:itulatif)? (?:de l'épisode|de la saison|du final)\b|\bfinal de (?:la )?saison\b", "finale or recap"),
        (r"\bidentité du (?:tueur|meurtrier|coupable)\b|\bqui est le (?:tueur|meurtrier|coupable)\b", "reveals the culprit"),
    ),
    not_spoilers=(r"\bsans (?:aucun )?spoilers?\b", r"\bsans divulgâch\w+", r"\bpas de spoilers?\b", r"\bgaranti sans spoilers?\b"),
)
# fmt: on
