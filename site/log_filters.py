"""Logging filters, referenced from LOGGING in settings."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

from hearth import outages

# What Django raises when PostgreSQL is away or the pool has no free connection in time.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


class ClientErrorsInOneLine(logging.Filter):
    """Drop the traceback from django.request records of 4xx responses.

    Django logs every 4xx with the exception that caused it, so each PermissionDenied or
    Http404 printed a full traceback: hundreds of lines in a short run, for answers that
    went exactly as planned. The one-line message (status, reason, path) stays; 5xx
    records keep their traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, DATABASE_UNAVAILABLE):
            # Every request fails the same way while the database is away: say it once
            # (hearth.outages), not with a traceback per request.
            outages.report_down(outages.DATABASE, error)
            return False
        return True
