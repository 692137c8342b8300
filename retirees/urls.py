from django.urls import path

from . import views

app_name = "retirees"
urlpatterns = [
    path("", views.retiree_list, name="list"),
    path("new/", views.retiree_create, name="create"),
    path("picker/", views.retiree_picker, name="picker"),
    path("<int:pk>/", views.retiree_detail, name="detail"),
    path("<int:pk>/edit/", views.retiree_edit, name="edit"),
    path("<int:pk>/reveal/<str:field>/", views.retiree_reveal, name="reveal"),
    path("<int:pk>/personal-data/", views.retiree_personal_data, name="personal_data"),
    path("<int:pk>/history/", views.retiree_history, name="history"),
]
