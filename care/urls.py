from django.urls import path

from . import views

app_name = "care"
urlpatterns = [
    path("", views.index, name="index"),
    path("plans/", views.plan_list, name="plan_list"),
    path("retirees/<int:pk>/plan/", views.plan_edit, name="plan_edit"),
    path("retirees/<int:pk>/request/", views.request_create, name="request_create"),
    path("retirees/<int:pk>/volunteer/", views.volunteer_create, name="volunteer_create"),
    path("retirees/<int:pk>/visit/", views.visit_create, name="visit_create"),
    path("contacts/<int:pk>/request/", views.request_from_contact, name="request_from_contact"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/assign/", views.request_assign, name="request_assign"),
    path("requests/<int:pk>/done/", views.request_complete, name="request_complete"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/<int:pk>/", views.volunteer_edit, name="volunteer_edit"),
    path("roster/", views.roster, name="roster"),
    path("roster/shifts/new/", views.shift_create, name="shift_create"),
    path("roster/shifts/<int:pk>/", views.shift_edit, name="shift_edit"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/attachment/", views.notice_attachment, name="notice_attachment"),
    path("notices/<int:pk>/deliver/", views.notice_deliver, name="notice_deliver"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<int:pk>/", views.visit_edit, name="visit_edit"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
