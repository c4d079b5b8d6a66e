"""Promote referrals whose first contribution stayed visible for 24 hours to "active".

The scheduler (``manage.py run_scheduler``, hearth.scheduler.SCHEDULE) runs it every 15
minutes. Idempotent: a referral reaches each stage once, so overlapping runs change nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from referrals.actions import promote_active_referrals


class Command(BaseCommand):
    help = "Promote referrals whose first post, guide or chat message stayed up 24 hours."

    def handle(self, *args, **options) -> None:
        promoted = promote_active_referrals()
        self.stdout.write(f"{promoted} referral{'s' if promoted != 1 else ''} became active.")
