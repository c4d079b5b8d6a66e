"""The forum in the Wagtail admin: categories and tags, the audit-log actions, and links
to the moderation screens (the open-flags queue lives on the site, under /forum/flags/).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import LogFormatter

from community.moderation.log_formatters import sentence
from hearth.rules import RuleError, add_to_form

from .actions import normalise_tag_names
from .models import Category, Post, Topic, TopicTag


class CategoryDeleteView(generic.DeleteView):
    """Topics point at their category (PROTECT): refuse with a message, never a 500."""

    def form_valid(self, form):
        count = self.object.topics.count()
        if count:
            messages.error(
                self.request,
                ngettext(
                    "“%(category)s” still holds %(count)d topic (hidden and deleted ones "
                    "included): move them to another category first.",
                    "“%(category)s” still holds %(count)d topics (hidden and deleted ones "
                    "included): move them to another category first.",
                    count,
                )
                % {"category": self.object, "count": count},
            )
            return redirect(reverse(self.index_url_name))
        return super().form_valid(form)


class CategoryViewSet(ModelViewSet):
    model = Category
    name = "forum_categories"
    url_prefix = "forum/categories"
    icon = "folder-open-inverse"
    menu_label = "Categories"
    list_display = ["name", "slug", "read_access", "who_may_start", "topic_count", "order"]
    list_filter = ["read_access", "who_may_start"]
    search_fields = ["name", "description"]
    search_backend_name = None
    form_fields = [
        "name",
        "slug",
        "description",
        "colour",
        "order",
        "who_may_start",
        "read_access",
        "language",
    ]
    sort_order_field = "order"
    copy_view_enabled = False
    delete_view_class = CategoryDeleteView


class TopicTagForm(WagtailAdminModelForm):
    """Tags made in the admin follow the same rules as tags made while posting."""

    class Meta:
        model = TopicTag
        fields = ["name", "slug"]

    def clean(self):
        cleaned = super().clean()
        if "name" not in cleaned:
            return cleaned
        try:
            names = normalise_tag_names([cleaned["name"]])
        except RuleError as error:
            add_to_form(self, error, "name")
        else:
            if names:
                cleaned["name"] = names[0]
            else:
                self.add_error("name", _("Give the tag a name."))
        return cleaned


class TopicTagViewSet(ModelViewSet):
    model = TopicTag
    name = "forum_tags"
    url_prefix = "forum/tags"
    icon = "tag"
    menu_label = "Topic tags"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    search_backend_name = None
    copy_view_enabled = False

    def get_form_class(self, for_update: bool = False):
        return TopicTagForm


class ForumViewSetGroup(ModelViewSetGroup):
    menu_label = "Forum"
    menu_icon = "group"
    menu_order = 250
    items = (CategoryViewSet, TopicTagViewSet)
    submenu_hook = "register_forum_menu_item"


@hooks.register("register_admin_viewset")
def register_forum_viewsets():
    return ForumViewSetGroup()


class _ModeratorMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.is_authenticated and request.user.is_moderator


@hooks.register("register_forum_menu_item")
def register_flag_queue_menu_item():
    return _ModeratorMenuItem(
        "Flagged forum posts", reverse("forum:flags"), icon_name="warning", order=251
    )


@hooks.register("register_forum_menu_item")
def register_forum_log_menu_item():
    # Wagtail's site history lists forum log entries to anyone with a view permission on
    # topics/posts (moderators get those in forum's 0002 migration).
    return _ModeratorMenuItem(
        "Forum moderation log",
        reverse("wagtailadmin_reports:site_history"),
        icon_name="history",
        order=252,
    )


def _category_name(data: dict, key: str) -> str:
    """The category's name (kept in the entry since it was written; else looked up by its
    slug for older entries; else the slug)."""
    name = data.get(f"{key}_name")
    if name:
        return name
    slug = data.get(key, "?")
    return Category.objects.filter(slug=slug).values_list("name", flat=True).first() or slug


def _topic_link(topic_id) -> str:
    topic = Topic.objects.filter(pk=topic_id).only("pk", "slug", "title").first()
    if topic is None:
        return "a topic that no longer exists"
    return format_html('“<a href="{}">{}</a>”', topic.get_absolute_url(), topic.title)


def _post_link(post_id) -> str:
    """ "post #3 by Maya in “Rye”", the post linked where it stands in its topic."""
    post = Post.objects.select_related("topic", "author").filter(pk=post_id).first()
    if post is None:
        return format_html("a post that no longer exists")
    return format_html(
        '<a href="{}">post #{}</a> by {} in “{}”',
        post.topic.post_url(post.number),
        post.number,
        post.author.name if post.author else "a former member",
        post.topic.title,
    )


def _quoted_reason(data: dict) -> str:
    reason = data.get("reason")
    return format_html(" — “{}”", reason) if reason else ""


def _topic_formatter(label: str, template: str) -> type[LogFormatter]:
    """A sentence about a topic: ``template`` has one ``{}``, the topic's linked title."""

    def format_message(self, log_entry) -> str:
        return sentence(template, _topic_link(log_entry.object_id))

    return type(
        "ForumTopicLogFormatter",
        (LogFormatter,),
        {"label": label, "format_message": format_message},
    )


class _MoveFormatter(LogFormatter):
    label = "Move topic"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence(
            "Moved the topic {} from “{}” to “{}”",
            _topic_link(log_entry.object_id),
            _category_name(data, "from"),
            _category_name(data, "to"),
        )


class _HideTopicFormatter(LogFormatter):
    label = "Hide topic"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence(
            "Hid the topic {}{}", _topic_link(log_entry.object_id), _quoted_reason(data)
        )


class _HidePostFormatter(LogFormatter):
    label = "Hide post"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence("Hid {}{}", _post_link(log_entry.object_id), _quoted_reason(data))


class _UnhidePostFormatter(LogFormatter):
    label = "Unhide post"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence("Restored {}{}", _post_link(log_entry.object_id), _quoted_reason(data))


class _DeletePostFormatter(LogFormatter):
    label = "Delete post"

    def format_message(self, log_entry) -> str:
        return sentence("Deleted {}", _post_link(log_entry.object_id))


def _flag_count(data: dict) -> str:
    count = data.get("flags")
    if not isinstance(count, int):
        return "the flags"
    return ngettext("%(count)d flag", "%(count)d flags", count) % {"count": count}


class _FlagsUpheldFormatter(LogFormatter):
    label = "Uphold flags"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence(
            "Upheld {} on {} and hid it", _flag_count(data), _post_link(log_entry.object_id)
        )


class _FlagsDismissedFormatter(LogFormatter):
    label = "Dismiss flags"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        return sentence("Dismissed {} on {}", _flag_count(data), _post_link(log_entry.object_id))


# What an edit changed, in the words of the post's form, in reading order.
_EDITED_PARTS = {"title": "title", "tags": "tags", "body": "text"}


class _EditFormatter(LogFormatter):
    label = "Edit someone else’s post"

    def format_message(self, log_entry) -> str:
        changed = set((log_entry.data or {}).get("changed", []))
        parts = [word for key, word in _EDITED_PARTS.items() if key in changed] or ["text"]
        what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        return sentence("Edited the {} of {}", what, _post_link(log_entry.object_id))


FORUM_LOG_ACTIONS = {
    "hearth.forum.pin": _topic_formatter("Pin topic", "Pinned the topic {}"),
    "hearth.forum.unpin": _topic_formatter("Unpin topic", "Unpinned the topic {}"),
    "hearth.forum.lock": _topic_formatter("Lock topic", "Locked the topic {}"),
    "hearth.forum.unlock": _topic_formatter("Unlock topic", "Unlocked the topic {}"),
    "hearth.forum.hide_topic": _HideTopicFormatter,
    "hearth.forum.unhide_topic": _topic_formatter(
        "Unhide topic", "Made the topic {} visible again"
    ),
    "hearth.forum.hide_post": _HidePostFormatter,
    "hearth.forum.unhide_post": _UnhidePostFormatter,
    "hearth.forum.delete_post": _DeletePostFormatter,
    "hearth.forum.flags_hidden": _FlagsUpheldFormatter,
    "hearth.forum.flags_dismissed": _FlagsDismissedFormatter,
    "hearth.forum.move": _MoveFormatter,
    "hearth.forum.edit_post": _EditFormatter,
}


@hooks.register("register_log_actions")
def register_forum_log_actions(actions) -> None:
    for action, formatter in FORUM_LOG_ACTIONS.items():
        actions.register_action(action)(formatter)
