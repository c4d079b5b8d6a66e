"""Generate a large, realistic referral data set for benchmarks (bench/referrals).

    manage.py generate_referral_data --members 50000 --visits 1000000

Members are "bench<N>" (emails @bench.invalid), each with a personal link; popular
links get most visits (a Zipf-like spread over 120 days, a few percent crawlers);
about 40% of members were referred, and their referrals climb the stages with the
summary table (scores), events and ledger rows an action function would have written.
On PostgreSQL rows are streamed with COPY; elsewhere bulk inserts. Refuses to run
twice on the same database (use a fresh one, as bench/referrals does).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from community.models import MEMBERS_GROUP, User
from referrals.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    PointsEntry,
    Referral,
    ReferralEvent,
    ReferralLink,
    ReferralScore,
    Stage,
    Status,
    Visit,
)
from referrals.periods import ALL_TIME, month_of

BATCH = 5000


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _hex(rng: random.Random, n: int = 32) -> str:
    return f"{rng.getrandbits(n * 4):0{n}x}"


class Command(BaseCommand):
    help = "Generate members, links, visits and referrals for the referral benchmark."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=50_000)
        parser.add_argument("--visits", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, members: int, visits: int, seed: int, **options) -> None:
        if members < 10 or visits < 0:
            raise CommandError("Give at least 10 members and zero or more visits.")
        if User.objects.filter(username__startswith="bench").exists():
            raise CommandError(
                "This database already has bench members; generate into a fresh database."
            )
        rng = random.Random(seed)
        self.now = timezone.now()
        started = time.perf_counter()
        with transaction.atomic():
            user_ids = self._members(members, rng)
            link_ids = self._links(user_ids, rng)
        self._log(f"{members:,} members and links", started)
        step = time.perf_counter()
        self._visits(link_ids, visits, rng)
        self._log(f"{visits:,} visits", step)
        step = time.perf_counter()
        with transaction.atomic():
            counts = self._referrals(user_ids, link_ids, rng)
        self._log(f"{counts['referrals']:,} referrals, {counts['scores']:,} scores", step)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self._log("done", started)

    def _log(self, what: str, since: float) -> None:
        self.stdout.write(f"  {what}: {time.perf_counter() - since:.1f} s")

    # --- members and links ------------------------------------------------------

    def _members(self, count: int, rng: random.Random) -> list[int]:
        password = make_password("bench-password")
        users = [
            User(
                username=f"bench{n}",
                email=f"bench{n}@bench.invalid",
                password=password,
                display_name=f"Bench Member {n}",
                date_joined=self.now - timedelta(days=400 - 390 * n / count, minutes=rng.random()),
            )
            for n in range(count)
        ]
        for start in range(0, count, BATCH):
            User.objects.bulk_create(users[start : start + BATCH])
        ids = list(
            User.objects.filter(username__startswith="bench")
            .order_by("date_joined")
            .values_list("pk", flat=True)
        )
        group, _ = Group.objects.get_or_create(name=MEMBERS_GROUP)
        through = User.groups.through
        through.objects.bulk_create(
            [through(user_id=pk, group_id=group.pk) for pk in ids], batch_size=BATCH
        )
        # A few suspended members: they must drop off the boards.
        User.objects.filter(pk__in=rng.sample(ids, max(count // 200, 1))).update(
            suspended_until=self.now + timedelta(days=30), suspension_reason="bench"
        )
        return ids

    def _links(self, user_ids: list[int], rng: random.Random) -> list[int]:
        taken: set[str] = set()
        links = [
            ReferralLink(
                owner_id=pk, code=_code(rng, taken), created_at=self.now - timedelta(days=200)
            )
            for pk in user_ids
        ]
        for n in range(len(user_ids) // 10):
            links.append(
                ReferralLink(
                    owner_id=rng.choice(user_ids),
                    code=_code(rng, taken),
                    target_path=f"/guides/bench-guide-{n % 500}/",
                    target_title=f"Bench guide {n % 500}",
                    created_at=self.now - timedelta(days=150),
                )
            )
        ReferralLink.objects.bulk_create(links, batch_size=BATCH, ignore_conflicts=True)
        return list(ReferralLink.objects.order_by("pk").values_list("pk", flat=True))

    # --- visits -----------------------------------------------------------------

    def _visit_rows(self, link_ids: list[int], count: int, rng: random.Random):
        # Zipf-like: a few links get most of the traffic.
        weights = [1 / (rank + 1) ** 0.9 for rank in range(len(link_ids))]
        shuffled = link_ids[:]
        rng.shuffle(shuffled)
        chosen = rng.choices(shuffled, weights=weights, k=count)
        networks = [_hex(rng) for _ in range(20_000)]
        agents = [_hex(rng) for _ in range(300)]
        for link_id in chosen:
            created = self.now - timedelta(seconds=rng.random() * 120 * 86400)
            crawler = rng.random() < 0.04
            yield (
                link_id,
                created,
                timezone.localtime(created).date(),
                _hex(rng, 22),
                rng.choice(networks),
                rng.choice(agents),
                crawler,
                "/",
                "",
            )

    def _visits(self, link_ids: list[int], count: int, rng: random.Random) -> None:
        rows = self._visit_rows(link_ids, count, rng)
        columns = (
            "link_id, created_at, day, visitor, network_hash, ua_hash, is_crawler, landing, referer"
        )
        if connection.vendor == "postgresql":
            with transaction.atomic(), connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY referrals_visit ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            return
        batch = []
        for row in rows:
            batch.append(
                Visit(
                    link_id=row[0],
                    created_at=row[1],
                    day=row[2],
                    visitor=row[3],
                    network_hash=row[4],
                    ua_hash=row[5],
                    is_crawler=row[6],
                    landing=row[7],
                )
            )
            if len(batch) >= BATCH:
                Visit.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Visit.objects.bulk_create(batch, ignore_conflicts=True)

    # --- referrals, events, scores, ledger ---------------------------------------

    def _referrals(self, user_ids: list[int], link_ids: list[int], rng: random.Random) -> dict:
        personal = dict(ReferralLink.objects.filter(target_path="").values_list("owner_id", "pk"))
        # Referrers: the earlier half of the members, weighted so some bring many friends.
        referrers = user_ids[: len(user_ids) // 2]
        weights = [1 / (rank + 1) ** 0.7 for rank in range(len(referrers))]
        rng.shuffle(referrers)
        referees = [pk for pk in user_ids[len(user_ids) // 2 :] if rng.random() < 0.8]
        chosen = rng.choices(referrers, weights=weights, k=len(referees))
        referrals, events, ledger = [], [], []
        scores: Counter[tuple[int, str]] = Counter()
        for referee, referrer in zip(referees, chosen, strict=True):
            created = self.now - timedelta(seconds=rng.random() * 100 * 86400)
            roll = rng.random()
            stage = (
                Stage.CONVERTED
                if roll < 0.35
                else Stage.ACTIVE
                if roll < 0.55
                else Stage.JOINED
                if roll < 0.85
                else Stage.SIGNED_UP
            )
            held = rng.random() < 0.03
            converted_at = None
            if stage == Stage.CONVERTED:
                converted_at = min(created + timedelta(days=rng.random() * 20), self.now)
            referrals.append(
                Referral(
                    referrer_id=referrer,
                    referee_id=referee,
                    link_id=personal.get(referrer),
                    created_at=created,
                    stage=stage,
                    joined_at=created + timedelta(hours=1) if stage >= Stage.JOINED else None,
                    active_at=created + timedelta(days=1) if stage >= Stage.ACTIVE else None,
                    converted_at=converted_at,
                    converted_via="reaction" if converted_at else "",
                    credited_at=converted_at if converted_at and not held else None,
                    status=Status.HELD if held else Status.COUNTING,
                    hold_reasons=["same_network"] if held else [],
                    held_at=created if held else None,
                )
            )
            if converted_at and not held:
                scores[(referrer, month_of(converted_at).key)] += 1
                scores[(referrer, ALL_TIME)] += 1
        Referral.objects.bulk_create(referrals, batch_size=BATCH)
        for referral in Referral.objects.filter(referrer__username__startswith="bench").only(
            "pk", "stage", "created_at", "converted_at", "credited_at", "referrer_id"
        ):
            for reached in range(referral.stage + 1):
                events.append(
                    ReferralEvent(
                        referral_id=referral.pk, stage=reached, created_at=referral.created_at
                    )
                )
            if referral.credited_at:
                ledger.append(
                    PointsEntry(
                        member_id=referral.referrer_id,
                        amount=50,
                        reason="Bench conversion",
                        idempotency_key=f"referral:{referral.pk}:converted",
                        referral_id=referral.pk,
                        created_at=referral.converted_at,
                    )
                )
        ReferralEvent.objects.bulk_create(events, batch_size=BATCH)
        PointsEntry.objects.bulk_create(ledger, batch_size=BATCH)
        ReferralScore.objects.bulk_create(
            [
                ReferralScore(member_id=member, period=period, converted=n, updated_at=self.now)
                for (member, period), n in scores.items()
            ],
            batch_size=BATCH,
        )
        return {"referrals": len(referrals), "scores": len(scores)}
