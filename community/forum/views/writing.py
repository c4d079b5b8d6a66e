"""While a member writes: the live preview (the same pipeline as posting, so the preview
is what will be posted) and the draft saved as they type. Both answer the page's script;
a refusal is a 400 with the sentence to show, never a 500."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_POST

from hearth.http import AuthenticatedHttpRequest
from hearth.rules import RuleError

from .. import actions


def _text(request: AuthenticatedHttpRequest, name: str) -> str:
    value = request.POST.get(name, "")
    return value if isinstance(value, str) else ""


@require_POST
@login_required
def preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The post ``body`` as it would be posted by this member, as HTML."""
    body = _text(request, "body")
    try:
        rendered = actions.render_checked(actions.checked_body(body), author=request.user)
    except RuleError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"html": rendered.html})


@require_POST
@login_required
def save_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Keep the draft ``key`` ("topic" or "reply:<topic id>"); empty: forget it."""
    try:
        draft = actions.save_draft(
            member=request.user,
            key=_text(request, "key")[:40],
            title=_text(request, "title"),
            body=_text(request, "body"),
        )
    except RuleError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse({"saved": draft is not None})
