from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from hearth.templatetags.hearth_time import describe

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


def _render(value, style: str = "") -> str:
    argument = f':"{style}"' if style else ""
    return Template("{% load hearth_time %}{{ value|when" + argument + " }}").render(
        Context({"value": value})
    )


@pytest.mark.parametrize(
    ("ago", "words"),
    [
        (timedelta(seconds=0), "just now"),
        (timedelta(seconds=40), "just now"),
        (timedelta(minutes=1, seconds=5), "a minute ago"),
        (timedelta(minutes=5), "5 minutes ago"),
        (timedelta(hours=3, minutes=10), "3 hours ago"),
        (timedelta(minutes=-90), "in an hour"),
        (timedelta(hours=-5), "in 5 hours"),
    ],
)
def test_a_recent_moment_reads_relative(ago, words):
    assert describe(NOW - ago, now=NOW) == words


def test_an_older_moment_this_year_reads_like_the_chats_live_messages():
    # chat.js: Intl day numeric, month short, 24-hour time in the site's language: "29 Nov, 22:36"
    assert describe(datetime(2026, 11, 28, 22, 36, tzinfo=NOW.tzinfo), now=NOW) == "28 Nov, 22:36"


def test_an_older_year_reads_as_a_day():
    assert describe(datetime(2025, 11, 29, 22, 36, tzinfo=NOW.tzinfo), now=NOW) == "29 Nov 2025"
    assert (
        describe(datetime(2025, 11, 29, 22, 36, tzinfo=NOW.tzinfo), "exact", now=NOW)
        == "29 Nov 2025, 22:36"
    )


def test_exact_and_date_styles_never_read_relative():
    moment = NOW - timedelta(minutes=5)
    assert describe(moment, "exact", now=NOW) == "30 Nov, 11:55"
    assert describe(moment, "date", now=NOW) == "30 Nov"
    assert describe(date(2026, 3, 1), now=NOW) == "1 Mar"
    assert describe(date(2026, 11, 30), "date", now=NOW) == "30 Nov"
    assert describe(date(2024, 3, 1), now=NOW) == "1 Mar 2024"


def test_the_relative_style_counts_days_too():
    assert describe(NOW + timedelta(days=3, hours=2), "relative", now=NOW) == "in 3 days"
    assert describe(NOW - timedelta(days=1, hours=2), "relative", now=NOW) == "1 day ago"
    assert describe(NOW - timedelta(minutes=5), "relative", now=NOW) == "5 minutes ago"


def test_a_day_reads_today_or_yesterday_when_it_is():
    assert describe(date(2026, 11, 30), now=NOW) == "today"
    assert describe(date(2026, 11, 29), now=NOW) == "yesterday"
    assert describe(date(2026, 11, 28), now=NOW) == "28 Nov"


def test_it_renders_a_time_element_with_the_full_date_as_its_title():
    moment = timezone.now() - timedelta(seconds=5)
    html = _render(moment)
    local = timezone.localtime(moment)
    assert html == (
        f'<time datetime="{local.isoformat()}" title="{local:%-d %B %Y, %H:%M}">just now</time>'
    )


def test_it_renders_nothing_for_a_missing_time_and_ignores_an_unknown_style():
    assert _render(None) == ""
    assert "just now" in _render(timezone.now(), "nonsense")


def test_no_template_formats_a_time_on_its_own():
    # One format everywhere: templates show times through |when, not |date, naturaltime
    # or timesince. Machine-readable values (datetime attributes, date inputs) and month
    # labels of a chart may use |date.
    root = Path(__file__).resolve().parents[2]
    allowed = re.compile(r"""\|date:['"](c|Y-m-d|Y-m-d\\TH:i|M Y|F Y)['"]""")
    offenders = []
    for path in sorted(root.glob("*/**/templates/**/*.html")):
        if ".venv" in path.parts or "chat" in path.parts:
            continue  # the chat's templates belong to the chat (see its own test)
        for number, line in enumerate(path.read_text().splitlines(), 1):
            shown = allowed.sub("", line)
            if re.search(r"\|(date|naturaltime|naturalday|timesince|timeuntil)\b", shown):
                offenders.append(f"{path.relative_to(root)}:{number}")
    assert offenders == []
