#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings")
    # A checkout with neither SECRET_KEY nor DEBUG set is a developer's: let commands such
    # as makemigrations run. Production always sets SECRET_KEY, so it never gets this.
    if not os.environ.get("SECRET_KEY") and "DEBUG" not in os.environ:
        os.environ["DEBUG"] = "true"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
