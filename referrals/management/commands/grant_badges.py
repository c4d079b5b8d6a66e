"""Grant the badges time brings: a year a member, thirty days of visits in a row.

    manage.py grant_badges

The other badges come the moment they are earned (referrals.badges); this daily pass
adds the ones no action announces. Safe to run twice or at the same time: a member holds
each badge once (a unique row), and is told once.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from referrals.badges import daily_pass


class Command(BaseCommand):
    help = "Grant the time-based badges (one year a member, a 30-day visit streak). Idempotent."

    def handle(self, *args, **options) -> None:
        granted = daily_pass()
        self.stdout.write(
            ngettext("Granted %(n)d badge.", "Granted %(n)d badges.", granted) % {"n": granted}
        )
