"""Load demo content for `make run`. Safe to run again: it changes nothing the second time."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from community import demo as people

# Each app's demo module has load(*, stdout); they run in this order.
DEMO_MODULES = [
    "blog.demo",
    "community.forum.demo",
    "community.chat.demo",
    "referrals.demo",
]


class Command(BaseCommand):
    help = "Create demo members, moderators, editors and content (idempotent)."

    def handle(self, *args, **options) -> None:
        self.stdout.write("Loading demo content…")
        with transaction.atomic():
            people.load(stdout=self.stdout)
        for module_name in DEMO_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue
            with transaction.atomic():
                module.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {people.DEMO_PASSWORD}):")
        for role, email in people.DEMO_LOGINS:
            self.stdout.write(f"  {role:<10} {email}")
        self.stdout.write("")
