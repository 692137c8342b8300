from django.urls import path

from . import views

# Mounted under /care/, at the paths these pages had when they were part of the care app.
app_name = "assistance"
urlpatterns = [
    path("retirees/<int:pk>/request/", views.request_create, name="request_create"),
    path("contacts/<int:pk>/request/", views.request_from_contact, name="request_from_contact"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/done/", views.request_complete, name="request_complete"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
]
