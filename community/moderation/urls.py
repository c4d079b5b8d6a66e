from django.urls import path

from community.moderation import views

app_name = "moderation"

urlpatterns = [
    path("penalties/<int:pk>/", views.penalty, name="penalty"),
]
