"""Detractors' survey answers as a source of the review inbox (community.review).

Each answer from 0 to 6 waits until a moderator closes it with a note of what was done;
before that they may reply (emailed to the member and rung in their bell). Both verbs
lock the answer and refuse a closed one with StaleItem.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import User
from community.review import Decision, ReviewItem, ReviewSource, StaleItem, register
from hearth.params import ParamError, parse_int
from hearth.rules import RuleError

from . import actions
from .models import SurveyAnswer

REPLY = "reply"
CLOSE = "close"


class DetractorAnswers(ReviewSource):
    kind = "survey"
    label = gettext_lazy("Unhappy survey answers")
    decisions = (
        Decision(
            REPLY,
            gettext_lazy("Reply to the member by email"),
            needs_reason=True,
            bulk=False,
            reason_label=gettext_lazy("Your reply (emailed to the member and shown in their bell)"),
        ),
        Decision(
            CLOSE,
            gettext_lazy("Close: note what was done"),
            needs_reason=True,
            bulk=False,
            reason_label=gettext_lazy("What was done (for the team; the member does not see it)"),
        ),
    )

    def pending(self) -> Iterable[ReviewItem]:
        answers = SurveyAnswer.objects.awaiting_follow_up().select_related("member", "replied_by")
        for answer in answers:
            member = answer.member
            details = {
                _("Score"): _("%(score)d out of 10") % {"score": answer.score},
                _("Member since"): date_format(
                    timezone.localtime(member.date_joined), "DATE_FORMAT"
                ),
            }
            if answer.replied_at:
                by = answer.replied_by.name if answer.replied_by else _("a former moderator")
                details[_("Replied")] = _("by %(name)s: “%(reply)s”") % {
                    "name": by,
                    "reply": answer.reply,
                }
            yield ReviewItem(
                kind=self.kind,
                key=str(answer.pk),
                title=_("%(name)s would recommend us %(score)d/10")
                % {"name": member.name, "score": answer.score},
                summary=answer.reason or _("No reason given (yet)."),
                created_at=answer.created_at,
                url=member.get_absolute_url(),
                member=member,
                details=details,
            )

    def count(self) -> int:
        return SurveyAnswer.objects.awaiting_follow_up().count()

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        if decision not in (REPLY, CLOSE):
            raise RuleError(_("Survey answers can be replied to or closed."), code="invalid")
        try:
            answer_id = parse_int(key)
        except ParamError:
            raise StaleItem(_("This survey answer no longer exists.")) from None
        try:
            if decision == REPLY:
                answer = actions.reply_to_answer(
                    answer_id=answer_id, moderator=moderator, text=reason
                )
                return _("Your reply is on its way to %(name)s; close it when done.") % {
                    "name": answer.member.name
                }
            answer = actions.close_answer(answer_id=answer_id, moderator=moderator, note=reason)
        except PermissionDenied as error:
            raise RuleError(str(error) or _("Only moderators can do that.")) from None
        return _("The survey answer of %(name)s is closed.") % {"name": answer.member.name}


def register_source() -> None:
    register(DetractorAnswers())
