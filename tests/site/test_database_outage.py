"""While the database is away, pages say so (503) and the log says it once."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_database_outage_is_a_503_with_retry_after_logged_once(monkeypatch, caplog):
    import hearth.views

    def unreachable(*args, **kwargs):
        raise OperationalError("connection failed: FATAL: sorry, too many clients already")

    # Patch what the view looks up when it runs (never the view itself: the URLconf
    # keeps the function it first imported).
    monkeypatch.setattr(hearth.views, "search_everything", unreachable)
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        responses = [client.get("/search/?q=rye") for _ in range(3)]
    assert {r.status_code for r in responses} == {503}
    assert responses[0]["Retry-After"] == "30"
    assert "We’ll be right back" in responses[0].content.decode()
    assert [r.name for r in caplog.records] == ["hearth.outages"]
    assert "database is unavailable" in caplog.records[0].getMessage()
    assert client.get("/healthz").status_code == 200  # ...and back: said once more
    assert caplog.records[-1].getMessage().startswith("database answers again")


def test_other_server_errors_stay_500_with_their_traceback(monkeypatch, caplog):
    import hearth.views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(hearth.views, "search_everything", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).get("/search/?q=rye")
    assert response.status_code == 500
    assert caplog.records[0].exc_info is not None


def test_a_bad_request_says_why(client):
    response = client.get("/chat/?page=%00")
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
