"""The shop's signed conversion webhook (django-ninja, with its OpenAPI schema).

POST /api/referrals/conversions with a JSON body and the header
``X-Hearth-Signature: sha256=<hex HMAC-SHA256 of the raw body with SHOP_WEBHOOK_SECRET>``.
The schema is served at /api/openapi.json and browsable at /api/docs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader
from pydantic import AwareDatetime, field_validator, model_validator

from referrals import shop
from referrals.models import Purchase

SIGNATURE_HEADER = "X-Hearth-Signature"
# The shop's clock may run a little ahead; a purchase reported later than this is a
# replay or a mistake, not a conversion.
OCCURRED_AT_SKEW = timedelta(minutes=10)
OCCURRED_AT_MAX_AGE = timedelta(days=365)


class WebhookDisabled(Exception):
    pass


class BadSignature(Exception):
    pass


class ShopSignature(APIKeyHeader):
    """HMAC-SHA256 of the raw request body with the shared secret, hex, "sha256=" prefix."""

    param_name = SIGNATURE_HEADER

    def authenticate(self, request: HttpRequest, key: str | None) -> str:
        secret = settings.SHOP_WEBHOOK_SECRET
        if not secret:
            raise WebhookDisabled()
        if not key:
            raise BadSignature(
                f"The {SIGNATURE_HEADER} header is missing: sign the raw body with "
                "HMAC-SHA256 and the shared secret, and send sha256=<hex digest>."
            )
        given = key.strip()
        if given.lower().startswith("sha256="):
            given = given[len("sha256=") :]
        expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, given.lower()):
            raise BadSignature(
                "The signature does not match the body: sign the exact bytes you send with "
                "HMAC-SHA256 and the shared secret."
            )
        return "shop"


class ConversionIn(Schema):
    order_id: str = Field(
        ..., min_length=1, max_length=100, description="The shop's order id; retries reuse it."
    )
    email: str | None = Field(
        None, max_length=254, description="The customer's email address (finds the member)."
    )
    referral_code: str | None = Field(
        None,
        max_length=16,
        description="The referral link code the customer came through, when there is no email.",
    )
    amount: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2, examples=["49.90"])
    currency: str = Field(..., description="ISO 4217 code, e.g. EUR.", examples=["EUR"])
    occurred_at: AwareDatetime = Field(..., description="When the order was paid (ISO 8601).")

    @field_validator("order_id")
    @classmethod
    def _order_id(cls, value: str) -> str:
        value = value.strip()
        if not value or not value.isprintable():
            raise ValueError("order_id must be printable text, 1 to 100 characters.")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip().lower()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("email is not a valid email address.") from None
        return value

    @field_validator("referral_code")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        value = value.strip().upper()
        if len(value) != 3 or not value.isalpha() or not value.isascii():
            raise ValueError("currency must be a three-letter ISO 4217 code such as EUR.")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _occurred_at(cls, value: datetime) -> datetime:
        try:
            value = value.astimezone(UTC)
        except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is past the year 9999 in UTC
            raise ValueError("occurred_at is not a datetime that can be stored.") from None
        now = timezone.now()
        if value > now + OCCURRED_AT_SKEW:
            raise ValueError("occurred_at is in the future: send when the order was paid.")
        if value < now - OCCURRED_AT_MAX_AGE:
            raise ValueError(
                "occurred_at is more than a year ago: report purchases as they happen."
            )
        return value

    @model_validator(mode="after")
    def _who(self) -> ConversionIn:
        if not self.email and not self.referral_code:
            raise ValueError("Give the customer's email or the referral_code they came with.")
        return self


class ConversionOut(Schema):
    order_id: str
    status: Literal["converted", "held", "recorded", "duplicate"]
    outcome: str = Field(..., description="One of: " + ", ".join(Purchase.Outcome.values))
    detail: str


class ErrorOut(Schema):
    detail: str
    errors: list[dict] = Field(default_factory=list)


api = NinjaAPI(
    title=f"{settings.SITE_NAME} referrals API",
    version="1.0",
    description=(
        "The shop reports purchases here; a purchase by a referred member converts their "
        "referral. Every request is signed: header "
        f"`{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the raw body>` with the shared "
        "secret SHOP_WEBHOOK_SECRET. Retries with the same order_id are answered "
        '"duplicate" and change nothing.'
    ),
    # Mounted inside the "referrals" URL namespace (referrals/urls.py).
    urls_namespace="referrals:referrals-api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
router = Router(tags=["referrals"])


@api.exception_handler(WebhookDisabled)
def _disabled(request: HttpRequest, exc: WebhookDisabled) -> HttpResponse:
    return api.create_response(
        request,
        {
            "detail": "The shop webhook is switched off: SHOP_WEBHOOK_SECRET is not set on "
            "this site. Nothing was recorded; retry once it is configured.",
            "errors": [],
        },
        status=503,
    )


@api.exception_handler(BadSignature)
def _bad_signature(request: HttpRequest, exc: BadSignature) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc), "errors": []}, status=401)


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
        errors.append({"field": ".".join(location) or "body", "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return api.create_response(
        request, {"detail": f"The conversion is not valid. {summary}", "errors": errors}, status=400
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = str(exc)
    if exc.status_code == 400 and isinstance(exc.__cause__, (ValueError, json.JSONDecodeError)):
        detail = f"The body is not valid JSON ({exc.__cause__}). Send one JSON object."
    return api.create_response(request, {"detail": detail, "errors": []}, status=exc.status_code)


def _same_order(purchase: Purchase, payload: ConversionIn) -> bool:
    return purchase.amount == payload.amount and purchase.currency == payload.currency


_DETAILS: dict[str, str] = {
    Purchase.Outcome.CONVERTED: "The purchase converted the member's referral.",
    Purchase.Outcome.ALREADY_CONVERTED: "Recorded; the member's referral had already converted.",
    Purchase.Outcome.NOT_COUNTED: "Recorded; the member's referral does not count.",
    Purchase.Outcome.NOT_JOINED: (
        "Recorded; the member has not confirmed their email address yet, so their "
        "referral does not convert."
    ),
    Purchase.Outcome.NO_REFERRAL: "Recorded; no referred member matches this customer.",
    Purchase.Outcome.LINK_ONLY: "Recorded against the referral link; no member to convert.",
}


@router.post(
    "/conversions",
    auth=ShopSignature(),
    response={
        200: ConversionOut,
        201: ConversionOut,
        400: ErrorOut,
        401: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        503: ErrorOut,
    },
    summary="Report a shop purchase",
    description=(
        "Idempotent on order_id: the first delivery answers 201, a retry answers 200 with "
        'status "duplicate". A purchase whose customer is a referred member converts the '
        "referral (or leaves it held for review when fraud signals fired). Customers are "
        "matched by verified email addresses only: an address that belongs to an account "
        "but was never confirmed answers 422 and records nothing."
    ),
)
def report_conversion(request: HttpRequest, payload: ConversionIn):
    try:
        result = shop.record_purchase(
            order_id=payload.order_id,
            email=payload.email or "",
            referral_code=payload.referral_code or "",
            amount=payload.amount,
            currency=payload.currency,
            occurred_at=payload.occurred_at,
        )
    except shop.UnverifiedEmail as error:
        return Status(
            422,
            {
                "detail": error.message,
                "errors": [{"field": "email", "message": "is not a verified address"}],
            },
        )
    purchase = result.purchase
    if not result.created:
        if not _same_order(purchase, payload):
            return Status(
                409,
                {
                    "detail": f"Order {payload.order_id} was already reported with a different "
                    "amount or currency; an order id is used once.",
                    "errors": [],
                },
            )
        return Status(
            200,
            {
                "order_id": purchase.order_id,
                "status": "duplicate",
                "outcome": purchase.outcome,
                "detail": "Already recorded; nothing changed. " + _DETAILS[purchase.outcome],
            },
        )
    status = "recorded"
    if purchase.outcome == Purchase.Outcome.CONVERTED:
        held = purchase.referral is not None and purchase.referral.status == "held"
        status = "held" if held else "converted"
    return Status(
        201,
        {
            "order_id": purchase.order_id,
            "status": status,
            "outcome": purchase.outcome,
            "detail": _DETAILS[purchase.outcome]
            + (" It is held for a moderator's review." if status == "held" else ""),
        },
    )


api.add_router("/referrals/", router)
