"""The forum: categories hold topics, topics hold numbered posts.

Counters that list pages need (a category's topic count and latest activity, a topic's
reply count, last poster and last activity, a post's reaction counts) are denormalised
and recomputed from the rows by the action that changes them, so they stay correct on
reply, hide, unhide, delete and move. Posts are numbered 1, 2, 3... within a topic and
keep their number when hidden or deleted, so a topic page is a range of numbers:
page 50 costs the same as page 1.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any, ClassVar, Self

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from community.forum import page_cache
from community.models import REACTION_CHOICES, REACTION_KEYS, REACTIONS
from hearth.content_language import validate_code
from hearth.search import plain_text

POSTS_PER_PAGE = 20
TOPICS_PER_PAGE = 30
EDIT_WINDOW = timedelta(hours=24)

# Colours are classes (the CSP forbids inline styles); static/css/forum.css defines them.
COLOUR_CHOICES = [
    ("ember", gettext_lazy("Ember (orange)")),
    ("moss", gettext_lazy("Moss (green)")),
    ("sky", gettext_lazy("Sky (blue)")),
    ("plum", gettext_lazy("Plum (purple)")),
    ("sand", gettext_lazy("Sand (yellow)")),
    ("slate", gettext_lazy("Slate (grey)")),
]


class StartPermission(models.TextChoices):
    MEMBERS = "members", gettext_lazy("Members")
    MODERATORS = "moderators", gettext_lazy("Moderators only (announcements)")


class ReadAccess(models.TextChoices):
    PUBLIC = "public", gettext_lazy("Everyone, including visitors")
    MEMBERS = "members", gettext_lazy("Signed-in members only")


def is_member(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_moderator(user: Any) -> bool:
    return is_member(user) and user.is_moderator


# --- who may see what ----------------------------------------------------------------
#
# The one rule for reading the forum. Every page, the search, the home and profile
# sections, quotes, edit history, permalinks and notifications ask the querysets below
# (Topic.objects.visible_to, Post.objects.visible_to), which build their filters here:
# - members-only categories are for signed-in members;
# - deleted topics and posts are gone for everyone (a deleted post keeps its number and a
#   placeholder);
# - hidden topics and posts are for moderators (a hidden post shows others a placeholder);
# - held topics and posts (community.forum.spam: waiting for a moderator) are for their
#   author and moderators; others do not see them at all, not even a placeholder.


def _readable_categories(*, member: bool, prefix: str = "") -> Q:
    return Q() if member else Q(**{f"{prefix}read_access": ReadAccess.PUBLIC})


def _not_held(*, author_id: int | None, prefix: str = "") -> Q:
    """Not held, or held but written by ``author_id`` (None: nobody's held posts)."""
    rule = Q(**{f"{prefix}held_at__isnull": True})
    return rule if author_id is None else rule | Q(**{f"{prefix}author_id": author_id})


def _visible_topics(
    *, member: bool, moderator: bool, prefix: str = "", author_id: int | None = None
) -> Q:
    rule = Q(**{f"{prefix}deleted_at__isnull": True}) & _readable_categories(
        member=member, prefix=f"{prefix}category__"
    )
    if moderator:
        return rule
    return rule & Q(**{f"{prefix}hidden": False}) & _not_held(author_id=author_id, prefix=prefix)


def _readable_posts(*, moderator: bool, author_id: int | None = None) -> Q:
    """Posts whose words show (the others show a placeholder), in a topic already seen."""
    rule = Q(deleted_at__isnull=True)
    return rule if moderator else rule & Q(hidden=False) & _not_held(author_id=author_id)


def _viewer_id(user: Any) -> int | None:
    return user.pk if is_member(user) else None


class Category(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(
        max_length=60, unique=True, help_text=gettext_lazy("Used in the address.")
    )
    description = models.TextField(blank=True, validators=[MaxLengthValidator(500)])
    colour = models.CharField(max_length=10, choices=COLOUR_CHOICES, default="ember")
    order = models.PositiveSmallIntegerField(
        default=0, help_text=gettext_lazy("Lower numbers come first.")
    )
    who_may_start = models.CharField(
        "who may start topics",
        max_length=12,
        choices=StartPermission.choices,
        default=StartPermission.MEMBERS,
    )
    read_access = models.CharField(
        "who may read",
        max_length=12,
        choices=ReadAccess.choices,
        default=ReadAccess.PUBLIC,
    )
    # The language the category's topics are written in ("et"): a topic started here
    # takes it by default. Blank: any language.
    language = models.CharField(
        max_length=10,
        blank=True,
        default="",
        validators=[validate_code],
        help_text=gettext_lazy("Optional: the language people write in here, e.g. et."),
    )
    # Denormalised for the forum index; recomputed by Category.refresh_stats().
    topic_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_topic = models.ForeignKey(
        "Topic",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # Not stored: set by the forum index for its template.
    readable: bool

    class Meta:
        ordering = ["order", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:category", kwargs={"slug": self.slug})

    @property
    def members_only(self) -> bool:
        return self.read_access == ReadAccess.MEMBERS

    @property
    def moderators_start(self) -> bool:
        return self.who_may_start == StartPermission.MODERATORS

    def may_read(self, user: Any) -> bool:
        """The category rule of "who may see what" for a category in hand (the querysets
        use _readable_categories)."""
        return self.read_access == ReadAccess.PUBLIC or is_member(user)

    def may_start_topic(self, user: Any) -> bool:
        if not is_member(user):
            return False
        if self.who_may_start == StartPermission.MODERATORS:
            return user.is_moderator
        return True

    def refresh_stats(self) -> None:
        latest = (
            Topic.objects.listed()
            .filter(category=self)
            .order_by("-last_activity_at", "-id")
            .only("id", "last_activity_at")
            .first()
        )
        Category.objects.filter(pk=self.pk).update(
            topic_count=Topic.objects.listed().filter(category=self).count(),
            last_topic=latest,
            last_activity_at=latest.last_activity_at if latest else None,
        )


class TopicTag(TagBase):
    """A forum tag. Members pick existing tags; moderators may create new ones."""

    class Meta:
        verbose_name = "topic tag"
        verbose_name_plural = "topic tags"
        ordering = ["name"]

    def get_absolute_url(self) -> str:
        return reverse("forum:tag", kwargs={"slug": self.slug})


class TaggedTopic(ItemBase):
    # taggit is untyped, so django-stubs needs the fields' types and the default manager.
    tag: models.ForeignKey[TopicTag, TopicTag] = models.ForeignKey(
        TopicTag, on_delete=models.CASCADE, related_name="tagged_topics"
    )
    content_object: models.ForeignKey[Topic, Topic] = models.ForeignKey(
        "Topic", on_delete=models.CASCADE, related_name="tagged_items"
    )
    _default_manager: ClassVar[models.Manager[TaggedTopic]]

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_topic_once")
        ]


# Neither hidden, deleted nor held: what lists show and what counters count.
LISTED = Q(hidden=False, deleted_at__isnull=True, held_at__isnull=True)


class HideableQuerySet(models.QuerySet):
    def listed(self) -> Self:
        """Neither hidden nor deleted (even for moderators): what lists show and count."""
        return self.filter(LISTED)


class Hideable(models.Model):
    """A topic or a post: moderators hide it with a reason its author is told; its author
    or a moderator deletes it (softly: it keeps its place)."""

    hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Held by a spam signal (community.forum.spam) until a moderator approves it: seen by
    # its author and moderators only, published (counters, notifications, signals) then.
    held_at = models.DateTimeField(null=True, blank=True)
    held_reason = models.CharField(max_length=300, blank=True)

    HIDE_FIELDS: ClassVar[tuple[str, ...]] = ("hidden", "hidden_reason", "hidden_at", "hidden_by")

    class Meta:
        abstract = True

    @property
    def is_visible(self) -> bool:
        """Neither hidden, deleted nor held: every reader sees it."""
        return not self.hidden and self.deleted_at is None and self.held_at is None

    def hide(self, *, by: Any, reason: str) -> None:
        """Hide it (or keep it hidden with a new reason); ``hidden_at`` stays the moment it
        was first hidden."""
        if not self.hidden or self.hidden_at is None:
            self.hidden_at = timezone.now()
        self.hidden = True
        self.hidden_reason = reason
        self.hidden_by = by
        self.save(update_fields=list(self.HIDE_FIELDS))

    def unhide(self) -> None:
        self.hidden = False
        self.hidden_reason = ""
        self.hidden_at = None
        self.hidden_by = None
        self.save(update_fields=list(self.HIDE_FIELDS))


class TopicQuerySet(SearchableQuerySetMixin, HideableQuerySet):
    def visible_to(self, user: Any) -> TopicQuerySet:
        """Topics ``user`` may open (see "who may see what" above)."""
        return self.filter(
            _visible_topics(
                member=is_member(user), moderator=is_moderator(user), author_id=_viewer_id(user)
            )
        )

    def listed_for(self, user: Any) -> TopicQuerySet:
        """What lists show ``user`` (forum pages, home and profile sections, search): the
        topics they may open, without hidden or held ones, even for moderators."""
        rule = _visible_topics(member=is_member(user), moderator=is_moderator(user))
        return self.filter(rule).listed()

    def visible_to_members(self) -> TopicQuerySet:
        """Topics any signed-in member may open: a visitor asking for one of these is sent
        to sign in rather than shown a 404."""
        return self.filter(_visible_topics(member=True, moderator=False))

    def for_listing(self) -> TopicQuerySet:
        """With what a topic row shows of others (its tags: :func:`with_tag_lists`)."""
        return self.select_related("author", "last_poster", "category")


class Topic(index.Indexed, Hideable):
    title = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, allow_unicode=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="topics"
    )
    created_at = models.DateTimeField(default=timezone.now)
    tags = TaggableManager(through=TaggedTopic, blank=True)
    # The language the topic is written in (its posts share it), one of settings.LANGUAGES:
    # the writer's interface language unless they chose another (hearth.content_language).
    language = models.CharField(
        max_length=10, default=settings.LANGUAGE_CODE, validators=[validate_code]
    )

    # Denormalised by Topic.refresh_stats() from the visible posts.
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reply_count = models.PositiveIntegerField(default=0)
    # The number of the latest visible post (read tracking compares against it) and the
    # highest number ever given (a topic page is a range of numbers up to it).
    last_post_number = models.PositiveIntegerField(default=0)
    posts_total = models.PositiveIntegerField(default=0)
    # Some post of the topic answers another (Post.reply_to): only then does the topic
    # page look up who answers whom. Set by the first such reply, never unset.
    has_answers = models.BooleanField(default=False, editable=False)
    # Times the topic was read, written in batches (forum/view_counts.py).
    views = models.PositiveIntegerField(default=0, editable=False)

    pinned = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    solution = models.ForeignKey(
        "Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TopicQuerySet.as_manager()

    search_fields = [
        index.SearchField("title", boost=3),
        index.AutocompleteField("title"),
        index.SearchField("opening_text"),
        index.SearchField("tag_names", boost=2),
        index.FilterField("category_id"),
        index.FilterField("language"),
        # Topic.objects.visible_to() filters on the category's read access, in search too.
        index.RelatedFields("category", [index.FilterField("read_access")]),
        index.FilterField("hidden"),
        index.FilterField("deleted_at"),
        index.FilterField("held_at"),
        index.FilterField("last_activity_at"),
    ]

    class Meta:
        indexes = [
            # Category page: pinned first, then by last activity (listed topics only).
            models.Index(
                "category",
                models.F("pinned").desc(),
                models.F("last_activity_at").desc(),
                condition=LISTED,
                name="topic_category_listing",
            ),
            # Latest topics (home page, tag pages).
            models.Index(
                models.F("last_activity_at").desc(), condition=LISTED, name="topic_latest"
            ),
            models.Index("author", models.F("created_at").desc(), name="topic_author_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = self.slug_for(self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("forum:topic", kwargs={"pk": self.pk, "slug": self.slug})

    @staticmethod
    def slug_for(title: str) -> str:
        return slugify(title)[:80].strip("-") or "topic"

    def page_url(self, page: int) -> str:
        url = self.get_absolute_url()
        return url if page <= 1 else f"{url}?page={page}"

    def post_url(self, number: int) -> str:
        return f"{self.page_url(page_for_number(number))}#post-{number}"

    @property
    def first_unread_url(self) -> str:
        """Where to continue reading (needs ``my_last_read`` annotated by the view)."""
        last_read = getattr(self, "my_last_read", None) or 0
        return self.post_url(max(1, min(last_read + 1, self.last_post_number or 1)))

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.posts_total // POSTS_PER_PAGE))

    @property
    def search_title(self) -> str:
        return self.title

    def opening_text(self) -> str:
        """The opening post as a reader reads it (rendered, without markup): indexed, and
        the snippet in search results (which annotate ``opening_html``)."""
        rendered = getattr(self, "opening_html", None)
        if rendered is None:
            first = self.posts.filter(number=1).only("html").first()
            rendered = first.html if first else ""
        return plain_text(rendered)

    def tag_names(self) -> str:
        return " ".join(tag.name for tag in self.tags.all())

    def search_text(self) -> str:
        return self.opening_text()

    def refresh_stats(self) -> None:
        """Recompute reply count, last poster, last activity and last post number."""
        visible = self.posts.listed()
        latest = visible.order_by("-number").only("number", "created_at", "author_id").first()
        self.reply_count = visible.filter(number__gt=1).count()
        self.last_post_number = latest.number if latest else 0
        self.last_activity_at = latest.created_at if latest else self.created_at
        self.last_poster_id = latest.author_id if latest else self.author_id
        Topic.objects.filter(pk=self.pk).update(
            reply_count=self.reply_count,
            last_post_number=self.last_post_number,
            last_activity_at=self.last_activity_at,
            last_poster_id=self.last_poster_id,
        )
        page_cache.bump(self.pk)  # a bulk update sends no signal

    def may_reply(self, user: Any) -> bool:
        """Asked about a topic ``user`` already sees (Topic.objects.visible_to)."""
        return is_member(user) and (not self.locked or user.is_moderator)

    def may_mark_solution(self, user: Any) -> bool:
        return is_member(user) and (user.pk == self.author_id or user.is_moderator)


def page_for_number(number: int) -> int:
    return max(1, (number - 1) // POSTS_PER_PAGE + 1)


class PostQuerySet(SearchableQuerySetMixin, HideableQuerySet):
    def visible_to(self, user: Any) -> PostQuerySet:
        """Posts whose words ``user`` may read (see "who may see what" above)."""
        return self.reachable_by(user).filter(
            _readable_posts(moderator=is_moderator(user), author_id=_viewer_id(user))
        )

    def reachable_by(self, user: Any) -> PostQuerySet:
        """Posts whose place ``user`` may reach (a permalink, the author's own delete): as
        visible_to, except that a hidden post keeps its place and shows a placeholder (a
        held one is its author's and the moderators' only)."""
        moderator, author_id = is_moderator(user), _viewer_id(user)
        in_topics = _visible_topics(
            member=is_member(user), moderator=moderator, prefix="topic__", author_id=author_id
        )
        rule = in_topics & Q(deleted_at__isnull=True)
        return self.filter(rule if moderator else rule & _not_held(author_id=author_id))

    def with_shown(self, user: Any) -> PostQuerySet:
        """Annotate ``shown``: whether ``user`` reads a post's words or its placeholder (in a
        topic they already see), in the same SELECT. Others' held posts are left out: they
        have no place for ``user`` yet."""
        moderator, author_id = is_moderator(user), _viewer_id(user)
        rows = self if moderator else self.filter(_not_held(author_id=author_id))
        return rows.annotate(
            shown=ExpressionWrapper(
                _readable_posts(moderator=moderator, author_id=author_id),
                output_field=BooleanField(),
            )
        )


class Post(index.Indexed, Hideable):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="posts"
    )
    source = models.TextField()
    html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Hidden by members' flags (not by a moderator) until a moderator reviews them.
    hidden_by_flags = models.BooleanField(default=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # {"like": 3, "heart": 1}: recomputed from the Reaction rows on every toggle.
    reaction_counts = models.JSONField(default=dict, blank=True)
    open_flag_count = models.PositiveSmallIntegerField(default=0)
    # The earlier post of the same topic this one answers ("in reply to @maya").
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )

    objects = PostQuerySet.as_manager()

    # The words as a reader reads them. Search narrows the rows to the readable ones by
    # their ids (community.forum.search: ``pk__in`` Post.objects.visible_to()), so the
    # index holds text only; it follows edits of the text, not every save.
    search_auto_update = False
    search_fields = [index.SearchField("search_text"), index.FilterField("id")]

    # Not stored: set by the topic page (forum/pages.py) for its fragments.
    is_unread: bool
    is_solution: bool
    mine: set[str]  # the reader's own reactions
    bookmarked: bool  # by the reader

    HIDE_FIELDS: ClassVar[tuple[str, ...]] = (*Hideable.HIDE_FIELDS, "hidden_by_flags")

    class Meta:
        constraints = [
            # Also the index behind "posts of a topic in order" and page ranges.
            models.UniqueConstraint(fields=["topic", "number"], name="post_number_in_topic"),
        ]
        indexes = [
            models.Index("author", models.F("created_at").desc(), name="post_author_recent"),
            models.Index(
                fields=["open_flag_count"],
                condition=Q(open_flag_count__gt=0),
                name="post_open_flags",
            ),
            # The review inbox's "held posts" (few at any time).
            models.Index(fields=["held_at"], condition=Q(held_at__isnull=False), name="post_held"),
        ]

    def __str__(self) -> str:
        # For the audit log and the admin (one query for the topic unless it is loaded).
        return f"post #{self.number} in “{self.topic.title}”"

    def get_absolute_url(self) -> str:
        return reverse("forum:post", kwargs={"pk": self.pk})

    @property
    def is_opening(self) -> bool:
        return self.number == 1

    # --- in search results (hearth.search; load with select_related("topic", "author"))

    def search_text(self) -> str:
        return plain_text(self.html)

    @property
    def search_title(self) -> str:
        return self.topic.title

    @property
    def search_url(self) -> str:
        return self.topic.post_url(self.number)

    @property
    def search_label(self) -> str:
        return "Opening post" if self.is_opening else "Reply"

    @property
    def search_meta(self) -> str:
        who = self.author.name if self.author else "a former member"
        return f"Post #{self.number} by {who}"

    def hide(self, *, by: Any, reason: str) -> None:
        """``by`` None: members' flags hid it, until a moderator reviews them."""
        self.hidden_by_flags = by is None
        super().hide(by=by, reason=reason)

    def unhide(self) -> None:
        self.hidden_by_flags = False
        super().unhide()

    def as_quote(self) -> str:
        """The post as Markdown for a reply box: who wrote it, then its source quoted."""
        who = f"@{self.author.username}" if self.author else "A former member"
        lines = [f"> {line}" if line else ">" for line in self.source.splitlines()]
        return f"{who} wrote:\n" + "\n".join(lines) + "\n\n"

    def reactions_display(self) -> list[tuple[str, str, str, int]]:
        counts = self.reaction_counts or {}
        return [(key, emoji, label, int(counts.get(key, 0))) for key, emoji, label in REACTIONS]

    def may_edit(self, user: Any) -> bool:
        if not is_member(user) or self.deleted_at is not None:
            return False
        if user.is_moderator:
            return True
        return (
            user.pk == self.author_id
            and not self.hidden
            and timezone.now() - self.created_at < EDIT_WINDOW
        )

    def may_delete(self, user: Any) -> bool:
        if not is_member(user) or self.deleted_at is not None:
            return False
        return user.pk == self.author_id or user.is_moderator


class PostRevision(models.Model):
    """The source a post had before an edit: who changed it and when."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(default=timezone.now)
    previous_source = models.TextField()

    class Meta:
        ordering = ["-edited_at", "-id"]

    def __str__(self) -> str:
        return f"Edit of post {self.post_id} at {self.edited_at:%Y-%m-%d %H:%M}"


def post_image_upload_to(instance: PostImage, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower() or ".jpg"
    now = timezone.now()
    return f"forum/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class PostImage(models.Model):
    """An image a member attached; its Markdown reference is appended to the post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=post_image_upload_to)
    alt_text = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.image.name


class Reaction(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reactions"
    )
    kind = models.CharField(max_length=20, choices=REACTION_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member", "kind"], name="reaction_once_per_kind"
            ),
            models.CheckConstraint(condition=Q(kind__in=REACTION_KEYS), name="reaction_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post_id}"


class NotificationLevel(models.TextChoices):
    """How much a member hears of a topic, a category or a tag (loudest first)."""

    WATCHING = "watching", gettext_lazy("Watching")
    TRACKING = "tracking", gettext_lazy("Tracking")
    NORMAL = "normal", gettext_lazy("Normal")
    MUTED = "muted", gettext_lazy("Muted")


# Louder levels rank higher: a topic's tags give it the loudest of their levels.
LEVEL_RANK = {
    NotificationLevel.MUTED: 0,
    NotificationLevel.NORMAL: 1,
    NotificationLevel.TRACKING: 2,
    NotificationLevel.WATCHING: 3,
}
LEVEL_HINTS = {
    NotificationLevel.WATCHING: gettext_lazy("Every new post notifies you."),
    NotificationLevel.TRACKING: gettext_lazy("Lists show how many posts you have not read."),
    NotificationLevel.NORMAL: gettext_lazy("You hear when someone mentions you or answers you."),
    NotificationLevel.MUTED: gettext_lazy("Never notifies you and stays out of your topic lists."),
}


class TopicUser(models.Model):
    """A member's relation to a topic: how far they have read and how much they hear of
    it (``level``; empty until they or their posting chose one: the category's and the
    tags' levels apply then, community.forum.actions.levels)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_topics"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="members")
    last_read_number = models.PositiveIntegerField(default=0)
    # None: never chose (reading only). Starting or replying sets True unless the member
    # chose False ("stop watching") before.
    # Kept in step with ``level`` (True: watching, False: another level chosen).
    watching = models.BooleanField(null=True, default=None)
    level = models.CharField(
        max_length=8, choices=NotificationLevel.choices, blank=True, default=""
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "topic"], name="topic_user_once"),
            models.CheckConstraint(
                condition=Q(level__in=["", *NotificationLevel.values]), name="topic_user_level"
            ),
        ]
        indexes = [
            models.Index(fields=["topic"], condition=Q(watching=True), name="topic_watchers"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in {self.topic_id}"


class CategoryUser(models.Model):
    """A member's notification level for every topic of a category."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_category_levels"
    )
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="member_levels")
    level = models.CharField(max_length=8, choices=NotificationLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "category"], name="category_user_once"),
            models.CheckConstraint(
                condition=Q(level__in=NotificationLevel.values), name="category_user_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} {self.category_id}"


class TagUser(models.Model):
    """A member's notification level for the topics that carry a tag."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_tag_levels"
    )
    tag = models.ForeignKey(TopicTag, on_delete=models.CASCADE, related_name="member_levels")
    level = models.CharField(max_length=8, choices=NotificationLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "tag"], name="tag_user_once"),
            models.CheckConstraint(
                condition=Q(level__in=NotificationLevel.values), name="tag_user_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.level} {self.tag_id}"


class NotificationEmails(models.Model):
    """Which forum notifications a member also gets by email, besides the bell. Mentions
    have their own switch on the member (``User.email_on_mention``); no row: none of these."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="forum_emails",
    )
    answers = models.BooleanField("email me when someone answers one of my posts", default=False)
    watched_posts = models.BooleanField("email me each new post in a topic I watch", default=False)
    watched_topics = models.BooleanField(
        "email me each new topic in a category or tag I watch", default=False
    )

    class Meta:
        verbose_name = "forum email choice"
        verbose_name_plural = "forum email choices"

    def __str__(self) -> str:
        return f"forum emails of {self.member_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", gettext_lazy("Spam")
    RUDE = "rude", gettext_lazy("Rude or abusive")
    OFF_TOPIC = "off_topic", gettext_lazy("Off-topic")
    OTHER = "other", gettext_lazy("Something else")


class FlagOutcome(models.TextChoices):
    OPEN = "", gettext_lazy("Open")
    HIDDEN = "hidden", gettext_lazy("Post hidden")
    DISMISSED = "dismissed", gettext_lazy("Dismissed")


class Flag(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_flags"
    )
    reason = models.CharField(max_length=12, choices=FlagReason.choices)
    text = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=12, choices=FlagOutcome.choices, default=FlagOutcome.OPEN, blank=True
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "flagger"], name="flag_once_per_member"),
        ]
        indexes = [
            models.Index(fields=["post"], condition=Q(resolved_at__isnull=True), name="flag_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on post {self.post_id}"


class BookmarkQuerySet(models.QuerySet):
    def of(self, member: Any) -> BookmarkQuerySet:
        """``member``'s bookmarks on what they may still read: a topic they may open and,
        for a post, a post whose words they may read (one that was hidden or deleted
        since drops out of the list, and comes back if it is shown again)."""
        readable = Post.objects.visible_to(member).values("pk")
        return self.filter(
            Q(post__isnull=True) | Q(post__in=readable),
            member=member,
            topic__in=Topic.objects.visible_to(member).values("pk"),
        )

    def due(self, now: Any) -> BookmarkQuerySet:
        return self.filter(remind_at__lte=now, reminded_at__isnull=True)


class Bookmark(models.Model):
    """A member's bookmark on a topic (``post`` empty) or on one post, with an optional
    reminder: at ``remind_at`` the bell rings once (``reminded_at`` says it did)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_bookmarks"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="bookmarks")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="bookmarks"
    )
    note = models.CharField(max_length=200, blank=True)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BookmarkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "post"],
                condition=Q(post__isnull=False),
                name="bookmark_post_once",
            ),
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=Q(post__isnull=True),
                name="bookmark_topic_once",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "-created_at"], name="bookmark_recent"),
            models.Index(
                fields=["remind_at"],
                condition=Q(remind_at__isnull=False, reminded_at__isnull=True),
                name="bookmark_reminder_due",
            ),
        ]

    def __str__(self) -> str:
        return f"bookmark of {self.member_id} on {self.post_id or self.topic_id}"

    def get_absolute_url(self) -> str:
        if self.post is None:
            return self.topic.get_absolute_url()
        return self.topic.post_url(self.post.number)


class Draft(models.Model):
    """What a member was writing and has not posted yet: a reply to ``topic``, or a new
    topic (``topic`` empty). Saved as they type, restored when they come back, gone once
    they post it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_drafts"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="drafts"
    )
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "topic"],
                condition=Q(topic__isnull=False),
                name="draft_reply_once",
            ),
            models.UniqueConstraint(
                fields=["member"], condition=Q(topic__isnull=True), name="draft_new_topic_once"
            ),
        ]

    def __str__(self) -> str:
        return f"draft of {self.member_id} for {self.topic_id or 'a new topic'}"


def with_tag_lists(topics: Iterable[Topic]) -> list[Topic]:
    """The topics, each with its tags as ``tag_list`` (in the order they were given), read
    in one plain query: taggit's prefetch cost a listing more to set up than to run."""
    listed = list(topics)
    by_topic: dict[int, list[TopicTag]] = {topic.pk: [] for topic in listed}
    if by_topic:
        rows = (
            TaggedTopic.objects.filter(content_object_id__in=by_topic)
            .order_by("pk")
            .values_list("content_object_id", "tag_id", "tag__name", "tag__slug")
        )
        for topic_id, pk, name, slug in rows:
            by_topic[topic_id].append(TopicTag(pk=pk, name=name, slug=slug))
    for topic in listed:
        topic.tag_list = by_topic[topic.pk]
    return listed
