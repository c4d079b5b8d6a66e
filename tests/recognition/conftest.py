from __future__ import annotations

import pytest

from referrals import points
from tests.integration.conftest import requires_postgres  # noqa: F401 (a fixture, reused)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what waits for the commit (action_recorded and its receivers) at once."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def _fresh_rules():
    points.forget_rules()
    yield
    points.forget_rules()
