from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("survey/answer/", views.answer, name="answer"),
    path("survey/dismiss/", views.dismiss, name="dismiss"),
    path("survey/thanks/", views.thanks, name="thanks"),
    path("survey/reason/", views.reason, name="reason"),
    path("survey/email/<str:token>/", views.email_answer, name="email-answer"),
    path("survey/email/<str:token>/reason/", views.email_reason, name="email-reason"),
    path("survey/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
