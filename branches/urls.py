from django.urls import path

from . import views

app_name = "branches"
urlpatterns = [
    path("", views.branch_list, name="list"),
    path("suggest/", views.branch_suggestions, name="suggest"),
    path("<int:pk>/", views.branch_detail, name="detail"),
    path("<int:pk>/reminders/", views.branch_reminders, name="reminders"),
]
