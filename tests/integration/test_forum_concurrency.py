"""The forum's database rules under real concurrency (PostgreSQL) and its posting
interval in a cache shared by several processes (Redis)."""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection

from community.forum import actions
from community.forum.actions import PostingError, rules
from community.forum.models import Reaction
from tests.factories import make_member, make_moderator
from tests.forum.factories import make_category, make_topic

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(count: int, work) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_simultaneous_replies_get_distinct_numbers_and_right_counters(requires_postgres):
    author = make_moderator(username="host")
    topic = make_topic(author=author, category=make_category())
    repliers = [make_moderator() for _ in range(6)]  # moderators: no posting interval

    results = _run_together(
        6, lambda i: actions.reply(topic=topic, author=repliers[i], body=f"Reply {i}").number
    )
    assert sorted(results) == [2, 3, 4, 5, 6, 7]
    topic.refresh_from_db()
    assert topic.posts_total == 7 and topic.reply_count == 6 and topic.last_post_number == 7


def test_a_double_clicked_reaction_is_stored_once(requires_postgres):
    author = make_member()
    reactor = make_member()
    topic = make_topic(author=author, category=make_category())
    post = topic.posts.get()
    results = _run_together(
        2, lambda i: actions.toggle_reaction(post=post, member=reactor, kind="like")
    )
    # Serialised on the post row: one adds, the other removes, never two rows.
    assert sorted(results) == [False, True]
    assert Reaction.objects.filter(post=post).count() == 0
    post.refresh_from_db()
    assert post.reaction_counts == {}


def test_the_posting_interval_holds_across_processes_sharing_redis(requires_redis):
    member = make_member()
    topic = make_topic(author=make_member(), category=make_category())
    cache.delete(rules._rate_key(member))
    results = _run_together(
        3, lambda i: actions.reply(topic=topic, author=member, body=f"Quick {i}")
    )
    posted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, PostingError)]
    assert len(posted) == 1 and len(refused) == 2
    assert all("please wait" in str(r) for r in refused)
