from django.urls import path

from . import views

app_name = "checkins"
urlpatterns = [
    path("", views.call_list, name="call_list"),
    path("sheet/", views.call_sheet, name="call_sheet"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("retirees/<int:pk>/quick/", views.quick_log, name="quick_log"),
    path("retirees/<int:pk>/log/", views.contact_create, name="contact_create"),
    path("retirees/<int:pk>/log/findings/", views.contact_findings_view, name="contact_findings"),
    path("attention/<int:pk>/lift/", views.attention_lift, name="attention_lift"),
    path("retirees/<int:pk>/exempt/", views.exemption_create, name="exemption_create"),
    path("retirees/<int:pk>/contacts/", views.contact_history, name="contact_history"),
    path("retirees/<int:pk>/round-confirm/", views.round_confirm, name="round_confirm"),
    path("contacts/<int:pk>/saved/", views.contact_saved, name="contact_saved"),
    path("contacts/<int:pk>/follow-up-done/", views.follow_up_done, name="follow_up_done"),
    path("exemptions/", views.exemption_list, name="exemption_list"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption_decide"),
    path("exemptions/<int:pk>/end/", views.exemption_revoke, name="exemption_revoke"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/summary/", views.round_summary, name="round_summary"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views.policy_create, name="policy_create"),
    path("policies/<int:pk>/", views.policy_edit, name="policy_edit"),
]
