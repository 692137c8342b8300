from django.urls import path

from . import views

# Mounted under /care/, at the paths these pages had when they were part of the care app.
app_name = "notices"
urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/attachment/", views.notice_attachment, name="notice_attachment"),
    path("notices/<int:pk>/deliver/", views.notice_deliver, name="notice_deliver"),
]
