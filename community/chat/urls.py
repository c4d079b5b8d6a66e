from django.urls import path

from community.chat import views

app_name = "chat"

urlpatterns = [
    path("chat/", views.room_list, name="rooms"),
    path("chat/unread/", views.unread_badge, name="unread-badge"),
    path("chat/<slug:slug>/", views.room, name="room"),
    path("chat/<slug:slug>/send/", views.send, name="send"),
    path("chat/<slug:slug>/topic/", views.turn_into_topic, name="topic"),
    path("chat/<slug:slug>/mute/", views.mute, name="mute"),
    path("chat/<slug:slug>/messages/<int:pk>/edit/", views.edit, name="edit"),
    path("chat/<slug:slug>/messages/<int:pk>/delete/", views.delete, name="delete"),
    path("chat/<slug:slug>/messages/<int:pk>/react/", views.react, name="react"),
]
