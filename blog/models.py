"""Wagtail pages for the brand blog and the member guides, and the helpful votes."""

from __future__ import annotations

import datetime
import math
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model, get_image_model_string
from wagtail.models import Orderable, Page, PageManager, PageQuerySet
from wagtail.search import index

from blog.blocks import BlogStreamBlock, GuideStreamBlock
from blog.choices import Difficulty
from blog.feeds import BlogAtomFeed, BlogRssFeed
from blog.filters import GuideFilter
from hearth.content_language import validate_code

if TYPE_CHECKING:
    from wagtail.images.models import AbstractImage

    from community.models import User

BLOG_PAGE_SIZE = 12
GUIDE_PAGE_SIZE = 12
CARD_RENDITION = "fill-640x360"
WORDS_PER_MINUTE = 230
# /guides/new/ and /guides/mine/ are Django views in front of Wagtail's catch-all.
RESERVED_GUIDE_SLUGS = frozenset({"new", "mine"})

_NOT_READ = {"image", "alt", "language", "level", "id"}


def _count_words(raw: Any) -> int:
    if isinstance(raw, str):
        return len(strip_tags(raw).split())
    if isinstance(raw, list | tuple):
        return sum(_count_words(item) for item in raw)
    if isinstance(raw, dict):
        if "type" in raw and "value" in raw:
            return 0 if raw["type"] in ("image", "embed") else _count_words(raw["value"])
        return sum(_count_words(v) for k, v in raw.items() if k not in _NOT_READ)
    return 0


def reading_minutes(body) -> int:
    """Minutes to read a StreamField body, from its raw data (no image or embed lookups)."""
    words = _count_words(list(body.raw_data)) if body else 0
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def lazily(compute) -> Any:
    """``compute()`` when a template first reads it: a page's parts kept as fragments
    (blog.fragments) skip their queries while the fragment is kept."""
    return SimpleLazyObject(compute)


def with_card_prefetches(queryset: PageQuerySet, image_field: str | None = None) -> PageQuerySet:
    """What a card shows, in one query per relation whatever the number of cards: tags,
    the image's card rendition and, for blog posts, the bylines."""
    lookups: list[Any] = ["tagged_items__tag"]
    if queryset.model is BlogPage:
        lookups.append(
            Prefetch("post_authors", queryset=BlogPageAuthor.objects.select_related("author"))
        )
    if image_field:
        lookups.append(
            Prefetch(
                image_field, queryset=get_image_model().objects.prefetch_renditions(CARD_RENDITION)
            )
        )
    return queryset.prefetch_related(*lookups)


# --- Authors (a snippet) ---------------------------------------------------------------


class Author(index.Indexed, models.Model):
    """A byline on brand blog posts: the person (or team) who wrote it."""

    name = models.CharField(max_length=100)
    photo = models.ForeignKey(
        get_image_model_string(), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bio = models.TextField(
        "short bio",
        blank=True,
        validators=[MaxLengthValidator(500)],
        help_text=gettext_lazy("Up to 500 characters."),
    )

    panels = [FieldPanel("name"), FieldPanel("photo"), FieldPanel("bio")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# --- The brand blog ------------------------------------------------------------------


class BlogIndexPage(RoutablePageMixin, Page):
    """/blog/: the latest posts, tag archives at /blog/tags/<tag>/ and the feeds."""

    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hearth.HomePage"]
    subpage_types = ["blog.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = gettext_lazy("blog index page")

    def posts(self) -> PageQuerySet:
        return with_card_prefetches(
            BlogPage.objects.live().public().child_of(self).order_by("-date", "-pk"),
            "hero_image",
        )

    def _listing(self, request: HttpRequest, posts: PageQuerySet, *, tag: Tag | None):
        page = lazily(lambda: Paginator(posts, BLOG_PAGE_SIZE).get_page(request.GET.get("page")))

        def canonical_url() -> str:
            url = self.get_full_url(request) + (f"tags/{tag.slug}/" if tag else "")
            return url + (f"?page={page.number}" if page.number > 1 else "")

        return self.render(
            request,
            context_overrides={
                "posts": page,
                "tag": tag,
                "canonical_url": lazily(canonical_url),
                "blog_index": self,
            },
        )

    @path("")
    def latest(self, request: HttpRequest):
        return self._listing(request, self.posts(), tag=None)

    @path("tags/<slug:tag>/", name="tag")
    def tag_archive(self, request: HttpRequest, tag: str):
        tag_obj = Tag.objects.filter(slug=tag).first()
        if tag_obj is None:
            raise Http404("No such tag.")
        return self._listing(request, self.posts().filter(tags=tag_obj), tag=tag_obj)

    @path("feed/rss/", name="rss")
    def rss_feed(self, request: HttpRequest):
        return BlogRssFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom_feed(self, request: HttpRequest):
        return BlogAtomFeed(self)(request)


class BlogPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BlogPageAuthor(Orderable):
    page = ParentalKey("blog.BlogPage", related_name="post_authors", on_delete=models.CASCADE)
    author: models.ForeignKey[Author, Author] = models.ForeignKey(
        Author, on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["page", "author"], name="blog_one_byline_per_author")
        ]


def first_of_each_author(links: list[BlogPageAuthor]) -> list[BlogPageAuthor]:
    """``links`` without repeats of an author, the first of each kept, in order."""
    seen: set[int] = set()
    kept = []
    for link in links:
        if link.author_id not in seen:
            seen.add(link.author_id)
            kept.append(link)
    return kept


class BlogPageForm(WagtailAdminPageForm):
    """The editor's form: one byline per author, said plainly next to the repeat."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        formset = self.formsets.get("post_authors")
        if formset is None:
            return cleaned
        seen: set[int] = set()
        for form in formset.forms:
            if not form.is_valid() or formset._should_delete_form(form):
                continue
            author = form.cleaned_data.get("author")
            if author is None:
                continue
            if author.pk in seen:
                form.add_error("author", f"{author.name} is already an author of this post.")
            seen.add(author.pk)
        return cleaned


class BlogPage(Page):
    date: models.DateField[datetime.date, datetime.date] = models.DateField(
        "post date", default=timezone.localdate
    )
    intro: models.CharField[str, str] = models.CharField(
        max_length=300,
        help_text=gettext_lazy("One or two sentences, shown in listings and shared links."),
    )
    hero_image: models.ForeignKey[AbstractImage | None, AbstractImage | None] = models.ForeignKey(
        get_image_model_string(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy(
            "Shown at the top and on social cards; its description is the alt text."
        ),
    )
    body = StreamField(BlogStreamBlock())
    tags = ClusterTaggableManager(through=BlogPageTag, blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("tags"),
                InlinePanel("post_authors", label=gettext_lazy("Author")),
            ],
            heading=gettext_lazy("Byline"),
        ),
        FieldPanel("intro"),
        FieldPanel("hero_image"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("date"),
    ]
    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types: list[str] = []
    base_form_class = BlogPageForm

    class Meta:
        verbose_name = gettext_lazy("blog post")

    @property
    def reading_time(self) -> int:
        return reading_minutes(self.body)

    @property
    def search_snippet(self) -> str:
        return self.intro

    @property
    def authors(self) -> list[Author]:
        # Each author once, also in a preview of a revision saved before the rule.
        return [link.author for link in first_of_each_author(list(self.post_authors.all()))]

    def save(self, *args: Any, **kwargs: Any) -> Any:
        # Autosave can write a byline that the editor's next Publish sends again as a new
        # row (its id had not reached the form yet); a revision may carry the repeat too.
        # Keep the first of each author so the unique constraint never turns into a 500.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "post_authors" in update_fields:
            links = list(self.post_authors.all())
            kept = first_of_each_author(links)
            if len(kept) != len(links):
                self.post_authors.set(kept)  # in memory; saving the page commits it
        return super().save(*args, **kwargs)

    def related_posts(self, limit: int = 3) -> PageQuerySet:
        tag_ids = [tagged.tag_id for tagged in self.tagged_items.all()]
        if not tag_ids:
            return BlogPage.objects.none()
        return with_card_prefetches(
            BlogPage.objects.live()
            .public()
            .exclude(pk=self.pk)
            # Translations share their tags: related posts are in the page's own language.
            .filter(locale_id=self.locale_id, tagged_items__tag_id__in=tag_ids)
            .annotate(shared_tags=Count("tagged_items"))
            .order_by("-shared_tags", "-date", "-pk"),
            "hero_image",
        )[:limit]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related_posts"] = lazily(lambda: list(self.related_posts()))
        context["blog_index"] = lazily(lambda: self.get_parent().specific)
        return context


# --- Member guides -------------------------------------------------------------------


class GuideIndexPage(Page):
    """/guides/: published guides, filtered by tag and difficulty, newest or most helpful."""

    intro = RichTextField(features=["bold", "italic", "link"], blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["hearth.HomePage"]
    subpage_types = ["blog.GuidePage"]
    max_count = 1

    class Meta:
        verbose_name = gettext_lazy("guide index page")

    def guides(self) -> PageQuerySet:
        return with_card_prefetches(
            GuidePage.objects.live()
            .public()
            .child_of(self)
            .select_related("author")
            .annotate(helpful_count=Count("helpful_votes", distinct=True))
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        filters = GuideFilter(
            request.GET or None, queryset=self.guides().order_by("-first_published_at", "-pk")
        )
        context["filter_form"] = lazily(lambda: filters.form)
        context["guides"] = lazily(
            lambda: Paginator(filters.qs, GUIDE_PAGE_SIZE).get_page(request.GET.get("page"))
        )
        context["guide_tags"] = (
            Tag.objects.filter(
                blog_guidepagetag_items__content_object__live=True,
            )
            .distinct()
            .order_by("name")
        )
        return context


class GuidePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.GuidePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class GuidePage(Page):
    """A guide written by a member on the site and published after an editor's review."""

    summary: models.CharField[str, str] = models.CharField(
        max_length=300, help_text=gettext_lazy("What the reader will be able to do.")
    )
    difficulty: models.CharField[str, str] = models.CharField(
        max_length=20, choices=Difficulty.choices, default=Difficulty.BEGINNER
    )
    body = StreamField(GuideStreamBlock())
    tags = ClusterTaggableManager(through=GuidePageTag, blank=True)
    author: models.ForeignKey[User | None, User | None] = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="guides",
    )
    author_id: int | None
    # Page is untyped: tell django-stubs the manager Django gives the model, so that
    # User.guides resolves.
    _default_manager: ClassVar[PageManager]
    co_authors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_authored_guides"
    )
    # The language the guide is written in, one of settings.LANGUAGES ("et"): a label, not
    # Wagtail's locale (member guides all live under the one guide index).
    language: models.CharField[str, str] = models.CharField(
        max_length=10,
        default=settings.LANGUAGE_CODE,
        validators=[validate_code],
        help_text=gettext_lazy("The language the guide is written in, e.g. et."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("difficulty"),
        FieldPanel("language"),
        FieldPanel("tags"),
        FieldPanel("author", read_only=True),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("difficulty"),
        index.FilterField("author"),
        index.FilterField("language"),
    ]
    parent_page_types = ["blog.GuideIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = gettext_lazy("guide")

    def clean(self) -> None:
        super().clean()
        if self.slug in RESERVED_GUIDE_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is reserved for the guide editor."})

    def save(self, *args, **kwargs):
        # A guide an editor starts in the admin is credited to them.
        if self.author_id is None and self.owner_id is not None:
            self.author_id = self.owner_id
        return super().save(*args, **kwargs)

    @property
    def reading_time(self) -> int:
        return reading_minutes(self.body)

    @property
    def search_snippet(self) -> str:
        return self.summary

    def credited_members(self) -> list:
        people = [self.author] if self.author_id else []
        return people + [m for m in self.co_authors.all() if m.pk != self.author_id]

    def is_credited(self, user) -> bool:
        if not getattr(user, "is_authenticated", False):
            return False
        return user.pk == self.author_id or any(m.pk == user.pk for m in self.co_authors.all())

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        user = request.user
        votes = {"count": 0, "mine": 0}
        if self.pk:
            # The count and the reader's own vote in one query.
            mine = Q(member=user) if user.is_authenticated else Q(member__isnull=True)
            votes = self.helpful_votes.aggregate(count=Count("pk"), mine=Count("pk", filter=mine))
        context["helpful_count"] = votes["count"]
        context["voted"] = bool(votes["mine"])
        context["can_vote"] = user.is_authenticated and not self.is_credited(user)
        context["guide_index"] = lazily(lambda: self.get_parent().specific) if self.pk else None
        return context


class GuideVote(models.Model):
    """One member found one guide helpful; removing the row takes the vote back."""

    guide = models.ForeignKey(GuidePage, on_delete=models.CASCADE, related_name="helpful_votes")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guide_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guide", "member"], name="one_helpful_vote_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} found {self.guide} helpful"


def live_guides_crediting(member) -> PageQuerySet:
    """Published guides that name ``member`` as author or co-author."""
    return (
        GuidePage.objects.live()
        .public()
        .filter(Q(author=member) | Q(co_authors=member))
        .distinct()
        .order_by("-first_published_at", "-pk")
    )
