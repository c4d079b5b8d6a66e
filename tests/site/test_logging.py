"""A 4xx is logged in one line; a 500 keeps its traceback."""

from __future__ import annotations

import logging

import pytest
from django.test import Client

from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_403_logs_one_record_without_a_traceback(member_client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    assert member_client.get("/forum/flags/").status_code == 403
    [record] = _request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Forbidden (Permission denied): /forum/flags/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_a_404_and_a_400_log_one_line_each(visitor_client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    assert visitor_client.get("/members/nobody-here/").status_code == 404
    assert visitor_client.get("/members/a%00b/").status_code == 400
    records = _request_records(caplog)
    assert [record.status_code for record in records] == [404, 400]
    assert all(record.exc_info is None for record in records)
    assert "Traceback" not in caplog.text


def test_a_500_keeps_its_traceback(caplog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client(raise_request_exception=False)
    client.force_login(make_member(is_superuser=True, is_staff=True))
    caplog.set_level(logging.WARNING, logger="django.request")
    # Wagtail's "failwhale" raises on purpose.
    assert client.get("/admin/failwhale/").status_code == 500
    [record] = _request_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert "Traceback" in caplog.text
