from django.urls import path

from . import views

# Mounted under /care/, at the paths these pages had when they were part of the care app.
app_name = "visits"
urlpatterns = [
    path("retirees/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_edit, name="visit_edit"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/festival-offer/dismiss/", views.festival_dismiss, name="festival_dismiss"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
]
