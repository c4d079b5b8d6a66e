from django.urls import path

from . import views
from .views.levels import category_level, preferences, tag_level

app_name = "forum"

urlpatterns = [
    path("forum/", views.index, name="index"),
    path("forum/new/", views.new_topic, name="new-topic"),
    path("forum/preview/", views.preview, name="preview"),
    path("forum/drafts/", views.save_draft, name="save-draft"),
    path("forum/latest/", views.topic_list, {"kind": "latest"}, name="latest"),
    path("forum/new-topics/", views.topic_list, {"kind": "new"}, name="new"),
    path("forum/unread/", views.topic_list, {"kind": "unread"}, name="unread"),
    path("forum/top/", views.topic_list, {"kind": "top"}, name="top"),
    path("forum/c/<slug:slug>/", views.category, name="category"),
    path("forum/c/<slug:slug>/level/", category_level, name="category-level"),
    path("forum/tags/", views.tags, name="tags"),
    path("forum/tags/<str:slug>/level/", tag_level, name="tag-level"),
    path("forum/tags/<str:slug>/", views.tag, name="tag"),
    path("forum/t/<int:pk>/", views.topic, name="topic-short"),
    path("forum/t/<int:pk>-<str:slug>/", views.topic, name="topic"),
    path("forum/t/<int:pk>/reply/", views.reply, name="reply"),
    path("forum/t/<int:pk>/watch/", views.watch, name="watch"),
    path("forum/t/<int:pk>/bookmark/", views.bookmark_topic, name="bookmark-topic"),
    path("forum/t/<int:pk>/moderate/", views.moderate_topic, name="moderate-topic"),
    path("forum/p/<int:pk>/", views.post_permalink, name="post"),
    path("forum/p/<int:pk>/edit/", views.edit_post, name="edit-post"),
    path("forum/p/<int:pk>/delete/", views.delete_post, name="delete-post"),
    path("forum/p/<int:pk>/history/", views.post_history, name="post-history"),
    path("forum/p/<int:pk>/quote/", views.quote, name="quote"),
    path("forum/p/<int:pk>/react/", views.react, name="react"),
    path("forum/p/<int:pk>/solution/", views.solution, name="solution"),
    path("forum/p/<int:pk>/bookmark/", views.bookmark_post, name="bookmark-post"),
    path("forum/p/<int:pk>/flag/", views.flag, name="flag"),
    path("forum/p/<int:pk>/moderate/", views.moderate_post, name="moderate-post"),
    path("forum/flags/", views.flag_queue, name="flags"),
    path("forum/preferences/", preferences, name="preferences"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("forum/flags/<int:pk>/", views.resolve_flags, name="resolve-flags"),
]
