"""hearth.params: numbers and months from addresses, parsed one way everywhere."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import BadRequest
from django.test import RequestFactory

from hearth.params import MAX_ID, ParamError, int_param, parse_int, parse_month


@pytest.mark.parametrize(
    "raw, expected", [("0", 0), ("42", 42), ("007", 7), (str(MAX_ID), MAX_ID), ("0" * 40, 0)]
)
def test_it_reads_plain_numbers(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "²", "٣", "1_000", " 7", "7 ", "-1", "+1", "1e5", "0x1f", "１２", "9" * 5000, "x"],
)
def test_it_refuses_anything_but_ascii_digits(raw):
    with pytest.raises(ParamError, match="whole number|or less"):
        parse_int(raw)


def test_it_refuses_numbers_beyond_the_range():
    with pytest.raises(ParamError, match="or less"):
        parse_int(str(MAX_ID + 1))
    with pytest.raises(ParamError, match="or less"):
        parse_int("1000", maximum=999)
    with pytest.raises(ParamError, match="1 or more"):
        parse_int("0", minimum=1)


def test_a_very_long_number_is_refused_without_asking_int():
    # int() raises ValueError past 4,300 digits; the length check answers first.
    with pytest.raises(ParamError, match="or less"):
        parse_int("9" * 100_000)


def test_int_param_gives_the_default_for_a_missing_or_empty_value():
    request = RequestFactory().get("/", {"empty": ""})
    assert int_param(request, "missing") is None
    assert int_param(request, "empty", default=3) == 3


def test_int_param_answers_bad_request_naming_the_parameter():
    request = RequestFactory().get("/", {"before": "²"})
    with pytest.raises(BadRequest, match="“before” in this address should be a whole number"):
        int_param(request, "before")


@time_machine.travel("2026-05-15 12:00Z", tick=False)
def test_it_reads_months_from_2000_to_this_one():
    assert parse_month("2000-01") == (2000, 1)
    assert parse_month(" 2026-05 ") == (2026, 5)


@time_machine.travel("2026-05-15 12:00Z", tick=False)
@pytest.mark.parametrize(
    "raw, words",
    [
        ("2026-06", "2026-06 has not started yet; give 2026-05 or an earlier month."),
        ("9999-12", "has not started yet"),
        ("0000-01", "before this site existed"),
        ("1999-12", "give a year from 2000 on"),
        ("2026-13", "the month must be between 01 and 12"),
        ("2026-00", "the month must be between 01 and 12"),
        ("٢٠٢٦-٠٤", "YYYY-MM"),
        ("2026-4", "YYYY-MM"),
        ("May 2026", "YYYY-MM"),
        ("", "YYYY-MM"),
    ],
)
def test_it_explains_a_month_it_cannot_use(raw, words):
    with pytest.raises(ParamError, match=words):
        parse_month(raw)
