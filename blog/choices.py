"""Choices shared by the guide pages, the guide editor and the listing's filters.

Apart from the models so that ``blog.filters`` (which ``GuideIndexPage`` uses) can import
them without importing the models back.
"""

from __future__ import annotations

from django.db import models


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class GuideSort(models.TextChoices):
    NEWEST = "newest", "Newest"
    HELPFUL = "helpful", "Most helpful"
