from __future__ import annotations

import pytest
from wagtail.models import Page, PageViewRestriction, Site

from referrals.models import ReferralLink
from tests.referrals.factories import browser, follow

pytestmark = pytest.mark.django_db
URL = "/referrals/share/"


@pytest.fixture
def guide():
    home = Site.objects.get(is_default_site=True).root_page
    return home.add_child(instance=Page(title="Proper sourdough", slug="proper-sourdough"))


def test_it_makes_the_members_link_to_a_page(member, member_client, guide):
    response = member_client.get(URL, {"path": guide.url})
    assert response.status_code == 200
    link = ReferralLink.objects.get(owner=member, target_path=guide.url)
    assert link.target_title == "Proper sourdough"
    content = response.content.decode()
    assert f"/r/{link.code}/" in content
    assert "Proper sourdough" in content
    assert "https://wa.me/" in content
    # the same page again shows the same link
    member_client.get(URL, {"path": guide.url})
    assert ReferralLink.objects.filter(owner=member).exclude(target_path="").count() == 1
    # and the link leads there
    assert follow(browser(), link)["Location"] == guide.url


def test_it_accepts_a_forum_topic_address(member, member_client):
    response = member_client.get(URL, {"path": "/forum/t/12-how-to-start/"})
    assert response.status_code == 200
    assert ReferralLink.objects.get(owner=member, target_path="/forum/t/12-how-to-start/")


def test_it_drops_a_query_string_and_fragment(member, member_client, guide):
    member_client.get(URL, {"path": f"{guide.url}?utm=x#top"})
    assert ReferralLink.objects.get(owner=member, target_path=guide.url)


@pytest.mark.parametrize(
    "path,words",
    [
        ("", "Say which page to share"),
        ("https://evil.example/page/", "Only pages on this site"),
        ("//evil.example/page/", "Only pages on this site"),
        ("javascript:alert(1)", "Only pages on this site"),
        ("/no-such-page/", "no published page"),
        ("/admin/", "Only guides, blog posts and forum topics"),
        ("/referrals/", "Only guides, blog posts and forum topics"),
        ("/", "Your personal link already points at the home page"),
        ("/forum/", "Only guides, blog posts and forum topics"),
        ("/" + "a" * 400, "too long"),
    ],
)
def test_it_refuses_what_is_not_content_on_this_site(path, words, member, member_client):
    response = member_client.get(URL, {"path": path})
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not ReferralLink.objects.exclude(target_path="").exists()


def test_it_refuses_a_private_page(member_client, guide):
    PageViewRestriction.objects.create(page=guide, restriction_type="login")
    response = member_client.get(URL, {"path": guide.url})
    assert response.status_code == 400
    assert "not public" in response.content.decode()


def test_it_refuses_a_draft(member_client, guide):
    guide.unpublish()
    response = member_client.get(URL, {"path": guide.url})
    assert response.status_code == 400


def test_visitors_are_sent_to_sign_in(visitor_client, guide):
    response = visitor_client.get(URL, {"path": guide.url})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_other_methods_are_405(member_client, guide):
    assert member_client.post(URL, {"path": guide.url}).status_code == 405
