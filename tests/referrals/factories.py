"""Factories for the referral hub's tests."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from community.models import User
from referrals import actions
from referrals.models import Referral, ReferralEvent, ReferralLink, Stage, Status
from tests.factories import make_member

BROWSER_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0 Safari/537.36"
)
WEBHOOK_SECRET = "shop-secret-for-tests"


def browser(address: str = "198.51.100.7") -> Client:
    """A visitor's browser: a real user agent and a public network address."""
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=address)


def link_for(member: User, target_path: str = "") -> ReferralLink:
    return actions.get_or_create_link(owner=member, target_path=target_path)


def follow(client: Client, link: ReferralLink):
    return client.get(f"/r/{link.code}/")


def sign_up(client: Client, username: str, email: str | None = None) -> User:
    """Sign up through allauth's real form (so its signals fire) and return the member."""
    response = client.post(
        "/accounts/signup/",
        {
            "email": email or f"{username}@example.com",
            "username": username,
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code in (200, 302), response.status_code
    return User.objects.get(username=username)


def make_referral(
    *,
    referrer: User | None = None,
    referee: User | None = None,
    stage: Stage = Stage.JOINED,
    status: Status = Status.COUNTING,
    hold_reasons: list[str] | None = None,
    created_at=None,
) -> Referral:
    """A referral as attribution would have made it, already at ``stage`` (no credit)."""
    referrer = referrer or make_member()
    referee = referee or make_member()
    now = created_at or timezone.now()
    referral = Referral.objects.create(
        referrer=referrer,
        referee=referee,
        link=link_for(referrer),
        created_at=now,
        stage=stage,
        joined_at=now if stage >= Stage.JOINED else None,
        active_at=now if stage >= Stage.ACTIVE else None,
        status=status,
        hold_reasons=hold_reasons or [],
        held_at=now if status == Status.HELD else None,
    )
    for reached in range(min(stage, Stage.ACTIVE) + 1):
        ReferralEvent.objects.create(referral=referral, stage=reached, created_at=now)
    return referral


def converted_referral(*, referrer: User | None = None, when=None, **kwargs) -> Referral:
    """A referral converted (and credited) through the action, as a reaction would."""
    referral = make_referral(referrer=referrer, stage=Stage.ACTIVE, **kwargs)
    actions.convert_referral(
        referral=referral, via="reaction", object_key=f"forum.post:{referral.pk}", now=when
    )
    referral.refresh_from_db()
    return referral


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def sign(body: bytes, secret: str = WEBHOOK_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(**fields) -> bytes:
    payload = {
        "order_id": "order-1",
        "email": "buyer@example.com",
        "amount": "49.90",
        "currency": "EUR",
        "occurred_at": (timezone.now() - timedelta(hours=2)).isoformat(),
    }
    payload.update(fields)
    payload = {k: v for k, v in payload.items() if v is not None}
    return json.dumps(payload).encode()


def post_webhook(client: Client, body: bytes, signature: str | None = None):
    headers = {}
    if signature is not False:
        headers["HTTP_X_HEARTH_SIGNATURE"] = signature or sign(body)
    return client.post(
        "/api/referrals/conversions", data=body, content_type="application/json", **headers
    )


class FakeContent:
    """Stands in for a post, topic, guide or chat message in community.signals: the hub
    reads only its label and primary key (``object_key``)."""

    class _Meta:
        def __init__(self, label_lower: str) -> None:
            self.label_lower = label_lower

    def __init__(self, label: str, pk: int) -> None:
        self._meta = self._Meta(label)
        self.pk = pk


def confirm_email(client: Client, address: str) -> None:
    """Follow the confirmation link allauth emailed to ``address`` (a POST, as a browser)."""
    import re

    from django.core import mail

    messages = [m for m in mail.outbox if address in m.to]
    assert messages, f"no email to {address}"
    match = re.search(r"/accounts/confirm-email/[^/\s]+/", messages[-1].body)
    assert match, messages[-1].body
    response = client.post(match.group(0))
    assert response.status_code == 302, response.status_code
