"""The forum in the Wagtail admin: categories and tags, the audit-log actions, and links
to the moderation screens (the open-flags queue lives on the site, under /forum/flags/).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
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
                f"“{self.object}” still holds {count} topic{'s' if count != 1 else ''} "
                "(hidden and deleted ones included): move them to another category first.",
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
                self.add_error("name", "Give the tag a name.")
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


def _reason(log_entry) -> str:
    reason = (log_entry.data or {}).get("reason")
    return f": {reason}" if reason else ""


def _formatter(label: str, message: str, *, with_reason: bool = False):
    def format_message(self, log_entry) -> str:
        return message + (_reason(log_entry) if with_reason else "")

    return type(
        "ForumLogFormatter", (LogFormatter,), {"label": label, "format_message": format_message}
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
        reason = (log_entry.data or {}).get("reason")
        return sentence(
            "Hid the topic {}{}",
            _topic_link(log_entry.object_id),
            format_html(" — “{}”", reason) if reason else "",
        )


class _HidePostFormatter(LogFormatter):
    label = "Hide post"

    def format_message(self, log_entry) -> str:
        data = log_entry.data or {}
        post = Post.objects.select_related("topic", "author").filter(pk=log_entry.object_id).first()
        if post is None:
            what = format_html("a post that no longer exists")
        else:
            what = format_html(
                '<a href="{}">post #{}</a> by {} in “{}”',
                post.topic.post_url(post.number),
                post.number,
                post.author.name if post.author else "a former member",
                post.topic.title,
            )
        reason = data.get("reason")
        return sentence("Hid {}{}", what, format_html(" — “{}”", reason) if reason else "")


class _EditFormatter(LogFormatter):
    label = "Edit someone else’s post"

    def format_message(self, log_entry) -> str:
        changed = ", ".join((log_entry.data or {}).get("changed", [])) or "post"
        return f"Post edited by a moderator ({changed})"


FORUM_LOG_ACTIONS = {
    "hearth.forum.pin": _formatter("Pin topic", "Topic pinned"),
    "hearth.forum.unpin": _formatter("Unpin topic", "Topic unpinned"),
    "hearth.forum.lock": _formatter("Lock topic", "Topic locked"),
    "hearth.forum.unlock": _formatter("Unlock topic", "Topic unlocked"),
    "hearth.forum.hide_topic": _HideTopicFormatter,
    "hearth.forum.unhide_topic": _formatter("Unhide topic", "Topic visible again"),
    "hearth.forum.hide_post": _HidePostFormatter,
    "hearth.forum.unhide_post": _formatter("Unhide post", "Post visible again"),
    "hearth.forum.delete_post": _formatter("Delete post", "Post deleted by a moderator"),
    "hearth.forum.flags_hidden": _formatter("Uphold flags", "Flags upheld: post hidden"),
    "hearth.forum.flags_dismissed": _formatter("Dismiss flags", "Flags dismissed"),
    "hearth.forum.move": _MoveFormatter,
    "hearth.forum.edit_post": _EditFormatter,
}


@hooks.register("register_log_actions")
def register_forum_log_actions(actions) -> None:
    for action, formatter in FORUM_LOG_ACTIONS.items():
        actions.register_action(action)(formatter)
