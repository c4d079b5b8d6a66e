"""Appeals in the one review inbox (community.review)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.moderation.actions import decide_appeal, when
from community.moderation.models import Appeal
from community.review import Decision, ReviewItem, ReviewSource, StaleItem
from hearth.params import ParamError, parse_int

if TYPE_CHECKING:
    from community.models import User


class AppealSource(ReviewSource):
    kind = "appeal"
    label = gettext_lazy("Appeals")
    # Shortening needs a new end: that is done on the appeal's own screen (the item's url);
    # a hidden post has no end, so it is uphold or lift there too.
    decisions = (
        Decision("uphold", gettext_lazy("Uphold the penalty"), needs_reason=True, bulk=False),
        Decision("lift", gettext_lazy("Lift the penalty"), needs_reason=True, bulk=False),
    )

    def _pending(self):
        return (
            Appeal.objects.filter(decided_at__isnull=True)
            .select_related("penalty", "penalty__member", "penalty__canned_reason")
            .order_by("-created_at")
        )

    def pending(self) -> Iterable[ReviewItem]:
        for appeal in self._pending():
            penalty = appeal.penalty
            member = penalty.member
            yield ReviewItem(
                kind=self.kind,
                key=str(appeal.pk),
                title=_("Appeal by %(name)s against %(against)s")
                % {"name": member.name, "against": penalty.against},
                summary=appeal.text[:500],
                created_at=appeal.created_at,
                url=reverse("moderation_admin:appeal", args=[appeal.pk]),
                member=member,
                details={
                    _("Penalty"): (
                        _("%(kind)s %(scope)s; lifting restores it")
                        % {"kind": penalty.get_kind_display(), "scope": penalty.scope_label}
                        if penalty.open_ended
                        else _("%(kind)s until %(end)s")
                        % {"kind": penalty.get_kind_display(), "end": when(penalty.ends_at)}
                    ),
                    _("Reason"): penalty.reason_title or "—",
                    _("Given by"): penalty.moderator.name if penalty.moderator else _("automatic"),
                },
            )

    def count(self) -> int:
        return self._pending().count()

    def decide(self, *, key: str, decision: str, moderator: User, reason: str = "") -> str:
        try:
            appeal = Appeal.objects.filter(pk=parse_int(key)).first()
        except ParamError:
            appeal = None
        if appeal is None:
            raise StaleItem(_("That appeal no longer exists."))
        if decision not in {d.name for d in self.decisions}:
            raise StaleItem(_("That decision is not offered for appeals."), code="invalid")
        decided = decide_appeal(appeal=appeal, moderator=moderator, decision=decision, reply=reason)
        member = decided.penalty.member.name
        if decision == "lift":
            return _("The penalty of %(name)s is lifted; they have been told.") % {"name": member}
        return _("The penalty of %(name)s stands; they have been told.") % {"name": member}
