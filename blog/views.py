"""The guide editor on the site (members never use the Wagtail admin) and helpful votes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from blog import actions
from blog.actions import GuideDraft, GuideError
from blog.forms import GuideForm
from blog.markup import blocks_to_source
from blog.models import GuidePage, GuideVote
from blog.review import guide_status, guide_statuses
from hearth.http import AuthenticatedHttpRequest, HtmxHttpRequest
from hearth.rules import add_to_form, flash

MY_GUIDES_PAGE_SIZE = 30


def _get_own_guide(request: AuthenticatedHttpRequest, pk: int) -> GuidePage:
    """The signed-in member's guide, in any state; anyone else's is a 404 (not a 403),
    so drafts do not even reveal that they exist."""
    guide = get_object_or_404(GuidePage, pk=pk)
    if guide.author_id != request.user.pk:
        raise Http404("No such guide.")
    return guide


def _refuse_if_cannot_write(request: AuthenticatedHttpRequest) -> HttpResponse | None:
    if reason := actions.writing_refusal(request.user):
        return render(request, "blog/cannot_write.html", {"reason": reason}, status=403)
    return None


def _draft(form: GuideForm) -> GuideDraft:
    data = form.cleaned_data
    return GuideDraft(
        title=data["title"],
        summary=data["summary"],
        difficulty=data["difficulty"],
        body=data["body"],
        tags=data["tags"],
        co_authors=data["co_authors"],
        language=data.get("language") or "",
    )


def _save_from_form(
    request: AuthenticatedHttpRequest, form: GuideForm, guide: GuidePage | None
) -> HttpResponse | None:
    """Save (and maybe submit); returns the redirect, or None to show the form again."""
    data = form.cleaned_data
    try:
        guide = actions.save_guide(
            author=request.user,
            draft=_draft(form),
            guide=guide,
            image=data.get("image"),
            image_alt=data.get("image_alt", ""),
            image_caption=data.get("image_caption", ""),
        )
    except GuideError as error:
        add_to_form(form, error)
        return None
    if request.POST.get("action") != "submit":
        messages.success(
            request, _("Draft saved. Only you can see it until the editors publish it.")
        )
        return redirect("blog:guide-edit", pk=guide.pk)
    try:
        actions.submit_guide(guide=guide, author=request.user)
    except GuideError as error:
        # The draft is safe: say so before the refusal.
        messages.error(
            request,
            _("Your draft is saved, but it was not sent: %(reason)s") % {"reason": error.message},
        )
        return redirect("blog:guide-edit", pk=guide.pk)
    messages.success(
        request,
        _("“%(title)s” is with the editors. We’ll email you.") % {"title": guide.draft_title},
    )
    return redirect("blog:my-guides")


@login_required
@require_http_methods(["GET", "POST"])
def new_guide(request: AuthenticatedHttpRequest) -> HttpResponse:
    if refusal := _refuse_if_cannot_write(request):
        return refusal
    form = GuideForm(request.POST or None, request.FILES or None, author=request.user)
    if request.method == "POST" and form.is_valid():
        response = _save_from_form(request, form, None)
        if response is not None:
            return response
    return render(request, "blog/guide_form.html", {"form": form, "guide": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit_guide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guide = _get_own_guide(request, pk)
    if refusal := _refuse_if_cannot_write(request):
        return refusal
    status = guide_status(guide)
    if not status.can_edit:
        messages.info(request, _("This guide is with the editors. Withdraw it to make changes."))
        return redirect("blog:my-guides")
    form = _edit_form(request, guide)
    if request.method == "POST" and form.is_valid():
        response = _save_from_form(request, form, guide)
        if response is not None:
            return response
    return render(request, "blog/guide_form.html", {"form": form, "guide": guide, "status": status})


def _edit_form(request: AuthenticatedHttpRequest, guide: GuidePage) -> GuideForm:
    """The form filled from the guide's latest revision; images already in the guide may
    stay in it."""
    latest = guide.get_latest_revision_as_object()
    raw_body = list(latest.body.raw_data)
    image_ids = {
        block["value"]["image"]
        for block in raw_body
        if block.get("type") == "image" and block.get("value", {}).get("image")
    }
    initial = {
        "title": latest.draft_title or latest.title,
        "summary": latest.summary,
        "difficulty": latest.difficulty,
        "language": latest.language,
        "tags": ", ".join(tag.name for tag in latest.tags.all()),
        "co_authors": ", ".join(member.username for member in latest.co_authors.all()),
        "body": blocks_to_source(raw_body),
    }
    return GuideForm(
        request.POST or None,
        request.FILES or None,
        author=request.user,
        allowed_image_ids=image_ids,
        initial=initial,
    )


@login_required
@require_GET
def preview_guide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guide = get_object_or_404(GuidePage, pk=pk)
    if guide.author_id != request.user.pk and not request.user.is_editor:
        raise Http404("No such guide.")
    page = guide.get_latest_revision_as_object()
    context = page.get_context(request)
    context.update({"is_preview": True, "status": guide_status(guide), "guide_pk": guide.pk})
    return TemplateResponse(request, page.get_template(request), context)


@login_required
@require_GET
def my_guides(request: AuthenticatedHttpRequest) -> HttpResponse:
    guides = GuidePage.objects.filter(author=request.user).order_by(
        "-latest_revision_created_at", "-pk"
    )
    page = Paginator(guides, MY_GUIDES_PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = guide_statuses(page.object_list)
    rows = [(guide, statuses[guide.pk]) for guide in page.object_list]
    return render(request, "blog/my_guides.html", {"page": page, "rows": rows})


@login_required
@require_POST
def submit_guide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guide = _get_own_guide(request, pk)
    try:
        actions.submit_guide(guide=guide, author=request.user)
    except GuideError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” is with the editors. We’ll email you.") % {"title": guide.draft_title},
        )
    return redirect("blog:my-guides")


@login_required
@require_POST
def withdraw_guide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    guide = _get_own_guide(request, pk)
    try:
        actions.withdraw_guide(guide=guide, author=request.user)
    except GuideError as error:
        flash(request, error)
    else:
        messages.success(
            request, _("“%(title)s” is back with you as a draft.") % {"title": guide.draft_title}
        )
    return redirect("blog:my-guides")


@require_POST
def helpful(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    guide = get_object_or_404(GuidePage.objects.live().public(), pk=pk)
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponse(status=403)
        return redirect_to_login(guide.url)
    refusal: GuideError | None = None
    try:
        actions.toggle_helpful(guide=guide, member=request.user)
    except GuideError as error:
        refusal = error
    if request.htmx:
        context = {
            "page": guide,
            "helpful_count": GuideVote.objects.filter(guide=guide).count(),
            "voted": GuideVote.objects.filter(guide=guide, member=request.user).exists(),
            "can_vote": not guide.is_credited(request.user),
            "helpful_error": refusal.message if refusal else "",
        }
        return render(request, "blog/_helpful.html", context)
    if refusal is not None:
        flash(request, refusal)
    return redirect(guide.url)
