"""The guide listing's filters: tag, difficulty and order (/guides/?tag=&difficulty=&sort=)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from blog.choices import Difficulty, GuideSort


class SlugFilter(django_filters.CharFilter):
    field_class = forms.SlugField


class GuideFilter(django_filters.FilterSet):
    """Filters a queryset of guides already in the default order (newest first).

    A filter that is not understood makes the listing ignore them all, and the page says
    so (the form's errors), rather than showing a page of nothing.
    """

    tag = SlugFilter(field_name="tagged_items__tag__slug", max_length=100)
    difficulty = django_filters.ChoiceFilter(
        choices=Difficulty.choices, empty_label=_("Any difficulty")
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=GuideSort.choices, empty_label=None, method="sort_guides"
    )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.is_valid():
            return queryset
        return super().filter_queryset(queryset)

    def sort_guides(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == GuideSort.HELPFUL:
            return queryset.order_by("-helpful_count", "-first_published_at", "-pk")
        return queryset
