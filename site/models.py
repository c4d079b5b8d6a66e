from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from hearth.sections import render_sections


class HomePage(Page):
    """The site's front page: a welcome, then sections the other apps fill."""

    headline: models.CharField[str, str] = models.CharField(
        max_length=120, default="Welcome to the community"
    )
    welcome = RichTextField(
        features=["bold", "italic", "link"],
        blank=True,
        help_text="A few sentences that tell a newcomer what this place is for.",
    )

    content_panels = [*Page.content_panels, FieldPanel("headline"), FieldPanel("welcome")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = "home page"

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = render_sections("home", request, page=self)
        return context


class ScheduledRun(models.Model):
    """One run of a scheduled job in one slot (hearth.scheduler).

    The unique (job, slot) pair is the lock: a scheduler claims a slot by inserting the
    row, so two schedulers started by mistake still run each job once per slot, on SQLite
    as on PostgreSQL.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        OK = "ok", "Finished"
        FAILED = "failed", "Failed"

    job = models.CharField(max_length=80)
    slot = models.DateTimeField(help_text="The start of the period this run belongs to.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    claimed_by = models.CharField(max_length=200, help_text="host:pid of the scheduler.")
    output = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["job", "slot"], name="hearth_scheduledrun_once_per_slot"
            )
        ]
        indexes = [models.Index(fields=["started_at"], name="hearth_scheduledrun_started")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M} ({self.outcome})"
