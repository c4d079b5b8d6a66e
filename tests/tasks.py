"""Running the task worker in tests (the database task backend)."""

from __future__ import annotations

import signal

from django.core.management import call_command


def run_task_worker() -> None:
    """Run every queued task once, as ``manage.py db_worker`` does."""
    # db_worker installs its own SIGTERM/SIGINT handlers for good; give the run its own back.
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
