"""Tests that need the real services: PostgreSQL (DATABASE_URL) and/or Redis (REDIS_URL).

`make test` runs the suite a second time with both set when they answer; on the embedded
defaults these tests skip with a message saying what they need.
"""

from __future__ import annotations

import uuid

import pytest
from django.conf import settings


def pytest_collection_modifyitems(items):
    for item in items:
        if "/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.integration)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def requires_postgres():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("Needs PostgreSQL: set DATABASE_URL (make test does when it answers).")


@pytest.fixture
def requires_redis():
    if not settings.REDIS_URL:
        pytest.skip("Needs Redis: set REDIS_URL (make test does when it answers).")


@pytest.fixture
def prefix(requires_redis):
    """A channel-layer key prefix of this test's own; its keys are removed afterwards."""
    import redis

    name = f"layer-test-{uuid.uuid4().hex[:8]}"
    yield name
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)
