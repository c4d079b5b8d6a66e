from __future__ import annotations

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

from hearth.sections import render_sections


class HomePage(Page):
    """The site's front page: a welcome, then sections the other apps fill."""

    headline = models.CharField(max_length=120, default="Welcome to the community")
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
