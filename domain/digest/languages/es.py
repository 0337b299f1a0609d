"""Spanish: content-warning words in dictionary form, trade idioms, negation and spoiler cues."""

from __future__ import annotations

from domain.digest.languages.engine import Lexicon

# fmt: off
LEXICON = Lexicon(
    code="es",
    strong={
        "violence": (
            "asesinar", "asesinato", "asesino", "matar", "masacre", "masacrar", "matanza", "apuñalar",
            "acuchillar", "degollar", "tiroteo", "balacera", "a tiros", "fusilar", "homicidio", "estrangular",
            "linchar", "violencia", "paliza", "golpiza", "apalear", "acribillar", "ejecución sumaria",
            "baño de sangre", "muerte violenta", "asesinado", "matado", "violencia de género", "violencia doméstica", "violencia machista",
        ),
        "gore": (
            "gore", "víscera", "vísceras", "desmembrar", "decapitar", "mutilar", "destripar", "casquería",
            "sangre a raudales", "charco de sangre", "mutilación", "desmembrado",
        ),
        "torture": ("torturar", "tortura", "torturado", "torturador"),
        "sexual-violence": (
            "violar", "violación", "violador", "abuso sexual", "agresión sexual", "violado", "violada",
        ),
        "sexual-content": (
            "sexo explícito", "escena de sexo", "escenas de sexo", "escena sexual", "escenas sexuales",
            "desnudo integral", "desnudez", "erótico", "erótica",
        ),
        "child-harm": (
            "abuso infantil", "maltrato infantil", "pederastia", "pedofilia", "pedófilo", "pederasta",
            "trata de niños", "explotación infantil",
        ),
        "self-harm": (
            "suicidio", "suicidarse", "suicida", "quitarse la vida", "autolesión", "autolesionarse",
            "cortarse las venas",
        ),
        "abuse": (
            "maltrato", "maltratar", "violencia doméstica", "violencia machista", "violencia de género",
            "maltratador", "abusar", "abuso", "abusivo",
        ),
        "animal-harm": ("maltrato animal", "crueldad animal"),
        "drugs": (
            "droga", "drogas", "cocaína", "heroína", "metanfetamina", "sobredosis", "drogadicción",
            "drogadicto", "drogarse", "adicción",
        ),
        "flashing-lights": ("luz estroboscópica", "luces estroboscópicas", "epilepsia", "destello"),
        "hate": (
            "racismo", "racista", "homofobia", "homófobo", "antisemitismo", "antisemita", "xenofobia",
            "crimen de odio", "nazi", "neonazi",
        ),
    },
    weak={
        "gore": ("sangre", "sangriento", "cadáver", "ensangrentado"),
        "violence": ("golpear", "disparar", "pelea", "herido"),
    },
    victims={
        "child-harm": ("niño", "niña", "niños", "bebé", "menor", "crío", "infante", "chiquillo"),
        "animal-harm": (
            "perro", "perra", "gato", "caballo", "animal", "ciervo", "vaca", "toro", "cerdo", "oso",
            "mascota", "cachorro", "pájaro", "elefante", "conejo",
        ),
    },
    violent_harms=(
        "matar", "asesinar", "golpear", "apalear", "apuñalar", "disparar", "torturar", "tortura", "degollar",
        "destripar", "ahogar", "quemar", "maltratar", "mutilar", "desollar", "sacrificar", "pegar",
        "asesinado", "matado",
    ),
    other_harms=("secuestrar", "raptar", "abandonar", "morir", "muerte", "abusar", "traficar", "muerto"),
    negators=("no", "sin", "ni", "nunca", "jamás", "ningún", "ninguna", "ninguno", "nada"),
    emphatic=("escatimar", "ahorrar", "esconder", "rehuir", "evitar", "faltar", "cortar", "temer"),
    idioms=(
        r"\bmat\w* de (?:risa|aburrimiento|miedo|hambre)", r"\bmuert[oa]s? de (?:risa|miedo|hambre|aburrimiento)",
        r"\bmorir\w* de (?:risa|ganas|miedo)", r"\bmat\w* el tiempo", r"\bde muerte\b",
        r"\b(?:baño de sangre|masacre|matanza) en (?:la )?taquilla", r"\bdispar\w* (?:la|las|sus|su) (?:taquilla|ventas|cifras|recaudación|expectativas)",
        r"\bse dispar\w+", r"\bviola\w* (?:la ley|las normas|el contrato|los derechos|el embargo)",
        r"\bviolación (?:de|del) (?:derechos|la ley|las normas|contrato|copyright|la propiedad)",
        r"\bdestrip\w* (?:el|la|los|las) (?:final|trama|argumento|película|sorpresa|giro)",
        r"\bmat\w* (?:a )?la competencia", r"\bgolpe (?:de efecto|de taquilla|maestro)",
        r"\bel asesino de la taquilla", r"\bapuñal\w* por la espalda", r"\babus\w* (?:de|del) (?:cgi|efectos|los efectos)",
        r"\bviolencia de (?:los|las) (?:cifras|números)", r"\bse lo carg\w+",
    ),
    offscreen=("mostrar", "ver", "verse", "enseñar"),
    spoilers=(
        (r"\b(?:contiene|con|hay|alerta de|aviso de|advertencia:?) spoilers?\b|\bspoilers? (?:a la vista|incluidos|adelante|importantes)\b|[\[(]\s*spoilers?\s*[\])]|^\s*spoilers?\s*[:!]", "marked as containing spoilers"),
        (r"\bfinal explicado\b|\b(?:explicación|explicamos|explica) (?:del|el) final\b|\bqué significa el final\b", "ending explained"),
        (r"\bgiro (?:final|inesperado|argumental|de guion)\b|\b(?:gran|sorprendente|impactante) giro\b|\bvuelta de tuerca final\b", "discusses a twist"),
        (r"\bquién muere\b|\bmuere al final\b|\bmuertes? (?:más impactantes?|sorpresa)\b", "reveals who dies"),
        (r"\bescenas? (?:post|pos)[- ]?créditos\b|\bescenas? tras los créditos\b", "post-credits scene"),
        (r"\bresumen del (?:capítulo|episodio|final)\b|\bfinal de temporada\b", "finale or recap"),
        (r"\bidentidad del (?:asesino|culpable)\b|\bquién es el (?:asesino|culpable)\b", "reveals the culprit"),
        (r"\bdestrip\w* (?:el|la|los|las) (?:final|trama|argumento|película|sorpresa|giro)", "marked as containing spoilers"),
    ),
    not_spoilers=(r"\bsin (?:ningún )?spoilers?\b", r"\blibre de spoilers\b", r"\bno (?:hay|contiene) spoilers\b", r"\bsin destripar\b"),
)
# fmt: on
