"""Deterministic film-news articles and RSS feeds for the benchmarks (no network, no files).

The text is built from film-journalism sentence templates (festival news, reviews, box office, interviews)
with names, titles and numbers drawn from a seeded ``random.Random``, wrapped in the HTML a CMS emits:
paragraphs, links, emphasis, a figure with an image, a pull quote, sometimes a share bar and a "read more"
footer. Some sentences carry content-warning and spoiler vocabulary at realistic rates, so the digest does
its full work rather than scanning clean text.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from xml.sax.saxutils import escape

FIRST = [
    "Ava",
    "Bong",
    "Céline",
    "Denis",
    "Emma",
    "Greta",
    "Hirokazu",
    "Jordan",
    "Kelly",
    "Lynne",
    "Mati",
    "Paul",
    "Ryusuke",
    "Sean",
    "Yorgos",
    "Alice",
    "Barry",
    "Claire",
    "Jonathan",
    "Lulu",
]
LAST = [
    "Villeneuve",
    "Gerwig",
    "Sciamma",
    "Peele",
    "Reichardt",
    "Lanthimos",
    "Kore-eda",
    "Ramsay",
    "Hamaguchi",
    "Baker",
    "Rohrwacher",
    "Jenkins",
    "Diop",
    "Wang",
    "Glazer",
    "Triet",
    "Diop",
    "Park",
]
FILMS = [
    "The Quiet Hour",
    "Salt and Ash",
    "Northern Lights",
    "A Room by the Sea",
    "The Last Projectionist",
    "Paper Moons",
    "Night Train to Lisbon",
    "Glass Harvest",
    "The Orchard",
    "Small Hours",
    "Red Rooms",
    "Monsoon Letters",
    "The Cartographer",
    "Winter Sleep Again",
    "After the Flood",
]
FESTIVALS = ["Cannes", "Venice", "Berlin", "Sundance", "Toronto", "Locarno", "Rotterdam", "San Sebastián"]
TEMPLATES = [
    "{name} returns to {festival} with {film}, a {adj} drama about {topic}.",
    "The film premiered at {festival} to a {adj} reception, and critics singled out {name}'s performance.",
    "{film} follows {topic}, shot on 35mm over {n} weeks in the {place}.",
    "Distributors are said to be circling {film} after a bidding war that reached ${n} million.",
    "In an interview, {name} said the script went through {n} drafts before the first day of shooting.",
    "The cast also includes {name2}, who plays a {role} with {adj} restraint.",
    "Box office tracking suggests an opening weekend of around ${n} million in {n2} theatres.",
    "{festival} announced its lineup this morning, with {n} films in competition and {n2} debut features.",
    "The screenplay, co-written with {name2}, adapts a {adj} novel about {topic}.",
    "Cinematographer {name2} lights every interior like a painting, and the score is {adj}.",
    "It runs {n3} minutes and will open in cinemas next month before streaming in the spring.",
    "Our critic called it the most {adj} film of the year, despite a third act that loses its nerve.",
    "Tickets for the repertory screening at the {place} Film Society sold out within {n} minutes.",
    "The restoration, supervised by {name}, was made from the original camera negative.",
]
WARNING_SENTENCES = [
    "The film contains scenes of graphic violence and a brutal murder that some viewers may find distressing.",
    "A subplot deals with suicide and self-harm, handled with care but without looking away.",
    "There is sexual violence in the second act, which the director discussed at length.",
    "Viewers should know the film depicts drug use and an overdose in unflinching detail.",
    "An animal is killed on screen in one scene, and a dog is harmed in another.",
    "The horror sequences rely on flashing lights and strobe effects.",
]
SPOILER_SENTENCES = [
    "Spoiler warning: in the final scene the mother turns out to have been dead all along.",
    "The twist ending reveals that the narrator was the killer, which recasts everything before it.",
]
ADJ = ["luminous", "unsettling", "tender", "ferocious", "patient", "playful", "austere", "sprawling"]
TOPICS = [
    "two sisters running a failing cinema",
    "a night-shift nurse",
    "a fishing village in decline",
    "a projectionist facing retirement",
    "a family reunion that goes wrong",
    "a teenage chess prodigy",
]
PLACES = ["Baltic coast", "Scottish Highlands", "outskirts of Marseille", "Mekong delta", "Andes", "Midwest"]
ROLES = ["grieving father", "reluctant detective", "retired boxer", "small-town mayor", "ghost"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def sentence(rng: random.Random, warning_rate: float = 0.03, spoiler_rate: float = 0.01) -> str:
    roll = rng.random()
    if roll < warning_rate:
        return rng.choice(WARNING_SENTENCES)
    if roll < warning_rate + spoiler_rate:
        return rng.choice(SPOILER_SENTENCES)
    return rng.choice(TEMPLATES).format(
        name=_name(rng),
        name2=_name(rng),
        film=rng.choice(FILMS),
        festival=rng.choice(FESTIVALS),
        adj=rng.choice(ADJ),
        topic=rng.choice(TOPICS),
        place=rng.choice(PLACES),
        role=rng.choice(ROLES),
        n=rng.randint(2, 60),
        n2=rng.randint(100, 3500),
        n3=rng.randint(85, 190),
    )


def _paragraph(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(2, 5)):
        text = escape(sentence(rng))
        roll = rng.random()
        if roll < 0.15:
            film = escape(rng.choice(FILMS))
            text = text.replace(
                film, f'<a href="https://films.example/titles/{rng.randint(1, 9999)}">{film}</a>', 1
            )
        elif roll < 0.25:
            film = escape(rng.choice(FILMS))
            text = text.replace(film, f"<em>{film}</em>", 1)
        parts.append(text)
    return "<p>" + " ".join(parts) + "</p>"


def article_html(rng: random.Random, target_bytes: int) -> str:
    """An article body of about ``target_bytes`` bytes of HTML."""
    blocks: list[str] = []
    if target_bytes < 600:
        return _paragraph(rng)
    if rng.random() < 0.7:
        src = f"https://img.films.example/{rng.randint(1, 99999)}.jpg"
        blocks.append(
            f'<figure><img src="{src}" alt="A still from {escape(rng.choice(FILMS))}" width="1200" height="675">'
            f"<figcaption>Photo: {escape(_name(rng))} / Festival press</figcaption></figure>"
        )
    size = sum(len(b) for b in blocks)
    while size < target_bytes:
        if rng.random() < 0.08:
            block = f"<blockquote><p>“{escape(sentence(rng, 0, 0))}”</p></blockquote>"
        elif rng.random() < 0.05:
            block = f"<h2>{escape(rng.choice(FILMS))}</h2>"
        else:
            block = _paragraph(rng)
        blocks.append(block)
        size += len(block)
    if rng.random() < 0.3:
        blocks.append('<div class="share">Share this: Facebook | Twitter | Email</div>')
    if rng.random() < 0.5:
        blocks.append('<p>The post <a href="https://films.example/">appeared first on Films Example</a>.</p>')
    return "\n".join(blocks)


def entry_title(rng: random.Random) -> str:
    return rng.choice(
        [
            f"{rng.choice(FILMS)} review: {_name(rng)} is {rng.choice(ADJ)}",
            f"{rng.choice(FESTIVALS)} {rng.randint(2024, 2026)}: {rng.choice(FILMS)} wins the top prize",
            f"{_name(rng)} on making {rng.choice(FILMS)}",
            f"Box office: {rng.choice(FILMS)} opens to ${rng.randint(2, 90)} million",
            f"First look at {rng.choice(FILMS)}, the new film from {_name(rng)}",
        ]
    )


def rss_item(rng: random.Random, guid: str, published: datetime, target_bytes: int) -> str:
    """One RSS item of about ``target_bytes`` (a bare headline item when that is under ~500 bytes)."""
    plain = sentence(rng, 0, 0)
    teaser = escape(plain)
    if target_bytes < 500:
        return (
            f"<item><title>{escape(entry_title(rng))}</title>"
            f"<link>https://films.example/news/{escape(guid)}</link><guid>{escape(guid)}</guid>"
            f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
            f"<description>{escape(plain[: max(40, target_bytes - 250)])}</description></item>"
        )
    body = article_html(rng, target_bytes - 450)
    return (
        f"<item><title>{escape(entry_title(rng))}</title>"
        f"<link>https://films.example/news/{escape(guid)}</link>"
        f'<guid isPermaLink="false">{escape(guid)}</guid>'
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>"
        f"<dc:creator>{escape(_name(rng))}</dc:creator>"
        f"<category>{escape(rng.choice(['News', 'Reviews', 'Festivals', 'Interviews', 'Box office']))}</category>"
        f"<description>{teaser}</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item>"
    )


def rss_feed(title: str, items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{escape(title)}</title><link>https://films.example/</link>"
        "<description>Film news</description><language>en</language>" + "".join(items) + "</channel></rss>"
    ).encode()


BASE_TIME = datetime(2025, 6, 1, tzinfo=UTC)


def item_time(index: int) -> datetime:
    return BASE_TIME + timedelta(hours=index)
