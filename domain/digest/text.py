"""Feed HTML to plain text, and removal of the "furniture" that film-news sites push into their feeds.

Feeds are parsed with ``sanitize_html=False`` for speed, so nothing here may assume feedparser already removed
scripts, styles or hidden blocks: the extractor drops them itself and only ever returns text.

Output shape (shared by :func:`html_to_text` and :func:`clean_text`): paragraphs separated by a blank line,
line breaks inside a paragraph kept as single newlines, runs of spaces collapsed, no tags and no entities.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

# Content of these elements is never prose: code, styling, embedded players, forms, page chrome and captions.
_DROP_CONTENT = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "svg",
        "math",
        "head",
        "title",
        "select",
        "option",
        "button",
        "form",
        "textarea",
        "nav",
        "footer",
        "aside",
        "figcaption",
        "canvas",
        "audio",
        "video",
        "map",
    }
)
_VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "keygen",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_PARAGRAPH = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "main",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "figure",
        "address",
        "details",
        "summary",
        "center",
        "hgroup",
    }
)
_LINE = frozenset({"li", "dt", "dd", "tr", "caption"})
_CELL = frozenset({"td", "th"})

# Class/id words of share bars, related-story boxes, captions and ads. Matched on whole words so that
# "shared-universe" or "thread" do not match; "ad" must stand alone ("ad-slot", "header ad").
_FURNITURE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|sharedaddy|social|related|relatedposts|newsletter|subscribe|subscription|"
    r"caption|wp-caption|credit|credits|advert|advertisement|ads?|promo|sponsored|byline|tags|"
    r"screen-reader-text|sr-only|visually-hidden|hidden|read-more|also-read|more-stories)(?:$|[\s_-])",
    re.IGNORECASE,
)

_TAGLIKE = re.compile(
    r"</?(?:p|div|br|span|a|img|em|strong|b|i|u|script|style|iframe|h[1-6]|ul|ol|li|figure|figcaption|"
    r"blockquote|table|section|article|noscript|object|embed|svg|video|audio|source|picture)\b[^>]*>|<!--",
    re.IGNORECASE,
)
_LEFTOVER_TAG = re.compile(
    r"<!--.*?(?:-->|$)|</?[A-Za-z][A-Za-z0-9:-]*(?:\s[^<>]*)?/?>|<[A-Za-z/!][^<>]*$", re.DOTALL
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ANY_TAG = re.compile(r"<[A-Za-z/!?]")
# Invisible characters that break word matching and can smuggle formatting (bidi overrides) into a post.
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]"
)
_LINEBREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0c\x85]")
_ODD_LINEBREAKS = ("\r", "\u2028", "\u2029", "\x0c", "\x85")


# One scanner for all markup. Attribute values may be quoted and contain ">"; an unterminated comment or
# CDATA section runs to the end, as in browsers. Unlike a browser, a declaration ("<?", "<!x") or an
# unquoted attribute never runs across a "<": "<?<script>" must still start a script, so it gets dropped.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<[!?][^<>]*>?"
    r"|<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)(?:>|\Z)",
    re.DOTALL,
)
# Elements whose content is raw text up to their end tag (so "<" inside a script is not markup).
_RAW_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"}
)
_RAW_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _RAW_TEXT}
_CLASS_ID = re.compile(r"""\b(?:class|id)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
_HIDDEN_ATTR = re.compile(
    r"(?:^|\s)hidden(?:\s|=|/|$)|aria-hidden\s*=\s*[\"']?true|display\s*:\s*none|visibility\s*:\s*hidden",
    re.IGNORECASE,
)
# Break markers used while extracting, so that source newlines (which HTML renders as spaces) can be told
# apart from the breaks that blocks and <br> make. Both are control characters stripped from the input.
_LINE_MARK = "\x01"
_PARA_MARK = "\x02"
_COMMON_SPACES = ("\n", "\t", "\r", "\xa0")


# Inline elements make no break and are never skipped by name: most tags in an article are these.
def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_INLINE = _word_set(
    "a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark nobr q s samp small span strike "
    "strong sub sup time tt u var wbr"
)
_ATTRIBUTE_HINTS = ("class", "id=", "id =", "hidden", "style", "CLASS", "ID=")


def _is_furniture(attributes: str) -> bool:
    # Substring tests first: most tags carry only href/src/alt, which can never mark furniture.
    if not any(h in attributes for h in _ATTRIBUTE_HINTS):
        return False
    for match in _CLASS_ID.finditer(attributes):
        if _FURNITURE_CLASS.search(match.group(1) or match.group(2) or match.group(3) or ""):
            return True
    return _HIDDEN_ATTR.search(attributes) is not None


# The break each block-level tag makes (inline tags make none).
_BREAKS: dict[str, str] = {
    **dict.fromkeys(_CELL, " "),
    **dict.fromkeys(_LINE, _LINE_MARK),
    **dict.fromkeys(_PARAGRAPH, _PARA_MARK),
}


def _extract(markup: str) -> str:
    """Visible text of ``markup``, with break markers. Elements are skipped by name (hard: scripts,
    players, captions) or by a furniture-looking class or id (soft). Skips are tracked by tag name and
    depth only, so unclosed ``<p>``/``<li>`` inside a skipped element cannot keep it open. A soft skip
    that never closes (broken markup) is given back at the end: a wrong guess about a class name must
    not eat the rest of the article."""
    if _LINE_MARK in markup or _PARA_MARK in markup:
        markup = markup.replace(_LINE_MARK, "").replace(_PARA_MARK, "")
    parts: list[str] = []
    hard: str | None = None
    hard_depth = 0
    soft: str | None = None
    soft_depth = 0
    soft_start = 0
    pre = 0
    position = 0
    length = len(markup)
    restart = True
    while restart:
        restart = False
        for match in _MARKUP.finditer(markup, position):
            start = match.start()
            if start > position and hard is None:
                data = markup[position:start]
                parts.append(data.replace("\n", _LINE_MARK) if pre else data)
            position = match.end()
            slash, name, attributes = match.groups()
            if name is None:  # comment, CDATA, doctype, processing instruction
                continue
            tag = name.lower()
            closing = slash == "/"
            if hard is not None:
                if tag == hard:
                    hard_depth += -1 if closing else (0 if attributes.endswith("/") else 1)
                    if hard_depth <= 0:
                        hard = None
                continue
            if tag in _INLINE and soft is None:
                if not closing and attributes and _is_furniture(attributes) and not attributes.endswith("/"):
                    soft, soft_depth, soft_start = tag, 1, len(parts)
                continue
            if closing:
                parts.append(_BREAKS.get(tag, ""))
                if tag == "pre" and pre:
                    pre -= 1
                if soft is not None and tag == soft:
                    soft_depth -= 1
                    if soft_depth == 0:
                        soft = None
                        del parts[soft_start:]
                continue
            if tag in _VOID:
                if tag == "br":
                    parts.append(_LINE_MARK)
                elif tag == "hr":
                    parts.append(_PARA_MARK)
                continue
            self_closing = attributes.endswith("/")
            if tag in _DROP_CONTENT or tag in _RAW_TEXT:
                if self_closing:
                    continue
                if tag in _RAW_TEXT:
                    # Raw text: jump straight to the end tag (or drop the rest when there is none), then
                    # restart the scan there, since "<" inside a script is not markup.
                    raw_end = _RAW_END[tag].search(markup, position)
                    position = raw_end.end() if raw_end else length
                    restart = True
                    break
                hard, hard_depth = tag, 1
                continue
            if self_closing:
                parts.append(_BREAKS.get(tag, ""))
                continue
            if soft is not None:
                if tag == soft:
                    soft_depth += 1
            elif attributes and _is_furniture(attributes):
                soft, soft_depth, soft_start = tag, 1, len(parts)
            parts.append(_BREAKS.get(tag, ""))
            if tag == "pre":
                pre += 1
    if position < length and hard is None:
        parts.append(markup[position:].replace("\n", _LINE_MARK) if pre else markup[position:])
    return "".join(parts)


def _render_marks(text: str) -> str:
    """Turn text with break markers into the paragraph/line shape. Whitespace collapses to single spaces
    (``str.split`` also catches no-break and other Unicode spaces) and the markers become the real line
    and paragraph breaks. String methods rather than regexes, because this runs over the whole article
    and they are several times faster. The whole text is collapsed in one go (the markers are not
    whitespace, so they survive it), which leaves at most one space to strip at either end of a line."""
    paragraphs: list[str] = []
    for paragraph in _collapse_spaces(text).split(_PARA_MARK):
        if _LINE_MARK in paragraph:
            kept = "\n".join(
                line for line in (part.strip(" ") for part in paragraph.split(_LINE_MARK)) if line
            )
        else:
            kept = paragraph.strip(" ")
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)


def _collapse_spaces(text: str) -> str:
    """``" ".join(text.split())``, give or take a space at either end of the text and around markers.

    Markup usually puts newlines between blocks and single spaces between words: with the newlines (and
    the common tabs and no-break spaces) made spaces, such text is already collapsed, which two searches
    prove faster than splitting it into words. Every other whitespace character is unprintable.
    """
    for space in _COMMON_SPACES:
        if space in text:
            text = text.replace(space, " ")
    if "  " not in text and text.replace(_PARA_MARK, "").replace(_LINE_MARK, "").isprintable():
        return text
    return " ".join(text.split())


def _decode_entities(text: str) -> str:
    # Feeds double-encode ("&amp;amp;", "&amp;#8217;"): after the ordinary decoding, decode what is left a
    # bounded number of times so an article that really writes "&amp;amp;" cannot make us loop.
    if "&" not in text:
        return text
    text = html.unescape(text)
    for _ in range(2):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
    return text


def _strip_invisible(text: str) -> str:
    return _strip_invisible_checked(text)[0]


def _strip_invisible_checked(text: str) -> tuple[str, bool]:
    """``text`` without invisible characters and with every line break a ``\\n``; the flag says the text
    was all printable apart from its newlines, so that it holds no whitespace other than spaces and
    newlines either (every other whitespace character is unprintable)."""
    if any(c in text for c in _ODD_LINEBREAKS):
        text = _LINEBREAKS.sub("\n", text)
    # Every invisible character is unprintable, and ``isprintable`` is much cheaper than the regex scan.
    if text.replace("\n", "").isprintable():
        return text, True
    return _INVISIBLE.sub("", text), False


def _as_marked(text: str) -> str:
    # Plain text: a blank line is a paragraph break, a newline a line break.
    return text.replace("\n\n", _PARA_MARK).replace("\n", _LINE_MARK)


def html_to_text(markup: str) -> str:
    """Return the visible prose of ``markup`` as plain text with paragraph breaks. Scripts, styles,
    comments, embedded players, images (so tracking pixels), captions and share/related boxes are
    dropped. Input without any tag is treated as plain text, so its newlines survive. HTML that was
    escaped once more than it should be (``&lt;p&gt;``) is parsed again, a bounded number of times."""
    if not markup:
        return ""
    markup = _strip_invisible(markup)
    if _ANY_TAG.search(markup) is None:
        text = _decode_entities(_as_marked(markup))
    else:
        text = _decode_entities(_extract(markup))
    for _ in range(2):
        if "<" not in text or not _TAGLIKE.search(text):
            break
        # Escaped HTML came out of the entities: parse it as markup, keeping the breaks found so far.
        text = _decode_entities(_extract(text.replace(_LINE_MARK, "<br>").replace(_PARA_MARK, "<p>")))
    if "<" in text:
        text = _LEFTOVER_TAG.sub(" ", text)
    if "&" in markup:  # entities may have produced invisible characters ("&#8203;")
        text = text.replace(_LINE_MARK, "\n").replace(_PARA_MARK, "\n\n")
        if not text.replace("\n", "").isprintable():  # the invisible ones are all unprintable
            text = _INVISIBLE.sub("", text)
        text = _as_marked(text)
    return _render_marks(text)


# ----------------------------------------------------------------------------------------------------
# Furniture. Each rule says why it exists; all work on one line at a time so a rule can never eat prose that
# follows on another line. Whole-line rules run first, then the "tail" rules strip trailers off kept lines.
# Speed: the rules anchored at the start of a line are combined into one regex; the others carry "hints",
# lower-case substrings of which one must occur in the line before the regex runs at all.

_I = re.IGNORECASE

# Captions. Agencies write them as a verbless noun phrase: "A still from 'Red Rooms'". Only "from" (and
# "still/poster of") count, so that prose such as "The scene of the crime ..." is kept ...
_CAPTION = re.compile(
    r"^(?:an?\s+|the\s+)?(?:(?:promotional|publicity|file|first[-\s]look|official|new|exclusive)\s+)?"
    r"(?:(?:still|stills|scene|photo|image|picture|poster|screengrab|screen\s*grab|screenshot|"
    r"frame\s+grab|snapshot)\s+from|(?:still|stills|poster)\s+of)\b(?=.{0,200}$)"
    # ... and short (captions are verbless phrases) or unpunctuated: "A scene from the trailer went viral,
    # and the studio ..." is a sentence.
    r"(?=[^.!?]*$|(?:\S+\s+){0,10}\S+\s*$)",
    _I,
)

# Lines that are nothing but furniture, recognised by how they start.
_DROP_LINE_PREFIXES: tuple[re.Pattern[str], ...] = (
    # Photo/image credits, on their own line or after a pipe: "Photo Credit: Special Arrangement".
    re.compile(
        r"^[|\-–—•·(\[\s]*(?:photo|image|picture|pic|video|illustration|graphic|poster|still|stills|"
        r"featured\s+image|cover\s+image|header\s+image|lead\s+image|main\s+image)s?\s*"
        r"(?:credits?|courtesy|source|by|via)\b",
        _I,
    ),
    re.compile(r"^[(\[]?(?:photos?|images?|pictures?|credits?|courtesy)\s*[:|]", _I),
    _CAPTION,
    re.compile(r"^[(\[]?\s*(?:l\s*-\s*r|l\s+to\s+r|from\s+left)\s*[)\]:,]", _I),
    # Cross-links: "ALSO READ: ...", "Read more | ...", "RELATED: ...", "Recommended for you".
    re.compile(
        r"^[\s>»•*\-–—|]*(?:also\s+read|read\s+also|read\s+more|more\s+to\s+read|must\s+read|also\s+see|"
        r"see\s+also|also\s+watch|watch\s+video|read\s+next|up\s+next|recommended(?:\s+for\s+you)?|"
        r"related(?:\s+(?:stories|story|articles?|news|reading|content|posts?|coverage|links?))?|"
        r"you\s+(?:may|might)\s+also\s+like|more\s+(?:from|on)\s+this|don'?t\s+miss|trending(?:\s+now)?|"
        r"top\s+stories|latest\s+news)\b\s*(?:[:|\-–—»›>]|$)",
        _I,
    ),
    re.compile(
        r"^(?:click|tap)\s+here\b|^(?:continue|keep)\s+reading\b|^read\s+(?:the\s+)?(?:full|rest|whole|"
        r"complete|original)\b",
        _I,
    ),
    # Share prompts.
    re.compile(
        r"^(?:share|like|tweet|email|print)\s+this(?:\s+(?:article|story|post|page|video))?\s*[:!.]?\s*$|"
        r"^(?:click\s+to\s+)?share\s+(?:on|via|to)\b|^follow\s+us\b|^join\s+(?:us|our)\s+(?:on|whatsapp|"
        r"telegram|channel)|^download\s+the\b.{0,60}\bapp\b|^subscribe\s+to\s+(?:our|the)\b",
        _I,
    ),
    # Dates stamped by the CMS: "Published - November 25, 2024 04:41 pm IST", "Updated: 12:01 IST". A
    # separator or a date must follow, so that "Updated versions of the film ..." stays.
    re.compile(
        r"^(?:published|updated|posted|last\s+updated|first\s+published|modified)(?:\s+(?:on|at))?\s*"
        r"(?:[:\-–—|]|(?=(?:\w+day,?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d)))(?=.{0,100}$)",
        _I,
    ),
    re.compile(r"^date\s*:", _I),
    # Copyright lines.
    re.compile(r"^(?:©|\(c\)|copyright\b)", _I),
    # Labels: "News Source", "Source: PTI", "Advertisement", "Story continues below this ad".
    re.compile(r"^(?:news\s+)?source\s*(?::.{0,60})?$", _I),
    re.compile(
        r"^(?:advertisement|advert|sponsored(?:\s+content)?|story\s+continues\s+below\b.*|"
        r"continue\s+reading\s+below\b.*|scroll\s+(?:down\s+)?to\s+continue\b.*|loading\.*|"
        r"article\s+continues\s+(?:below|after)\b.*|ad)\s*$",
        _I,
    ),
    # Tag and keyword boxes that CMSs render as a line of text.
    re.compile(r"^(?:tags?|keywords?|topics?|filed\s+under|categories|category)\s*:", _I),
    re.compile(
        r"^this\s+(?:article|story|post|piece)\s+(?:was\s+)?(?:originally|first)\s+(?:appeared|published)", _I
    ),
    # Teaser prompts for a player the feed cannot carry.
    re.compile(
        r"^(?:watch|see|check\s+out)\s+the\s+(?:\w+\s+){0,2}(?:trailer|teaser|clip|video)\b.{0,50}$", _I
    ),
)

_DROP_LINE = re.compile("|".join(f"(?:{p.pattern})" for p in _DROP_LINE_PREFIXES), _I)
# The first words those rules can start with (a line starting with punctuation always gets the regex). Most
# prose lines start with another word and skip the regex; keep this in step with the rules above.
_DROP_LINE_FIRST_WORDS = _word_set(
    """photo photos image images picture pictures pic video illustration graphic poster still stills
    featured cover header lead main credit credits courtesy a an the promotional publicity file first
    first-look official new exclusive scene screengrab screen screenshot frame grab snapshot l from also
    read more must see watch up recommended related you don't dont trending top latest click tap
    continue keep share like tweet email print follow join download subscribe published updated posted
    last modified date © copyright news source advertisement advert sponsored story scroll loading
    loading... article ad tags tag keywords keyword topics topic filed categories category this check"""
)

# Of the rules above only the caption rule can match a line that starts with an article ("A still from
# 'Red Rooms'"), and "The"/"A" start a lot of prose: such lines get that one rule, not all of them.
# tests/domain/digest/test_text.py holds this to the rules.
_ARTICLES = frozenset({"a", "an", "the"})

_Hinted = tuple[tuple[str, ...], re.Pattern[str]]

# Whole-line rules that need a look past the start of the line.
_DROP_LINE_HINTED: tuple[_Hinted, ...] = (
    # A line that ends in "| Photo Credit: ..." is a caption as a whole: "Juliette Gariépy in 'Red Rooms'".
    (("|",), re.compile(r"^.{0,240}\|\s*(?:photo|image|picture|video)\s*(?:credits?|courtesy|source)\b", _I)),
    (("rights reserved",), re.compile(r"\ball rights reserved\b", _I)),
    # Newsletter boilerplate.
    (
        ("newsletter", "inbox", "mailing list"),
        re.compile(
            r"^(?=.{0,300}$)(?=.*\b(?:newsletters?|inbox|mailing\s+list)\b)"
            r"(?=.*\b(?:sign\s*-?\s*up|subscribe|subscribed|delivered|join|get|receive|register)\b)",
            _I,
        ),
    ),
)

# Trailers that ride on the end of a real line.
_TAILS: tuple[_Hinted, ...] = (
    (("|",), re.compile(r"\s*\|\s*(?:photo|image|picture|video)\s*(?:credits?|courtesy|source)\b.*$", _I)),
    (
        ("(photo", "(image", "(picture", "[photo", "[image", "[picture"),
        re.compile(r"\s*[(\[](?:photo|image|picture)s?(?:\s+credits?)?\s*:[^)\]]*[)\]]", _I),
    ),
    (("also read", "read also"), re.compile(r"\s*\b(?:also\s+read|read\s+also)\s*[:|].*$", _I)),
    (("appeared first",), re.compile(r"\s*\bthe\s+post\s+.{1,300}?\s+appeared\s+first\s+on\s+.*$", _I)),
    # "Read more" only when it stands after a finished sentence or carries an arrow/ellipsis: "fans will want
    # to read more." is prose.
    (
        ("read more", "continue reading", "keep reading", "read the full", "read the rest"),
        re.compile(
            r"(?<=[.!?…\"”'’)])\s*(?:read\s+more|continue\s+reading|keep\s+reading|read\s+the\s+(?:full|rest)\b)"
            r"[^.!?]{0,80}?\s*[»›→…]?\s*$",
            _I,
        ),
    ),
    (
        ("read more", "continue reading", "keep reading"),
        re.compile(r"\s+(?:read\s+more|continue\s+reading|keep\s+reading)\b[^.!?»›→…]{0,80}[»›→…]\s*$", _I),
    ),
    (("[",), re.compile(r"\s*\[\s*(?:read\s+more|more|continue\s+reading)\s*\]\s*$", _I)),
)
_ELLIPSIS_BRACKET = re.compile(r"\s*\[\s*(?:…|\.\.\.)\s*\]")

# Section labels seen in Indian and wire feeds that are not all in capitals.
_LABELS = frozenset(
    {
        "news source",
        "hindi news",
        "entertainment news",
        "movie news",
        "film news",
        "bollywood news",
        "hollywood news",
        "tamil news",
        "telugu news",
        "regional news",
        "breaking news",
        "exclusive",
        "trending",
        "watch video",
        "also watch",
        "latest news",
        "top news",
        "entertainment",
        "movies",
        "movie reviews",
        "reviews",
        "share",
        "share this",
        "share article",
        "comments",
        "leave a comment",
        "view comments",
        "read more",
        "more",
    }
)
_SHARE_WORDS = frozenset(
    {
        "share",
        "tweet",
        "pin",
        "email",
        "e-mail",
        "print",
        "whatsapp",
        "facebook",
        "twitter",
        "x",
        "linkedin",
        "reddit",
        "telegram",
        "pinterest",
        "threads",
        "bluesky",
        "copy",
        "link",
        "comments",
        "comment",
        "save",
        "mail",
        "messenger",
        "on",
        "via",
        "this",
        "article",
    }
)
_SHARE_NETWORKS = frozenset(
    {
        "share",
        "tweet",
        "whatsapp",
        "facebook",
        "twitter",
        "linkedin",
        "reddit",
        "telegram",
        "pinterest",
        "email",
        "print",
    }
)
_NAME_PARTICLES = frozenset(
    {"and", "de", "del", "della", "da", "di", "van", "von", "der", "le", "la", "du", "bin", "al"}
)
_KEEP_LABEL = re.compile(r"spoiler|warning|trigger")
_TERMINAL_CHARS = frozenset(".!?…:;\"”’')]")
_SPLIT_ITEMS = re.compile(r"\s*[,;|]\s*")


def _is_label(line: str) -> bool:
    if len(line) > 40 or line[-1] in _TERMINAL_CHARS:
        return False
    lowered = line.lower()
    if _KEEP_LABEL.search(lowered):  # "SPOILERS AHEAD", "CONTENT WARNING": signals, not furniture
        return False
    if lowered in _LABELS:
        return True
    words = line.split()
    letters = [c for c in line if c.isalpha()]
    # Short all-capitals lines ("HINDI NEWS", "MOVIES", "'RED ROOMS' REVIEW") are section labels or kickers.
    return len(words) <= 5 and len(letters) >= 2 and all(c.isupper() for c in letters)


def _is_share_bar(line: str) -> bool:
    if line.split(" ", 1)[0].strip("|/·•,:()[]").lower() not in _SHARE_WORDS:
        return False
    words = [w.strip("|/·•,:()[]") for w in line.lower().split()]
    words = [w for w in words if w]
    return (
        bool(words)
        and len(words) <= 12
        and all(w in _SHARE_WORDS for w in words)
        and any(w in _SHARE_NETWORKS for w in words)
    )


def _is_byline(line: str) -> bool:
    # "By Jane Doe", "By Jane Doe | Variety": capitalised names only, so "By the end of the film, ..." stays.
    if not line.startswith(("By ", "BY ")):
        return False
    head = re.split(r"\s*[|,–—]\s*|\s+-\s+", line, maxsplit=1)[0].split()[1:]
    return 0 < len(head) <= 5 and all(w[0].isupper() or w in _NAME_PARTICLES for w in head)


def _is_hashtag_run(line: str) -> bool:
    tokens = line.split()
    tags = sum(1 for t in tokens if len(t) > 1 and t[0] == "#")
    return tags >= 1 and (tags == len(tokens) or (tags >= 2 and tags * 10 >= len(tokens) * 6))


def _is_keyword_line(line: str) -> bool:
    # SEO keyword lines: many short comma-separated items and no sentence punctuation. A cast list inside a
    # real sentence ends with a full stop and has long items ("The film stars X, Y and Z."), so it is kept.
    if line[-1] in _TERMINAL_CHARS or line.count(",") + line.count(";") + line.count("|") < 3:
        return False
    items = [i for i in _SPLIT_ITEMS.split(line) if i]
    if len(items) < 4:
        return False
    sizes = [len(i.split()) for i in items]
    return max(sizes) <= 6 and sum(sizes) <= len(items) * 4 and all(len(i) <= 60 for i in items)


def _clean_line(line: str, drop_hinted: Sequence[_Hinted], tails: Sequence[_Hinted]) -> str:
    space = line.find(" ")
    first = (line if space < 0 else line[:space]).lower().rstrip(":|,.-–—")
    if first in _ARTICLES:  # a common start of prose, and of captions only
        if _CAPTION.match(line):
            return ""
    elif (not line[0].isalnum() or first in _DROP_LINE_FIRST_WORDS) and _DROP_LINE.match(line):
        return ""
    lowered = line.lower() if drop_hinted or tails else ""
    for hints, pattern in drop_hinted:
        for hint in hints:  # plain loops: a generator per line and rule costs more than the test itself
            if hint in lowered:
                if pattern.search(line):
                    return ""
                break
    if (
        (len(line) <= 40 and _is_label(line))
        or (len(line) <= 200 and (_is_share_bar(line) or _is_byline(line)))
        or ("#" in line and _is_hashtag_run(line))
        or ("," in line and _is_keyword_line(line))
    ):
        return ""
    if "[" in line:
        line = _ELLIPSIS_BRACKET.sub("…", line)
    if "#" in line:
        line = _strip_trailing_hashtags(line)
    for hints, pattern in tails:
        for hint in hints:
            if hint in lowered:
                line = pattern.sub("", line)
                break
    return line.strip()


def _active(rules: Sequence[_Hinted], present: frozenset[str] | set[str]) -> list[_Hinted]:
    # Rules whose hints occur nowhere in the text cannot apply to any line: drop them once, up front.
    return [rule for rule in rules if any(h in present for h in rule[0])]


def _gate(hint: str) -> str:
    if len(hint) > 1 and hint[0] in "([":
        return hint[0]
    return "read" if "read" in hint else ""


# Every hint once, grouped under a "gate" that each hint of its group contains: a text without the gate is
# searched once for the whole group rather than once per hint (each search scans the whole article).
def _gated_hints() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for hint in dict.fromkeys(h for rule in (*_DROP_LINE_HINTED, *_TAILS) for h in rule[0]):
        groups[_gate(hint)] = (*groups.get(_gate(hint), ()), hint)
    return groups


_HINT_GATES = _gated_hints()


def _present_hints(lowered: str) -> set[str]:
    present: set[str] = set()
    for gate, hints in _HINT_GATES.items():
        if gate and gate not in lowered:
            continue
        present.update(h for h in hints if h in lowered)
    return present


def _strip_trailing_hashtags(line: str) -> str:
    # "... on Friday. #RedRooms #Horror": two or more hashtags ending a line are a tag run, not prose.
    # Done on tokens rather than with a regex, which would backtrack quadratically on a long run of tags.
    if "#" not in line:
        return line
    tokens = line.split(" ")
    keep = len(tokens)
    while keep and len(tokens[keep - 1]) > 1 and tokens[keep - 1][0] == "#":
        keep -= 1
    return " ".join(tokens[:keep]) if len(tokens) - keep >= 2 else line


def clean_text(text: str) -> str:
    """Remove feed furniture from plain text (as produced by :func:`html_to_text`).

    Drops photo credits, captions, "ALSO READ"/"Read more" links, share prompts, hashtag runs, SEO keyword
    lines, CMS date stamps, section labels, newsletter boilerplate, "The post X appeared first on Y" and
    exact repeats of a line (feeds often carry a caption twice). Keeps paragraph breaks.
    """
    if not text:
        return ""
    text, printable = _strip_invisible_checked(text)
    present = _present_hints(text.lower())
    drop_hinted, tails = _active(_DROP_LINE_HINTED, present), _active(_TAILS, present)
    # Text that is all printable holds no whitespace but spaces and newlines; without doubled spaces or
    # spaces at the ends of its lines (the shape html_to_text returns) every line is already collapsed.
    collapsed = (
        printable
        and "  " not in text
        and " \n" not in text
        and "\n " not in text
        and text[0] != " "
        and text[-1] != " "
    )
    if not printable:
        text = text.replace("\r", "")
    seen: set[str] = set()
    paragraphs: list[str] = []
    for paragraph in text.split("\n\n"):
        kept: list[str] = []
        for raw in paragraph.split("\n"):
            line = raw if collapsed else " ".join(raw.split())
            if line:
                line = _clean_line(line, drop_hinted, tails)
            if not line:
                continue
            key = line.casefold()
            if key in seen and len(line) < 400:
                continue
            seen.add(key)
            kept.append(line)
        if kept:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)
