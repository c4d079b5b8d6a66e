"""Typed access to a form's fields.

``form.fields[name]`` is typed as a plain ``Field``; a form that narrows or relabels
the choices of its own model choice field reaches it through :func:`model_choice_field`.
"""

from __future__ import annotations

from typing import Any

from django import forms


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's field ``name``, which must be a (multiple) model choice field."""
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field.")
    return field
