"""Running something once the current transaction commits, safely.

The one after-commit helper of the project: community.live builds the live events and
cross-app signals on it, hearth.mail queues email with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)


def after_commit(callback: Callable[[], object], *, what: str) -> None:
    """Run ``callback`` once the current transaction commits (at once outside one).
    ``what`` names it in the log if it fails; it never raises into the caller."""

    def run() -> None:
        try:
            callback()
        except Exception:
            logger.exception("after commit: %s failed", what)

    transaction.on_commit(run)
