"""The survey by email: who gets it, the signed one-click links, answering through them,
and stopping the emails.

Each email is a :class:`~survey.models.SurveyEmail` (the *round*), sent only to members
the card's own rule (:func:`survey.actions.why_not_ask`) would ask, with a confirmed
address and survey emails left on; its prompt is recorded in the same transaction, so
the card and the email share the contact budget and nobody is asked twice.

A score link is signed (``django.core.signing``, its own salt) over the member id, the
round id and the score, and is good for :data:`LINK_MAX_AGE`. It works without signing
in. **A round takes one answer**: the first click records it, and any later click (the
same score or another) changes nothing and shows the answer already recorded, so link
scanners, double clicks and second thoughts never make a second answer or move the
score after the team may have read it. The reason form on that page posts the same
token, so it can only ever add the reason to that member's answer of that round.

The unsubscribe link (its own salt, no expiry) names the member only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import User
from hearth.i18n import for_member
from hearth.mail import queue_email
from hearth.signed_links import member_token, read_member_token
from hearth.text import clean_text

from . import actions
from .actions import SurveyError
from .models import Prompt, SurveyAnswer, SurveyEmail, SurveyPreference

logger = logging.getLogger(__name__)

ANSWER_SALT = "survey.email.answer"
UNSUBSCRIBE_SALT = "survey.email.unsubscribe"
LINK_MAX_AGE = timedelta(days=30)
SCALE = range(11)


class LinkInvalid(Exception):
    """The link was changed, cut short or made for something else (400)."""


class LinkExpired(Exception):
    """The link was good but is older than LINK_MAX_AGE (410)."""


class _AlreadyAnswered(Exception):
    pass


# --- the signed links ---------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerToken:
    member_id: int
    round_id: int
    score: int


def answer_token(survey_email: SurveyEmail, score: int) -> str:
    payload = {"m": survey_email.member_id, "r": survey_email.pk, "s": score}
    return signing.dumps(payload, salt=ANSWER_SALT)


def read_answer_token(token: str) -> AnswerToken:
    try:
        payload = signing.loads(token, salt=ANSWER_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise LinkInvalid from None
    if not isinstance(payload, dict):
        raise LinkInvalid
    numbers = [payload.get(k) for k in ("m", "r", "s")]
    ints = [n for n in numbers if isinstance(n, int) and not isinstance(n, bool)]
    if len(ints) != 3 or ints[2] not in SCALE:
        raise LinkInvalid
    return AnswerToken(member_id=ints[0], round_id=ints[1], score=ints[2])


def unsubscribe_token(member: User) -> str:
    return member_token(member.pk, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int:
    member_id = read_member_token(token, salt=UNSUBSCRIBE_SALT)
    if member_id is None:
        raise LinkInvalid
    return member_id


def answer_url(survey_email: SurveyEmail, score: int) -> str:
    path = reverse("survey:email-answer", kwargs={"token": answer_token(survey_email, score)})
    return f"{settings.BASE_URL}{path}"


def unsubscribe_url(member: User) -> str:
    path = reverse("survey:unsubscribe", kwargs={"token": unsubscribe_token(member)})
    return f"{settings.BASE_URL}{path}"


# --- who gets the email -------------------------------------------------------------------


def emails_off(member: User) -> bool:
    return SurveyPreference.objects.filter(member=member, emails_off_since__isnull=False).exists()


def _confirmed_address() -> Exists:
    return Exists(
        EmailAddress.objects.filter(user=OuterRef("pk"), email__iexact=OuterRef("email")).filter(
            verified=True
        )
    )


def candidates(*, now: datetime | None = None) -> QuerySet[User]:
    """Members the email may go to, in one query: a shortlist for the command, which asks
    :func:`survey.actions.why_not_ask` again for each (that function is the rule)."""
    now = now or timezone.now()
    numbers = actions.rules()
    recent_survey = Prompt.objects.filter(
        member=OuterRef("pk"),
        kind=Prompt.Kind.SURVEY,
        created_at__gt=now - timedelta(days=numbers.every_days),
    )
    recent_any = Prompt.objects.filter(
        member=OuterRef("pk"), created_at__gt=now - timedelta(days=numbers.contact_gap_days)
    )
    opted_out = SurveyPreference.objects.filter(
        member=OuterRef("pk"), emails_off_since__isnull=False
    )
    members = (
        User.objects.filter(
            is_active=True, date_joined__lte=now - timedelta(days=numbers.min_member_days)
        )
        .exclude(email="")
        .filter(Q(suspended_until__isnull=True) | Q(suspended_until__lte=now))
        .filter(_confirmed_address())
        .exclude(Exists(recent_survey))
        .exclude(Exists(recent_any))
        .exclude(Exists(opted_out))
    )
    if not numbers.ask_staff:
        members = members.exclude(is_superuser=True).exclude(actions.in_staff_group())
    return members.order_by("pk")


@transaction.atomic
def send_survey_email(*, member: User, now: datetime | None = None) -> SurveyEmail:
    """Ask ``member`` by email: the prompt, the round and the queued email, together."""
    now = now or timezone.now()
    actions.lock_member(member)
    if (reason := actions.why_not_ask(member, now=now)) is not None:
        raise SurveyError(reason, code="not_asked")
    if not member.email:
        raise SurveyError(_("The member has no email address."), code="no_email")
    if emails_off(member):
        raise SurveyError(_("The member turned survey emails off."), code="emails_off")
    prompt = Prompt.objects.create(
        member=member, kind=Prompt.Kind.SURVEY, outcome=Prompt.Outcome.SENT, created_at=now
    )
    survey_email = SurveyEmail.objects.create(member=member, prompt=prompt, sent_at=now)
    unsubscribe = unsubscribe_url(member)
    context = {
        "member": member,
        "site_name": settings.SITE_NAME,
        "scale": [(n, answer_url(survey_email, n)) for n in SCALE],
        "unsubscribe_url": unsubscribe,
        "days": LINK_MAX_AGE.days,
    }
    with for_member(member):  # the member's language, not the sender's
        subject = _("How likely are you to recommend %(site_name)s to a friend?") % {
            "site_name": settings.SITE_NAME
        }
        body = render_to_string("survey/email/ask.txt", context)
        html = render_to_string("survey/email/ask.html", context)
    queue_email(
        subject=subject,
        body=body,
        html=html,
        to=[member.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    return survey_email


@dataclass
class Sent:
    sent: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def send_survey_emails(*, now: datetime | None = None, limit: int = 500) -> Sent:
    """Email the survey to up to ``limit`` members it may go to (idempotent)."""
    now = now or timezone.now()
    outcome = Sent()
    for member in candidates(now=now)[:limit]:
        try:
            send_survey_email(member=member, now=now)
        except SurveyError:
            outcome.skipped += 1  # asked meanwhile (the card, a second run): nothing to do
        except Exception:
            logger.exception("Could not email the survey to member %s", member.pk)
            outcome.failed.append(member.username)
        else:
            outcome.sent += 1
    return outcome


# --- answering through a link -------------------------------------------------------------


@dataclass(frozen=True)
class EmailAnswer:
    answer: SurveyAnswer
    created: bool  # False: the round was answered already, nothing changed


def _round_for(token: AnswerToken) -> SurveyEmail:
    survey_email = (
        SurveyEmail.objects.select_for_update(of=("self",))
        .select_related("member", "prompt")
        .filter(pk=token.round_id, member_id=token.member_id)
        .first()
    )
    if survey_email is None:
        raise LinkInvalid
    return survey_email


@transaction.atomic
def answer_by_email(*, token: AnswerToken) -> EmailAnswer:
    """Record the score of a link (once per round; see the module docstring)."""
    survey_email = _round_for(token)
    member = survey_email.member
    if survey_email.answer is not None:
        return EmailAnswer(survey_email.answer, created=False)
    if not member.is_active or member.is_suspended:
        raise SurveyError(_("The survey is not open to this account."), code="not_asked")
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                member=member, score=token.score, asked_via=SurveyAnswer.AskedVia.EMAIL
            )
            # The database decides who answered the round first: only an empty one is set.
            claimed = SurveyEmail.objects.filter(pk=survey_email.pk, answer__isnull=True).update(
                answer=answer
            )
            if not claimed:
                raise _AlreadyAnswered
    except _AlreadyAnswered:
        survey_email.refresh_from_db()
        return EmailAnswer(survey_email.answer, created=False)  # type: ignore[arg-type]
    prompt = survey_email.prompt
    prompt.outcome = Prompt.Outcome.ANSWERED
    prompt.save(update_fields=["outcome"])
    actions.answered(answer)
    return EmailAnswer(answer, created=True)


@transaction.atomic
def add_reason_by_email(*, token: AnswerToken, reason: str) -> SurveyAnswer:
    """The reason for the answer of the token's round, and only that one."""
    reason = clean_text(reason)
    if not reason:
        raise SurveyError(_("Write a few words, or leave the page: your score is saved."))
    if len(reason) > actions.REASON_MAX:
        raise SurveyError(
            ngettext(
                "Keep it under %(max)d character.",
                "Keep it under %(max)d characters.",
                actions.REASON_MAX,
            )
            % {"max": actions.REASON_MAX},
            code="too_long",
        )
    survey_email = _round_for(token)
    if survey_email.answer_id is None:
        raise SurveyError(_("Choose a score in the email first."), code="no_answer")
    answer = SurveyAnswer.objects.select_for_update().get(pk=survey_email.answer_id)
    if answer.member_id != token.member_id:
        raise LinkInvalid
    if answer.is_closed:
        raise SurveyError(
            _("The team has already followed up on this answer; reply to their email instead."),
            code="closed",
        )
    answer.reason = reason
    answer.save(update_fields=["reason"])
    return answer


def turn_emails_off(*, member_id: int) -> User:
    """Record the opt-out (idempotent; a second time keeps the first moment)."""
    member = User.objects.filter(pk=member_id).first()
    if member is None:
        raise LinkInvalid
    preference, _ = SurveyPreference.objects.get_or_create(member=member)
    if preference.emails_off_since is None:
        SurveyPreference.objects.filter(pk=preference.pk, emails_off_since__isnull=True).update(
            emails_off_since=timezone.now()
        )
    return member
