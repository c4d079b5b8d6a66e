"""Where challenges and the surprise listen: recorded warm actions and converted referrals.

Receivers are glue: they call the verbs in ``recognition.challenges`` and
``recognition.surprise``. ``action_recorded`` arrives after the action's transaction
committed; a referral's save is seen here before commit, so its check waits for it.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from community.live import after_commit
from recognition import challenges, surprise
from recognition.models import REFERRAL_CONVERTED, Challenge, forget_active_audiences
from referrals.engagement import action_recorded, action_revoked
from referrals.models import MemberAction, Referral, Stage, Status


@receiver(action_recorded, sender=MemberAction, dispatch_uid="recognition.challenges")
def on_action_recorded(sender, action: MemberAction, **kwargs) -> None:
    challenges.note_progress(member=action.member, action=action.action)


@receiver(action_recorded, sender=MemberAction, dispatch_uid="recognition.surprise")
def draw_a_surprise(sender, action: MemberAction, **kwargs) -> None:
    surprise.draw(action=action)


@receiver(action_revoked, sender=MemberAction, dispatch_uid="recognition.surprise_revoked")
def take_back_a_surprise(sender, action: MemberAction, **kwargs) -> None:
    surprise.take_back(action=action)


@receiver(post_save, sender=Referral, dispatch_uid="recognition.referral_saved")
def on_referral_saved(sender, instance: Referral, **kwargs) -> None:
    # Converted and counting (at once, or when a moderator approves it later).
    if instance.stage == Stage.CONVERTED and instance.status == Status.COUNTING:
        referrer = instance.referrer
        after_commit(
            lambda: challenges.note_progress(member=referrer, action=REFERRAL_CONVERTED),
            what="checking referral challenges",
        )


@receiver(post_save, sender=Challenge, dispatch_uid="recognition.challenge_saved")
@receiver(post_delete, sender=Challenge, dispatch_uid="recognition.challenge_deleted")
def forget_audiences(sender, **kwargs) -> None:
    forget_active_audiences()
    # And again once committed, so a page read in between does not cache the old set.
    after_commit(forget_active_audiences, what="forgetting the active challenges' audiences")
