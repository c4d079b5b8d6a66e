from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hearth.http import AuthenticatedHttpRequest
from recognition.models import Challenge


@login_required
@require_safe
def challenges(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's active challenges with their progress: one query."""
    shown = list(Challenge.objects.for_member(request.user))
    return render(request, "recognition/challenges.html", {"challenges": shown})
