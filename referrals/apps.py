from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    label = "referrals"
    verbose_name = "Referrals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported once the app registry is ready: they connect receivers and sections.
        from referrals import receivers, record, review, sections  # noqa: F401

        review.register_source()
        record.register_section()

        from referrals import leaderboard

        leaderboard.connect()

        from referrals import segments as referral_segments

        referral_segments.register_segments()

        from community.badges import register_badge_lookup
        from referrals import badges

        badges.register_segments()
        register_badge_lookup(badges.top_badges_of)

        from community.cards import register_card_badges

        # A member's card shows their best few badges, not only the top one.
        register_card_badges(
            lambda member, limit: [badge.label() for badge, _ in badges.badges_of(member)[:limit]]
        )
