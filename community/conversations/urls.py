from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("messages/", views.conversation_list, name="list"),
    path("messages/new/", views.new_conversation, name="new"),
    path("messages/unread/", views.unread_badge, name="unread-badge"),
    path("messages/<int:pk>/", views.conversation, name="conversation"),
    path("messages/<int:pk>/reply/", views.reply, name="reply"),
    path("messages/<int:pk>/read/", views.mark_read, name="read"),
    path("messages/<int:pk>/leave/", views.leave, name="leave"),
    path("messages/<int:pk>/messages/<int:message_pk>/flag/", views.flag, name="flag"),
    path("members/<str:username>/block/", views.block, name="block"),
    path("members/<str:username>/unblock/", views.unblock, name="unblock"),
]
