"""Translations of the brand blog's pages, as an editor makes them in the admin (Wagtail's
copy for translation: the parents the language lacks are mirrored as aliases)."""

from __future__ import annotations

from typing import Any

from wagtail.models import Locale, Page


def translate(page: Page, language: str, *, publish: bool = True, **fields: Any) -> Page:
    """``page`` in ``language`` with ``fields`` changed (a title, an intro…), published or
    left a draft."""
    page = page.specific
    locale = Locale.objects.get(language_code=language)
    translation = page.get_translations(inclusive=True).filter(locale=locale).first()
    if translation is None:
        translation = page.copy_for_translation(locale, copy_parents=True)
    translation = translation.specific.get_latest_revision_as_object()
    for name, value in fields.items():
        setattr(translation, name, value)
    revision = translation.save_revision()
    if publish:
        revision.publish()
    translation.refresh_from_db()
    return translation
