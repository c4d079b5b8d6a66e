"""The tenth conversion of a month rings the bell of every editor who is online."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client

from hearth.asgi import application
from referrals import actions
from referrals.models import Stage
from tests.factories import make_editor, make_member
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def _session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


async def _bell(user):
    cookie = await sync_to_async(_session_cookie_for)(user)
    communicator = WebsocketCommunicator(
        application,
        "/ws/notifications/",
        headers=[
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
        ],
    )
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "count"
    return communicator


def _ten_conversions(member):
    for n in range(10):
        referral = make_referral(referrer=member, stage=Stage.ACTIVE)
        actions.convert_referral(referral=referral, via="reaction", object_key=f"forum.post:{n}")


async def test_every_online_editor_and_the_member_hear_it_live(settings):
    settings.REFERRAL_BURST_LIMIT = 100
    member = await sync_to_async(make_member)(display_name="Maya")
    editors = [await sync_to_async(make_editor)() for _ in range(2)]
    bells = [await _bell(editor) for editor in editors]
    member_bell = await _bell(member)
    try:
        await sync_to_async(_ten_conversions)(member)
        for bell in bells:
            event = await bell.receive_json_from(timeout=5)
            assert event["type"] == "notification"
            assert "Maya reached 10 converted referrals" in event["notification"]["text"]
            assert event["unread"] == 1
        texts = []
        while not await member_bell.receive_nothing(timeout=0.5):
            texts.append((await member_bell.receive_json_from(timeout=5))["notification"]["text"])
        assert any("The whole team has been told" in text for text in texts)
    finally:
        for bell in [*bells, member_bell]:
            await bell.disconnect()
        # The consumers' database thread keeps its connection; close it so the test
        # database can be dropped at the end of the run.
        await database_sync_to_async(connections.close_all)()
