from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from community.forum import markup
from community.forum.markup import render_post, sanitise
from hearth.text import linkifier
from tests.forum.xss import XSS_PAYLOADS, assert_safe_html, unsafe_parts

assert_safe = assert_safe_html


def test_the_checker_itself_catches_unsafe_html():
    assert unsafe_parts('<a href="javascript:alert(1)">x</a>')
    assert unsafe_parts('<a href=" JaVa script:alert(1)">x</a>')
    assert unsafe_parts("<img src=x onerror=alert(1)>")
    assert unsafe_parts("<script>alert(1)</script>")
    assert unsafe_parts('<p style="color:red">x</p>')
    assert unsafe_parts('<img src="data:image/png;base64,AAAA">')
    assert unsafe_parts("<p>&lt;script&gt;</p>") == []


def test_the_corpus_has_at_least_30_payloads():
    assert len(set(XSS_PAYLOADS)) >= 30


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_neutralises_a_classic_xss_payload_in_a_post(db, payload):
    assert_safe(render_post(payload).html)
    assert_safe(render_post(f"Before\n\n{payload}\n\nafter **bold**").html)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_sanitiser_alone_stops_the_payload_as_raw_html(payload):
    # The second line of defence works even if Markdown let raw HTML through.
    assert_safe(sanitise(payload))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(XSS_PAYLOADS),
            st.sampled_from(["[a](", "](", "<", ">", '"', "'", "&#", "\n", "`", "**", "> ", "- "]),
            st.text(max_size=20),
        ),
        max_size=8,
    ).map("".join)
)
def test_no_mix_of_markup_and_payloads_produces_unsafe_html(db, text):
    assert_safe(render_post(text).html)


def test_it_renders_markdown(db):
    html = render_post("**bold** _it_ `code`\n\n> quoted\n\n- one\n- two\n\n~~gone~~").html
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<code>code</code>" in html
    assert "<blockquote>" in html
    assert "<li>one</li>" in html
    assert "<s>gone</s>" in html or "<del>gone</del>" in html


def test_links_get_nofollow_ugc_noopener(db):
    html = render_post("[site](https://example.com/page) and https://example.org/x").html
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.com/page"' in html
    assert 'href="https://example.org/x"' in html


def test_headings_start_below_the_page_headings(db):
    html = render_post("# Big\n\n## Smaller").html
    assert "<h3>Big</h3>" in html and "<h4>Smaller</h4>" in html
    assert "<h1" not in html and "<h2" not in html


def test_images_from_elsewhere_become_links(db):
    html = render_post("![a cat](https://tracker.example/pixel.png)").html
    assert "<img" not in html
    assert 'href="https://tracker.example/pixel.png"' in html


def test_images_uploaded_to_the_forum_stay_images(db, settings):
    html = render_post("![a loaf](/media/forum/2026/01/abc.png)").html
    assert '<img src="/media/forum/2026/01/abc.png" alt="a loaf"' in html


def test_mentions_link_to_real_members_only(db, member, other_member):
    rendered = render_post("Thanks @sam and @nobody_here, cc @Maya `@sam`")
    assert '<a href="/members/sam/" class="mention"' in rendered.html
    assert '<a href="/members/maya/" class="mention"' in rendered.html
    assert "@nobody_here" in rendered.html and "/members/nobody_here/" not in rendered.html
    assert [m.username for m in rendered.mentioned] == ["sam", "maya"]
    assert "<code>@sam</code>" in rendered.html


def test_mentions_inside_links_are_left_alone(db, other_member):
    rendered = render_post("[@sam](https://example.com)")
    assert "/members/sam/" not in rendered.html
    assert rendered.mentioned == []


def test_raw_html_is_shown_as_text(db):
    html = render_post("<b>not bold</b>").html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html


def test_the_forum_links_addresses_with_the_sites_one_linkifier():
    # markdown-it's linkify option, backed by the very object hearth.text configures.
    assert markup._md.linkify is linkifier
    assert markup._md.options["linkify"] is True


@pytest.mark.parametrize(
    "source, href, text_after",
    [
        ("see https://example.org/x.", "https://example.org/x", "</a>."),
        ("(https://example.org/x)", "https://example.org/x", "</a>)"),
        ("https://en.wikipedia.org/wiki/A_(b), ok", "https://en.wikipedia.org/wiki/A_(b)", "</a>,"),
        ("**https://example.org/bold**", "https://example.org/bold", "</a></strong>"),
    ],
)
def test_bare_addresses_become_links_without_their_punctuation(db, source, href, text_after):
    html = render_post(source).html
    assert f'<a href="{href}" rel="nofollow ugc noopener">{href}{text_after}' in html


def test_words_that_look_like_domains_stay_text(db):
    html = render_post("e.g. example.com or www.example.com, or a@b.example").html
    assert "<a" not in html


def test_addresses_in_code_and_in_links_are_not_linked_again(db):
    html = render_post("`https://example.org/code` and [https://a.example](https://b.example)").html
    assert "<code>https://example.org/code</code>" in html
    assert html.count("<a ") == 1 and 'href="https://b.example"' in html


def test_a_mention_inside_an_address_stays_part_of_the_address(db, other_member):
    rendered = render_post("https://example.org/@sam")
    assert rendered.mentioned == [] and "/members/sam/" not in rendered.html
    assert 'href="https://example.org/@sam"' in rendered.html


def test_bidi_controls_in_a_body_cannot_disguise_a_link(db):
    from hearth.text import clean_text

    html = render_post(clean_text("https://good.example/\u202egpj.exe")).html
    assert 'href="https://good.example/gpj.exe"' in html
    assert "\u202e" not in html
