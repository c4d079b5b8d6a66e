"""Helpers every Hearth form shares.

- ``form.fields[name]`` is typed as a plain ``Field``; a form that narrows or relabels
  the choices of its own model choice field reaches it through :func:`model_choice_field`.
- :class:`LengthLimitsMixin` (or :func:`limit_lengths`): text over a field's limit is
  refused with one message, never cut by the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sized
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.core import validators
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import ngettext

if TYPE_CHECKING:  # a text or a lazily translated one (gettext_lazy)
    from django_stubs_ext import StrOrPromise


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, which must be a (multiple) model choice field."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field.")
    return field


# --- length limits ------------------------------------------------------------------
#
# A browser's ``maxlength`` cuts what a member pastes without a word. Hearth's forms
# drop it: the widget carries ``data-limit`` (site.js shows a counter near the limit)
# and the server refuses text that is too long with the sentence below, re-rendering
# the form with everything the member typed.


def count_characters(value: str) -> int:
    """Characters as the browser's counter counts them: a line break is one (forms send
    it as two, CR LF)."""
    return len(value.replace("\r\n", "\n"))


def too_long_message(limit: int, count: int, noun: StrOrPromise | None = None) -> str:
    """The one refusal for text over its limit, numbers in the site's locale."""
    limit_text = number_format(limit, force_grouping=True)
    count_text = number_format(count, force_grouping=True)
    numbers = {"noun": noun, "limit": limit_text, "count": count_text}
    if noun:
        return (
            ngettext(
                "%(noun)s can be at most %(limit)s character (this one has %(count)s).",
                "%(noun)s can be at most %(limit)s characters (this one has %(count)s).",
                limit,
            )
            % numbers
        )
    return (
        ngettext(
            "This can be at most %(limit)s character (it has %(count)s).",
            "This can be at most %(limit)s characters (it has %(count)s).",
            limit,
        )
        % numbers
    )


@deconstructible
class LengthLimit(validators.MaxLengthValidator):
    """``MaxLengthValidator`` with Hearth's sentence, counting line breaks as one."""

    def __init__(self, limit_value: int, noun: StrOrPromise | None = None) -> None:
        super().__init__(limit_value)
        self.noun = noun

    def clean(self, x: Sized) -> int:
        return count_characters(x) if isinstance(x, str) else len(x)

    def __call__(self, value: Sized) -> None:
        count = self.clean(value)
        if count > self.limit_value:
            raise ValidationError(
                too_long_message(self.limit_value, count, self.noun), code=self.code
            )

    def __eq__(self, other: object) -> bool:
        return super().__eq__(other) and getattr(other, "noun", None) == self.noun


def limit_lengths(form: forms.BaseForm, nouns: Mapping[str, StrOrPromise] | None = None) -> None:
    """Give every text field of ``form`` with a length limit Hearth's treatment: no
    ``maxlength`` for the browser to cut at, ``data-limit`` for the counter, and
    :class:`LengthLimit` as its validator. ``nouns`` names what a field holds ("A title")
    for the message."""
    nouns = nouns or {}
    for name, field in form.fields.items():
        if field.widget.is_hidden:
            continue
        attrs = field.widget.attrs
        limit = getattr(field, "max_length", None)
        if limit is None and "maxlength" in attrs:
            limit = int(attrs["maxlength"])
            field.max_length = limit  # type: ignore[attr-defined]
        if limit is None:
            continue
        attrs.pop("maxlength", None)
        attrs["data-limit"] = str(limit)
        field.validators = [
            v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
        ]
        field.validators.append(LengthLimit(limit, nouns.get(name)))


class LengthLimitsMixin:
    """Put first among a form's bases: every limited text field gets :func:`limit_lengths`.
    ``length_nouns`` names what each field holds, for the refusal ("A title can be at
    most 150 characters (this one has 215).")."""

    length_nouns: ClassVar[Mapping[str, StrOrPromise]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self, forms.BaseForm)
        limit_lengths(self, self.length_nouns)
