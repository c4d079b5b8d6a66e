from __future__ import annotations

from wagtail import hooks


@hooks.register("register_log_actions")
def register_member_log_actions(actions) -> None:
    # Sentences naming who and what, with links (community.moderation.log_formatters).
    from community.moderation.log_formatters import MEMBER_LOG_ACTIONS

    for action, formatter in MEMBER_LOG_ACTIONS.items():
        actions.register_action(action)(formatter)
