"""One cleaner and one linkifier for everything members type (forum, chat, guides)."""

from __future__ import annotations

import pytest

from hearth.text import clean_line, clean_text, linkify_plain


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("\r\n hello\x00 world\x07 \r\n", "hello world"),
        ("line one\r\nline two\rthree", "line one\nline two\nthree"),
        ("tab\tkept", "tab\tkept"),
        # Bidi overrides make "exe.txt" read as "txt.exe"; zero-width spaces hide words.
        ("invoice\u202etxt.exe", "invoicetxt.exe"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        (None, ""),
    ],
)
def test_text_is_cleaned_the_same_way_everywhere(raw, cleaned):
    assert clean_text(raw) == cleaned


def test_a_line_folds_whitespace_and_newlines():
    assert clean_line("  A\n title\twith  gaps\u202e ") == "A title with gaps"


def test_links_are_made_safe_and_punctuation_stays_text():
    assert linkify_plain(
        "a <b> & https://x.org/p?q=1&r=2, then (https://en.wikipedia.org/wiki/A_(b))."
    ) == (
        'a &lt;b&gt; &amp; <a href="https://x.org/p?q=1&amp;r=2" rel="nofollow ugc noopener" '
        'target="_blank">https://x.org/p?q=1&amp;r=2</a>, then (<a '
        'href="https://en.wikipedia.org/wiki/A_(b)" rel="nofollow ugc noopener" '
        'target="_blank">https://en.wikipedia.org/wiki/A_(b)</a>).'
    )
    assert linkify_plain('javascript:alert(1) "https://x.org"') == (
        'javascript:alert(1) &quot;<a href="https://x.org" rel="nofollow ugc noopener" '
        'target="_blank">https://x.org</a>&quot;'
    )


def test_only_addresses_with_a_scheme_become_links():
    assert linkify_plain("e.g. example.com or www.example.com") == (
        "e.g. example.com or www.example.com"
    )


def test_only_http_and_https_become_links():
    assert linkify_plain("mailto:a@b.co ftp://x.org/f //evil.example/x") == (
        "mailto:a@b.co ftp://x.org/f //evil.example/x"
    )
