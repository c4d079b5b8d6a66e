from __future__ import annotations

from typing import Any

from django import template

from survey.actions import may_ask

register = template.Library()


@register.inclusion_tag("survey/_card.html", takes_context=True)
def survey_card(context: template.Context) -> dict[str, Any]:
    """The recommend card for members it may be put to: one query; none for visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    show = bool(user is not None and user.is_authenticated and may_ask(user))
    return {
        "show": show,
        "scale": range(11),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "/",
    }
