"""Hearth's ASGI application with the page benchmark's URLs (bench/pages/urls.py: the site
plus /bench/minimal/), for the HTTP run (bench/pages/http_run.py), which starts the
Procfile's uvicorn line with ``bench.pages.asgi:application`` instead of hearth.asgi's.

The settings have no switch for ROOT_URLCONF, so it is set here, after Django is set up
and before hearth.asgi builds the application (as bench/pages/hearth_side.py does
in-process). Django reads it on every request.
"""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
django.setup(set_prefix=False)
settings.ROOT_URLCONF = "bench.pages.urls"

from hearth.asgi import application  # noqa: E402

__all__ = ["application"]
