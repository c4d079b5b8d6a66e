"""Reading the forum: index, categories, topic lists, tags, topics, permalinks, edit
history, quotes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from hearth.access import sign_in_for_members

from .. import actions, listing_rows, page_cache, pages
from ..models import Category, Topic, TopicTag
from ._access import reachable_post, sign_in_or_404, visible_post


def _with_rows(request: HttpRequest, context: pages.Context, show_category: bool) -> pages.Context:
    """The listing's ``topics`` as kept rows (``rows``), the way the index draws its own."""
    context["rows"] = listing_rows.render_rows(
        request, context["topics"], new_since=context["new_since"], show_category=show_category
    )
    return context


@require_GET
@page_cache.for_visitors()
def index(request: HttpRequest) -> HttpResponse:
    context = pages.index_page(request)
    context["latest_rows"] = listing_rows.render_rows(
        request, context["latest"], new_since=context["new_since"], show_category=True
    )
    context["categories_html"] = listing_rows.render_categories(
        context["categories"], language=context["language"]
    )
    return render(request, "forum/index.html", context)


@require_GET
@page_cache.for_visitors()
def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    if not category.may_read(request.user):
        return sign_in_for_members(request)
    context = pages.category_page(request, category)
    return render(request, "forum/category.html", _with_rows(request, context, False))


@require_GET
def topic_list(request: HttpRequest, kind: str) -> HttpResponse:
    """Latest, New, Unread or Top, across the forum or in one category (``?category=``);
    Top over ``?period=`` (week, month or year; anything else is a month)."""
    if kind in pages.MEMBER_LISTS and not request.user.is_authenticated:
        return sign_in_for_members(request)
    category = None
    slug = request.GET.get("category")
    if slug:
        category = Category.objects.filter(slug=slug[:80]).first()
        if category is None:
            raise Http404("No such category.")
        if not category.may_read(request.user):
            return sign_in_for_members(request)
    period = request.GET.get("period", "")
    if period not in pages.TOP_PERIODS:
        period = pages.DEFAULT_TOP_PERIOD
    context = pages.topic_list_page(request, kind, category=category, period=period)
    return render(
        request, "forum/topic_list.html", _with_rows(request, context, context["show_category"])
    )


@require_GET
def tags(request: HttpRequest) -> HttpResponse:
    return render(request, "forum/tags.html", pages.tags_page(request))


@require_GET
def tag(request: HttpRequest, slug: str) -> HttpResponse:
    the_tag = get_object_or_404(TopicTag, slug=slug)
    context = pages.tag_page(request, the_tag)
    return render(request, "forum/tag.html", _with_rows(request, context, True))


@require_GET
@page_cache.for_visitors(topic_kwarg="pk")
def topic(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    topic = pages.topic_for_reading(request, pk)
    if topic is None:
        return sign_in_or_404(request, Topic.objects.visible_to_members().filter(pk=pk))
    raw_page = request.GET.get("page")
    number = pages.page_number(raw_page, topic.num_pages)
    if slug != topic.slug or raw_page not in (None, str(number)):
        return redirect(topic.page_url(number), permanent=slug != topic.slug)
    context = pages.topic_page(request, topic, number)
    if request.user.is_authenticated and context["last_number"]:
        actions.record_read(
            topic=topic,
            member=request.user,
            last_read=topic.my_last_read,
            up_to=context["last_number"],
        )
    return render(request, "forum/topic.html", context)


@require_GET
def post_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    post = reachable_post(request, pk)
    return redirect(post.topic.post_url(post.number))


@require_GET
def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    revisions = post.revisions.select_related("editor")
    return render(
        request,
        "forum/post_history.html",
        {"post": post, "topic": post.topic, "revisions": revisions},
    )


@require_GET
@login_required
def quote(request: HttpRequest, pk: int) -> HttpResponse:
    post = visible_post(request, pk)
    return HttpResponse(post.as_quote(), content_type="text/plain; charset=utf-8")
