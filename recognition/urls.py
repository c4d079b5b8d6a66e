from django.urls import path

from recognition import views

app_name = "recognition"

urlpatterns = [
    path("challenges/", views.challenges, name="challenges"),
]
