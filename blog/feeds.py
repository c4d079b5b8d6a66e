"""RSS and Atom feeds of the brand blog (served by BlogIndexPage's routes).

Each language's blog index serves its own: /blog/feed/rss/ the English posts, as ever,
whatever the reader's interface language; /et/blog/feed/rss/ the Estonian ones, and so on
(a translated blog index lists the translated posts, its children)."""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

FEED_SIZE = 20


class BlogRssFeed(Feed):
    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def __init__(self, index) -> None:
        super().__init__()
        self.index = index
        # The language of the blog index and its posts: the feed's <language>.
        self.language: str = index.locale.language_code

    def __call__(self, request, *args, **kwargs):
        # The feed's own words ("The latest posts…") in the language of its posts.
        with translation.override(self.language):
            return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return f"{settings.SITE_NAME}: {self.index.title}"

    def link(self) -> str:
        return self.index.url

    def description(self) -> str:
        return _("The latest posts from the %(site_name)s blog.") % {
            "site_name": settings.SITE_NAME
        }

    def feed_url(self) -> str:
        return self.index.url + ("feed/atom/" if self.feed_type is Atom1Feed else "feed/rss/")

    def items(self):
        return self.index.posts()[:FEED_SIZE]

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        return item.intro

    def item_link(self, item) -> str:
        return item.url

    def item_pubdate(self, item) -> datetime:
        published = item.first_published_at
        if published and timezone.localdate(published) == item.date:
            return published
        return timezone.make_aware(datetime.combine(item.date, time(9, 0)))

    def item_updateddate(self, item) -> datetime | None:
        return item.last_published_at

    def item_author_name(self, item) -> str | None:
        return ", ".join(author.name for author in item.authors) or None

    def item_categories(self, item) -> list[str]:
        return [tagged.tag.name for tagged in item.tagged_items.all()]


class BlogAtomFeed(BlogRssFeed):
    feed_type = Atom1Feed
    subtitle = BlogRssFeed.description
