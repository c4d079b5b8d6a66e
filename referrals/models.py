"""The referral hub's data: links, visits, referrals and their stages, points, awards.

Every rule that must hold even when two requests race is a database constraint here
(one referral per referee, one event per stage, one ledger row per idempotency key, one
award set per period); the action functions in ``referrals.actions`` lean on them.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

# No 0/o, 1/l/i: a code read aloud or copied by hand cannot be mistaken.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 8

ATTRIBUTION_WINDOW = timedelta(days=90)
INVITE_LIFETIME = timedelta(days=90)
INVITE_REPEAT_AFTER = timedelta(days=7)
ACTIVE_AFTER = timedelta(hours=24)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def object_key(obj: models.Model) -> str:
    """A stable name for any piece of content ("blog.guidepage:12"), kept in the rows that
    remember which content made a referral active or converted it."""
    return f"{obj._meta.label_lower}:{obj.pk}"


# --- Links and visits -----------------------------------------------------------------


class ReferralLinkQuerySet(models.QuerySet):
    def enabled(self) -> ReferralLinkQuerySet:
        return self.filter(disabled_at__isnull=True)


class ReferralLink(models.Model):
    """A member's link /r/<code>/: their personal one (no target) or one per piece of content."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_links"
    )
    code = models.CharField(max_length=16, unique=True)
    target_path = models.CharField(max_length=300, blank=True)
    target_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReferralLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "target_path"], name="one_link_per_target"),
        ]

    def __str__(self) -> str:
        return f"/r/{self.code}/"

    def get_absolute_url(self) -> str:
        return reverse("referrals:follow", kwargs={"code": self.code})

    @property
    def full_url(self) -> str:
        return f"{settings.BASE_URL}{self.get_absolute_url()}"

    @property
    def is_disabled(self) -> bool:
        return self.disabled_at is not None

    @property
    def is_personal(self) -> bool:
        return not self.target_path

    @property
    def disabled_by_staff(self) -> bool:
        return self.is_disabled and self.disabled_by_id not in (None, self.owner_id)

    @property
    def destination(self) -> str:
        return self.target_path or "/"

    @property
    def label(self) -> str:
        if self.is_personal:
            return _("Your personal link (home page)")
        return self.target_title or self.target_path


class Visit(models.Model):
    """One browser following a link, at most once a day per link (the unique rule).

    Only salted hashes of the network and the user agent are kept, never the address.
    """

    # Indexed by the unique rule and visit_by_link, both starting with link.
    link = models.ForeignKey(
        ReferralLink, on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    day = models.DateField()
    visitor = models.CharField(
        max_length=32, help_text=gettext_lazy("Random key from the visit cookie.")
    )
    network_hash = models.CharField(max_length=32, blank=True)
    ua_hash = models.CharField(max_length=32, blank=True)
    is_crawler = models.BooleanField(default=False)
    landing = models.CharField(max_length=300, blank=True)
    referer = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["link", "visitor", "day"], name="visit_once_a_day_per_browser"
            ),
        ]
        indexes = [
            models.Index(fields=["visitor", "created_at"], name="visit_by_browser"),
            models.Index(fields=["created_at"], name="visit_by_time"),
            models.Index(fields=["link", "created_at"], name="visit_by_link"),
        ]

    def __str__(self) -> str:
        return f"visit to {self.link_id} on {self.day}"


# --- Sign-up fingerprints (fraud signals) ----------------------------------------------


class SignUp(models.Model):
    """How a member arrived: hashed network, user agent and visit-cookie key."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_signup"
    )
    created_at = models.DateTimeField(default=timezone.now)
    network_hash = models.CharField(max_length=32, blank=True)
    ua_hash = models.CharField(max_length=32, blank=True)
    browser = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["network_hash", "created_at"], name="signup_by_network"),
            models.Index(fields=["browser"], condition=~Q(browser=""), name="signup_by_browser"),
        ]

    def __str__(self) -> str:
        return f"sign-up of {self.member_id}"


class MemberNetwork(models.Model):
    """A network (hashed) a member has signed in from; compared with their referees'."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    network_hash = models.CharField(max_length=32)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "network_hash"], name="member_network_once"),
        ]
        indexes = [models.Index(fields=["network_hash"], name="member_network_by_hash")]

    def __str__(self) -> str:
        return f"network of {self.member_id}"


# --- Invites ----------------------------------------------------------------------------


class InviteQuerySet(models.QuerySet):
    def unexpired(self, now=None) -> InviteQuerySet:
        return self.filter(expires_at__gt=now or timezone.now())


class Invite(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_invites"
    )
    email = models.EmailField(max_length=254)
    note = models.CharField(max_length=500, blank=True)
    link = models.ForeignKey(ReferralLink, on_delete=models.CASCADE, related_name="invites")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # False when the address already has an account or was invited by someone else in
    # the last week; the sender is not told which (no account enumeration).
    emailed = models.BooleanField(default=True)

    objects = InviteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sender", "-created_at"], name="invite_by_sender"),
            models.Index(fields=["email", "-created_at"], name="invite_by_email"),
        ]

    def __str__(self) -> str:
        return f"invite to {self.email}"


# --- Referrals and their stages ---------------------------------------------------------


class Stage(models.IntegerChoices):
    SIGNED_UP = 0, gettext_lazy("signed up")
    JOINED = 1, gettext_lazy("joined")
    ACTIVE = 2, gettext_lazy("active")
    CONVERTED = 3, gettext_lazy("converted")


class Status(models.TextChoices):
    COUNTING = "counting", gettext_lazy("counting")
    HELD = "held", gettext_lazy("held for review")
    REJECTED = "rejected", gettext_lazy("did not count")
    REVOKED = "revoked", gettext_lazy("revoked")


class HoldReason(models.TextChoices):
    SAME_NETWORK = "same_network", gettext_lazy("same network as the referrer")
    BUSY_NETWORK = "busy_network", gettext_lazy("many sign-ups from one network")
    DISPOSABLE_EMAIL = "disposable_email", gettext_lazy("disposable email address")
    BURST = "burst", gettext_lazy("burst of conversions")
    CYCLE = "cycle", gettext_lazy("referral cycle")
    SAME_BROWSER = "same_browser", gettext_lazy("several accounts from one browser")
    SIGNUP_BURST = "signup_burst", gettext_lazy("burst of sign-ups")


class RevokeReason(models.TextChoices):
    SUSPENDED = "suspended", gettext_lazy("the referee was suspended")
    CONTENT_REMOVED = "content_removed", gettext_lazy("the qualifying content was removed")


class ConversionVia(models.TextChoices):
    REACTION = "reaction", gettext_lazy("a post that got a reaction")
    GUIDE = "guide", gettext_lazy("a published guide")
    PURCHASE = "purchase", gettext_lazy("a purchase in the shop")


# What the member reads about a referral that is held or did not count.
HOLD_EXPLANATIONS = {
    HoldReason.SAME_NETWORK: gettext_lazy(
        "Your friend signed up from the same network as you (for example the same home "
        "Wi-Fi), so a moderator checks that it is really someone new."
    ),
    HoldReason.BUSY_NETWORK: gettext_lazy(
        "More than three accounts were created from your friend's network within a day, "
        "so a moderator checks them before they count."
    ),
    HoldReason.DISPOSABLE_EMAIL: gettext_lazy(
        "Your friend used a throwaway email address, so a moderator checks the account "
        "before it counts."
    ),
    HoldReason.BURST: gettext_lazy(
        "Many of your referrals converted within an hour, which is unusual, so a moderator "
        "looks at them before they count."
    ),
    HoldReason.CYCLE: gettext_lazy(
        "This account seems connected to someone earlier in the same chain of referrals "
        "(people referring each other in a circle), so a moderator checks it."
    ),
    HoldReason.SAME_BROWSER: gettext_lazy(
        "Your friend signed up in the same browser as another account, so a moderator "
        "checks that it is really a different person."
    ),
    HoldReason.SIGNUP_BURST: gettext_lazy(
        "Many people signed up through your links within a short time, which is unusual, "
        "so a moderator looks at them before they count."
    ),
}
# What a moderator reads: what fired and what to check ("{referrer}" and "{referee}" are
# filled in by Referral.staff_explanations).
STAFF_HOLD_EXPLANATIONS = {
    HoldReason.SAME_NETWORK: gettext_lazy(
        "{referee} signed up from a network {referrer} has used. Check that they are "
        "different people (names, email addresses, what each has posted)."
    ),
    HoldReason.BUSY_NETWORK: gettext_lazy(
        "Several accounts were created from {referee}'s network within 24 hours. Check "
        "whether they look like one person's accounts."
    ),
    HoldReason.DISPOSABLE_EMAIL: gettext_lazy(
        "{referee} signed up with a disposable (throwaway) email domain. Check that the "
        "account takes part like a real person before approving."
    ),
    HoldReason.BURST: gettext_lazy(
        "Several of {referrer}'s referrals converted within an hour. Check that the "
        "conversions (reactions, guides, purchases) are independent."
    ),
    HoldReason.CYCLE: gettext_lazy(
        "{referee} shares a network or browser with someone further up {referrer}'s chain "
        "of referrals, or referred them. Check for one person with several accounts."
    ),
    HoldReason.SAME_BROWSER: gettext_lazy(
        "Signed up from the same browser as other accounts referred by {referrer}. Check "
        "whether they are one person's accounts."
    ),
    HoldReason.SIGNUP_BURST: gettext_lazy(
        "Many sign-ups through {referrer}'s links within a short time. Check whether the "
        "accounts are real people or one person's."
    ),
}
# With the number the signal counted (Referral.hold_details): (message, key).
STAFF_HOLD_COUNTED = {
    HoldReason.BUSY_NETWORK: (
        ngettext_lazy(
            "%(n)d account was created from {referee}'s network within 24 hours.",
            "%(n)d accounts were created from {referee}'s network within 24 hours.",
            "n",
        ),
        "signups",
    ),
    HoldReason.SAME_BROWSER: (
        ngettext_lazy(
            "Signed up from the same browser as %(n)d other account referred by {referrer}.",
            "Signed up from the same browser as %(n)d other accounts referred by {referrer}.",
            "n",
        ),
        "accounts",
    ),
    HoldReason.SIGNUP_BURST: (
        ngettext_lazy(
            "%(n)d sign-up through {referrer}'s links within %(minutes)d minutes.",
            "%(n)d sign-ups through {referrer}'s links within %(minutes)d minutes.",
            "n",
        ),
        "signups",
    ),
    HoldReason.BURST: (
        ngettext_lazy(
            "%(n)d of {referrer}'s referrals converted within an hour.",
            "%(n)d of {referrer}'s referrals converted within an hour.",
            "n",
        ),
        "conversions",
    ),
}
REVOKE_EXPLANATIONS: dict[str, str | Promise] = {
    RevokeReason.SUSPENDED: gettext_lazy(
        "Your friend's account was suspended for breaking the community rules, so this "
        "referral no longer counts."
    ),
    RevokeReason.CONTENT_REMOVED: gettext_lazy(
        "The contribution that qualified this referral was removed, so it no longer counts."
    ),
}
STAGE_EXPLANATIONS = {
    Stage.SIGNED_UP: gettext_lazy(
        "Signed up; waiting for your friend to confirm their email address."
    ),
    Stage.JOINED: gettext_lazy(
        "Joined; it becomes active once their first post, guide or chat message has stayed "
        "up for 24 hours."
    ),
    Stage.ACTIVE: gettext_lazy(
        "Active; it converts when one of their posts gets a reaction from someone other "
        "than you, they publish a guide, or they buy something in the shop."
    ),
    Stage.CONVERTED: gettext_lazy("Converted: this referral counts for you. Thank you!"),
}


class ReferralQuerySet(models.QuerySet):
    def counting(self) -> ReferralQuerySet:
        return self.filter(status=Status.COUNTING)

    def held(self) -> ReferralQuerySet:
        return self.filter(status=Status.HELD)

    def converted(self) -> ReferralQuerySet:
        return self.filter(stage=Stage.CONVERTED)


class Referral(models.Model):
    """One member (the referee) brought by another (the referrer). Frozen at sign-up."""

    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referrals_made"
    )
    referee = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral"
    )
    link = models.ForeignKey(
        ReferralLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invite = models.ForeignKey(
        Invite, on_delete=models.SET_NULL, null=True, blank=True, related_name="referrals"
    )
    created_at = models.DateTimeField(default=timezone.now)

    stage = models.PositiveSmallIntegerField(choices=Stage.choices, default=Stage.SIGNED_UP)
    joined_at = models.DateTimeField(null=True, blank=True)
    active_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    converted_via = models.CharField(max_length=20, choices=ConversionVia.choices, blank=True)
    converting_object = models.CharField(max_length=100, blank=True)
    converting_container = models.CharField(max_length=100, blank=True)
    # Set while the conversion is credited (points and leaderboard); cleared by revocation.
    credited_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.COUNTING)
    hold_reasons = models.JSONField(default=list, blank=True)
    # Numbers behind the signals, for the moderator's wording: {"same_browser": {"accounts": 2}}.
    hold_details = models.JSONField(default=dict, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=20, choices=RevokeReason.choices, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(referrer=F("referee")), name="referral_referrer_is_not_referee"
            ),
        ]
        indexes = [
            models.Index(fields=["referrer", "-created_at"], name="referral_by_referrer"),
            models.Index(fields=["created_at"], name="referral_by_time"),
            models.Index(fields=["converted_at"], name="referral_by_conversion"),
            models.Index(fields=["held_at"], condition=Q(status="held"), name="referral_held"),
            models.Index(
                fields=["converting_container"],
                condition=~Q(converting_container=""),
                name="referral_by_container",
            ),
        ]
        permissions = [
            ("review_referral", "Can approve or reject held referrals"),
            ("view_referral_dashboard", "Can see the referral dashboard"),
        ]

    def __str__(self) -> str:
        return f"{self.referrer} → {self.referee}"

    @property
    def counts(self) -> bool:
        return self.status == Status.COUNTING and self.stage == Stage.CONVERTED

    @property
    def hold_explanations(self) -> list[str]:
        return [str(HOLD_EXPLANATIONS[r]) for r in self.hold_reasons if r in HOLD_EXPLANATIONS]

    @property
    def staff_explanations(self) -> list[str]:
        """What a moderator reads about each signal: what fired, how much, what to check."""
        texts = []
        details = self.hold_details or {}
        for reason in self.hold_reasons:
            if reason not in STAFF_HOLD_EXPLANATIONS:
                continue
            text = str(STAFF_HOLD_EXPLANATIONS[reason])
            counted = STAFF_HOLD_COUNTED.get(reason)
            numbers = details.get(reason) or {}
            if counted is not None and counted[1] in numbers:
                message, key = counted
                first = message % {"n": numbers[key], "minutes": numbers.get("minutes", 60)}
                # The counted sentence replaces the first one (what fired); a translation
                # without a second sentence keeps only the counted one.
                rest = text.split(". ", 1)[1:]
                text = " ".join([first, *rest])
            texts.append(text.format(referrer=self.referrer.name, referee=self.referee.name))
        return texts

    @property
    def hold_labels(self) -> list[str]:
        return [str(HoldReason(r).label) for r in self.hold_reasons if r in HoldReason.values]

    @property
    def explanation(self) -> str:
        """Plain words for the referrer: where this referral stands and why."""
        if self.status == Status.HELD:
            return " ".join([_("Held for a quick check."), *self.hold_explanations])
        if self.status == Status.REJECTED:
            text = _("Did not count: a moderator reviewed it and decided it does not qualify.")
            if self.review_note:
                text += " " + _("Their note: “%(note)s”") % {"note": self.review_note}
            return text
        if self.status == Status.REVOKED:
            return str(
                REVOKE_EXPLANATIONS.get(self.revoke_reason, _("This referral no longer counts."))
            )
        return str(STAGE_EXPLANATIONS[Stage(self.stage)])


class ReferralEvent(models.Model):
    """A referral reaching a stage: at most once per stage (the unique rule)."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    created_at = models.DateTimeField(default=timezone.now)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["referral", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["referral", "stage"], name="one_event_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.get_stage_display()}"


class ActivityCandidate(models.Model):
    """A referee's first contributions, waiting to stay visible for 24 hours."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="activity_candidates", db_index=False
    )
    object_key = models.CharField(max_length=100)
    container_key = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=20)
    published_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["referral", "object_key"], name="candidate_once"),
        ]
        indexes = [
            models.Index(
                fields=["published_at"],
                condition=Q(removed_at__isnull=True),
                name="candidate_waiting",
            ),
            models.Index(fields=["object_key"], name="candidate_by_object"),
            models.Index(
                fields=["container_key"],
                condition=~Q(container_key=""),
                name="candidate_by_container",
            ),
        ]

    def __str__(self) -> str:
        return self.object_key


class Purchase(models.Model):
    """An order reported by the shop's webhook, once per order id."""

    class Outcome(models.TextChoices):
        CONVERTED = "converted", gettext_lazy("converted a referral")
        ALREADY_CONVERTED = "already_converted", gettext_lazy("the referral had already converted")
        NOT_COUNTED = "not_counted", gettext_lazy("the referral does not count")
        NOT_JOINED = "not_joined", gettext_lazy("the member has not confirmed their email yet")
        NO_REFERRAL = "no_referral", gettext_lazy("no referral for this customer")
        LINK_ONLY = "link_only", gettext_lazy("credited to the link only")

    order_id = models.CharField(max_length=100, unique=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    link = models.ForeignKey(
        ReferralLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="purchases"
    )
    email_hash = models.CharField(max_length=32, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    def __str__(self) -> str:
        return self.order_id


# --- Points ------------------------------------------------------------------------------


class PointsRule(models.Model):
    """How many points an action earns, and at most how often (editable by editors)."""

    class Action(models.TextChoices):
        TOPIC = "topic", gettext_lazy("starting a forum topic")
        POST = "post", gettext_lazy("replying in the forum")
        GUIDE = "guide", gettext_lazy("publishing a guide")
        CHAT = "chat", gettext_lazy("a chat message")
        REACTION_RECEIVED = "reaction_received", gettext_lazy("getting a reaction from someone")
        REFERRAL_CONVERTED = (
            "referral_converted",
            gettext_lazy("a referred friend taking part for real"),
        )
        REFERRAL_PURCHASE = (
            "referral_purchase",
            gettext_lazy("a referred friend buying in the shop"),
        )
        BIRTHDAY = "birthday", gettext_lazy("a birthday bonus (once a year)")
        SOLUTION = "solution", gettext_lazy("a reply marked as the solution")
        FIRST_POST = "first_post", gettext_lazy("a first post in the forum")
        HELPFUL_VOTE = "helpful_vote", gettext_lazy("a helpful vote on a guide")
        CONVERSATION = "conversation", gettext_lazy("a chat message others answered")
        STREAK = "streak", gettext_lazy("a daily visit streak")
        PROFILE = "profile", gettext_lazy("completing the profile")
        SURVEY = "survey", gettext_lazy("answering the recommend survey")
        RECRUITING_CONTENT = "recruiting_content", gettext_lazy("content that brought a new member")
        CHALLENGE = "challenge", gettext_lazy("completing a challenge")
        SURPRISE = "surprise", gettext_lazy("a surprise bonus")

    class Period(models.TextChoices):
        DAY = "day", gettext_lazy("per day")
        WEEK = "week", gettext_lazy("per week")
        MONTH = "month", gettext_lazy("per month")

    action = models.CharField(max_length=30, choices=Action.choices, unique=True)
    points = models.PositiveIntegerField()
    cap = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("At most this many rewards per period; 0 means no cap.")
    )
    cap_period = models.CharField(max_length=10, choices=Period.choices, default=Period.DAY)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["action"]
        verbose_name = "points rule"

    def __str__(self) -> str:
        points = ngettext("%(n)d point", "%(n)d points", self.points) % {"n": self.points}
        return f"{self.get_action_display()}: {points}"


class MemberAction(models.Model):
    """One warm thing a member did (or earned from someone else), recorded once.

    The uncapped record behind points, badges and challenges (``referrals.engagement``):
    points are capped per period, but "50 solutions" counts every solution. ``key`` is
    the same idempotency key the points ledger uses ("solution:forum.post:12"), so a
    removal finds both. A revoked action no longer counts anywhere.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="warm_actions"
    )
    action = models.CharField(max_length=30, choices=PointsRule.Action.choices)
    key = models.CharField(max_length=200, unique=True)
    # Who caused it when that is someone else (the reactor, the voter, the topic's author).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=200)
    # Where it happened, as the sender names it ("forum.category:getting-started",
    # "chat.room:lobby"), so a challenge can count "answers in Getting started".
    place = models.CharField(max_length=120, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["member", "action", "created_at"], name="actions_by_member"),
            models.Index(fields=["action", "created_at"], name="actions_by_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.action} {self.key}"


class PointsEntry(models.Model):
    """One row of the points ledger. Never updated: reversals are new rows."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries"
    )
    amount = models.IntegerField()
    reason = models.CharField(max_length=200)
    idempotency_key = models.CharField(max_length=200, unique=True)
    # Capped rules fill numbered slots per member and period ("cap:post:12:2026-05-03:4"),
    # so the cap holds under concurrency too.
    cap_slot = models.CharField(max_length=120, null=True, blank=True, unique=True)
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="points"
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "points entries"
        indexes = [models.Index(fields=["member", "-created_at"], name="points_by_member")]

    def __str__(self) -> str:
        return f"{self.amount:+d} {self.reason}"


# --- Recognition ------------------------------------------------------------------------


class ReferralScore(models.Model):
    """Counted conversions per member per month ("YYYY-MM") and all time ("all").

    Kept by the action functions so leaderboards and "my rank" are indexed reads.
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referral_scores",
        db_index=False,
    )
    period = models.CharField(max_length=7)
    converted = models.IntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="one_score_per_period"),
        ]
        indexes = [
            models.Index(fields=["period", "-converted"], name="score_ranking"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period}: {self.converted}"


BADGES = [
    # (threshold, key, name, description)
    (
        1,
        "first_friend",
        gettext_lazy("First friend"),
        gettext_lazy("A friend you invited took part for real."),
    ),
    (
        3,
        "good_company",
        gettext_lazy("Good company"),
        gettext_lazy("Three friends you invited took part for real."),
    ),
    (
        10,
        "hearth_builder",
        gettext_lazy("Hearth builder"),
        gettext_lazy("Ten friends you invited took part for real."),
    ),
]
BADGE_BY_KEY = {key: (threshold, name, text) for threshold, key, name, text in BADGES}
MONTHLY_BEEP_AT = 10


class MemberBadge(models.Model):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="referral_badges",
        db_index=False,
    )
    # Any key of the badge catalogue (the referral badges above and the others).
    badge = models.CharField(max_length=40)
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["awarded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "badge"], name="badge_once"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("referrals:badge", args=[self.badge])

    @property
    def definition(self):
        from referrals.badges import BY_KEY  # cycle: referrals.badges imports these models

        return BY_KEY.get(self.badge)

    @property
    def name(self) -> str:
        badge = self.definition
        return badge.name if badge is not None else self.badge

    @property
    def description(self) -> str:
        badge = self.definition
        return badge.how if badge is not None else ""

    @property
    def tier(self) -> str:
        badge = self.definition
        return badge.tier if badge is not None else ""

    @property
    def tier_label(self) -> str:
        badge = self.definition
        return badge.tier_label if badge is not None else ""

    @property
    def threshold(self) -> int:
        return BADGE_BY_KEY[self.badge][0] if self.badge in BADGE_BY_KEY else 0


class AwardRun(models.Model):
    """Claims a period: the run that creates this row writes the period's one award set."""

    period = models.CharField(max_length=7, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    winners = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.period


class Award(models.Model):
    """A top recommender of a month (ties share a rank)."""

    run = models.ForeignKey(AwardRun, on_delete=models.CASCADE, related_name="awards")
    period = models.CharField(max_length=7)
    rank = models.PositiveSmallIntegerField()
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="referral_awards"
    )
    converted = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "rank", "member"], name="award_once"),
        ]

    def __str__(self) -> str:
        return f"{self.period} #{self.rank} {self.member_id}"


class ThankYouTaskQuerySet(models.QuerySet):
    def open(self) -> ThankYouTaskQuerySet:
        return self.filter(sent_at__isnull=True)


class ThankYouTask(models.Model):
    """An editor's to-do: write a personal thank-you to a top recommender."""

    class Kind(models.TextChoices):
        AWARD = "award", gettext_lazy("top recommender of the month")
        MILESTONE = "milestone", gettext_lazy("ten conversions in one month")

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thank_you_tasks"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    period = models.CharField(max_length=7)
    award = models.ForeignKey(
        Award, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    message = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ThankYouTaskQuerySet.as_manager()

    class Meta:
        ordering = ["sent_at", "-created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "period"], name="thank_you_once"),
        ]
        permissions = [("send_thank_you", "Can write thank-you messages to recommenders")]

    def __str__(self) -> str:
        return f"Thank {self.member} ({self.get_kind_display()}, {self.period})"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
