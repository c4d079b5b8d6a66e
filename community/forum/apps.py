from django.apps import AppConfig


class ForumConfig(AppConfig):
    name = "community.forum"
    label = "forum"
    verbose_name = "Forum"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from community.forum import page_cache, record, review, sections, trust

        page_cache.connect()
        # A member's category and tag levels are read when they sign in (actions.levels).
        from community.forum.actions import levels

        levels.connect()
        sections.register()
        review.register_source()
        record.register_section()
        trust.register_activity()
        # Lifting a "hidden post" penalty (an appeal) restores the post: see actions.moderation.
        from community.forum.actions.moderation import register_penalty_enforcer

        register_penalty_enforcer()
