from __future__ import annotations

import json

import pytest
from django.test import Client

from referrals import points
from referrals.models import Purchase, ReferralEvent, Stage
from tests.factories import make_member
from tests.referrals.factories import (
    link_for,
    make_referral,
    post_webhook,
    sign,
    webhook_body,
)

pytestmark = pytest.mark.django_db
URL = "/api/referrals/conversions"


@pytest.fixture
def client():
    return Client()


@pytest.fixture
def buyer_referral(member):
    buyer = make_member(username="buyer", email="buyer@example.com")
    return make_referral(referrer=member, referee=buyer, stage=Stage.ACTIVE)


def test_a_signed_purchase_converts_the_buyers_referral(client, member, buyer_referral):
    response = post_webhook(client, webhook_body())
    assert response.status_code == 201, response.content
    assert response.json() == {
        "order_id": "order-1",
        "status": "converted",
        "outcome": "converted",
        "detail": "The purchase converted the member's referral.",
    }
    buyer_referral.refresh_from_db()
    assert buyer_referral.stage == Stage.CONVERTED
    assert buyer_referral.converted_via == "purchase"
    assert points.balance(member) == 25  # a purchase is worth less than taking part
    purchase = Purchase.objects.get()
    assert purchase.referral == buyer_referral
    assert str(purchase.amount) == "49.90"
    assert purchase.email_hash and "buyer" not in purchase.email_hash


def test_the_email_is_matched_case_insensitively(client, member, buyer_referral):
    response = post_webhook(client, webhook_body(email="Buyer@Example.COM"))
    assert response.json()["status"] == "converted"


def test_a_retried_delivery_pays_once(client, member, buyer_referral):
    body = webhook_body()
    first = post_webhook(client, body)
    second = post_webhook(client, body)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["outcome"] == "converted"
    assert Purchase.objects.count() == 1
    assert ReferralEvent.objects.filter(stage=Stage.CONVERTED).count() == 1
    assert points.balance(member) == 25


def test_the_same_order_id_with_other_details_is_a_conflict(client, buyer_referral):
    post_webhook(client, webhook_body())
    response = post_webhook(client, webhook_body(amount="12.00"))
    assert response.status_code == 409
    assert "already reported with a different amount" in response.json()["detail"]
    assert Purchase.objects.count() == 1


def test_a_second_order_of_a_converted_referral_is_recorded_only(client, member, buyer_referral):
    post_webhook(client, webhook_body())
    response = post_webhook(client, webhook_body(order_id="order-2"))
    assert response.status_code == 201
    assert response.json()["status"] == "recorded"
    assert response.json()["outcome"] == "already_converted"
    assert points.balance(member) == 25


def test_a_customer_who_is_not_a_referred_member_is_recorded(client):
    response = post_webhook(client, webhook_body(email="stranger@example.com"))
    assert response.status_code == 201
    assert response.json()["outcome"] == "no_referral"
    assert Purchase.objects.get().referral is None


def test_a_referral_code_alone_credits_the_link(client, member):
    link = link_for(member)
    response = post_webhook(client, webhook_body(email=None, referral_code=link.code.upper()))
    assert response.status_code == 201
    assert response.json()["outcome"] == "link_only"
    assert Purchase.objects.get().link == link
    assert points.balance(member) == 0


def test_a_held_referral_stays_held(client, member):
    buyer = make_member(username="buyer", email="buyer@example.com")
    make_referral(
        referrer=member, referee=buyer, stage=Stage.JOINED, status="held", hold_reasons=["cycle"]
    )
    response = post_webhook(client, webhook_body())
    assert response.json()["status"] == "held"
    assert points.balance(member) == 0


# --- signatures ---------------------------------------------------------------------


def test_a_missing_signature_is_401(client, buyer_referral):
    response = post_webhook(client, webhook_body(), signature=False)
    assert response.status_code == 401
    assert "X-Hearth-Signature header is missing" in response.json()["detail"]
    assert not Purchase.objects.exists()


def test_a_wrong_signature_is_401(client, buyer_referral):
    body = webhook_body()
    response = post_webhook(client, body, signature=sign(body, secret="not-the-secret"))
    assert response.status_code == 401
    assert "does not match" in response.json()["detail"]
    assert not Purchase.objects.exists()


def test_a_signature_of_another_body_is_401(client, buyer_referral):
    response = post_webhook(client, webhook_body(amount="1.00"), signature=sign(webhook_body()))
    assert response.status_code == 401


def test_the_bare_hex_digest_is_accepted_too(client, buyer_referral):
    body = webhook_body()
    response = post_webhook(client, body, signature=sign(body).removeprefix("sha256="))
    assert response.status_code == 201


def test_the_signature_is_checked_before_the_body(client):
    response = post_webhook(client, b"not json", signature="sha256=00")
    assert response.status_code == 401


def test_without_a_secret_the_webhook_is_switched_off(client, settings, buyer_referral):
    settings.SHOP_WEBHOOK_SECRET = ""
    body = webhook_body()
    response = post_webhook(client, body, signature=sign(body, secret=""))
    assert response.status_code == 503
    assert "SHOP_WEBHOOK_SECRET is not set" in response.json()["detail"]
    assert not Purchase.objects.exists()


# --- bad input -------------------------------------------------------------------------


def test_a_body_that_is_not_json_is_400(client):
    body = b"{order_id: 1"
    response = post_webhook(client, body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


@pytest.mark.parametrize(
    "fields,field,words",
    [
        ({"order_id": None}, "order_id", "required"),
        ({"order_id": ""}, "order_id", "at least 1"),
        ({"amount": "-3"}, "amount", "greater than or equal to 0"),
        ({"amount": "lots"}, "amount", "valid decimal"),
        ({"amount": "1.999"}, "amount", "decimal places"),
        ({"currency": "euro"}, "currency", "three-letter ISO 4217"),
        ({"occurred_at": "yesterday"}, "occurred_at", "datetime"),
        ({"occurred_at": "2026-05-03T10:00:00"}, "occurred_at", "timezone"),
        ({"occurred_at": "9999-12-31T23:59:59+00:00"}, "occurred_at", "in the future"),
        ({"occurred_at": "0001-01-01T00:00:00+00:00"}, "occurred_at", "more than a year ago"),
        ({"occurred_at": "9999-12-31T23:59:59-12:00"}, "occurred_at", "datetime"),
        ({"email": "not-an-address"}, "email", "not a valid email"),
        ({"email": None}, "body", "email or the referral_code"),
    ],
)
def test_bad_fields_are_400_with_a_clear_message(client, fields, field, words):
    response = post_webhook(client, webhook_body(**fields))
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["detail"].startswith("The conversion is not valid.")
    assert any(e["field"] == field and words in e["message"] for e in data["errors"]), data
    assert not Purchase.objects.exists()


def test_a_json_array_is_400(client):
    response = post_webhook(client, b"[1, 2]")
    assert response.status_code == 400


def test_an_empty_body_is_400(client):
    response = post_webhook(client, b"")
    assert response.status_code == 400


def test_other_methods_are_405(client):
    assert client.get(URL).status_code == 405


def test_the_openapi_schema_describes_the_webhook(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/referrals/conversions"]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "401", "409", "503"}
    body_schema = json.dumps(schema["components"]["schemas"])
    for field in ("order_id", "email", "referral_code", "amount", "currency", "occurred_at"):
        assert field in body_schema
    assert "X-Hearth-Signature" in json.dumps(schema["components"]["securitySchemes"])


def test_the_api_docs_page_uses_no_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert b"cdn." not in response.content
