from django.urls import path

from community import suggest, views

app_name = "community"

urlpatterns = [
    path("members/me/", views.my_profile, name="my-profile"),
    path("members/suggest/", suggest.suggest_members, name="member-suggest"),
    path("members/<str:username>/", views.profile, name="profile"),
    path("members/<str:username>/card/", views.user_card, name="user-card"),
    path("members/<str:username>/edit/", views.edit_profile, name="edit-profile"),
    path("members/<str:username>/moderate/", views.moderate_member, name="moderate-member"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.mark_all_read, name="notifications-read-all"),
    path("notifications/<int:pk>/", views.open_notification, name="notification-open"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest-unsubscribe"),
]
