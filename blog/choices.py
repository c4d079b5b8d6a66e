"""Choices shared by the guide pages, the guide editor and the listing's filters.

Apart from the models so that ``blog.filters`` (which ``GuideIndexPage`` uses) can import
them without importing the models back.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class GuideSort(models.TextChoices):
    NEWEST = "newest", _("Newest")
    HELPFUL = "helpful", _("Most helpful")
