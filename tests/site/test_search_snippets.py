"""Search snippets (hearth.search): the text a reader reads, cut around the first match,
HTML-escaped, with the matched words in <mark>."""

from __future__ import annotations

from hearth.search import highlight, plain_text


def test_plain_text_reads_rendered_html_as_words():
    rendered = (
        "<p><strong>Bold</strong> &amp; <a href='https://x.example'>a link</a>.</p>"
        "<pre><code>fenced\ncode</code></pre><ul><li>one</li><li>two</li></ul>"
    )
    assert plain_text(rendered) == "Bold & a link. fenced code one two"


def test_it_marks_every_matched_word_whatever_its_case():
    snippet = highlight("Rye starter: feed the Starter with rye.", "starter rye")
    assert snippet == (
        "<mark>Rye</mark> <mark>starter</mark>: feed the <mark>Starter</mark> "
        "with <mark>rye</mark>."
    )


def test_it_marks_other_forms_of_a_longer_word():
    assert "<mark>feeds</mark>" in highlight("She feeds it daily.", "feeding")


def test_it_escapes_the_text_and_never_marks_inside_markup():
    snippet = highlight('<script>alert("crumb")</script> crumb & <b>', "crumb script")
    assert "<script>" not in snippet and "<b>" not in snippet
    assert snippet.startswith("&lt;<mark>script</mark>&gt;alert(&quot;<mark>crumb</mark>&quot;)")
    assert "&amp; &lt;b&gt;" in snippet


def test_a_query_made_of_markup_marks_nothing_unsafe():
    snippet = highlight("Plain words only.", '"><mark>')
    assert snippet == "Plain words only."
    assert str(highlight("a <mark> b", "mark")) == "a &lt;<mark>mark</mark>&gt; b"


def test_it_cuts_a_long_text_around_the_first_match():
    text = " ".join(f"word{n}" for n in range(200)) + " needle " + "tail " * 100
    snippet = highlight(text, "needle")
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>needle</mark>" in snippet
    assert len(snippet) < 300


def test_without_a_match_it_shows_the_beginning():
    text = "The opening words. " + "more " * 100
    snippet = highlight(text, "title-only")
    assert snippet.startswith("The opening words.") and snippet.endswith("…")
