"""How often each topic is read, counted without a write per page view.

Each web process tallies views in memory and writes the tally in one UPDATE (a CASE over
the topics read meanwhile) at most every ``FORUM_VIEW_FLUSH_SECONDS``, from a daemon
thread, and once more when the process exits. A process that crashes loses at most
those seconds of views: the counts rank the "Top" lists, nobody's points hang on them.
Visitors served a kept page (forum/page_cache.py) are counted too.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections import Counter, defaultdict

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import Case, F, Value, When

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_tally: Counter[int] = Counter()
_flusher: threading.Thread | None = None


def count_view(topic_id: int) -> None:
    """One more reader of the topic (kept in this process until the next flush)."""
    with _lock:
        _tally[topic_id] += 1
    _start_flusher()


def pending() -> dict[int, int]:
    with _lock:
        return dict(_tally)


def forget() -> None:
    """Drop what is tallied and not written (tests start from nothing)."""
    with _lock:
        _tally.clear()


def flush() -> int:
    """Write the tally: one UPDATE for all topics read since the last flush. Returns how
    many topics it touched. On a database error the tally is kept for the next flush."""
    from .models import Topic

    with _lock:
        counts = dict(_tally)
        _tally.clear()
    if not counts:
        return 0
    by_count: defaultdict[int, list[int]] = defaultdict(list)
    for topic_id, views in counts.items():
        by_count[views].append(topic_id)
    added = Case(
        *(When(pk__in=ids, then=Value(views)) for views, ids in by_count.items()),
        default=Value(0),
    )
    try:
        Topic.objects.filter(pk__in=counts).update(views=F("views") + added)
    except DatabaseError:
        logger.exception("view counts: writing %d topics failed; kept for later", len(counts))
        with _lock:
            _tally.update(counts)
        return 0
    return len(counts)


def _start_flusher() -> None:
    global _flusher
    every = settings.FORUM_VIEW_FLUSH_SECONDS
    if _flusher is not None or every <= 0:
        return
    with _lock:
        if _flusher is not None:
            return
        _flusher = threading.Thread(
            target=_flush_forever, args=(every,), name="forum-view-counts", daemon=True
        )
        _flusher.start()


_stop = threading.Event()


def _flush_forever(every: float) -> None:
    while not _stop.wait(every):
        close_old_connections()
        try:
            flush()
        finally:
            connection.close()  # this thread's own connection, not a request's


@atexit.register
def _flush_at_exit() -> None:
    _stop.set()
    if pending():
        try:
            flush()
        except Exception:  # the database may be gone already at exit
            logger.exception("view counts: the last flush failed")
