from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_every_component_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "channel_layer": "ok"},
    }


def test_it_answers_503_naming_the_cache_when_it_fails(client, monkeypatch):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache is down")

    monkeypatch.setattr(cache, "set", broken)
    if hasattr(cache, "check"):  # the Redis cache is asked directly (it degrades otherwise)
        monkeypatch.setattr(cache, "check", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("failed")


def test_it_answers_503_naming_the_channel_layer_when_it_fails(client, monkeypatch):
    import hearth.views

    monkeypatch.setattr(hearth.views, "get_channel_layer", lambda: None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["channel_layer"]


def test_it_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
