from django.urls import path

from referrals import badge_views, views
from referrals.api import api

app_name = "referrals"

urlpatterns = [
    path("r/<str:code>/", views.follow, name="follow"),
    path("referrals/", views.mine, name="mine"),
    path("points/", views.points_page, name="points"),
    path("referrals/invite/", views.invite, name="invite"),
    path("referrals/share/", views.share, name="share"),
    path("referrals/links/<str:code>/disable/", views.disable_link, name="disable-link"),
    path("referrals/links/<str:code>/enable/", views.enable_link, name="enable-link"),
    path("leaderboard/", views.leaderboard_view, name="leaderboard"),
    path("hall-of-fame/", views.hall_of_fame, name="hall-of-fame"),
    path("badges/", badge_views.badge_list, name="badges"),
    path("badges/<str:key>/", badge_views.badge_detail, name="badge"),
    path("api/", api.urls),
]
