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


def make_email_round(member, *, answered: int | None = None, days_ago: float = 0):
    """A survey email sent to ``member`` (its prompt and round), answered if asked to."""
    from survey.models import SurveyEmail

    when = timezone.now() - timedelta(days=days_ago)
    prompt = Prompt.objects.create(
        member=member, kind=Prompt.Kind.SURVEY, outcome=Prompt.Outcome.SENT, created_at=when
    )
    survey_email = SurveyEmail.objects.create(member=member, prompt=prompt, sent_at=when)
    if answered is not None:
        survey_email.answer = SurveyAnswer.objects.create(
            member=member, score=answered, asked_via=SurveyAnswer.AskedVia.EMAIL, created_at=when
        )
        survey_email.save(update_fields=["answer"])
        prompt.outcome = Prompt.Outcome.ANSWERED
        prompt.save(update_fields=["outcome"])
    return survey_email


def answer_path(survey_email, score: int) -> str:
    from django.urls import reverse

    from survey.by_email import answer_token

    return reverse("survey:email-answer", kwargs={"token": answer_token(survey_email, score)})


def unsubscribe_path(member) -> str:
    from django.urls import reverse

    from survey.by_email import unsubscribe_token

    return reverse("survey:unsubscribe", kwargs={"token": unsubscribe_token(member)})
