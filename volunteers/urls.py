from django.urls import path

from . import views

# Mounted under /care/, at the paths these pages had when they were part of the care app.
app_name = "volunteers"
urlpatterns = [
    path("retirees/<int:pk>/volunteer/", views.volunteer_create, name="volunteer_create"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/<int:pk>/", views.volunteer_edit, name="volunteer_edit"),
    path("roster/", views.roster, name="roster"),
    path("roster/shifts/new/", views.shift_create, name="shift_create"),
    path("roster/shifts/<int:pk>/", views.shift_edit, name="shift_edit"),
]
