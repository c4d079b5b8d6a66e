"""Content that recruits: the guides, blog posts and forum topics people joined through.

A content link (``ReferralLink.target_path``) names its content by the address it leads
to; a referral remembers the link its first visit came through. So "the members this
guide brought" are the referrals whose link leads to the guide, that reached "joined"
(the email is confirmed) and still count. Whose link it was does not matter: a guide
shared by ten readers brought everyone who came through any of the ten.

A topic is found under every slug it has had (``/forum/t/12/``, ``/forum/t/12-old-title/``,
``/forum/t/12-new-title/``): the addresses of ``REFERRAL_SHAREABLE_VIEWS`` with the same
``pk``; a page under its address today. As everywhere in the hub, the forum and the blog
are not imported: a topic is found through ``hearth.content`` (the forum registers its
finder), a page through Wagtail, and an author by duck typing (``author``, ``owner``).

"Still active" means in the "active" segment (visited in the last 30 days), the same
rule every dashboard uses.

Points (``credit_content_author``): when a person who came through a piece of content
joins, its author earns the capped RECRUITING_CONTENT rule once per person. When the
author is also the referrer (their own link to their own content) the warm action is
recorded (their content did bring someone) but pays nothing: the referral itself pays
them when it converts, and one person is paid for once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Model, Q, QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.models import Page, Site

from community import segments
from community.models import User
from hearth import content as shared_content
from referrals import engagement
from referrals.models import (
    MemberAction,
    PointsRule,
    Referral,
    ReferralLink,
    Stage,
    Status,
    object_key,
)

logger = logging.getLogger(__name__)

ACTION = PointsRule.Action.RECRUITING_CONTENT
# Stands for a URL argument other than ``pk`` (a slug) when reversing an address.
_ANY = "0any0"
PROFILE_LIMIT = 10
_PROFILE_ACTIONS_READ = 500


def _brought() -> Q:
    """Referrals that brought a member: joined (email confirmed) and still counting."""
    return Q(stage__gte=Stage.JOINED, status=Status.COUNTING)


# --- addresses and content --------------------------------------------------------------


def _shared_view(path: str):
    """The resolved ``path`` when it is a shareable (non-page) view with a ``pk``."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name in settings.REFERRAL_SHAREABLE_VIEWS and "pk" in match.kwargs:
        return match
    return None


def _page_path(page: Page, request: HttpRequest | None = None) -> str | None:
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


def path_filter(obj: Model, request: HttpRequest | None = None, *, field: str) -> Q | None:
    """A filter on ``field`` (a link's target path) matching every address of ``obj``."""
    if isinstance(obj, Page):
        path = _page_path(obj, request)
        return Q(**{field: path}) if path else None
    get_url = getattr(obj, "get_absolute_url", None)
    match = _shared_view(get_url()) if callable(get_url) else None
    if match is None:
        return None
    found = Q()
    for view_name in sorted(settings.REFERRAL_SHAREABLE_VIEWS):
        for names in (("pk",), tuple(match.kwargs)):
            kwargs = {name: obj.pk if name == "pk" else _ANY for name in names}
            try:
                address = reverse(view_name, kwargs=kwargs)
            except NoReverseMatch:
                continue
            if _ANY in address:  # "/forum/t/12-0any0/": every slug the topic had
                found |= Q(**{f"{field}__startswith": address.split(_ANY)[0]})
            else:
                found |= Q(**{field: address})
            break
    return found or None


def identity(obj: Model, request: HttpRequest | None = None) -> str | None:
    """What :func:`identity_of_path` answers for every address of ``obj``."""
    if isinstance(obj, Page):
        path = _page_path(obj, request)
        return f"path:{path}" if path else None
    get_url = getattr(obj, "get_absolute_url", None)
    return identity_of_path(get_url()) if callable(get_url) else None


def identity_of_path(path: str) -> str:
    """One name for the content at ``path`` without reading the database: a shared
    view's namespace and ``pk`` ("forum:12") whatever the slug, else the address."""
    match = _shared_view(path)
    if match is not None:
        return f"view:{match.namespace}:{match.kwargs['pk']}"
    return f"path:{path}"


def content_for_path(path: str) -> Model | None:
    """The published topic or page a content link leads to, or None."""
    if _shared_view(path) is not None:
        found = shared_content.content_at(path)
        return found if found is not None and getattr(found, "is_visible", True) else None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name == "wagtail_serve":
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            return None
        url_path = site.root_page.url_path + path.lstrip("/")
        page = Page.objects.live().filter(url_path=url_path).first()
        return page.specific if page is not None else None
    return None


def author_of(content: Model) -> User | None:
    """Who wrote ``content``: a topic's or guide's author, else a page's owner (the editor
    who made a brand blog post; its bylines are names, not accounts)."""
    author = getattr(content, "author", None)
    if isinstance(author, User):
        return author
    owner = getattr(content, "owner", None) if isinstance(content, Page) else None
    return owner if isinstance(owner, User) else None


def _author_id(content: Model) -> int | None:
    author_id = getattr(content, "author_id", None)
    if author_id is None and isinstance(content, Page):
        author_id = content.owner_id
    return author_id


def may_see_count(user: Any, content: Model) -> bool:
    """The author (and a guide's co-authors) and the editors; nobody else."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk == _author_id(content):
        return True
    is_credited = getattr(content, "is_credited", None)
    if callable(is_credited) and is_credited(user):
        return True
    return user.is_editor


def noun(content: Model) -> str:
    """What the line calls it: "topic", "guide", "blog post" (the model's own name)."""
    return str(content._meta.verbose_name)


# --- how many it brought ------------------------------------------------------------------


@dataclass(frozen=True)
class Brought:
    members: int
    active: int


def brought(content: Model, request: HttpRequest | None = None, *, now=None) -> Brought:
    """How many members ``content`` brought and how many are still active (one query)."""
    match = path_filter(content, request, field="link__target_path")
    if match is None:
        return Brought(0, 0)
    active = segments.members("active", now=now).values("pk")
    counts = Referral.objects.filter(match, _brought()).aggregate(
        members=Count("pk"), active=Count("pk", filter=Q(referee__in=active))
    )
    return Brought(counts["members"], counts["active"])


def line(content: Model, counts: Brought) -> str:
    """ "This guide brought 14 members, 9 still active"."""
    text = ngettext(
        "This %(noun)s brought %(n)d member",
        "This %(noun)s brought %(n)d members",
        counts.members,
    ) % {"noun": noun(content), "n": counts.members}
    return (
        text
        + ", "
        + ngettext("%(n)d still active", "%(n)d still active", counts.active) % {"n": counts.active}
    )


# --- points when someone joins --------------------------------------------------------------


def content_key(content: Model, referee_id: int) -> str:
    return f"content:{object_key(content)}:referee:{referee_id}"


def credit_content_author(
    *, referral: Referral, when: datetime | None = None
) -> engagement.Recorded | None:
    """The referee of ``referral`` just joined: record that the content they came through
    brought them, paying its author by the capped RECRUITING_CONTENT rule.

    Nothing for a personal link, a held or refused referral, content that is gone or has
    no author, or an author who is the newcomer. An author who is also the referrer is
    recorded without points (see the module's docstring).
    """
    if referral.status != Status.COUNTING or referral.link_id is None:
        return None
    link = referral.link
    if link is None or link.is_personal:
        return None
    content = content_for_path(link.target_path)
    if content is None:
        return None
    author = author_of(content)
    if author is None or author.pk == referral.referee_id:
        return None
    own_link = author.pk == referral.referrer_id
    title = getattr(content, "title", "") or link.target_title or link.target_path
    referee = referral.referee
    reason = f"“{title}” brought {referee.name}"
    if own_link:
        reason += " (through your own link: the referral pays you)"
    return engagement.record(
        member=author,
        action=ACTION,
        key=content_key(content, referral.referee_id),
        reason=reason,
        when=when or timezone.now(),
        amount=0 if own_link else None,
    )


# --- the author's list on their profile ---------------------------------------------------


@dataclass(frozen=True)
class RecruitingContent:
    content: Model
    title: str
    url: str
    noun: str
    counts: Brought


def _url_of(obj: Model, request: HttpRequest) -> str:
    if isinstance(obj, Page):
        return obj.get_url(request) or ""
    get_url = getattr(obj, "get_absolute_url", None)
    return get_url() if callable(get_url) else ""


def _object_key_of_action(key: str) -> str | None:
    # "recruiting_content:content:forum.topic:12:referee:5" -> "forum.topic:12"
    parts = key.split(":")
    if len(parts) != 6 or parts[1] != "content" or parts[4] != "referee":
        return None
    return f"{parts[2]}:{parts[3]}"


def _visible(model: type[Model], pks: list[int], viewer: Any) -> QuerySet:
    """What lists show ``viewer``: live public pages, or what the model's own
    ``listed_for`` says (a topic: not hidden, in a category they may read)."""
    if issubclass(model, Page):
        return model.objects.live().public().filter(pk__in=pks)  # type: ignore[attr-defined]
    manager = model._default_manager
    if hasattr(manager, "listed_for"):
        return manager.listed_for(viewer).filter(pk__in=pks)
    return manager.none()


def content_of(member: User, request: HttpRequest, *, limit: int = PROFILE_LIMIT):
    """``member``'s content that brought people (newest first), with its counts.

    Which content: their RECRUITING_CONTENT warm actions (recorded when someone joins
    through it); the counts: :func:`brought`'s rule, for all of it in one query.
    """
    keys = MemberAction.objects.filter(
        member=member, action=ACTION, revoked_at__isnull=True
    ).values_list("key", flat=True)[:_PROFILE_ACTIONS_READ]
    ordered: list[str] = []
    for key in keys:
        found = _object_key_of_action(key)
        if found is not None and found not in ordered:
            ordered.append(found)
    by_label: dict[str, list[int]] = {}
    for found in ordered:
        label, pk = found.rsplit(":", 1)
        if pk.isdigit():
            by_label.setdefault(label, []).append(int(pk))
    contents: dict[str, Model] = {}
    for label, pks in by_label.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        for obj in _visible(model, pks, request.user):
            contents[object_key(obj)] = obj
    shown = [contents[key] for key in ordered if key in contents][:limit]
    if not shown:
        return []
    identities: dict[str, Model] = {}
    match = Q()
    for obj in shown:
        found_identity = identity(obj, request)
        obj_filter = path_filter(obj, request, field="link__target_path")
        if found_identity is None or obj_filter is None:
            continue
        identities[found_identity] = obj
        match |= obj_filter
    active = segments.members("active").values("pk")
    totals: dict[str, list[int]] = {key: [0, 0] for key in identities}
    rows = (
        Referral.objects.filter(match, _brought())
        .values("link__target_path")
        .annotate(members=Count("pk"), active=Count("pk", filter=Q(referee__in=active)))
        .values_list("link__target_path", "members", "active")
    )
    for path, members, still in rows:
        found_identity = identity_of_path(path)
        if found_identity in totals:
            totals[found_identity][0] += members
            totals[found_identity][1] += still
    result = []
    for found_identity, obj in identities.items():
        members, still = totals[found_identity]
        if not members:
            continue
        url = _url_of(obj, request)
        result.append(
            RecruitingContent(
                content=obj,
                title=str(getattr(obj, "title", obj)),
                url=url,
                noun=noun(obj),
                counts=Brought(members, still),
            )
        )
    return result


# --- the editors' ranking ---------------------------------------------------------------


def ranking(
    *,
    start: datetime,
    end: datetime,
    members: QuerySet[User] | None = None,
    limit: int = 10,
) -> list[dict]:
    """Content ranked by sign-ups (people who signed up through it between ``start`` and
    ``end``), then by conversions in that time; only referees in ``members`` when given.

    Two grouped queries and one for titles; a topic's addresses count as one row.
    """
    referrals = Referral.objects.filter(link__isnull=False).exclude(link__target_path="")
    if members is not None:
        referrals = referrals.filter(referee__in=members.values("pk"))
    signups = (
        referrals.filter(created_at__gte=start, created_at__lt=end)
        .values("link__target_path")
        .annotate(n=Count("pk"), links=Count("link", distinct=True))
        .values_list("link__target_path", "n", "links")
    )
    conversions = (
        referrals.filter(
            stage=Stage.CONVERTED,
            status=Status.COUNTING,
            converted_at__gte=start,
            converted_at__lt=end,
        )
        .values("link__target_path")
        .annotate(n=Count("pk"), links=Count("link", distinct=True))
        .values_list("link__target_path", "n", "links")
    )
    rows: dict[str, dict[str, Any]] = {}

    def row_for(path: str) -> dict[str, Any]:
        key = identity_of_path(path)
        if key not in rows:
            rows[key] = {"path": path, "paths": [], "signups": 0, "conversions": 0, "links": 0}
        rows[key]["paths"].append(path)
        return rows[key]

    for path, n, links in signups:
        row = row_for(path)
        row["signups"] += n
        row["links"] = max(row["links"], links)
    for path, n, links in conversions:
        row = row_for(path)
        row["conversions"] += n
        row["links"] = max(row["links"], links)
    ranked = sorted(rows.values(), key=lambda r: (-r["signups"], -r["conversions"], r["path"]))[
        :limit
    ]
    titles: dict[str, str] = {}
    wanted = [path for row in ranked for path in row["paths"]]
    if wanted:
        titles = dict(
            ReferralLink.objects.filter(target_path__in=wanted)
            .exclude(target_title="")
            .values_list("target_path", "target_title")
        )
    for row in ranked:
        row["title"] = next((titles[p] for p in row["paths"] if p in titles), "")
    return ranked
