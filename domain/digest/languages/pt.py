"""Portuguese: content-warning words in dictionary form, trade idioms, negation and spoiler cues."""

from __future__ import annotations

from domain.digest.languages.engine import Lexicon

# fmt: off
LEXICON = Lexicon(
    code="pt",
    strong={
        "violence": (
            "assassinar", "assassinato", "assassino", "matar", "massacre", "massacrar", "matança",
            "esfaquear", "degolar", "tiroteio", "a tiros", "fuzilar", "homicídio", "estrangular", "linchar",
            "violência", "espancamento", "espancar", "chacina", "banho de sangue", "morte violenta",
            "assassinado", "assassinada", "executado a tiros", "baleado", "baleada", "violência doméstica",
            "violência contra a mulher",
        ),
        "gore": (
            "gore", "víscera", "vísceras", "desmembrar", "decapitar", "mutilar", "estripar", "mutilação",
            "desmembramento", "esquartejar", "poça de sangue", "sangue jorrando",
        ),
        "torture": ("torturar", "tortura", "torturado", "torturada", "torturador"),
        "sexual-violence": (
            "estuprar", "estupro", "estuprador", "abuso sexual", "violência sexual", "agressão sexual",
            "estuprada", "violentada",
        ),
        "sexual-content": (
            "cena de sexo", "cenas de sexo", "sexo explícito", "nudez", "nu frontal", "erótico", "erótica",
            "cenas eróticas",
        ),
        "child-harm": (
            "abuso infantil", "maus-tratos infantis", "pedofilia", "pedófilo", "exploração infantil",
            "tráfico de crianças", "trabalho infantil",
        ),
        "self-harm": (
            "suicídio", "suicidar", "suicida", "automutilação", "tirar a própria vida", "se matar",
            "autolesão",
        ),
        "abuse": (
            "maus-tratos", "maltratar", "violência doméstica", "violência contra a mulher", "abusar",
            "abuso", "abusivo", "agressor", "assédio",
        ),
        "animal-harm": ("maus-tratos a animais", "crueldade animal", "crueldade contra animais"),
        "drugs": (
            "droga", "drogas", "cocaína", "heroína", "metanfetamina", "overdose", "dependente químico",
            "dependência química", "drogar", "crack",
        ),
        "flashing-lights": ("luz estroboscópica", "luzes estroboscópicas", "epilepsia", "flashes de luz"),
        "hate": (
            "racismo", "racista", "homofobia", "homofóbico", "antissemitismo", "antissemita", "xenofobia",
            "crime de ódio", "nazista", "neonazista",
        ),
    },
    weak={
        "gore": ("sangue", "sangrento", "cadáver", "ensanguentado"),
        "violence": ("bater", "atirar", "briga", "ferido"),
    },
    victims={
        "child-harm": ("criança", "crianças", "bebê", "bebé", "menino", "menina", "menor", "garoto", "garota"),
        "animal-harm": (
            "cachorro", "cão", "gato", "cavalo", "animal", "animais", "cervo", "veado", "vaca", "touro",
            "porco", "urso", "filhote", "pássaro", "elefante", "coelho",
        ),
    },
    violent_harms=(
        "matar", "assassinar", "bater", "espancar", "esfaquear", "atirar", "torturar", "tortura", "degolar", "estripar",
        "afogar", "queimar", "maltratar", "mutilar", "esfolar", "sacrificar", "assassinado", "assassinada",
        "morto", "espancado",
    ),
    other_harms=("sequestrar", "raptar", "abandonar", "morrer", "morte", "abusar", "traficar"),
    negators=("não", "sem", "nem", "nunca", "jamais", "nenhum", "nenhuma", "nada"),
    emphatic=("economizar", "poupar", "esconder", "fugir", "evitar", "faltar", "hesitar", "temer"),
    idioms=(
        r"\bestreia matadora\b", r"\bmatador\w*\b(?! (?:de aluguel|serial))", r"\bmat\w* (?:a pau|a concorrência|o tempo)",
        r"\bmorr\w* de (?:rir|rir|medo|fome|tédio|vontade)", r"\bmort[oa]s? de (?:rir|medo|fome|tédio|vontade)",
        r"\b(?:massacre|chacina|banho de sangue) (?:nas|na) bilheterias?", r"\bexplod\w* (?:nas|na) bilheterias?",
        r"\barrebent\w*", r"\bde matar\b", r"\bviol\w* (?:a lei|o contrato|as regras|os direitos)",
        r"\bviolação (?:de|dos|da) (?:direitos|contrato|lei|regras)", r"\batir\w* (?:para todos os lados|no próprio pé)",
        r"\bdispar\w* (?:nas|na) bilheterias?", r"\babuso (?:de|do) (?:cgi|efeitos)", r"\bbat\w* (?:recordes?|a marca|a meta|o recorde)",
    ),
    offscreen=("mostrar", "ver", "mostrado", "visto"),
    spoilers=(
        (r"\b(?:contém|com|alerta de|aviso de|atenção:?) spoilers?\b|\bspoilers? (?:à frente|abaixo|adiante)\b|[\[(]\s*spoilers?\s*[\])]|^\s*spoilers?\s*[:!]", "marked as containing spoilers"),
        (r"\bfinal explicado\b|\b(?:explicação|entenda|explicamos) (?:d?o )?final\b|\bo que significa o final\b", "ending explained"),
        (r"\breviravolta (?:final|chocante|inesperada)\b|\b(?:grande|chocante) reviravolta\b|\bplot twist\b", "discusses a twist"),
        (r"\bquem morre\b|\bmorre no final\b|\bmortes? (?:chocantes?|surpresa)\b", "reveals who dies"),
        (r"\bcenas? (?:pós|pos)[- ]?créditos\b|\bcenas? depois dos créditos\b", "post-credits scene"),
        (r"\brecap(?:itulação)? do (?:episódio|capítulo|final)\b|\bfinal de temporada\b|\bresumo do episódio\b", "finale or recap"),
        (r"\bidentidade do (?:assassino|culpado)\b|\bquem é o (?:assassino|culpado)\b", "reveals the culprit"),
    ),
    not_spoilers=(r"\bsem (?:nenhum )?spoilers?\b", r"\blivre de spoilers\b", r"\bnão (?:há|tem|contém) spoilers\b"),
)
# fmt: on
