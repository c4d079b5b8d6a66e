"""The demo site: loading it twice changes nothing, and no link on the main pages is dead."""

from __future__ import annotations

import io
import re

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Max

pytestmark = pytest.mark.django_db

SKIPPED_MODELS = {"sessions.session"}


def _snapshot() -> dict[str, tuple[int, int | None]]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED_MODELS or model._meta.proxy:
            continue
        qs = model._base_manager.all()
        # The highest id shows rows deleted and made again; only integer keys have one.
        integer_pk = model._meta.pk.get_internal_type().endswith("AutoField")
        state[label] = (qs.count(), qs.aggregate(m=Max("pk"))["m"] if integer_pk else None)
    return state


@pytest.fixture
def demo_site(settings):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_it_prints_the_demo_logins(demo_site):
    assert "maya@example.com" in demo_site
    assert "mo@example.com" in demo_site
    assert "eddie@example.com" in demo_site


def test_loading_the_demo_again_changes_nothing(demo_site):
    before = _snapshot()
    call_command("load_demo", stdout=io.StringIO())
    after = _snapshot()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {}


HREF = re.compile(r'href="(/[^"#]*)"')


def _internal_links(html: str) -> set[str]:
    return {
        link
        for link in HREF.findall(html)
        if not link.startswith(("/static/", "/media/", "/accounts/logout"))
    }


@pytest.mark.parametrize("persona", ["visitor", "member"])
def test_no_link_on_the_home_page_or_the_main_areas_is_dead(demo_site, client, persona):
    from community.models import User

    if persona == "member":
        client.force_login(User.objects.get(username="maya"))
    seen: set[str] = set()
    to_visit = ["/"]
    home_links = _internal_links(client.get("/").content.decode())
    to_visit += sorted(home_links)
    dead = []
    for url in to_visit:
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 400:
            dead.append((url, response.status_code))
    assert dead == []
    assert {"/blog/", "/guides/", "/forum/", "/chat/", "/leaderboard/"} <= home_links
