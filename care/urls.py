from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plan_list"),
    path("retirees/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
]
