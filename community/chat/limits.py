"""Flood control: a token bucket per member, kept in the cache (Redis in production).

A member who joined less than a week ago gets 20 messages per 30 seconds, others 40;
the bucket refills continuously. Every refused message is a strike; enough strikes in
a few minutes and the member is silenced for half an hour (see actions.send_message).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

WINDOW_SECONDS = 30
NEW_ACCOUNT_CAPACITY = 20
CAPACITY = 40
NEW_ACCOUNT_AGE = timedelta(days=7)
STRIKES_TO_SILENCE = 10
STRIKE_WINDOW_SECONDS = 10 * 60
SILENCE_FOR = timedelta(minutes=30)


def capacity_for(member) -> int:
    if timezone.now() - member.date_joined < NEW_ACCOUNT_AGE:
        return NEW_ACCOUNT_CAPACITY
    return CAPACITY


def _bucket_key(member_id: int) -> str:
    return f"chat:bucket:{member_id}"


def _strike_key(member_id: int) -> str:
    return f"chat:strikes:{member_id}"


def take_token(member) -> float | None:
    """Spend one of the member's message tokens; None when allowed, else the wait."""
    return take(_bucket_key(member.pk), capacity=capacity_for(member), window=WINDOW_SECONDS)


def take(key: str, *, capacity: int, window: float) -> float | None:
    """Spend one token of the bucket ``key`` (``capacity`` per ``window`` seconds,
    refilled continuously); None when allowed, else the seconds until the next token.

    The bucket lives in the cache, so every server process shares it; when the cache is
    down every read is a miss and the bucket is full: allow rather than refuse.
    """
    rate = capacity / window
    now = time.time()
    tokens, stamp = cache.get(key) or (float(capacity), now)
    tokens = min(float(capacity), tokens + max(0.0, now - stamp) * rate)
    if tokens >= 1.0:
        cache.set(key, (tokens - 1.0, now), int(window * 2))
        return None
    cache.set(key, (tokens, now), int(window * 2))
    return (1.0 - tokens) / rate


def add_strike(member_id: int) -> int:
    """Count a refused message; returns the strikes in the current window."""
    key = _strike_key(member_id)
    cache.add(key, 0, STRIKE_WINDOW_SECONDS)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, STRIKE_WINDOW_SECONDS)
        return 1


def reset(member_id: int) -> None:
    cache.delete_many([_bucket_key(member_id), _strike_key(member_id)])
