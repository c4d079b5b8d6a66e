"""Top recommenders of the month, the hall of fame, and editors' thank-you notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from community.actions import notify
from community.models import User
from hearth.i18n import for_member
from hearth.mail import queue_email
from referrals.actions import (
    THANK_YOU_PERMISSION,
    ReferralError,
    day_month,
    editors,
    my_referrals_url,
)
from referrals.models import Award, AwardRun, ReferralScore, ThankYouTask
from referrals.periods import Month


@dataclass
class AwardOutcome:
    run: AwardRun
    created: bool
    awards: list[Award]


def top_scores(period: str, *, ranks: int = 3):
    """The period's scores of members in good standing whose dense rank is within ``ranks``."""
    scores = ReferralScore.objects.filter(
        period=period,
        converted__gt=0,
        member_id__in=User.objects.in_good_standing().values("pk"),
    )
    values = list(
        scores.order_by("-converted").values_list("converted", flat=True).distinct()[:ranks]
    )
    if not values:
        return [], []
    winners = scores.filter(converted__gte=values[-1]).select_related("member")
    return values, list(winners.order_by("-converted", "member__username"))


@transaction.atomic
def award_top_recommenders(*, period: Month, now: datetime | None = None) -> AwardOutcome:
    """Pick the month's top 3 (ties share a rank) once: the run that claims the period
    writes its award set, any other run (again, or at the same time) changes nothing."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            run = AwardRun.objects.create(period=period.key, created_at=now)
    except IntegrityError:
        run = AwardRun.objects.get(period=period.key)
        return AwardOutcome(
            run=run, created=False, awards=list(run.awards.select_related("member"))
        )
    values, winners = top_scores(period.key)
    awards = Award.objects.bulk_create(
        [
            Award(
                run=run,
                period=period.key,
                rank=values.index(score.converted) + 1,
                member=score.member,
                converted=score.converted,
                created_at=now,
            )
            for score in winners
        ]
    )
    run.winners = len(awards)
    run.save(update_fields=["winners"])
    for award in awards:
        ThankYouTask.objects.get_or_create(
            member=award.member,
            kind=ThankYouTask.Kind.AWARD,
            period=period.key,
            defaults={"award": award, "created_at": now},
        )
        with for_member(award.member):
            text = ngettext(
                "You are one of the top recommenders of %(month)s (#%(rank)d, %(n)d friend). "
                "Thank you! You are in the hall of fame.",
                "You are one of the top recommenders of %(month)s (#%(rank)d, %(n)d friends). "
                "Thank you! You are in the hall of fame.",
                award.converted,
            ) % {"month": period.label, "rank": award.rank, "n": award.converted}
        notify(
            recipient=award.member,
            kind="referral_award",
            text=text,
            url=reverse("referrals:hall-of-fame"),
        )
    log(
        instance=run,
        action="hearth.referrals.award",
        data={"period": period.key, "winners": [a.member_id for a in awards]},
    )
    if awards:
        tasks_url = reverse("referrals_admin:thank_you_list")
        for editor in editors():
            with for_member(editor):
                text = ngettext(
                    "The top recommenders of %(month)s are chosen: %(n)d thank-you notes to write.",
                    "The top recommenders of %(month)s are chosen: %(n)d thank-you notes to write.",
                    len(awards),
                ) % {"month": period.label, "n": len(awards)}
            notify(
                recipient=editor,
                kind="referral_award_staff",
                text=text,
                url=tasks_url,
            )
    return AwardOutcome(run=run, created=True, awards=awards)


@transaction.atomic
def send_thank_you(*, task: ThankYouTask, editor: User, message: str) -> ThankYouTask:
    if not editor.has_perm(THANK_YOU_PERMISSION):
        raise PermissionDenied("Only editors can write thank-you notes.")
    message = (message or "").strip()
    if not message:
        raise ReferralError(
            _("Write your message first; it is emailed to the member as it is."), code="invalid"
        )
    task = ThankYouTask.objects.select_for_update().select_related("member").get(pk=task.pk)
    if task.is_sent:
        assert task.sent_at is not None  # is_sent says so
        raise ReferralError(
            _("This thank-you was already sent on %(date)s.")
            % {"date": f"{day_month(task.sent_at)} {task.sent_at.year}"},
            code="already_sent",
        )
    task.message = message[:5000]
    task.sent_at = timezone.now()
    task.sent_by = editor
    task.save(update_fields=["message", "sent_at", "sent_by"])
    log(
        instance=task,
        action="hearth.referrals.thank_you",
        user=editor,
        data={"member": task.member_id, "period": task.period, "kind": task.kind},
    )
    member = task.member
    with for_member(member):
        text = _("%(name)s wrote you a personal thank-you; it is in your email.") % {
            "name": editor.name
        }
    notify(
        recipient=member,
        kind="referral_thank_you",
        text=text,
        url=my_referrals_url(),
        actor=editor,
    )
    if member.email:
        with for_member(member):
            subject = _("Thank you from %(site_name)s") % {"site_name": settings.SITE_NAME}
            body = render_to_string(
                "referrals/email/thank_you.txt",
                {"task": task, "editor": editor, "member": member, "SITE_NAME": settings.SITE_NAME},
            )
        queue_email(subject=subject, body=body, to=[member.email])
    return task
