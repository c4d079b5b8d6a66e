"""The inbox lists what waits from every source, newest first, to moderators only."""

from __future__ import annotations

from community.forum.models import Post
from tests.inbox.conftest import INBOX, ago, flagged_post, held_referral, refused_member


def _positions(html: str, *texts: str) -> list[int]:
    return [html.index(text) for text in texts]


def test_it_lists_flagged_posts_and_held_referrals_newest_first(moderator_client):
    older = flagged_post(flaggers=1, body="An older flagged post", when=ago(30))
    held_referral(when=ago(10))
    newer = flagged_post(body="A newer flagged post", when=ago(5))

    response = moderator_client.get(INBOX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "3 items wait for a moderator." in html
    first, second, third = _positions(
        html, "A newer flagged post", "Tom Throwaway, referred by Rita Referrer", "An older"
    )
    assert first < second < third
    assert "3 flags: Spam" in html and "Hidden by members&#x27; flags until you decide." in html
    assert "1 flag: Spam" in html and "Still visible." in html
    assert "Tom Throwaway signed up with a disposable (throwaway) email domain." in html
    assert f'value="flag:{newer.pk}"' in html and f'value="flag:{older.pk}"' in html


def test_it_filters_by_kind(moderator_client):
    flagged_post(body="Flagged words")
    held_referral()

    html = moderator_client.get(INBOX, {"kind": "referral"}).content.decode()
    assert "Tom Throwaway, referred by Rita Referrer" in html and "Flagged words" not in html
    assert 'aria-current="page">Held referrals (1)' in html

    html = moderator_client.get(INBOX, {"kind": "flag"}).content.decode()
    assert "Flagged words" in html and "Tom Throwaway" not in html

    response = moderator_client.get(INBOX, {"kind": "nonsense"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is no such kind of item; showing everything." in html
    assert "Flagged words" in html and "Tom Throwaway" in html


def test_an_empty_inbox_says_so(moderator_client):
    html = moderator_client.get(INBOX).content.decode()
    assert "Nothing waits for review." in html and "0 items wait" in html


def test_the_admin_menu_and_dashboard_show_the_count_to_moderators(moderator_client, editor_client):
    flagged_post()
    held_referral()

    home = moderator_client.get("/admin/").content.decode()
    assert "Review inbox (2)" in home
    assert "2 items wait for a moderator" in home

    editor_home = editor_client.get("/admin/").content.decode()
    assert "Review inbox" not in editor_home


def test_the_count_follows_what_waits(moderator_client):
    held_referral()
    assert "1 item waits for a moderator" in moderator_client.get("/admin/").content.decode()


def test_the_list_costs_the_same_queries_for_more_items(
    moderator_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    flagged_post()
    held_referral()
    moderator_client.get(INBOX)  # the bell's count is read once, then kept
    with CaptureQueriesContext(connection) as few:
        moderator_client.get(INBOX)
    for _ in range(3):
        flagged_post()
        held_referral()
    with CaptureQueriesContext(connection) as many:
        moderator_client.get(INBOX)
    assert len(many) == len(few)


def test_visitors_are_sent_to_sign_in(visitor_client):
    response = visitor_client.get(INBOX)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_members_cannot_open_the_inbox(member_client):
    assert refused_member(member_client.get(INBOX))


def test_editors_are_refused_with_a_403_page(editor_client):
    post = flagged_post()
    response = editor_client.get(INBOX)
    assert response.status_code == 403
    assert "You can’t do that here" in response.content.decode()

    response = editor_client.post(
        "/admin/inbox/decide/", {"ref": f"flag:{post.pk}", "decision": "dismiss"}
    )
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.hidden and post.open_flag_count == 3


def test_members_cannot_decide(member_client):
    post = flagged_post()
    response = member_client.post(
        "/admin/inbox/decide/", {"ref": f"flag:{post.pk}", "decision": "dismiss"}
    )
    assert refused_member(response)
    assert Post.objects.get(pk=post.pk).hidden


def test_the_actions_take_only_post(moderator_client):
    for url in ("decide/", "claim/", "bulk/"):
        assert moderator_client.get(INBOX + url).status_code == 405
    assert moderator_client.post(INBOX).status_code == 405
