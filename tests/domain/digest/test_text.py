"""HTML to text and furniture removal."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.digest import clean_text, html_to_text

FIXTURE = Path(__file__).parent / "fixtures" / "red_rooms_interview.html"


def text_of(markup: str) -> str:
    return clean_text(html_to_text(markup))


class TestHtmlToText:
    @pytest.mark.parametrize(
        ("markup", "expected"),
        [
            ("<p>One</p><p>Two</p>", "One\n\nTwo"),
            ("<p>One<br>two</p>", "One\ntwo"),
            ("<p>Spread\n   over\tlines</p>", "Spread over lines"),
            ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
            ("<p>A &amp; B &#8217; &#x2019; &eacute;</p>", "A & B ’ ’ é"),
            ("<p>Double &amp;amp; and &amp;#8217;s</p>", "Double & and ’s"),
            ("&lt;p&gt;Escaped &lt;em&gt;twice&lt;/em&gt;&lt;/p&gt;", "Escaped twice"),
            ("Plain text\n\nwith paragraphs\nand lines", "Plain text\n\nwith paragraphs\nand lines"),
            ("5 < 6 and 7 > 3", "5 < 6 and 7 > 3"),
            ("<pre>keep\n  lines</pre>", "keep\nlines"),
            ('<p title="a > b">quoted attribute</p>', "quoted attribute"),
            ("<p>zero&#8203;width and \u202eoverride</p>", "zerowidth and override"),
            ("", ""),
        ],
    )
    def test_text(self, markup: str, expected: str) -> None:
        assert html_to_text(markup) == expected

    @pytest.mark.parametrize(
        "markup",
        [
            "<script>SECRET()</script>",
            "<script type='text/javascript'>if (a < b) { SECRET() }</script>",
            "<style>.SECRET { color: red }</style>",
            "<!-- SECRET -->",
            "<!-- SECRET never closed",
            "<iframe src='https://x'>SECRET</iframe>",
            "<noscript><p>SECRET</p></noscript>",
            "<svg><text>SECRET</text></svg>",
            "<template><p>SECRET</p></template>",
            "<figure><img src='x.jpg'><figcaption>SECRET</figcaption></figure>",
            "<div class='sharedaddy'><p>SECRET</p></div>",
            "<div class='jp-relatedposts'><p>SECRET</p></div>",
            "<p style='display:none'>SECRET</p>",
            "<span hidden>SECRET</span>",
            "<aside>SECRET</aside>",
            "<form><button>SECRET</button></form>",
            "<video><p>SECRET</p></video>",
            "<![CDATA[SECRET]]>",
            "&lt;script&gt;SECRET()&lt;/script&gt;",
        ],
    )
    def test_drops_non_prose(self, markup: str) -> None:
        assert html_to_text(f"<p>before</p>{markup}<p>after</p>").replace("\n", " ").split() in (
            ["before", "after"],
            ["before"],  # an unterminated comment runs to the end, as in a browser
        )

    def test_tracking_pixels_and_images_leave_nothing(self) -> None:
        markup = (
            '<p>Text</p><img src="https://feeds.feedburner.com/~r/x/~4/abc" height="1" width="1" alt="pixel">'
        )
        assert html_to_text(markup) == "Text"

    def test_unclosed_furniture_block_gives_its_text_back(self) -> None:
        # A wrong guess about a class name must not eat the rest of a broken article.
        assert html_to_text("<div class='share'><p>Real text</p><p>More text</p>") == "Real text\n\nMore text"

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(
                    ["<p>", "</p>", "<br>", "<div class='share'>", "</div>", "<em>", "</em>", "<", ">"]
                ),
                st.just("<script>SECRET</script>"),
                st.just("<style>SECRET</style>"),
                st.just("<!--SECRET-->"),
                st.just("&amp;lt;script&amp;gt;SECRET&amp;lt;/script&amp;gt;"),
            ),
            max_size=30,
        )
    )
    def test_never_leaks_scripts_or_tags(self, pieces: list[str]) -> None:
        out = html_to_text("".join(pieces))
        assert "SECRET" not in out
        assert "<script" not in out.lower() and "<p>" not in out and "<!--" not in out


FURNITURE = [
    "Photo Credit: Special Arrangement",
    "| Photo Credit: Getty Images",
    "Image courtesy: Netflix",
    "Photo: Netflix",
    "A still from ‘Red Rooms’ | Photo Credit: Special Arrangement",
    "Juliette Gariépy in ‘Red Rooms’ | Photo Credit: Special Arrangement",
    "A still from ‘Red Rooms’",
    "(L-R) Léa Seydoux and Vincent Lindon",
    "ALSO READ: ‘Smile 2’ movie review: a sequel that outdoes the original",
    "Also Read | Longlegs ending explained",
    "Read more: The 50 best horror films",
    "RELATED: Every Nosferatu, ranked",
    "Share this:",
    "Click to share on Facebook (Opens in new window)",
    "Share Tweet Email Print",
    "Follow us on Instagram for more",
    "#Red #Rooms #Horror",
    "#RedRooms",
    "red rooms, pascal plante, juliette gariepy, horror film, canadian cinema",
    "Tags: horror, Canada, interview",
    "Published - November 25, 2024 04:41 pm IST",
    "Updated: November 25, 2024",
    "HINDI NEWS",
    "News Source",
    "Source: PTI",
    "Advertisement",
    "Story continues below this ad",
    "Sign up for our newsletter to get the best of cinema in your inbox",
    "The post Red Rooms review appeared first on Film Site.",
    "© 2024 Film Site. All rights reserved.",
    "By Jane Doe | Variety",
    "Watch the trailer below:",
]


@pytest.mark.parametrize("line", FURNITURE)
def test_furniture_lines_are_dropped(line: str) -> None:
    assert (
        clean_text(f"Real sentence one.\n\n{line}\n\nReal sentence two.")
        == "Real sentence one.\n\nReal sentence two."
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The film opens on Friday. #RedRooms #Horror", "The film opens on Friday."),
        ("A real line | Photo Credit: AP", ""),
        ("A line (Photo: Reuters) continues.", "A line continues."),
        ("It ends abruptly. Read more »", "It ends abruptly."),
        ("The plot thickens [...]", "The plot thickens…"),
        ("Great film. The post Great film appeared first on Blog.", "Great film."),
    ],
)
def test_trailers_are_stripped(line: str, expected: str) -> None:
    assert clean_text(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "By the end of the film, she is a different person.",
        "Updated versions of the film will screen in 2025.",
        "The scene of the crime is a motel off the interstate.",
        "Fans will want to read more.",
        "The film stars Léa Seydoux, Vincent Lindon, Raphaël Quenard and Anaïs Demoustier.",
        "Share prices of the studio fell after the flop.",
        "The source material is a 1970s novel.",
        "The post-credits scene sets up a sequel.",
        "A scene from the trailer went viral, and the studio moved the release up by a month.",
        "Nosferatu",
    ],
)
def test_prose_is_kept(line: str) -> None:
    assert clean_text(line) == line


def test_repeated_captions_are_dropped_once_seen() -> None:
    assert clean_text("Same line here.\n\nSame line here.\n\nOther.") == "Same line here.\n\nOther."


def test_feature_article_fixture_keeps_prose_and_drops_all_furniture() -> None:
    text = text_of(FIXTURE.read_text(encoding="utf-8"))
    for furniture in (
        "Photo Credit",
        "Special Arrangement",
        "Courtesy of Utopia",
        "ALSO READ",
        "Smile 2",
        "Longlegs",
        "#RedRooms",
        "pascal plante interview",
        "Canadian horror, dark web thriller",
        "Published -",
        "MOVIES",
        "Share this",
        "Click to share",
        "dataLayer",
        "font-weight",
        "Watch the trailer",
        "Juliette Gariépy in ‘Red Rooms’",
    ):
        assert furniture not in text, furniture
    assert text.startswith("Pascal Plante’s Red Rooms is the rare horror film")
    assert text.endswith("Red Rooms is now streaming on MUBI in India.")
    assert text.count("\n\n") == 4  # five paragraphs of prose
