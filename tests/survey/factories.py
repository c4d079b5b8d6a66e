from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from survey.models import Prompt, SurveyAnswer


def make_answer(member, score: int, *, days_ago: float = 0, reason: str = "") -> SurveyAnswer:
    when = timezone.now() - timedelta(days=days_ago)
    Prompt.objects.create(
        member=member, kind=Prompt.Kind.SURVEY, outcome=Prompt.Outcome.ANSWERED, created_at=when
    )
    return SurveyAnswer.objects.create(member=member, score=score, reason=reason, created_at=when)
