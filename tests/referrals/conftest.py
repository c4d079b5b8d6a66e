from __future__ import annotations

import pytest

from tests.referrals.factories import WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def _referral_settings(settings):
    # Sign-ups in these tests hash passwords; a fast hasher keeps the suite quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SHOP_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.REFERRAL_INVITES_PER_DAY = 10
    settings.REFERRAL_BURST_LIMIT = 5
