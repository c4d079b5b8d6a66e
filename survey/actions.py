"""The recommend survey's rules: who is asked and when, answering, and the follow-up of
detractors' answers. Every door (the card, the inbox, later the email links) calls these.

The numbers are editors' (the "Recommend survey settings" in the admin,
:class:`~survey.models.SurveySettings`); each one left empty falls back to its setting,
with safe defaults (``SURVEY_MIN_MEMBER_DAYS`` 30, ``SURVEY_EVERY_DAYS`` 90,
``SURVEY_CONTACT_GAP_DAYS`` 14, ``SURVEY_ASK_STAFF`` False,
``SURVEY_NO_REFERRAL_PROMPT_DAYS`` 90).

Every answer, from the card or an email link, sends ``community.signals.warm_action``
after the commit (the referral hub decides what it is worth).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from community.actions import notify
from community.live import send_signal_after_commit
from community.models import EDITORS_GROUP, MODERATORS_GROUP, User
from community.review import StaleItem, announce
from community.signals import warm_action
from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.rules import RuleError
from hearth.text import clean_text

from .models import DETRACTOR, Prompt, SurveyAnswer, SurveySettings, group_of

REASON_MAX = 2000
REPLY_MAX = 500  # the inbox's text box
REASON_WINDOW = timedelta(days=7)  # a reason can be added to an answer this long after


class SurveyError(RuleError):
    code = "survey"


@dataclass(frozen=True)
class Rules:
    min_member_days: int
    every_days: int
    contact_gap_days: int
    no_referral_prompt_days: int
    ask_staff: bool = False


def _days(name: str, default: int, saved: object = None) -> int:
    if isinstance(saved, int) and not isinstance(saved, bool) and saved >= 0:
        return saved
    value = getattr(settings, name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return default
    return value


def rules() -> Rules:
    """The numbers in force: the editors' settings, else ``SURVEY_*`` (a cached read)."""
    saved = SurveySettings.values()
    ask_staff = saved.get("ask_staff")
    if ask_staff is None:
        ask_staff = getattr(settings, "SURVEY_ASK_STAFF", False) is True
    return Rules(
        min_member_days=_days("SURVEY_MIN_MEMBER_DAYS", 30, saved.get("min_member_days")),
        every_days=_days("SURVEY_EVERY_DAYS", 90, saved.get("every_days")),
        contact_gap_days=_days("SURVEY_CONTACT_GAP_DAYS", 14, saved.get("contact_gap_days")),
        no_referral_prompt_days=_days("SURVEY_NO_REFERRAL_PROMPT_DAYS", 90),
        ask_staff=bool(ask_staff),
    )


STAFF_GROUPS = (MODERATORS_GROUP, EDITORS_GROUP)


def in_staff_group() -> Exists:
    return Exists(
        User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=STAFF_GROUPS)
    )


def _last_prompt(**filters: object) -> Subquery:
    recent = Prompt.objects.filter(member=OuterRef("pk"), **filters).order_by("-created_at")
    return Subquery(recent.values("created_at")[:1])


def why_not_ask(member: User, *, now: datetime | None = None) -> str | None:
    """Why the survey may not be put to ``member`` now (a sentence), or None if it may.

    The one rule for the card and the email. At most one query (the member's age and
    standing are on the row already; staff and the last prompts are one row of
    subqueries), plus the settings' cached read.
    """
    now = now or timezone.now()
    numbers = rules()
    if not member.is_authenticated or not member.is_active:
        return _("Sign in to answer the survey.")
    if member.is_suspended:
        return _("The survey is not open to suspended accounts.")
    if member.date_joined > now - timedelta(days=numbers.min_member_days):
        return _("We ask members who have been here a while; we will ask you later.")
    last = (
        User.objects.filter(pk=member.pk)
        .annotate(
            survey=_last_prompt(kind=Prompt.Kind.SURVEY),
            any=_last_prompt(),
            staff=in_staff_group(),
        )
        .values("survey", "any", "staff")
        .first()
    ) or {"survey": None, "any": None, "staff": False}
    if not numbers.ask_staff and (member.is_superuser or last["staff"]):
        return _("The survey asks members; staff read the answers on the dashboard.")
    if last["survey"] and last["survey"] > now - timedelta(days=numbers.every_days):
        return _("You have answered or set aside the survey recently; thank you.")
    if last["any"] and last["any"] > now - timedelta(days=numbers.contact_gap_days):
        return _("We asked you something else recently; the survey can wait.")
    return None


def may_ask(member: User) -> bool:
    return why_not_ask(member) is None


def may_ask_for_referrals(member: User) -> bool:
    """False for a while after a detractor's answer: help them first, do not ask them to
    invite friends. Other code (invite prompts, challenges) asks this."""
    since = timezone.now() - timedelta(days=rules().no_referral_prompt_days)
    return not SurveyAnswer.objects.filter(
        member=member, score__lte=6, created_at__gt=since
    ).exists()


def lock_member(member: User) -> None:
    # Two tabs answering at once: the second waits, then finds the first's prompt.
    User.objects.select_for_update().filter(pk=member.pk).first()


@transaction.atomic
def answer_survey(
    *, member: User, score: int, asked_via: str = SurveyAnswer.AskedVia.SITE
) -> SurveyAnswer:
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise SurveyError(_("Choose a score from 0 to 10."), code="score")
    lock_member(member)
    if (reason := why_not_ask(member)) is not None:
        raise SurveyError(reason, code="not_asked")
    answer = SurveyAnswer.objects.create(member=member, score=score, asked_via=asked_via)
    Prompt.objects.create(member=member, kind=Prompt.Kind.SURVEY, outcome=Prompt.Outcome.ANSWERED)
    answered(answer)
    return answer


def answered(answer: SurveyAnswer) -> None:
    """What follows every new answer, whichever door it came through: a detractor's waits
    in the review inbox, and the referral hub hears of it (after the commit)."""
    member = answer.member
    if group_of(answer.score) == DETRACTOR:
        announce(
            kind="survey",
            key=str(answer.pk),
            text=f"{member.name} answered the recommend survey with {answer.score}/10: "
            "it needs a follow-up.",
        )
    send_signal_after_commit(
        warm_action,
        sender=SurveyAnswer,
        member=member,
        action="survey",
        key=f"survey:answer:{answer.pk}",
        reason="you answered the recommend survey",
        actor=None,
    )


@transaction.atomic
def dismiss_survey(*, member: User) -> Prompt:
    """Setting the card aside ("Not now") counts as the survey's prompt for the interval."""
    lock_member(member)
    if (reason := why_not_ask(member)) is not None:
        raise SurveyError(reason, code="not_asked")
    return Prompt.objects.create(
        member=member, kind=Prompt.Kind.SURVEY, outcome=Prompt.Outcome.DISMISSED
    )


def latest_answer(member: User) -> SurveyAnswer | None:
    """The member's last answer, while it is recent enough to add a reason to."""
    since = timezone.now() - REASON_WINDOW
    return SurveyAnswer.objects.filter(member=member, created_at__gt=since).first()


@transaction.atomic
def add_reason(*, member: User, reason: str) -> SurveyAnswer:
    reason = clean_text(reason)
    if not reason:
        raise SurveyError(_("Write a few words, or leave the page: your score is saved."))
    if len(reason) > REASON_MAX:
        raise SurveyError(
            ngettext(
                "Keep it under %(max)d character.", "Keep it under %(max)d characters.", REASON_MAX
            )
            % {"max": REASON_MAX},
            code="too_long",
        )
    answer = latest_answer(member)
    if answer is None:
        raise SurveyError(_("There is no recent answer to add a reason to."), code="no_answer")
    answer = SurveyAnswer.objects.select_for_update().get(pk=answer.pk)
    if answer.is_closed:
        raise SurveyError(
            _("The team has already followed up on this answer; reply to their email instead."),
            code="closed",
        )
    answer.reason = reason
    answer.save(update_fields=["reason"])
    return answer


# --- the follow-up (moderators, through the review inbox) ---------------------------------


def _open_for_follow_up(answer_id: int, moderator: User) -> SurveyAnswer:
    if not moderator.is_moderator:
        raise PermissionDenied(_("Only moderators follow up on survey answers."))
    answer = (
        SurveyAnswer.objects.select_for_update()
        .select_related("member")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None or answer.group != DETRACTOR:
        raise StaleItem(_("This survey answer no longer exists."))
    if answer.is_closed:
        raise StaleItem(_("This survey answer was already closed."))
    return answer


@transaction.atomic
def reply_to_answer(*, answer_id: int, moderator: User, text: str) -> SurveyAnswer:
    """Email the member the team's reply and ring their bell; the item stays open until a
    moderator closes it with a note."""
    text = clean_text(text)
    if not text:
        raise SurveyError(_("Write the reply the member will read."), code="reason")
    if len(text) > REPLY_MAX:
        raise SurveyError(
            ngettext(
                "Keep the reply under %(max)d character.",
                "Keep the reply under %(max)d characters.",
                REPLY_MAX,
            )
            % {"max": REPLY_MAX},
            code="too_long",
        )
    answer = _open_for_follow_up(answer_id, moderator)
    answer.reply = text
    answer.replied_at = timezone.now()
    answer.replied_by = moderator
    answer.save(update_fields=["reply", "replied_at", "replied_by"])
    member = answer.member
    url = reverse("survey:thanks")
    with for_member(member):  # the member's language, not the moderator's
        notify(
            recipient=member,
            kind="survey_reply",
            text=_("The team replied to your survey answer: “%(reply)s”") % {"reply": text},
            url=url,
            actor=moderator,
        )
        if member.email:
            context = {
                "member": member,
                "answer": answer,
                "reply": text,
                "url": f"{settings.BASE_URL}{url}",
                "site_name": settings.SITE_NAME,
            }
            queue_email(
                subject=_("A reply to your answer to the %(site_name)s survey")
                % {"site_name": settings.SITE_NAME},
                body=render_to_string("survey/email/reply.txt", context),
                html=render_to_string("survey/email/reply.html", context),
                to=[member.email],
            )
    log(instance=answer, action="hearth.survey.reply", user=moderator, data={"reply": text})
    return answer


@transaction.atomic
def close_answer(*, answer_id: int, moderator: User, note: str) -> SurveyAnswer:
    note = clean_text(note)
    if not note:
        raise SurveyError(_("Note what was done before closing."), code="reason")
    answer = _open_for_follow_up(answer_id, moderator)
    answer.closed_at = timezone.now()
    answer.closed_by = moderator
    answer.close_note = note[:REPLY_MAX]
    answer.save(update_fields=["closed_at", "closed_by", "close_note"])
    log(instance=answer, action="hearth.survey.close", user=moderator, data={"note": note})
    return answer
