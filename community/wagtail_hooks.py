from __future__ import annotations

from wagtail import hooks


@hooks.register("register_log_actions")
def register_member_log_actions(actions) -> None:
    actions.register_action("hearth.member.suspend", "Suspend member", "Member suspended")
    actions.register_action("hearth.member.unsuspend", "Lift suspension", "Suspension lifted")
    actions.register_action("hearth.member.silence", "Silence member", "Member silenced")
