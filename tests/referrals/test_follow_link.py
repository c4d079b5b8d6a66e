from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from referrals import actions, attribution
from referrals.models import CODE_ALPHABET, CODE_LENGTH, Visit
from tests.referrals.factories import BROWSER_UA, browser, follow, link_for

pytestmark = pytest.mark.django_db


def test_it_gives_each_member_a_short_unguessable_code_from_an_unambiguous_alphabet(member):
    link = link_for(member)
    assert len(link.code) == CODE_LENGTH
    assert set(link.code) <= set(CODE_ALPHABET)
    assert not set(link.code) & set("01ilo")
    assert link_for(member) == link  # made once, then reused


def test_it_records_a_visit_sets_the_cookie_and_redirects(member):
    link = link_for(member)
    client = browser()
    response = follow(client, link)
    assert response.status_code == 302
    assert response["Location"] == "/"
    visit = Visit.objects.get()
    assert visit.link == link
    assert not visit.is_crawler
    assert visit.network_hash and "198.51" not in visit.network_hash
    cookie = response.cookies[attribution.COOKIE_NAME]
    assert cookie["max-age"] == 90 * 24 * 3600
    assert cookie["httponly"]
    assert cookie.value.startswith(visit.visitor + ":")  # signed, not a bare key


def test_it_keeps_no_raw_network_address(member):
    follow(browser("203.0.113.99"), link_for(member))
    values = Visit.objects.values_list().get()
    assert not any("203.0.113" in str(value) for value in values)


def test_it_redirects_a_content_link_to_its_page(member):
    link = link_for(member, target_path="/guides/sourdough/")
    response = follow(browser(), link)
    assert response["Location"] == "/guides/sourdough/"
    assert Visit.objects.get().landing == "/guides/sourdough/"


def test_it_records_the_visit_with_a_single_insert(member, django_assert_num_queries):
    link = link_for(member)
    client = browser()
    attribution.link_info(link.code)  # the link lookup is cached
    with django_assert_num_queries(1) as captured:
        follow(client, link)
    assert captured.captured_queries[0]["sql"].upper().startswith("INSERT")


@pytest.mark.parametrize("code", ["nope", "0000000o", "abc/def", "x" * 40, "ABCDEFGH!"])
def test_it_sends_malformed_codes_home_without_recording(code, visitor_client):
    response = visitor_client.get(f"/r/{code}/")
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"] == "/"
    assert not Visit.objects.exists()


def test_it_sends_unknown_codes_home(visitor_client):
    response = visitor_client.get("/r/23456789/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Visit.objects.exists()


def test_it_sends_disabled_links_home_without_recording(member):
    link = link_for(member, target_path="/guides/x/")
    actions.set_link_enabled(link=link, by=member, enabled=False)
    response = follow(browser(), link)
    assert response["Location"] == "/"
    assert not Visit.objects.exists()
    assert attribution.COOKIE_NAME not in response.cookies


def test_it_accepts_a_code_typed_in_capitals(member):
    link = link_for(member)
    response = browser().get(f"/r/{link.code.upper()}/")
    assert Visit.objects.count() == 1
    assert response["Location"] == "/"


def test_it_counts_repeat_visits_from_one_browser_once_a_day(member):
    link = link_for(member)
    client = browser()
    for _ in range(3):
        follow(client, link)
    assert Visit.objects.count() == 1
    follow(browser(), link)  # another browser counts
    assert Visit.objects.count() == 2


def test_it_counts_the_same_browser_again_the_next_day(member):
    link = link_for(member)
    client = browser()
    follow(client, link)
    Visit.objects.update(day=timezone.localdate() - timedelta(days=1))
    follow(client, link)
    assert Visit.objects.count() == 2
    assert len(set(Visit.objects.values_list("visitor", flat=True))) == 1


def test_it_ignores_a_tampered_cookie(member):
    link = link_for(member)
    client = browser()
    client.cookies[attribution.COOKIE_NAME] = "forged-visitor-key-1234:abc:def"
    response = follow(client, link)
    visit = Visit.objects.get()
    assert visit.visitor != "forged-visitor-key-1234"
    assert response.cookies[attribution.COOKIE_NAME].value != "forged-visitor-key-1234:abc:def"


@pytest.mark.parametrize(
    "agent",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "Slackbot-LinkExpanding 1.0",
        "WhatsApp/2.23.20.0",
        "curl/8.5.0",
        "",
    ],
)
def test_it_counts_crawlers_apart_and_gives_them_no_cookie(agent, member):
    link = link_for(member)
    response = follow(browser().__class__(HTTP_USER_AGENT=agent, REMOTE_ADDR="198.51.100.9"), link)
    assert response.status_code == 302
    assert Visit.objects.get().is_crawler
    assert attribution.COOKIE_NAME not in response.cookies


def test_it_counts_a_crawler_once_a_day(member):
    link = link_for(member)
    from django.test import Client

    for _ in range(3):
        follow(Client(HTTP_USER_AGENT="Googlebot/2.1", REMOTE_ADDR="66.249.66.1"), link)
    assert Visit.objects.filter(is_crawler=True).count() == 1


def test_it_does_not_count_the_owner_following_their_own_link(member, member_client):
    link = link_for(member)
    response = member_client.get(f"/r/{link.code}/", HTTP_USER_AGENT=BROWSER_UA)
    assert response.status_code == 302
    assert not Visit.objects.exists()


def test_it_refuses_other_methods(member, visitor_client):
    link = link_for(member)
    assert visitor_client.post(f"/r/{link.code}/").status_code == 405
    assert not Visit.objects.exists()


def test_a_head_request_redirects_without_recording(member):
    link = link_for(member)
    response = browser().head(f"/r/{link.code}/")
    assert response.status_code == 302
    assert not Visit.objects.exists()


# --- the visit rules, in the action ---------------------------------------------------


def _request(rf, *, agent: str = BROWSER_UA, method: str = "get", user=None):
    request = getattr(rf, method)("/r/x/", HTTP_USER_AGENT=agent, REMOTE_ADDR="198.51.100.7")
    request.user = user or AnonymousUser()
    return request


def test_record_visit_knows_a_crawler_by_its_network_and_agent_and_gives_no_cookie_key(rf, member):
    info = attribution.link_info(link_for(member).code)
    crawler = _request(rf, agent="Googlebot/2.1")
    assert actions.record_visit(link=info, request=crawler) is None
    visit = Visit.objects.get()
    assert visit.is_crawler
    assert visit.visitor == visit.network_hash[:11] + visit.ua_hash[:11]
    assert actions.record_visit(link=info, request=_request(rf, agent="Googlebot/2.1")) is None
    assert Visit.objects.count() == 1  # the same crawler, the same day


def test_record_visit_gives_a_person_a_new_cookie_key_and_records_it(rf, member):
    info = attribution.link_info(link_for(member).code)
    key = actions.record_visit(link=info, request=_request(rf))
    assert key and Visit.objects.get().visitor == key
    assert not Visit.objects.get().is_crawler


def test_record_visit_does_not_count_the_owner_or_a_head_request(rf, member):
    info = attribution.link_info(link_for(member).code)
    for request in (_request(rf, user=member), _request(rf, method="head")):
        assert actions.record_visit(link=info, request=request)  # still a cookie key
    assert not Visit.objects.exists()
