"""The guide editor's Django views, in front of Wagtail's page catch-all."""

from django.urls import path

from blog import views

app_name = "blog"

urlpatterns = [
    path("guides/new/", views.new_guide, name="guide-new"),
    path("guides/mine/", views.my_guides, name="my-guides"),
    path("guides/<int:pk>/edit/", views.edit_guide, name="guide-edit"),
    path("guides/<int:pk>/preview/", views.preview_guide, name="guide-preview"),
    path("guides/<int:pk>/submit/", views.submit_guide, name="guide-submit"),
    path("guides/<int:pk>/withdraw/", views.withdraw_guide, name="guide-withdraw"),
    path("guides/<int:pk>/helpful/", views.helpful, name="guide-helpful"),
]
